"""The outcome roll-up: per user outcome, the themes people linked to it and their tickets.

Only links a person approved (or edited) count; suggestions never do. A ticket counts once
per outcome; a ticket whose theme is linked to two outcomes counts under both, and once
in the total of distinct tickets (``tickets_total``), so adding the rows up over-counts
exactly the ``shared`` tickets.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ticketlens.mission import load_workspace_mission
from ticketlens.store.schema import HOLDING_THEME_STATES, ReviewItem, Theme, ThemeAssignment
from ticketlens.themes.catalog import current_labels

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ticketlens.workspace import Workspace

DECIDED = ("approved", "edited")


def approved_links(session: Session, kind: str, field: str) -> dict[int, set[str]]:
    """Theme id -> the ids (outcomes, systems or steps) people linked it, or its lineage, to.

    Links follow curation: a theme merged into another passes its links on, a split
    theme's parts inherit its links, each where the theme has no link of its own.
    """
    own = _own_links(session, kind, field)
    links: dict[int, set[str]] = defaultdict(set, {t: set(v) for t, v in own.items()})
    lineage = session.execute(
        select(Theme.id, Theme.merged_into_id, Theme.split_from_id).where(
            (Theme.merged_into_id.is_not(None)) | (Theme.split_from_id.is_not(None))
        )
    ).all()
    for _ in range(len(lineage)):  # follow chains (a merged part of a split theme ...)
        changed = False
        for theme, merged_into, split_from in lineage:
            if merged_into is not None and links.get(theme) and merged_into not in own:
                before = len(links[merged_into])
                links[merged_into] |= links[theme]
                changed |= len(links[merged_into]) != before
            if split_from is not None and links.get(split_from) and theme not in own:
                before = len(links[theme])
                links[theme] |= links[split_from]
                changed |= len(links[theme]) != before
        if not changed:
            break
    return {t: v for t, v in links.items() if v}


def _own_links(session: Session, kind: str, field: str) -> dict[int, set[str]]:
    links: dict[int, set[str]] = defaultdict(set)
    for item in session.scalars(
        select(ReviewItem).where(ReviewItem.kind == kind, ReviewItem.state.in_(DECIDED))
    ):
        theme = int(item.subject.split(":", 1)[1])
        # An edit may point the link elsewhere: the person's payload wins over the target.
        target = item.payload.get(field) or item.target.split(":", 1)[1]
        links[theme].add(str(target))
    return links


def outcome_rollup(workspace: Workspace) -> dict[str, Any]:
    mission = load_workspace_mission(workspace)
    with workspace.store.session() as session:
        linked = approved_links(session, "theme-outcome", "outcome")
        themes = {
            t.id: t
            for t in session.scalars(
                select(Theme).where(
                    Theme.id.in_(list(linked)), Theme.state.in_(HOLDING_THEME_STATES)
                )
            )
        }
        labels = current_labels(session, list(themes))
        tickets_of: dict[int, set[int]] = defaultdict(set)
        for ticket, theme in session.execute(
            select(ThemeAssignment.ticket_id, ThemeAssignment.theme_id).where(
                ThemeAssignment.theme_id.in_(list(themes))
            )
        ):
            if theme is not None:
                tickets_of[theme].add(ticket)
        pending = session.scalars(
            select(ReviewItem.id).where(
                ReviewItem.kind == "theme-outcome", ReviewItem.state == "suggested"
            )
        ).all()
    rows = []
    seen: dict[int, int] = defaultdict(int)
    for outcome in mission.outcomes:
        linked_themes = sorted(
            t for t, targets in linked.items() if outcome.id in targets and t in themes
        )
        tickets = set().union(*(tickets_of[t] for t in linked_themes)) if linked_themes else set()
        for ticket in tickets:
            seen[ticket] += 1
        rows.append(
            {
                "outcome": outcome.id,
                "name": outcome.name,
                "metric": outcome.metric.name if outcome.metric else None,
                "target": outcome.metric.target if outcome.metric else None,
                "tickets": len(tickets),
                "themes": [
                    {
                        "id": t,
                        "label": labels.get(t, themes[t].label),
                        "tickets": len(tickets_of[t]),
                    }
                    for t in sorted(linked_themes, key=lambda t: -len(tickets_of[t]))
                ],
            }
        )
    return {
        "outcomes": sorted(rows, key=lambda r: -r["tickets"]),
        "tickets_total": len(seen),
        "shared": sum(1 for count in seen.values() if count > 1),
        "pending_suggestions": len(pending),
        "counting": "a ticket counts once per outcome; tickets_total counts each ticket once",
    }
