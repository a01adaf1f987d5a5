"""Docs and CI stay in step with what the project runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
    for step in ("ruff check", "ruff format --check", "mypy", "lint-imports", "pytest"):
        assert step in script


def test_every_command_is_in_the_readme() -> None:
    from ticketlens.cli import cli

    for name in cli.commands:
        assert f"ticketlens {name}" in README, name


PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


@pytest.mark.real_models
@pytest.mark.parametrize("number", range(len(PYTHON_BLOCKS)))
def test_every_python_block_of_the_readme_runs_as_written(
    number: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = compile(PYTHON_BLOCKS[number], f"README.md python block {number + 1}", "exec")
    exec(code, {"__name__": "__readme__"})
    printed = capsys.readouterr().out
    assert printed.strip(), "each block shows what it did"
    # A reader runs it again, in the same folder: it leaves nothing behind that breaks that.
    exec(code, {"__name__": "__readme__"})
    assert capsys.readouterr().out.strip()
    if number == 0:
        assert "Counts(read=400, new=400" in printed
        assert "'themes.rename'" in printed  # the rename is in the theme's history


def test_the_readme_shows_the_pipeline_not_a_workspace_method() -> None:
    api = README[README.index("## Python API") : README.index("## Layout")]
    assert "pipeline.ingest(ws" in api
    assert "ws.ingest(" not in README


def test_point_14_the_readme_says_shared_data_tests_skip_without_the_folder() -> None:
    """Issue 13.14: beside the check command, what a fresh clone skips and why."""
    check = README.index(fenced_commands()[1])
    beside = README[check : check + 900]
    assert "shared_data" in beside
    assert "../shared/data" in beside
    assert "skip" in beside
