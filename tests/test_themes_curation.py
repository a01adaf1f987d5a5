"""People's theme decisions: each is audited and survives later discovery runs and increments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.conftest import BASE, MORE, fee_split, sample_lines, write
from tests.test_themes_lifecycle import assignments
from ticketlens import pipeline
from ticketlens.cli import cli
from ticketlens.errors import InvalidTransition
from ticketlens.store.schema import AuditEvent, Theme, ThemeAssignment
from ticketlens.themes import curation
from ticketlens.themes.catalog import get_theme, list_themes
from ticketlens.themes.runs import run_discovery
from ticketlens.themes.seeds import TaxonomyError, read_taxonomy, seed_themes
from ticketlens.workspace import Workspace


def members(ws: Workspace, theme_id: int) -> set[int]:
    return {t for t, theme in assignments(ws).items() if theme == theme_id}


def theme(ws: Workspace, theme_id: int) -> Theme:
    with ws.store.session() as s:
        row = s.get(Theme, theme_id)
        assert row is not None
        s.expunge(row)
        return row


def audit_actions(ws: Workspace) -> list[tuple[str, str, str, str | None]]:
    with ws.store.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.target_type == "theme"))
        return [(e.action, e.target_id, e.actor, e.reason) for e in events]


def test_every_curation_survives_a_rerun_and_an_increment(
    discovered: Workspace, tmp_path: Path
) -> None:
    ws = discovered
    ws.actor = "dana"
    ids = [i["id"] for i in list_themes(ws)["items"]]  # largest first
    renamed, target, merged, split_me, pinned, retired, moved_to = ids[:7]
    mover = min(members(ws, ids[7]))

    curation.rename(ws, renamed, "Card never arrived", reason="our macro's name")
    merged_tickets = members(ws, merged)
    curation.merge(ws, [merged], target, reason="same root cause")
    parts = curation.split(ws, split_me, count=2, reason="two different fixes")
    pinned_tickets = members(ws, pinned)
    curation.pin(ws, pinned, reason="exec dashboard tracks it")
    retired_tickets = members(ws, retired)
    curation.retire(ws, retired, reason="fixed in 4.2")
    curation.move(ws, [mover], moved_to, reason="misfiled")
    part_sizes = {p: len(members(ws, p)) for p in parts}

    # A week of new tickets (an increment), then discovery over everything.
    pipeline.ingest(ws, [write(tmp_path / "week.jsonl", sample_lines()[BASE : BASE + MORE])])
    run_discovery(ws)

    listing = {i["id"]: i for i in list_themes(ws, include_all=True)["items"]}
    assert listing[renamed]["label"] == "Card never arrived"
    assert listing[renamed]["label_state"] == "edited"
    assert listing[merged]["state"] == "merged"
    assert theme(ws, merged).merged_into_id == target
    assert not members(ws, merged)
    assert len(merged_tickets & members(ws, target)) >= 0.9 * len(merged_tickets)
    assert listing[split_me]["state"] == "retired"
    for part in parts:
        assert theme(ws, part).split_from_id == split_me
        assert listing[part]["state"] == "curated"
        assert listing[part]["size"] >= 0.8 * part_sizes[part]
    assert listing[pinned]["pinned"]
    assert pinned_tickets <= members(ws, pinned)  # kept; new tickets may join
    assert listing[retired]["state"] == "retired"
    assert members(ws, retired) == retired_tickets  # history kept, nothing added
    assert assignments(ws)[mover] == moved_to
    with ws.store.session() as s:
        row = s.get(ThemeAssignment, mover)
        assert row is not None
        assert row.how == "manual"

    # The audit log holds each action with who and why.
    actions = audit_actions(ws)
    for action, target_id, reason in [
        ("themes.rename", renamed, "our macro's name"),
        ("themes.merge", merged, "same root cause"),
        ("themes.absorb", target, "same root cause"),
        ("themes.split", split_me, "two different fixes"),
        ("themes.pin", pinned, "exec dashboard tracks it"),
        ("themes.retire", retired, "fixed in 4.2"),
        ("themes.move_in", moved_to, "misfiled"),
    ]:
        assert (action, str(target_id), "dana", reason) in actions, action


def test_accept_and_dismiss_proposals(discovered_without_fees: Workspace, tmp_path: Path) -> None:
    workspace = discovered_without_fees
    fees, _others = fee_split()
    pipeline.ingest(workspace, [write(tmp_path / "fees.jsonl", fees[:150])])
    proposed = [i["id"] for i in list_themes(workspace)["items"] if i["state"] == "proposed"]
    assert len(proposed) >= 2
    accepted, dismissed = proposed[0], proposed[1]
    accepted_tickets = members(workspace, accepted)
    dismissed_tickets = members(workspace, dismissed)
    curation.accept(workspace, accepted, label="Unexpected fees", reason="real issue")
    curation.dismiss(workspace, dismissed, reason="noise")
    with pytest.raises(InvalidTransition, match="dismissed"):
        curation.accept(workspace, dismissed)

    # More of the same tickets, then discovery again: the decisions hold.
    pipeline.ingest(workspace, [write(tmp_path / "fees2.jsonl", fees[150:])])
    run_discovery(workspace)
    listing = {i["id"]: i for i in list_themes(workspace, include_all=True)["items"]}
    assert listing[accepted]["state"] == "curated"
    assert listing[accepted]["label"] == "Unexpected fees"
    assert len(accepted_tickets & members(workspace, accepted)) >= 0.8 * len(accepted_tickets)
    assert listing[dismissed]["state"] == "dismissed"
    # The dismissed pattern is not proposed again: no new proposal holds its tickets.
    new_proposals = {
        i["id"] for i in listing.values() if i["state"] == "proposed" and i["id"] not in proposed
    }
    now = assignments(workspace)
    assert not any(now[t] in new_proposals for t in dismissed_tickets)
    actions = {(a, t) for a, t, _, _ in audit_actions(workspace)}
    assert ("themes.accept", str(accepted)) in actions
    assert ("themes.dismiss", str(dismissed)) in actions


def test_split_by_examples_keeps_the_examples_by_hand(discovered: Workspace) -> None:
    ws = discovered
    big = list_themes(ws)["items"][0]["id"]
    tickets = sorted(members(ws, big))
    first, second = tickets[:2], tickets[-2:]
    parts = curation.split(
        ws, big, examples=[first, second], labels=["Part A", "Part B"], reason="by hand"
    )
    now = assignments(ws)
    assert all(now[t] == parts[0] for t in first)
    assert all(now[t] == parts[1] for t in second)
    assert {get_theme(ws, p)["label"] for p in parts} == {"Part A", "Part B"}
    assert {get_theme(ws, p)["label_state"] for p in parts} == {"edited"}
    with pytest.raises(InvalidTransition):
        curation.split(ws, parts[0], count=2, examples=[[1], [2]])


def test_history_tells_a_themes_story(discovered: Workspace) -> None:
    ws = discovered
    ws.actor = "dana"
    a, b = [i["id"] for i in list_themes(ws)["items"][:2]]
    curation.rename(ws, b, "Old name", reason="first try")
    curation.rename(ws, b, "Better name", reason="clearer")
    curation.merge(ws, [b], a, reason="duplicates")
    history = curation.theme_history(ws, b)
    assert history["merged_into"] == a
    actions = [e["action"] for e in history["events"]]
    assert actions[0] == "themes.create"
    assert actions.count("themes.rename") == 2
    assert actions[-1] == "themes.merge"
    assert curation.theme_history(ws, a)["merged_from"] == [b]


@pytest.mark.real_models  # seeds match groups by meaning, not by shared words
def test_seeded_categories_are_kept_and_filled(workspace: Workspace, tmp_path: Path) -> None:
    pipeline.ingest(workspace, [write(tmp_path / "base.jsonl", sample_lines()[:BASE])])
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(
        """categories:
  - name: Exchange rate complaints
    description: The customer was charged a worse exchange rate than expected
    examples:
      - the exchange rate you charged me is wrong
      - why was the currency conversion rate so bad
      - I got a bad rate when paying abroad in euros
  - name: Card delivery
    description: A new card has not arrived
    examples: ["my new card hasn't arrived yet", "when will my card be delivered"]
""",
        encoding="utf-8",
    )
    seeded = seed_themes(workspace, taxonomy, reason="our taxonomy")
    assert {(a, t, r) for a, t, _, r in audit_actions(workspace)} >= {
        ("themes.seed", str(seeded[0]), "our taxonomy"),
        ("themes.seed", str(seeded[1]), "our taxonomy"),
    }
    run_discovery(workspace)
    listing = {i["id"]: i for i in list_themes(workspace)["items"]}
    for theme_id, name in zip(seeded, ["Exchange rate complaints", "Card delivery"], strict=True):
        item = listing[theme_id]
        assert item["label"] == name
        assert item["label_state"] == "approved"
        assert item["origin"] == "seed"
        assert item["size"] >= 20
    fx = get_theme(workspace, seeded[0])
    text = " ".join(r["text"].lower() for r in fx["representatives"])
    assert "rate" in text or "exchange" in text
    cards = get_theme(workspace, seeded[1])
    typical = [r["text"].lower() for r in cards["representatives"]]
    assert sum("card" in t for t in typical) > len(typical) / 2, typical
    # Discovery added themes only around the categories: no other theme is about the rate.
    others = [i for i in listing.values() if i["id"] not in seeded]
    assert others
    run_discovery(workspace)  # and a re-run keeps them
    again = {i["id"]: i for i in list_themes(workspace)["items"]}
    assert again[seeded[0]]["label"] == "Exchange rate complaints"


def test_taxonomy_errors_name_the_file_row_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.csv"
    bad.write_text("name,description,examples\nOk,fine,a|b\n,no name,c\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"taxonomy.csv: row 3: field 'name'"):
        read_taxonomy(bad)
    good = tmp_path / "ok.csv"
    good.write_text("name,description,examples\nLogin,can't log in,reset link|2fa code\n")
    assert read_taxonomy(good)[0].examples == ("reset link", "2fa code")


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_curation_commands(discovered: Workspace, tmp_path: Path) -> None:
    url = discovered.store.engine.url.render_as_string(hide_password=False)
    base = ["-w", str(tmp_path / "ws"), "--db", url]
    ids = [i["id"] for i in list_themes(discovered)["items"]]
    done = run(*base, "themes", "rename", str(ids[0]), "Login trouble", "--as", "sam", "--why", "x")
    assert done.exit_code == 0, done.output
    assert "by sam" in done.output
    for args in (
        ["pin", str(ids[0])],
        ["unpin", str(ids[0])],
        ["merge", str(ids[2]), "--into", str(ids[1])],
        ["split", str(ids[3]), "--count", "2"],
        ["move", str(min(members(discovered, ids[4]))), "--to", str(ids[5])],
        ["retire", str(ids[6])],
    ):
        result = run(*base, "themes", *args, "--as", "sam", "--why", "testing")
        assert result.exit_code == 0, (args, result.output)
    noted = run(
        *base,
        "themes",
        "annotate",
        str(ids[0]),
        "--type",
        "risk",
        "--text",
        "Locked out",
        "--as",
        "sam",
    )
    assert noted.exit_code == 0, noted.output
    assert "risk (suggested): Locked out" in run(*base, "themes", "show", str(ids[0])).output
    history = run(*base, "themes", "history", str(ids[0]))
    assert history.exit_code == 0, history.output
    for word in ("themes.rename", "themes.pin", "themes.unpin", "sam"):
        assert word in history.output
    as_json = json.loads(run(*base, "themes", "history", str(ids[2]), "--json").stdout)
    assert as_json["merged_into"] == ids[1]
    wrong = CliRunner().invoke(cli, [*base, "themes", "accept", str(ids[1])])
    assert wrong.exit_code != 0
    assert "proposed" in wrong.output
