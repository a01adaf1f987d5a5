"""What a workspace holds, at a glance (``ticketlens status``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ticketlens.store import head_revision
from ticketlens.store.schema import (
    AuditEvent,
    Base,
    Import,
    Message,
    QuarantinedRow,
    Requester,
    ReviewItem,
    ThemeRun,
    Ticket,
)
from ticketlens.themes.catalog import run_summary, theme_counts

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace


def workspace_status(workspace: Workspace) -> dict[str, Any]:
    """Counts and ranges of what is stored. ``tickets`` is the total ticket count."""
    with workspace.store.session() as s:

        def count(model: type[Base]) -> int:
            return s.scalar(select(func.count()).select_from(model)) or 0

        first, last = s.execute(
            select(func.min(Ticket.created_at), func.max(Ticket.created_at))
        ).one()
        by_source = dict(
            s.execute(select(Ticket.source, func.count()).group_by(Ticket.source)).all()
        )
        by_state = dict(
            s.execute(select(ReviewItem.state, func.count()).group_by(ReviewItem.state)).all()
        )
        last_import = s.scalars(select(Import).order_by(Import.id.desc()).limit(1)).first()
        themes = s.scalars(
            select(ThemeRun)
            .where(ThemeRun.kind == "discover")
            .order_by(ThemeRun.id.desc())
            .limit(1)
        ).first()
        return {
            "workspace": str(workspace.root),
            "database": workspace.store.display_url(),
            "schema_revision": head_revision(),
            "timezone": workspace.settings.timezone,
            "tickets": count(Ticket),
            "tickets_by_source": by_source,
            "messages": count(Message),
            "requesters": count(Requester),
            "first_ticket_at": first.isoformat() if first else None,
            "last_ticket_at": last.isoformat() if last else None,
            "imports": count(Import),
            "last_import": None
            if last_import is None
            else {
                "id": last_import.id,
                "at": last_import.started_at.isoformat(),
                "by": last_import.actor,
                "read": last_import.rows_read,
                "new": last_import.rows_new,
                "updated": last_import.rows_updated,
                "unchanged": last_import.rows_unchanged,
                "threaded": last_import.rows_threaded,
                "quarantined": last_import.rows_quarantined,
                "skipped": last_import.rows_skipped,
            },
            "themes": None if themes is None else run_summary(themes) | theme_counts(s),
            "quarantined": count(QuarantinedRow),
            "review_items": by_state,
            "audit_events": count(AuditEvent),
        }
