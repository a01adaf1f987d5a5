"""Docs and CI stay in step with what the project runs."""

from __future__ import annotations

import re

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def fenced_commands() -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", README, re.S)]


def test_readme_starts_with_the_two_fresh_machine_commands() -> None:
    first, second = fenced_commands()[:2]
    assert "pip install ." in first
    assert "ticketlens demo" in first
    assert "pip install -e '.[dev]'" in second
    assert "./scripts/check" in second
    # Nothing but those two commands and their one-line captions comes before them.
    assert README.index(second) < 600


def test_ci_runs_exactly_the_readme_check_command() -> None:
    check = fenced_commands()[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert check in ci.splitlines()


def test_check_script_runs_lint_format_types_and_tests() -> None:
    script = (REPO / "scripts" / "check").read_text(encoding="utf-8")
    for step in ("ruff check", "ruff format --check", "mypy", "pytest"):
        assert step in script


def test_every_command_is_in_the_readme() -> None:
    from ticketlens.cli import cli

    for name in cli.commands:
        assert f"ticketlens {name}" in README, name
