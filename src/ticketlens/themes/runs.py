"""Run discovery over a workspace's tickets and keep the result in the store."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import delete, insert

from ticketlens.errors import NotFound
from ticketlens.store import audit, review
from ticketlens.store.schema import Theme, ThemeAssignment, ThemeGroup, ThemeRun
from ticketlens.themes.corpus import load_corpus
from ticketlens.themes.discover import Discovery, DiscoveryOptions, Progress, discover_texts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ticketlens.settings import Settings
    from ticketlens.workspace import Workspace

WRITE_BATCH = 10_000


def options_from(settings: Settings) -> DiscoveryOptions:
    return DiscoveryOptions(
        model=settings.theme_model,
        teacher_sample=settings.theme_teacher_sample,
        discovery_sample=settings.theme_discovery_sample,
        resolution=settings.theme_resolution,
        min_theme_size=settings.theme_min_size,
        unclear_below=settings.theme_unclear_below,
    )


def run_discovery(
    workspace: Workspace,
    options: DiscoveryOptions | None = None,
    *,
    progress: Progress | None = None,
) -> int:
    """Discover the themes of every ticket; returns the id of the new run.

    The run, its themes and every ticket's assignment land in one transaction, so a
    failure leaves the previous themes in place. Labels are suggested for review.
    """
    options = options or options_from(workspace.settings)
    say = progress or (lambda _step: None)
    say("reading tickets")
    started = audit.now()
    corpus = load_corpus(workspace)
    if not corpus.texts:
        raise NotFound("no tickets to group yet", hint="import some: ticketlens ingest FILE")
    discovery = discover_texts(corpus.texts, options, progress=say)
    say("saving")
    with workspace.store.session() as session:
        run = ThemeRun(
            started_at=started,
            actor=workspace.actor,
            model=options.model,
            options=dataclasses.asdict(options),
            tickets=len(corpus.ticket_ids),
            themes=len(discovery.themes),
            unclear=int((discovery.assignments < 0).sum()),
        )
        session.add(run)
        session.flush()
        theme_ids = _save_themes(session, run.id, discovery, corpus.ticket_ids)
        _save_assignments(session, run.id, discovery, corpus.ticket_ids, theme_ids)
        _suggest_labels(session, discovery, theme_ids, corpus.ticket_ids)
        run.finished_at = audit.now()
        audit.record(
            session,
            actor=workspace.actor,
            action="themes.discover",
            target_type="theme_run",
            target_id=run.id,
            after={"tickets": run.tickets, "themes": run.themes, "unclear": run.unclear},
        )
        return run.id


def _save_themes(
    session: Session, run_id: int, discovery: Discovery, ticket_ids: list[int]
) -> list[int]:
    group_ids = []
    for parent in discovery.parents:
        group = ThemeGroup(
            run_id=run_id, number=parent.number, label=parent.label, keywords=list(parent.keywords)
        )
        session.add(group)
        session.flush()
        group_ids.append(group.id)
    theme_ids = []
    prototypes = discovery.prototypes
    for theme in discovery.themes:
        row = Theme(
            run_id=run_id,
            number=theme.number,
            group_id=group_ids[theme.parent] if group_ids else None,
            label=theme.label,
            keywords=list(theme.keywords),
            size=theme.size,
            representatives=[ticket_ids[i] for i in theme.representatives],
            centroid=np.asarray(discovery.centroids[theme.number], dtype="<f4").tobytes(),
            prototypes=np.asarray(
                prototypes.vectors[prototypes.themes == theme.number], dtype="<f4"
            ).tobytes(),
        )
        session.add(row)
        session.flush()
        theme_ids.append(row.id)
    return theme_ids


def _save_assignments(
    session: Session,
    run_id: int,
    discovery: Discovery,
    ticket_ids: list[int],
    theme_ids: list[int],
) -> None:
    session.execute(delete(ThemeAssignment))
    lookup = np.array([*theme_ids, -1], dtype=np.int64)  # index -1 (unclear) -> -1
    themes = lookup[discovery.assignments].tolist()
    scores = discovery.scores.astype(float).tolist()
    for start in range(0, len(ticket_ids), WRITE_BATCH):
        rows = [
            {
                "ticket_id": ticket_id,
                "run_id": run_id,
                "theme_id": theme if theme >= 0 else None,
                "score": round(score, 4),
            }
            for ticket_id, theme, score in zip(
                ticket_ids[start : start + WRITE_BATCH],
                themes[start : start + WRITE_BATCH],
                scores[start : start + WRITE_BATCH],
                strict=True,
            )
        ]
        session.execute(insert(ThemeAssignment), rows)


def _suggest_labels(
    session: Session,
    discovery: Discovery,
    theme_ids: list[int],
    ticket_ids: list[int],
) -> None:
    """A label is interpretive: it stays a draft until a person approves or edits it."""
    for theme, theme_id in zip(discovery.themes, theme_ids, strict=True):
        review.suggest(
            session,
            kind="theme-label",
            subject=f"theme:{theme_id}",
            payload={"label": theme.label, "keywords": list(theme.keywords)},
            evidence=[ticket_ids[i] for i in theme.representatives],
            score=None,
            rationale="top phrase of the theme's class-based TF-IDF keywords",
        )
