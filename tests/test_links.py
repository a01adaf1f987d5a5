"""Link suggestions: evidence that exists, rejected stays rejected, decided stays decided."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import FIXTURES
from ticketlens import pipeline, review
from ticketlens.errors import InvalidTransition, MissionError, NotFound
from ticketlens.insight.rollup import outcome_rollup
from ticketlens.mission import annotate, suggest_links, theme_annotations
from ticketlens.review import LINK_KINDS, decide, list_items
from ticketlens.store.schema import AuditEvent, ThemeAssignment
from ticketlens.themes import curation
from ticketlens.themes.catalog import get_theme
from ticketlens.themes.runs import run_discovery
from ticketlens.workspace import Workspace

# Word similarity to the mission's outcomes is the shipped transformer's: the point here.
pytestmark = pytest.mark.real_models

MISSION = """name: Shop
mission: Buying with us just works.
outcomes:
  - {id: sign-in, name: Get into my account, description: Log in and reset a forgotten password.}
  - {id: get-order, name: Get what I ordered, description: Parcels arrive on time at the address.}
  - {id: fair-money, name: Pay the right amount, description: Refunds and charges are right.}
  - {id: app-works, name: The app just works, description: The app opens and does not crash.}
systems:
  - {id: identity, name: Login service, owner: Ana, description: Passwords and sign-in.}
  - {id: logistics, name: Delivery partner, owner: Bo, description: Shipping and couriers.}
  - {id: payments, name: Payments, owner: Cy, description: Charges, refunds and cards.}
  - {id: mobile, name: Mobile app, owner: Di, description: The phone app and its releases.}
journey:
  - {id: sign-in, name: Sign in}
  - {id: buy, name: Buy and pay}
  - {id: receive, name: Receive the parcel}
"""


@pytest.fixture
def suggested(workspace: Workspace) -> Workspace:
    pipeline.ingest(workspace, [FIXTURES / "themes_tiny.csv"], source="tiny")
    run_discovery(workspace)
    (workspace.root / "mission.yaml").write_text(MISSION, encoding="utf-8")
    suggest_links(workspace)
    return workspace


def links(ws: Workspace, kind: str = "theme-outcome") -> list[dict]:  # type: ignore[type-arg]
    return list_items(ws, kind=kind)


def test_each_theme_gets_one_link_of_each_kind_with_evidence(suggested: Workspace) -> None:
    ws = suggested
    with ws.store.session() as s:
        rows = s.execute(select(ThemeAssignment.ticket_id, ThemeAssignment.theme_id))
        theme_of: dict[int, int | None] = {}
        for ticket, theme in rows:
            theme_of[ticket] = theme
    themes = {t for t in theme_of.values() if t is not None}
    for kind in LINK_KINDS.values():
        items = links(ws, kind)
        assert {int(i["subject"].split(":")[1]) for i in items} == themes
        for item in items:
            assert item["state"] == "suggested"
            assert item["score"] is not None
            assert item["rationale"]
            theme = int(item["subject"].split(":")[1])
            assert item["evidence"]
            # evidence ids are real tickets of that theme
            assert all(theme_of.get(t) == theme for t in item["evidence"])
    # words alone place the obvious ones: the password theme blocks signing in
    by_target = {i["target"]: i for i in links(ws)}
    assert "outcome:sign-in" in by_target
    assert "outcome:get-order" in by_target


def test_rejected_stays_rejected_and_the_next_best_is_offered(suggested: Workspace) -> None:
    ws = suggested
    ws.actor = "dana"
    first = links(ws)[0]
    decide(ws, first["id"], "reject", reason="not this outcome")
    suggest_links(ws)  # a re-run
    mine = [i for i in links(ws) if i["subject"] == first["subject"]]
    states = {i["target"]: i["state"] for i in mine}
    assert states[first["target"]] == "rejected"
    assert sorted(states.values()) == ["rejected", "suggested"]  # the next best, once


def test_a_decided_link_is_never_changed_by_a_rerun(suggested: Workspace) -> None:
    ws = suggested
    item = links(ws, "theme-system")[0]
    decide(ws, item["id"], "approve", reason="yes")
    suggest_links(ws)
    again = [i for i in links(ws, "theme-system") if i["subject"] == item["subject"]]
    assert [(i["id"], i["state"]) for i in again] == [(item["id"], "approved")]
    with pytest.raises(InvalidTransition):
        decide(ws, item["id"], "approve")
    with ws.store.session() as s:
        actions = [
            e.action
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.target_type == "review_item", AuditEvent.target_id == str(item["id"])
                )
            )
        ]
    assert actions == ["suggest", "approve"]


def test_tags_from_the_mission_file_count(workspace: Workspace, tmp_path: Path) -> None:
    """Delivery tickets tagged 'parcel'; the mission lists that tag under an unrelated outcome."""
    with (FIXTURES / "themes_tiny.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    data = tmp_path / "tagged.jsonl"
    data.write_text(
        "".join(
            json.dumps({"id": r["id"], "text": r["text"], "tags": [f"area-{r['topic']}"]}) + "\n"
            for r in rows
        ),
        encoding="utf-8",
    )
    pipeline.ingest(workspace, [data], source="t")
    run_discovery(workspace)
    mission = MISSION.replace(
        "description: The app opens and does not crash.}",
        "description: The app opens and does not crash., tags: [area-delivery]}",
    )
    (workspace.root / "mission.yaml").write_text(mission, encoding="utf-8")
    suggest_links(workspace)
    outcomes = links(workspace)
    pulled = [i for i in outcomes if "tagged 'area-delivery'" in i["rationale"]]
    assert pulled  # the delivery theme, pulled by its tag to the outcome listing it
    assert {i["target"] for i in pulled} == {"outcome:app-works"}
    assert "outcome:get-order" not in {i["target"] for i in outcomes}


def test_no_mission_file_is_a_clear_error(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [FIXTURES / "themes_tiny.csv"], source="tiny")
    run_discovery(workspace)
    with pytest.raises(MissionError, match="no mission file"):
        suggest_links(workspace)


def test_the_rollup_counts_approved_links_only_and_each_ticket_once(
    suggested: Workspace,
) -> None:
    ws = suggested
    assert all(r["tickets"] == 0 for r in outcome_rollup(ws)["outcomes"])  # suggestions: no
    first, second = links(ws)[:2]
    decide(ws, first["id"], "approve", reason="yes")
    decide(
        ws,
        second["id"],
        "edit",
        reason="other outcome",
        payload=second["payload"] | {"outcome": "fair-money"},
    )
    theme = int(first["subject"].split(":")[1])
    with ws.store.session() as s:  # a second approved link for the first theme
        extra = review.suggest(
            s,
            kind="theme-outcome",
            subject=first["subject"],
            target="outcome:app-works",
            payload={"theme": theme, "outcome": "app-works", "name": "x"},
            evidence=[],
        )
        s.flush()
        review.transition(s, extra.id, "approve", actor="dana")
    rollup = outcome_rollup(ws)
    rows = {r["outcome"]: r for r in rollup["outcomes"]}
    size = len(get_theme(ws, theme)["ticket_ids"])
    assert rows["app-works"]["tickets"] == size
    assert rows[first["target"].split(":")[1]]["tickets"] >= size
    assert rows["fair-money"]["tickets"] == len(
        get_theme(ws, int(second["subject"].split(":")[1]))["ticket_ids"]
    )
    assert rollup["shared"] == size  # the first theme's tickets sit under two outcomes
    assert rollup["tickets_total"] == sum(r["tickets"] for r in rows.values()) - size


def test_annotations_are_drafts_reviewed_like_links(suggested: Workspace) -> None:
    ws = suggested
    ws.actor = "dana"
    theme = int(links(ws)[0]["subject"].split(":")[1])
    evidence = get_theme(ws, theme)["ticket_ids"][:2]
    note = annotate(ws, theme, "risk", "Customers give up  on us", evidence=evidence, reason="x")
    assert note["state"] == "suggested"
    assert note["evidence"] == evidence
    assert note["payload"] == {"type": "risk", "text": "Customers give up on us"}
    guard = annotate(ws, theme, "guardrail", "Escalate after two failed resets")
    decide(ws, guard["id"], "approve", reason="agreed")
    shown = get_theme(ws, theme)["annotations"]
    assert [(a["type"], a["state"]) for a in shown] == [
        ("risk", "suggested"),
        ("guardrail", "approved"),
    ]
    assert [a["id"] for a in theme_annotations(ws, theme)] == [note["id"], guard["id"]]
    with pytest.raises(InvalidTransition, match="unknown annotation type"):
        annotate(ws, theme, "mood", "sad")
    with pytest.raises(NotFound):
        annotate(ws, theme, "note", "see ticket", evidence=[999_999])


def test_approved_links_follow_merges_and_splits(suggested: Workspace) -> None:
    ws = suggested
    items = links(ws)
    merged, kept, split = (int(i["subject"].split(":")[1]) for i in items[:3])
    for item in (items[0], items[2]):
        decide(ws, item["id"], "approve", reason="yes")
    merged_outcome = items[0]["target"].split(":")[1]
    split_outcome = items[2]["target"].split(":")[1]
    curation.merge(ws, [merged], kept, reason="same issue")
    parts = curation.split(ws, split, count=2, reason="two issues")
    rows = {r["outcome"]: r for r in outcome_rollup(ws)["outcomes"]}
    assert kept in {t["id"] for t in rows[merged_outcome]["themes"]}  # passed on by the merge
    assert set(parts) <= {t["id"] for t in rows[split_outcome]["themes"]}  # inherited
    run_discovery(ws)  # and a re-discovery keeps them
    rows = {r["outcome"]: r for r in outcome_rollup(ws)["outcomes"]}
    assert kept in {t["id"] for t in rows[merged_outcome]["themes"]}
