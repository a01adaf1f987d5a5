"""Reading and preparing in a child process gives exactly what inline preparation gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from ticketlens import pipeline
from ticketlens.errors import UnreadableFile
from ticketlens.quarantine import list_quarantine
from ticketlens.store.schema import Message, Ticket
from ticketlens.workspace import Workspace

from .conftest import FIXTURES

SECRET = "ab" * 32  # one secret for both workspaces, so pseudonyms and hashes compare


def open_workspace(root: Path, parallel: bool) -> Workspace:
    Workspace.init(root, values={"ingest.parallel_from_mb": 0 if parallel else -1})
    (root / ".ticketlens" / "secret.key").write_text(SECRET, encoding="ascii")
    return Workspace.open(root, environ={}, actor="tester")


def stored(ws: Workspace) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with ws.store.session() as s:
        tickets = s.execute(
            select(
                Ticket.source,
                Ticket.external_id,
                Ticket.body,
                Ticket.subject,
                Ticket.created_at,
                Ticket.csat,
                Ticket.tags,
                Ticket.custom_fields,
                Ticket.content_hash,
            ).order_by(Ticket.source, Ticket.external_id)
        ).all()
        messages = s.execute(
            select(Ticket.external_id, Message.position, Message.role, Message.body)
            .join(Ticket)
            .order_by(Ticket.external_id, Message.position)
        ).all()
    return [tuple(t) for t in tickets], [tuple(m) for m in messages]


def test_parallel_and_inline_store_the_same(tmp_path: Path) -> None:
    threads = tmp_path / "threads.jsonl"
    threads.write_text(
        "".join(
            json.dumps({"id": str(i), "requester": f"c{i % 7}", "messages": [
                {"role": "customer", "body": f"Card {i} declined, call +44 20 7946 0958"},
                {"role": "agent", "body": "Looking"}]}) + "\n"
            for i in range(1500)
        ),
        encoding="utf-8",
    )  # fmt: skip
    inputs = [FIXTURES / "cp1252_messy.csv", threads, FIXTURES / "zendesk" / "incremental"]
    results = {}
    for parallel in (False, True):
        ws = open_workspace(tmp_path / f"ws-{parallel}", parallel)
        counts = [
            pipeline.ingest(ws, [inputs[0]]).counts,
            pipeline.ingest(ws, inputs[1:], source="api").counts,
        ]
        again = pipeline.ingest(ws, inputs[1:], source="api").counts
        results[parallel] = (counts, again, stored(ws), [
            (q["row"], q["field"], q["reason"], q["raw"]) for q in list_quarantine(ws)
        ])  # fmt: skip
        ws.close()
    assert results[True] == results[False]
    counts, again, (tickets, messages), _ = results[True]
    assert len(tickets) > 1500
    assert counts[0].new == 5
    assert again.new == again.updated == 0
    assert len(messages) >= 3000
    assert all("7946" not in m[3] for m in messages)  # redacted in the child too


def test_an_error_in_the_child_fails_the_import_and_writes_nothing(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws", parallel=True)
    good = tmp_path / "good.csv"
    good.write_text("id,text\n1,fine\n", encoding="utf-8")
    pipeline.ingest(ws, [good])
    before = stored(ws)
    not_twcs = tmp_path / "plain.csv"
    not_twcs.write_text("id,text\n2,not a tweet\n", encoding="utf-8")
    with pytest.raises(UnreadableFile):
        pipeline.ingest(ws, [good, not_twcs], format="twcs")
    assert stored(ws) == before
    ws.close()
