"""Reading themes back: lists, one theme, and every ticket's assignment, as plain data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ticketlens import review
from ticketlens.errors import NotFound
from ticketlens.store.schema import (
    HOLDING_THEME_STATES,
    LIVE_THEME_STATES,
    ReviewItem,
    Theme,
    ThemeAssignment,
    ThemeGroup,
    ThemeRun,
    Ticket,
)
from ticketlens.tickets import snippet

if TYPE_CHECKING:
    from ticketlens.workspace import Workspace


def latest_run(session: Session) -> ThemeRun:
    run = session.scalars(select(ThemeRun).order_by(ThemeRun.id.desc()).limit(1)).first()
    if run is None:
        raise NotFound("no themes yet", hint="run `ticketlens themes discover`")
    return run


def _labels(session: Session, theme_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Theme id -> (label a person reviewed, or the draft; its review state)."""
    subjects = {review.theme_subject(i): i for i in theme_ids}
    items = session.scalars(
        select(ReviewItem).where(
            ReviewItem.kind == review.THEME_LABEL, ReviewItem.subject.in_(list(subjects))
        )
    )
    return {subjects[i.subject]: (str(i.payload.get("label", "")), i.state) for i in items}


def current_labels(session: Session, theme_ids: list[int]) -> dict[int, str]:
    """Theme id -> its label as reviewed (or the draft, where there is a review item)."""
    return {theme: label for theme, (label, _state) in _labels(session, theme_ids).items()}


def live_labels(session: Session, language: str | None, *, besides: int | None = None) -> list[str]:
    """The labels a language's live themes show (a person's, else the draft).

    ``besides``: a theme to leave out (the one being split).
    """
    query = select(Theme).where(
        Theme.language == language, Theme.state.in_(LIVE_THEME_STATES), Theme.id != (besides or 0)
    )
    themes = session.scalars(query).all()
    shown = current_labels(session, [t.id for t in themes])
    return [shown.get(t.id, t.label) for t in themes]


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


def _sizes(session: Session) -> dict[int, int]:
    """Tickets per theme now (increments and people's moves change them between runs)."""
    return dict(
        session.execute(  # type: ignore[arg-type]
            select(ThemeAssignment.theme_id, func.count())
            .where(ThemeAssignment.theme_id.is_not(None))
            .group_by(ThemeAssignment.theme_id)
        ).all()
    )


def _unclear_by_language(session: Session) -> dict[str, int]:
    """Tickets without a live theme, per language (dismissed proposals count as unclear)."""
    live = select(Theme.id).where(Theme.state.in_(HOLDING_THEME_STATES))
    rows = session.execute(
        select(ThemeAssignment.language, func.count())
        .where(or_(ThemeAssignment.theme_id.is_(None), ThemeAssignment.theme_id.not_in(live)))
        .group_by(ThemeAssignment.language)
    ).all()
    return {str(language or "?"): int(count) for language, count in rows}


def run_changes(workspace: Workspace, run_id: int) -> dict[str, Any]:
    """Per language: tickets, themes, how many kept their theme, new and merged themes."""
    with workspace.store.session() as session:
        run = session.get(ThemeRun, run_id)
        if run is None:
            raise NotFound(f"no theme run {run_id}")
        return dict((run.summary or {}).get("languages", {}))


def theme_counts(session: Session) -> dict[str, int]:
    """Themes by state now, and tickets waiting unclear."""
    by_state = dict(session.execute(select(Theme.state, func.count()).group_by(Theme.state)).all())
    return {
        "live": sum(int(by_state.get(state, 0)) for state in LIVE_THEME_STATES),
        "proposed": int(by_state.get("proposed", 0)),
        "unclear_now": sum(_unclear_by_language(session).values()),
    }


def list_themes(workspace: Workspace, *, include_all: bool = False) -> dict[str, Any]:
    """Themes that take tickets (or every theme ever), largest first, with their state.

    A stable interface (``themes list --json``): top-level ``tickets``, ``themes`` (live),
    ``unclear`` and ``unclear_by_language`` describe the workspace now; ``items`` each have
    ``id``, ``label``, ``label_state``, ``state``, ``size``, ``share``, ``language`` and
    ``group``; ``last_run`` is the latest discovery or increment.
    """
    with workspace.store.session() as session:
        run = latest_run(session)
        query = select(Theme)
        if not include_all:
            query = query.where(Theme.state.in_(LIVE_THEME_STATES))
        themes = session.scalars(query.order_by(Theme.id)).all()
        sizes = _sizes(session)
        unclear = _unclear_by_language(session)
        total = sum(sizes.values()) + sum(unclear.values())
        group_ids = {t.group_id for t in themes if t.group_id is not None}
        groups = {
            g.id: g for g in session.scalars(select(ThemeGroup).where(ThemeGroup.id.in_(group_ids)))
        }
        labels = _labels(session, [t.id for t in themes])
        items = [_theme_row(t, labels, groups, sizes.get(t.id, 0), total) for t in themes]
        items.sort(key=lambda item: (-item["size"], item["id"]))
        # The workspace as it is now (increments and people's moves included); the last
        # run, which may have been a small increment, is one nested object.
        return {
            "tickets": total,
            "themes": sum(1 for t in themes if t.state in LIVE_THEME_STATES),
            "unclear": sum(unclear.values()),
            "unclear_by_language": unclear,
            "last_run": run_summary(run),
            "groups": [
                {"id": g.id, "label": g.label, "keywords": g.keywords}
                for g in sorted(groups.values(), key=lambda g: (g.run_id, g.number))
            ],
            "items": items,
        }


def _theme_row(
    theme: Theme,
    labels: dict[int, tuple[str, str]],
    groups: dict[int, ThemeGroup],
    size: int,
    total: int,
) -> dict[str, Any]:
    label, state = labels.get(theme.id, (theme.label, "suggested"))
    group = groups.get(theme.group_id) if theme.group_id is not None else None
    return {
        "id": theme.id,
        "label": label,
        "label_state": state,
        "state": theme.state,
        "pinned": theme.pinned,
        "origin": theme.origin,
        "language": theme.language,
        "size": size,
        "share": round(size / total, 4) if total else 0.0,
        "group_id": group.id if group else None,
        "group": group.label if group else None,
        "keywords": theme.keywords,
    }


def get_theme(workspace: Workspace, theme_id: int) -> dict[str, Any]:
    """One theme with its keywords, typical tickets, lineage and the ids of its tickets."""
    with workspace.store.session() as session:
        theme = session.get(Theme, theme_id)
        if theme is None:
            raise NotFound(f"no theme {theme_id}", hint="see `ticketlens themes list --all`")
        groups = {}
        if theme.group_id is not None:
            group = session.get(ThemeGroup, theme.group_id)
            groups = {group.id: group} if group else {}
        sizes = _sizes(session)
        total = sum(sizes.values()) + sum(_unclear_by_language(session).values())
        row = _theme_row(theme, _labels(session, [theme.id]), groups, sizes.get(theme.id, 0), total)
        typical = {
            t.id: t
            for t in session.scalars(select(Ticket).where(Ticket.id.in_(theme.representatives)))
        }
        ticket_ids = session.scalars(
            select(ThemeAssignment.ticket_id)
            .where(ThemeAssignment.theme_id == theme.id)
            .order_by(ThemeAssignment.score.desc(), ThemeAssignment.ticket_id)
        ).all()
        notes = session.scalars(
            select(ReviewItem)
            .where(
                ReviewItem.kind == review.THEME_ANNOTATION,
                ReviewItem.subject == review.theme_subject(theme.id),
            )
            .order_by(ReviewItem.id)
        )
        return row | {
            "annotations": [{"id": n.id, "state": n.state, **n.payload} for n in notes],
            "run": theme.run_id,
            "description": theme.description,
            "examples": theme.examples,
            "split_from": theme.split_from_id,
            "merged_into": theme.merged_into_id,
            "representatives": [
                {
                    "id": t.id,
                    "source": t.source,
                    "external_id": t.external_id,
                    "text": snippet(t.subject, t.body),
                }
                for t in (typical[i] for i in theme.representatives if i in typical)
            ],
            "ticket_ids": list(ticket_ids),
        }


def iter_assignments(workspace: Workspace) -> Iterator[dict[str, Any]]:
    """Every ticket with its theme (empty for unclear or not yet assigned), in id order."""
    with workspace.store.session() as session:
        latest_run(session)
        # Dismissed proposals and merged themes are no theme: their tickets export as unclear.
        themes = session.scalars(select(Theme).where(Theme.state.in_(HOLDING_THEME_STATES))).all()
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
            shown = theme_id if theme_id in label_of else None
            yield {
                "source": source,
                "external_id": external_id,
                "theme_id": shown,
                "theme_label": label_of[shown] if shown is not None else "",
                "score": score,
            }
