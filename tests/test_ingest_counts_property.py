"""Issue 12, point 3: for every reader, ``read`` is the number of input rows and each
row is counted once: read = new + updated + unchanged + threaded + quarantined + skipped.

Random inputs per format, good and bad rows mixed, imported twice (the second time every
row is there already); the number of rows is known from how the input was built.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketlens import pipeline
from ticketlens.ingest import Counts
from ticketlens.ingest._twcs import TWCS_COLUMNS
from ticketlens.workspace import Workspace

from .conftest import init_workspace

# NUL is left out: a file with one is refused as binary, before any row is read.
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"),
    max_size=30,
)
#: A row is good, lacks its text, or is broken in the way the format breaks.
KIND = st.sampled_from(["good", "good", "good", "no text", "broken"])
ROWS = st.lists(st.tuples(KIND, TEXT), min_size=1, max_size=25)

_counter = itertools.count()


def _delimited(rows: list[tuple[str, str]], delimiter: str) -> str:
    out = io.StringIO()
    # Every cell quoted: a bare CR or LF in a text stays inside its record.
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["id", "text"])
    for n, (kind, text) in enumerate(rows):
        if kind == "broken":  # too many fields (stray quotes: test_ingest_new_user, point 4)
            out.write(delimiter.join([str(n), "a", "b", "c"]) + "\n")
        else:
            writer.writerow([n % 7, "" if kind == "no text" else text or "x"])
    return out.getvalue()


def csv_input(rows: list[tuple[str, str]], folder: Path) -> tuple[Path, int]:
    path = folder / "tickets.csv"
    path.write_text(_delimited(rows, ","), encoding="utf-8")
    return path, len(rows)


def tsv_input(rows: list[tuple[str, str]], folder: Path) -> tuple[Path, int]:
    path = folder / "tickets.tsv"
    path.write_text(_delimited(rows, "\t"), encoding="utf-8")
    return path, len(rows)


def jsonl_input(rows: list[tuple[str, str]], folder: Path) -> tuple[Path, int]:
    lines = [
        '{"id": 1, "text": "cut' if kind == "broken" else json.dumps({"id": n % 7, "text": text})
        for n, (kind, text) in enumerate(rows)
    ]
    path = folder / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(rows)


def json_input(rows: list[tuple[str, str]], folder: Path) -> tuple[Path, int]:
    items = [
        [1, 2] if kind == "broken" else {"id": n % 7, "text": "" if kind == "no text" else text}
        for n, (kind, text) in enumerate(rows)
    ]
    path = folder / "tickets.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path, len(rows)


def twcs_input(rows: list[tuple[str, str]], folder: Path) -> tuple[Path, int]:
    """Tweets answering earlier ones (or one not in the file, or nothing); customers and
    brands mixed, so some brand tweets open no ticket and are skipped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(TWCS_COLUMNS)
    for n, (kind, text) in enumerate(rows, start=1):
        parent = "" if n % 4 == 1 else str(n - 1 - (len(text) % n)) if n % 4 else "999999"
        inbound = "maybe" if kind == "broken" else str(len(text) % 3 != 0)
        author = "Brand" if inbound == "False" else str(800 + n % 5)
        when = f"Tue Oct 31 {n % 24:02d}:00:00 +0000 2017"
        writer.writerow([n, author, inbound, when, text or "x", "", parent])
    path = folder / "twcs.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, len(rows)


SERVICENOW_HEADER = (
    "number,incident_state,reassignment_count,reopen_count,opened_at,sys_updated_at,category"
)


def servicenow_input(rows: list[tuple[str, str]], folder: Path) -> tuple[Path, int]:
    lines = [SERVICENOW_HEADER]
    for n, (kind, text) in enumerate(rows):
        stamp = "not a date" if kind == "broken" else f"0{1 + n % 9}-03-2016 0{n % 10}:00"
        state = ["New", "Active", "Resolved", "Closed"][len(text) % 4]
        lines.append(f"INC{len(text) % 5},{state},0,0,01-03-2016 08:00,{stamp},Category 1")
    path = folder / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(rows)


def zendesk_input(rows: list[tuple[str, str]], folder: Path) -> tuple[Path, int]:
    """A folder of two export pages; tickets exported again on the second page."""
    pages = folder / "zendesk"
    pages.mkdir()
    half = len(rows) // 2
    for page, chunk in ((1, rows[:half]), (2, rows[half:])):
        tickets = [
            {
                "id": len(text) % 6 + 1,
                "description": "" if kind == "no text" else text or "x",
                "status": "open",
                "updated_at": f"2026-03-0{page}T10:00:{n:02d}Z",
                "via": {"channel": "web"},
            }
            for n, (kind, text) in enumerate(chunk)
        ]
        body = {"tickets": tickets, "count": len(tickets), "end_of_stream": page == 2}
        (pages / f"page-{page}.json").write_text(json.dumps(body), encoding="utf-8")
    return pages, len(rows)


def transcripts_input(rows: list[tuple[str, str]], folder: Path) -> tuple[Path, int]:
    calls = folder / "calls"
    calls.mkdir()
    for n, (kind, text) in enumerate(rows):
        said = "" if kind != "good" else text.replace("\n", " ") or "hello"
        (calls / f"call-{n}.txt").write_text(
            f"Agent: Thanks for calling\nCustomer: {said or 'hi'}\n", encoding="utf-8"
        )
    return calls, len(rows)


READERS: dict[str, Callable[[list[tuple[str, str]], Path], tuple[Path, int]]] = {
    "csv": csv_input,
    "tsv": tsv_input,
    "jsonl": jsonl_input,
    "json": json_input,
    "twcs": twcs_input,
    "servicenow": servicenow_input,
    "zendesk": zendesk_input,
    "transcripts": transcripts_input,
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = init_workspace(tmp_path_factory.mktemp("counts") / "ws")
    yield workspace
    workspace.close()


def summed(c: Counts) -> int:
    return c.new + c.updated + c.unchanged + c.threaded + c.quarantined + c.skipped


@pytest.mark.parametrize("format_name", sorted(READERS))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=ROWS)
def test_point_3_every_row_is_counted_once(
    format_name: str, rows: list[tuple[str, str]], ws: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / f"in-{next(_counter)}"
    folder.mkdir()
    path, expected = READERS[format_name](rows, folder)
    source = f"s{next(_counter)}"  # one source per example: a fresh start in one store
    for _ in range(2):  # the second import finds every row there already
        report = pipeline.ingest(ws, [path], format=format_name, source=source)
        c = report.counts
        assert c.read == expected
        assert c.read == summed(c)
        assert report.imported.summary()["counts"]["read"] == summed(c)
