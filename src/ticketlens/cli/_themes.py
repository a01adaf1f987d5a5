"""``ticketlens themes ...`` and ``ticketlens export assignments``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ticketlens.cli._app import Context, cli, pass_context
from ticketlens.cli._output import (
    csv_formulas,
    emit_json,
    emit_rows,
    json_option,
    output_options,
    raw_option,
    safe_terminal,
    stderr,
    stdout,
)
from ticketlens.safe_output import SafeCsvWriter
from ticketlens.themes import LIVE_THEME_STATES
from ticketlens.themes.catalog import get_theme, iter_assignments, list_themes

ASSIGNMENT_COLUMNS = ("source", "external_id", "theme_id", "theme_label", "score")


@contextmanager
def step_progress() -> Iterator[Callable[[str], None]]:
    """A spinner naming the current step and the time spent (stderr, terminals only)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr(),
        transient=True,
        disable=not stderr().is_terminal,
    ) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda step: bar.update(task, description=step)


@cli.group()
def themes() -> None:
    """Discover and browse the recurring issues (themes) in the tickets."""


@themes.command("discover")
@json_option
@pass_context
def themes_discover(ctx: Context, as_json: bool) -> None:
    """Group every ticket into themes; labels are drafts until reviewed.

    Settings under [themes] (see `ticketlens settings`) tune the granularity.

    \b
    Example:
      ticketlens themes discover && ticketlens themes list
    """
    # Imported here: discovery pulls in scikit-learn and the models (seconds to import).
    from ticketlens import pipeline

    with step_progress() as progress:
        run_id = pipeline.discover(ctx.workspace, progress=progress).run_id
    listing = list_themes(ctx.workspace)
    if as_json:
        emit_json(listing)
        return
    click.echo(describe_run(ctx.workspace, run_id))
    print_theme_list(listing)


def describe_run(workspace: Any, run_id: int) -> str:
    """What a discovery run changed, in one line per language."""
    from ticketlens.themes.catalog import run_changes

    lines = []
    for language, change in run_changes(workspace, run_id).items():
        if "kept" not in change:
            lines.append(f"{language}: {change['tickets']:,} tickets, too few for themes")
            continue
        kept = (
            f"{change['kept'] / change['had_theme']:.1%} of tickets kept their theme, "
            if change["had_theme"]
            else ""
        )
        lines.append(
            f"{language}: {change['themes']} themes, {kept}{change['new_themes']} new, "
            f"{change['merged']} merged away"
        )
    return "\n".join(lines)


def print_theme_list(listing: dict[str, Any], limit: int | None = None) -> None:
    items = listing["items"]
    unclear_by_language = listing["unclear_by_language"]
    unclear = sum(unclear_by_language.values())
    live = [i for i in items if i["state"] in LIVE_THEME_STATES]
    total = sum(i["size"] for i in live) + unclear
    proposed = sum(1 for i in items if i["state"] == "proposed")
    click.echo(
        f"{len(live)} themes ({proposed} proposed) over {total:,} tickets, {unclear:,} unclear "
        f"({unclear / max(total, 1):.1%}). Labels marked (draft) are not reviewed yet."
    )
    if len(unclear_by_language) > 1:
        click.echo(
            "Unclear by language: "
            + ", ".join(f"{lang} {n:,}" for lang, n in sorted(unclear_by_language.items()))
        )
    shown = items[:limit] if limit else items
    rows = [
        item | {"share": f"{item['share']:.1%}", "label": _label_cell(item), "state": _state(item)}
        for item in shown
    ]
    columns = ["id", "label", "size", "share", "state", "group"]
    if len({i["language"] for i in items}) > 1:
        columns.insert(4, "language")
    emit_rows(rows, columns, as_json=False, as_csv=False, widths={"label": 40, "group": 30})
    if limit and len(items) > limit:
        click.echo(f"... and {len(items) - limit} more: ticketlens themes list")


def _label_cell(item: dict[str, Any]) -> str:
    mark = {"suggested": " (draft)", "rejected": " (rejected)"}.get(str(item["label_state"]), "")
    return f"{item['label']}{mark}"


def _state(item: dict[str, Any]) -> str:
    return f"{item['state']}, pinned" if item["pinned"] else str(item["state"])


@themes.command("list")
@click.option(
    "--all", "include_all", is_flag=True, help="Also merged, retired and dismissed themes."
)
@output_options
@pass_context
def themes_list(ctx: Context, include_all: bool, as_json: bool, as_csv: bool) -> None:
    """List the themes that take tickets (proposed ones included), largest first.

    \b
    Example:
      ticketlens themes list --json
    """
    listing = list_themes(ctx.workspace, include_all=include_all)
    if as_json:
        emit_json(listing)
    elif as_csv:
        emit_rows(
            listing["items"],
            [
                "id",
                "label",
                "label_state",
                "state",
                "pinned",
                "origin",
                "language",
                "size",
                "share",
                "group_id",
                "group",
            ],
            as_json=False,
            as_csv=True,
        )
    else:
        print_theme_list(listing)


@themes.command("show")
@click.argument("theme_id", type=int)
@json_option
@pass_context
def themes_show(ctx: Context, theme_id: int, as_json: bool) -> None:
    """Show one theme: label, keywords, size and its most typical tickets.

    \b
    Example:
      ticketlens themes show 3
    """
    from ticketlens.mission import theme_links

    theme = get_theme(ctx.workspace, theme_id) | {"links": theme_links(ctx.workspace, theme_id)}
    if as_json:
        emit_json(theme)
        return
    out = stdout()
    out.print(f"Theme {theme['id']}: {safe_terminal(_label_cell(theme))}", markup=False)
    out.print(
        f"{theme['size']:,} tickets ({theme['share']:.1%}), {_state(theme)}, "
        f"language: {theme['language']}, group: {safe_terminal(theme['group'])}",
        markup=False,
    )
    for key, text in (("split_from", "split from theme"), ("merged_into", "merged into theme")):
        if theme[key]:
            out.print(f"{text} {theme[key]}", markup=False)
    out.print("keywords: " + safe_terminal(", ".join(theme["keywords"])), markup=False)
    print_links(theme["links"])
    for note in theme["annotations"]:
        mark = "" if note["state"] in ("approved", "edited") else f" ({note['state']})"
        out.print(f"{note['type']}{mark}: {safe_terminal(note['text'])}", markup=False)
    out.print("\nMost typical tickets:", markup=False)
    for ticket in theme["representatives"]:
        ref = f"{ticket['source']}:{ticket['external_id']}"
        out.print(f"- [{safe_terminal(ref)}] {safe_terminal(ticket['text'])}", markup=False)


LINK_NAMES = {"outcome": "outcome it blocks", "system": "system", "step": "journey step"}


def print_links(links: dict[str, list[dict[str, Any]]]) -> None:
    """A theme's outcome, system and journey step: approved ones, then drafts."""
    out = stdout()
    for field, name in LINK_NAMES.items():
        rows = links.get(field, [])
        if not rows:
            out.print(f"{name}: none yet", markup=False)
            continue
        shown = []
        for row in rows:
            owner = f", owner {row['owner']}" if row.get("owner") else ""
            draft = "" if row["state"] == "approved" else " (draft, not reviewed)"
            shown.append(f"{row['name']} [{row['id']}{owner}]{draft}")
        out.print(f"{name}: " + safe_terminal("; ".join(shown)), markup=False)


@cli.group("export")
def export() -> None:
    """Export derived data for other tools."""


@export.command("assignments")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv"]),
    default="csv",
    show_default=True,
    help="File format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout).",
)
@raw_option
@pass_context
def export_assignments(ctx: Context, fmt: str, output: Path | None) -> None:
    """Every ticket's theme: source,external_id,theme_id,theme_label,score.

    Unclear tickets have an empty theme_id. The columns are a stable interface.

    \b
    Example:
      ticketlens export assignments --format csv -o assignments.csv
    """
    del fmt  # csv is the only format so far
    fh = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    count = 0
    try:
        writer = SafeCsvWriter(fh, ASSIGNMENT_COLUMNS, formulas=csv_formulas())
        writer.writeheader()
        for row in iter_assignments(ctx.workspace):
            writer.writerow(row)
            count += 1
    finally:
        if output:
            fh.close()
    if output:
        click.echo(f"Wrote {count:,} assignments to {output}", err=True)
