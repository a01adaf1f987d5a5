"""The service map: approved system and step links, volumes, hot spot states, the picture."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.test_links import links, suggested  # noqa: F401  (the fixture)
from ticketlens.cli import cli
from ticketlens.errors import InvalidTransition, NotFound
from ticketlens.insight.servicemap import mark_hot_spot, service_map
from ticketlens.review import decide
from ticketlens.store.schema import AuditEvent
from ticketlens.themes.catalog import get_theme
from ticketlens.workspace import Workspace

# Word similarity to the mission's outcomes is the shipped transformer's: the point here.
pytestmark = pytest.mark.real_models


def approve_all(ws: Workspace, kind: str) -> None:
    for item in links(ws, kind):
        decide(ws, item["id"], "approve", reason="ok")


def test_only_approved_links_put_themes_on_the_map(suggested: Workspace) -> None:  # noqa: F811
    ws = suggested
    empty = service_map(ws)
    assert all(s["tickets"] == 0 for s in empty["systems"])
    assert empty["hot_spots"] == []
    approve_all(ws, "theme-system")
    approve_all(ws, "theme-step")
    data = service_map(ws)
    on_map = {t["id"] for s in data["systems"] for t in s["themes"]}
    assert on_map  # every approved theme sits on its system
    for system in data["systems"]:
        sizes = [len(get_theme(ws, t["id"])["ticket_ids"]) for t in system["themes"]]
        assert system["tickets"] == sum(sizes)  # one system per theme here: a plain sum
    assert sum(s["tickets"] for s in data["journey"]) == sum(s["tickets"] for s in data["systems"])
    assert [h["rank"] for h in data["hot_spots"]] == list(range(1, len(data["hot_spots"]) + 1))
    assert {h["state"] for h in data["hot_spots"]} == {"open"}


def test_hot_spot_states_are_set_by_people_and_audited(suggested: Workspace) -> None:  # noqa: F811
    ws = suggested
    ws.actor = "dana"
    approve_all(ws, "theme-system")
    spot = service_map(ws)["hot_spots"][0]
    with pytest.raises(InvalidTransition, match="needs a date"):
        mark_hot_spot(ws, spot["system"], spot["theme"], "scheduled")
    with pytest.raises(NotFound):
        mark_hot_spot(ws, "no-such-system", spot["theme"], "fixed")
    mark_hot_spot(ws, spot["system"], spot["theme"], "acknowledged", reason="seen")
    mark_hot_spot(
        ws,
        spot["system"],
        spot["theme"],
        "scheduled",
        due=dt.date(2026, 12, 15),
        owner="Bo",
        reason="sprint 24",
    )
    now = next(h for h in service_map(ws)["hot_spots"] if h["theme"] == spot["theme"])
    assert (now["state"], now["due"], now["owner"]) == ("scheduled", "2026-12-15", "Bo")
    mark_hot_spot(ws, spot["system"], spot["theme"], "fixed", reason="shipped")
    assert service_map(ws)["hot_spots"][-1]["theme"] == spot["theme"]  # fixed ones last
    with ws.store.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.target_type == "hot_spot")).all()
    assert [(e.action, e.actor, e.reason) for e in events] == [
        ("hotspot.acknowledged", "dana", "seen"),
        ("hotspot.scheduled", "dana", "sprint 24"),
        ("hotspot.fixed", "dana", "shipped"),
    ]


def test_cli_draws_the_map(suggested: Workspace, tmp_path: Path) -> None:  # noqa: F811
    approve_all(suggested, "theme-system")
    approve_all(suggested, "theme-step")
    url = suggested.store.engine.url.render_as_string(hide_password=False)
    base = ["-w", str(suggested.root), "--db", url]
    runner = CliRunner()
    svg, png = tmp_path / "map.svg", tmp_path / "map.png"
    result = runner.invoke(cli, [*base, "servicemap", "--svg", str(svg), "--png", str(png)])
    assert result.exit_code == 0, result.output
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
    assert "Tickets per system" in svg.read_text(encoding="utf-8")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(runner.invoke(cli, [*base, "servicemap", "--json"]).stdout)
    spot = data["hot_spots"][0]
    marked = runner.invoke(
        cli,
        [
            *base,
            "servicemap",
            "mark",
            spot["system"],
            str(spot["theme"]),
            "--state",
            "scheduled",
            "--due",
            "2026-12-15",
            "--as",
            "kim",
            "--why",
            "next sprint",
        ],
    )
    assert marked.exit_code == 0, marked.output
    assert "scheduled (by kim)" in marked.output
    after = json.loads(runner.invoke(cli, [*base, "servicemap", "--json"]).stdout)
    marked_spot = next(h for h in after["hot_spots"] if h["theme"] == spot["theme"])
    assert (marked_spot["state"], marked_spot["due"]) == ("scheduled", "2026-12-15")
    assert runner.invoke(cli, [*base, "servicemap"]).exit_code == 0


def _chart_rows(spec: dict[str, object]) -> list[dict[str, object]]:
    """Every data row drawn in the picture, in panel order."""
    found: list[dict[str, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            values = (
                node.get("data", {}).get("values") if isinstance(node.get("data"), dict) else None
            )
            if isinstance(values, list):
                found.extend(values)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_point_2_the_picture_and_the_table_tell_one_story(suggested: Workspace) -> None:  # noqa: F811
    from ticketlens.insight.charts import service_map_chart
    from ticketlens.insight.servicemap import percent, trend_class

    ws = suggested
    approve_all(ws, "theme-system")
    approve_all(ws, "theme-step")
    from ticketlens.store.schema import Ticket

    with ws.store.session() as s:  # the tiny set has no dates: spread it over 8 weeks
        start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        for n, ticket in enumerate(s.scalars(select(Ticket).order_by(Ticket.id))):
            ticket.created_at = start + dt.timedelta(days=(n * 7) % 56, hours=n)
    data = service_map(ws)
    # One classification: the data carries it and the picture draws exactly that.
    for row in [*data["systems"], *data["hot_spots"]]:
        assert row["trend_class"] == trend_class(row["trend"], row["recent"])
    spec = service_map_chart(data)
    drawn = _chart_rows(spec)
    for system in data["systems"]:
        (bar,) = {
            (r["trend"], r["change"])
            for r in drawn
            if str(r.get("system", "")).startswith(system["name"] + " (")
        }
        assert bar == (system["trend_class"], percent(system["trend"]))
    assert trend_class(0.197, 10) == "rising"  # fx-pricing's +19.7% is rising, not steady
    # Every panel counts the same window, says so, and the as-of point is printed.
    text = json.dumps(spec)
    weeks = data["window_weeks"]
    assert "all time" not in text
    assert text.count(f"last {weeks} weeks") >= 3
    assert data["as_of"] is not None
    assert data["as_of"][:10] in text
    assert "the newest ticket's time" in text
    steps = [r for r in drawn if "step" in r]
    assert {s["step"].split(". ", 1)[1]: s["recent"] for s in steps} == {
        s["name"]: s["recent"] for s in data["journey"]
    }
    url = ws.store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["-w", str(ws.root), "--db", url, "servicemap"])
    assert result.exit_code == 0, result.output
    assert f"As of {data['as_of']} (the newest ticket's time)" in result.output
    first = data["systems"][0]
    if first["trend"] is not None:
        assert f"{percent(first['trend'])} {first['trend_class']}" in result.output


def test_point_3_a_hot_spot_mark_needs_the_theme_on_that_system(suggested: Workspace) -> None:  # noqa: F811
    ws = suggested
    approve_all(ws, "theme-system")
    data = service_map(ws)
    spot = data["hot_spots"][0]
    elsewhere = next(s["system"] for s in data["systems"] if s["system"] != spot["system"])
    with pytest.raises(
        InvalidTransition, match=f"theme {spot['theme']} is not on {elsewhere}"
    ) as err:
        mark_hot_spot(ws, elsewhere, spot["theme"], "acknowledged")
    assert spot["system"] in (err.value.hint or "")
    url = ws.store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli,
        ["-w", str(ws.root), "--db", url, "servicemap", "mark", elsewhere, str(spot["theme"]),
         "--state", "acknowledged", "--why", "x"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert spot["system"] in result.output


def test_point_6_theme_and_review_show_say_what_the_theme_is_tied_to(
    suggested: Workspace,  # noqa: F811
) -> None:
    ws = suggested
    approve_all(ws, "theme-system")
    system_link = links(ws, "theme-system")[0]
    theme_id = int(system_link["subject"].split(":")[1])
    url = ws.store.engine.url.render_as_string(hide_password=False)
    base = ["-w", str(ws.root), "--db", url]
    shown = CliRunner().invoke(cli, [*base, "themes", "show", str(theme_id)])
    assert shown.exit_code == 0, shown.output
    system_id = system_link["target"].split(":", 1)[1]
    (system_line,) = [line for line in shown.output.splitlines() if line.startswith("system:")]
    assert f"[{system_id}, owner " in system_line
    assert "draft" not in system_line  # approved
    (outcome_line,) = [
        line for line in shown.output.splitlines() if line.startswith("outcome it blocks:")
    ]
    assert "(draft, not reviewed)" in outcome_line  # suggested, waiting for a person
    as_json = json.loads(
        CliRunner().invoke(cli, [*base, "themes", "show", str(theme_id), "--json"]).output
    )
    assert as_json["links"]["system"][0] == {
        "id": system_id,
        "name": as_json["links"]["system"][0]["name"],
        "state": "approved",
        "owner": as_json["links"]["system"][0]["owner"],
    }
    label = get_theme(ws, theme_id)["label"]
    review = CliRunner().invoke(cli, [*base, "review", "show", str(system_link["id"])])
    assert review.exit_code == 0, review.output
    assert f'theme {theme_id} "{label}"' in review.output
    assert "The theme now:" in review.output
