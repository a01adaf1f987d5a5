"""Workspace commands: init, ingest, status, tickets, quarantine."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

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
from ticketlens.errors import TicketlensError
from ticketlens.ingest import input_size, parse_mapping, reader_names
from ticketlens.quarantine import export_rejected, list_quarantine
from ticketlens.status import workspace_status
from ticketlens.tickets import get_ticket, list_tickets
from ticketlens.workspace import Workspace

if TYPE_CHECKING:
    from ticketlens.pipeline import IngestReport

#: Files smaller than this import too fast for a progress bar to help.
PROGRESS_MIN_BYTES = 5_000_000


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--timezone", help="The team's IANA time zone, e.g. Europe/London (default UTC).")
def init(directory: Path, timezone: str | None) -> None:
    """Create a workspace: ticketlens.toml and a data folder.

    \b
    Example:
      ticketlens init support-insights --timezone Europe/London
    """
    values = {"workspace.timezone": timezone} if timezone else {}
    ws = Workspace.init(directory, values=values)
    click.echo(f"Created workspace {ws.root} (settings in {ws.root / 'ticketlens.toml'})")


def print_import_summary(report: IngestReport, *, show_formats: bool = False) -> None:
    result = report.imported
    if show_formats:
        for file, name in result.formats.items():
            click.echo(f"{file}: read as {name}")
    c = result.counts
    what = "Dry run, nothing written" if result.dry_run else f"Import {result.import_id}"
    terms = ", ".join(f"{name} {value}" for name, value in c.terms().items())
    click.echo(f"{what} ({result.source}): {terms}")
    for reason, rows in sorted(c.skip_reasons.items(), key=lambda kv: -kv[1]):
        click.echo(f"Skipped {rows} row(s): {safe_terminal(reason)}")
    if c.extended:
        click.echo(
            f"{c.extended} stored ticket(s) rebuilt with the replies or brand this import adds"
        )
    if c.absorbed:
        click.echo(f"{c.absorbed} stored ticket(s) turned out to be part of another thread")
    if c.quarantined and not result.dry_run:
        click.echo("See the rejected rows with: ticketlens quarantine list")
    for file, why in result.skipped.items():
        click.echo(f"Skipped {safe_terminal(file)}: {safe_terminal(why)}")
    for note in result.notes:
        click.echo(f"Note: {safe_terminal(note)}")
    from ticketlens.themes import Increment

    themes = report.after.of(Increment)
    if themes is not None:
        proposed = len(themes.proposed)
        click.echo(
            f"Themes: {themes.placed:,} of {themes.tickets:,} new tickets placed in known "
            f"themes, {themes.unclear:,} unclear, {proposed} new theme(s) proposed"
            + (" (review them: ticketlens themes list)" if proposed else "")
        )
        for language in themes.discovered_languages:
            click.echo(
                f"Themes: enough {language!r} tickets now: they were grouped into proposed "
                "themes of their own (ticketlens themes list)"
            )


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *reader_names()]),
    default="auto",
    show_default=True,
    help="Input format; auto recognises helpdesk exports by content, other files by extension.",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read FIELD from COLUMN; repeatable.",
)
@click.option(
    "--source",
    default="default",
    show_default=True,
    help="Name of the system the tickets come from; with the ticket id it is the key.",
)
@click.option(
    "--dry-run", is_flag=True, help="Read and count everything, write nothing: what would happen."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Output JSON: format, counts, which column became which field (a stable interface).",
)
@pass_context
def ingest(
    ctx: Context,
    paths: tuple[Path, ...],
    fmt: str | None,
    mappings: tuple[str, ...],
    source: str,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import tickets: helpdesk exports (Zendesk, TWCS, ServiceNow, call transcripts)
    or any CSV, TSV, JSON Lines or JSON file with a text column.

    Common column names are recognised; --map names others. Personal data is redacted
    before storage. Re-importing a file changes nothing; bad rows go to the quarantine
    with their reason; the whole import lands or nothing does.

    \b
    Example:
      ticketlens ingest export.csv --source helpdesk --map text=Description
      ticketlens ingest zendesk-pages/ --source zendesk
      ticketlens ingest 'exports/*.csv' --dry-run --json
    """
    ws = ctx.workspace
    mapping = parse_mapping(list(mappings))
    total = sum(input_size(p) for p in paths)
    show = total >= PROGRESS_MIN_BYTES and stderr().is_terminal
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=stderr(),
        transient=True,
        disable=not show,
    ) as bar:
        task = bar.add_task("importing", total=total)
        done_before: dict[str, int] = {}

        def progress(file: str, done: int, _size: int) -> None:
            done_before[file] = done
            bar.update(task, completed=sum(done_before.values()), description=Path(file).name)

        from ticketlens import pipeline

        report = pipeline.ingest(
            ws,
            list(paths),
            source=source,
            format=fmt,
            mapping=mapping,
            progress=progress,
            dry_run=dry_run,
        )
    if as_json:
        emit_json(report.imported.summary() | {"after": report.after.summary()})
        return
    print_import_summary(report, show_formats=fmt == "auto")


@cli.command()
@json_option
@pass_context
def status(ctx: Context, as_json: bool) -> None:
    """Show what the workspace holds.

    \b
    Example:
      ticketlens status --json
    """
    info = workspace_status(ctx.workspace)
    if as_json:
        emit_json(info)
        return
    out = stdout()
    last = info["last_import"]
    lines = [
        ("Workspace", info["workspace"]),
        ("Database", info["database"]),
        (
            "Tickets",
            f"{info['tickets']:,}"
            + "".join(f"  [{s}: {n:,}]" for s, n in sorted(info["tickets_by_source"].items())),
        ),
        ("Messages", f"{info['messages']:,}"),
        ("Requesters", f"{info['requesters']:,}"),
        ("Period", f"{info['first_ticket_at'] or '-'} .. {info['last_ticket_at'] or '-'}"),
        (
            "Imports",
            f"{info['imports']}"
            + (
                f" (last: #{last['id']} by {last['by']}: read {last['read']}, new {last['new']}, "
                f"updated {last['updated']}, unchanged {last['unchanged']}, "
                f"threaded {last['threaded']}, quarantined {last['quarantined']}, "
                f"skipped {last['skipped']})"
                if last
                else ""
            ),
        ),
        ("Quarantined rows", f"{info['quarantined']:,}"),
        ("Themes", _themes_line(info["themes"])),
        (
            "Review items",
            ", ".join(f"{k} {v}" for k, v in sorted(info["review_items"].items())) or "none",
        ),
        ("Audit events", f"{info['audit_events']:,}"),
    ]
    for label, value in lines:
        out.print(f"{label:<17} {safe_terminal(value)}", markup=False)


def _themes_line(themes: dict[str, Any] | None) -> str:
    if themes is None:
        return "none yet (ticketlens themes discover)"
    return (
        f"{themes['live']} ({themes['proposed']} proposed; last discovery, run "
        f"#{themes['run']}, over {themes['tickets']:,} tickets; {themes['unclear_now']:,} unclear)"
    )


@cli.group()
def tickets() -> None:
    """List and show imported tickets."""


@tickets.command("list")
@click.option("--limit", default=20, show_default=True, help="How many tickets.")
@click.option("--offset", default=0, help="Skip this many first.")
@click.option("--source", help="Only tickets from this source.")
@output_options
@pass_context
def tickets_list(
    ctx: Context, limit: int, offset: int, source: str | None, as_json: bool, as_csv: bool
) -> None:
    """List tickets, newest first.

    \b
    Example:
      ticketlens tickets list --limit 5 --json
    """
    rows = list_tickets(ctx.workspace, limit=limit, offset=offset, source=source)
    emit_rows(
        rows,
        ["id", "source", "external_id", "created_at", "channel", "status", "text"],
        as_json=as_json,
        as_csv=as_csv,
        widths={"text": 60},
    )


@tickets.command("show")
@click.argument("ref")
@json_option
@pass_context
def tickets_show(ctx: Context, ref: str, as_json: bool) -> None:
    """Show one ticket with its thread. REF is the id or SOURCE:EXTERNAL_ID.

    \b
    Example:
      ticketlens tickets show sample:HB-000042
    """
    ticket = get_ticket(ctx.workspace, ref)
    if as_json:
        emit_json(ticket)
        return
    out = stdout()
    skip = {"messages", "text", "custom_fields"}
    for key, value in ticket.items():
        if key not in skip and value not in (None, [], {}):
            out.print(f"{key:<18} {safe_terminal(value)}", markup=False)
    for key, value in ticket["custom_fields"].items():
        out.print(f"{'  ' + key:<18} {safe_terminal(value)}", markup=False)
    out.print("\n" + safe_terminal(ticket["text"]), markup=False)
    for m in ticket["messages"]:
        who = " ".join(safe_terminal(x) for x in (m["role"], m["author"], m["created_at"]) if x)
        out.print(f"\n--- {who}\n{safe_terminal(m['body'])}", markup=False)


@cli.group()
def quarantine() -> None:
    """Rows that could not be imported, with file, row, field and reason."""


@quarantine.command("list")
@click.option("--source", help="Only rows of this source.")
@click.option("--import", "import_id", type=int, help="Only rows found by this import.")
@output_options
@pass_context
def quarantine_list(
    ctx: Context, source: str | None, import_id: int | None, as_json: bool, as_csv: bool
) -> None:
    """List quarantined rows.

    \b
    Example:
      ticketlens quarantine list --json
    """
    rows = list_quarantine(ctx.workspace, source=source, import_id=import_id)
    emit_rows(rows, ["id", "file", "row", "field", "reason"], as_json=as_json, as_csv=as_csv)


@quarantine.command("export")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write to: one file per imported file, named like it.",
)
@click.option("--source", help="Only rows of this source.")
@raw_option
@pass_context
def quarantine_export(ctx: Context, output: Path, source: str | None) -> None:
    """Write the rejected rows back as they came in, to fix and import again.

    Each imported file with rejected rows gets a file of the same name in the folder, in
    its own columns (values redacted, the requester as its pseudonym, which an import
    keeps); a row that could not be split into columns is written as its raw text. The
    quarantine itself, with reasons, is `quarantine list --csv`.

    \b
    Example:
      ticketlens quarantine export -o rejected/
      ticketlens ingest rejected/tickets.csv
    """
    written = export_rejected(ctx.workspace, output, source=source, formulas=csv_formulas())
    for item in written:
        click.echo(
            f"Wrote {item.rows} row(s) of {safe_terminal(item.source_file)} to {item.path}",
            err=True,
        )
    if not written:
        click.echo("No quarantined rows.", err=True)


@cli.command("settings")
@json_option
@pass_context
def settings_command(ctx: Context, as_json: bool) -> None:
    """List every setting with its value in this workspace and what it does.

    \b
    Example:
      ticketlens settings --json
    """
    from ticketlens.settings import setting_specs

    resolved = ctx.workspace.settings
    rows = [
        {
            "setting": spec.key,
            "value": getattr(resolved, spec.attr),
            "default": spec.default,
            "env": spec.env or "",
            "help": spec.help,
        }
        for spec in setting_specs()
    ]
    if as_json:
        emit_json(rows)
        return
    # One block per setting: the names one types (the key, the variable) are never cut.
    width = max(40, min(stdout().width, 100))  # rich reads the terminal (or COLUMNS)
    for row in rows:
        value = "(empty)" if row["value"] in ("", None) else row["value"]
        env = f"   env {row['env']}" if row["env"] else ""
        line = f"{row['setting']} = {safe_terminal(value)}{env}"
        if len(line) > width:  # a long value (a path, a URL) goes on lines of its own
            click.echo(f"{row['setting']} ={env}")
            for part in textwrap.wrap(safe_terminal(value), width - 4, break_on_hyphens=False):
                click.echo(f"    {part}")
        else:
            click.echo(line)
        for part in textwrap.wrap(row["help"], width - 4):
            click.echo(f"    {part}")


@cli.command()
@click.argument("requester")
@click.option("--why", help="Reason, kept in the audit log (e.g. the erasure request's reference).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def forget(ctx: Context, requester: str, why: str | None, yes: bool) -> None:
    """Erase a requester's tickets (right to erasure) and record that it was done.

    REQUESTER is the identifier as it appeared in the imported data.

    \b
    Example:
      ticketlens forget ann@example.com --why "erasure request #4411" --yes
    """
    from ticketlens.privacy.erasure import forget_requester

    if not yes:
        if not sys.stdin.isatty():  # a script: nobody can answer the question
            raise TicketlensError(
                "forget erases for good and asks first, but there is no terminal to ask on",
                hint="pass --yes to erase without the question",
            )
        if not click.confirm(f"Erase every ticket of {requester!r}? This cannot be undone"):
            raise TicketlensError("nothing erased", hint="answer y to erase, or pass --yes")
    done = forget_requester(ctx.workspace, requester, reason=why)
    click.echo(
        f"Erased requester {done.requester_key}: {done.tickets} tickets, {done.messages} "
        f"messages, {done.quarantined_rows} quarantined rows (recorded in the audit log)"
    )


@cli.command()
@click.option("--limit", default=20, show_default=True, help="How many imports, newest first.")
@output_options
@pass_context
def imports(ctx: Context, limit: int, as_json: bool, as_csv: bool) -> None:
    """List past imports and what happened to their rows.

    \b
    Example:
      ticketlens imports --limit 5
    """
    from ticketlens.history import list_imports

    rows = list_imports(ctx.workspace, limit=limit)
    emit_rows(
        rows,
        [
            "id",
            "started_at",
            "actor",
            "source",
            "format",
            "read",
            "new",
            "updated",
            "unchanged",
            "threaded",
            "quarantined",
            "skipped",
        ],
        as_json=as_json,
        as_csv=as_csv,
    )


@cli.command("audit")
@click.option(
    "--type", "target_type", help="Only events about this kind of thing (e.g. review_item)."
)
@click.option("--id", "target_id", help="Only events about this id.")
@click.option("--actor", help="Only events by this person.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
    help="Only events from this date (UTC) on.",
)
@click.option("--limit", default=50, show_default=True, help="Only the newest this many (0: all).")
@output_options
@pass_context
def audit_log(
    ctx: Context,
    target_type: str | None,
    target_id: str | None,
    actor: str | None,
    since: dt.datetime | None,
    limit: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Show the audit log: who did what, when and why (it is never rewritten).

    \b
    Example:
      ticketlens audit --actor dana --since 2026-11-01
      ticketlens audit --type requester --json --limit 0
    """
    from ticketlens.history import count_audit_events, describe_change, list_audit_events

    rows = list_audit_events(
        ctx.workspace,
        target_type=target_type,
        target_id=target_id,
        actor=actor,
        since=since.replace(tzinfo=dt.UTC) if since else None,
        limit=limit or None,
    )
    if as_json or as_csv:
        emit_rows(
            rows,
            ["id", "at", "actor", "action", "target_type", "target_id", "reason"],
            as_json=as_json,
            as_csv=as_csv,
        )
        return
    emit_rows(
        [
            r
            | {
                "at": r["at"][:19].replace("T", " "),
                "target": f"{r['target_type']}:{r['target_id']}",
                "change": describe_change(r["before"], r["after"]),
            }
            for r in rows
        ],
        ["id", "at", "actor", "action", "target", "change", "reason"],
        as_json=False,
        as_csv=False,
        widths={"change": 40, "reason": 30},
        optional=["change"],
    )
    total = count_audit_events(ctx.workspace)
    if limit and len(rows) == limit and total > limit:
        click.echo(
            f"The newest {limit} of {total:,} events; --limit 0 shows all, --json all fields."
        )
