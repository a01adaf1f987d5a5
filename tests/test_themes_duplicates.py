"""Issue 14, point 2: two themes that are one issue are merged, or the merge proposed."""

from __future__ import annotations

import numpy as np
import pytest

from ticketlens import pipeline, review
from ticketlens.embedding import normalise
from ticketlens.errors import InvalidTransition
from ticketlens.store.schema import Theme
from ticketlens.themes.catalog import list_themes
from ticketlens.themes.engine import Known
from ticketlens.themes.engine.reconcile import reconcile
from ticketlens.workspace import Workspace

PER_BLOB = 40


def _blobs(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = np.repeat(rng.normal(size=(count, 32)), PER_BLOB, axis=0)
    return normalise((centres + 0.5 * rng.normal(size=centres.shape)).astype(np.float32))


def _twins(first: Known, second: Known, other: Known):  # type: ignore[no-untyped-def]
    """Blob 0 was split between ``first`` (25) and ``second`` (15); blob 1 is ``other``.

    This run finds blob 0 whole (one group) and blob 1 as its own group.
    """
    vectors = _blobs(2)
    rows = np.arange(len(vectors))
    old = np.where(rows < 25, first.id, np.where(rows < PER_BLOB, second.id, other.id))
    groups = (rows >= PER_BLOB).astype(np.int64)
    return reconcile(
        vectors,
        rows,
        groups,
        [first, second, other],
        old.astype(np.int64),
        np.zeros(len(rows), dtype=bool),
        min_theme_size=5,
        unclear_below=0.1,
        stickiness=0.5,  # tickets hold on to their theme: the twins both survive the run
    )


def test_point_2_automatic_twins_are_merged_with_lineage() -> None:
    result = _twins(Known(1, "active"), Known(2, "active"), Known(3, "active"))
    slots = result.slots
    assert slots[1].state == "merged"
    assert slots[1].merged_into == 0
    assert slots[1].why
    assert "one issue" in slots[1].why
    assert slots[0].state == "active"
    assert slots[2].state == "active"
    assert (result.ticket_slot[:PER_BLOB] == 0).all()
    assert (result.ticket_slot[PER_BLOB:] == 2).all()
    assert result.proposed_merges == ()


def test_point_2_a_theme_a_person_shaped_gets_a_proposal_not_a_merge() -> None:
    for shaped in (Known(2, "curated"), Known(2, "active", pinned=True)):
        result = _twins(Known(1, "active"), shaped, Known(3, "active"))
        assert [s.state for s in result.slots] == ["active", shaped.state, "active"]
        held = result.ticket_slot[:PER_BLOB]
        assert (held == 0).sum() == 25
        assert (held == 1).sum() == 15
        # The automatic theme is the one proposed to go, into the one a person shaped.
        assert result.proposed_merges == ((0, 1),)


def test_point_2_distinct_themes_stay_apart() -> None:
    vectors = _blobs(3, seed=1)
    rows = np.arange(len(vectors))
    groups = rows // PER_BLOB
    result = reconcile(
        vectors,
        rows,
        groups.astype(np.int64),
        [],
        np.full(len(rows), -1, dtype=np.int64),
        np.zeros(len(rows), dtype=bool),
        min_theme_size=5,
        unclear_below=0.1,
        stickiness=0.05,
        first_run=True,
    )
    assert [s.state for s in result.slots] == ["active"] * 3
    assert result.proposed_merges == ()


def test_point_2_approving_a_proposed_merge_merges(discovered: Workspace) -> None:
    ws = discovered
    ws.actor = "dana"
    source, into = (t["id"] for t in list_themes(ws)["items"][:2])
    with ws.store.session() as session:
        item = review.suggest(
            session,
            kind=review.THEME_MERGE,
            subject=review.theme_subject(source),
            target=review.theme_subject(into),
            payload={"merge": source, "into": into, "labels": ["a", "b"]},
            evidence=[],
            rationale="look like one issue",
        )
        item_id = item.id
    decided = pipeline.decide(ws, item_id, "approve", reason="same root cause")
    assert decided["state"] == "approved"
    with ws.store.session() as session:
        merged = session.get(Theme, source)
        assert merged is not None
        assert (merged.state, merged.merged_into_id) == ("merged", into)
    assert review.get_item(ws, item_id)["updated_by"] == "dana"
    with pytest.raises(InvalidTransition):  # decided once: approving again merges nothing
        pipeline.decide(ws, item_id, "approve")
