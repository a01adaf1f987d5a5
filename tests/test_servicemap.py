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
