"""Generic ingest: nothing lost, nothing duplicated, bad rows kept aside with their reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ticketlens import pipeline
from ticketlens.errors import IngestError, UnreadableFile
from ticketlens.quarantine import list_quarantine
from ticketlens.store.schema import Message, Requester, Ticket
from ticketlens.tickets import get_ticket
from ticketlens.workspace import Workspace

from .conftest import FIXTURES

MESSY = FIXTURES / "cp1252_messy.csv"


def ticket_count(ws: Workspace) -> int:
    with ws.store.session() as s:
        return s.scalar(select(func.count()).select_from(Ticket)) or 0


def bodies(ws: Workspace) -> dict[str, str]:
    with ws.store.session() as s:
        return dict(s.execute(select(Ticket.external_id, Ticket.body)).all())


def test_messy_cp1252_file_loses_nothing(workspace: Workspace) -> None:
    result = pipeline.ingest(workspace, [MESSY], format="csv")
    c = result.counts
    assert (c.read, c.new, c.updated, c.unchanged, c.quarantined) == (8, 5, 0, 0, 3)

    stored = bodies(workspace)
    assert sorted(stored) == ["1001", "1002", "1006", "1007", "1008"]
    # Decoded as cp1252, not mangled; escaped quotes and the multi-line field intact.
    assert stored["1001"] == "My card was declined at the café, twice"
    assert stored["1002"] == 'The transfer to my landlord hasn\'t arrived "yet"'
    assert stored["1006"] == "App keeps logging me out;\nI have to re-verify every time"
    assert stored["1008"] == "Refund not showing up — it's been a week"

    rejected = {(q["row"], q["field"]): q for q in list_quarantine(workspace)}
    assert set(rejected) == {(4, None), (5, "created_at"), (6, "text")}
    assert rejected[(4, None)]["reason"].startswith("broken quoting")
    assert "2€" in rejected[(4, None)]["raw"]  # raw kept so the row can be fixed
    assert rejected[(5, "created_at")]["reason"] == "unparseable date 'yesterday-ish'"
    assert rejected[(6, "text")]["reason"] == "empty text"
    assert all(q["file"] == str(MESSY) for q in rejected.values())


def test_reimport_changes_nothing(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [MESSY], format="csv")
    before_tickets = bodies(workspace)
    before_quarantine = list_quarantine(workspace)

    again = pipeline.ingest(workspace, [MESSY], format="csv").counts
    assert (again.new, again.updated, again.unchanged, again.quarantined) == (0, 0, 5, 3)
    assert bodies(workspace) == before_tickets
    assert list_quarantine(workspace) == before_quarantine


def test_changed_ticket_is_updated_not_duplicated(workspace: Workspace, tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    first.write_text("id,text\n1,Card declined\n2,Transfer late\n", encoding="utf-8")
    pipeline.ingest(workspace, [first])
    second = tmp_path / "b.csv"
    second.write_text(
        "id,text\n1,Card declined again\n2,Transfer late\n3,New one\n", encoding="utf-8"
    )
    c = pipeline.ingest(workspace, [second]).counts
    assert (c.new, c.updated, c.unchanged) == (1, 1, 1)
    assert bodies(workspace) == {"1": "Card declined again", "2": "Transfer late", "3": "New one"}


def test_naive_timestamps_are_read_in_the_workspace_time_zone(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, values={"workspace.timezone": "Europe/London"})
    ws = Workspace.open(root, environ={})
    path = tmp_path / "t.csv"
    path.write_text(
        "id,text,created_at\n1,summer,2026-07-01 09:00\n2,winter,2026-01-15 09:00\n"
        "3,explicit,2026-07-01T09:00:00Z\n",
        encoding="utf-8",
    )
    pipeline.ingest(ws, [path])
    with ws.store.session() as s:
        created = dict(s.execute(select(Ticket.external_id, Ticket.created_at)).all())
    assert created["1"].isoformat() == "2026-07-01T08:00:00+00:00"  # BST = UTC+1
    assert created["2"].isoformat() == "2026-01-15T09:00:00+00:00"  # GMT = UTC
    assert created["3"].isoformat() == "2026-07-01T09:00:00+00:00"
    ws.close()


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("latin-1", b"")],
)
def test_encodings_are_detected(
    sqlite_workspace: Workspace, tmp_path: Path, encoding: str, bom: bytes
) -> None:
    text = "Ça coûte 5 € à Zürich" if encoding != "latin-1" else "Ça coûte 5 ¤ à Zürich"
    path = tmp_path / "t.csv"
    path.write_bytes(bom + f"id,text\n1,{text}\n".encode(encoding))
    pipeline.ingest(sqlite_workspace, [path])
    assert bodies(sqlite_workspace) == {"1": text}


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(
    sqlite_workspace: Workspace, tmp_path: Path, delimiter: str
) -> None:
    path = tmp_path / "t.csv"
    rows = [["Ticket ID", "Description", "Created"], ["7", "Card, not; working", "2026-02-01"]]
    lines = [
        delimiter.join(f'"{v}"' if delimiter in v or "," in v or ";" in v else v for v in r)
        for r in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pipeline.ingest(sqlite_workspace, [path], format="csv")
    assert bodies(sqlite_workspace) == {"7": "Card, not; working"}


def test_common_columns_custom_fields_tags_and_map(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Ticket Number,Subject,Customer Message,Status,Via,Labels,Satisfaction,Plan,Region\n"
        'Z-1,Login,Cannot log in,Solved,Chat,"login, mobile|ios",5,Pro,EU\n',
        encoding="utf-8",
    )
    pipeline.ingest(
        sqlite_workspace, [path], source="zendesk", mapping={"text": "Customer Message"}
    )
    ticket = get_ticket(sqlite_workspace, "zendesk:Z-1")
    assert ticket["text"] == "Cannot log in"
    assert ticket["subject"] == "Login"
    assert (ticket["status"], ticket["channel"], ticket["csat"]) == ("solved", "chat", 5)
    assert ticket["tags"] == ["login", "mobile", "ios"]
    assert ticket["custom_fields"] == {"Plan": "Pro", "Region": "EU"}


def test_map_rejects_unknown_field() -> None:
    from ticketlens.ingest import parse_mapping

    with pytest.raises(IngestError, match="unknown field 'txt'"):
        parse_mapping(["txt=Body"])
    with pytest.raises(IngestError, match="FIELD=COLUMN"):
        parse_mapping(["text"])


def test_missing_id_gets_a_stable_content_hash(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "noid.csv"
    path.write_text("text\nCard declined\nTransfer late\nCard declined\n", encoding="utf-8")
    c = pipeline.ingest(workspace, [path]).counts
    # The repeated row has the same content, hence the same id: one ticket, counted unchanged.
    assert (c.read, c.new, c.unchanged) == (3, 2, 1)
    ids = set(bodies(workspace))
    assert all(i.startswith("h") and len(i) == 25 for i in ids)
    assert pipeline.ingest(workspace, [path]).counts.new == 0
    assert set(bodies(workspace)) == ids


def test_wrong_types_are_quarantined(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "types.csv"
    path.write_text(
        "id,text,csat,reopens\n1,ok,5,0\n2,bad csat,9,0\n3,bad csat,great,0\n4,bad reopens,3,-1\n"
        "5,bad reopens,3,1.5\n",
        encoding="utf-8",
    )
    c = pipeline.ingest(workspace, [path]).counts
    assert (c.new, c.quarantined) == (1, 4)
    reasons = {q["row"]: (q["field"], q["reason"]) for q in list_quarantine(workspace)}
    assert reasons == {
        3: ("csat", "CSAT must be 1-5, got '9'"),
        4: ("csat", "CSAT must be a whole number, got 'great'"),
        5: ("reopens", "reopens cannot be negative, got '-1'"),
        6: ("reopens", "reopens must be a whole number, got '1.5'"),
    }


def test_unterminated_quote_does_not_swallow_the_rest(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "open_quote.csv"
    lines = ["id,text", '1,"never closed', *[f"{i},row {i}" for i in range(2, 12)]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    c = pipeline.ingest(workspace, [path]).counts
    assert (c.read, c.new, c.quarantined) == (11, 10, 1)
    (bad,) = list_quarantine(workspace)
    assert (bad["row"], bad["raw"]) == (2, '1,"never closed')
    assert "quote" in bad["reason"]


def test_wrong_field_count_is_quarantined(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "count.csv"
    path.write_text(
        "id,text,channel\n1,fine,email\n2,too,many,fields\n3,short\n4,ok,chat,\n", encoding="utf-8"
    )
    c = pipeline.ingest(sqlite_workspace, [path]).counts
    assert (c.new, c.quarantined) == (2, 2)
    reasons = sorted((q["row"], q["reason"]) for q in list_quarantine(sqlite_workspace))
    assert reasons == [(3, "expected 3 fields, found 4"), (4, "expected 3 fields, found 2")]


def test_jsonl_and_json_with_threads(workspace: Workspace, tmp_path: Path) -> None:
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "id": "a",
                "messages": [
                    {
                        "role": "customer",
                        "author": "Ann@Example.com",
                        "body": "Card declined",
                        "created_at": "2026-01-01T10:00:00Z",
                    },
                    {"role": "agent", "author": "Sam", "body": "Looking into it"},
                ],
                "requester": "ann@example.com ",
            }
        )
        + "\n"
        + "{not json}\n"
        + "[1, 2]\n"
        + json.dumps({"id": "b", "text": "Late transfer"})
        + "\n",
        encoding="utf-8",
    )
    wrapped = tmp_path / "t.json"
    wrapped.write_text(
        json.dumps(
            {
                "count": 2,
                "tickets": [
                    {
                        "id": "c",
                        "description": "Fee charged",
                        "tags": ["fees", "card"],
                        "csat": 4.0,
                    },
                    {"id": "d", "description": ""},
                ],
            }
        ),
        encoding="utf-8",
    )
    c = pipeline.ingest(workspace, [jsonl, wrapped], source="api").counts
    assert (c.read, c.new, c.quarantined) == (6, 3, 3)
    a = get_ticket(workspace, "api:a")
    # The text comes from the first customer message; the customer author is pseudonymised
    # to the same key as the requester.
    assert a["text"] == "Card declined"
    assert [m["body"] for m in a["messages"]] == ["Card declined", "Looking into it"]
    assert a["messages"][0]["author"] == a["requester"] != "ann@example.com"
    assert a["messages"][1]["author"] == "Sam"
    c_ticket = get_ticket(workspace, "api:c")
    assert (c_ticket["tags"], c_ticket["csat"]) == (["fees", "card"], 4)
    reasons = sorted(
        (Path(q["file"]).name, q["row"], q["reason"]) for q in list_quarantine(workspace)
    )
    assert reasons == [
        ("t.json", 2, "empty text"),
        ("t.jsonl", 2, "invalid JSON (Expecting property name enclosed in double quotes)"),
        ("t.jsonl", 3, "not a JSON object"),
    ]
    with workspace.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 2
        assert s.scalar(select(func.count()).select_from(Requester)) == 1


def test_thread_is_replaced_when_a_ticket_changes(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "t.jsonl"
    one = {"id": "x", "messages": [{"role": "customer", "body": "Hi"}]}
    path.write_text(json.dumps(one) + "\n", encoding="utf-8")
    pipeline.ingest(sqlite_workspace, [path])
    one["messages"].append({"role": "agent", "body": "Hello"})
    path.write_text(json.dumps(one) + "\n", encoding="utf-8")
    assert pipeline.ingest(sqlite_workspace, [path]).counts.updated == 1
    assert [m["body"] for m in get_ticket(sqlite_workspace, "default:x")["messages"]] == [
        "Hi",
        "Hello",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("empty.csv", b"", "the file is empty"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("nocol.csv", b"id,when\n1,2026-01-01\n", "no text column"),
        ("bad.json", b"{oops", "not valid JSON"),
        ("scalar.json", b"42", "no array of tickets"),
        ("notes.txt", b"id,text\n1,x\n", "cannot tell the format"),
    ],
)
def test_unreadable_file_fails_before_writing(
    sqlite_workspace: Workspace, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("id,text\n1,fine\n", encoding="utf-8")
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message):
        pipeline.ingest(sqlite_workspace, [path])
    assert ticket_count(sqlite_workspace) == 0
    if content is None:  # a path that does not exist stops an import of several files too
        with pytest.raises(UnreadableFile, match=message):
            pipeline.ingest(sqlite_workspace, [good, path])
        assert ticket_count(sqlite_workspace) == 0  # the good file did not land either
        return
    # Among several files (a folder, a glob), the unreadable one is skipped, saying why.
    report = pipeline.ingest(sqlite_workspace, [good, path])
    assert ticket_count(sqlite_workspace) == 1
    assert re.search(message, report.imported.skipped[str(path)])
