"""The store's side of threads that span imports: held replies and stored threads.

A reader that rebuilds threads (TWCS) asks, for the messages it has read, which stored
messages answer them or are answered by them; this answers from the open import
session, so what it sees is the store as the import will leave it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketlens.ingest._base import StoredThreads
from ticketlens.ingest.normalize import MessageRecord
from ticketlens.store.schema import HeldRow, Message, Ticket

#: Ids per query (well under SQLite's and PostgreSQL's parameter limits).
CHUNK = 500
T = TypeVar("T", str, int)


def chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """``values`` in sorted lists of at most ``CHUNK`` (for ``IN (...)`` queries)."""
    items = sorted(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class SessionThreads(StoredThreads):
    """Stored threads of one source, read inside the import's transaction."""

    def __init__(self, session: Session, source: str) -> None:
        self.session = session
        self.source = source
        # Tickets whose threads were handed out already: a later round does not read
        # them again (the reader has their messages).
        self._loaded: set[int] = set()

    def around(
        self, *, ids: set[str], replying_to: set[str]
    ) -> tuple[list[MessageRecord], dict[str, str]]:
        return self._threads(self._tickets(ids, replying_to), self._held(ids, replying_to))

    def ungrouped_mentioning(self, handles: set[str]) -> tuple[list[MessageRecord], dict[str, str]]:
        tickets: set[int] = set()
        for handle in sorted(handles):
            pattern = f"%@{handle.lower()}%"
            tickets.update(
                self.session.scalars(
                    select(Ticket.id).where(
                        Ticket.source == self.source,
                        Ticket.group_name.is_(None),
                        func.lower(Ticket.body).like(pattern),
                    )
                )
            )
        return self._threads(tickets, [])

    def _threads(
        self, tickets: set[int], found: list[MessageRecord]
    ) -> tuple[list[MessageRecord], dict[str, str]]:
        """The messages of ``tickets`` (those not handed out before) added to ``found``,
        and their openers."""
        openers: dict[str, str] = {}
        fresh = tickets - self._loaded
        self._loaded |= fresh
        for chunk in chunks(fresh):
            rows = self.session.execute(
                select(Ticket.id, Ticket.external_id, Message)
                .join(Message, Message.ticket_id == Ticket.id)
                .where(Ticket.id.in_(chunk))
                .order_by(Ticket.id, Message.position)
            ).all()
            seen: set[int] = set()
            for ticket_id, external_id, m in rows:
                if m.external_id is None:
                    continue
                if ticket_id not in seen:  # the first message opens the thread
                    seen.add(ticket_id)
                    openers[m.external_id] = external_id
                found.append(
                    MessageRecord(
                        body=m.body,
                        role=m.role,
                        author=m.author,
                        created_at=m.created_at,
                        external_id=m.external_id,
                        reply_to=m.reply_to,
                    )
                )
        return found, openers

    def _held(self, ids: set[str], replying_to: set[str]) -> list[MessageRecord]:
        found: list[MessageRecord] = []
        for column, values in ((HeldRow.external_id, ids), (HeldRow.reply_to, replying_to)):
            for chunk in chunks(values):
                for held in self.session.scalars(
                    select(HeldRow).where(HeldRow.source == self.source, column.in_(chunk))
                ):
                    m = held.message
                    created = m.get("created_at")
                    found.append(
                        MessageRecord(
                            body=m["body"],
                            role=m.get("role"),
                            author=m.get("author"),
                            created_at=None
                            if created is None
                            else dt.datetime.fromisoformat(created),
                            external_id=held.external_id,
                            reply_to=held.reply_to,
                        )
                    )
        return found

    def _tickets(self, ids: set[str], replying_to: set[str]) -> set[int]:
        """Stored tickets of the source with a message among ``ids`` or answering one."""
        tickets: set[int] = set()
        for column, values in ((Message.external_id, ids), (Message.reply_to, replying_to)):
            for chunk in chunks(values):
                tickets.update(
                    self.session.scalars(
                        select(Message.ticket_id)
                        .join(Ticket, Ticket.id == Message.ticket_id)
                        .where(Ticket.source == self.source, column.in_(chunk))
                    )
                )
        return tickets
