"""The review queue as plain data, for the CLI and the web app.

Lists the items, shows one with the tickets behind it, and applies a person's decision
(audited with who and why). The rules of a decision live here, not in a surface: a
rejection needs a reason, and an edit says what changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ticketlens.errors import InvalidTransition
from ticketlens.review import _states
from ticketlens.store.schema import ReviewItem, Ticket
from ticketlens.tickets import snippet

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

SNIPPET = 240
EVIDENCE_SHOWN = 5
#: actions a person must give a reason for (re-runs never suggest a rejection again)
REASON_REQUIRED = frozenset({"reject"})


def item_summary(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "subject": item.subject,
        "target": item.target,
        "state": item.state,
        "payload": item.payload,
        "score": item.score,
        "rationale": item.rationale,
        "evidence": list(item.evidence),
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "updated_by": item.updated_by,
    }


def list_items(
    workspace: Workspace, *, kind: str | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    """Review items, oldest first, optionally of one kind and state."""
    with workspace.store.session() as session:
        return [item_summary(i) for i in _states.items(session, kind=kind, state=state)]


def get_item(workspace: Workspace, item_id: int) -> dict[str, Any]:
    """One item with the first few of its evidence tickets, as snippets."""
    with workspace.store.session() as session:
        item = _states.get(session, item_id)
        shown = list(item.evidence)[:EVIDENCE_SHOWN]
        tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(shown)))}
        return item_summary(item) | {
            "evidence_tickets": [
                {
                    "id": t.id,
                    "ref": f"{t.source}:{t.external_id}",
                    "text": snippet(t.subject, t.body, SNIPPET),
                }
                for t in (tickets[i] for i in shown if i in tickets)
            ]
        }


def decide(
    workspace: Workspace,
    item_id: int,
    action: str,
    *,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Approve, edit (with the new payload), reject or reopen an item; returns it after.

    Raises:
        InvalidTransition: Not allowed from the item's state, or a reason is missing.
    """
    if action in REASON_REQUIRED and not (reason and reason.strip()):
        raise InvalidTransition(f"{action} needs a reason", hint="add --why TEXT")
    with workspace.store.session() as session:
        item = _states.transition(
            session, item_id, action, actor=workspace.actor, reason=reason, payload=payload
        )
        return item_summary(item)


def edited_payload(
    payload: dict[str, Any], *, label: str | None = None, values: Sequence[str] = ()
) -> dict[str, Any]:
    """``payload`` with a new label and ``KEY=VALUE`` changes (VALUE read as JSON if it parses).

    Raises:
        InvalidTransition: A change is not ``KEY=VALUE``, or nothing changes.
    """
    changed = dict(payload)
    if label is not None:
        changed["label"] = label
    for pair in values:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise InvalidTransition(f"--set {pair!r} is not KEY=VALUE", hint="--set label=Refunds")
        try:
            changed[key] = json.loads(raw)
        except json.JSONDecodeError:
            changed[key] = raw
    if label is None and not values:
        raise InvalidTransition("nothing to change", hint="give --label or --set KEY=VALUE")
    return changed


def edit_item(
    workspace: Workspace,
    item_id: int,
    *,
    label: str | None = None,
    values: Sequence[str] = (),
    reason: str | None = None,
) -> dict[str, Any]:
    """Approve an item with changes to its payload (see :func:`edited_payload`)."""
    payload = edited_payload(get_item(workspace, item_id)["payload"], label=label, values=values)
    return decide(workspace, item_id, "edit", reason=reason, payload=payload)
