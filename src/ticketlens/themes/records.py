"""Reading and writing theme records: vectors as bytes, labels, assignments, audit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ticketlens import review
from ticketlens.embedding import Vectors
from ticketlens.store import audit
from ticketlens.store.schema import ReviewItem, Theme, ThemeAssignment, ThemeSpace
from ticketlens.themes.engine import Adapter, Prototypes

WRITE_BATCH = 10_000
#: who automatic changes are attributed to in the audit log
AUTOMATION = "ticketlens"


def to_bytes(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype="<f4").tobytes()


def from_bytes(data: bytes, width: int) -> Vectors:
    if not data:
        return np.zeros((0, width), dtype=np.float32)
    return np.frombuffer(data, dtype="<f4").reshape(-1, width).astype(np.float32)


def theme_prototypes(themes: Sequence[Theme], width: int) -> Prototypes:
    """The prototypes of ``themes``, owner ``i`` for ``themes[i]``."""
    blocks = [from_bytes(t.prototypes, width) for t in themes]
    if not blocks:
        return Prototypes(np.zeros((0, width), np.float32), np.zeros(0, np.int64))
    owners = [np.full(len(b), i, dtype=np.int64) for i, b in enumerate(blocks)]
    return Prototypes(np.vstack(blocks), np.concatenate(owners))


def latest_space(session: Session, language: str) -> tuple[ThemeSpace, Adapter] | None:
    space = session.scalars(
        select(ThemeSpace)
        .where(ThemeSpace.language == language)
        .order_by(ThemeSpace.id.desc())
        .limit(1)
    ).first()
    return (space, Adapter.from_bytes(space.adapter)) if space else None


#: review states in which a theme's label is a person's (never a draft's)
DECIDED_LABEL = ("approved", "edited")


def fixed_labels(session: Session, themes: Sequence[Theme]) -> dict[int, str]:
    """Theme id -> the label discovery must leave as it is: a person's, or a pinned theme's.

    A person's label is a theme-label review item they approved or edited; a pinned
    theme keeps whatever label it shows, a seeded one the team's name for it.
    """
    subjects = {review.theme_subject(t.id): t for t in themes}
    items = session.scalars(
        select(ReviewItem).where(
            ReviewItem.kind == review.THEME_LABEL, ReviewItem.subject.in_(list(subjects))
        )
    ).all()
    out: dict[int, str] = {}
    for item in items:
        theme = subjects[item.subject]
        if item.state in DECIDED_LABEL or theme.pinned:
            out[theme.id] = str(item.payload.get("label", theme.label))
    for theme in themes:
        if theme.pinned or theme.origin == "seed":
            out.setdefault(theme.id, theme.label)
    return out


def suggest_label(session: Session, theme: Theme, evidence: Sequence[int]) -> None:
    """A label is interpretive: it stays a draft until a person approves or edits it."""
    review.suggest(
        session,
        kind=review.THEME_LABEL,
        subject=review.theme_subject(theme.id),
        payload={"label": theme.label, "keywords": list(theme.keywords)},
        evidence=list(evidence),
        score=None,
        rationale="top phrase of the theme's class-based TF-IDF keywords",
    )


def record_theme_event(
    session: Session,
    theme_id: int,
    action: str,
    *,
    actor: str = AUTOMATION,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="theme",
        target_id=theme_id,
        before=before,
        after=after,
        reason=reason,
    )


def replace_assignments(
    session: Session,
    ticket_ids: Sequence[int],
    theme_ids: Sequence[int | None],
    scores: Sequence[float],
    manual: Sequence[bool],
    languages: Sequence[str | None],
    run_id: int | None,
    *,
    delete_first: bool = True,
) -> None:
    """Write the assignments of ``ticket_ids`` (replacing what they had)."""
    for start in range(0, len(ticket_ids), WRITE_BATCH):
        end = start + WRITE_BATCH
        batch = list(ticket_ids[start:end])
        if delete_first:
            session.execute(delete(ThemeAssignment).where(ThemeAssignment.ticket_id.in_(batch)))
        rows = [
            {
                "ticket_id": ticket_id,
                "run_id": run_id,
                "theme_id": theme_id,
                "score": round(float(score), 4),
                "how": "manual" if by_hand else "auto",
                "language": language,
            }
            for ticket_id, theme_id, score, by_hand, language in zip(
                batch,
                theme_ids[start:end],
                scores[start:end],
                manual[start:end],
                languages[start:end],
                strict=True,
            )
        ]
        if rows:
            session.execute(insert(ThemeAssignment), rows)
