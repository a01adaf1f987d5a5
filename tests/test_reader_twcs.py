"""The TWCS reader: tweets rebuilt into one ticket per customer conversation."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ticketlens import pipeline
from ticketlens.errors import UnreadableFile
from ticketlens.ingest import BadRow, RawRow, SkippedRow, register_reader
from ticketlens.ingest._servicenow import ServiceNowReader
from ticketlens.ingest._twcs import TwcsReader, parse_twitter_date
from ticketlens.quarantine import list_quarantine
from ticketlens.status import workspace_status
from ticketlens.store.schema import Ticket
from ticketlens.tickets import get_ticket
from ticketlens.workspace import Workspace

from .conftest import FIXTURES, SHARED_DATA

register_reader(TwcsReader)

THREADS = FIXTURES / "twcs_threads.csv"
HEAD_5K = SHARED_DATA / "twcs_head5k" / "twcs_head_5000.csv"


def ticket(ws: Workspace, tweet_id: str) -> dict[str, Any]:
    return get_ticket(ws, f"twitter:{tweet_id}")


def thread(t: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(time, role, body) of every message, in order."""
    return [(m["created_at"][11:19], m["role"], m["body"]) for m in t["messages"]]


def external_ids(ws: Workspace) -> list[str]:
    with ws.store.session() as s:
        return sorted(s.scalars(select(Ticket.external_id)).all(), key=int)


def test_threads_rebuilt_from_replies(workspace: Workspace) -> None:
    c = pipeline.ingest(workspace, [THREADS], format="twcs", source="twitter").counts
    # 26 records (lines 3-4 are one): 7 tickets, 10 replies in their threads, 7 bad rows,
    # 2 brand tweets no customer tweet is below (the announcement 501, the brand-only 601).
    assert (c.read, c.new, c.updated, c.threaded, c.quarantined, c.skipped) == (
        26,
        7,
        0,
        10,
        7,
        2,
    )
    # One ticket per customer opening: 101 and 401 (the same customer, twice), 201, 301,
    # 502 and 504 (two customers answering one brand announcement), 701 (answers a tweet
    # the file does not have). The announcement 501 and the brand-only 601 are no tickets.
    assert external_ids(workspace) == ["101", "201", "301", "401", "502", "504", "701"]

    # Rows 102, 104, 101, 103 in the file; rebuilt in time order.
    bag = ticket(workspace, "101")
    assert thread(bag) == [
        (
            "09:00:00",
            "customer",
            "@NimbusAirHelp my bag never arrived in Lisbon & nobody answers the phone",
        ),
        (
            "09:12:30",
            "agent",
            "@900001 Sorry to hear that, could you DM us the file reference? ^KL",
        ),
        ("09:20:05", "customer", '@NimbusAirHelp Sent, it\'s "LIS-4471"'),
        (
            "10:02:00",
            "agent",
            "@900001 Found it: the bag is on tonight's flight,\n"
            "it will be at your hotel tomorrow morning. ^KL",
        ),
    ]
    assert bag["text"] == bag["messages"][0]["body"]
    assert bag["created_at"] == "2017-11-06T09:00:00+00:00"
    assert bag["first_response_at"] == "2017-11-06T09:12:30+00:00"
    assert (bag["status"], bag["solved_at"]) == ("solved", "2017-11-06T10:02:00+00:00")
    assert (bag["channel"], bag["group"]) == ("twitter", "NimbusAirHelp")
    assert bag["custom_fields"] == {"brand": "NimbusAirHelp"}
    assert (bag["reopens"], bag["handoffs"]) == (None, None)
    assert [m["author"] for m in bag["messages"]][1::2] == ["NimbusAirHelp", "NimbusAirHelp"]


def test_customer_last_branches_and_bystanders(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [THREADS], format="twcs", source="twitter")
    # 201 is answered twice: by the brand (202) and by another customer (203); the
    # customer has the last word (206), so the conversation is open.
    card = ticket(workspace, "201")
    assert thread(card) == [
        ("18:30:00", "customer", "@BrightBankCare card declined at every shop since this morning"),
        ("18:41:00", "agent", "@900002 Hi! We're looking into card payments right now. ^MA"),
        ("18:45:00", "customer", "@900002 @BrightBankCare same here"),
        ("19:05:00", "agent", "@900002 Payments work again, sorry for the trouble. ^MA"),
        ("19:30:00", "customer", "@BrightBankCare still declined for me 😞"),
    ]
    assert card["first_response_at"] == "2017-11-07T18:41:00+00:00"
    assert (card["status"], card["solved_at"]) == ("open", None)
    assert card["group"] == "BrightBankCare"

    # Nobody answered 301: no first response; the brand comes from its @mention,
    # spelled as the brand spells itself.
    down = ticket(workspace, "301")
    assert len(down["messages"]) == 1
    assert (down["first_response_at"], down["status"], down["solved_at"]) == (None, "open", None)
    assert down["group"] == "NimbusAirHelp"


def test_repeat_contact_is_a_new_ticket_with_the_same_requester(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [THREADS], format="twcs", source="twitter")
    first, again, other = (
        ticket(workspace, "101"),
        ticket(workspace, "401"),
        ticket(workspace, "201"),
    )
    assert first["requester"] == again["requester"] != other["requester"]
    assert first["requester"] != "900001"  # pseudonymised
    assert again["created_at"] == "2017-11-10T12:00:00+00:00"
    assert again["first_response_at"] == again["solved_at"] == "2017-11-10T12:30:00+00:00"


def test_answers_to_an_announcement_and_to_a_missing_tweet(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [THREADS], format="twcs", source="twitter")
    orders = ticket(workspace, "502")
    assert thread(orders) == [
        ("08:20:00", "customer", "@BrightBankCare will standing orders still go out?"),
        ("08:35:00", "agent", "@900005 Yes, they are not affected. ^MA"),
    ]
    assert orders["custom_fields"] == {"brand": "BrightBankCare", "in_response_to_tweet_id": "501"}
    assert (orders["status"], orders["solved_at"]) == ("solved", "2017-11-09T08:35:00+00:00")
    # Unanswered, but the brand is the one whose announcement it answers.
    slow = ticket(workspace, "504")
    assert (slow["group"], slow["first_response_at"], slow["status"]) == (
        "BrightBankCare",
        None,
        "open",
    )
    # 699 is not in the file: 701 still opens a ticket, and says what it answered.
    fee = ticket(workspace, "701")
    assert fee["custom_fields"]["in_response_to_tweet_id"] == "699"
    assert fee["first_response_at"] == fee["solved_at"] == "2017-11-11T11:45:00+00:00"


def test_bad_rows_are_quarantined_one_by_one(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [THREADS], format="twcs", source="twitter")
    rejected = [(q["row"], q["field"], q["reason"]) for q in list_quarantine(workspace)]
    loop = "reply chain loops back on itself and never reaches a first tweet"
    assert rejected == [
        (13, "tweet_id", "tweet_id must be a whole number, got '8x1'"),
        (14, "created_at", "unparseable date 'yesterday'"),
        (19, "inbound", "inbound must be True or False, got 'maybe'"),
        (23, "tweet_id", "duplicate tweet_id 301 (first on line 12)"),
        (26, "in_response_to_tweet_id", loop),
        (27, "in_response_to_tweet_id", loop),
        (28, None, "expected 7 fields, found 4"),
    ]
    raw = {q["row"]: q["raw"] for q in list_quarantine(workspace)}
    assert raw[14].startswith("802,900009,True,yesterday,")


def test_second_ingest_changes_nothing(workspace: Workspace) -> None:
    pipeline.ingest(workspace, [THREADS], format="twcs", source="twitter")
    before = ticket(workspace, "201")
    c = pipeline.ingest(workspace, [THREADS], format="twcs", source="twitter").counts
    assert (c.new, c.updated, c.unchanged, c.threaded, c.quarantined, c.skipped) == (
        0,
        0,
        7,
        10,
        7,
        2,
    )
    assert ticket(workspace, "201") == before
    assert len(list_quarantine(workspace)) == 7


def test_reader_yields_in_line_order_and_never_stops() -> None:
    items = list(TwcsReader().read(THREADS))
    assert [(type(i).__name__, i.row) for i in items] == [
        ("RawRow", 5),
        ("RawRow", 11),
        ("RawRow", 12),
        ("BadRow", 13),
        ("BadRow", 14),
        ("SkippedRow", 15),
        ("RawRow", 17),
        ("RawRow", 18),
        ("BadRow", 19),
        ("RawRow", 21),
        ("SkippedRow", 22),
        ("BadRow", 23),
        ("RawRow", 25),
        ("BadRow", 26),
        ("BadRow", 27),
        ("BadRow", 28),
    ]
    first = items[0]
    assert isinstance(first, RawRow)
    assert '"id": "101"' in first.raw  # a rebuilt ticket's raw is its JSON form
    assert all(isinstance(i, RawRow | BadRow | SkippedRow) for i in items)


def test_sniff_and_unreadable_files(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    head = THREADS.read_text(encoding="utf-8")[:500]
    assert TwcsReader().sniff(THREADS, head)
    assert TwcsReader().sniff(THREADS, "\ufeff" + head)
    assert not TwcsReader().sniff(THREADS, "tweet_id,author_id,text\n1,a,b\n")
    assert not ServiceNowReader().sniff(THREADS, head)
    plain = tmp_path / "plain.csv"
    plain.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="not a TWCS file"):
        pipeline.ingest(sqlite_workspace, [plain], format="twcs")
    with pytest.raises(UnreadableFile, match="no such file"):
        pipeline.ingest(sqlite_workspace, [tmp_path / "missing.csv"], format="twcs")


def test_twitter_dates() -> None:
    parsed = parse_twitter_date("Tue Oct 31 22:10:47 +0000 2017")
    assert parsed is not None
    assert parsed.isoformat() == "2017-10-31T22:10:47+00:00"
    shifted = parse_twitter_date("Wed Nov 01 01:10:47 +0300 2017")
    assert shifted == parsed
    assert parse_twitter_date("2017-10-31T22:10:47Z") == parsed
    assert parse_twitter_date("Tue Foo 31 22:10:47 +0000 2017") is None
    assert parse_twitter_date("Tue Feb 30 22:10:47 +0000 2017") is None


# --- the real data set (CC BY-NC-SA: read from ../shared/data, never copied here) ---


def _expected_openers(path: Path) -> set[str]:
    """Independently of the reader: a customer tweet opens a ticket when no tweet above it
    in its reply chain (inside the file) is a customer's."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = {r["tweet_id"]: r for r in csv.DictReader(fh)}
    openers = set()
    for tid, row in rows.items():
        if row["inbound"] != "True":
            continue
        parent, seen = rows.get(row["in_response_to_tweet_id"]), {tid}
        while (
            parent is not None and parent["inbound"] == "False" and parent["tweet_id"] not in seen
        ):
            seen.add(parent["tweet_id"])
            parent = rows.get(parent["in_response_to_tweet_id"])
        if parent is None or parent["inbound"] == "False":
            openers.add(tid)
    return openers


@pytest.mark.shared_data
def test_twcs_head_5000(workspace: Workspace) -> None:
    expected = _expected_openers(HEAD_5K)
    result = pipeline.ingest(workspace, [HEAD_5K], format="auto", source="twitter")
    assert result.formats == {str(HEAD_5K): "twcs"}  # recognised by its content
    c = result.counts
    assert (c.new, c.quarantined) == (len(expected), 0)
    assert workspace_status(workspace)["tickets"] == len(expected) < 5000  # threads, not rows
    assert set(external_ids(workspace)) == expected
    again = pipeline.ingest(workspace, [HEAD_5K], format="auto", source="twitter").counts
    assert (again.new, again.updated, again.unchanged) == (0, 0, len(expected))

    # tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
    # 8,115712,True,Tue Oct 31 21:45:10 +0000 2017,@sprintcare is the worst customer service,...,
    # 6,sprintcare,False,Tue Oct 31 21:46:24 +0000 2017,"@115712 Can you please send us a private
    #   message, ...","5,7",8
    # 5,115712,True,Tue Oct 31 21:49:35 +0000 2017,@sprintcare I did.,4,6
    # 4,sprintcare,False,Tue Oct 31 21:54:49 +0000 2017,@115712 Please send us a Private...,3,5
    # 3,115712,True,Tue Oct 31 22:08:27 +0000 2017,@sprintcare I have sent several private...,1,4
    # 1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,@115712 I understand. ...,2,3
    # 2,115712,True,Tue Oct 31 22:11:45 +0000 2017,@sprintcare and how do you propose we do that,,1
    # (7, 9 and 10 are not in the head slice.) Answered after 74 s; the customer has the
    # last word, so it is open.
    sprint = ticket(workspace, "8")
    assert sprint["text"] == "@sprintcare is the worst customer service"
    assert [m["created_at"][11:19] for m in sprint["messages"]] == [
        "21:45:10", "21:46:24", "21:49:35", "21:54:49", "22:08:27", "22:10:47", "22:11:45",
    ]  # fmt: skip
    assert sprint["first_response_at"] == "2017-10-31T21:46:24+00:00"
    assert (sprint["status"], sprint["solved_at"], sprint["group"]) == ("open", None, "sprintcare")

    # 406,115807,True,Sun Oct 29 21:48:00 +0000 2017,@AskAmex Thought Amex values their...,405,
    # 405,AskAmex,False,Sun Oct 29 21:57:36 +0000 2017,"@115807 Hi there, I am so sorry...",404,406
    # 404,115807,True,Sun Oct 29 23:07:07 +0000 2017,@AskAmex Nope. They weren't ready...,403,405
    # 403,AskAmex,False,Mon Oct 30 13:34:01 +0000 2017,@115807 I am so sorry to hear...,399,404
    # 399,115807,True,Tue Oct 31 21:57:56 +0000 2017,@AskAmex Amex Platinum and Amex...,397,403
    # 397,AskAmex,False,Tue Oct 31 22:01:04 +0000 2017,@115807 What exactly is the issue...,398,399
    # 398,115807,True,Wed Nov 01 05:25:43 +0000 2017,@AskAmex I've asked your sales rep...,400,397
    # 400,AskAmex,False,Wed Nov 01 12:52:18 +0000 2017,"@115807 Apologies for all of...",401,398
    # 401,115807,True,Wed Nov 01 14:27:35 +0000 2017,@AskAmex Sure. Please drop me a...,402,400
    # 402,AskAmex,False,Wed Nov 01 14:34:08 +0000 2017,@115807 Great. Please go to ...,,401
    # Ten tweets over three days; AskAmex answers first after 9 min 36 s and has the last word.
    amex = ticket(workspace, "406")
    assert [m["role"] for m in amex["messages"]] == ["customer", "agent"] * 5
    assert amex["first_response_at"] == "2017-10-29T21:57:36+00:00"
    assert (amex["status"], amex["solved_at"]) == ("solved", "2017-11-01T14:34:08+00:00")
    assert amex["group"] == "AskAmex"

    # 409,McDonalds,False,Tue Oct 31 16:02:50 +0000 2017,So what'll it be this #Halloween: a
    #   trick or a treat? ...,"410,...,408,...",            <- an announcement, not a ticket
    # 408,115808,True,Tue Oct 31 21:04:52 +0000 2017,@McDonalds Treat!,407,409
    # 407,McDonalds,False,Tue Oct 31 22:14:00 +0000 2017,@115808 It's getting all sorts of
    #   saucy over here this #Halloween. ...,,408
    treat = ticket(workspace, "408")
    assert [(m["role"], m["body"][:17]) for m in treat["messages"]] == [
        ("customer", "@McDonalds Treat!"),
        ("agent", "@115808 It\u2019s gett"),
    ]
    assert treat["first_response_at"] == treat["solved_at"] == "2017-10-31T22:14:00+00:00"
    assert treat["custom_fields"] == {"brand": "McDonalds", "in_response_to_tweet_id": "409"}
    # Nobody reopens a tweet: reopens and handoffs are unknown, not zero.
    assert (treat["reopens"], treat["handoffs"]) == (None, None)
    with workspace.store.session() as s:
        assert s.scalar(select(func.count()).where(Ticket.external_id == "409")) == 0
