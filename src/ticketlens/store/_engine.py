"""Open a database by URL, bring its schema to the latest migration, hand out sessions."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ticketlens.errors import MissingExtra, StoreError

_MIGRATIONS = Path(__file__).with_name("migrations")


def normalise_url(url: str) -> URL:
    """Parse a database URL; plain ``postgresql://`` means the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"not a database URL: {url!r}",
            hint="use sqlite:///path/to/file.db or postgresql://user:pass@host/dbname",
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("postgresql") and importlib.util.find_spec("psycopg") is None:
        raise MissingExtra("psycopg (PostgreSQL driver)", "postgres")
    if not parsed.drivername.startswith(("sqlite", "postgresql")):
        raise StoreError(
            f"unsupported database {parsed.drivername!r}", hint="use SQLite or PostgreSQL"
        )
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers do not block the writer; a killed writer leaves nothing half-done.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _upgrade(connection: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def current_revision(connection: Connection) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


class Store:
    """A database holding one workspace's tickets, reviews and audit log."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = normalise_url(url)
        connect_args: dict[str, Any] = {}
        if self.url.drivername.startswith("postgresql"):
            # psycopg prepares a statement after 5 runs and PostgreSQL may then switch to
            # a generic plan made when the import's tables looked empty: the per-batch
            # key lookups became sequential scans and a 100,000-row import took 149 s
            # instead of 16 s. Our queries vary anyway; plan each one for its values.
            connect_args["prepare_threshold"] = None
        self.engine: Engine = create_engine(self.url, connect_args=connect_args)
        if self.url.drivername.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def display_url(self) -> str:
        """The URL with any password hidden, for status output and messages."""
        return self.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Bring the schema up to the newest migration (a no-op when it already is)."""
        try:
            with self.engine.begin() as connection:
                if current_revision(connection) != head_revision():
                    _upgrade(connection)
        except (OperationalError, DBAPIError) as exc:
            raise StoreError(
                f"cannot open database {self.display_url()}: {exc.orig}",
                hint="check the URL, that the server runs and that the user may connect",
            ) from None

    def has_table(self, name: str) -> bool:
        return inspect(self.engine).has_table(name)

    @contextmanager
    def session(self, *, dry_run: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error
        (and always, for a dry run: everything it did is seen inside it, then undone)."""
        if not dry_run:
            with self._sessions.begin() as session:
                yield session
            return
        session = self._sessions()
        try:
            with session.begin():
                yield session
                session.rollback()
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
