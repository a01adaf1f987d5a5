"""The pipeline: the one place stages run in order, and its two extension points."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.conftest import FIXTURES
from ticketlens import pipeline
from ticketlens.ingest import ImportResult
from ticketlens.themes import Increment, curation, list_themes
from ticketlens.workspace import Workspace


@dataclass(frozen=True)
class Heard:
    """A later stage's report: what it was told."""

    stage: ClassVar[str] = "listener"
    what: str

    def summary(self) -> dict[str, Any]:
        return {"what": self.what}


@pytest.fixture
def heard() -> Iterator[list[str]]:
    """Plug a listener into both extension points, as a later stage would (one line each)."""
    calls: list[str] = []

    def after_ingest(_ws: Workspace, result: ImportResult) -> Heard:
        calls.append(f"ingest:{result.counts.new}")
        return Heard("ingest")

    def after_theme_change(_ws: Workspace, change: pipeline.ThemeChange) -> Heard | None:
        calls.append(f"{change.kind}:{change.action or change.run_id}")
        return Heard(change.kind)

    pipeline.AFTER_INGEST.append(after_ingest)
    pipeline.AFTER_THEME_CHANGE.append(after_theme_change)
    yield calls
    pipeline.AFTER_INGEST.remove(after_ingest)
    pipeline.AFTER_THEME_CHANGE.remove(after_theme_change)


def test_hooks_hear_every_import_discovery_increment_and_curation(
    workspace: Workspace, heard: list[str], tmp_path: Path
) -> None:
    first = pipeline.ingest(workspace, [FIXTURES / "themes_tiny.csv"], source="tiny")
    assert heard == ["ingest:60"]  # no themes yet: nothing placed, no theme change
    assert first.after.of(Increment) is None
    assert first.after.of(Heard) == Heard("ingest")

    run = pipeline.discover(workspace)
    assert heard[-1] == f"discover:{run.run_id}"
    assert run.after.of(Heard) == Heard("discover")

    more = tmp_path / "more.csv"
    more.write_text("id,text\nm1,I forgot my password again\nm2,refund please\n", "utf-8")
    week = pipeline.ingest(workspace, [more], source="tiny")
    placed = week.after.of(Increment)
    assert placed is not None
    assert placed.tickets == 2
    # Hooks in order: placing the tickets (a theme change, heard at once), then the listener.
    assert heard[-2:] == [f"increment:{placed.run_id}", "ingest:2"]
    assert [r.stage for r in week.after.stages] == ["themes", "listener", "listener"]
    assert week.after.stages[1] == Heard("increment")
    assert set(week.after.summary()) == {"themes", "listener"}

    theme = list_themes(workspace)["items"][0]["id"]
    pipeline.curate(workspace, curation.rename, theme, "Passwords", reason="our word")
    assert heard[-1] == "curation:rename"
    assert list_themes(workspace)["items"][0]["label"] == "Passwords"


def test_the_workspace_runs_nothing() -> None:
    assert not hasattr(Workspace, "ingest")
