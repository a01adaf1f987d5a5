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


DECISIONS_FILE = "review_decisions.yaml"
LINK_FIELDS = {"outcome": "theme-outcome", "system": "theme-system", "step": "theme-step"}


def apply_review_decisions(workspace: Workspace, path: Path | None = None) -> dict[str, int]:
    """Apply the sample team's past decisions to the pending link suggestions.

    Each decision names an issue of the sample; it applies to the themes whose tickets
    are mostly that issue (``issues.csv``). A suggestion that matches is approved, one
    that does not is edited to the team's choice; decided items are left alone. The
    audit log records the sample's reviewer as the actor.
    """
    import csv

    from sqlalchemy import select

    from ticketlens.mission import load_workspace_mission
    from ticketlens.store import review
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
            for field, kind in LINK_FIELDS.items():
                item = session.scalars(
                    select(ReviewItem).where(
                        ReviewItem.kind == kind,
                        ReviewItem.subject == f"theme:{theme}",
                        ReviewItem.state == "suggested",
                    )
                ).first()
                if item is None:
                    continue
                wanted = str(decision[field])
                if item.target == f"{field}:{wanted}":
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
