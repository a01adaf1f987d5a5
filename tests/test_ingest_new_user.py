"""What a new user hit importing real exports (issue 12): each point, held by a test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from ticketlens import pipeline
from ticketlens.ingest._csv import MAX_FIELD_CHARS
from ticketlens.quarantine import list_quarantine
from ticketlens.tickets import get_ticket
from ticketlens.workspace import Workspace


def long_body(chars: int) -> str:
    """A quoted body of about ``chars`` characters over many lines, with quotes inside."""
    line = 'Steps: run ""npm start"", then open the panel and it crashes again\n'
    return (line * (chars // len(line) + 1))[:chars]


def test_point_4_a_long_field_imports_and_one_record_is_one_row(
    workspace: Workspace, tmp_path: Path
) -> None:
    body = long_body(208_000)  # ~3,000 lines, as in the NLBSE'24 issues
    path = tmp_path / "issues.csv"
    text = (
        "id,title,body\n"
        f'1,Crash on start,"{body}"\n'
        "2,Short one,works fine after the update\n"
        '3,"Stray quote,the quote above never closes\n'
        "4,After the stray,still imported\n"
    )
    path.write_text(text, encoding="utf-8")
    stray_line = text.splitlines().index('3,"Stray quote,the quote above never closes') + 1
    counts = pipeline.ingest(workspace, [path], source="gh").counts
    assert (counts.read, counts.new, counts.quarantined) == (4, 3, 1)
    stored = get_ticket(workspace, "gh:1")
    assert len(stored["text"]) >= 200_000
    (bad,) = list_quarantine(workspace)
    assert bad["row"] == stray_line  # the line the record starts on; it costs one line
    assert "broken quoting" in bad["reason"]


def test_point_4_a_field_past_the_limit_is_quarantined_once_saying_so(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    huge = "x" * (MAX_FIELD_CHARS + 10)
    path.write_text(f'id,text\n1,"{huge}\nmore"\n2,next row\n3,and another\n', encoding="utf-8")
    counts = pipeline.ingest(sqlite_workspace, [path]).counts
    assert (counts.read, counts.new, counts.quarantined) == (3, 2, 1)
    (bad,) = list_quarantine(sqlite_workspace)
    assert bad["row"] == 2
    assert f"longer than {MAX_FIELD_CHARS:,} characters" in bad["reason"]


@pytest.mark.shared_data
def test_point_4_the_nlbse24_issues_import_whole(sqlite_workspace: Workspace) -> None:
    source = SHARED_DATA / "github_issues_nlbse24" / "issues_train.csv"
    counts = pipeline.ingest(sqlite_workspace, [source], source="gh").counts
    assert counts.read == 1500  # one record, one row: 1,500 issues
    assert counts.new + counts.quarantined == 1500
    assert counts.quarantined <= 5


def test_point_5_a_truncated_json_array_keeps_its_raw_text_and_a_one_line_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    good = [{"id": i, "text": f"ticket {i} about a late card"} for i in range(3)]
    text = json.dumps(good)[:-1] + ', {"id": 9, "text": "cut off in the mid'
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    counts = pipeline.ingest(workspace, [path]).counts
    assert (counts.new, counts.quarantined) == (3, 1)
    (bad,) = list_quarantine(workspace)
    assert bad["row"] == 4
    assert "\n" not in bad["reason"]
    assert bad["reason"].startswith("invalid JSON from item 4 on (")
    assert bad["raw"].startswith('{"id": 9, "text": "cut off')


def test_point_8_a_stray_file_among_csvs_is_skipped_with_its_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "week-1.csv").write_text("id,text\n1,card not arrived\n", encoding="utf-8")
    (folder / "week-2.jsonl").write_text('{"id": "2", "text": "refund please"}\n', "utf-8")
    (folder / "notes.txt").write_text("remember to import on Mondays\n", encoding="utf-8")
    (folder / "no-text.csv").write_text("id,amount\n3,12.50\n", encoding="utf-8")
    (folder / ".hidden.csv").write_text("id,text\n9,never read\n", encoding="utf-8")

    # A folder of generic files, and the same files as a glob the shell left alone.
    report = pipeline.ingest(workspace, [folder], source="f")
    assert report.counts.new == 2
    assert sorted(Path(f).name for f in report.imported.formats) == ["week-1.csv", "week-2.jsonl"]
    assert {Path(f).name: why for f, why in report.imported.skipped.items()} == {
        "no-text.csv": "no text column among ['id', 'amount']",
        "notes.txt": "cannot tell the format",
    }
    again = pipeline.ingest(workspace, [folder / "*.csv"], source="f")
    assert (again.counts.read, again.counts.unchanged) == (1, 1)
    assert [Path(f).name for f in again.imported.skipped] == ["no-text.csv"]


def test_point_8_one_unreadable_file_alone_still_stops_the_import(
    workspace: Workspace, tmp_path: Path
) -> None:
    from ticketlens.errors import UnreadableFile

    notes = tmp_path / "notes.txt"
    notes.write_text("just notes\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="cannot tell the format"):
        pipeline.ingest(workspace, [notes])
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "notes.txt").write_text("x\n", encoding="utf-8")
    (empty / "more.txt").write_text("y\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="nothing to import"):
        pipeline.ingest(workspace, [empty])


def test_point_7_the_file_tells_the_order_of_its_dates(
    workspace: Workspace, tmp_path: Path
) -> None:
    european = tmp_path / "eu.csv"
    european.write_text(
        "id,text,created_at\n1,first,01.03.2026 09:00\n2,second,13.03.2026 10:00\n", "utf-8"
    )
    american = tmp_path / "us.csv"
    american.write_text(
        "id,text,created_at\n3,third,01/03/2026 09:00\n4,fourth,03/13/2026 10:00\n", "utf-8"
    )
    report = pipeline.ingest(workspace, [european, american])
    assert report.imported.notes == []  # each file said which order it uses
    assert get_ticket(workspace, "default:1")["created_at"].startswith("2026-03-01")
    assert get_ticket(workspace, "default:3")["created_at"].startswith("2026-01-03")


def test_point_7_ambiguous_dates_are_read_as_the_setting_says_and_noted_once(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "either.csv"
    path.write_text(
        "id,text,created_at,solved_at\n"
        "1,first,01.03.2026,02.03.2026\n2,second,04.05.2026,05.06.2026\n",
        encoding="utf-8",
    )
    report = pipeline.ingest(workspace, [path])
    (note,) = report.imported.notes
    assert "ingest.dayfirst = false" in note
    assert note.startswith(str(path))
    assert get_ticket(workspace, "default:1")["created_at"].startswith("2026-01-03")
    again = pipeline.ingest(workspace, [path])
    assert again.counts.unchanged == 2  # the same reading, the same tickets


def test_point_6_personal_columns_are_dropped_or_become_the_requester(
    workspace: Workspace, tmp_path: Path
) -> None:
    with_email = tmp_path / "kaggle-like.csv"
    with_email.write_text(
        "Ticket ID,Customer Name,Customer Email,Customer Age,Customer Gender,"
        "Product Name,Ticket Description\n"
        "1,Marisa Obrien,marisa@example.com,32,Other,GoPro Hero,my camera will not start\n",
        encoding="utf-8",
    )
    report = pipeline.ingest(workspace, [with_email], source="k")
    ticket = get_ticket(workspace, "k:1")
    assert ticket["requester"].startswith("r_")  # the email, as a keyed pseudonym
    assert ticket["custom_fields"] == {"Product Name": "GoPro Hero"}
    (note,) = report.imported.notes
    assert "3 column(s) that hold personal data were not stored" in note
    assert "Customer Name, Customer Age, Customer Gender" in note

    no_requester = tmp_path / "names-only.csv"
    no_requester.write_text(
        "id,First Name,Last Name,Phone,text\n2,Ann,Lee,+44 20 7946 0000,card declined\n"
        "3,Ann,Lee,+44 20 7946 0000,card declined again\n",
        encoding="utf-8",
    )
    pipeline.ingest(workspace, [no_requester], source="n")
    first, second = get_ticket(workspace, "n:2"), get_ticket(workspace, "n:3")
    assert first["requester"] is not None
    assert first["requester"] == second["requester"]  # repeat contacts still count
    assert first["custom_fields"] == {}


def test_point_6_keep_columns_keeps_the_named_ones(tmp_path: Path) -> None:
    from tests.conftest import init_workspace

    root = tmp_path / "ws"
    init_workspace(root)
    ws = Workspace.open(root, environ={}, overrides={"privacy.keep_columns": "Customer Age"})
    path = tmp_path / "t.csv"
    path.write_text(
        "id,text,Customer Email,Customer Age,Customer Name\n1,hello there,a@b.example,32,Ann\n",
        encoding="utf-8",
    )
    report = pipeline.ingest(ws, [path])
    assert get_ticket(ws, "default:1")["custom_fields"] == {"Customer Age": "32"}
    (note,) = report.imported.notes
    assert "1 column(s) that hold personal data were not stored: Customer Name" in note
    ws.close()


def test_point_10_dry_run_writes_nothing_and_json_says_what_would_happen(
    workspace: Workspace, tmp_path: Path
) -> None:
    from click.testing import CliRunner
    from sqlalchemy import func, select

    from ticketlens.cli import cli
    from ticketlens.store.schema import Import, QuarantinedRow, Ticket

    path = tmp_path / "week.csv"
    path.write_text("id,Customer Message,csat\n1,card not arrived,5\n2,refund please,9\n", "utf-8")
    url = workspace.store.engine.url.render_as_string(hide_password=False)
    base = ["-w", str(workspace.root), "--db", url]
    args = ["ingest", str(path), "--map", "text=Customer Message", "--source", "web"]
    dry = CliRunner().invoke(cli, [*base, *args, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    said = json.loads(dry.stdout)
    assert said["dry_run"] is True
    assert said["import"] is None
    assert said["format"] == "csv"
    assert said["counts"] == {
        "read": 2,
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "threaded": 0,
        "quarantined": 1,
        "skipped": 0,
    }
    assert said["columns"][str(path)] == {
        "text": "Customer Message",
        "external_id": "id",
        "csat": "csat",
    }
    with workspace.store.session() as s:
        for table in (Ticket, Import, QuarantinedRow):
            assert s.scalar(select(func.count()).select_from(table)) == 0
    real = CliRunner().invoke(cli, [*base, *args, "--json"])
    assert json.loads(real.stdout)["counts"]["new"] == 1
    text = CliRunner().invoke(cli, [*base, *args, "--dry-run"])
    assert "Dry run, nothing written (web): read 2, new 0, updated 0, unchanged 1" in text.output


def test_point_6_columns_about_a_message_are_not_taken_for_personal_data() -> None:
    from ticketlens.ingest.normalize import personal_columns

    columns = [
        "Customer Name",
        "first_name",
        "E-mail",
        "Mobile",
        "Shipping Address",
        "Date of Birth",
        "IP",
        "Email Subject",
        "Phone Call Date",
        "Product Name",
        "Account Name",
        "Ticket ID",
    ]
    assert personal_columns(columns) == [
        "Customer Name",
        "first_name",
        "E-mail",
        "Mobile",
        "Shipping Address",
        "Date of Birth",
        "IP",
        "Account Name",
    ]


def test_point_9_quarantine_export_writes_rows_back_in_their_own_columns(
    workspace: Workspace, tmp_path: Path
) -> None:
    from sqlalchemy import func, select

    from ticketlens.quarantine import export_rejected
    from ticketlens.store.schema import Requester, Ticket

    path = tmp_path / "tickets.csv"
    path.write_text(
        "id,text,requester,created_at,Customer Name\n"
        "1,card declined again,ann@example.com,2026-03-01 10:00,Ann Lee\n"
        "2,still declined call me on +44 20 7946 0958,ann@example.com,yesterday,Ann Lee\n"
        '3,"broken,quote,bob@example.com,2026-03-02 10:00,Bob\n'
        "4,where is my card,bob@example.com,2026-03-02 11:00,Bob Ray\n",
        encoding="utf-8",
    )
    first = pipeline.ingest(workspace, [path]).counts
    assert (first.new, first.quarantined) == (2, 2)

    (exported,) = export_rejected(workspace, tmp_path / "rejected")
    assert exported.path.name == "tickets.csv"
    text = exported.path.read_text(encoding="utf-8")
    header, parsed, broken = text.splitlines()
    assert header == "id,text,requester,created_at,Customer Name"  # the file's own columns
    # Redacted as stored; the requester as its pseudonym; the name column not kept.
    assert "+44" not in parsed
    assert "[PHONE]" in parsed
    assert "ann@example.com" not in text
    assert "Ann Lee" not in text
    assert ",r_" in parsed
    assert parsed.endswith(",")
    # A row that could not be split is its raw line, redacted too (its requester with it).
    assert broken == '3,"broken,quote,[EMAIL],2026-03-02 10:00,Bob'

    # Fixed by hand (a date, the stray quote) and imported as it is.
    fixed = text.replace("yesterday", "2026-03-01 12:00").replace('"broken,quote', '"broken quote"')
    exported.path.write_text(fixed, encoding="utf-8")
    again = pipeline.ingest(workspace, [exported.path]).counts
    assert (again.new, again.quarantined) == (2, 0)
    with workspace.store.session() as s:
        # Ann's two contacts are one requester: the pseudonym was recognised, not hashed.
        per_requester = s.execute(
            select(Ticket.requester_id, func.count()).group_by(Ticket.requester_id)
        ).all()
        assert sorted(n for _, n in per_requester) == [1, 1, 2]  # Ann, Bob, "[EMAIL]"
        assert s.scalar(select(func.count()).select_from(Requester)) == 3


def test_point_9_the_cli_export_writes_a_folder(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from ticketlens.cli import cli

    path = tmp_path / "calls.jsonl"
    path.write_text('{"id": 1, "text": "ok"}\n{"id": 2, "text": ""}\n', encoding="utf-8")
    pipeline.ingest(sqlite_workspace, [path])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["--workspace", str(sqlite_workspace.root), "quarantine", "export", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "calls.jsonl").read_text(encoding="utf-8") == '{"id": 2, "text": ""}\n'
