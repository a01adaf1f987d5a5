"""Reading themes back: lists, one theme, and every ticket's assignment, as plain data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketlens.errors import NotFound
from ticketlens.store.schema import (
    ReviewItem,
    Theme,
    ThemeAssignment,
    ThemeGroup,
    ThemeRun,
    Ticket,
)

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace

SNIPPET = 300


def latest_run(session: Session) -> ThemeRun:
    run = session.scalars(select(ThemeRun).order_by(ThemeRun.id.desc()).limit(1)).first()
    if run is None:
        raise NotFound("no themes yet", hint="run `ticketlens themes discover`")
    return run


def _labels(session: Session, theme_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Theme id -> (label a person reviewed, or the draft; its review state)."""
    subjects = {f"theme:{i}": i for i in theme_ids}
    items = session.scalars(
        select(ReviewItem).where(
            ReviewItem.kind == "theme-label", ReviewItem.subject.in_(list(subjects))
        )
    )
    return {subjects[i.subject]: (str(i.payload.get("label", "")), i.state) for i in items}


def run_summary(run: ThemeRun) -> dict[str, Any]:
    return {
        "run": run.id,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "actor": run.actor,
        "model": run.model,
        "tickets": run.tickets,
        "themes": run.themes,
        "unclear": run.unclear,
    }


def list_themes(workspace: Workspace) -> dict[str, Any]:
    """The latest run's themes, largest first, with their parent group and label state."""
    with workspace.store.session() as session:
        run = latest_run(session)
        themes = session.scalars(
            select(Theme).where(Theme.run_id == run.id).order_by(Theme.number)
        ).all()
        groups = {
            g.id: g for g in session.scalars(select(ThemeGroup).where(ThemeGroup.run_id == run.id))
        }
        labels = _labels(session, [t.id for t in themes])
        return run_summary(run) | {
            "groups": [
                {"id": g.id, "label": g.label, "keywords": g.keywords}
                for g in sorted(groups.values(), key=lambda g: g.number)
            ],
            "items": [_theme_row(t, labels, groups, run.tickets) for t in themes],
        }


def _theme_row(
    theme: Theme,
    labels: dict[int, tuple[str, str]],
    groups: dict[int, ThemeGroup],
    total: int,
) -> dict[str, Any]:
    label, state = labels.get(theme.id, (theme.label, "suggested"))
    group = groups.get(theme.group_id) if theme.group_id is not None else None
    return {
        "id": theme.id,
        "label": label,
        "label_state": state,
        "size": theme.size,
        "share": round(theme.size / total, 4) if total else 0.0,
        "group_id": group.id if group else None,
        "group": group.label if group else None,
        "keywords": theme.keywords,
    }


def get_theme(workspace: Workspace, theme_id: int) -> dict[str, Any]:
    """One theme with its keywords, typical tickets and the ids of all its tickets."""
    with workspace.store.session() as session:
        theme = session.get(Theme, theme_id)
        if theme is None:
            raise NotFound(f"no theme {theme_id}", hint="see `ticketlens themes list`")
        run = session.get(ThemeRun, theme.run_id)
        assert run is not None
        groups = {
            g.id: g for g in session.scalars(select(ThemeGroup).where(ThemeGroup.run_id == run.id))
        }
        row = _theme_row(theme, _labels(session, [theme.id]), groups, run.tickets)
        typical = {
            t.id: t
            for t in session.scalars(select(Ticket).where(Ticket.id.in_(theme.representatives)))
        }
        ticket_ids = session.scalars(
            select(ThemeAssignment.ticket_id)
            .where(ThemeAssignment.theme_id == theme.id)
            .order_by(ThemeAssignment.score.desc(), ThemeAssignment.ticket_id)
        ).all()
        return row | {
            "run": run.id,
            "current": run.id == latest_run(session).id,
            "representatives": [
                {
                    "id": t.id,
                    "source": t.source,
                    "external_id": t.external_id,
                    "text": _snippet(t.subject, t.body),
                }
                for t in (typical[i] for i in theme.representatives if i in typical)
            ],
            "ticket_ids": list(ticket_ids),
        }


def _snippet(subject: str | None, body: str) -> str:
    text = f"{subject}: {body}" if subject else body
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def iter_assignments(workspace: Workspace) -> Iterator[dict[str, Any]]:
    """Every ticket with its theme (empty for unclear or not yet assigned), in id order."""
    with workspace.store.session() as session:
        run = latest_run(session)
        themes = session.scalars(select(Theme).where(Theme.run_id == run.id)).all()
        labels = _labels(session, [t.id for t in themes])
        label_of = {t.id: labels.get(t.id, (t.label, ""))[0] for t in themes}
        query = (
            select(
                Ticket.source, Ticket.external_id, ThemeAssignment.theme_id, ThemeAssignment.score
            )
            .outerjoin(ThemeAssignment, ThemeAssignment.ticket_id == Ticket.id)
            .order_by(Ticket.id)
            .execution_options(yield_per=10_000)
        )
        for source, external_id, theme_id, score in session.execute(query):
            yield {
                "source": source,
                "external_id": external_id,
                "theme_id": theme_id,
                "theme_label": label_of.get(theme_id, "") if theme_id is not None else "",
                "score": score,
            }
