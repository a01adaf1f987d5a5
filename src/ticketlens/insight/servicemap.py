"""The service map: which systems the approved themes land on, how much, and which way.

Per system (from the mission file): the themes people linked to it, their tickets, the
volume in the last four weeks against the four before (the trend), and its hot spots:
each theme on the system, ranked by recent volume and growth, with the state a person
gave it (open, acknowledged, scheduled with a date and an owner, fixed). Journey steps
are ranked by the volume of the themes linked to them in the same four weeks. Only
approved links count.

"Now" is the newest ticket's time (``as_of``): the map describes the data as imported,
so an export from last month reads the same today. The trend is classified once, here
(:func:`trend_class`), for the table and the picture alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ticketlens.errors import InvalidTransition, NotFound
from ticketlens.mission import JourneyStep, approved_links, load_workspace_mission
from ticketlens.store import audit
from ticketlens.store.schema import (
    HOLDING_THEME_STATES,
    HOT_SPOT_STATES,
    HotSpot,
    Theme,
    ThemeAssignment,
    Ticket,
)
from ticketlens.themes.catalog import current_labels

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ticketlens.workspace import Workspace

WINDOW = dt.timedelta(weeks=4)
#: A change of at least this much (either way) over the weeks before is rising / falling.
RISING, FALLING = 0.1, -0.1
TREND_CLASSES = ("rising", "steady", "falling", "new", "quiet")
#: What ``as_of`` is.
AS_OF_BASIS = "the newest ticket's time"


def percent(trend: float | None) -> str:
    """The trend as table and picture print it: +20%, -5%, or new (nothing before)."""
    return "new" if trend is None else f"{trend:+.0%}"


def trend_class(trend: float | None, recent: int) -> str:
    """rising / steady / falling against the weeks before; new (nothing before), quiet."""
    if trend is None:
        return "new" if recent else "quiet"
    if trend >= RISING:
        return "rising"
    if trend <= FALLING:
        return "falling"
    return "steady"


def _volumes(
    session: Session, theme_ids: list[int], latest: dt.datetime | None
) -> dict[int, dict[str, Any]]:
    """Per theme: all its tickets, those of the last four weeks and of the four before."""
    out: dict[int, dict[str, Any]] = {
        t: {"tickets": set(), "recent_tickets": set(), "recent": 0, "before": 0} for t in theme_ids
    }
    rows = session.execute(
        select(ThemeAssignment.theme_id, ThemeAssignment.ticket_id, Ticket.created_at)
        .join(Ticket, Ticket.id == ThemeAssignment.ticket_id)
        .where(ThemeAssignment.theme_id.in_(theme_ids))
    )
    for theme, ticket, created in rows:
        if theme is None:
            continue
        out[theme]["tickets"].add(ticket)
        if latest is None or created is None:
            continue
        age = latest - created
        if age < WINDOW:
            out[theme]["recent"] += 1
            out[theme]["recent_tickets"].add(ticket)
        elif age < 2 * WINDOW:
            out[theme]["before"] += 1
    return out


def _trend(recent: int, before: int) -> float | None:
    """Change of the last four weeks over the four before (None: nothing before)."""
    return round((recent - before) / before, 3) if before else None


def service_map(workspace: Workspace) -> dict[str, Any]:
    mission = load_workspace_mission(workspace)
    with workspace.store.session() as session:
        by_system = approved_links(session, "system")
        by_step = approved_links(session, "step")
        holding = set(
            session.scalars(
                select(Theme.id).where(
                    Theme.id.in_(list({*by_system, *by_step})),
                    Theme.state.in_(HOLDING_THEME_STATES),
                )
            )
        )
        latest = session.scalar(select(func.max(Ticket.created_at)))
        volumes = _volumes(session, sorted(holding), latest)
        labels = current_labels(session, sorted(holding))
        marks = {(h.system, h.theme_id): h for h in session.scalars(select(HotSpot))}
        systems, hot_spots = [], []
        for system in mission.systems:
            themes = sorted(t for t in holding if system.id in by_system.get(t, set()))
            tickets = set().union(*(volumes[t]["tickets"] for t in themes)) if themes else set()
            recent = sum(volumes[t]["recent"] for t in themes)
            before = sum(volumes[t]["before"] for t in themes)
            systems.append(
                {
                    "system": system.id,
                    "name": system.name,
                    "owner": system.owner,
                    "team": system.team,
                    "tickets": len(tickets),
                    "recent": recent,
                    "before": before,
                    "trend": _trend(recent, before),
                    "trend_class": trend_class(_trend(recent, before), recent),
                    "themes": [
                        {"id": t, "label": labels.get(t, ""), "tickets": len(volumes[t]["tickets"])}
                        for t in sorted(themes, key=lambda t: -len(volumes[t]["tickets"]))
                    ],
                }
            )
            for t in themes:
                mark = marks.get((system.id, t))
                hot_spots.append(
                    {
                        "system": system.id,
                        "theme": t,
                        "label": labels.get(t, ""),
                        "recent": volumes[t]["recent"],
                        "before": volumes[t]["before"],
                        "trend": _trend(volumes[t]["recent"], volumes[t]["before"]),
                        "trend_class": trend_class(
                            _trend(volumes[t]["recent"], volumes[t]["before"]),
                            volumes[t]["recent"],
                        ),
                        "state": mark.state if mark else "open",
                        "due": mark.due.isoformat() if mark and mark.due else None,
                        "owner": (mark.owner if mark else None) or system.owner,
                        "note": mark.note if mark else None,
                    }
                )
        steps = _journey(mission.journey, holding, by_step, volumes)
    # Hot spots: the most recent tickets first, then the fastest growing; fixed ones last.
    hot_spots.sort(
        key=lambda h: (h["state"] == "fixed", -h["recent"], -(h["trend"] or 0.0), h["theme"])
    )
    return {
        "systems": sorted(systems, key=lambda s: (-s["recent"], -s["tickets"], s["system"])),
        "hot_spots": [h | {"rank": i + 1} for i, h in enumerate(hot_spots)],
        "journey": sorted(steps, key=lambda s: (-s["recent"], -s["tickets"], s["position"])),
        "window_weeks": WINDOW.days // 7,
        # Every panel's "last N weeks" ends here.
        "as_of": latest.isoformat() if latest else None,
        "as_of_basis": AS_OF_BASIS,
    }


def _journey(
    journey: Sequence[JourneyStep],
    holding: set[int],
    by_step: dict[int, set[str]],
    volumes: dict[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each journey step: the themes linked to it and their distinct tickets, recent and all."""
    steps = []
    for step in journey:
        themes = [t for t in holding if step.id in by_step.get(t, set())]

        def distinct(key: str, themes: list[int] = themes) -> int:
            return len(set().union(*(volumes[t][key] for t in themes)))

        steps.append(
            {
                "step": step.id,
                "name": step.name,
                "position": step.position,
                "recent": distinct("recent_tickets"),
                "tickets": distinct("tickets"),
                "themes": len(themes),
            }
        )
    return steps


def mark_hot_spot(
    workspace: Workspace,
    system: str,
    theme_id: int,
    state: str,
    *,
    due: dt.date | None = None,
    owner: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Set a hot spot's state (scheduled needs a date); audited with who and why."""
    if state not in HOT_SPOT_STATES:
        raise InvalidTransition(
            f"unknown hot spot state {state!r}", hint=", ".join(HOT_SPOT_STATES)
        )
    if state == "scheduled" and due is None:
        raise InvalidTransition("scheduled needs a date", hint="--due 2026-12-15")
    mission = load_workspace_mission(workspace)
    if mission.system(system) is None:
        raise NotFound(f"no system {system!r} in the mission file", hint="ticketlens mission show")
    with workspace.store.session() as session:
        if session.get(Theme, theme_id) is None:
            raise NotFound(f"no theme {theme_id}", hint="see `ticketlens themes list`")
        on = sorted(approved_links(session, "system").get(theme_id, set()))
        if system not in on:
            raise InvalidTransition(
                f"theme {theme_id} is not on {system}: no approved link puts it there",
                hint=(
                    f"theme {theme_id} is on {', '.join(on)}"
                    if on
                    else f"theme {theme_id} is on no system yet: approve a link first "
                    "(`ticketlens review list --kind theme-system`)"
                ),
            )
        spot = session.scalars(
            select(HotSpot).where(HotSpot.system == system, HotSpot.theme_id == theme_id)
        ).one_or_none()
        before = (
            None
            if spot is None
            else {"state": spot.state, "due": _iso(spot.due), "owner": spot.owner}
        )
        if spot is None:
            spot = HotSpot(system=system, theme_id=theme_id)
            session.add(spot)
        spot.state, spot.due, spot.owner, spot.note = state, due, owner or spot.owner, reason
        spot.updated_at, spot.updated_by = audit.now(), workspace.actor
        session.flush()
        after = {"state": state, "due": _iso(due), "owner": spot.owner}
        audit.record(
            session,
            actor=workspace.actor,
            action=f"hotspot.{state}",
            target_type="hot_spot",
            target_id=f"{system}:{theme_id}",
            before=before,
            after=after,
            reason=reason,
        )
        return {"system": system, "theme": theme_id} | after


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
