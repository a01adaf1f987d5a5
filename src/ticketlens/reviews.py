"""The review queue as plain data, for the CLI and the web app.

Wraps the review core (:mod:`ticketlens.store.review`): list the items, show one with the
tickets behind it, and apply a person's decision (audited with who and why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ticketlens.store import review
from ticketlens.store.schema import ReviewItem, Ticket
from ticketlens.tickets import snippet

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

SNIPPET = 240
EVIDENCE_SHOWN = 5


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
        return [item_summary(i) for i in review.items(session, kind=kind, state=state)]


def get_item(workspace: Workspace, item_id: int) -> dict[str, Any]:
    """One item with the first few of its evidence tickets, as snippets."""
    with workspace.store.session() as session:
        item = review.get(session, item_id)
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
    """Approve, edit (with the new payload), reject or reopen an item; returns it after."""
    with workspace.store.session() as session:
        item = review.transition(
            session, item_id, action, actor=workspace.actor, reason=reason, payload=payload
        )
        return item_summary(item)
