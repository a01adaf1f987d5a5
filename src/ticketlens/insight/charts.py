"""Charts as Vega-Lite (built with Altair), rendered offline to SVG or PNG by vl-convert.

One declarative library for the CLI, the reports and (later) the dashboard; vl-convert
ships its own renderer, so nothing is fetched at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt

from ticketlens.errors import TicketlensError

RISING, FALLING = 0.2, -0.2
HOT_SPOTS = 10


def _values(rows: list[dict[str, Any]]) -> Any:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _trend_word(trend: float | None, recent: int) -> str:
    if trend is None:
        return "new" if recent else "quiet"
    if trend >= RISING:
        return "rising"
    if trend <= FALLING:
        return "falling"
    return "steady"


def service_map_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Systems by recent ticket volume (coloured by trend) beside the journey's steps."""
    weeks = data["window_weeks"]
    systems = [
        {
            "system": f"{s['name']} ({s['owner']})",
            "recent": s["recent"],
            "before": s["before"],
            "tickets": s["tickets"],
            "trend": _trend_word(s["trend"], s["recent"]),
            "themes": len(s["themes"]),
        }
        for s in data["systems"]
    ]
    colours = alt.Scale(
        domain=["rising", "steady", "falling", "new", "quiet"],
        range=["#d62728", "#7f7f7f", "#2ca02c", "#ff7f0e", "#c7c7c7"],
    )
    by_system = (
        alt.Chart(_values(systems), title=f"Tickets per system, last {weeks} weeks")
        .mark_bar()
        .encode(
            x=alt.X("recent:Q", title=f"tickets, last {weeks} weeks"),
            y=alt.Y("system:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("trend:N", scale=colours, title=f"vs the {weeks} weeks before"),
            tooltip=["system:N", "recent:Q", "before:Q", "tickets:Q", "themes:Q"],
        )
    )
    steps = [
        {"step": f"{s['position'] + 1}. {s['name']}", "tickets": s["tickets"]}
        for s in data["journey"]
    ]
    journey_order = sorted(steps, key=lambda s: int(s["step"].split(".")[0]))
    by_step = (
        alt.Chart(_values(steps), title="Journey steps by tickets (all time)")
        .mark_bar(color="#1f77b4")
        .encode(
            x=alt.X("tickets:Q", title="tickets"),
            y=alt.Y("step:N", sort=[s["step"] for s in journey_order], title=None),
            tooltip=["step:N", "tickets:Q"],
        )
    )
    spots = [
        {
            "spot": f"#{h['rank']} {h['label']} @ {h['system']}",
            "recent": h["recent"],
            "state": h["state"],
            "trend": "new" if h["trend"] is None else f"{h['trend']:+.0%}",
        }
        for h in data["hot_spots"][:HOT_SPOTS]
    ]
    states = alt.Scale(
        domain=["open", "acknowledged", "scheduled", "fixed"],
        range=["#d62728", "#ff7f0e", "#1f77b4", "#2ca02c"],
    )
    by_spot = (
        alt.Chart(_values(spots), title=f"Top hot spots (theme @ system), last {weeks} weeks")
        .mark_bar()
        .encode(
            x=alt.X("recent:Q", title=f"tickets, last {weeks} weeks"),
            y=alt.Y("spot:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("state:N", scale=states, title="hot spot state"),
            tooltip=["spot:N", "recent:Q", "trend:N", "state:N"],
        )
    )
    chart = alt.vconcat(
        alt.hconcat(by_system, by_step).resolve_scale(color="independent"), by_spot
    ).resolve_scale(color="independent")
    spec: dict[str, Any] = chart.to_dict()
    return spec


def render(spec: dict[str, Any], path: Path) -> None:
    """Write the chart as SVG or PNG, chosen by the file's suffix."""
    import vl_convert as vlc

    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    elif suffix == ".png":
        path.write_bytes(vlc.vegalite_to_png(spec, scale=2))
    else:
        raise TicketlensError(
            f"{path}: cannot draw a {suffix or 'suffix-less'} file", hint="use .svg or .png"
        )
