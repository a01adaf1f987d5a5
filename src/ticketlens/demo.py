"""``ticketlens demo``: build a workspace from the sample and run the main job on it.

The demo's sequence lives here, in the library, so every surface runs the same one:
import the sample, discover its themes (when the data changed), suggest their links to
the mission, apply the sample team's past review decisions, and draw the service map.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ticketlens import pipeline
from ticketlens.errors import NotFound, WorkspaceError
from ticketlens.insight.charts import render, service_map_chart
from ticketlens.insight.servicemap import service_map
from ticketlens.mission import suggest_links
from ticketlens.review import LINK_KINDS, list_items
from ticketlens.sample import SOURCE, sample_file
from ticketlens.themes.catalog import latest_run
from ticketlens.workspace import CONFIG_NAME, Workspace

MISSION_FILE = "mission.yaml"
SERVICE_MAP = "servicemap.svg"


@dataclass(frozen=True)
class DemoReport:
    """What the demo did, step by step, for the surface to show."""

    workspace: Workspace
    created: bool
    ingest: pipeline.IngestReport
    #: the discovery run, or None when the sample had not changed since the last one
    discovered: pipeline.DiscoverReport | None
    #: link suggestions made (None: they were made on an earlier run)
    suggested: dict[str, int] | None
    #: the sample team's decisions applied: approved and edited links
    decisions: dict[str, int]
    #: review items still waiting
    pending: int
    service_map: Path


def run_demo(
    directory: Path,
    *,
    actor: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Create (or reuse) a demo workspace in ``directory`` and run the main job on it.

    Running it again reuses the workspace; the import then reports nothing new and the
    themes, links and decisions already there are kept.

    Raises:
        WorkspaceError: ``directory`` exists, is not empty and is not a workspace.
    """
    say = progress or (lambda _step: None)
    created = not (directory / CONFIG_NAME).exists()
    if created:
        _create(directory)
    workspace = Workspace.open(directory, actor=actor, overrides=overrides)
    say("importing the sample")
    imported = pipeline.ingest(
        workspace, [sample_file("tickets.jsonl")], source=SOURCE, format="jsonl"
    )
    counts = imported.imported.counts
    discovered = None
    if counts.new + counts.updated > 0 or not _has_themes(workspace):
        discovered = pipeline.discover(workspace, progress=say)
    suggested = None
    if not list_items(workspace, kind=LINK_KINDS["outcome"]):
        say("suggesting links to outcomes, systems and journey steps")
        suggested = suggest_links(workspace)
    decisions = apply_review_decisions(workspace)
    pending = len(list_items(workspace, state="suggested"))
    say("drawing the service map")
    picture = workspace.root / SERVICE_MAP
    render(service_map_chart(service_map(workspace)), picture)
    return DemoReport(
        workspace, created, imported, discovered, suggested, decisions, pending, picture
    )


def _create(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise WorkspaceError(
            f"{directory} is not empty and not a workspace",
            hint="pick a new folder for the demo",
        )
    mission = yaml.safe_load(sample_file(MISSION_FILE).read_text(encoding="utf-8"))
    Workspace.init(directory, values={"workspace.timezone": mission.get("timezone", "UTC")})
    shutil.copyfile(sample_file(MISSION_FILE), directory / MISSION_FILE)


def _has_themes(workspace: Workspace) -> bool:
    with workspace.store.session() as session:
        try:
            latest_run(session)
        except NotFound:
            return False
    return True


DECISIONS_FILE = "review_decisions.yaml"


def apply_review_decisions(workspace: Workspace, path: Path | None = None) -> dict[str, int]:
    """Apply the sample team's past decisions to the pending link suggestions.

    Each decision names an issue of the sample; it applies to the themes whose tickets
    are mostly that issue (``issues.csv``). A suggestion that matches is approved, one
    that does not is edited to the team's choice; decided items are left alone. The
    audit log records the sample's reviewer as the actor.
    """
    import csv

    from sqlalchemy import select

    from ticketlens import review
    from ticketlens.mission import load_workspace_mission
    from ticketlens.store.schema import ReviewItem, ThemeAssignment, Ticket

    data = yaml.safe_load((path or sample_file(DECISIONS_FILE)).read_text(encoding="utf-8"))
    decisions = {d["issue"]: d for d in data["decisions"]}
    with sample_file("issues.csv").open(encoding="utf-8") as fh:
        issue_of = {row["id"]: row["issue"] for row in csv.DictReader(fh)}
    actor = f"{data['reviewer']} (sample)"
    mission = load_workspace_mission(workspace)
    names = {("outcome", o.id): o.name for o in mission.outcomes}
    names |= {("system", s.id): s.name for s in mission.systems}
    names |= {("step", j.id): j.name for j in mission.journey}
    done = {"approved": 0, "edited": 0}
    with workspace.store.session() as session:
        members: dict[int, list[str]] = {}
        rows = session.execute(
            select(ThemeAssignment.theme_id, Ticket.external_id)
            .join(Ticket, Ticket.id == ThemeAssignment.ticket_id)
            .where(Ticket.source == SOURCE, ThemeAssignment.theme_id.is_not(None))
        )
        for theme, external in rows:
            if theme is not None and external in issue_of:
                members.setdefault(theme, []).append(issue_of[external])
        for theme, issues in members.items():
            majority = max(set(issues), key=lambda i: (issues.count(i), i))
            decision = decisions.get(majority)
            if decision is None:
                continue
            for field, kind in review.LINK_KINDS.items():
                item = session.scalars(
                    select(ReviewItem).where(
                        ReviewItem.kind == kind,
                        ReviewItem.subject == review.theme_subject(theme),
                        ReviewItem.state == "suggested",
                    )
                ).first()
                if item is None:
                    continue
                wanted = str(decision[field])
                if item.target == review.link_target(field, wanted):
                    review.transition(
                        session, item.id, "approve", actor=actor, reason=decision["why"]
                    )
                    done["approved"] += 1
                else:
                    payload = item.payload | {
                        field: wanted,
                        "name": names.get((field, wanted), wanted),
                    }
                    review.transition(
                        session,
                        item.id,
                        "edit",
                        actor=actor,
                        reason=decision["why"],
                        payload=payload,
                    )
                    done["edited"] += 1
    return done
