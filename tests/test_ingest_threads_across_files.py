"""Issue 12, points 2 and 3: TWCS files told by the columns they need, threads rebuilt
across the files of an import and against stored threads, every row counted once."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import SHARED_DATA
from ticketlens import pipeline
from ticketlens.ingest import detect_reader
from ticketlens.ingest._twcs import NO_OPENER, TWCS_COLUMNS
from ticketlens.store.schema import HeldRow, Message, Ticket
from ticketlens.workspace import Workspace

DATE = "Tue Oct 31 {:02d}:00:00 +0000 2017"

# Customer 900 opens 8; the brand answers with 9, 900 follows up with 10, the brand
# closes with 11. Customer 901 writes 20 in answer to brand tweet 12, whose own opener
# (99) is in neither file. 13 is a broadcast nobody answers.
CUSTOMER_TWEETS = [
    (8, "900", True, 1, "@Brand my playlist is gone", ""),
    (10, "900", True, 3, "@Brand still gone after the update", "9"),
    (20, "901", True, 5, "@Brand yes, premium, on android", "12"),
]
BRAND_TWEETS = [
    (9, "Brand", False, 2, "@900 Sorry! Which device?", "8"),
    (11, "Brand", False, 4, "@900 Restored it for you, enjoy", "10"),
    (12, "Brand", False, 0, "@901 Are you on premium?", "99"),
    (13, "Brand", False, 6, "We are looking into playback issues", ""),
]


def write_tweets(path: Path, tweets: list[tuple[Any, ...]], *, extra: bool = False) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*TWCS_COLUMNS, *(["response_tweet_id_excel_damaged"] if extra else [])])
        for tid, author, inbound, hour, text, parent in tweets:
            row = [tid, author, inbound, DATE.format(hour), text, "", parent]
            writer.writerow(row + (["False"] if extra else []))
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write_tweets(tmp_path / "customer_tweets.csv", CUSTOMER_TWEETS),
        # The brand file has one column more, as the SpotifyCares copy does.
        write_tweets(tmp_path / "brand_replies.csv", BRAND_TWEETS, extra=True),
    )


def outcome(ws: Workspace) -> list[tuple[Any, ...]]:
    """Each stored ticket: id, thread (tweet ids), group, first response, status."""
    with ws.store.session() as s:
        tickets = s.scalars(select(Ticket).order_by(Ticket.external_id)).all()
        return [
            (
                t.external_id,
                [m.external_id for m in t.messages],
                t.group_name,
                t.first_response_at,
                t.status,
            )
            for t in tickets
        ]


def held(ws: Workspace) -> list[str]:
    with ws.store.session() as s:
        return sorted(s.scalars(select(HeldRow.external_id)).all())


def terms(counts: Any) -> tuple[int, ...]:
    c = counts
    return (c.read, c.new, c.updated, c.unchanged, c.threaded, c.quarantined, c.skipped)


def test_point_2_a_twcs_file_with_one_more_column_is_read_as_twcs(
    files: tuple[Path, Path], workspace: Workspace
) -> None:
    _, brand = files
    assert detect_reader(brand).name == "twcs"
    report = pipeline.ingest(workspace, [brand])
    assert report.imported.formats == {str(brand): "twcs"}
    # Brand replies are not customer tickets: none becomes one, each is accounted for.
    assert terms(report.counts) == (4, 0, 0, 0, 0, 0, 4)


EXPECTED = [
    ("20", ["20"], "Brand", None, "open"),
    ("8", ["8", "9", "10", "11"], "Brand", None, "solved"),  # first response checked below
]


def expected_threads(ws: Workspace) -> None:
    got = outcome(ws)
    assert [(t[0], t[1], t[2], t[4]) for t in got] == [(e[0], e[1], e[2], e[4]) for e in EXPECTED]
    first_response = {t[0]: t[3] for t in got}
    assert first_response["8"] is not None
    assert first_response["8"].hour == 2
    assert first_response["20"] is None


def test_point_3_one_import_of_both_files_joins_replies_to_their_threads(
    files: tuple[Path, Path], workspace: Workspace
) -> None:
    customer, brand = files
    report = pipeline.ingest(workspace, [customer, brand], source="tw")
    # 7 rows: 2 tickets (8, 20), 3 replies in 8's thread, 2 brand tweets with no opener.
    assert terms(report.counts) == (7, 2, 0, 0, 3, 0, 2)
    assert report.counts.skip_reasons == {NO_OPENER: 2}
    summary = report.imported.summary()["counts"]
    assert summary == {
        "read": 7,
        "new": 2,
        "updated": 0,
        "unchanged": 0,
        "threaded": 3,
        "quarantined": 0,
        "skipped": 2,
    }
    assert summary["read"] == sum(v for k, v in summary.items() if k != "read")
    expected_threads(workspace)
    assert held(workspace) == ["12", "13"]  # kept, to join a thread imported later
    again = pipeline.ingest(workspace, [customer, brand], source="tw")
    assert terms(again.counts) == (7, 0, 0, 2, 3, 0, 2)


def test_point_3_replies_imported_later_join_the_stored_threads(
    files: tuple[Path, Path], workspace: Workspace
) -> None:
    customer, brand = files
    first = pipeline.ingest(workspace, [customer], source="tw").counts
    assert terms(first) == (3, 3, 0, 0, 0, 0, 0)  # 10 looks like an opener on its own
    later = pipeline.ingest(workspace, [brand], source="tw").counts
    # 9 and 11 join 8's thread, which now reaches 10: ticket 10 is part of 8's thread.
    assert terms(later) == (4, 0, 0, 0, 2, 0, 2)
    assert (later.extended, later.absorbed) == (2, 1)  # 8 and 20 (its brand); 10
    expected_threads(workspace)
    with workspace.store.session() as s:
        assert s.scalar(select(Message.ticket_id).where(Message.external_id == "10")) is not None
    for path, expected in ((brand, (4, 0, 0, 0, 2, 0, 2)), (customer, (3, 0, 0, 2, 1, 0, 0))):
        assert terms(pipeline.ingest(workspace, [path], source="tw").counts) == expected
    expected_threads(workspace)


def test_point_3_held_replies_join_when_their_thread_comes(
    files: tuple[Path, Path], workspace: Workspace
) -> None:
    customer, brand = files
    alone = pipeline.ingest(workspace, [brand], source="tw").counts
    assert terms(alone) == (4, 0, 0, 0, 0, 0, 4)
    assert held(workspace) == ["11", "12", "13", "9"]
    then = pipeline.ingest(workspace, [customer], source="tw").counts
    assert terms(then) == (3, 2, 0, 0, 1, 0, 0)  # 10 joins 8's thread, held 9 and 11 too
    expected_threads(workspace)
    assert held(workspace) == ["12", "13"]


@pytest.mark.shared_data
def test_point_3_spotifycares_both_files_every_row_accounted_for(
    sqlite_workspace: Workspace,
) -> None:
    folder = SHARED_DATA / "twcs_spotifycares"
    paths = [
        folder / "spotifycares_customer_tweets.csv",
        folder / "spotifycares_brand_replies_partial.csv",
    ]
    report = pipeline.ingest(sqlite_workspace, paths)
    assert set(report.imported.formats.values()) == {"twcs"}
    c = report.counts
    assert c.read == 15_096 + 10_986
    assert c.read == c.new + c.updated + c.unchanged + c.threaded + c.quarantined + c.skipped
    assert c.threaded > 5000  # replies joined their customers' threads
    with sqlite_workspace.store.session() as s:
        answered = s.scalar(select(Ticket.id).where(Ticket.first_response_at.is_not(None)).limit(1))
    assert answered is not None
