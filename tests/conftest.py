"""Shared fixtures: workspaces on real SQLite and, when configured, real PostgreSQL.

Workspaces made here embed with ``hashing`` (no model: instant, deterministic) for
discovery and its teacher, so tests of everything around the models run in
milliseconds. A test whose point is the shipped models is marked ``real_models``.

PostgreSQL tests need TICKETLENS_TEST_POSTGRES_URL (``.ci/postgres-up`` prints one).
Without it they skip, unless TICKETLENS_REQUIRE_POSTGRES=1 (CI) turns the skip into
a failure so that CI can never pass with them silently skipped.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from ticketlens import pipeline
from ticketlens.embedding import (
    HASHING_MODEL,
    TEACHER_MODEL,
    Embedder,
    Vectors,
    embedder_factory,
    register_embedder,
)
from ticketlens.sample import sample_file
from ticketlens.store import Store, normalise_url
from ticketlens.workspace import DB_NAME, Workspace

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: settings of a workspace whose discovery runs without the shipped models
FAST_MODELS = {"themes.model": HASHING_MODEL, "themes.teacher": HASHING_MODEL}


class SessionMemo:
    """The shipped transformer, each distinct text embedded once per test session.

    The tests that need the real model read the same sample texts again and again
    (each engine, each re-run); the vectors are the model's own, computed once.
    """

    def __init__(self, inner: Embedder) -> None:
        self.name = inner.name
        self._inner = inner
        self._seen: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> Vectors:
        missing = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self._inner.embed(missing), strict=True))
        if not texts:
            return self._inner.embed([])
        return np.stack([self._seen[t] for t in texts])


_transformer = embedder_factory(TEACHER_MODEL)
register_embedder(TEACHER_MODEL, lambda: SessionMemo(_transformer()))


def init_workspace(root: Path, request: pytest.FixtureRequest | None = None) -> Workspace:
    """``Workspace.init`` with the fast models, unless the test is marked ``real_models``."""
    real = request is not None and request.node.get_closest_marker("real_models") is not None
    return Workspace.init(root, values=None if real else FAST_MODELS)


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


ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=ENGINES)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine ticketlens supports (for the migration tests)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests get a copy of it."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    Store(f"sqlite:///{path}").close()
    return path


class MigratedSchema:
    """One PostgreSQL schema migrated to head per session, emptied before each test.

    Migrating a schema per test took most of the PostgreSQL tests' time (0.4 s each);
    emptying every table (ids restarting at 1) gives the same fresh store in 20 ms.
    """

    def __init__(self, base: str) -> None:
        self.base = normalise_url(base)
        self.admin = create_engine(self.base)
        self.url, self.engine, self.tables = self._create()

    def _create(self) -> tuple[str, Engine, list[str]]:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = self.base.update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = url.render_as_string(hide_password=False)
        store = Store(rendered)
        tables = [t for t in inspect(store.engine).get_table_names() if t != "alembic_version"]
        store.close()
        self.schema = schema
        return rendered, create_engine(url), tables

    def fresh(self) -> str:
        """The schema's URL, every table empty; a new schema if a test still holds a lock."""
        names = ", ".join(f'"{t}"' for t in self.tables)
        try:
            with self.engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '3s'"))
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        except OperationalError:
            self.engine.dispose()
            self.url, self.engine, self.tables = self._create()
        return self.url

    def copy_from(self, other: MigratedSchema) -> None:
        """Make this schema's rows (and id sequences) those of ``other``."""
        from ticketlens.store.schema import Base

        with self.engine.begin() as conn:
            for table in Base.metadata.sorted_tables:
                here, there = f'"{self.schema}"."{table.name}"', f'"{other.schema}"."{table.name}"'
                conn.execute(text(f"INSERT INTO {here} SELECT * FROM {there}"))
                if "id" in table.c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{here}', 'id'), "
                            f"COALESCE(MAX(id), 0) + 1, false) FROM {here}"
                        )
                    )

    def close(self) -> None:
        self.engine.dispose()
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[MigratedSchema]:
    schema = MigratedSchema(postgres_base_url() or "")
    yield schema
    schema.close()


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database at the newest migration on each engine, for each test.

    Migrated once per session and copied (SQLite) or emptied (PostgreSQL) per test:
    running the migrations for every test took most of the store-backed tests' time.
    """
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    schema: MigratedSchema = request.getfixturevalue("postgres_schema")
    return schema.fresh()


@pytest.fixture
def workspace(tmp_path: Path, db_url: str, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    """An initialised workspace on each engine, acting as 'tester'."""
    root = tmp_path / "ws"
    init_workspace(root, request)
    ws = Workspace.open(root, environ={}, overrides={"database.url": db_url}, actor="tester")
    yield ws
    ws.close()


@pytest.fixture
def sqlite_workspace(
    tmp_path: Path, request: pytest.FixtureRequest, sqlite_template: Path
) -> Iterator[Workspace]:
    """A workspace on its default SQLite file (for tests about one engine only)."""
    root = tmp_path / "ws"
    ws = init_workspace(root, request)
    shutil.copyfile(sqlite_template, ws.data_dir / DB_NAME)
    ws = Workspace.open(root, environ={}, actor="tester")
    yield ws
    ws.close()


Build = Callable[[Workspace, Path], None]
#: (name, engine, real models) -> the workspace folder and the store it was built in
Built = dict[tuple[str, str, bool], tuple[Path, Path | MigratedSchema]]


@pytest.fixture(scope="session")
def built() -> Iterator[Built]:
    """The workspaces :func:`built_workspace` made this session."""
    made: Built = {}
    yield made
    for _root, store in made.values():
        if isinstance(store, MigratedSchema):
            store.close()


def built_workspace(
    name: str, build: Build, request: pytest.FixtureRequest, tmp_path: Path, db_url: str
) -> Workspace:
    """A workspace ``build`` made once per session (per engine and models), copied here.

    For fixtures that import and discover the same tickets for many tests: the copy is
    the same store the build left (rows, ids, secret), at a fraction of the cost.
    """
    engine = "postgres" if db_url.startswith("postgresql") else "sqlite"
    real = request.node.get_closest_marker("real_models") is not None
    key = (name, engine, real)
    made: Built = request.getfixturevalue("built")
    if key not in made:
        made[key] = _build(name, build, request, engine)
    root, store = made[key]
    target = tmp_path / "ws"
    shutil.copytree(root, target)
    if isinstance(store, Path):
        shutil.copyfile(store, db_url.removeprefix("sqlite:///"))
    else:
        here: MigratedSchema = request.getfixturevalue("postgres_schema")
        here.copy_from(store)
    return Workspace.open(target, environ={}, overrides={"database.url": db_url}, actor="tester")


def _build(
    name: str, build: Build, request: pytest.FixtureRequest, engine: str
) -> tuple[Path, Path | MigratedSchema]:
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    folder = factory.mktemp(f"built-{name}")
    root = folder / "ws"
    init_workspace(root, request)
    store: Path | MigratedSchema
    if engine == "sqlite":
        store = folder / "built.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), store)
        url = f"sqlite:///{store}"
    else:
        store = MigratedSchema(postgres_base_url() or "")
        url = store.url
    ws = Workspace.open(root, environ={}, overrides={"database.url": url}, actor="tester")
    try:
        build(ws, folder)
    finally:
        ws.close()
    return root, store


#: sample tickets in the discovered base, and in the week imported after it
BASE = 1200
MORE = 150


def sample_lines() -> list[str]:
    """The bundled sample's tickets in id order (our own synthetic data)."""
    return list(_sample_lines())


@functools.cache
def _sample_lines() -> tuple[str, ...]:
    lines = sample_file("tickets.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(sorted(lines, key=lambda line: json.loads(line)["id"]))


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def discover_the_base(ws: Workspace, folder: Path) -> None:
    from ticketlens.themes import run_discovery

    pipeline.ingest(ws, [write(folder / "base.jsonl", sample_lines()[:BASE])])
    run_discovery(ws)


@pytest.fixture
def discovered(request: pytest.FixtureRequest, tmp_path: Path, db_url: str) -> Iterator[Workspace]:
    """1,200 sample tickets and their themes (built once per session, copied per test)."""
    ws = built_workspace("sample-base", discover_the_base, request, tmp_path, db_url)
    yield ws
    ws.close()


def fee_split() -> tuple[list[str], list[str]]:
    """The sample's tickets about fees, and all the others (both in id order)."""
    fees, others = _fee_split()
    return list(fees), list(others)


@functools.cache
def _fee_split() -> tuple[tuple[str, ...], tuple[str, ...]]:
    lines = _sample_lines()
    is_fees = [json.loads(line).get("product_area") == "fees" for line in lines]
    fees = tuple(line for line, fee in zip(lines, is_fees, strict=True) if fee)
    others = tuple(line for line, fee in zip(lines, is_fees, strict=True) if not fee)
    return fees, others


def discover_without_fees(ws: Workspace, folder: Path) -> None:
    from ticketlens.themes import run_discovery

    pipeline.ingest(ws, [write(folder / "base.jsonl", fee_split()[1][:BASE])])
    run_discovery(ws)


@pytest.fixture
def discovered_without_fees(
    request: pytest.FixtureRequest, tmp_path: Path, db_url: str
) -> Iterator[Workspace]:
    """1,200 sample tickets none of which is about fees, and their themes (an issue held out)."""
    ws = built_workspace("sample-no-fees", discover_without_fees, request, tmp_path, db_url)
    yield ws
    ws.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "shared_data" in item.keywords and not SHARED_DATA.is_dir():
            item.add_marker(pytest.mark.skip(reason=f"{SHARED_DATA} is absent"))
