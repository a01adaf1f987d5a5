"""Shared output: --json / --csv / a terminal table. Ticket text is untrusted, so what
goes to a terminal has control characters made visible and no console markup applied."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ticketlens.safe_output import SafeCsvWriter, escape_controls

F = TypeVar("F", bound=Callable[..., Any])

#: Text safe to print on a terminal: control and bidi characters escaped.
safe_terminal = escape_controls


def stdout() -> Console:
    # No emoji codes either: ":thumbs_up:" in a ticket is text, not a picture.
    return Console(highlight=False, soft_wrap=False, emoji=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _remember_raw(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta["csv_raw"] = value


def csv_formulas() -> bool:
    """Whether CSV cells are guarded against formulas (off with ``--raw``)."""
    ctx = click.get_current_context(silent=True)
    return not (ctx is not None and ctx.meta.get("csv_raw", False))


def raw_option(func: F) -> F:
    """``--raw``: CSV cells exactly as stored, for scripts (no formula guard)."""
    return click.option(
        "--raw",
        is_flag=True,
        expose_value=False,
        callback=_remember_raw,
        help="CSV cells as stored: no ' before cells starting with = + - @ (for scripts).",
    )(func)


def output_options(func: F) -> F:
    """Add ``--json``, ``--csv`` and ``--raw`` to a command (a table is the default)."""
    func = raw_option(func)
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
        writer = SafeCsvWriter(sys.stdout, columns, formulas=csv_formulas())
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, max_width=(widths or {}).get(column), overflow="ellipsis")
    for row in rows:
        table.add_row(*(Text(safe_terminal(row.get(c))) for c in columns))
    stdout().print(table)
