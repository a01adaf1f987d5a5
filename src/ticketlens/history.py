"""The workspace's history: past imports and the audit log, as plain data for any surface."""

from __future__ import annotations

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
    workspace: Workspace, *, target_type: str | None = None, target_id: str | None = None
) -> list[dict[str, Any]]:
    """Audit events, oldest first, optionally for one target."""
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
            for e in audit.history(s, target_type=target_type, target_id=target_id)
        ]
