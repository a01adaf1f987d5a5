"""The command-line interface: commands, error messages, help, output formats, safety."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from ticketlens.cli import cli
from ticketlens.cli._output import safe_terminal
from ticketlens.store import head_revision
from ticketlens.store.schema import Import, Message, QuarantinedRow, Ticket
from ticketlens.workspace import Workspace

ENV_VARS = (
    "TICKETLENS_WORKSPACE",
    "TICKETLENS_DB",
    "TICKETLENS_USER",
    "TICKETLENS_TIMEZONE",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
)
HOSTILE = "[bold red]x[/] \x1b[31mred\x1b[0m :thumbs_up: \u202eevil\u202c done"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def ws(sqlite_workspace: Workspace) -> Workspace:
    return sqlite_workspace


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=True)


def error_lines(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error:")]


def add_tickets(ws: Workspace, *bodies: str, subject: str | None = None) -> list[int]:
    """Put tickets straight into the store (independent of the importers)."""
    now = dt.datetime(2026, 7, 6, 9, 0, tzinfo=dt.UTC)
    ids = []
    with ws.store.session() as s:
        imp = Import(started_at=now, actor="tester", source="test", format="jsonl", files=[])
        s.add(imp)
        s.flush()
        for n, body in enumerate(bodies, 1):
            ticket = Ticket(
                source="test",
                external_id=f"T-{n}",
                created_at=now + dt.timedelta(hours=n),
                subject=subject,
                body=body,
                status="open",
                channel="email",
                tags=[],
                custom_fields={"plan": "gold\x1b[5m"},
                content_hash=f"{n:064d}",
                first_import_id=imp.id,
                last_import_id=imp.id,
                messages=[
                    Message(position=0, role="customer", author="c\x1b]0;x\x07", body=body),
                    Message(position=1, role="agent", author="agent", body="Thanks!"),
                ],
            )
            s.add(ticket)
            s.flush()
            ids.append(ticket.id)
    return ids


def add_quarantined(ws: Workspace, raw: str, reason: str) -> None:
    now = dt.datetime(2026, 7, 6, 9, 0, tzinfo=dt.UTC)
    with ws.store.session() as s:
        imp = Import(started_at=now, actor="tester", source="test", format="csv", files=["a.csv"])
        s.add(imp)
        s.flush()
        s.add(
            QuarantinedRow(
                fingerprint="f" * 64,
                import_id=imp.id,
                source="test",
                file="a.csv",
                row=3,
                field="created_at",
                reason=reason,
                raw=raw,
                created_at=now,
            )
        )


# --- init and status ---------------------------------------------------------------------


def test_init_then_status_json_shows_an_empty_workspace(
    runner: CliRunner, tmp_path: Path, db_url: str
) -> None:
    root = tmp_path / "team"
    result = run(runner, "init", str(root), "--timezone", "Europe/London")
    assert result.exit_code == 0, result.output
    assert "Created workspace" in result.output
    assert (root / "ticketlens.toml").is_file()

    result = run(runner, "-w", str(root), "--db", db_url, "status", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert isinstance(info, dict)
    assert info["tickets"] == 0
    assert info["imports"] == info["quarantined"] == info["audit_events"] == 0
    assert info["timezone"] == "Europe/London"
    assert info["schema_revision"] == head_revision()
    assert info["last_import"] is None
    assert info["themes"] is None


def test_status_finds_the_workspace_from_cwd(
    runner: CliRunner, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tickets(ws, "one", "two")
    (ws.root / "sub").mkdir()
    monkeypatch.chdir(ws.root / "sub")
    result = run(runner, "status", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tickets"] == 2
    text = run(runner, "status")
    assert text.exit_code == 0, text.output
    assert "Tickets" in text.stdout
    assert "[test: 2]" in text.stdout


def test_init_with_a_bad_timezone_is_a_user_error_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = run(runner, "init", str(tmp_path / "ws"), "--timezone", "Mars/Base")
    assert result.exit_code == 2
    [line] = error_lines(result)
    assert "workspace.timezone" in line
    assert "Mars/Base" in line
    assert not (tmp_path / "ws" / "ticketlens.toml").exists()


# --- user errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["status"], "no ticketlens.toml"),
        (["-w", "{ws}", "tickets", "show", "999"], "no ticket '999'"),
        (["-w", "{ws}", "tickets", "show", "nonsense"], "no ticket 'nonsense'"),
        (["-w", "{ws}", "--db", "notaurl", "status"], "not a database URL"),
        (["-w", "{ws}", "--db", "mysql://u:p@h/db", "status"], "unsupported database"),
        (
            ["-w", "{ws}", "--db", "postgresql://u:hunter2@127.0.0.1:1/x", "status"],
            "cannot open database",
        ),
        (["-w", "{ws}", "ingest", "--format", "xml", "{ws}/x.xml"], "Invalid value for '--format'"),
        (["-w", "{ws}", "ingest", "{ws}/missing.csv"], "missing.csv"),
        (["-w", "{ws}", "ingest", "--map", "nosuchfield=Col", "{ws}/x.csv"], "unknown field"),
        (["-w", "{ws}", "nosuchcommand"], "No such command"),
        (["-w", "{broken}", "status"], "ticketlens.toml"),
    ],
    ids=lambda v: " ".join(v).replace("-w {ws} ", "") if isinstance(v, list) else None,
)
def test_user_errors_exit_2_with_one_error_line_and_no_traceback(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    needle: str,
) -> None:
    root = tmp_path / "ws"
    Workspace.init(root)
    (root / "x.csv").write_text("id,text\n1,hello\n", encoding="utf-8")
    broken = tmp_path / "broken"
    Workspace.init(broken)
    (broken / "ticketlens.toml").write_text("[workspace\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no workspace here or above

    result = run(runner, *(a.format(ws=root, broken=broken) for a in args))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = error_lines(result)
    assert len(lines) == 1, result.output
    assert needle in lines[0]
    assert "Traceback" not in result.output
    assert "hunter2" not in result.output
    assert result.stdout == ""  # errors and usage go to stderr


def test_settings_error_from_environment_is_a_user_error(
    runner: CliRunner, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TICKETLENS_TIMEZONE", "Mars/Base")
    result = run(runner, "-w", str(ws.root), "status")
    assert result.exit_code == 2
    assert error_lines(result) == [
        "Error: environment TICKETLENS_TIMEZONE: workspace.timezone = 'Mars/Base': "
        "unknown time zone (use an IANA name such as UTC or Europe/London)"
    ]


# --- help --------------------------------------------------------------------------------


def walk(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


COMMANDS = list(walk(cli))


def test_the_walk_finds_the_known_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"init", "ingest", "status", "tickets list", "tickets show", "quarantine list"} <= names


HELP_CASES = [
    pytest.param((), cli, id="ticketlens"),
    *(pytest.param(path, command, id=" ".join(path)) for path, command in COMMANDS),
]


@pytest.mark.parametrize(("path", "command"), HELP_CASES)
def test_every_command_has_help_with_an_example(
    runner: CliRunner, path: tuple[str, ...], command: click.Command
) -> None:
    result = run(runner, *path, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    assert (command.help or "").strip(), f"{path} has no help text"
    assert (command.short_help or command.get_short_help_str()).strip()
    if isinstance(command, click.Group) and path:
        return  # a sub-group only lists its commands; each of them has an example
    assert "Example:" in result.output, f"'{' '.join(path)} --help' shows no example"
    example = result.output.split("Example:", 1)[1].strip().splitlines()[0].strip()
    assert example.startswith("ticketlens "), example
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"{path} option {param.opts} has no help"


def test_version(runner: CliRunner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert "0.1.0" in result.output


# --- machine-readable output -------------------------------------------------------------

TRICKY = 'a "quoted", comma\nand a newline; ünïcödé'


def test_tickets_list_json(runner: CliRunner, ws: Workspace) -> None:
    ids = add_tickets(ws, "first", TRICKY)
    result = run(runner, "-w", str(ws.root), "tickets", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ids[::-1]  # newest first
    assert rows[0]["text"] == TRICKY
    assert rows[0]["created_at"] == "2026-07-06T11:00:00+00:00"
    limited = json.loads(
        run(runner, "-w", str(ws.root), "tickets", "list", "--json", "--limit", "1").stdout
    )
    assert [r["id"] for r in limited] == [ids[1]]


def test_tickets_list_json_on_an_empty_workspace(runner: CliRunner, ws: Workspace) -> None:
    result = run(runner, "-w", str(ws.root), "tickets", "list", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_tickets_list_csv(runner: CliRunner, ws: Workspace) -> None:
    add_tickets(ws, "first", TRICKY)
    result = run(runner, "-w", str(ws.root), "tickets", "list", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "id",
        "source",
        "external_id",
        "created_at",
        "channel",
        "status",
        "text",
    ]
    assert [r["text"] for r in rows] == [TRICKY, "first"]
    assert [r["external_id"] for r in rows] == ["T-2", "T-1"]


def test_tickets_list_table(runner: CliRunner, ws: Workspace) -> None:
    add_tickets(ws, HOSTILE)
    result = run(runner, "-w", str(ws.root), "tickets", "list")
    assert result.exit_code == 0, result.output
    assert "T-1" in result.stdout
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout


def test_quarantine_list_json_and_csv(runner: CliRunner, ws: Workspace) -> None:
    add_quarantined(ws, raw='1,"oops, bad date",yesterday', reason="unreadable date 'yesterday'")
    result = run(runner, "-w", str(ws.root), "quarantine", "list", "--json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["file"] == "a.csv"
    assert (row["row"], row["field"]) == (3, "created_at")
    assert row["reason"] == "unreadable date 'yesterday'"
    assert row["raw"] == '1,"oops, bad date",yesterday'

    result = run(runner, "-w", str(ws.root), "quarantine", "list", "--csv")
    assert result.exit_code == 0, result.output
    [csv_row] = csv.DictReader(io.StringIO(result.stdout))
    assert csv_row == {
        "id": str(row["id"]),
        "file": "a.csv",
        "row": "3",
        "field": "created_at",
        "reason": "unreadable date 'yesterday'",
    }


def test_quarantine_list_json_on_an_empty_workspace(runner: CliRunner, ws: Workspace) -> None:
    result = run(runner, "-w", str(ws.root), "quarantine", "list", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


# --- untrusted text on a terminal --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\u202eb", "a\\u202eb"),
        ("a\u2066b\u2069", "a\\u2066b\\u2069"),
        ("over\rwrite", "over\\x0dwrite"),
        ("bell\x07", "bell\\x07"),
        ("csi\x9b2J", "csi\\x9b2J"),
        ("del\x7f", "del\\x7f"),
        ("nul\x00", "nul\\x00"),
        ("line one\nline\ttwo", "line one\nline\ttwo"),
        ("ünïcödé 中文 👍", "ünïcödé 中文 👍"),
        ("[bold]x[/]", "[bold]x[/]"),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_terminal(raw: object, shown: str) -> None:
    assert safe_terminal(raw) == shown


def test_tickets_show_prints_hostile_text_literally(runner: CliRunner, ws: Workspace) -> None:
    [ticket_id] = add_tickets(ws, HOSTILE, subject="subj \x1b[2J")
    result = run(runner, "-w", str(ws.root), "tickets", "show", str(ticket_id))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "\x07" not in out
    assert "[bold red]x[/]" in out  # not interpreted as console markup
    assert ":thumbs_up:" in out  # not turned into an emoji
    assert "\\x1b[31mred\\x1b[0m" in out
    assert "\\u202eevil\\u202c" in out
    assert "subj \\x1b[2J" in out
    assert "gold\\x1b[5m" in out
    assert "c\\x1b]0;x\\x07" in out
    assert out.count("[bold red]x[/]") == 2  # ticket text and the first message
    assert "Thanks!" in out


def test_tickets_show_by_source_and_external_id_and_json(runner: CliRunner, ws: Workspace) -> None:
    add_tickets(ws, HOSTILE)
    result = run(runner, "-w", str(ws.root), "tickets", "show", "test:T-1", "--json")
    assert result.exit_code == 0, result.output
    ticket = json.loads(result.stdout)
    assert ticket["text"] == HOSTILE  # JSON is for programs: the exact text
    assert [m["position"] for m in ticket["messages"]] == [0, 1]


# --- the installed console script --------------------------------------------------------


def test_installed_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("ticketlens")
    assert script.is_file(), f"{script} missing: is the package installed?"
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    root = tmp_path / "team"
    init = subprocess.run(
        [str(script), "init", str(root)], capture_output=True, text=True, env=env, timeout=60
    )
    assert init.returncode == 0, init.stderr
    status = subprocess.run(
        [str(script), "-w", str(root), "status", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["tickets"] == 0
    missing = subprocess.run(
        [str(script), "-w", str(root), "tickets", "show", "999"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("Error: no ticket '999'")
    assert "Traceback" not in missing.stderr


def test_os_errors_are_one_line_user_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "ws")]).exit_code == 0
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    target = a_file / "rejected"  # a folder cannot be made inside a file
    result = runner.invoke(
        cli, ["--workspace", str(tmp_path / "ws"), "quarantine", "export", "-o", str(target)]
    )
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {target}: Not a directory"


def test_ingest_says_which_format_it_detected(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "ws")]).exit_code == 0
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("id,text\n1,Card declined\n", encoding="utf-8")
    twcs = Path(__file__).parent / "fixtures" / "twcs_threads.csv"
    result = runner.invoke(
        cli, ["--workspace", str(tmp_path / "ws"), "ingest", str(tickets), str(twcs)]
    )
    assert f"{tickets}: read as csv" in result.output
    assert f"{twcs}: read as twcs" in result.output
