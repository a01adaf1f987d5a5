"""Right to erasure: remove everything stored about one requester, and record that it happened.

The audit event names the requester only by pseudonym and counts what was removed,
so the log proves the erasure without keeping what was erased.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Text, cast, delete, func, or_, select

from ticketlens.errors import NotFound
from ticketlens.store import Store, audit
from ticketlens.store.schema import HeldRow, Message, QuarantinedRow, Requester, Ticket


class ErasureContext(Protocol):
    """What erasure needs of a workspace (privacy sits below the workspace it serves)."""

    @property
    def store(self) -> Store: ...

    @property
    def pseudonymizer(self) -> Callable[[str], str]: ...

    @property
    def actor(self) -> str: ...


@dataclass(frozen=True)
class Erasure:
    requester_key: str
    tickets: int
    messages: int
    quarantined_rows: int


def forget_requester(
    workspace: ErasureContext, requester: str, *, reason: str | None = None
) -> Erasure:
    """Delete the requester's tickets (with their threads), the requester record and any
    quarantined row that mentions the identifier; append one audit event.

    ``requester`` is the identifier as it appears in the imported data (an email, a
    customer id); it is pseudonymised the same way as at import to find the record.

    Raises:
        NotFound: No requester with that identifier.
    """
    key = workspace.pseudonymizer(requester)
    needle = requester.strip()
    with workspace.store.session() as s:
        row = s.scalars(select(Requester).where(Requester.key == key)).one_or_none()
        if row is None:
            raise NotFound(
                "no requester with that identifier",
                hint="give it exactly as it appeared in the imported data",
            )
        ticket_ids = list(s.scalars(select(Ticket.id).where(Ticket.requester_id == row.id)))
        messages = (
            s.scalar(
                select(func.count()).select_from(Message).where(Message.ticket_id.in_(ticket_ids))
            )
            or 0
        )
        s.execute(delete(Message).where(Message.ticket_id.in_(ticket_ids)))
        s.execute(delete(Ticket).where(Ticket.id.in_(ticket_ids)))
        # Quarantined rows keep raw text and their columns (the requester as its
        # pseudonym); drop those that carry the identifier or the pseudonym.
        lowered = needle.lower()
        mentions = or_(
            func.lower(QuarantinedRow.raw).contains(lowered, autoescape=True),
            cast(QuarantinedRow.fields, Text).contains(key, autoescape=True),
        )
        quarantined = s.scalar(select(func.count()).select_from(QuarantinedRow).where(mentions))
        s.execute(delete(QuarantinedRow).where(mentions))
        # Held replies waiting for a thread: the person's own messages among them.
        s.execute(delete(HeldRow).where(cast(HeldRow.message, Text).contains(key, autoescape=True)))
        s.delete(row)
        audit.record(
            s,
            actor=workspace.actor,
            action="forget",
            target_type="requester",
            target_id=key,
            after={
                "tickets": len(ticket_ids),
                "messages": messages,
                "quarantined_rows": quarantined or 0,
            },
            reason=reason,
        )
    return Erasure(key, len(ticket_ids), messages, quarantined or 0)
