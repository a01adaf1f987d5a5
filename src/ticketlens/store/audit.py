"""The audit log: who did what, when and why. Append-only (the database enforces it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketlens.store.schema import AuditEvent


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log in the caller's transaction."""
    event = AuditEvent(
        at=now(),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=before,
        after=after,
        reason=reason,
    )
    session.add(event)
    return event


def history(
    session: Session,
    *,
    target_type: str | None = None,
    target_id: str | int | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    limit: int | None = None,
) -> Sequence[AuditEvent]:
    """Events, oldest first, optionally for one target, by one actor, from ``since`` on;
    ``limit``: only the newest that many (still oldest first)."""
    query = select(AuditEvent)
    if target_type is not None:
        query = query.where(AuditEvent.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEvent.target_id == str(target_id))
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if limit is not None:
        newest = session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
        return list(reversed(newest))
    return session.scalars(query.order_by(AuditEvent.id)).all()


def count(session: Session) -> int:
    """How many events the log holds."""
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
