"""``ticketlens review``: the queue of drafts a person approves, edits or rejects.

``review`` alone walks the pending items interactively; ``review list --json`` and
``review approve|reject|edit|reopen ID`` are for scripts (a stable interface).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from ticketlens.cli._app import Context, pass_context
from ticketlens.cli._app import cli as root
from ticketlens.cli._curation import curation_options
from ticketlens.cli._output import emit_json, emit_rows, json_option, safe_terminal, stdout
from ticketlens.review import (
    KINDS,
    REASON_REQUIRED,
    REVIEW_STATES,
    edited_payload,
    get_item,
    list_items,
    subject_theme,
)

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace


def decide(workspace: Workspace, item_id: int, action: str, **kwargs: Any) -> dict[str, Any]:
    """The pipeline carries a decision out (an approved merge merges the themes)."""
    from ticketlens import pipeline

    return pipeline.decide(workspace, item_id, action, **kwargs)


LIST_COLUMNS = ["id", "kind", "subject", "target", "state", "summary", "evidence"]


@root.group("review", invoke_without_command=True)
@curation_options
@click.option("--kind", type=click.Choice(KINDS), help="Only items of this kind.")
@click.pass_context
def review(click_ctx: click.Context, kind: str | None, why: str | None) -> None:
    """Review the drafts: each suggestion beside the tickets behind it.

    Without a subcommand, walks the pending (suggested) items one by one:
    [a]pprove, [e]dit, [r]eject, [s]kip or [q]uit. Every decision is audited.

    \b
    Example:
      ticketlens review --kind theme-label --as dana
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.ensure_object(Context)
    _walk(ctx, kind, why)


def _walk(ctx: Context, kind: str | None, why: str | None) -> None:
    pending = list_items(ctx.workspace, kind=kind, state="suggested")
    if not pending:
        click.echo("Nothing waits for review.")
        return
    done = 0
    for position, summary in enumerate(pending, start=1):
        item = get_item(ctx.workspace, summary["id"])
        _print_item(ctx, item, f"{position} of {len(pending)}")
        choice = click.prompt(
            "[a]pprove, [e]dit, [r]eject, [s]kip, [q]uit",
            type=click.Choice(["a", "e", "r", "s", "q"]),
            show_choices=False,
        )
        if choice == "q":
            break
        if choice == "s":
            continue
        action = {"a": "approve", "r": "reject", "e": "edit"}[choice]
        # What changes first, then why: the natural order of an edit.
        payload = _edited(item) if action == "edit" else None
        if payload is not None and payload == item["payload"]:
            click.echo("Nothing changed: not recorded (approve it to keep it as it is).")
            continue
        reason = why or _ask_reason(action)
        decide(ctx.workspace, item["id"], action, reason=reason, payload=payload)
        done += 1
    click.echo(f"{done} decision(s) recorded by {ctx.workspace.actor}.")


def _ask_reason(action: str) -> str | None:
    if action in REASON_REQUIRED:
        return str(click.prompt("Why (required)"))
    return click.prompt("Why (optional)", default="", show_default=False) or None


def _edited(item: dict[str, Any]) -> dict[str, Any]:
    """Ask for a new value of each text field of the payload (Enter keeps it)."""
    payload = dict(item["payload"])
    for key, value in item["payload"].items():
        if isinstance(value, str):
            payload[key] = click.prompt(key, default=value)
    return payload


def _subject(ctx: Context, subject: str) -> str:
    """``theme:34`` as the theme it is: ``theme 34 "Card not delivered"``."""
    from ticketlens.errors import NotFound
    from ticketlens.review import subject_theme
    from ticketlens.themes.catalog import get_theme

    theme_id = subject_theme(subject)
    if theme_id is None:
        return subject
    try:
        return f'theme {theme_id} "{get_theme(ctx.workspace, theme_id)["label"]}"'
    except NotFound:
        return subject


def _print_item(ctx: Context, item: dict[str, Any], position: str) -> None:
    out = stdout()
    subject = safe_terminal(_subject(ctx, item["subject"]))
    out.print(f"\n[{position}] #{item['id']} {item['kind']}: {subject}", markup=False)
    if item["target"]:
        out.print(f"  -> {safe_terminal(item['target'])}", markup=False)
    out.print("  " + safe_terminal(_summary(item)), markup=False)
    if item["rationale"]:
        out.print(f"  why suggested: {safe_terminal(item['rationale'])}", markup=False)
    if item["score"] is not None:
        out.print(f"  score: {item['score']:.2f}", markup=False)
    out.print(f"  evidence: {len(item['evidence'])} ticket(s)", markup=False)
    for ticket in item["evidence_tickets"]:
        out.print(
            f"   - [{safe_terminal(ticket['ref'])}] {safe_terminal(ticket['text'])}", markup=False
        )


def _summary(item: dict[str, Any]) -> str:
    payload = item["payload"]
    if "merge" in payload and "into" in payload:
        first, second = (payload.get("labels") or ["", ""])[:2]
        return f"merge theme {payload['merge']} ({first}) into {payload['into']} ({second})"
    if "label" in payload:
        return f"label: {payload['label']}"
    if "name" in payload and item["target"]:
        return f"{item['target']} ({payload['name']})"
    return json.dumps(payload, ensure_ascii=False)[:200]


@review.command("list")
@click.option("--kind", type=click.Choice(KINDS), help="Only items of this kind.")
@click.option("--state", type=click.Choice(REVIEW_STATES), help="Only items in this state.")
@json_option
@pass_context
def review_list(ctx: Context, kind: str | None, state: str | None, as_json: bool) -> None:
    """List review items: id, kind, state, what they suggest, their evidence.

    `--json` prints an array of items with at least id, kind, state and evidence
    (ticket ids).

    \b
    Example:
      ticketlens review list --state suggested --json
    """
    items = list_items(ctx.workspace, kind=kind, state=state)
    if as_json:
        emit_json(items)
        return
    rows = [i | {"summary": _summary(i), "evidence": len(i["evidence"])} for i in items]
    emit_rows(
        rows,
        LIST_COLUMNS,
        as_json=False,
        as_csv=False,
        widths={"summary": 40},
        optional=["evidence"],
    )


@review.command("show")
@click.argument("item_id", type=int)
@json_option
@pass_context
def review_show(ctx: Context, item_id: int, as_json: bool) -> None:
    """Show one review item beside the tickets behind it.

    \b
    Example:
      ticketlens review show 12
    """
    item = get_item(ctx.workspace, item_id)
    if as_json:
        emit_json(item)
        return
    _print_item(ctx, item, item["state"])
    theme_id = subject_theme(item["subject"])
    if theme_id is not None:
        from ticketlens.cli._themes import print_links
        from ticketlens.mission import theme_links

        stdout().print("\nThe theme now:", markup=False)
        print_links(theme_links(ctx.workspace, theme_id))


def _decision(name: str, help_text: str) -> None:
    example = f'\n\n\b\nExample:\n  ticketlens review {name} 12 --as dana --why "..."'

    @review.command(name, help=help_text + example)
    @click.argument("item_id", type=int)
    @curation_options
    @pass_context
    def command(ctx: Context, item_id: int, why: str | None) -> None:
        item = decide(ctx.workspace, item_id, name, reason=why)
        click.echo(f"Review item {item_id} is {item['state']} (by {ctx.workspace.actor}).")


_decision("approve", "Approve a suggestion as it is.")
_decision("reject", "Reject a suggestion (with --why); re-runs never suggest it again.")
_decision("reopen", "Put a rejected suggestion back in the queue.")


@review.command("edit")
@click.argument("item_id", type=int)
@click.option("--label", help="The new label (for theme-label items).")
@click.option(
    "--set",
    "values",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change one field of the suggestion (VALUE read as JSON if it parses).",
)
@curation_options
@pass_context
def review_edit(
    ctx: Context, item_id: int, label: str | None, values: tuple[str, ...], why: str | None
) -> None:
    """Approve a suggestion with your changes.

    \b
    Example:
      ticketlens review edit 12 --label "Card not delivered" --as dana --why "our wording"
    """
    payload = edited_payload(
        get_item(ctx.workspace, item_id)["payload"], label=label, values=values
    )
    item = decide(ctx.workspace, item_id, "edit", reason=why, payload=payload)
    click.echo(f"Review item {item_id} is {item['state']} (by {ctx.workspace.actor}).")
