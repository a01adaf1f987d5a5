"""Property: every input row is accounted for as new, updated, unchanged or quarantined,
and the counts match a simple model of what the store should hold."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ticketlens import pipeline
from ticketlens.ingest.normalize import content_id
from ticketlens.store.schema import QuarantinedRow, Ticket
from ticketlens.workspace import Workspace

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(['"', ",", ";", "\n", "\r", " ", "'", "é", "€"]),
    max_size=40,
)
ROW = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["", "1", "2", "3", "A-7"]),
        "text": TEXT,
        "csat": st.sampled_from(["", "1", "5", "9", "x"]),
        "created_at": st.sampled_from(["", "2026-01-02", "2026-01-02 10:30", "2026-13-01", "nope"]),
    }
)
HEADER = ["id", "text", "csat", "created_at"]


def record_text(row: dict[str, str]) -> str:
    """The CSV record exactly as written, without its line end (what the reader sees)."""
    buffer = io.StringIO()
    # "\r\n" as terminator makes the writer quote fields holding either character.
    csv.writer(buffer, lineterminator="\r\n").writerow([row[k] for k in HEADER])
    return buffer.getvalue()[:-2]


def bad(row: dict[str, str]) -> bool:
    return (
        not row["text"].strip()
        or row["csat"] in ("9", "x")
        or row["created_at"] in ("2026-13-01", "nope")
    )


@pytest.fixture(scope="module")
def shared_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """One workspace for all examples (migrating a database per example is slow);
    each example imports under a source of its own, so examples never meet."""
    root = tmp_path_factory.mktemp("ws")
    Workspace.init(root)
    ws = Workspace.open(root, environ={}, actor="hypothesis")
    yield ws
    ws.close()


def count(ws: Workspace, model: type[Ticket] | type[QuarantinedRow], source: str) -> int:
    with ws.store.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(model.source == source)) or 0


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.lists(ROW, max_size=12), min_size=1, max_size=3))
def test_every_row_is_accounted_for(
    shared_workspace: Workspace, batches: list[list[dict[str, str]]]
) -> None:
    ws = shared_workspace
    source = f"s{uuid.uuid4().hex}"
    model: dict[str, tuple[str, str, str]] = {}  # key -> normalised content
    for n, rows in enumerate(batches):
        path = ws.root / f"{source}-{n}.csv"
        records = [record_text(r) for r in rows]
        path.write_bytes(
            (",".join(HEADER) + "\r\n" + "".join(r + "\r\n" for r in records)).encode("utf-8")
        )
        expected = {"new": 0, "updated": 0, "unchanged": 0, "quarantined": 0}
        for row, raw in zip(rows, records, strict=True):
            if bad(row):
                expected["quarantined"] += 1
                continue
            key = row["id"] or content_id(raw)
            content = (row["text"].strip(), row["csat"], row["created_at"])
            if key not in model:
                expected["new"] += 1
            elif model[key] == content:
                expected["unchanged"] += 1
            else:
                expected["updated"] += 1
            model[key] = content
        quarantined_before = count(ws, QuarantinedRow, source)
        counts = pipeline.ingest(ws, [path], source=source).counts
        assert counts.read == len(rows)
        assert counts.new + counts.updated + counts.unchanged + counts.quarantined == counts.read
        assert {k: getattr(counts, k) for k in expected} == expected
        assert count(ws, Ticket, source) == len(model)
        with ws.store.session() as s:
            stored = dict(
                s.execute(
                    select(Ticket.external_id, Ticket.body).where(Ticket.source == source)
                ).all()
            )
        assert stored == {k: v[0] for k, v in model.items()}
        assert 0 <= count(ws, QuarantinedRow, source) - quarantined_before <= counts.quarantined
