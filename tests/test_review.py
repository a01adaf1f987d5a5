"""The review state machine on both engines: moves, their audit trail, and suggest()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ticketlens import review
from ticketlens.errors import InvalidTransition, NotFound
from ticketlens.store import Store
from ticketlens.store.schema import REVIEW_STATES, AuditEvent, ReviewItem

ORIGINAL = {"label": "Card payments fail"}
EDITED = {"label": "Card payments fail at checkout"}
#: How to bring a fresh suggestion into each state.
ROUTE: dict[str, list[tuple[str, dict[str, Any] | None]]] = {
    "suggested": [],
    "approved": [("approve", None)],
    "edited": [("approve", None), ("edit", {"label": "first edit"})],
    "rejected": [("reject", None)],
}
ALLOWED = [
    (action, state)
    for action, (sources, _) in review.TRANSITIONS.items()
    for state in sorted(sources)
]
DISALLOWED = [
    (action, state)
    for action, (sources, _) in review.TRANSITIONS.items()
    for state in REVIEW_STATES
    if state not in sources
]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.close()


def make_item(store: Store, state: str = "suggested", subject: str = "theme:1") -> int:
    with store.session() as s:
        item = review.suggest(
            s,
            kind="theme-label",
            subject=subject,
            payload=dict(ORIGINAL),
            evidence=[1, 2],
            score=0.5,
            rationale="seen often",
        )
        s.flush()
        for action, payload in ROUTE[state]:
            review.transition(s, item.id, action, actor="setup", payload=payload)
        assert item.state == state
        return item.id


def snapshot(store: Store, item_id: int) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    with store.session() as s:
        item = review.get(s, item_id)
        row = {
            "state": item.state,
            "payload": item.payload,
            "score": item.score,
            "evidence": item.evidence,
            "updated_at": item.updated_at,
            "updated_by": item.updated_by,
        }
        events = [
            (e.id, e.actor, e.action, e.before, e.after, e.reason) for e in audit_events(s, item_id)
        ]
    return row, events


def audit_events(session: Any, item_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "review_item", AuditEvent.target_id == str(item_id))
            .order_by(AuditEvent.id)
        )
    )


def test_the_table_covers_every_state() -> None:
    targets = {target for _, target in review.TRANSITIONS.values()}
    sources = set().union(*(sources for sources, _ in review.TRANSITIONS.values()))
    assert targets == sources == set(REVIEW_STATES)
    assert len(ALLOWED) + len(DISALLOWED) == len(review.TRANSITIONS) * len(REVIEW_STATES)


def test_a_new_suggestion_is_audited(store: Store) -> None:
    item_id = make_item(store)
    with store.session() as s:
        item = review.get(s, item_id)
        assert (item.state, item.payload, item.evidence, item.score) == (
            "suggested",
            ORIGINAL,
            [1, 2],
            0.5,
        )
        assert item.created_by == item.updated_by == "ticketlens"
        assert item.created_at.tzinfo is dt.UTC
        [event] = audit_events(s, item_id)
        assert (event.actor, event.action, event.before, event.reason) == (
            "ticketlens",
            "suggest",
            None,
            None,
        )
        assert event.after == {"state": "suggested", "payload": ORIGINAL, "score": 0.5}


@pytest.mark.parametrize(("action", "state"), ALLOWED)
def test_every_allowed_transition_works_and_is_audited_once(
    store: Store, action: str, state: str
) -> None:
    item_id = make_item(store, state)
    before_row, before_events = snapshot(store, item_id)
    payload = dict(EDITED) if action == "edit" else None
    started = dt.datetime.now(dt.UTC)

    with store.session() as s:
        item = review.transition(
            s, item_id, action, actor="alice", reason=f"{action} it", payload=payload
        )
        assert item.state == review.TRANSITIONS[action][1]

    after_row, after_events = snapshot(store, item_id)
    target = review.TRANSITIONS[action][1]
    assert after_row["state"] == target
    assert after_row["updated_by"] == "alice"
    assert after_row["updated_at"] >= started
    assert after_row["payload"] == (EDITED if action == "edit" else before_row["payload"])
    assert after_events[: len(before_events)] == before_events
    assert len(after_events) == len(before_events) + 1
    _, actor, logged_action, before, after, reason = after_events[-1]
    assert (actor, logged_action, reason) == ("alice", action, f"{action} it")
    assert before == {"state": state, "payload": before_row["payload"], "score": 0.5}
    assert after == {"state": target, "payload": after_row["payload"], "score": 0.5}


@pytest.mark.parametrize(("action", "state"), DISALLOWED)
def test_every_disallowed_transition_raises_and_changes_nothing(
    store: Store, action: str, state: str
) -> None:
    item_id = make_item(store, state)
    before = snapshot(store, item_id)
    payload = dict(EDITED) if action == "edit" else None

    with store.session() as s:  # the caller catches the error and commits anyway
        with pytest.raises(InvalidTransition, match=f"cannot {action}.*it is {state}"):
            review.transition(s, item_id, action, actor="alice", reason="no", payload=payload)
        assert review.get(s, item_id).state == state
        assert not [obj for obj in s.new if isinstance(obj, AuditEvent)]
        assert not s.dirty

    assert snapshot(store, item_id) == before


@pytest.mark.parametrize("action", ["delete", "APPROVE", ""])
def test_unknown_actions_are_invalid(store: Store, action: str) -> None:
    item_id = make_item(store)
    before = snapshot(store, item_id)
    with store.session() as s, pytest.raises(InvalidTransition, match="unknown review action"):
        review.transition(s, item_id, action, actor="alice")
    assert snapshot(store, item_id) == before


def test_transition_on_a_missing_item_is_not_found(store: Store) -> None:
    with store.session() as s, pytest.raises(NotFound, match="no review item 999"):
        review.transition(s, 999, "approve", actor="alice")


@pytest.mark.parametrize("state", ["suggested", "approved", "edited"])
def test_edit_requires_a_payload(store: Store, state: str) -> None:
    item_id = make_item(store, state)
    before = snapshot(store, item_id)
    with store.session() as s:
        with pytest.raises(InvalidTransition, match="edit needs the new content"):
            review.transition(s, item_id, "edit", actor="alice", reason="tidy")
        assert review.get(s, item_id).state == state
    assert snapshot(store, item_id) == before


def test_reopened_item_can_be_decided_again(store: Store) -> None:
    item_id = make_item(store, "rejected")
    with store.session() as s:
        review.transition(s, item_id, "reopen", actor="bob", reason="new evidence")
        review.transition(s, item_id, "approve", actor="bob")
    row, events = snapshot(store, item_id)
    assert row["state"] == "approved"
    assert [e[2] for e in events] == ["suggest", "reject", "reopen", "approve"]


# --- suggest() again ---------------------------------------------------------------------


def suggest_again(store: Store) -> int:
    with store.session() as s:
        item = review.suggest(
            s,
            kind="theme-label",
            subject="theme:1",
            payload={"label": "Something else"},
            evidence=[3, 4, 5],
            score=0.9,
            rationale="seen more",
            actor="suggester-v2",
        )
        return item.id


def test_suggest_again_keeps_a_rejected_item_rejected(store: Store) -> None:
    item_id = make_item(store, "rejected")
    before = snapshot(store, item_id)
    assert suggest_again(store) == item_id
    assert snapshot(store, item_id) == before
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewItem)) == 1


@pytest.mark.parametrize("state", ["approved", "edited"])
def test_suggest_again_keeps_the_persons_decision_and_payload(store: Store, state: str) -> None:
    item_id = make_item(store, state)
    before = snapshot(store, item_id)
    assert suggest_again(store) == item_id
    after = snapshot(store, item_id)
    assert after == before
    assert after[0]["state"] == state
    assert after[0]["payload"] == ({"label": "first edit"} if state == "edited" else ORIGINAL)


def test_suggest_again_refreshes_an_item_still_awaiting_review(store: Store) -> None:
    item_id = make_item(store)
    (before_row, before_events) = snapshot(store, item_id)
    assert suggest_again(store) == item_id
    after_row, after_events = snapshot(store, item_id)
    assert after_row["state"] == "suggested"
    assert after_row["evidence"] == [3, 4, 5]
    assert after_row["score"] == 0.9
    assert after_row["payload"] == {"label": "Something else"}
    assert after_row["updated_by"] == "suggester-v2"
    assert after_row["updated_at"] >= before_row["updated_at"]
    assert after_events == before_events
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewItem)) == 1
        assert review.get(s, item_id).rationale == "seen more"


def test_suggest_for_another_target_is_a_separate_item(store: Store) -> None:
    first = make_item(store, subject="theme:1")
    second = make_item(store, subject="theme:2")
    assert first != second
    with store.session() as s:
        assert [i.id for i in review.items(s, state="suggested")] == [first, second]
        review.transition(s, first, "approve", actor="alice")
    with store.session() as s:
        assert [i.id for i in review.items(s, state="approved")] == [first]
        assert [i.id for i in review.items(s, kind="theme-label")] == [first, second]
        assert review.items(s, kind="other") == []


# --- the database's own guard ------------------------------------------------------------


def test_check_constraint_rejects_an_unknown_state_written_directly(store: Store) -> None:
    item_id = make_item(store)
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(
            text("UPDATE review_items SET state = 'archived' WHERE id = :id"), {"id": item_id}
        )
    with Session(store.engine) as s:
        review.get(s, item_id).state = "bogus"
        with pytest.raises(IntegrityError):
            s.commit()
    assert snapshot(store, item_id)[0]["state"] == "suggested"


def test_check_constraint_rejects_an_unknown_state_on_insert(store: Store) -> None:
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(
            ReviewItem(
                kind="k",
                subject="s",
                target="",
                state="maybe",
                payload={},
                evidence=[],
                created_at=now,
                created_by="x",
                updated_at=now,
                updated_by="x",
            )
        )
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewItem)) == 0
