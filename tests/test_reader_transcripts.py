"""The call transcript reader: a folder of .txt/.vtt/.srt calls, each a phone ticket."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ticketlens import pipeline
from ticketlens.errors import UnreadableFile
from ticketlens.ingest import BadRow, RawRow, detect_reader, register_reader
from ticketlens.ingest._transcripts import (
    TranscriptReader,
    assign_roles,
    parse_srt,
    parse_txt,
    parse_vtt,
)
from ticketlens.quarantine import list_quarantine
from ticketlens.tickets import get_ticket
from ticketlens.workspace import Workspace

from .conftest import FIXTURES

register_reader(TranscriptReader)

CALLS = FIXTURES / "transcripts"


def call(ws: Workspace, call_id: str) -> dict[str, Any]:
    return get_ticket(ws, f"calls:{call_id}")


def thread(t: dict[str, Any]) -> list[tuple[str | None, str | None, str | None, str]]:
    """(time, role, author, body) of every turn, in order."""
    return [(m["created_at"], m["role"], m["author"], m["body"]) for m in t["messages"]]


def counts(ws: Workspace, path: Path) -> tuple[int, int, int, int, int]:
    c = pipeline.ingest(ws, [path], format="transcripts", source="calls").counts
    return (c.read, c.new, c.updated, c.unchanged, c.quarantined)


def test_folder_of_calls(workspace: Workspace) -> None:
    # 6 transcripts + 1 metadata row without a transcript; call-1005.vtt is broken and
    # call-1006.txt has CSAT 9 in the metadata.
    assert counts(workspace, CALLS) == (7, 4, 0, 0, 3)

    # .txt, timed, generic labels; metadata gives the start, agent, customer, CSAT...
    card = call(workspace, "C-1001")
    dana = card["requester"]
    assert dana is not None
    assert dana != "CUS-88213"  # pseudonymised
    assert (card["channel"], card["created_at"]) == ("phone", "2026-03-02T09:15:00+00:00")
    assert thread(card) == [
        (
            "2026-03-02T09:15:02+00:00",
            "agent",
            "Priya Shah",
            "Thank you for calling Example Bank, this is Priya. How can I help?",
        ),
        (
            "2026-03-02T09:15:07+00:00",
            "customer",
            dana,
            "Hi, my card was declined twice at a shop this morning, "
            "but the money still left my account.",
        ),
        (
            "2026-03-02T09:15:15+00:00",
            "agent",
            "Priya Shah",
            "I'm sorry about that. Let me check the transactions. "
            "I can see two pending authorisations of 42 pounds 10 each.",
        ),
        ("2026-03-02T09:15:30+00:00", "customer", dana, "So will I get it back?"),
        (
            "2026-03-02T09:15:33+00:00",
            "agent",
            "Priya Shah",
            "Yes, they are holds, not payments. They drop off within three working days, "
            "and I've asked for them to be released today.",
        ),
        ("2026-03-02T09:15:45+00:00", "customer", dana, "Great, thank you."),
    ]
    assert card["text"] == (
        "Hi, my card was declined twice at a shop this morning, but the money still left "
        "my account.\nSo will I get it back?\nGreat, thank you."
    )
    assert (card["csat"], card["group"], card["tags"]) == (
        5,
        "Payments",
        ["card_declined", "refund"],
    )
    assert (card["first_response_at"], card["solved_at"]) == (None, None)
    assert (card["reopens"], card["handoffs"]) == (None, None)
    # The customer's name is never a custom field.
    assert card["custom_fields"] == {
        "transcript_file": "call-1001.txt",
        "agent": "Priya Shah",
        "duration_seconds": 185,
        "direction": "inbound",
    }

    # .txt without times or metadata row: the header block gives id, start and people;
    # speakers are recognised by first name.
    fee = call(workspace, "C-1002")
    lena = fee["requester"]
    assert lena not in (None, "Lena Fischer", dana)
    assert fee["created_at"] == "2026-03-02T11:30:00+00:00"
    assert thread(fee) == [
        (None, "agent", "Sam Ortiz", "Example Bank, Sam speaking. How can I help?"),
        (
            None,
            "customer",
            lena,
            "Hello, I was charged a foreign transaction fee on a payment in euros. "
            "I thought my plan had no fees abroad.",
        ),
        (
            None,
            "agent",
            "Sam Ortiz",
            "Your plan covers card payments abroad, but this one was a transfer, "
            "which has a 0.5% fee. I can refund it once as a goodwill gesture.",
        ),
        (None, "customer", lena, "Yes please, thank you."),
    ]
    assert fee["custom_fields"] == {"transcript_file": "call-1002.txt", "agent": "Sam Ortiz"}
    assert (fee["csat"], fee["tags"], fee["group"]) == (None, [], None)

    # .vtt with voice tags, matched against the metadata names; same customer as C-1001.
    dispute = call(workspace, "C-1003")
    assert dispute["requester"] == dana
    assert thread(dispute) == [
        (
            "2026-03-03T14:02:11+00:00",
            "agent",
            "Priya Shah",
            "Good afternoon, Example Bank, Priya speaking.",
        ),
        (
            "2026-03-03T14:02:16+00:00",
            "customer",
            dana,
            "Hi Priya. I want to dispute a payment to Fresh & Co that I never made. "
            "It's for 89 pounds, on the first of March.",
        ),
        (
            "2026-03-03T14:02:27+00:00",
            "agent",
            "Priya Shah",
            "I've raised a dispute and blocked the card; a new one is on its way.",
        ),
        ("2026-03-03T14:02:35+00:00", "customer", dana, "Thanks!"),
    ]
    assert (dispute["csat"], dispute["language"]) == (4, "en-GB")  # WEBVTT header
    assert dispute["custom_fields"] == {
        "transcript_file": "call-1003.vtt",
        "agent": "Priya Shah",
        "duration_seconds": 27,  # the end of the last cue
        "direction": "inbound",
    }

    # .srt (CRLF) with "Name:" prefixes; a naive start is read in the workspace time zone.
    app = call(workspace, "C-1004")
    marcus = app["requester"]
    assert thread(app) == [
        (
            "2026-03-04T16:20:00.800000+00:00",
            "agent",
            "Sam Ortiz",
            "Hi, this is Sam from Example Bank, returning your call about the app.",
        ),
        (
            "2026-03-04T16:20:04.900000+00:00",
            "customer",
            marcus,
            "Yes, thanks. The app logs me out every time I switch apps.",
        ),
        (
            "2026-03-04T16:20:09.500000+00:00",
            "agent",
            "Sam Ortiz",
            "Which version are you on? Settings, then About.",
        ),
        ("2026-03-04T16:20:15+00:00", "customer", marcus, "8.2.1 on an iPhone."),
        (
            "2026-03-04T16:20:18+00:00",
            "agent",
            "Sam Ortiz",
            "That's a known bug; 8.2.2 fixes it and is out tomorrow.",
        ),
    ]
    assert (
        app["text"]
        == "Yes, thanks. The app logs me out every time I switch apps.\n8.2.1 on an iPhone."
    )
    assert (app["csat"], app["group"], app["tags"]) == (None, "Mobile", ["app", "login"])
    assert app["custom_fields"] == {
        "transcript_file": "call-1004.srt",
        "agent": "Sam Ortiz",
        "duration_seconds": 161,  # 02:41
        "direction": "outbound",
    }

    assert [
        (Path(q["file"]).name, q["row"], q["field"], q["reason"])
        for q in list_quarantine(workspace)
    ] == [
        ("metadata.csv", 6, "file", "no transcript 'call-1099.txt' in the folder"),
        (
            "call-1005.vtt",
            8,
            None,
            "expected a cue timing line 'start --> end', got '00:00:05.000 -> 00:00:09.000'",
        ),
        ("call-1006.txt", 1, "csat", "CSAT must be 1-5, got '9'"),
    ]

    assert counts(workspace, CALLS) == (7, 0, 0, 4, 3)


def test_detected_from_the_folder(sqlite_workspace: Workspace) -> None:
    assert isinstance(detect_reader(CALLS), TranscriptReader)
    result = pipeline.ingest(sqlite_workspace, [CALLS], source="calls")
    assert result.formats == {str(CALLS): "transcripts"}
    assert result.counts.new == 4


def test_one_transcript_file_with_its_metadata_row(sqlite_workspace: Workspace) -> None:
    c = pipeline.ingest(
        sqlite_workspace, [CALLS / "call-1003.vtt"], format="transcripts", source="calls"
    ).counts
    assert (c.read, c.new, c.quarantined) == (1, 1, 0)
    assert call(sqlite_workspace, "C-1003")["csat"] == 4


def test_unlabelled_speakers(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "calls"
    folder.mkdir()
    # Neutral labels: the one greeting like an agent is the agent, the other the customer.
    (folder / "call-2026-03-09_1405.txt").write_text(
        "Speaker 1: Thanks for calling, how can I help?\n"
        "Speaker 2: My transfer is stuck.\n"
        "Speaker 1: Let me look.\n",
        encoding="utf-8",
    )
    # Real names, nothing to tell who is who: no roles, no authors (a name may be the
    # customer's), and the text is the whole call.
    (folder / "b.srt").write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nAnna Berg: Hello?\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nTom Wu: Hi Anna.\n",
        encoding="utf-8",
    )
    c = pipeline.ingest(sqlite_workspace, [folder], format="transcripts", source="calls").counts
    assert (c.new, c.quarantined) == (2, 0)

    greeted = call(sqlite_workspace, "call-2026-03-09_1405")
    assert greeted["created_at"] == "2026-03-09T14:05:00+00:00"  # from the file name
    assert [(m["role"], m["author"]) for m in greeted["messages"]] == [
        ("agent", "Speaker 1"),
        ("customer", greeted["requester"] or sqlite_workspace.pseudonymizer("Speaker 2")),
        ("agent", "Speaker 1"),
    ]
    assert greeted["text"] == "My transfer is stuck."

    unknown = call(sqlite_workspace, "b")
    assert [(m["role"], m["author"]) for m in unknown["messages"]] == [(None, None), (None, None)]
    assert unknown["text"] == "Hello?\nHi Anna."
    assert unknown["created_at"] is None


def test_parsers() -> None:
    vtt = parse_vtt(
        "WEBVTT - call\n\nSTYLE\n::cue { color: white }\n\n"
        "00:01.000 --> 00:03.000\n<v Rep>Hi</v> <v Caller>Hello &lt;there&gt;</v>\n\n"
        "intro\n00:04.000 --> 00:05.500 line:0\nJane Doe: Zoom style\n"
    )
    assert [(u.speaker, u.text, u.offset, u.end) for u in vtt.utterances] == [
        ("Rep", "Hi", 1.0, 3.0),
        ("Caller", "Hello <there>", 1.0, 3.0),
        ("Jane Doe", "Zoom style", 4.0, 5.5),
    ]
    srt = parse_srt("\ufeff1\n00:00:01,500 --> 00:00:02,000\n<i>Agent:</i> Hi\n")
    assert [(u.speaker, u.text, u.offset) for u in srt.utterances] == [("Agent", "Hi", 1.5)]
    txt = parse_txt(
        "(01:05) Rep: One\n"
        "Customer [00:01:10]: Two\n"
        "00:01:20 - Rep: Three\n"
        "see https://example.com for more\n"
    )
    assert [(u.speaker, u.text, u.offset) for u in txt.utterances] == [
        ("Rep", "One", 65.0),
        ("Customer", "Two", 70.0),
        ("Rep", "Three see https://example.com for more", 80.0),
    ]
    # "Agent: ..." lines with no header-only key are the dialogue, not a header.
    dialogue = parse_txt("Agent: Hello\nCustomer: Hi\n\nAgent: Bye\n")
    assert dialogue.header == {}
    assert [u.speaker for u in dialogue.utterances] == ["Agent", "Customer", "Agent"]


def test_roles() -> None:
    turns = parse_txt("Priya: Hello\nDana W: Hi\nSupervisor Ann: Joining\n").utterances
    assert assign_roles(turns, ["Priya Shah"], ["Dana Whitfield"]) == {
        "Priya": "agent",
        "Dana W": "customer",
    }
    turns = parse_txt("Client: Hi\nX: You've reached support\n").utterances
    assert assign_roles(turns, [], []) == {"Client": "customer", "X": "agent"}


@pytest.mark.parametrize(
    ("name", "content", "line", "reason"),
    [
        ("a.vtt", "00:00:01.000 --> 00:00:02.000\nHi\n", 1, "no WEBVTT header"),
        ("b.vtt", "WEBVTT\n\n00:00:0x.000 --> 00:00:02.000\nHi\n", 3, "bad cue timing"),
        ("c.srt", "1\nAgent: Hi\n", 2, "expected a cue timing line"),
        ("d.txt", "\n\n", None, "the file is empty"),
        ("e.vtt", "WEBVTT\n\nNOTE nothing said\n", None, "no speech in the transcript"),
    ],
)
def test_broken_transcripts_are_bad_rows(
    tmp_path: Path, name: str, content: str, line: int | None, reason: str
) -> None:
    (tmp_path / "ok.txt").write_text("Agent: Hello\nCustomer: Hi\n", encoding="utf-8")
    (tmp_path / name).write_text(content, encoding="utf-8")
    items = list(TranscriptReader().read(tmp_path))
    assert sum(isinstance(i, RawRow) for i in items) == 1
    (bad,) = [i for i in items if isinstance(i, BadRow)]
    assert (Path(bad.file).name, bad.row) == (name, line)
    assert bad.reason.startswith(reason)


def test_metadata_problems(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Agent: Hello\nCustomer: Hi\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Agent: Hello\nCustomer: Hi\n", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        "file,started_at,caller_phone,notes\n"
        "a,last Tuesday,+44 20 7946 0001,x\n"
        "b.txt,2026-03-01T10:00:00Z,+44 20 7946 0002,y\n"
        "b.txt,2026-03-01T11:00:00Z,,z\n"
        ",2026-03-01T11:00:00Z,,\n",
        encoding="utf-8",
    )
    items = list(TranscriptReader().read(tmp_path))
    bad = [(Path(i.file).name, i.row, i.field, i.reason) for i in items if isinstance(i, BadRow)]
    assert bad == [
        ("metadata.csv", 4, "file", "a second metadata row for b.txt (the first is on line 3)"),
        ("metadata.csv", 5, "file", "no file name or call_id to join a transcript by"),
        ("metadata.csv", 2, "started_at", "unparseable date 'last Tuesday'"),
    ]
    (row,) = [i for i in items if isinstance(i, RawRow)]
    assert row.fields["requester"] == "+44 20 7946 0002"
    assert row.fields["notes"] == "y"
    assert "caller_phone" not in row.fields

    (tmp_path / "metadata.csv").write_text("agent,notes\nSam,x\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="no column to join transcripts by"):
        list(TranscriptReader().read(tmp_path))


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="no such file or folder"):
        list(TranscriptReader().read(tmp_path / "missing"))
    with pytest.raises(UnreadableFile, match="no call transcripts in the folder"):
        list(TranscriptReader().read(tmp_path))
    other = tmp_path / "notes.md"
    other.write_text("Agent: hi\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=re.escape("not a call transcript")):
        list(TranscriptReader().read(other))


def test_sniff(tmp_path: Path) -> None:
    reader = TranscriptReader()
    assert reader.sniff(CALLS, "")
    assert not reader.sniff(CALLS / "call-1001.txt", "Agent: hi")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("buy milk\ncall the bank\n", encoding="utf-8")
    assert not reader.sniff(notes, "")
    (notes / "call.txt").write_text("Agent: Hello\nCaller: Hi\n", encoding="utf-8")
    assert reader.sniff(notes, "")


def test_one_call_in_two_files_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "c-7.txt").write_text("Agent: Hello\nCustomer: Hi\n", encoding="utf-8")
    (tmp_path / "c-7.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Agent>Hello\n", encoding="utf-8"
    )
    first, second = TranscriptReader().read(tmp_path)
    assert isinstance(first, RawRow)
    assert first.fields["id"] == "c-7"
    assert isinstance(second, BadRow)
    assert (Path(second.file).name, second.field, second.reason) == (
        "c-7.vtt",
        "id",
        "call 'c-7' was already read from c-7.txt",
    )
