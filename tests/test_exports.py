"""The public API: what ``__all__`` promises exists, and importing stays light."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ticketlens"
#: every package of ticketlens (a folder with an __init__), found, not listed by hand
SUBPACKAGES = sorted(
    "ticketlens." + ".".join(p.parent.relative_to(PACKAGE).parts)
    for p in PACKAGE.rglob("__init__.py")
    if p.parent != PACKAGE and "migrations" not in p.parts
)
MODULES = ["ticketlens", "ticketlens.errors", "ticketlens.settings", *SUBPACKAGES]


def public_names(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    assert isinstance(names, list | tuple), f"{module_name} has no __all__"
    return list(names)


@pytest.mark.parametrize("module_name", MODULES)
def test_all_lists_names_that_exist(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = public_names(module_name)
    assert names, f"{module_name}.__all__ is empty"
    assert len(set(names)) == len(names), f"duplicates in {module_name}.__all__"
    assert all(isinstance(n, str) for n in names)
    missing = [n for n in names if not hasattr(module, n)]
    assert missing == [], f"{module_name}.__all__ lists missing names"


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_name_is_importable(module_name: str) -> None:
    for name in public_names(module_name):
        namespace: dict[str, object] = {}
        exec(f"from {module_name} import {name}", namespace)
        assert namespace[name] is getattr(importlib.import_module(module_name), name)
    star: dict[str, object] = {}
    exec(f"from {module_name} import *", star)
    assert set(star) - {"__builtins__"} == set(public_names(module_name))


def test_subpackages_are_exported_from_where_users_look() -> None:
    assert {"ticketlens.review", "ticketlens.themes", "ticketlens.themes.engine"} <= set(
        SUBPACKAGES
    )
    for module_name in SUBPACKAGES:
        assert public_names(module_name)
    top = public_names("ticketlens")
    assert {"Workspace", "Settings", "TicketlensError", "ImportResult", "__version__"} <= set(top)


def test_version_matches_the_installed_distribution() -> None:
    from importlib.metadata import version

    import ticketlens

    assert ticketlens.__version__ == version("ticketlens")


def test_importing_ticketlens_does_not_import_psycopg(tmp_path: Path) -> None:
    """psycopg is an optional extra: SQLite users must never need (or load) it."""
    code = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        seen = {{}}
        import ticketlens
        seen["import ticketlens"] = "psycopg" in sys.modules
        import ticketlens.cli, ticketlens.store
        seen["import ticketlens.cli"] = "psycopg" in sys.modules
        from ticketlens import Workspace
        from ticketlens.status import workspace_status
        ws = Workspace.init(Path({str(tmp_path / "ws")!r}))
        workspace_status(ws)
        ws.close()
        seen["sqlite workspace"] = "psycopg" in sys.modules
        print(json.dumps(seen))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "import ticketlens": False,
        "import ticketlens.cli": False,
        "sqlite workspace": False,
    }


def test_errors_survive_pickling_with_their_hint() -> None:
    import pickle

    from ticketlens.errors import MissingExtra, UnreadableFile

    for error in (
        UnreadableFile("f.csv: no header", hint="add one"),
        MissingExtra("psycopg", "postgres"),
    ):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert (back.message, back.hint) == (error.message, error.hint)
