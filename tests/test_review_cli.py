"""``ticketlens review``: list (JSON, stable), approve/reject/edit/reopen, and the walk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.conftest import FIXTURES
from ticketlens import pipeline
from ticketlens.cli import cli
from ticketlens.store.schema import AuditEvent
from ticketlens.themes.catalog import list_themes
from ticketlens.themes.runs import run_discovery
from ticketlens.workspace import Workspace


@pytest.fixture
def queued(workspace: Workspace, tmp_path: Path) -> list[str]:
    """A workspace whose themes have draft labels waiting for review; the CLI base args."""
    pipeline.ingest(workspace, [FIXTURES / "themes_tiny.csv"], source="tiny")
    run_discovery(workspace)
    url = workspace.store.engine.url.render_as_string(hide_password=False)
    return ["-w", str(tmp_path / "ws"), "--db", url]


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_list_json_is_the_stable_shape(queued: list[str], workspace: Workspace) -> None:
    items = json.loads(run(*queued, "review", "list", "--json").stdout)
    assert len(items) == len(list_themes(workspace)["items"])
    for item in items:
        assert {"id", "kind", "state", "evidence"} <= set(item)
        assert item["kind"] == "theme-label"
        assert item["state"] == "suggested"
        assert item["evidence"]  # ticket ids behind the draft
    table = run(*queued, "review", "list")
    assert "theme-label" in table.output


def test_decisions_are_audited_and_shown(queued: list[str], workspace: Workspace) -> None:
    first, second, third = (
        i["id"] for i in json.loads(run(*queued, "review", "list", "--json").stdout)[:3]
    )
    assert "approved" in run(*queued, "review", "approve", str(first), "--as", "kim").output
    edited = run(*queued, "review", "edit", str(second), "--label", "Login trouble", "--as", "kim")
    assert "edited" in edited.output
    refused = CliRunner().invoke(cli, [*queued, "review", "reject", str(third)])
    assert refused.exit_code == 2
    assert "needs a reason" in refused.output
    run(*queued, "review", "reject", str(third), "--why", "too vague", "--as", "kim")
    again = CliRunner().invoke(cli, [*queued, "review", "approve", str(third)])
    assert again.exit_code == 2
    assert "rejected" in again.output
    assert "suggested" in run(*queued, "review", "reopen", str(third), "--as", "kim").output
    shown = json.loads(run(*queued, "review", "show", str(second), "--json").stdout)
    assert shown["payload"]["label"] == "Login trouble"
    assert shown["evidence_tickets"]
    labels = {i["label"] for i in list_themes(workspace)["items"]}
    assert "Login trouble" in labels
    with workspace.store.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.actor == "kim")).all()
    assert [e.action for e in events] == ["approve", "edit", "reject", "reopen"]
    assert events[2].reason == "too vague"


def test_the_walk_takes_decisions_in_turn(queued: list[str], workspace: Workspace) -> None:
    pending = json.loads(run(*queued, "review", "list", "--state", "suggested", "--json").stdout)
    # approve the first, skip the second, edit the third (new label), then quit
    answers = "a\n\ns\ne\nPayments refused\n\nq\n"  # the label, then why (optional)
    walked = run(*queued, "review", "--as", "lee", input=answers)
    assert "2 decision(s) recorded by lee" in walked.output
    assert "evidence:" in walked.output
    after = {i["id"]: i for i in json.loads(run(*queued, "review", "list", "--json").stdout)}
    assert after[pending[0]["id"]]["state"] == "approved"
    assert after[pending[1]["id"]]["state"] == "suggested"
    assert after[pending[2]["id"]]["state"] == "edited"
    assert after[pending[2]["id"]]["payload"]["label"] == "Payments refused"
