"""The audit log: who did what, when and why. Append-only (the database enforces it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
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
    session: Session, *, target_type: str | None = None, target_id: str | int | None = None
) -> Sequence[AuditEvent]:
    """Events, oldest first, optionally for one target."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if target_type is not None:
        query = query.where(AuditEvent.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEvent.target_id == str(target_id))
    return session.scalars(query).all()
