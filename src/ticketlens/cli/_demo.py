"""``ticketlens demo``: runs :func:`ticketlens.demo.run_demo` and shows what it did."""

from __future__ import annotations

from pathlib import Path

import click

from ticketlens.cli._app import Context, cli
from ticketlens.cli._commands import print_import_summary, status
from ticketlens.cli._outcomes import outcomes as outcomes_command
from ticketlens.cli._themes import print_theme_list, step_progress
from ticketlens.themes.catalog import list_themes

#: Themes listed at the end of the demo (the rest: ``ticketlens themes list``).
DEMO_THEMES = 15


@cli.command()
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default="ticketlens-demo"
)
@click.pass_context
def demo(click_ctx: click.Context, directory: Path) -> None:
    """Build a workspace from the bundled sample bank and run the main job on it.

    Offline: SQLite, no LLM, no network. Running it again reuses the workspace.

    \b
    Example:
      ticketlens demo ./demo && ticketlens -w ./demo tickets list
    """
    from ticketlens.demo import run_demo

    ctx: Context = click_ctx.find_object(Context)  # type: ignore[assignment]
    with step_progress() as progress:
        report = run_demo(directory, actor=ctx.actor, overrides=ctx.overrides, progress=progress)
    workspace = report.workspace
    ctx.use(workspace)
    verb = "Created" if report.created else "Reusing"
    click.echo(f"{verb} demo workspace {workspace.root}")
    print_import_summary(report.ingest)
    click.echo("")
    click_ctx.invoke(status, as_json=False)
    click.echo("")
    listing = list_themes(workspace)
    print_theme_list(listing, limit=DEMO_THEMES)
    click.echo(f"Next: ticketlens -w {workspace.root} themes show {listing['items'][0]['id']}")
    click.echo("")
    click.echo(
        f"Applied the team's past decisions: {report.decisions['approved']} links approved, "
        f"{report.decisions['edited']} edited; {report.pending} suggestions wait: "
        f"ticketlens -w {workspace.root} review"
    )
    click.echo("")
    click_ctx.invoke(outcomes_command, as_json=False)
    click.echo(
        f"\nService map: ticketlens -w {workspace.root} servicemap (drawn to {report.service_map})"
    )
