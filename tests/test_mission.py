"""The mission file: the sample validates; errors name the file, the line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ticketlens.cli import cli
from ticketlens.errors import MissionError
from ticketlens.mission import load_mission
from ticketlens.sample import sample_file
from ticketlens.workspace import Workspace

GOOD = """name: Team
mission: Money simply works.
outcomes:
  - id: pay-with-card
    name: Pay with my card
    description: Card payments just work.
    metric: {name: Approval rate, target: ">= 99%"}
    tags: [Cards, payments]
systems:
  - id: cards
    name: Card processing
    owner: Dana
journey:
  - {id: sign-up, name: Sign up}
  - {id: pay, name: Pay}
"""


def test_the_sample_mission_is_valid() -> None:
    mission = load_mission(sample_file("mission.yaml"))
    assert mission.name == "Harbor Bank"
    assert [o.id for o in mission.outcomes][:2] == ["get-started", "pay-with-card"]
    assert mission.system("card-processing") is not None
    assert mission.system("card-processing").owner  # type: ignore[union-attr]
    assert [j.position for j in mission.journey] == list(range(len(mission.journey)))


def test_a_small_file_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "mission.yaml"
    path.write_text(GOOD, encoding="utf-8")
    mission = load_mission(path)
    assert mission.outcomes[0].metric is not None
    assert mission.outcomes[0].metric.target == ">= 99%"
    assert mission.outcomes[0].tags == ("cards", "payments")
    assert mission.as_dict()["journey"] == [
        {"id": "sign-up", "name": "Sign up", "description": "", "tags": []},
        {"id": "pay", "name": "Pay", "description": "", "tags": []},
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("    owner: Dana\n", ""), r"line 10: field 'systems.0': 'owner' is missing"),
        (
            ("  - id: cards\n", "  - id: Cards Team\n"),
            r"line 10: field 'systems.0.id': 'Cards Team'",
        ),
        (("- {id: pay,", "- {id: sign-up,"), r"line 15: field 'journey.1.id': 'sign-up' is used"),
        (("mission: Money", "mision: Money"), r"line 2: field 'mision': unknown field"),
        (("outcomes:\n", "outcomes: []\nx:\n"), r"line 4: field 'x': unknown field"),
        (("systems:\n", "old_systems:\n"), r"line 9: field 'old_systems': unknown field"),
        (("name: Team\n", "name: [Team\n"), r"line \d+: not valid YAML"),
    ],
)
def test_errors_name_the_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = tmp_path / "mission.yaml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(MissionError, match=expected) as caught:
        load_mission(path)
    assert str(path) in str(caught.value)


def test_no_outcomes_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mission.yaml"
    path.write_text("name: Team\nmission: Works.\noutcomes: []\n", encoding="utf-8")
    with pytest.raises(MissionError, match=r"line 3: field 'outcomes': expected a list with at"):
        load_mission(path)


def test_toml_works_too(tmp_path: Path) -> None:
    path = tmp_path / "mission.toml"
    path.write_text(
        'name = "Team"\nmission = "Money simply works."\n'
        '[[outcomes]]\nid = "pay"\nname = "Pay"\ndescription = "Payments work."\n'
        '[[systems]]\nid = "cards"\nname = "Cards"\n',
        encoding="utf-8",
    )
    with pytest.raises(MissionError, match=r"line 8: field 'systems.0': 'owner' is missing"):
        load_mission(path)


def test_cli_check_and_show(tmp_path: Path) -> None:
    root = tmp_path / "team"
    Workspace.init(root)
    runner = CliRunner()
    missing = runner.invoke(cli, ["-w", str(root), "mission", "show"])
    assert missing.exit_code == 2
    assert "no mission file" in missing.output
    (root / "mission.yaml").write_text(GOOD, encoding="utf-8")
    checked = runner.invoke(cli, ["-w", str(root), "mission", "check"])
    assert checked.exit_code == 0, checked.output
    assert "OK, 1 outcomes, 1 systems, 2 journey steps" in checked.output
    shown = json.loads(runner.invoke(cli, ["-w", str(root), "mission", "show", "--json"]).stdout)
    assert shown["systems"][0]["owner"] == "Dana"
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("    owner: Dana\n", ""), encoding="utf-8")
    failed = runner.invoke(cli, ["mission", "check", str(bad)])
    assert failed.exit_code == 2
    assert "'owner' is missing" in failed.output
