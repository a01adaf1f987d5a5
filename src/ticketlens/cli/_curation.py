"""`ticketlens themes` curation: rename, merge, split, move, pin, retire, accept, dismiss...

Every curation command takes ``--as NAME`` (who; default $TICKETLENS_USER or the OS
user) and ``--why`` (kept in the audit log with the action).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ticketlens.cli._app import Context, pass_context
from ticketlens.cli._output import emit_json, json_option, safe_terminal, stdout
from ticketlens.cli._themes import step_progress, themes
from ticketlens.errors import NotFound

F = TypeVar("F", bound=Callable[..., Any])


def _curate(ctx: Context, action: str, *args: Any, **kwargs: Any) -> Any:
    """Apply a curation through the pipeline, so later stages hear of it."""
    # Imported on use: curation pulls in numpy, scikit-learn and the models.
    from ticketlens import pipeline
    from ticketlens.themes import curation

    return pipeline.curate(ctx.workspace, getattr(curation, action), *args, **kwargs)


def _set_actor(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value:
        ctx.ensure_object(Context).actor = value
    return value


def curation_options(command: F) -> F:
    """``--as`` and ``--why``, on every action a person takes."""
    command = click.option(
        "--why", metavar="TEXT", help="Why (kept in the audit log with the action)."
    )(command)
    return click.option(
        "--as",
        "actor",
        metavar="NAME",
        expose_value=False,
        is_eager=True,
        callback=_set_actor,
        help="Who is acting (default: the global --as, $TICKETLENS_USER or the OS user).",
    )(command)


def _ticket_ids(ctx: Context, refs: tuple[str, ...]) -> list[int]:
    """Numeric ids as they are; SOURCE:EXTERNAL_ID looked up."""
    from ticketlens.tickets import get_ticket

    ids = []
    for ref in refs:
        for part in ref.split(","):
            part = part.strip()
            if part:
                ids.append(
                    int(part) if part.isdigit() else int(get_ticket(ctx.workspace, part)["id"])
                )
    return ids


@themes.command("rename")
@click.argument("theme_id", type=int)
@click.argument("name")
@curation_options
@pass_context
def themes_rename(ctx: Context, theme_id: int, name: str, why: str | None) -> None:
    """Give a theme a name; discovery never changes a name a person gave.

    \b
    Example:
      ticketlens themes rename 12 "Card not delivered" --as dana --why "matches our macro"
    """
    _curate(ctx, "rename", theme_id, name, reason=why)
    click.echo(f"Theme {theme_id} is now {name!r} (by {ctx.workspace.actor}).")


@themes.command("merge")
@click.argument("theme_ids", type=int, nargs=-1, required=True)
@click.option("--into", "into", type=int, required=True, help="The theme that absorbs them.")
@curation_options
@pass_context
def themes_merge(ctx: Context, theme_ids: tuple[int, ...], into: int, why: str | None) -> None:
    """Merge themes into another: their tickets move, they stay as merged history.

    \b
    Example:
      ticketlens themes merge 14 15 --into 12 --as dana --why "same root cause"
    """
    _curate(ctx, "merge", list(theme_ids), into, reason=why)
    click.echo(f"Merged {', '.join(map(str, theme_ids))} into theme {into}.")


@themes.command("split")
@click.argument("theme_id", type=int)
@click.option("--count", type=int, help="Split into this many parts (k-means).")
@click.option(
    "--examples",
    "examples",
    multiple=True,
    metavar="IDS",
    help="Ticket ids (comma separated) standing for one part; repeat once per part.",
)
@click.option("--label", "labels", multiple=True, help="Name of each part, in order.")
@curation_options
@pass_context
def themes_split(
    ctx: Context,
    theme_id: int,
    count: int | None,
    examples: tuple[str, ...],
    labels: tuple[str, ...],
    why: str | None,
) -> None:
    """Split a theme into parts: by a count, or by example tickets for each part.

    \b
    Example:
      ticketlens themes split 12 --count 2 --as dana
      ticketlens themes split 12 --examples 101,102 --examples 340 \\
          --label "PIN locked" --label "PIN change" --as dana --why "two fixes"
    """
    groups = [_ticket_ids(ctx, (e,)) for e in examples] if examples else None
    parts = _curate(
        ctx,
        "split",
        theme_id,
        count=count,
        examples=groups,
        labels=list(labels) or None,
        reason=why,
    )
    click.echo(f"Split theme {theme_id} into {', '.join(map(str, parts))}.")


@themes.command("move")
@click.argument("tickets", nargs=-1, required=True)
@click.option("--to", "to", required=True, help="Theme id, or 'none' for no theme.")
@curation_options
@pass_context
def themes_move(ctx: Context, tickets: tuple[str, ...], to: str, why: str | None) -> None:
    """Move tickets (ids or SOURCE:EXTERNAL_ID) to a theme; automation keeps them there.

    \b
    Example:
      ticketlens themes move 101 zendesk:5521 --to 12 --as dana --why "misfiled"
    """
    target = None if to.lower() == "none" else _theme_id(to)
    moved = _curate(ctx, "move", _ticket_ids(ctx, tickets), target, reason=why)
    click.echo(f"Moved {moved} ticket(s) to {'no theme' if target is None else f'theme {target}'}.")


def _theme_id(value: str) -> int:
    if not value.isdigit():
        raise NotFound(f"no theme {value!r}", hint="give the theme's numeric id, or 'none'")
    return int(value)


def _simple(name: str, action: str, done: str, help_text: str) -> None:
    example = f'\n\n\b\nExample:\n  ticketlens themes {name} 12 --as dana --why "..."'

    @themes.command(name, help=help_text + example)
    @click.argument("theme_id", type=int)
    @curation_options
    @pass_context
    def command(ctx: Context, theme_id: int, why: str | None) -> None:
        _curate(ctx, action, theme_id, reason=why)
        click.echo(f"Theme {theme_id} {done} (by {ctx.workspace.actor}).")


_simple(
    "pin",
    "pin",
    "is pinned",
    "Pin a theme: discovery never relabels, reshapes, merges or retires it.\n\n"
    "New tickets that fit it still join it.",
)
_simple("unpin", "unpin", "is no longer pinned", "Let discovery refresh a pinned theme.")
_simple(
    "retire",
    "retire",
    "is retired",
    "Retire a theme (e.g. the issue is fixed): no new tickets join it; its tickets stay "
    "as history. New tickets like it are proposed as a new theme.",
)
_simple(
    "dismiss",
    "dismiss",
    "is dismissed",
    "Dismiss a proposed theme: its tickets count as unclear and the pattern is not proposed again.",
)


@themes.command("accept")
@click.argument("theme_id", type=int)
@click.option("--label", help="Name it while accepting (otherwise the draft label stays).")
@curation_options
@pass_context
def themes_accept(ctx: Context, theme_id: int, label: str | None, why: str | None) -> None:
    """Accept a proposed theme: it becomes one the team tracks.

    \b
    Example:
      ticketlens themes accept 57 --label "Apple Pay declined" --as dana
    """
    _curate(ctx, "accept", theme_id, label=label, reason=why)
    click.echo(f"Theme {theme_id} is accepted (by {ctx.workspace.actor}).")


@themes.command("annotate")
@click.argument("theme_id", type=int)
@click.option(
    "--type",
    "kind",
    type=click.Choice(["risk", "desired-outcome", "guardrail", "note"]),
    required=True,
    help="What the annotation says: mission risk, desired outcome, playbook guardrail, note.",
)
@click.option("--text", required=True, help="The annotation.")
@click.option("--evidence", metavar="IDS", help="Ticket ids behind it (comma separated).")
@curation_options
@pass_context
def themes_annotate(
    ctx: Context, theme_id: int, kind: str, text: str, evidence: str | None, why: str | None
) -> None:
    """Annotate a theme; the annotation is a draft until reviewed (`ticketlens review`).

    \b
    Example:
      ticketlens themes annotate 12 --type risk --text "Travellers stranded abroad" --as dana
    """
    from ticketlens.mission import annotate

    tickets = _ticket_ids(ctx, (evidence,)) if evidence else []
    item = annotate(ctx.workspace, theme_id, kind, text, evidence=tickets, reason=why)
    click.echo(f"Annotation {item['id']} on theme {theme_id} waits for review.")


@themes.command("history")
@click.argument("theme_id", type=int)
@json_option
@pass_context
def themes_history(ctx: Context, theme_id: int, as_json: bool) -> None:
    """A theme's lineage and every action on it: who, when, what and why.

    \b
    Example:
      ticketlens themes history 12
    """
    from ticketlens.themes import theme_history

    history = theme_history(ctx.workspace, theme_id)
    if as_json:
        emit_json(history)
        return
    out = stdout()
    out.print(
        f"Theme {history['id']}: {safe_terminal(history['label'])} "
        f"({history['state']}{', pinned' if history['pinned'] else ''}, "
        f"{history['origin']}, {history['language']})",
        markup=False,
    )
    for key, text in (
        ("split_from", "split from"),
        ("split_into", "split into"),
        ("merged_into", "merged into"),
        ("merged_from", "merged from"),
    ):
        if history[key]:
            out.print(f"{text}: {history[key]}", markup=False)
    from ticketlens.history import describe_change

    # A change reads in full (lists shortened, never cut mid-way): one block per event.
    for e in history["events"]:
        at = e["at"][:19].replace("T", " ")
        out.print(f"\n{at}  {safe_terminal(e['actor'])}  {e['action']}", markup=False)
        change = describe_change(e["before"], e["after"])
        if change:
            out.print(f"    {safe_terminal(change)}", markup=False)
        if e["reason"]:
            out.print(f"    why: {safe_terminal(e['reason'])}", markup=False)


@themes.command("seed")
@click.argument("taxonomy", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@curation_options
@pass_context
def themes_seed(ctx: Context, taxonomy: Path, why: str | None) -> None:
    """Seed themes from the team's taxonomy (YAML or CSV: name, description, examples).

    The categories keep their names; the next `themes discover` fills them and adds
    themes only for what they do not cover.

    \b
    Example:
      ticketlens themes seed taxonomy.yaml --as dana && ticketlens themes discover
    """
    from ticketlens import pipeline
    from ticketlens.themes import seed_themes

    ids = pipeline.curate(ctx.workspace, seed_themes, taxonomy, reason=why)
    click.echo(
        f"Seeded {len(ids)} categories (themes {', '.join(map(str, ids))}); "
        "run `ticketlens themes discover` to fill them."
    )


@themes.command("assign")
@json_option
@pass_context
def themes_assign(ctx: Context, as_json: bool) -> None:
    """Place tickets not yet in a theme and propose new themes (imports do this by themselves).

    \b
    Example:
      ticketlens themes assign --json
    """
    from ticketlens import pipeline

    with step_progress() as progress:
        done, _after = pipeline.place(ctx.workspace, progress=progress)
    if as_json:
        emit_json(done.summary())
        return
    click.echo(
        f"{done.tickets:,} new tickets: {done.placed:,} placed, {done.unclear:,} unclear, "
        f"{len(done.proposed)} proposed theme(s)"
        + (f" {', '.join(map(str, done.proposed))}" if done.proposed else "")
    )
