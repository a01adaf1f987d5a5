"""Right to erasure: a requester's tickets go, the audit log says so without naming them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ticketlens import pipeline
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
    pipeline.ingest(workspace, [path])
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


def test_imports_and_audit_commands_show_the_history(workspace: Workspace, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ticketlens.cli import cli

    path = tmp_path / "t.csv"
    path.write_text("id,text,requester\n1,Card declined,C-7\n", encoding="utf-8")
    pipeline.ingest(workspace, [path])
    forget_requester(workspace, "C-7", reason="request #9")
    base = ["--workspace", str(workspace.root), "--db", workspace.database_url]
    runner = CliRunner()
    imports = json.loads(runner.invoke(cli, [*base, "imports", "--json"]).output)
    assert [(i["read"], i["new"], i["actor"]) for i in imports] == [(1, 1, "tester")]
    events = json.loads(
        runner.invoke(cli, [*base, "audit", "--type", "requester", "--json"]).output
    )
    assert [(e["action"], e["reason"], e["after"]["tickets"]) for e in events] == [
        ("forget", "request #9", 1)
    ]


def test_forget_removes_quarantined_rows_that_name_the_requester_by_pseudonym(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A rejected row keeps its columns with the requester as a pseudonym (issue 12.9):
    erasure finds it by that pseudonym, not only by the identifier in its raw text."""
    path = tmp_path / "t.csv"
    path.write_text(
        "id,text,requester,created_at\n"
        "1,card declined,ann@example.com,2026-03-01 10:00\n"
        "2,still declined,ann@example.com,yesterday\n"
        "3,other person,bob@example.com,yesterday\n",
        encoding="utf-8",
    )
    pipeline.ingest(workspace, [path])
    assert len(list_quarantine(workspace)) == 2
    done = forget_requester(workspace, "ann@example.com", reason="request #12")
    assert (done.tickets, done.quarantined_rows) == (1, 1)
    (left,) = list_quarantine(workspace)
    assert left["row"] == 4  # Bob's
