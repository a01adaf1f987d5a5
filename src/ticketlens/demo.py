"""``ticketlens demo``: build a workspace from the sample and run the main job on it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from ticketlens.errors import WorkspaceError
from ticketlens.ingest import ImportResult
from ticketlens.sample import SOURCE, sample_file
from ticketlens.workspace import CONFIG_NAME, Workspace

MISSION_FILE = "mission.yaml"


@dataclass(frozen=True)
class DemoResult:
    workspace: Workspace
    created: bool
    imported: ImportResult


def run_demo(directory: Path, *, actor: str | None = None) -> DemoResult:
    """Create (or reuse) a demo workspace in ``directory`` and import the sample into it.

    Running it again reuses the workspace; the import then reports nothing new.

    Raises:
        WorkspaceError: ``directory`` exists, is not empty and is not a workspace.
    """
    created = not (directory / CONFIG_NAME).exists()
    if created:
        if directory.exists() and any(directory.iterdir()):
            raise WorkspaceError(
                f"{directory} is not empty and not a workspace",
                hint="pick a new folder for the demo",
            )
        mission = yaml.safe_load(sample_file(MISSION_FILE).read_text(encoding="utf-8"))
        Workspace.init(directory, values={"workspace.timezone": mission.get("timezone", "UTC")})
        shutil.copyfile(sample_file(MISSION_FILE), directory / MISSION_FILE)
    workspace = Workspace.open(directory, actor=actor)
    imported = workspace.ingest([sample_file("tickets.jsonl")], source=SOURCE, format="jsonl")
    return DemoResult(workspace, created, imported)
