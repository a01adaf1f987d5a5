"""Reading tickets back: lists and single tickets as plain data for any surface."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

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
        return None
    return query.where(Ticket.source == source, Ticket.external_id == external)


#: Refs named in the hint when a bare id matches tickets' own ids.
MATCHES_SHOWN = 5


def _not_found(s: Session, ref: str) -> NotFound:
    """Say what ``ref`` might have meant: tickets whose own (source) id it is."""
    external = ref.partition(":")[2] if ":" in ref else ref
    matches = s.execute(
        select(Ticket.source, Ticket.external_id)
        .where(Ticket.external_id == external)
        .order_by(Ticket.source)
        .limit(MATCHES_SHOWN + 1)
    ).all()
    refs = [f"{source}:{ext}" for source, ext in matches]
    if refs:
        more = ", ..." if len(refs) > MATCHES_SHOWN else ""
        shown = ", ".join(refs[:MATCHES_SHOWN])
        hint = f"a ticket's own id goes with its source (SOURCE:ID): {shown}{more}"
    else:
        hint = "use ticketlens's id or SOURCE:ID (see `ticketlens tickets list`)"
    return NotFound(f"no ticket {ref!r}", hint=hint)


def get_ticket(workspace: Workspace, ref: str) -> dict[str, Any]:
    """One ticket with its whole thread.

    Raises:
        NotFound: No such ticket; the hint names tickets whose source id ``ref`` is.
    """
    with workspace.store.session() as s:
        query = _lookup(ref)
        ticket = None if query is None else s.scalars(query).one_or_none()
        if ticket is None:
            raise _not_found(s, ref)
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
