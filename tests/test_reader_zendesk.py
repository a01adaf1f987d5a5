"""The Zendesk reader: full JSON export, API lists and Incremental Export pages."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ticketlens import pipeline
from ticketlens.errors import UnreadableFile
from ticketlens.ingest import BadRow, RawRow, detect_reader, register_reader
from ticketlens.ingest._zendesk import ZendeskReader
from ticketlens.quarantine import list_quarantine
from ticketlens.tickets import get_ticket
from ticketlens.workspace import Workspace

from .conftest import FIXTURES

register_reader(ZendeskReader)

EXPORT = FIXTURES / "zendesk" / "export.json"
PAGES = FIXTURES / "zendesk" / "incremental"


def ticket(ws: Workspace, zendesk_id: int) -> dict[str, Any]:
    return get_ticket(ws, f"zendesk:{zendesk_id}")


def thread(t: dict[str, Any]) -> list[tuple[str | None, str | None, str | None, str]]:
    """(time, role, author, body) of every message, in order."""
    return [(m["created_at"], m["role"], m["author"], m["body"]) for m in t["messages"]]


def counts(ws: Workspace, path: Path) -> tuple[int, int, int, int, int, int]:
    c = pipeline.ingest(ws, [path], format="zendesk", source="zendesk").counts
    return (c.read, c.new, c.updated, c.unchanged, c.quarantined, c.skipped)


def quarantined(ws: Workspace) -> list[tuple[str, int | None, str | None, str]]:
    return [(Path(q["file"]).name, q["row"], q["field"], q["reason"]) for q in list_quarantine(ws)]


def test_full_export_with_comments_and_metric_sets(workspace: Workspace) -> None:
    assert counts(workspace, EXPORT) == (3, 2, 0, 0, 1, 0)

    card = ticket(workspace, 1001)
    assert card["text"] == "My card was declined twice at checkout, but the money left my account."
    assert (card["subject"], card["status"], card["channel"], card["priority"]) == (
        "Card declined at checkout",
        "solved",
        "email",
        "high",
    )
    assert card["created_at"] == "2026-03-02T09:15:00+00:00"
    # created_at + reply_time_in_minutes.calendar (47), i.e. the first public agent reply.
    assert card["first_response_at"] == "2026-03-02T10:02:00+00:00"
    assert card["solved_at"] == "2026-03-03T08:45:00+00:00"
    assert (card["reopens"], card["handoffs"], card["csat"]) == (0, 1, 5)  # 2 group stations
    assert card["group"] is None  # no groups side-loaded in a full export
    assert card["tags"] == ["card_declined", "refund"]
    customer = card["requester"]
    assert customer is not None
    assert customer != "366001"  # pseudonymised
    # The private note (comment 5002) is not part of the thread.
    assert thread(card) == [
        (
            "2026-03-02T09:15:00+00:00",
            "customer",
            customer,
            "My card was declined twice at checkout, but the money left my account.",
        ),
        (
            "2026-03-02T10:02:00+00:00",
            "agent",
            "90017",
            "Hi Dana, those are temporary holds and drop off within three working days. "
            "I have asked the bank to release them today.",
        ),
        ("2026-03-03T08:30:00+00:00", "customer", customer, "Thanks, the holds are gone."),
        (
            "2026-03-03T08:45:00+00:00",
            "agent",
            "90017",
            "Great, glad it is sorted. Closing this one.",
        ),
    ]
    assert card["custom_fields"] == {
        "type": "incident",
        "updated_at": "2026-03-03T16:40:12Z",
        "assignee_id": 90017,
        "group_id": 4401,
        "brand_id": 360002,
        "ticket_form_id": 360001,
        "via_channel": "email",
        "field_360011": "card_payments",
        "field_360013": True,
        "replies": 2,
        "group_stations": 2,
        "assignee_stations": 1,
        "reply_time_calendar_minutes": 47,
        "reply_time_business_minutes": 47,
        "first_resolution_time_calendar_minutes": 1410,
        "first_resolution_time_business_minutes": 525,
        "full_resolution_time_calendar_minutes": 1410,
        "full_resolution_time_business_minutes": 525,
        "satisfaction": "good",
        "satisfaction_comment": "Sorted quickly, thanks!",
        "private_comments": 1,
    }

    app = ticket(workspace, 1002)
    # No metric set: the first response is the first agent comment after the customer's.
    assert app["first_response_at"] == "2026-03-04T15:30:00+00:00"
    assert (app["solved_at"], app["reopens"], app["handoffs"], app["csat"]) == (
        None,
        None,
        None,
        None,
    )
    assert [m["role"] for m in app["messages"]] == ["customer", "agent", "customer"]
    # An empty body falls back to html_body, tags stripped and entities decoded.
    assert app["messages"][2]["body"] == "iPhone 15, version 8.2.1 & iOS 19."
    assert app["custom_fields"] == {
        "type": "question",
        "updated_at": "2026-03-04T15:42:00Z",
        "external_id": "APP-2231",
        "assignee_id": 90018,
        "organization_id": 5501,
        "brand_id": 360002,
        "ticket_form_id": 360001,
        "via_channel": "web",
        "field_360011": "app_login",
        "field_360014": ["ios", "android"],
        "satisfaction": "unoffered",
    }
    assert app["requester"] not in (None, customer)

    assert quarantined(workspace) == [
        ("export.json", 3, "created_at", "unparseable date '2026-02-30T11:00:00Z'")
    ]
    assert counts(workspace, EXPORT) == (3, 0, 0, 2, 1, 0)


def test_incremental_pages_with_side_loads(workspace: Workspace) -> None:
    # 2001 is in both pages: only its later version (page 2) is read, the older one is
    # skipped saying so. Page 3 was cut off in the middle of ticket 2005: 2004 loads, the
    # rest is one bad row.
    assert counts(workspace, PAGES) == (6, 4, 0, 0, 1, 1)

    transfer = ticket(workspace, 2001)
    assert transfer["text"] == (
        "I sent my rent on Friday and my landlord still has not received it."
    )
    assert (transfer["status"], transfer["channel"], transfer["priority"]) == (
        "solved",
        "chat",
        "urgent",
    )
    assert transfer["created_at"] == "2026-03-03T07:50:00+00:00"
    assert transfer["first_response_at"] == "2026-03-03T08:02:00+00:00"  # + 12 minutes
    assert transfer["solved_at"] == "2026-03-04T11:20:00+00:00"
    assert (transfer["reopens"], transfer["handoffs"], transfer["csat"]) == (1, 2, 1)
    assert (transfer["group"], transfer["language"]) == ("Payments L2", "en-GB")
    assert transfer["tags"] == ["transfer_delay", "escalated"]
    assert transfer["messages"] == []  # incremental exports carry no comments
    assert transfer["custom_fields"] == {
        "type": "problem",
        "updated_at": "2026-03-04T11:20:00Z",
        "assignee_id": 90021,
        "group_id": 4402,
        "brand_id": 360002,
        "ticket_form_id": 360001,
        "via_channel": "chat",
        "field_360011": "transfers",
        "replies": 4,
        "group_stations": 3,
        "assignee_stations": 2,
        "reply_time_calendar_minutes": 12,
        "reply_time_business_minutes": 12,
        "first_resolution_time_calendar_minutes": 75,
        "first_resolution_time_business_minutes": 75,
        "full_resolution_time_calendar_minutes": 1650,
        "full_resolution_time_business_minutes": 570,
        "satisfaction": "bad",
        "satisfaction_comment": "Had to chase it twice.",
    }

    # Side-loads after the tickets (page 1) join as well as those before them (page 2).
    login = ticket(workspace, 2002)
    assert (login["group"], login["language"], login["status"]) == ("Payments L1", "fr", "open")
    assert (login["first_response_at"], login["solved_at"]) == (None, None)  # no reply yet
    assert (login["reopens"], login["handoffs"], login["csat"]) == (0, 0, None)
    assert login["custom_fields"]["field_360013"] is False
    assert login["custom_fields"]["satisfaction"] == "unoffered"

    call = ticket(workspace, 2003)
    assert (call["channel"], call["custom_fields"]["via_channel"]) == ("phone", "voice")
    assert call["first_response_at"] == call["created_at"] == "2026-03-04T16:00:00+00:00"
    assert (call["csat"], call["handoffs"], call["group"]) == (1, 0, "Payments L2")
    assert call["language"] is None  # requester 366103 is not side-loaded

    cut = ticket(workspace, 2004)
    assert (cut["text"], cut["status"], cut["reopens"]) == (
        "Where is my new card? It was due on Monday.",
        "new",
        None,
    )
    ((name, row, field, reason),) = quarantined(workspace)
    assert (name, row, field) == ("page-3.json", 2, None)
    assert reason.startswith("invalid JSON from item 2 on (")
    assert reason.endswith("; rest unread")

    assert counts(workspace, PAGES) == (6, 0, 0, 4, 1, 1)


def test_page_files_are_read_in_natural_order(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    """page-10 comes after page-9; on equal updated_at the copy read last wins."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for n, status in ((9, "open"), (10, "solved")):
        page = {
            "tickets": [
                {
                    "id": 7,
                    "via": {"channel": "web"},
                    "requester_id": 1,
                    "description": "Help",
                    "status": status,
                    "updated_at": "2026-03-01T10:00:00Z",
                }
            ],
            "end_time": 1772359200 + n,
            "next_page": None,
            "count": 1,
            "end_of_stream": n == 10,
        }
        (folder / f"page-{n}.json").write_text(json.dumps(page), encoding="utf-8")
    c = pipeline.ingest(sqlite_workspace, [folder], format="zendesk", source="zendesk").counts
    assert (c.read, c.new, c.skipped) == (2, 1, 1)
    assert ticket(sqlite_workspace, 7)["status"] == "solved"


def _ticket(**fields: Any) -> dict[str, Any]:
    base = {
        "id": 1,
        "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": "2026-03-01T10:00:00Z",
        "updated_at": "2026-03-01T10:00:00Z",
        "requester_id": 11,
        "description": "Help",
        "status": "open",
    }
    return {**base, **fields}


def test_array_api_list_and_show_ticket_are_detected(
    sqlite_workspace: Workspace, tmp_path: Path
) -> None:
    array = tmp_path / "tickets.json"
    array.write_text(json.dumps([_ticket(id=1), _ticket(id=2)], indent=2), encoding="utf-8")
    listing = tmp_path / "list.json"
    listing.write_text(
        json.dumps(
            {
                "tickets": [_ticket(id=3, group_id=9, requester_id=12)],
                "users": [{"id": 12, "name": "X", "role": "end-user", "locale": "de"}],
                "groups": [{"id": 9, "name": "Billing"}],
                "next_page": None,
                "previous_page": None,
                "count": 1,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    show = tmp_path / "show.json"
    show.write_text(
        json.dumps(
            {
                "ticket": _ticket(id=4, comments=[{"author_id": 11, "body": "Hi", "public": True}]),
                "metric_sets": [{"ticket_id": 4, "reopens": 2, "group_stations": 0}],
            }
        ),
        encoding="utf-8",
    )
    result = pipeline.ingest(
        sqlite_workspace, [array, listing, show], source="zendesk"
    )  # format: auto
    assert set(result.formats.values()) == {"zendesk"}
    assert (result.counts.new, result.counts.quarantined) == (4, 0)
    listed = ticket(sqlite_workspace, 3)
    assert (listed["group"], listed["language"]) == ("Billing", "de")
    shown = ticket(sqlite_workspace, 4)
    assert (shown["reopens"], shown["handoffs"]) == (2, 0)
    assert thread(shown) == [(None, "customer", shown["requester"], "Hi")]


def test_bad_zendesk_fields_are_quarantined(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    lines = [
        json.dumps(_ticket(id=1)),
        json.dumps(_ticket(id=2, satisfaction_rating={"score": "great"})),
        json.dumps(_ticket(id=None)),
        json.dumps(_ticket(id=4, metric_set={"group_stations": -1})),
        json.dumps(_ticket(id=5, metric_set={"reply_time_in_minutes": {"calendar": "soon"}})),
        json.dumps(_ticket(id=6, comments="none")),
        "{not json}",
        json.dumps(_ticket(id=8, satisfaction_rating={"score": "bad"}, description="")),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    c = pipeline.ingest(sqlite_workspace, [path], format="zendesk", source="zendesk").counts
    assert (c.read, c.new, c.quarantined) == (8, 1, 7)
    assert quarantined(sqlite_workspace) == [
        (
            "export.json",
            2,
            "satisfaction_rating.score",
            "unknown satisfaction score 'great' (expected good, bad, offered or unoffered)",
        ),
        ("export.json", 3, "id", "ticket has no id"),
        (
            "export.json",
            4,
            "metric_set.group_stations",
            "expected a number of at least 0, got -1",
        ),
        (
            "export.json",
            5,
            "metric_set.reply_time_in_minutes.calendar",
            "expected a number of at least 0, got 'soon'",
        ),
        ("export.json", 6, "comments", "expected a list of comments"),
        (
            "export.json",
            7,
            None,
            "invalid JSON (Expecting property name enclosed in double quotes)",
        ),
        ("export.json", 8, "text", "empty text"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b'{"users": [{"id": 1}], "end_time": 1}', "no Zendesk tickets found (top-level keys"),
        (b'{"ticket_events": [], "end_time": 1}', "ticket *events* export"),
        (b'{"tickets": [{"id": 1', "not valid JSON"),
        (b"42", "a bare JSON value"),
    ],
)
def test_unreadable_single_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "z.json"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=re.escape(message)):
        list(ZendeskReader().read(path))


def test_folder_problems(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UnreadableFile, match="no Zendesk files in the folder"):
        list(ZendeskReader().read(empty))

    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps([_ticket(id=1)]), encoding="utf-8")
    (folder / "b.json").write_text("", encoding="utf-8")
    (folder / "c.json").write_text('{"users": []}', encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    items = list(ZendeskReader().read(folder))
    assert [type(i) for i in items] == [RawRow, BadRow, BadRow]
    assert [(Path(i.file).name, i.reason) for i in items if isinstance(i, BadRow)] == [
        ("b.json", "the file is empty"),
        ("c.json", "no Zendesk tickets found (top-level keys: users)"),
    ]


def test_sniff(tmp_path: Path) -> None:
    reader = ZendeskReader()
    assert reader.sniff(EXPORT, EXPORT.read_text(encoding="utf-8")[:65536])
    assert reader.sniff(PAGES, "")
    page = (PAGES / "page-2.json").read_text(encoding="utf-8")
    assert reader.sniff(PAGES / "page-2.json", page)
    generic = '{"count": 1, "tickets": [{"id": "c", "description": "Fee charged"}]}'
    assert not reader.sniff(tmp_path / "t.json", generic)
    assert not reader.sniff(tmp_path / "t.csv", "id,via,requester_id\n1,web,2\n")
    assert not reader.sniff(FIXTURES / "transcripts", "")
    assert isinstance(detect_reader(PAGES), ZendeskReader)
    assert isinstance(detect_reader(EXPORT), ZendeskReader)


def test_streaming_reads_what_whole_parsing_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Files over WHOLE_FILE_LIMIT are streamed with ijson: same rows, same bad rows."""
    array = tmp_path / "array.json"
    array.write_text(json.dumps([_ticket(id=1), _ticket(id=2)], indent=2), encoding="utf-8")

    def rows(path: Path) -> list[tuple[str, int | None, Any]]:
        return [
            (i.file, i.row, i.fields if isinstance(i, RawRow) else i.reason)
            for i in ZendeskReader().read(path)
        ]

    whole = [rows(PAGES), rows(PAGES / "page-2.json"), rows(array)]
    monkeypatch.setattr("ticketlens.ingest._zendesk.WHOLE_FILE_LIMIT", 0)
    assert [rows(PAGES), rows(PAGES / "page-2.json"), rows(array)] == whole
    assert len(whole[0]) == 6
