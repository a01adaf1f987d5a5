"""The ServiceNow reader: an incident's event rows folded into one ticket."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ticketlens import pipeline
from ticketlens.errors import UnreadableFile
from ticketlens.ingest import RawRow, register_reader
from ticketlens.ingest._servicenow import ServiceNowReader, parse_day_first
from ticketlens.ingest._twcs import TwcsReader
from ticketlens.quarantine import list_quarantine
from ticketlens.status import workspace_status
from ticketlens.store.schema import Ticket
from ticketlens.tickets import get_ticket
from ticketlens.workspace import Workspace

from .conftest import FIXTURES, SHARED_DATA

register_reader(ServiceNowReader)

EVENTS = FIXTURES / "servicenow_events.csv"
HEAD = SHARED_DATA / "itsm_incident_event_log" / "incident_event_log_head.csv"


def incident(ws: Workspace, number: str) -> dict[str, Any]:
    return get_ticket(ws, f"itsm:{number}")


def states(t: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """(time, author, body) of every message, in order."""
    return [(m["created_at"][:16], m["author"], m["body"]) for m in t["messages"]]


def test_events_fold_into_one_ticket_per_incident(workspace: Workspace) -> None:
    c = pipeline.ingest(workspace, [EVENTS], format="servicenow", source="itsm").counts
    # 23 event rows: 4 incidents, 14 further events of them, 5 bad rows.
    assert (c.read, c.new, c.updated, c.threaded, c.quarantined) == (23, 4, 0, 14, 5)
    with workspace.store.session() as s:
        numbers = sorted(s.scalars(select(Ticket.external_id)).all())
    assert numbers == ["INC9000001", "INC9000002", "INC9000003", "INC9000004"]

    # Lines 2, 4, 6, 7: New -> Active (reassigned to Group 9) -> Resolved -> Closed.
    # Day first: 04-03-2016 is the 4th of March, whatever the workspace's dayfirst says.
    simple = incident(workspace, "INC9000001")
    assert states(simple) == [
        ("2016-03-04T09:10", "Updated by 11", "state: New"),
        ("2016-03-04T11:02", "Updated by 12", "state: Active"),
        ("2016-03-04T15:40", "Updated by 12", "state: Resolved"),
        ("2016-03-09T16:00", "Updated by 908", "state: Closed"),
    ]
    assert all(m["role"] == "agent" for m in simple["messages"])
    assert simple["created_at"] == "2016-03-04T09:05:00+00:00"
    assert simple["first_response_at"] == "2016-03-04T11:02:00+00:00"
    assert simple["solved_at"] == "2016-03-04T15:40:00+00:00"
    assert (simple["status"], simple["reopens"], simple["handoffs"]) == ("closed", 0, 1)
    assert (simple["channel"], simple["priority"], simple["group"]) == (
        "phone",
        "3 - moderate",
        "Group 9",
    )
    assert simple["text"] == "Category 3 / Subcategory 30: Symptom 300"
    assert simple["custom_fields"] == {
        "made_sla": True,
        "impact": "2 - Medium",
        "urgency": "2 - Medium",
        "closed_code": "code 6",
        "location": "Location 12",
        "events": 4,
    }


def test_reopened_and_reassigned(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [EVENTS], format="servicenow", source="itsm")
    # Lines 8-17 (11 and 15 rejected): resolved on the 8th, reopened on the 10th
    # (reopen_count 1, reassigned a second time, priority raised), resolved again on the
    # 11th, closed on the 16th. A repeated state (lines 8 and 9, both New) is one message.
    reopened = incident(workspace, "INC9000002")
    assert states(reopened) == [
        ("2016-03-07T13:25", "Updated by 21", "state: New"),
        ("2016-03-07T16:45", "Updated by 22", "state: Awaiting User Info"),
        ("2016-03-08T09:15", "Updated by 22", "state: Active"),
        ("2016-03-08T10:30", "Updated by 22", "state: Resolved"),
        ("2016-03-10T08:05", "Updated by 23", "state: Active"),
        ("2016-03-11T17:50", "Updated by 23", "state: Resolved"),
        ("2016-03-16T18:00", "Updated by 908", "state: Closed"),
    ]
    assert reopened["created_at"] == "2016-03-07T13:20:00+00:00"
    assert reopened["first_response_at"] == "2016-03-07T16:45:00+00:00"
    assert reopened["solved_at"] == "2016-03-11T17:50:00+00:00"
    assert (reopened["reopens"], reopened["handoffs"]) == (1, 2)
    assert (reopened["group"], reopened["priority"], reopened["channel"]) == (
        "Group 5",
        "2 - high",
        "email",
    )
    assert reopened["text"] == "Category 5 / Subcategory 51 (configuration item: cmdb_ci 44)"
    assert reopened["custom_fields"]["made_sla"] is False
    assert reopened["custom_fields"]["events"] == 8


def test_no_resolved_at_and_still_open(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [EVENTS], format="servicenow", source="itsm")
    # Lines 20 and 22: logged already Resolved, resolved_at "?" everywhere; solved when
    # it became Resolved. No category, symptom or item: the text says so.
    bare = incident(workspace, "INC9000003")
    assert states(bare) == [
        ("2016-03-01T10:02", "Updated by 908", "state: Resolved"),
        ("2016-03-06T11:00", None, "state: Closed"),
    ]
    assert bare["first_response_at"] == bare["solved_at"] == "2016-03-01T10:02:00+00:00"
    assert (bare["status"], bare["reopens"], bare["handoffs"]) == ("closed", 0, 0)
    assert bare["text"] == (
        "Incident INC9000003 (no category, symptom or configuration item recorded)"
    )
    assert (bare["group"], bare["channel"]) == (None, "self service")

    # Lines 3, 5, 18, 19: out of order in the file and split by other incidents. Ordered
    # by time, then file order (18 and 19 share 13-03 10:00), it ends Awaiting User Info.
    waiting = incident(workspace, "INC9000004")
    assert states(waiting) == [
        ("2016-03-12T08:05", "Updated by 40", "state: New"),
        ("2016-03-12T09:30", "Updated by 41", "state: Awaiting User Info"),
        ("2016-03-13T10:00", "Updated by 41", "state: Active"),
        ("2016-03-13T10:00", "Updated by 41", "state: Awaiting User Info"),
    ]
    assert (waiting["status"], waiting["solved_at"]) == ("awaiting user info", None)
    assert waiting["first_response_at"] == "2016-03-12T09:30:00+00:00"
    assert "closed_code" not in waiting["custom_fields"]  # "?" is missing, not a value
    # The same caller twice: one requester.
    assert waiting["requester"] == incident(workspace, "INC9000001")["requester"]


def test_bad_rows_are_quarantined_and_the_incident_kept(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [EVENTS], format="servicenow", source="itsm")
    rejected = [(q["row"], q["field"], q["reason"]) for q in list_quarantine(workspace)]
    assert rejected == [
        (11, "sys_updated_at", "unparseable date '31-02-2016 10:00'"),
        (15, "reopen_count", "reopen_count must be a whole number, got 'one'"),
        (21, "number", "empty incident number"),
        (23, "resolved_at", "unparseable date 'soon'"),
        (24, None, "expected 36 fields, found 8"),
    ]
    assert all(q["file"] == str(EVENTS) for q in list_quarantine(workspace))


def test_second_ingest_changes_nothing(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [EVENTS], format="servicenow", source="itsm")
    before = incident(workspace, "INC9000002")
    c = pipeline.ingest(workspace, [EVENTS], format="servicenow", source="itsm").counts
    assert (c.new, c.updated, c.unchanged, c.quarantined) == (0, 0, 4, 5)
    assert incident(workspace, "INC9000002") == before
    assert len(list_quarantine(workspace)) == 5


def test_reader_order_and_naive_dates() -> None:
    items = list(ServiceNowReader().read(EVENTS))
    assert [(type(i).__name__, i.row) for i in items] == [
        ("RawRow", 2),
        ("RawRow", 3),
        ("RawRow", 8),
        ("BadRow", 11),
        ("BadRow", 15),
        ("RawRow", 20),
        ("BadRow", 21),
        ("BadRow", 23),
        ("BadRow", 24),
    ]
    first = items[0]
    assert isinstance(first, RawRow)
    # Naive: the normaliser reads them in the workspace time zone.
    assert first.fields["created_at"] == dt.datetime(2016, 3, 4, 9, 5)


@pytest.mark.parametrize("dayfirst", [False, True])
def test_dates_ignore_dayfirst_and_take_the_workspace_time_zone(
    tmp_path: Path, dayfirst: bool
) -> None:
    root = tmp_path / "ws"
    Workspace.init(root)
    overrides = {"workspace.timezone": "Europe/Berlin", "ingest.dayfirst": dayfirst}
    ws = Workspace.open(root, environ={}, overrides=overrides, actor="tester")
    try:
        pipeline.ingest(ws, [EVENTS], format="servicenow", source="itsm")
        simple = incident(ws, "INC9000001")
        # 04-03-2016 09:05 in Berlin (UTC+1 in March) is 08:05 UTC, on the 4th of March.
        assert simple["created_at"] == "2016-03-04T08:05:00+00:00"
        assert simple["messages"][0]["created_at"] == "2016-03-04T08:10:00+00:00"
    finally:
        ws.close()


def test_sniff_and_unreadable_files(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    head = EVENTS.read_text(encoding="utf-8")[:1000]
    assert ServiceNowReader().sniff(EVENTS, head)
    assert not TwcsReader().sniff(EVENTS, head)
    assert not ServiceNowReader().sniff(EVENTS, "number,incident_state,text\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="not a ServiceNow event log"):
        pipeline.ingest(sqlite_workspace, [plain], format="servicenow")


def test_day_first_dates() -> None:
    assert parse_day_first("29-02-2016 01:16") == dt.datetime(2016, 2, 29, 1, 16)
    assert parse_day_first("3/4/2016 7:05:09") == dt.datetime(2016, 4, 3, 7, 5, 9)
    assert parse_day_first("2016-04-03 07:05") == dt.datetime(2016, 4, 3, 7, 5)
    assert parse_day_first("30-02-2016 01:16") is None
    assert parse_day_first("02-29-2016 01:16") is None  # month first is not day first
    assert parse_day_first("soon") is None


# --- the real data set (UCI, CC BY 4.0: read from ../shared/data, not copied here) ---


@pytest.mark.shared_data
def test_itsm_incident_event_log_head(workspace: Workspace) -> None:
    with HEAD.open(encoding="utf-8", newline="") as fh:
        expected = {row["number"] for row in csv.DictReader(fh)}
    result = pipeline.ingest(workspace, [HEAD], format="auto", source="itsm")
    assert result.formats == {str(HEAD): "servicenow"}  # recognised by its content
    c = result.counts
    assert (c.new, c.quarantined) == (len(expected), 0)
    assert workspace_status(workspace)["tickets"] == len(expected) < 5000  # incidents, not events
    again = pipeline.ingest(workspace, [HEAD], format="auto", source="itsm").counts
    assert (again.new, again.updated, again.unchanged) == (0, 0, len(expected))

    # number,incident_state,...,reassignment_count,reopen_count,...,sys_updated_by,
    # sys_updated_at,...,assignment_group,...,resolved_at,closed_at
    # INC0000045 New      0 0 Updated by 21  29-02-2016 01:23 Group 56 29-02-2016 11:29
    # INC0000045 Resolved 0 0 Updated by 642 29-02-2016 08:53 Group 56 29-02-2016 11:29
    # INC0000045 Resolved 0 0 Updated by 804 29-02-2016 11:29 Group 56 29-02-2016 11:29
    # INC0000045 Closed   0 0 Updated by 908 05-03-2016 12:00 Group 56 29-02-2016 11:29
    # opened_at 29-02-2016 01:16. Taken up (resolved) at 08:53, resolved_at says 11:29.
    first = incident(workspace, "INC0000045")
    assert first["created_at"] == "2016-02-29T01:16:00+00:00"
    assert first["first_response_at"] == "2016-02-29T08:53:00+00:00"
    assert first["solved_at"] == "2016-02-29T11:29:00+00:00"
    assert (first["status"], first["reopens"], first["handoffs"]) == ("closed", 0, 0)
    assert [m["body"] for m in first["messages"]] == [
        "state: New",
        "state: Resolved",
        "state: Closed",
    ]
    assert first["group"] == "Group 56"
    assert first["custom_fields"]["events"] == 4

    # INC0000102, 19 rows (state, reassignment_count, reopen_count, sys_updated_at, group):
    # New 0 0 29-02 09:13 G70 | New 0 0 29-02 20:08 | Awaiting User Info 0 0 29-02 20:09 |
    # AUI 02-03 17:38 | AUI 03-03 14:17 | AUI 03-03 17:27 | Active 0 0 03-03 17:29 |
    # Active 1 0 04-03 11:15 G50 | Active 1 0 04-03 12:16 | Active 2 0 04-03 12:17 G70 |
    # Active 3 0 04-03 14:08 G29 | Active 4 0 04-03 15:51 G23 | AUI 4 0 07-03 11:50 |
    # AUI 11-03 11:53 | AUI 14-03 08:12 | Resolved 4 0 14-03 08:13 |
    # Active 4 1 17-03 16:27 | Resolved 4 1 17-03 16:28 | Closed 4 1 24-03 18:59 G23
    # resolved_at 17-03-2016 16:28 on every row. Reopened once, handed over four times.
    reopened = incident(workspace, "INC0000102")
    assert reopened["first_response_at"] == "2016-02-29T20:09:00+00:00"
    assert reopened["solved_at"] == "2016-03-17T16:28:00+00:00"
    assert (reopened["reopens"], reopened["handoffs"]) == (1, 4)
    assert reopened["group"] == "Group 23"
    assert [m["body"][7:] for m in reopened["messages"]] == [
        "New",
        "Awaiting User Info",
        "Active",
        "Awaiting User Info",
        "Resolved",
        "Active",
        "Resolved",
        "Closed",
    ]
    assert reopened["custom_fields"]["events"] == 19

    # INC0000093, 2 rows: Resolved 29-02-2016 08:56 (Updated by 908), Closed 05-03-2016
    # 10:00; opened 29-02-2016 08:56; resolved_at "?". Logged as already resolved.
    logged = incident(workspace, "INC0000093")
    assert logged["created_at"] == logged["first_response_at"] == "2016-02-29T08:56:00+00:00"
    assert logged["solved_at"] == "2016-02-29T08:56:00+00:00"
    assert (logged["status"], logged["reopens"], logged["handoffs"]) == ("closed", 0, 0)
