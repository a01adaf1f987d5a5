"""The workspace's history: past imports and the audit log, as plain data for any surface."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ticketlens.store import audit
from ticketlens.store.schema import Import

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace


def list_imports(workspace: Workspace, *, limit: int = 50) -> list[dict[str, Any]]:
    """Imports, newest first, with what happened to their rows."""
    with workspace.store.session() as s:
        rows = s.scalars(select(Import).order_by(Import.id.desc()).limit(limit)).all()
        return [
            {
                "id": i.id,
                "started_at": i.started_at.isoformat(),
                "finished_at": i.finished_at.isoformat() if i.finished_at else None,
                "actor": i.actor,
                "source": i.source,
                "format": i.format,
                "files": i.files,
                "read": i.rows_read,
                "new": i.rows_new,
                "updated": i.rows_updated,
                "unchanged": i.rows_unchanged,
                "threaded": i.rows_threaded,
                "quarantined": i.rows_quarantined,
                "skipped": i.rows_skipped,
            }
            for i in rows
        ]


def list_audit_events(
    workspace: Workspace,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit events, oldest first: for one target, by one actor, from ``since`` on, and
    with ``limit`` only the newest that many."""
    with workspace.store.session() as s:
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "before": e.before,
                "after": e.after,
                "reason": e.reason,
            }
            for e in audit.history(
                s,
                target_type=target_type,
                target_id=target_id,
                actor=actor,
                since=since,
                limit=limit,
            )
        ]


def count_audit_events(workspace: Workspace) -> int:
    with workspace.store.session() as s:
        return audit.count(s)


#: Items of a list shown in a change before "(+N more)".
SHOWN_ITEMS = 3


def describe_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """An audit event's change in words: ``label: Card -> Card not delivered; size: 40``.

    Keys whose value did not change are left out; a list shows its first items and how
    many more there are, a suggestion's payload its label (or what it points to) — never a
    cut-off dump of the data (``--json`` has all of it).
    """
    before, after = before or {}, after or {}
    parts = []
    for key, value in after.items():
        if key in before and before[key] == value:
            continue
        shown = _value(value)
        parts.append(
            f"{key}: {_value(before[key])} -> {shown}" if key in before else f"{key}: {shown}"
        )
    return "; ".join(parts)


def _value(value: Any) -> str:
    if isinstance(value, list):
        head = ", ".join(_value(v) for v in value[:SHOWN_ITEMS])
        more = len(value) - SHOWN_ITEMS
        return f"[{head}{f' (+{more} more)' if more > 0 else ''}]"
    if isinstance(value, dict):
        for key in ("label", "name", "outcome", "system", "step", "text"):
            if key in value:
                return f"{key} {_value(value[key])}"
        return (
            "{"
            + ", ".join(f"{k}: {_value(v)}" for k, v in list(value.items())[:SHOWN_ITEMS])
            + (", ...}" if len(value) > SHOWN_ITEMS else "}")
        )
    return "-" if value is None else str(value)
