"""``ticketlens demo``."""

from __future__ import annotations

from pathlib import Path

import click

from ticketlens.cli._app import Context, cli
from ticketlens.cli._commands import print_import_summary, status
from ticketlens.demo import run_demo


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
