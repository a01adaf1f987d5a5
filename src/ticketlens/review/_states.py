"""The review core: anything interpretive is a draft until a person has reviewed it.

States and the moves between them::

    suggested --approve--> approved --edit--> edited
        |                     |                 |
        +--edit--> edited     +--reject-->  rejected <--reject--+
        +--reject--> rejected                   |
                                 rejected --reopen--> suggested

``edited`` means approved with the reviewer's changes to the payload. Every move
appends an audit event (who, when, before, after, why) in the same transaction.
A re-run of a suggester calls :func:`suggest`, which never resurrects a rejected
item nor overwrites an approved or edited one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketlens.errors import InvalidTransition, NotFound
from ticketlens.store import audit
from ticketlens.store.schema import REVIEW_STATES, ReviewItem

__all__ = ["REVIEW_STATES", "TRANSITIONS", "get", "items", "suggest", "transition"]

#: action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({"suggested"}), "approved"),
    "edit": (frozenset({"suggested", "approved", "edited"}), "edited"),
    "reject": (frozenset({"suggested", "approved", "edited"}), "rejected"),
    "reopen": (frozenset({"rejected"}), "suggested"),
}


def _snapshot(item: ReviewItem) -> dict[str, Any]:
    return {"state": item.state, "payload": item.payload, "score": item.score}


def suggest(
    session: Session,
    *,
    kind: str,
    subject: str,
    target: str = "",
    payload: dict[str, Any],
    evidence: Sequence[int],
    score: float | None = None,
    rationale: str | None = None,
    actor: str = "ticketlens",
) -> ReviewItem:
    """Create a suggestion, or refresh the evidence of one still awaiting review.

    A suggestion a person already decided on keeps its decision: rejected stays
    rejected, approved and edited keep their payload.
    """
    item = session.scalars(
        select(ReviewItem).where(
            ReviewItem.kind == kind, ReviewItem.subject == subject, ReviewItem.target == target
        )
    ).one_or_none()
    stamp = audit.now()
    if item is None:
        item = ReviewItem(
            kind=kind,
            subject=subject,
            target=target,
            state="suggested",
            payload=payload,
            score=score,
            rationale=rationale,
            evidence=list(evidence),
            created_at=stamp,
            created_by=actor,
            updated_at=stamp,
            updated_by=actor,
        )
        session.add(item)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="suggest",
            target_type="review_item",
            target_id=item.id,
            after=_snapshot(item),
        )
    elif item.state == "suggested":
        item.payload, item.score, item.rationale = payload, score, rationale
        item.evidence = list(evidence)
        item.updated_at, item.updated_by = stamp, actor
    return item


def get(session: Session, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"no review item {item_id}", hint="list them with 'ticketlens review list'")
    return item


def transition(
    session: Session,
    item_id: int,
    action: str,
    *,
    actor: str,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> ReviewItem:
    """Apply a review action (approve / edit / reject / reopen) and audit it.

    Raises:
        InvalidTransition: The action is unknown or not allowed from the current state.
        NotFound: No such item.
    """
    if action not in TRANSITIONS:
        raise InvalidTransition(f"unknown review action {action!r}", hint=", ".join(TRANSITIONS))
    sources, target_state = TRANSITIONS[action]
    item = get(session, item_id)
    if item.state not in sources:
        raise InvalidTransition(
            f"cannot {action} review item {item_id}: it is {item.state}",
            hint=f"{action} applies to items that are {' or '.join(sorted(sources))}",
        )
    if action == "edit" and payload is None:
        raise InvalidTransition("edit needs the new content", hint="pass the edited payload")
    if action == "edit" and payload == item.payload:
        # Recorded as "edited", it would claim a person's wording that is the draft's.
        raise InvalidTransition(
            f"the edit of review item {item_id} changes nothing",
            hint=f"approve it as it is: `ticketlens review approve {item_id}`",
        )
    if action != "edit" and payload is not None:
        raise InvalidTransition(
            f"{action} does not change the content", hint="use edit to change it"
        )
    before = _snapshot(item)
    item.state = target_state
    if payload is not None:
        item.payload = payload
    item.updated_at, item.updated_by = audit.now(), actor
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="review_item",
        target_id=item.id,
        before=before,
        after=_snapshot(item),
        reason=reason,
    )
    return item


def items(
    session: Session, *, kind: str | None = None, state: str | None = None
) -> Sequence[ReviewItem]:
    query = select(ReviewItem).order_by(ReviewItem.id)
    if kind is not None:
        query = query.where(ReviewItem.kind == kind)
    if state is not None:
        query = query.where(ReviewItem.state == state)
    return session.scalars(query).all()
