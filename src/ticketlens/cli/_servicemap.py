"""``ticketlens servicemap``: systems, their hot spots and the journey's failure-prone steps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ticketlens.cli._app import Context, pass_context
from ticketlens.cli._app import cli as root
from ticketlens.cli._curation import curation_options
from ticketlens.cli._output import emit_json, emit_rows
from ticketlens.store.schema import HOT_SPOT_STATES


@root.group("servicemap", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write it to this file: .png or .svg draws it, .json writes the data (repeatable).",
)
@click.option("--svg", type=click.Path(dir_okay=False, path_type=Path), help="Same as -o FILE.svg.")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Same as -o FILE.png.")
@click.option("--top", default=10, show_default=True, help="Hot spots to list.")
@click.pass_context
def servicemap(
    click_ctx: click.Context,
    as_json: bool,
    outputs: tuple[Path, ...],
    svg: Path | None,
    png: Path | None,
    top: int,
) -> None:
    """Where pain lands: systems by recent volume and trend, hot spots, journey steps.

    Built from the links people approved (theme -> system, theme -> journey step).

    \b
    Example:
      ticketlens servicemap -o servicemap.png
    """
    if click_ctx.invoked_subcommand is not None:
        return
    files = [*outputs, *(p for p in (svg, png) if p is not None)]
    for path in files:
        if path.suffix.lower() not in (".png", ".svg", ".json"):
            raise click.UsageError(f"-o {path}: name a .png, .svg or .json file")
    from ticketlens.insight.servicemap import service_map

    ctx = click_ctx.ensure_object(Context)
    data = service_map(ctx.workspace)
    for path in files:
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            click.echo(f"Wrote the service map data to {path}", err=True)
            continue
        from ticketlens.insight.charts import render, service_map_chart

        render(service_map_chart(data), path)
        click.echo(f"Drew the service map to {path}", err=True)
    if as_json:
        emit_json(data)
        return
    if files:
        return
    weeks = data["window_weeks"]
    as_of = data["as_of"] or "-"
    click.echo(f"As of {as_of} ({data['as_of_basis']}).")
    emit_rows(
        [s | {"trend": _trend(s), "themes": len(s["themes"])} for s in data["systems"]],
        ["system", "owner", "recent", "before", "trend", "tickets", "themes"],
        as_json=False,
        as_csv=False,
    )
    click.echo(
        f"recent: tickets in the last {weeks} weeks to then; before: the {weeks} weeks before; "
        "tickets: all time"
    )
    emit_rows(
        [h | {"trend": _trend(h)} for h in data["hot_spots"][:top]],
        ["rank", "system", "theme", "label", "recent", "trend", "state", "due", "owner"],
        as_json=False,
        as_csv=False,
        widths={"label": 30},
        optional=["owner", "due"],
    )
    emit_rows(
        data["journey"],
        ["step", "name", "recent", "tickets", "themes"],
        as_json=False,
        as_csv=False,
    )


def _trend(row: dict[str, object]) -> str:
    """The change and its class, as the picture colours it: ``+20% rising``."""
    from ticketlens.insight.servicemap import percent

    change = percent(row["trend"])  # type: ignore[arg-type]
    return change if change == "new" else f"{change} {row['trend_class']}"


@servicemap.command("mark")
@click.argument("system")
@click.argument("theme_id", type=int)
@click.option("--state", type=click.Choice(HOT_SPOT_STATES), required=True, help="Its new state.")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), help="When the fix is scheduled for.")
@click.option("--owner", help="Who owns the fix (default: the system's owner).")
@curation_options
@pass_context
def servicemap_mark(
    ctx: Context,
    system: str,
    theme_id: int,
    state: str,
    due: dt.datetime | None,
    owner: str | None,
    why: str | None,
) -> None:
    """Mark a hot spot (a theme on a system): acknowledged, scheduled (with --due), fixed.

    \b
    Example:
      ticketlens servicemap mark card-processing 12 --state scheduled --due 2026-12-15 --as dana
    """
    from ticketlens.insight.servicemap import mark_hot_spot

    done = mark_hot_spot(
        ctx.workspace,
        system,
        theme_id,
        state,
        due=due.date() if due else None,
        owner=owner,
        reason=why,
    )
    click.echo(
        f"Hot spot {system} / theme {theme_id} is {done['state']} (by {ctx.workspace.actor})."
    )
