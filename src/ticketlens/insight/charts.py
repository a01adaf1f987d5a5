"""Charts as Vega-Lite (built with Altair), rendered offline to SVG or PNG by vl-convert.

One declarative library for the CLI, the reports and (later) the dashboard; vl-convert
ships its own renderer, so nothing is fetched at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt

from ticketlens.errors import TicketlensError
from ticketlens.insight.servicemap import TREND_CLASSES, percent

HOT_SPOTS = 10
#: One colour per trend class, the same in every panel.
TREND_COLOURS = alt.Scale(
    domain=list(TREND_CLASSES), range=["#d62728", "#7f7f7f", "#2ca02c", "#ff7f0e", "#c7c7c7"]
)


def _values(rows: list[dict[str, Any]]) -> Any:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _room_for_labels(rows: list[dict[str, Any]]) -> Any:
    """An x scale with room after the longest bar for its "+20%" label."""
    longest = max((int(r["recent"]) for r in rows), default=0)
    return alt.Scale(domain=[0, max(1, round(longest * 1.15))], nice=False)


def _trend_bars(
    rows: list[dict[str, Any]],
    y: str,
    title: str,
    window: str,
    legend: str | None,
    label_limit: int,
    tooltip: list[str],
) -> Any:
    """Bars of recent tickets coloured by trend class, each with its change ("+21%")."""
    colour = (
        alt.Color("trend:N", scale=TREND_COLOURS, title=legend)
        if legend
        else alt.Color("trend:N", scale=TREND_COLOURS, legend=None)
    )
    bars = (
        alt.Chart(_values(rows), title=title)
        .mark_bar()
        .encode(
            x=alt.X("recent:Q", title=f"tickets, {window}", scale=_room_for_labels(rows)),
            y=alt.Y(y, sort="-x" if y == "system:N" else None, title=None,
                    axis=alt.Axis(labelLimit=label_limit)),
            color=colour,
            tooltip=tooltip,
        )
    )  # fmt: skip
    return bars + bars.mark_text(align="left", dx=3).encode(
        text="change:N", color=alt.value("#333333")
    )


def _journey_bars(journey: list[dict[str, Any]], window: str) -> Any:
    """The journey's steps, in journey order, by recent tickets."""
    steps = [{"step": f"{s['position'] + 1}. {s['name']}", "recent": s["recent"]} for s in journey]
    order = sorted(steps, key=lambda s: int(s["step"].split(".")[0]))
    return (
        alt.Chart(_values(steps), title=f"Journey steps by tickets, {window}")
        .mark_bar(color="#1f77b4")
        .encode(
            x=alt.X("recent:Q", title=f"tickets, {window}"),
            y=alt.Y("step:N", sort=[s["step"] for s in order], title=None),
            tooltip=["step:N", "recent:Q"],
        )
    )


def service_map_chart(data: dict[str, Any]) -> dict[str, Any]:
    """Systems by recent ticket volume (coloured by trend) beside the journey's steps, and
    the top hot spots (coloured by trend, their state and change in the label). Every
    panel counts the same window, ending at ``as_of``; the trend classes are the data's."""
    weeks = data["window_weeks"]
    window = f"last {weeks} weeks"
    systems = [
        {
            "system": f"{s['name']} ({s['owner']})",
            "recent": s["recent"],
            "before": s["before"],
            "tickets": s["tickets"],
            "trend": s["trend_class"],
            "change": percent(s["trend"]),
            "themes": len(s["themes"]),
        }
        for s in data["systems"]
    ]
    by_system = _trend_bars(
        systems,
        "system:N",
        f"Tickets per system, {window}",
        window,
        f"trend vs the {weeks} weeks before",
        320,
        ["system:N", "recent:Q", "before:Q", "change:N", "tickets:Q", "themes:Q"],
    )
    spots = [
        {
            "spot": f"#{h['rank']} {h['label']} @ {h['system']} ({h['state']})",
            "recent": h["recent"],
            "state": h["state"],
            "trend": h["trend_class"],
            "change": percent(h["trend"]),
        }
        for h in data["hot_spots"][:HOT_SPOTS]
    ]
    # Same colours as the systems above: their legend serves both.
    by_spot = _trend_bars(
        spots,
        "spot:N",
        f"Top hot spots (theme @ system, state), {window}",
        window,
        None,
        420,
        ["spot:N", "recent:Q", "change:N", "state:N"],
    )
    as_of = (data.get("as_of") or "no tickets")[:16].replace("T", " ")
    chart = alt.vconcat(
        alt.hconcat(by_system, _journey_bars(data["journey"], window)).resolve_scale(
            color="independent"
        ),
        by_spot,
        title=alt.Title(
            "Service map",
            subtitle=f"as of {as_of} UTC ({data.get('as_of_basis', '')})",
            anchor="start",
        ),
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
