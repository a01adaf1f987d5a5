"""The text of each ticket that discovery reads: subject and opening message."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from ticketlens.store.schema import Ticket

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

# The opening of a ticket says what is wrong; long threads add noise and time.
MAX_CHARS = 2000


@dataclass(frozen=True)
class Corpus:
    ticket_ids: list[int]
    texts: list[str]


def ticket_text(subject: str | None, body: str) -> str:
    text = f"{subject}. {body}" if subject and subject not in body else body
    return " ".join(text[:MAX_CHARS].split())


def load_corpus(workspace: Workspace) -> Corpus:
    """Every ticket's id and text, in id order."""
    ids: list[int] = []
    texts: list[str] = []
    for ticket_id, subject, body in _rows(workspace):
        ids.append(ticket_id)
        texts.append(ticket_text(subject, body))
    return Corpus(ids, texts)


def _rows(workspace: Workspace) -> Iterator[tuple[int, str | None, str]]:
    query = select(Ticket.id, Ticket.subject, Ticket.body).order_by(Ticket.id)
    with workspace.store.session() as session:
        for row in session.execute(query.execution_options(yield_per=10_000)):
            yield row.id, row.subject, row.body
