"""The text of each ticket that discovery reads, with the theme it has now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select

from ticketlens.store.schema import ThemeAssignment, Ticket
from ticketlens.themes.engine import clean_text

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

# The opening of a ticket says what is wrong; long threads add noise and time.
MAX_CHARS = 2000
NO_THEME = -1


@dataclass(frozen=True)
class Corpus:
    """Tickets in id order: text, language (the one resolved before, else the source's),
    current theme (-1: none, unclear or not placed yet) and whether a person placed it."""

    ticket_ids: list[int]
    texts: list[str]
    languages: list[str | None]
    themes: np.ndarray
    manual: np.ndarray
    placed: np.ndarray  # has an assignment row (placed, even if unclear)
    #: the language is the source's tag, not yet checked against the text (a help desk's
    #: field is often the customer's locale: a quarter of one set's "de" tickets are English)
    tagged: np.ndarray

    def subset(self, rows: np.ndarray) -> Corpus:
        picked = rows.tolist()
        return Corpus(
            [self.ticket_ids[i] for i in picked],
            [self.texts[i] for i in picked],
            [self.languages[i] for i in picked],
            self.themes[rows],
            self.manual[rows],
            self.placed[rows],
            self.tagged[rows],
        )


def ticket_text(subject: str | None, body: str) -> str:
    """What discovery reads of a ticket: subject and body, cleaned (links, handles,
    quoted replies, signatures... removed, :func:`clean_text`), then its opening.

    Line breaks stay (spaces within a line are collapsed): a template's lines are
    sentences even without a full stop ("Do you want to request a *feature*...?"
    under an issue's title), and a corpus's shared sentences are found by them.
    """
    text = f"{subject}. {body}" if subject and subject not in body else body
    lines = (" ".join(line.split()) for line in clean_text(text)[:MAX_CHARS].splitlines())
    return "\n".join(line for line in lines if line)


def load_corpus(workspace: Workspace, *, unplaced_only: bool = False) -> Corpus:
    """Every ticket (or only those never placed in a theme) with its current theme."""
    from ticketlens.language import normalise_language

    query = (
        select(
            Ticket.id,
            Ticket.subject,
            Ticket.body,
            Ticket.language,
            ThemeAssignment.theme_id,
            ThemeAssignment.how,
            ThemeAssignment.language,
        )
        .outerjoin(ThemeAssignment, ThemeAssignment.ticket_id == Ticket.id)
        .order_by(Ticket.id)
    )
    if unplaced_only:
        query = query.where(ThemeAssignment.ticket_id.is_(None))
    ids: list[int] = []
    texts: list[str] = []
    languages: list[str | None] = []
    themes: list[int] = []
    manual: list[bool] = []
    placed: list[bool] = []
    tagged: list[bool] = []
    # Templated tickets repeat: clean each distinct (subject, body) once.
    text_of: dict[tuple[str | None, str], str] = {}
    with workspace.store.session() as session:
        rows = session.execute(query.execution_options(yield_per=10_000))
        for ticket_id, subject, body, source_language, theme_id, how, seen_language in rows:
            ids.append(ticket_id)
            key = (subject, body)
            text = text_of.get(key)
            if text is None:
                text = text_of[key] = ticket_text(subject, body)
            texts.append(text)
            tag = normalise_language(source_language)
            languages.append(seen_language or tag)
            tagged.append(seen_language is None and tag is not None)
            themes.append(theme_id if theme_id is not None else NO_THEME)
            manual.append(how == "manual")
            placed.append(how is not None)
    return Corpus(
        ids,
        texts,
        languages,
        np.array(themes, dtype=np.int64),
        np.array(manual, dtype=bool),
        np.array(placed, dtype=bool),
        np.array(tagged, dtype=bool),
    )
