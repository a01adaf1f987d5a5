"""Reading tickets back: lists and single tickets as plain data for any surface."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ticketlens.errors import NotFound
from ticketlens.store.schema import Requester, Ticket

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def snippet(subject: str | None, body: str, limit: int = 300) -> str:
    """A ticket's subject and text on one line, cut at ``limit`` characters."""
    text = " ".join((f"{subject}: {body}" if subject else body).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "source": ticket.source,
        "external_id": ticket.external_id,
        "created_at": _iso(ticket.created_at),
        "status": ticket.status,
        "channel": ticket.channel,
        "subject": ticket.subject,
        "text": ticket.body,
    }


def list_tickets(
    workspace: Workspace, *, limit: int = 50, offset: int = 0, source: str | None = None
) -> list[dict[str, Any]]:
    """Tickets, newest first (tickets without a date last)."""
    query = select(Ticket).order_by(Ticket.created_at.desc().nulls_last(), Ticket.id.desc())
    if source is not None:
        query = query.where(Ticket.source == source)
    with workspace.store.session() as s:
        rows = s.scalars(query.limit(limit).offset(offset)).all()
        return [ticket_summary(t) for t in rows]


def _lookup(ref: str) -> Any:
    """``ref`` is the internal id, or ``SOURCE:EXTERNAL_ID``."""
    query = select(Ticket).options(selectinload(Ticket.messages))
    if ref.isdigit():
        return query.where(Ticket.id == int(ref))
    source, sep, external = ref.partition(":")
    if not sep:
        raise NotFound(f"no ticket {ref!r}", hint="use the numeric id or SOURCE:EXTERNAL_ID")
    return query.where(Ticket.source == source, Ticket.external_id == external)


def get_ticket(workspace: Workspace, ref: str) -> dict[str, Any]:
    """One ticket with its whole thread."""
    with workspace.store.session() as s:
        ticket = s.scalars(_lookup(ref)).one_or_none()
        if ticket is None:
            raise NotFound(f"no ticket {ref!r}", hint="list them with 'ticketlens tickets list'")
        requester = s.get(Requester, ticket.requester_id) if ticket.requester_id else None
        return {
            **ticket_summary(ticket),
            "first_response_at": _iso(ticket.first_response_at),
            "solved_at": _iso(ticket.solved_at),
            "priority": ticket.priority,
            "group": ticket.group_name,
            "language": ticket.language,
            "requester": requester.key if requester else None,
            "tags": ticket.tags,
            "custom_fields": ticket.custom_fields,
            "csat": ticket.csat,
            "reopens": ticket.reopens,
            "handoffs": ticket.handoffs,
            "messages": [
                {
                    "position": m.position,
                    "role": m.role,
                    "author": m.author,
                    "created_at": _iso(m.created_at),
                    "body": m.body,
                }
                for m in ticket.messages
            ],
        }
