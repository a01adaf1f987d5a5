"""``ticketlens outcomes``: the user outcomes and the approved themes that block them."""

from __future__ import annotations

import click

from ticketlens.cli._app import Context, cli, pass_context
from ticketlens.cli._output import emit_json, emit_rows, json_option
from ticketlens.insight.rollup import outcome_rollup


@cli.command("outcomes")
@json_option
@pass_context
def outcomes(ctx: Context, as_json: bool) -> None:
    """Per user outcome: the themes people linked to it and how many tickets they hold.

    Only approved links count, never suggestions. A ticket counts once per outcome and
    once in the total, even when its theme blocks two outcomes.

    \b
    Example:
      ticketlens outcomes --json
    """
    rollup = outcome_rollup(ctx.workspace)
    if as_json:
        emit_json(rollup)
        return
    rows = [
        r
        | {
            "themes": ", ".join(f"{t['label']} ({t['tickets']})" for t in r["themes"][:4])
            + (f" +{len(r['themes']) - 4} more" if len(r["themes"]) > 4 else ""),
        }
        for r in rollup["outcomes"]
    ]
    emit_rows(
        rows,
        ["outcome", "name", "tickets", "themes"],
        as_json=False,
        as_csv=False,
        widths={"themes": 50},
    )
    click.echo(
        f"{rollup['tickets_total']:,} distinct tickets behind approved links"
        f" ({rollup['shared']:,} under two or more outcomes, counted once here);"
        f" {rollup['pending_suggestions']} outcome suggestion(s) wait in `ticketlens review`."
    )
