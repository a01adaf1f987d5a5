"""Right to erasure: a requester's tickets go, the audit log says so without naming them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ticketlens.errors import NotFound
from ticketlens.privacy.erasure import forget_requester
from ticketlens.quarantine import list_quarantine
from ticketlens.store import audit
from ticketlens.store.schema import Message, Requester, Ticket
from ticketlens.workspace import Workspace


def test_forget_erases_tickets_threads_and_quarantined_rows(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "t.jsonl"
    rows = [
        {
            "id": "1",
            "requester": "C-1001",
            "messages": [
                {"role": "customer", "body": "Card declined"},
                {"role": "agent", "body": "On it"},
            ],
        },
        {"id": "2", "requester": " c-1001 ", "text": "Still declined"},
        {"id": "3", "requester": "C-2002", "text": "Transfer late"},
        {"id": "4", "requester": "C-1001", "text": "x", "csat": 9},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    workspace.ingest([path])
    assert len(list_quarantine(workspace)) == 1

    done = forget_requester(workspace, "C-1001", reason="request #1")
    assert (done.tickets, done.messages, done.quarantined_rows) == (2, 2, 1)
    with workspace.store.session() as s:
        assert list(s.scalars(select(Ticket.external_id))) == ["3"]
        assert s.scalar(select(func.count()).select_from(Message)) == 0
        assert s.scalar(select(func.count()).select_from(Requester)) == 1
        (event,) = [e for e in audit.history(s) if e.action == "forget"]
        assert (event.actor, event.reason, event.target_id) == (
            "tester",
            "request #1",
            done.requester_key,
        )
        assert "1001" not in json.dumps(event.after) + event.target_id
    assert list_quarantine(workspace) == []
    with pytest.raises(NotFound):
        forget_requester(workspace, "C-1001")
