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

from ticketlens import review
from ticketlens.mission import approved_links, load_workspace_mission
from ticketlens.store.schema import HOLDING_THEME_STATES, ReviewItem, Theme, ThemeAssignment
from ticketlens.themes.catalog import current_labels

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace


def outcome_rollup(workspace: Workspace) -> dict[str, Any]:
    mission = load_workspace_mission(workspace)
    with workspace.store.session() as session:
        linked = approved_links(session, "outcome")
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
                ReviewItem.kind == review.LINK_KINDS["outcome"], ReviewItem.state == "suggested"
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
