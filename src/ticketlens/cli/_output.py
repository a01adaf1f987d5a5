"""Shared output: --json / --csv / a terminal table. Ticket text is untrusted, so what
goes to a terminal has control characters made visible and no console markup applied."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

F = TypeVar("F", bound=Callable[..., Any])

# Everything that moves a terminal's cursor or changes its state, except newline and tab.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe_terminal(value: Any) -> str:
    """Text safe to print on a terminal: control and bidi-override characters escaped."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def stdout() -> Console:
    # No emoji codes either: ":thumbs_up:" in a ticket is text, not a picture.
    return Console(highlight=False, soft_wrap=False, emoji=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def output_options(func: F) -> F:
    """Add ``--json`` and ``--csv`` to a command (a table is the default)."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Output CSV.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Output JSON.")(func)
    return func


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def emit_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    *,
    as_json: bool,
    as_csv: bool,
    title: str | None = None,
    widths: dict[str, int] | None = None,
) -> None:
    """Print rows as JSON (all keys), CSV or a table (the listed columns)."""
    if as_json:
        emit_json(list(rows))
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, max_width=(widths or {}).get(column), overflow="ellipsis")
    for row in rows:
        table.add_row(*(Text(safe_terminal(row.get(c))) for c in columns))
    stdout().print(table)
