"""Annotations on a theme: mission risk, desired user outcome, playbook guardrail, notes.

An annotation is interpretive, so it is a review item (kind ``theme-annotation``) like a
suggested link: written as a draft (by a person, or later drafted by ticketlens) and
approved, edited or rejected in the review queue, with who and why in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ticketlens import review
from ticketlens.errors import InvalidTransition, NotFound
from ticketlens.store.schema import ReviewItem, Theme, Ticket

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

KIND = review.THEME_ANNOTATION
#: what an annotation says, with the question it answers
TYPES = {
    "risk": "the mission risk: what it costs users and the mission if it goes on",
    "desired-outcome": "the user outcome the team wants instead",
    "guardrail": "a rule for the support playbook, learnt from a past high-severity issue",
    "note": "anything else worth knowing",
}


def annotate(
    workspace: Workspace,
    theme_id: int,
    kind: str,
    text: str,
    *,
    evidence: Sequence[int] = (),
    reason: str | None = None,
) -> dict[str, Any]:
    """Add a draft annotation to a theme; it waits for review like any suggestion."""
    if kind not in TYPES:
        raise InvalidTransition(f"unknown annotation type {kind!r}", hint=", ".join(TYPES))
    text = " ".join(text.split())
    if not text:
        raise InvalidTransition("an annotation needs text", hint="--text '...'")
    with workspace.store.session() as session:
        theme = session.get(Theme, theme_id)
        if theme is None:
            raise NotFound(f"no theme {theme_id}", hint="see `ticketlens themes list`")
        found = set(session.scalars(select(Ticket.id).where(Ticket.id.in_(list(evidence)))))
        missing = [t for t in evidence if t not in found]
        if missing:
            raise NotFound(f"no ticket {missing[0]}", hint="evidence is ticket ids")
        subject = review.theme_subject(theme_id)
        count = session.scalar(
            select(func.count()).where(ReviewItem.kind == KIND, ReviewItem.subject == subject)
        )
        item = review.suggest(
            session,
            kind=KIND,
            subject=subject,
            target=f"{kind}:{(count or 0) + 1}",
            payload={"type": kind, "text": text},
            evidence=list(evidence) or list(theme.representatives),
            rationale=reason,
            actor=workspace.actor,
        )
        return review.item_summary(item)


def theme_annotations(workspace: Workspace, theme_id: int) -> list[dict[str, Any]]:
    """A theme's annotations, oldest first, whatever their review state."""
    with workspace.store.session() as session:
        items = session.scalars(
            select(ReviewItem)
            .where(ReviewItem.kind == KIND, ReviewItem.subject == review.theme_subject(theme_id))
            .order_by(ReviewItem.id)
        )
        return [review.item_summary(i) for i in items]
