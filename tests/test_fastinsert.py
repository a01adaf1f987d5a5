"""The bulk insert path stores exactly what SQLAlchemy's own insert stores."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select, text

from ticketlens.ingest._fastinsert import FastInsert
from ticketlens.store import Store
from ticketlens.store.schema import Import, Ticket

TICKETS = cast(Table, Ticket.__table__)


def row(external_id: str, import_id: int) -> dict[str, Any]:
    london = ZoneInfo("Europe/London")
    return {
        "source": "s",
        "external_id": external_id,
        "created_at": dt.datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=london),
        "first_response_at": dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC),
        "solved_at": None,
        "status": "open",
        "channel": "email",
        "priority": None,
        "group_name": "Cards L1",
        "language": None,
        "requester_id": None,
        "subject": "Ünïcode — subject",
        "body": "Body with 'quotes' and \"doubles\" and 💳",
        "tags": ["cards", "fees"],
        "custom_fields": {"Plan": "Pro", "n": 3, "nested": {"a": [1, None]}},
        "csat": 4,
        "reopens": 0,
        "handoffs": None,
        "content_hash": "0" * 64,
        "first_import_id": import_id,
        "last_import_id": import_id,
    }


def test_fast_insert_matches_sqlalchemy_insert(db_url: str) -> None:
    store = Store(db_url)
    with store.session() as s:
        log = Import(
            started_at=dt.datetime.now(dt.UTC), actor="t", source="s", format="csv", files=[]
        )
        s.add(log)
        s.flush()
        columns = [c.name for c in TICKETS.columns if c.name != "id"]
        FastInsert(TICKETS, columns, s.get_bind().dialect)(s, [row("fast", log.id)])
        s.execute(insert(TICKETS), [row("orm", log.id)])
    with store.session() as s:
        fast, orm = (
            s.execute(select(TICKETS).where(TICKETS.c.external_id == e)).mappings().one()
            for e in ("fast", "orm")
        )
        assert {k: v for k, v in fast.items() if k not in ("id", "external_id")} == {
            k: v for k, v in orm.items() if k not in ("id", "external_id")
        }
        assert fast["created_at"] == dt.datetime(2026, 7, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
        # Same bytes on disk too, not only the same values after loading.
        raw = s.execute(
            text("SELECT created_at, tags, custom_fields FROM tickets ORDER BY id")
        ).all()
        assert raw[0] == raw[1]
    store.close()
