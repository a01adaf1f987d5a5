"""Shared fixtures: workspaces on real SQLite and, when configured, real PostgreSQL.

PostgreSQL tests need TICKETLENS_TEST_POSTGRES_URL (``.ci/postgres-up`` prints one).
Without it they skip, unless TICKETLENS_REQUIRE_POSTGRES=1 (CI) turns the skip into
a failure so that CI can never pass with them silently skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ticketlens.store import normalise_url
from ticketlens.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def postgres_base_url() -> str | None:
    url = os.environ.get("TICKETLENS_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("TICKETLENS_REQUIRE_POSTGRES") == "1":
            pytest.fail("TICKETLENS_REQUIRE_POSTGRES=1 but TICKETLENS_TEST_POSTGRES_URL is unset")
        pytest.skip("PostgreSQL not configured (set TICKETLENS_TEST_POSTGRES_URL)")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty schema on the test server, dropped afterwards."""
    base = postgres_base_url()
    assert base is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = normalise_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL on each engine ticketlens supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def workspace(tmp_path: Path, db_url: str) -> Iterator[Workspace]:
    """An initialised workspace on each engine, acting as 'tester'."""
    root = tmp_path / "ws"
    Workspace.init(root)
    ws = Workspace.open(root, environ={}, overrides={"database.url": db_url}, actor="tester")
    yield ws
    ws.close()


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A workspace on its default SQLite file (for tests about one engine only)."""
    root = tmp_path / "ws"
    Workspace.init(root)
    ws = Workspace.open(root, environ={}, actor="tester")
    yield ws
    ws.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "shared_data" in item.keywords and not SHARED_DATA.is_dir():
            item.add_marker(pytest.mark.skip(reason=f"{SHARED_DATA} is absent"))
