"""themes discover|list|show and export assignments, end to end on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from tests.conftest import FIXTURES, init_workspace
from ticketlens.cli import cli
from ticketlens.store.schema import AuditEvent, ReviewItem
from ticketlens.themes.catalog import list_themes
from ticketlens.workspace import Workspace


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


@pytest.fixture
def discovered(
    tmp_path: Path, db_url: str, request: pytest.FixtureRequest
) -> tuple[list[str], dict[str, Any]]:
    """A workspace with the tiny corpus imported and its themes discovered (via the CLI)."""
    root = tmp_path / "team"
    init_workspace(root, request)
    base = ["-w", str(root), "--db", db_url, "--as", "lead"]
    imported = run(*base, "ingest", str(FIXTURES / "themes_tiny.csv"), "--source", "tiny")
    assert imported.exit_code == 0, imported.output
    result = run(*base, "themes", "discover", "--json")
    assert result.exit_code == 0, result.output
    return base, json.loads(result.stdout)


def test_discover_lists_themes_with_draft_labels(
    discovered: tuple[list[str], dict[str, Any]],
) -> None:
    base, listing = discovered
    items = listing["items"]
    assert isinstance(items, list)
    assert listing["tickets"] == 60
    assert 3 <= len(items) <= 8
    assert sum(i["size"] for i in items) + listing["unclear"] == 60
    assert {i["label_state"] for i in items} == {"suggested"}
    assert all(i["group"] for i in items)
    table = run(*base, "themes", "list")
    assert table.exit_code == 0, table.output
    assert "(draft)" in table.output
    assert f"{len(items)} themes (0 proposed) over 60 tickets" in table.output
    assert json.loads(run(*base, "themes", "list", "--json").stdout) == listing
    status = json.loads(run(*base, "status", "--json").stdout)
    assert status["themes"]["themes"] == len(items)
    assert status["themes"]["unclear"] == listing["unclear"]
    assert (
        f"Themes            {len(items)} (0 proposed; last discovery, run #"
        in run(*base, "status").output
    )


def test_show_gives_typical_tickets(discovered: tuple[list[str], dict[str, Any]]) -> None:
    base, listing = discovered
    first = listing["items"][0]
    result = run(*base, "themes", "show", str(first["id"]), "--json")
    assert result.exit_code == 0, result.output
    theme = json.loads(result.stdout)
    assert theme["label"] == first["label"]
    assert len(theme["ticket_ids"]) == first["size"]
    assert 1 <= len(theme["representatives"]) <= 5
    assert {r["id"] for r in theme["representatives"]} <= set(theme["ticket_ids"])
    text = run(*base, "themes", "show", str(first["id"]))
    assert "Most typical tickets:" in text.output
    assert "[tiny:" in text.output
    missing = run(*base, "themes", "show", "99999")
    assert missing.exit_code == 2
    assert "Error: no theme 99999" in missing.output


def test_export_assignments_has_the_stable_columns(
    discovered: tuple[list[str], dict[str, Any]], tmp_path: Path
) -> None:
    base, listing = discovered
    out = tmp_path / "assignments.csv"
    result = run(*base, "export", "assignments", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["source", "external_id", "theme_id", "theme_label", "score"]
        rows = list(reader)
    assert sorted(int(r["external_id"]) for r in rows) == list(range(1, 61))
    labels = {str(i["id"]): i["label"] for i in listing["items"]}
    unclear = [r for r in rows if r["theme_id"] == ""]
    assert len(unclear) == listing["unclear"]
    assert all(r["theme_label"] == "" for r in unclear)
    for row in rows:
        assert row["source"] == "tiny"
        assert -1.0 <= float(row["score"]) <= 1.0
        if row["theme_id"]:
            assert row["theme_label"] == labels[row["theme_id"]]
    to_stdout = run(*base, "export", "assignments")
    assert list(csv.DictReader(io.StringIO(to_stdout.stdout))) == rows


def test_labels_are_review_items_and_the_run_is_audited(
    discovered: tuple[list[str], dict[str, Any]], tmp_path: Path, db_url: str
) -> None:
    _base, listing = discovered
    ws = Workspace.open(tmp_path / "team", environ={}, overrides={"database.url": db_url})
    try:
        with ws.store.session() as s:
            items = s.scalars(select(ReviewItem).where(ReviewItem.kind == "theme-label")).all()
            events = s.scalars(
                select(AuditEvent).where(AuditEvent.action == "themes.discover")
            ).all()
        assert len(items) == len(listing["items"])
        assert all(i.state == "suggested" and i.evidence for i in items)
        assert len(events) == 1
        assert events[0].actor == "lead"
        assert events[0].after == {
            "tickets": 60,
            "themes": len(listing["items"]),
            "unclear": listing["unclear"],
        }
        assert list_themes(ws) == listing
    finally:
        ws.close()


def test_a_second_run_replaces_the_assignments(
    discovered: tuple[list[str], dict[str, Any]],
) -> None:
    base, first = discovered
    again = json.loads(run(*base, "themes", "discover", "--json").stdout)
    assert again["last_run"]["run"] == first["last_run"]["run"] + 1
    # Same tickets, same settings: the same themes (ids are per run until issue 5).
    assert [i["label"] for i in again["items"]] == [i["label"] for i in first["items"]]
    rows = list(csv.DictReader(io.StringIO(run(*base, "export", "assignments").stdout)))
    assert len(rows) == 60
    current = {str(i["id"]) for i in again["items"]}
    assert {r["theme_id"] for r in rows if r["theme_id"]} <= current


def test_list_before_any_discovery_says_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    init_workspace(root)
    nothing = run("-w", str(root), "themes", "discover")
    assert nothing.exit_code == 2
    assert "Error: no tickets to group yet (hint: import some: ticketlens ingest FILE)" in (
        nothing.output
    )
    result = run("-w", str(root), "themes", "list")
    assert result.exit_code == 2
    assert "no themes yet" in result.output
    assert "ticketlens themes discover" in result.output
