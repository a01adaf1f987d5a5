"""The store on both engines: migrations, schema/model agreement, UTC datetimes, audit log."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, Integer, MetaData, event, inspect, select, text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

import ticketlens.store
from ticketlens.errors import MissingExtra, StoreError
from ticketlens.store import Base, Requester, Store, audit, head_revision, normalise_url
from ticketlens.store._engine import current_revision
from ticketlens.store.schema import AuditEvent

MIGRATIONS = Path(ticketlens.store.__file__).with_name("migrations")
TABLES = {
    "audit_events",
    "held_rows",
    "imports",
    "messages",
    "quarantine",
    "requesters",
    "review_items",
    "tickets",
    "theme_assignments",
    "theme_groups",
    "theme_runs",
    "theme_spaces",
    "hot_spots",
    "themes",
}
WRITES = re.compile(r"^\s*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


@pytest.fixture
def store(empty_db_url: str) -> Iterator[Store]:
    s = Store(empty_db_url)
    yield s
    s.close()


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return current_revision(conn)


def add_audit_event(store: Store, actor: str = "ann") -> int:
    with store.session() as s:
        event_ = audit.record(
            s,
            actor=actor,
            action="test",
            target_type="thing",
            target_id=1,
            before={"v": 1},
            after={"v": 2},
            reason="because",
        )
        s.flush()
        return event_.id


# --- opening and migrating -------------------------------------------------------------


def test_open_migrates_an_empty_database_to_head(empty_db_url: str) -> None:
    store = Store(empty_db_url, migrate=False)
    try:
        assert revision(store) is None
        assert not TABLES & set(inspect(store.engine).get_table_names())
        store.migrate()
        assert revision(store) == head_revision()
        assert set(inspect(store.engine).get_table_names()) == {*TABLES, "alembic_version"}
        assert store.has_table("tickets")
    finally:
        store.close()


def test_store_migrates_on_open_by_default(empty_db_url: str) -> None:
    store = Store(empty_db_url)
    try:
        assert revision(store) == head_revision()
        assert store.dialect in ("sqlite", "postgresql")
    finally:
        store.close()


def test_reopening_a_migrated_database_changes_nothing(empty_db_url: str) -> None:
    first = Store(empty_db_url)
    event_id = add_audit_event(first)
    first.close()

    again = Store(empty_db_url, migrate=False)
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(again.engine, "before_cursor_execute", remember)
    try:
        again.migrate()
        assert statements, "migrate() should at least read the current revision"
        assert [s for s in statements if WRITES.match(s)] == []
        assert revision(again) == head_revision()
        with again.session() as s:
            assert s.get(AuditEvent, event_id) is not None
    finally:
        again.close()

    # And the ordinary path (migrate on open) keeps the data too.
    third = Store(empty_db_url)
    try:
        with third.session() as s:
            assert s.get(AuditEvent, event_id) is not None
    finally:
        third.close()


def test_migration_and_models_agree(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_model_comparison_does_see_a_difference(store: Store) -> None:
    """Guard for the test above: the comparison is not vacuously empty on this setup."""
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["tickets"].append_column(Column("sentiment", Integer, nullable=True))
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, drifted)
    assert [d[0] for d in diff] == ["add_column"]
    assert diff[0][2:4] == ("tickets", drifted.tables["tickets"].c.sentiment)


def test_downgrade_to_base_then_upgrade_again(store: Store) -> None:
    add_audit_event(store)
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert revision(store) is None
    assert not TABLES & set(inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            leftover = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    " WHERE n.nspname = current_schema() AND p.proname = 'audit_events_append_only'"
                )
            )
        else:
            leftover = conn.scalar(text("SELECT count(*) FROM sqlite_master WHERE type='trigger'"))
        assert leftover == 0

    store.migrate()
    assert revision(store) == head_revision()
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    # The new tables are empty and the append-only triggers are back.
    event_id = add_audit_event(store)
    with store.session() as s:
        assert s.scalars(select(AuditEvent.id)).all() == [event_id]
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))


# --- UTCDateTime -------------------------------------------------------------------------


def test_aware_datetimes_round_trip_as_the_same_instant_in_utc(store: Store) -> None:
    local = dt.datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=PLUS_TWO)
    with store.session() as s:
        s.add(Requester(key="r1", first_seen_at=local))
    with store.session() as s:
        if store.dialect == "postgresql":
            # The server hands back the session's zone; the type must still give UTC.
            s.execute(text("SET TIME ZONE 'Asia/Kolkata'"))
        back = s.scalars(select(Requester.first_seen_at)).one()
    assert back is not None
    assert back == local
    assert back.tzinfo is dt.UTC
    assert (back.hour, back.minute, back.microsecond) == (10, 0, 123456)


def test_datetimes_compare_and_sort_by_instant(store: Store) -> None:
    # Local wall-clock order (11:00 > 10:00) is the opposite of the instants' order.
    early = dt.datetime(2026, 3, 1, 11, 0, tzinfo=PLUS_TWO)  # 09:00 UTC
    late = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    with store.session() as s:
        s.add_all(
            [Requester(key="late", first_seen_at=late), Requester(key="early", first_seen_at=early)]
        )
    with store.session() as s:
        ordered = s.scalars(select(Requester.key).order_by(Requester.first_seen_at)).all()
        assert ordered == ["early", "late"]
        match = s.scalars(
            select(Requester.key).where(
                Requester.first_seen_at == dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
            )
        ).all()
        assert match == ["early"]


@pytest.mark.parametrize(
    "value", [dt.datetime(2026, 3, 1, 12, 0), dt.date(2026, 3, 1), "2026-03-01T12:00:00Z"]
)
def test_naive_or_non_datetime_values_are_refused(store: Store, value: Any) -> None:
    with Session(store.engine) as s:
        s.add(Requester(key="naive", first_seen_at=value))
        with pytest.raises(StatementError) as info:
            s.commit()
    assert isinstance(info.value.orig, ValueError)
    assert "aware datetime" in str(info.value.orig)
    with store.session() as s:
        assert s.scalars(select(Requester)).all() == []


def test_naive_datetime_refused_in_a_query_too(store: Store) -> None:
    with pytest.raises(StatementError, match="aware datetime"), store.session() as s:
        s.execute(select(Requester).where(Requester.first_seen_at > dt.datetime(2026, 1, 1)))


def test_null_datetime_stays_null(store: Store) -> None:
    with store.session() as s:
        s.add(Requester(key="nobody", first_seen_at=None))
    with store.session() as s:
        assert s.scalars(select(Requester.first_seen_at)).one() is None


# --- the audit log -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'mallory'",
        "UPDATE audit_events SET reason = NULL WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
        "DELETE FROM audit_events",
    ],
)
def test_audit_log_refuses_update_and_delete_in_the_database(store: Store, statement: str) -> None:
    event_id = add_audit_event(store)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement), {"id": event_id} if ":id" in statement else {})
    with store.session() as s:
        row = s.get(AuditEvent, event_id)
        assert row is not None
        assert (row.actor, row.reason, row.before, row.after) == (
            "ann",
            "because",
            {"v": 1},
            {"v": 2},
        )


def test_audit_log_refuses_orm_changes(store: Store) -> None:
    event_id = add_audit_event(store)
    with Session(store.engine) as s:
        row = s.get(AuditEvent, event_id)
        assert row is not None
        row.actor = "mallory"
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
    with Session(store.engine) as s:
        s.delete(s.get(AuditEvent, event_id))
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
    with store.session() as s:
        row = s.get(AuditEvent, event_id)
        assert row is not None
        assert row.actor == "ann"


def test_audit_log_appends_and_reads_back_in_order(store: Store) -> None:
    with store.session() as s:
        audit.record(s, actor="a", action="one", target_type="t", target_id=7)
        audit.record(s, actor="b", action="two", target_type="t", target_id="7", reason="r")
        audit.record(s, actor="c", action="other", target_type="u", target_id=7)
    with store.session() as s:
        events = audit.history(s, target_type="t", target_id=7)
        assert [(e.actor, e.action, e.target_id) for e in events] == [
            ("a", "one", "7"),
            ("b", "two", "7"),
        ]
        assert all(e.at.tzinfo is dt.UTC for e in events)
        assert len(audit.history(s)) == 3


# --- URLs and unreachable databases (no database needed) ---------------------------------


def test_plain_postgresql_url_means_psycopg() -> None:
    assert normalise_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"


@pytest.mark.parametrize("url", ["notaurl", "mysql://u:p@h/db", ""])
def test_bad_or_unsupported_urls_are_store_errors(url: str) -> None:
    with pytest.raises(StoreError) as info:
        Store(url)
    assert not isinstance(info.value, MissingExtra)
    assert info.value.hint


def test_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError) as info:
        Store("postgresql://someone:s3cr3t-pw@127.0.0.1:1/nothing")
    assert "s3cr3t-pw" not in info.value.message
    assert "127.0.0.1" in info.value.message


def test_unopenable_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open database"):
        Store(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
