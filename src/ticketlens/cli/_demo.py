"""``ticketlens demo``."""

from __future__ import annotations

from pathlib import Path

import click

from ticketlens.cli._app import Context, cli
from ticketlens.cli._commands import print_import_summary, status
from ticketlens.cli._outcomes import outcomes as outcomes_command
from ticketlens.cli._themes import print_theme_list, step_progress
from ticketlens.demo import run_demo
from ticketlens.errors import NotFound
from ticketlens.themes.catalog import list_themes
from ticketlens.workspace import Workspace

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
    ctx: Context = click_ctx.find_object(Context)  # type: ignore[assignment]
    result = run_demo(directory, actor=ctx.actor)
    verb = "Created" if result.created else "Reusing"
    click.echo(f"{verb} demo workspace {result.workspace.root}")
    print_import_summary(result.imported)
    click.echo("")
    ctx.workspace_path = result.workspace.root
    ctx._workspace = result.workspace
    click_ctx.invoke(status, as_json=False)
    click.echo("")
    counts = result.imported.counts
    changed = counts.new + counts.updated > 0
    show_demo_themes(result.workspace, rediscover=changed)
    show_demo_mission(result.workspace)


def show_demo_themes(workspace: Workspace, *, rediscover: bool) -> None:
    """Discover the sample's themes (once per change of the data) and list the largest."""
    from ticketlens.themes.runs import run_discovery

    try:
        listing = None if rediscover else list_themes(workspace)
    except NotFound:
        listing = None
    if listing is None:
        with step_progress() as progress:
            run_discovery(workspace, progress=progress)
        listing = list_themes(workspace)
    print_theme_list(listing, limit=DEMO_THEMES)
    click.echo(f"Next: ticketlens -w {workspace.root} themes show {listing['items'][0]['id']}")


def show_demo_mission(workspace: Workspace) -> None:
    """Suggest links, apply the bank team's past decisions, show the outcomes and the map."""
    from ticketlens.demo import apply_review_decisions
    from ticketlens.insight.charts import render, service_map_chart
    from ticketlens.insight.links import suggest_links
    from ticketlens.insight.servicemap import service_map
    from ticketlens.reviews import list_items

    click.echo("")
    if not list_items(workspace, kind="theme-outcome"):
        with step_progress() as progress:
            progress("suggesting links to outcomes, systems and journey steps")
            suggest_links(workspace)
    applied = apply_review_decisions(workspace)
    pending = len(list_items(workspace, state="suggested"))
    click.echo(
        f"Applied the team's past decisions: {applied['approved']} links approved, "
        f"{applied['edited']} edited; {pending} suggestions wait: "
        f"ticketlens -w {workspace.root} review"
    )
    click.echo("")
    click.get_current_context().invoke(outcomes_command, as_json=False)
    picture = workspace.root / "servicemap.svg"
    render(service_map_chart(service_map(workspace)), picture)
    click.echo(f"\nService map: ticketlens -w {workspace.root} servicemap (drawn to {picture})")
