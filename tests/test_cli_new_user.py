"""What a new user hit on the CLI (issue 13): each point, held by a test."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ticketlens import pipeline
from ticketlens.cli import cli
from ticketlens.safe_output import safe_cell
from ticketlens.workspace import Workspace

HOSTILE = "\x1b]0;PWNED TITLE\x07 my card \u202eevil\u202c"
FORMULA = "=cmd|' /C calc'!A0"


def run(ws: Workspace, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--workspace", str(ws.root), *args])
    return result.exit_code, result.output


@pytest.fixture
def hostile(sqlite_workspace: Workspace, tmp_path: Path) -> Workspace:
    path = tmp_path / "hostile.jsonl"
    rows = [
        {"id": "a", "text": HOSTILE, "created_at": "2026-03-01T10:00:00Z"},
        {"id": "b", "text": FORMULA, "created_at": "2026-03-01T11:00:00Z"},
        {"id": "c", "text": "-5 is not a formula to me", "created_at": "2026-03-01T12:00:00Z"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    pipeline.ingest(sqlite_workspace, [path], source="hx")
    return sqlite_workspace


def test_point_1_csv_escapes_controls_and_guards_formulas(hostile: Workspace) -> None:
    code, out = run(hostile, "tickets", "list", "--csv")
    assert code == 0
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\u202e" not in out
    assert "\\x1b]0;PWNED TITLE\\x07" in out
    rows = list(csv.DictReader(io.StringIO(out)))
    texts = {r["external_id"]: r["text"] for r in rows}
    assert texts["b"] == "'" + FORMULA
    assert texts["c"] == "'-5 is not a formula to me"
    # The stable column set stays.
    assert list(rows[0]) == [
        "id",
        "source",
        "external_id",
        "created_at",
        "channel",
        "status",
        "text",
    ]


def test_point_1_raw_turns_the_formula_guard_off_and_json_stays_exact(hostile: Workspace) -> None:
    code, out = run(hostile, "tickets", "list", "--csv", "--raw")
    assert code == 0
    texts = {r["external_id"]: r["text"] for r in csv.DictReader(io.StringIO(out))}
    assert texts["b"] == FORMULA
    assert "\x1b" not in out  # controls are escaped even then
    code, out = run(hostile, "tickets", "list", "--json")
    assert {t["external_id"]: t["text"] for t in json.loads(out)}["a"] == HOSTILE


def test_point_1_every_csv_goes_through_the_one_writer(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(f'id,text,created_at\n1,"{FORMULA}",not a date\n', encoding="utf-8")
    pipeline.ingest(sqlite_workspace, [path])
    out = tmp_path / "rejected"
    assert run(sqlite_workspace, "quarantine", "export", "-o", str(out))[0] == 0
    (row,) = csv.DictReader(io.StringIO((out / "tickets.csv").read_text(encoding="utf-8")))
    assert row["text"] == "'" + FORMULA
    assert run(sqlite_workspace, "quarantine", "export", "--raw", "-o", str(out))[0] == 0
    (row,) = csv.DictReader(io.StringIO((out / "tickets.csv").read_text(encoding="utf-8")))
    assert row["text"] == FORMULA
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\tx") == "'\tx"
    assert safe_cell(-5) == -5  # numbers are numbers
    assert safe_cell("a\nb") == "a\nb"  # a newline is text in a quoted cell


def _label_item(ws: Workspace) -> dict[str, object]:
    from ticketlens.review import list_items

    return list_items(ws, kind="theme-label", state="suggested")[0]


def test_point_4_interactive_edit_asks_for_the_label_then_why(discovered: Workspace) -> None:
    from ticketlens.review import get_item

    ws = discovered
    item = _label_item(ws)
    strings = [k for k, v in get_item(ws, item["id"])["payload"].items() if isinstance(v, str)]
    assert strings == ["label"]
    url = ws.store.engine.url.render_as_string(hide_password=False)
    base = ["-w", str(ws.root), "--db", url, "review", "--kind", "theme-label"]
    typed = "e\nCard not delivered\nour wording\nq\n"
    result = CliRunner().invoke(cli, base, input=typed)
    assert result.exit_code == 0, result.output
    after = get_item(ws, item["id"])
    assert after["state"] == "edited"
    assert after["payload"]["label"] == "Card not delivered"
    from ticketlens.history import list_audit_events

    *_, event = list_audit_events(ws, target_type="review_item", target_id=str(item["id"]))
    assert (event["action"], event["reason"]) == ("edit", "our wording")


def test_point_4_an_edit_that_changes_nothing_is_refused(discovered: Workspace) -> None:
    from ticketlens.review import get_item

    ws = discovered
    item = _label_item(ws)
    label = get_item(ws, item["id"])["payload"]["label"]
    url = ws.store.engine.url.render_as_string(hide_password=False)
    base = ["-w", str(ws.root), "--db", url]
    same = CliRunner().invoke(cli, [*base, "review", "edit", str(item["id"]), "--label", label])
    assert same.exit_code == 2
    assert "changes nothing" in same.output
    walked = CliRunner().invoke(cli, [*base, "review", "--kind", "theme-label"], input="e\n\nq\n")
    assert walked.exit_code == 0, walked.output
    assert "Nothing changed" in walked.output
    assert get_item(ws, item["id"])["state"] == "suggested"


def test_point_5_themes_list_json_describes_the_workspace(
    discovered: Workspace, tmp_path: Path
) -> None:
    from tests.conftest import BASE, MORE, sample_lines, write

    ws = discovered
    more = write(tmp_path / "more.jsonl", sample_lines()[BASE : BASE + MORE])
    pipeline.ingest(ws, [more])  # an increment: the last run saw only these tickets
    url = ws.store.engine.url.render_as_string(hide_password=False)
    code = CliRunner().invoke(cli, ["-w", str(ws.root), "--db", url, "themes", "list", "--json"])
    assert code.exit_code == 0, code.output
    listing = json.loads(code.output)
    assert listing["tickets"] == BASE + MORE
    assert listing["tickets"] == sum(i["size"] for i in listing["items"]) + listing["unclear"]
    assert listing["unclear"] == sum(listing["unclear_by_language"].values())
    assert listing["themes"] == sum(1 for i in listing["items"] if i["state"] != "merged")
    assert listing["last_run"]["tickets"] == MORE  # the increment, nested
    for item in listing["items"]:
        assert {"id", "label", "label_state", "state", "size", "share", "language", "group"} <= set(
            item
        )
    text = CliRunner().invoke(cli, ["-w", str(ws.root), "--db", url, "themes", "list"]).output
    assert f"over {BASE + MORE:,} tickets" in text


def _at_80(ws: Workspace, *args: str) -> str:
    url = ws.store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli, ["-w", str(ws.root), "--db", url, *args], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    return result.output


def test_point_7_history_audit_and_settings_read_at_80_columns(discovered: Workspace) -> None:
    from ticketlens.settings import setting_specs
    from ticketlens.themes import list_themes

    ws = discovered
    theme = list_themes(ws)["items"][0]["id"]
    history = _at_80(ws, "themes", "history", str(theme))
    assert "{'" not in history  # no raw Python dicts
    assert "(+" in history or "[" not in history  # long lists say how many more
    settings = _at_80(ws, "settings")
    for spec in setting_specs():
        assert f"{spec.key} =" in settings  # every name in full, as one types it
        if spec.env:
            assert f"env {spec.env}" in settings
    audit = _at_80(ws, "audit", "--limit", "5")
    assert audit.count(" themes.create ") + audit.count(" suggest ") <= 5
    assert "The newest 5 of" in audit
    none = _at_80(ws, "audit", "--actor", "nobody-here", "--json")
    assert json.loads(none) == []
    later = _at_80(ws, "audit", "--since", "2999-01-01", "--json")
    assert json.loads(later) == []
    every = json.loads(_at_80(ws, "audit", "--limit", "0", "--json"))
    assert len(every) > 5
    assert [e["id"] for e in every] == sorted(e["id"] for e in every)
