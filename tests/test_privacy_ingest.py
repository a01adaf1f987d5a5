"""After an ingest, no raw email, phone or card number from the input is anywhere in the store."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from ticketlens import pipeline
from ticketlens.quarantine import list_quarantine
from ticketlens.store.schema import Base
from ticketlens.tickets import get_ticket
from ticketlens.workspace import Workspace

PII = {
    "email": "ann.jones+bank@example.co.uk",
    "phone": "+44 20 7946 0958",
    "uk_mobile": "07911 123456",
    "card": "4111 1111 1111 1111",
    "iban": "GB82 WEST 1234 5698 7654 32",
    "ip": "203.0.113.77",
}


def everything_stored(ws: Workspace) -> str:
    """Every value of every row of every table, as one string."""
    parts = []
    with ws.store.session() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)).all():
                parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(parts)


def test_no_personal_data_reaches_the_store(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        {
            "id": "1",
            "requester": PII["email"],
            "subject": f"Call me on {PII['phone']}",
            "messages": [
                {
                    "role": "customer",
                    "author": PII["email"],
                    "body": f"My card {PII['card']} was declined, email {PII['email']}",
                },
                {"role": "agent", "author": "Sam", "body": "Please call us back."},
            ],
            "Callback number": PII["uk_mobile"],
            "Notes": [f"iban {PII['iban']}", {"ip": PII["ip"]}],
        },
        # A bad row (CSAT out of range) keeps its raw text in the quarantine: redacted too.
        {"id": "2", "text": f"Refund to {PII['iban']} from {PII['ip']}", "csat": 11},
    ]
    path = tmp_path / "pii.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    counts = pipeline.ingest(workspace, [path]).counts
    assert (counts.new, counts.quarantined) == (1, 1)
    stored = everything_stored(workspace)
    for kind, value in PII.items():
        assert value not in stored, kind
        assert value.replace(" ", "") not in stored, kind

    ticket = get_ticket(workspace, "default:1")
    assert ticket["subject"] == "Call me on [PHONE]"
    assert ticket["messages"][0]["body"] == "My card [CARD] was declined, email [EMAIL]"
    assert ticket["custom_fields"] == {
        "Callback number": "[PHONE]",
        "Notes": ["iban [IBAN]", {"ip": "[IP]"}],
    }
    (bad,) = list_quarantine(workspace)
    assert "[IBAN]" in bad["raw"]
    assert "[IP]" in bad["raw"]


def test_redaction_can_be_turned_off(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, values={"privacy.redact": False})
    ws = Workspace.open(root, environ={})
    path = tmp_path / "t.csv"
    path.write_text(f"id,text\n1,Mail {PII['email']}\n", encoding="utf-8")
    pipeline.ingest(ws, [path])
    assert get_ticket(ws, "default:1")["text"] == f"Mail {PII['email']}"
    ws.close()


def test_ids_come_from_the_raw_row_so_reimports_match(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "noid.csv"
    path.write_text(
        f"text\nWrite to {PII['email']}\nWrite to other@example.org\n", encoding="utf-8"
    )
    first = pipeline.ingest(workspace, [path]).counts
    again = pipeline.ingest(workspace, [path]).counts
    # Both texts redact to "Write to [EMAIL]" but stay two tickets, found again on re-import.
    assert (first.new, again.new, again.unchanged) == (2, 0, 2)


def test_turning_redaction_on_updates_stored_text_on_reimport(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, values={"privacy.redact": False})
    path = tmp_path / "t.csv"
    path.write_text(f"id,text\n1,Mail {PII['email']}\n2,No personal data\n", encoding="utf-8")
    plain = Workspace.open(root, environ={})
    pipeline.ingest(plain, [path])
    plain.close()
    # The same file under different settings is different stored content: both update.
    redacting = Workspace.open(root, environ={}, overrides={"privacy.redact": True})
    counts = pipeline.ingest(redacting, [path]).counts
    assert (counts.new, counts.updated, counts.unchanged) == (0, 2, 0)
    assert get_ticket(redacting, "default:1")["text"] == "Mail [EMAIL]"
    assert pipeline.ingest(redacting, [path]).counts.unchanged == 2
    redacting.close()
