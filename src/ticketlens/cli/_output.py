"""Shared output: --json / --csv / a terminal table. Ticket text is untrusted, so what
goes to a terminal has control characters made visible and no console markup applied."""

from __future__ import annotations

import functools
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar, cast

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


def _remember_output(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    ctx.meta["output_file"] = value


def output_options(func: F) -> F:
    """Add ``--json``, ``--csv``, ``--raw`` and ``-o FILE`` to a command (a table is the
    default; with ``-o`` and neither flag, the file's suffix says which)."""

    command = func

    @functools.wraps(command)
    def resolved(*args: Any, **kwargs: Any) -> Any:
        kwargs["as_json"], kwargs["as_csv"] = _formats(kwargs["as_json"], kwargs["as_csv"])
        return command(*args, **kwargs)

    func = raw_option(cast(F, resolved))
    func = _output_option("Write to this file (.json or .csv unless --json/--csv says).")(func)
    func = click.option("--csv", "as_csv", is_flag=True, help="Output CSV.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Output JSON.")(func)
    return func


def json_option(func: F) -> F:
    """Add ``--json`` and ``-o FILE`` (JSON, or a .json file) to a command that prints a
    summary otherwise."""
    command = func

    @functools.wraps(command)
    def resolved(*args: Any, **kwargs: Any) -> Any:
        path = _output_file()
        if path is not None and not kwargs["as_json"]:
            if path.suffix.lower() != ".json":
                raise click.UsageError(f"-o {path}: this command writes JSON: name a .json file")
            kwargs["as_json"] = True
        return command(*args, **kwargs)

    func = _output_option("Write the JSON to this file.")(cast(F, resolved))
    return click.option("--json", "as_json", is_flag=True, help="Output JSON.")(func)


def _output_option(help_text: str) -> Callable[[F], F]:
    """``-o FILE``, remembered for :func:`emit_rows` / :func:`emit_json` to write to."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        expose_value=False,
        callback=_remember_output,
        help=help_text,
    )


def _output_file() -> Path | None:
    ctx = click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get("output_file")


def _formats(as_json: bool, as_csv: bool) -> tuple[bool, bool]:
    """``--json``/``--csv``, or the ``-o`` file's suffix; both at once is a usage error."""
    if as_json and as_csv:
        raise click.UsageError("--json and --csv cannot be used together: choose one")
    path = _output_file()
    if path is None or as_json or as_csv:
        return as_json, as_csv
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise click.UsageError(f"-o {path}: say --json or --csv, or name a .json or .csv file")
    return suffix == ".json", suffix == ".csv"


@contextmanager
def _sink() -> Iterator[TextIO]:
    """Standard output, or the ``-o`` file (saying where it went)."""
    path = _output_file()
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        yield fh
    click.echo(f"Wrote {path}", err=True)


def emit_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if _output_file() is None:
        click.echo(text)
        return
    with _sink() as fh:
        fh.write(text + "\n")


#: Columns holding what a person types into another command (ids, names of systems and
#: settings): tables never truncate them.
KEY_COLUMNS = frozenset(
    {"id", "system", "step", "theme", "ref", "source", "external_id", "kind", "key", "setting"}
)


def emit_rows(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    *,
    as_json: bool,
    as_csv: bool,
    title: str | None = None,
    widths: dict[str, int] | None = None,
    optional: Sequence[str] = (),
) -> None:
    """Print rows as JSON (all keys), CSV or a table (the listed columns), to standard
    output or the ``-o`` file.

    A table fits the terminal: key columns (``KEY_COLUMNS``) are never cut, words are not
    broken, text previews (``widths``) give way first, and ``optional`` columns are left
    out, saying so, when even then it does not fit.
    """
    as_json, as_csv = _formats(as_json, as_csv)
    if as_json:
        emit_json(list(rows))
        return
    if as_csv:
        with _sink() as fh:
            writer = SafeCsvWriter(fh, columns, formulas=csv_formulas())
            writer.writeheader()
            writer.writerows(rows)
        return
    if not rows:  # an empty box says less than a sentence
        click.echo(f"No {title.lower() if title else 'rows'} to show.")
        return
    console = stdout()
    shown = list(columns)
    table = _table(rows, shown, title, widths or {})
    # Too wide for the terminal: leave out the optional columns, last first (--json has
    # all), then let the other columns wrap tighter; key columns are never cut.
    while optional and not _fits(table, console.width):
        drop = next((c for c in reversed(optional) if c in shown), None)
        if drop is None:
            break
        shown.remove(drop)
        table = _table(rows, shown, title, widths or {})
    if not _fits(table, console.width):
        table = _table(rows, shown, title, widths or {}, tight=console.width)
    if shown != list(columns):
        hidden = ", ".join(c for c in columns if c not in shown)
        table.caption = f"({hidden} left out to fit the terminal; --json shows every column)"
    console.print(table)


def _fits(table: Table, width: int) -> bool:
    """Whether the table, drawn ``width`` wide, stays within it (rich would crop it)."""
    probe = Console(width=width, file=io.StringIO(), highlight=False, emoji=False)
    probe.print(table, crop=False)
    drawn = probe.file.getvalue()  # type: ignore[attr-defined]
    return max((len(line) for line in drawn.splitlines()), default=0) <= width


def _narrow(column: str, cells: list[str]) -> int:
    """A wrapping column's narrowest: its longest word, up to 16 characters."""
    word = max((len(w) for c in cells for w in c.split()), default=0)
    return min(16, max(word, len(column)))


def _table(
    rows: Sequence[dict[str, Any]],
    columns: list[str],
    title: str | None,
    widths: dict[str, int],
    *,
    tight: int | None = None,
) -> Table:
    """The table; ``tight`` (a width): other columns wrap at 16, text previews share what
    is left of that width."""
    cells_of = {c: [safe_terminal(r.get(c)) for r in rows] for c in columns}
    text_width = None
    if tight is not None:
        used = 3 * len(columns) + 1
        for column, cells in cells_of.items():
            if column in KEY_COLUMNS:
                used += max([len(column), *(len(c) for c in cells)])
            elif column not in widths:
                used += _narrow(column, cells)
        previews = sum(1 for c in columns if c in widths and c not in KEY_COLUMNS)
        text_width = max(8, (tight - used) // max(previews, 1))
    table = Table(title=title, show_lines=False)
    for column in columns:
        cells = cells_of[column]
        if column in KEY_COLUMNS:
            # What one types back into another command is never cut or wrapped.
            longest = max((len(c) for c in cells), default=0)
            table.add_column(column, no_wrap=True, min_width=max(longest, len(column)))
        elif column in widths:  # ticket text: a preview, cut with an ellipsis
            most = widths[column] if text_width is None else min(widths[column], text_width)
            table.add_column(column, max_width=most, min_width=8, overflow="ellipsis")
        else:
            # Wrap between words, never inside one (up to 16 characters).
            narrow = _narrow(column, cells)
            table.add_column(
                column,
                min_width=narrow,
                max_width=narrow if tight is not None else None,
                overflow="fold",
            )
    for row in rows:
        table.add_row(*(Text(safe_terminal(row.get(c))) for c in columns))
    return table
