"""Workspaces: creating, finding, who is acting, and requester pseudonyms."""

from __future__ import annotations

import getpass
import re
import stat
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from ticketlens import pipeline
from ticketlens.errors import SettingsError, WorkspaceError, WorkspaceNotFound
from ticketlens.identity import resolve_actor
from ticketlens.settings import Settings, load_settings
from ticketlens.store import Requester, Ticket
from ticketlens.workspace import Workspace, find_root


@pytest.fixture(autouse=True)
def _no_workspace_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TICKETLENS_WORKSPACE", "TICKETLENS_USER", "TICKETLENS_DB", "TICKETLENS_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)


# --- init --------------------------------------------------------------------------------


def test_init_writes_the_config_and_the_data_folder(tmp_path: Path) -> None:
    root = tmp_path / "team" / "insights"  # parents are created too
    ws = Workspace.init(root)
    assert ws.root == root.resolve()
    config = root / "ticketlens.toml"
    assert config.is_file()
    assert load_settings(config=tomllib.loads(config.read_text("utf-8")), environ={}) == Settings()
    data = root / ".ticketlens"
    assert data.is_dir()
    assert (data / ".gitignore").read_text("utf-8") == "*\n"
    secret = data / "secret.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert re.fullmatch(r"[0-9a-f]{64}\n", secret.read_text("ascii"))
    assert ws.database_url == f"sqlite:///{root.resolve() / '.ticketlens' / 'ticketlens.db'}"


def test_init_writes_given_values(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws", values={"workspace.timezone": "Europe/London"})
    assert ws.settings.timezone == "Europe/London"
    assert 'timezone = "Europe/London"' in (tmp_path / "ws" / "ticketlens.toml").read_text("utf-8")


def test_init_twice_raises_and_keeps_the_first(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, values={"workspace.timezone": "Europe/London"})
    config = (root / "ticketlens.toml").read_text("utf-8")
    secret = (root / ".ticketlens" / "secret.key").read_text("ascii")
    with pytest.raises(WorkspaceError, match="already holds a workspace"):
        Workspace.init(root)
    assert (root / "ticketlens.toml").read_text("utf-8") == config
    assert (root / ".ticketlens" / "secret.key").read_text("ascii") == secret


@pytest.mark.parametrize(
    "values",
    [
        {"workspace.timezone": "Mars/Base"},
        {"ingest.batch_size": "lots"},
        {"workspace.timezon": "UTC"},
    ],
)
def test_init_with_a_bad_value_leaves_no_half_made_workspace(
    tmp_path: Path, values: dict[str, str]
) -> None:
    root = tmp_path / "ws"
    with pytest.raises(SettingsError):
        Workspace.init(root, values=values)
    assert not (root / "ticketlens.toml").exists()
    # ... so that fixing the value and running init again works.
    Workspace.init(root, values={"workspace.timezone": "Europe/London"})


# --- finding it --------------------------------------------------------------------------


def test_open_finds_the_workspace_from_a_nested_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    Workspace.init(root)
    nested = root / "exports" / "2026" / "q3"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert find_root(Path.cwd()) == root.resolve()
    assert Workspace.open(environ={}).root == root.resolve()


def test_open_prefers_the_nearest_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outer = tmp_path / "outer"
    inner = outer / "inner"
    Workspace.init(outer)
    Workspace.init(inner)
    (inner / "sub").mkdir()
    monkeypatch.chdir(inner / "sub")
    assert Workspace.open(environ={}).root == inner.resolve()


def test_open_uses_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    Workspace.init(root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert Workspace.open(environ={"TICKETLENS_WORKSPACE": str(root)}).root == root.resolve()


def test_explicit_root_beats_the_environment_variable(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    Workspace.init(a)
    Workspace.init(b)
    assert Workspace.open(b, environ={"TICKETLENS_WORKSPACE": str(a)}).root == b.resolve()


def test_open_elsewhere_raises_workspace_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WorkspaceNotFound) as info:
        Workspace.open(environ={})
    assert "ticketlens.toml" in info.value.message
    assert "ticketlens init" in (info.value.hint or "")


def test_environment_variable_pointing_nowhere_raises(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceNotFound, match="is not a workspace"):
        Workspace.open(environ={"TICKETLENS_WORKSPACE": str(tmp_path / "missing")})


# --- who is acting -----------------------------------------------------------------------


@pytest.fixture
def os_user(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make the OS user a known name (getpass reads LOGNAME first)."""
    monkeypatch.setenv("LOGNAME", "os-person")
    assert getpass.getuser() == "os-person"
    return "os-person"


def test_actor_resolution_order(os_user: str) -> None:
    assert resolve_actor("explicit", "configured") == "explicit"
    assert resolve_actor(None, "configured") == "configured"
    assert resolve_actor(None, None) == os_user
    assert resolve_actor("  ", " configured ") == "configured"
    assert resolve_actor("", "") == os_user


def test_actor_falls_back_to_unknown_without_an_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert resolve_actor() == "unknown"


def test_workspace_actor_explicit_then_setting_then_env_then_os(
    tmp_path: Path, os_user: str
) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, values={"identity.user": "config-user"})
    env = {"TICKETLENS_USER": "env-user"}
    assert Workspace.open(root, environ=env, actor="flag-user").actor == "flag-user"
    assert Workspace.open(root, environ=env).actor == "env-user"
    assert Workspace.open(root, environ={}).actor == "config-user"

    bare = tmp_path / "bare"
    Workspace.init(bare)
    assert Workspace.open(bare, environ={}).actor == os_user
    assert Workspace.open(bare, environ=env).actor == "env-user"
    assert Workspace.open(bare, environ={}, overrides={"identity.user": "x"}).actor == "x"


# --- pseudonyms --------------------------------------------------------------------------


def test_pseudonyms_are_stable_and_normalised(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    ws = Workspace.init(root)
    key = ws.pseudonymizer("ann@example.com")
    assert re.fullmatch(r"r_[0-9a-f]{32}", key)
    assert "ann" not in key
    assert ws.pseudonymizer("  Ann@Example.COM\t") == key
    assert ws.pseudonymizer("bob@example.com") != key
    # The secret lives in the workspace, so a later session maps the same way.
    assert Workspace.open(root, environ={}).pseudonymizer("ANN@example.com") == key


def test_pseudonyms_differ_between_workspaces(tmp_path: Path) -> None:
    a = Workspace.init(tmp_path / "a")
    b = Workspace.init(tmp_path / "b")
    assert a.pseudonymizer("ann@example.com") != b.pseudonymizer("ann@example.com")


def test_turning_pseudonyms_off_keeps_the_normalised_raw_id(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws", values={"privacy.pseudonymize_requesters": False})
    assert ws.settings.pseudonymize_requesters is False
    assert ws.pseudonymizer("  Ann@Example.COM ") == "ann@example.com"


@pytest.mark.parametrize(
    ("pseudonymize", "expected"), [(True, "pseudonym"), (False, "ann@example.com")]
)
def test_ingest_stores_requesters_as_configured(
    tmp_path: Path, pseudonymize: bool, expected: str
) -> None:
    root = tmp_path / "ws"
    Workspace.init(root, values={"privacy.pseudonymize_requesters": pseudonymize})
    export = tmp_path / "export.csv"
    export.write_text(
        "id,text,requester\n1,card declined,  Ann@Example.COM \n2,still declined,ann@example.com\n",
        encoding="utf-8",
    )
    ws = Workspace.open(root, environ={}, actor="tester")
    try:
        pipeline.ingest(ws, [export])
        with ws.store.session() as s:
            keys = s.scalars(select(Requester.key)).all()
            ticket_requesters = set(s.scalars(select(Ticket.requester_id)).all())
        assert len(keys) == 1  # both rows are the same person
        assert len(ticket_requesters) == 1
        if expected == "pseudonym":
            assert keys[0] == ws.pseudonymizer("ann@example.com")
            assert "ann" not in keys[0].casefold()
        else:
            assert keys == [expected]
    finally:
        ws.close()
