"""``ticketlens mission show|check``: the team's outcomes, systems and journey."""

from __future__ import annotations

from pathlib import Path

import click

from ticketlens.cli._app import Context, cli, pass_context
from ticketlens.cli._output import emit_json, emit_rows, json_option, safe_terminal, stdout
from ticketlens.mission import Mission, load_mission, load_workspace_mission


@cli.group()
def mission() -> None:
    """The mission file: user outcomes, systems with owners, the customer journey."""


def _load(ctx: Context, path: Path | None) -> Mission:
    return load_mission(path) if path else load_workspace_mission(ctx.workspace)


@mission.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def mission_check(ctx: Context, path: Path | None) -> None:
    """Validate a mission file (default: the workspace's mission.yaml or mission.toml).

    Errors name the file, the line and the field.

    \b
    Example:
      ticketlens mission check mission.yaml
    """
    found = _load(ctx, path)
    click.echo(
        f"{found.path}: OK, {len(found.outcomes)} outcomes, {len(found.systems)} systems, "
        f"{len(found.journey)} journey steps"
    )


@mission.command("show")
@json_option
@pass_context
def mission_show(ctx: Context, as_json: bool) -> None:
    """Show the workspace's mission: outcomes, systems and owners, journey steps.

    \b
    Example:
      ticketlens mission show --json
    """
    found = load_workspace_mission(ctx.workspace)
    data = found.as_dict()
    if as_json:
        emit_json(data)
        return
    out = stdout()
    out.print(f"{safe_terminal(found.name)}: {safe_terminal(found.statement)}\n", markup=False)
    outcomes = [
        o
        | {"metric": f"{o['metric']['name']} {o['metric']['target'] or ''}" if o["metric"] else ""}
        for o in data["outcomes"]
    ]
    emit_rows(outcomes, ["id", "name", "metric"], as_json=False, as_csv=False)
    emit_rows(
        data["systems"], ["id", "name", "owner", "team", "contact"], as_json=False, as_csv=False
    )
    journey = [j | {"step": i + 1} for i, j in enumerate(data["journey"])]
    emit_rows(journey, ["step", "id", "name"], as_json=False, as_csv=False)
