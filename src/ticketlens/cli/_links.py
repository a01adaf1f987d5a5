"""``ticketlens links suggest``: draft each theme's outcome, system and journey step."""

from __future__ import annotations

import click

from ticketlens.cli._app import Context, cli, pass_context
from ticketlens.cli._output import emit_json, json_option


@cli.group()
def links() -> None:
    """Links from themes to the mission's outcomes, systems and journey steps."""


@links.command("suggest")
@json_option
@pass_context
def links_suggest(ctx: Context, as_json: bool) -> None:
    """Suggest, for every theme, the outcome it blocks, the system it comes from and the
    journey step where it happens, each with a score, a rationale and evidence tickets.

    Suggestions wait in the review queue (`ticketlens review`); a rejected one is never
    suggested again, an approved one never changed.

    \b
    Example:
      ticketlens links suggest && ticketlens review --kind theme-outcome
    """
    # Imported here: suggesting loads the transformer (seconds).
    from ticketlens.mission import suggest_links

    made = suggest_links(ctx.workspace)
    if as_json:
        emit_json(made)
        return
    click.echo(
        "Suggested "
        + ", ".join(f"{made.get(kind, 0)} {kind} link(s)" for kind in ("outcome", "system", "step"))
        + "; review them: ticketlens review"
    )
