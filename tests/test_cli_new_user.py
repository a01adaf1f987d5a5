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


def _invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_point_8_global_options_work_after_the_subcommand(hostile: Workspace) -> None:
    from ticketlens.cli._app import hoist_global_options

    url = hostile.store.engine.url.render_as_string(hide_password=False)
    code, out = _invoke("tickets", "list", "--json", "-w", str(hostile.root), "--db", url)
    assert code == 0, out
    assert {t["external_id"] for t in json.loads(out)} == {"a", "b", "c"}
    code, out = _invoke("status", f"--workspace={hostile.root}", f"--db={url}", "-v")
    assert code == 0, out
    # Only what follows the subcommand moves; nothing after "--" does.
    assert hoist_global_options(["ingest", "a.csv", "-w", "W", "--", "-w"]) == [
        "-w",
        "W",
        "ingest",
        "a.csv",
        "--",
        "-w",
    ]
    assert hoist_global_options(["-w", "W", "status"]) == ["-w", "W", "status"]


def test_point_9_file_output_is_dash_o_everywhere(hostile: Workspace, tmp_path: Path) -> None:
    base = [
        "-w",
        str(hostile.root),
        "--db",
        hostile.store.engine.url.render_as_string(hide_password=False),
    ]
    as_csv, as_json = tmp_path / "t.csv", tmp_path / "t.json"
    assert _invoke(*base, "tickets", "list", "-o", str(as_csv))[0] == 0
    assert next(csv.reader(io.StringIO(as_csv.read_text(encoding="utf-8"))))[0] == "id"
    assert _invoke(*base, "tickets", "list", "-o", str(as_json))[0] == 0
    assert len(json.loads(as_json.read_text(encoding="utf-8"))) == 3
    status = tmp_path / "status.json"
    assert _invoke(*base, "status", "-o", str(status))[0] == 0
    assert json.loads(status.read_text(encoding="utf-8"))["tickets"] == 3
    code, out = _invoke(*base, "tickets", "list", "-o", str(tmp_path / "t.txt"))
    assert code == 2
    assert ".json or .csv" in out
    code, out = _invoke(*base, "tickets", "list", "--json", "--csv")
    assert code == 2
    assert "cannot be used together" in out


def test_point_10_pipes_interrupts_and_questions_end_as_a_shell_expects(
    hostile: Workspace, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    exe = [sys.executable, "-m", "ticketlens"]
    url = hostile.store.engine.url.render_as_string(hide_password=False)
    base = [*exe, "-w", str(hostile.root), "--db", url]
    env = {**os.environ, "COLUMNS": "80"}
    # A reader that stops early (`| head -1`): quiet, exit 0.
    pipe = subprocess.Popen(
        [*base, "audit", "--limit", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert pipe.stdout is not None
    pipe.stdout.readline()
    pipe.stdout.close()
    _, err = pipe.communicate(timeout=60)
    assert pipe.returncode == 0, err
    assert b"Error" not in err
    assert b"Traceback" not in err
    # forget with no terminal to ask on: a user error with a hint, exit 2.
    forget = subprocess.run(
        [*base, "forget", "someone"], stdin=subprocess.DEVNULL, capture_output=True, env=env
    )
    assert forget.returncode == 2
    assert b"--yes" in forget.stderr + forget.stdout
    # Ctrl-C: 130 and one line.
    # A test runner may ignore SIGINT, and an ignored signal stays ignored in a child:
    # give the child the default, as a shell does for a command in the foreground. The
    # interrupt comes once the command is at work (its -v log says a batch was written),
    # not while Python is still importing it.
    slow = subprocess.Popen(
        [*exe, "-v", "demo", str(tmp_path / "demo")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert slow.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = slow.stderr.readline()
        if not line or b"written" in line:
            break
    slow.send_signal(signal.SIGINT)
    _, err = slow.communicate(timeout=120)
    assert slow.returncode == 130, err
    assert b"Traceback" not in err


def test_point_11_a_bogus_kind_and_a_bare_ticket_id_say_what_to_type(hostile: Workspace) -> None:
    base = [
        "-w",
        str(hostile.root),
        "--db",
        hostile.store.engine.url.render_as_string(hide_password=False),
    ]
    code, out = _invoke(*base, "review", "list", "--kind", "bogus")
    assert code == 2
    assert "theme-label" in out
    assert "theme-system" in out
    code, out = _invoke(*base, "tickets", "show", "b")
    assert code == 2
    assert "hx:b" in out  # the ref to type
    assert "SOURCE:ID" in out


@pytest.mark.postgres
def test_point_12_every_command_reaches_postgres_with_db(postgres_url: str, tmp_path: Path) -> None:
    """The demo and then every command, each given --db (before or after the command):
    nothing ever lands in the workspace's SQLite file, and the answers come from PostgreSQL."""
    import click

    from ticketlens.store import Store

    root = tmp_path / "demo"
    sqlite_file = root / ".ticketlens" / "ticketlens.db"
    code, out = _invoke("--db", postgres_url, "demo", str(root))
    assert code == 0, out
    db = ["-w", str(root), "--db", postgres_url]
    listing = json.loads(_invoke(*db, "themes", "list", "--json")[1])
    first, second = (str(i["id"]) for i in listing["items"][:2])
    items = json.loads(_invoke(*db, "review", "list", "--json")[1])
    pending = next(i for i in items if i["state"] == "suggested")
    system_link = next(i for i in items if i["kind"] == "theme-system" and i["state"] == "approved")
    system, on = system_link["target"].split(":", 1)[1], system_link["subject"].split(":")[1]
    tickets = json.loads(_invoke(*db, "tickets", "list", "--json", "--limit", "2")[1])
    more = tmp_path / "more.csv"
    more.write_text("id,text\nX-1,my card was declined twice today\n", encoding="utf-8")
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(
        "- name: Lost cards\n  description: a card that was lost\n", encoding="utf-8"
    )
    runs = [
        ["status"],
        ["ingest", str(more)],
        ["tickets", "list"],
        ["tickets", "show", str(tickets[0]["id"])],
        ["quarantine", "list"],
        ["quarantine", "export", "-o", str(tmp_path / "rejected")],
        ["settings"],
        ["imports"],
        ["audit", "--limit", "3"],
        ["themes", "list"],
        ["themes", "show", first],
        ["themes", "history", first],
        ["themes", "rename", first, "Renamed on PostgreSQL", "--why", "test"],
        ["themes", "pin", first],
        ["themes", "unpin", first],
        ["themes", "annotate", first, "--type", "note", "--text", "seen"],
        ["themes", "move", str(tickets[0]["id"]), "--to", second],
        ["themes", "assign"],
        ["themes", "seed", str(taxonomy)],
        ["themes", "accept", first],  # not proposed: refused, from PostgreSQL's state
        ["themes", "dismiss", first],
        ["themes", "split", second, "--count", "2"],
        ["themes", "merge", first, "--into", second],
        ["themes", "retire", second, "--why", "test"],
        ["themes", "discover"],
        ["export", "assignments", "-o", str(tmp_path / "assignments.csv")],
        ["outcomes"],
        ["links", "suggest"],
        ["mission", "check"],
        ["mission", "show"],
        ["review", "list"],
        ["review", "show", str(pending["id"])],
        ["review", "approve", str(pending["id"])],
        ["review", "reopen", str(pending["id"])],
        ["review", "reject", str(pending["id"]), "--why", "test"],
        ["review", "edit", str(pending["id"]), "--set", "note=x"],
        ["servicemap"],
        ["servicemap", "mark", system, on, "--state", "acknowledged"],
        ["forget", "nobody@example.com", "--yes"],
        ["review", "--kind", "theme-label"],  # the walk: "q" quits at once
    ]
    # Every command of the CLI was run (init and demo above).
    names = set()

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
            if command.invoke_without_command and path:
                names.add(" ".join(path))
        else:
            names.add(" ".join(path))

    walk(cli, [])
    seen = set()
    for n, args in enumerate(runs):
        # Half the runs give the global options after the command (13.8).
        argv = [*db, *args] if n % 2 else [*args, *db]
        code, out = _invoke(*argv, stdin="q\n")
        assert code in (0, 2), (args, out)
        assert "ticketlens.toml" not in out, (args, out)
        assert not sqlite_file.exists(), args
        seen.add(" ".join(args[:2]) if " ".join(args[:2]) in names else args[0])
    assert names - seen - {"init", "demo"} == set()  # init and demo: above
    store = Store(postgres_url)
    try:
        from sqlalchemy import func, select

        from ticketlens.store.schema import AuditEvent

        with store.session() as s:
            assert (s.scalar(select(func.count()).select_from(AuditEvent)) or 0) > 100
    finally:
        store.close()


@pytest.mark.real_models
def test_point_13_discover_texts_separates_a_tiny_input_or_says_why_not() -> None:
    from ticketlens.themes import discover_texts

    cards = [
        "my new card has not arrived",
        "where is my new card",
        "card still not delivered",
        "I ordered a card weeks ago and nothing came",
        "when will my replacement card arrive",
    ]
    logins = [
        "I cannot log in to the app",
        "login fails with wrong password",
        "reset my password please",
        "locked out of my account after login attempts",
        "the app says my password is invalid",
    ]
    found = discover_texts(cards + logins)
    assert len(found.themes) == 2
    card_theme, login_theme = found.assignments[0], found.assignments[5]
    assert card_theme != login_theme
    assert list(found.assignments) == [card_theme] * 5 + [login_theme] * 5  # none mixed
    labels = {t.number: t.label for t in found.themes}
    assert "card" in labels[card_theme].lower()
    assert "card" not in labels[login_theme].lower()
    assert found.notes == ()
    (why,) = discover_texts(["my card has not arrived", "where is my new card"] * 3).notes
    assert "2 distinct text(s)" in why
    (why,) = discover_texts(["hi", "hello"]).notes
    assert "themes.min_size" in why
