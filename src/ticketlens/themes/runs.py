"""Run discovery over a workspace's tickets and keep the result, continuing known themes.

Each language group is discovered afresh in a space fitted to its tickets, then
reconciled with the themes the team already has (:mod:`.reconcile`): ids carry
over, people's decisions stay, new patterns become proposals. Everything lands in
one transaction, so a failure leaves the previous themes as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from ticketlens.embedding import load_embedder, load_teacher
from ticketlens.errors import NotFound
from ticketlens.store import audit
from ticketlens.store.schema import Theme, ThemeGroup, ThemeRun, ThemeSpace
from ticketlens.themes.adapt import adapt
from ticketlens.themes.corpus import Corpus, load_corpus
from ticketlens.themes.discover import DiscoveryOptions, Progress, group_vectors
from ticketlens.themes.labels import GroupTerms, describe
from ticketlens.themes.languages import language_groups, resolve_languages
from ticketlens.themes.parents import parent_groups
from ticketlens.themes.reconcile import LIVE, Known, Reconciled, reconcile
from ticketlens.themes.records import (
    Described,
    describe_members,
    record_theme_event,
    replace_assignments,
    suggest_label,
    to_bytes,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ticketlens.embedding._base import Embedder
    from ticketlens.settings import Settings
    from ticketlens.workspace import Workspace


def options_from(settings: Settings) -> DiscoveryOptions:
    return DiscoveryOptions(
        model=settings.theme_model,
        teacher_sample=settings.theme_teacher_sample,
        discovery_sample=settings.theme_discovery_sample,
        resolution=settings.theme_resolution,
        min_theme_size=settings.theme_min_size,
        unclear_below=settings.theme_unclear_below,
        stickiness=settings.theme_stickiness,
    )


def run_discovery(
    workspace: Workspace,
    options: DiscoveryOptions | None = None,
    *,
    progress: Progress | None = None,
    languages: set[str] | None = None,
) -> int:
    """Regroup every ticket (of ``languages``, default all); returns the new run's id."""
    settings = workspace.settings
    options = options or options_from(settings)
    say = progress or (lambda _step: None)
    say("reading tickets")
    started = audit.now()
    corpus = load_corpus(workspace)
    if not corpus.texts:
        raise NotFound("no tickets to group yet", hint="import some: ticketlens ingest FILE")
    say("detecting languages")
    ticket_language = np.array(
        resolve_languages(corpus.texts, corpus.languages, by_language=settings.theme_by_language),
        dtype=object,
    )
    enough, rare = language_groups(list(ticket_language), settings.theme_language_min)
    if languages is not None:
        enough = [g for g in enough if g in languages]
        rare = [g for g in rare if g in languages]
    static = load_embedder(options.model)
    teacher = load_teacher()
    with workspace.store.session() as session:
        run = ThemeRun(
            kind="discover",
            started_at=started,
            actor=workspace.actor,
            model=options.model,
            options=dataclasses.asdict(options),
        )
        session.add(run)
        session.flush()
        per_language: dict[str, Any] = {}
        # Once the team tracks themes (in any language), what is new is only a proposal.
        first_run = not _any_discovered(session)
        for language in enough:
            rows = np.flatnonzero(ticket_language == language)
            say(f"themes of {language} ({len(rows):,} tickets)" if len(enough) > 1 else "themes")
            part = corpus.subset(rows)
            per_language[language] = _discover_language(
                session, run, language, part, options, (static, teacher), first_run, say
            )
        for language in rare:
            part = corpus.subset(np.flatnonzero(ticket_language == language))
            per_language[language] = _leave_unclear(session, run, language, part)
        say("saving")
        _finish(session, run, per_language, workspace.actor)
        return run.id


def _discover_language(
    session: Session,
    run: ThemeRun,
    language: str,
    corpus: Corpus,
    options: DiscoveryOptions,
    models: tuple[Embedder, Embedder],
    first_run: bool,
    say: Progress,
) -> dict[str, Any]:
    static, teacher = models
    distinct: dict[str, int] = {}
    text_of = np.array([distinct.setdefault(t, len(distinct)) for t in corpus.texts], np.int64)
    texts = list(distinct)
    adapted = adapt(
        texts,
        static,
        teacher,
        teacher_sample=options.teacher_sample,
        seed=options.seed,
        progress=say,
    )
    space = ThemeSpace(
        run_id=run.id, language=language, model=options.model, adapter=adapted.adapter.to_bytes()
    )
    session.add(space)
    session.flush()
    themes = session.scalars(
        select(Theme).where(Theme.language == language).order_by(Theme.id)
    ).all()
    known = [
        Known(
            t.id,
            t.state,
            t.pinned,
            t.origin,
            adapted.adapter.transform(_seed_texts(t), static) if t.origin == "seed" else None,
        )
        for t in themes
    ]
    grouping = group_vectors(texts, adapted.vectors, options, progress=say)
    say("matching to known themes")
    result = reconcile(
        adapted.vectors,
        text_of,
        grouping.assignments,
        known,
        corpus.themes,
        corpus.manual,
        min_theme_size=options.min_theme_size,
        unclear_below=options.unclear_below,
        stickiness=options.stickiness,
        first_run=first_run,
        seed=options.seed,
    )
    say("labelling")
    ticket_ids = np.array(corpus.ticket_ids, dtype=np.int64)
    described, terms = describe_members(
        texts,
        text_of,
        ticket_ids,
        result.ticket_slot,
        result.ticket_score,
        len(result.slots),
        language,
    )
    slot_rows = _save_slots(
        session, run, space, language, themes, result, described, options.min_theme_size
    )
    _save_groups(session, run, result, slot_rows, terms)
    theme_of_slot = [row.id if row is not None else None for row in slot_rows]
    final = [theme_of_slot[s] if s >= 0 else None for s in result.ticket_slot.tolist()]
    replace_assignments(
        session,
        corpus.ticket_ids,
        final,
        result.ticket_score.tolist(),
        corpus.manual.tolist(),
        [language] * len(final),
        run.id,
    )
    had = corpus.themes >= 0
    now = np.array([-1 if t is None else t for t in final], dtype=np.int64)
    return {
        "tickets": len(final),
        "themes": sum(1 for r in slot_rows if r is not None and r.state in LIVE),
        "unclear": sum(1 for t in final if t is None),
        "kept": int((now[had] == corpus.themes[had]).sum()),
        "had_theme": int(had.sum()),
        "new_themes": sum(1 for s in result.slots if s.known is None and s.state in LIVE),
        "merged": sum(1 for s in result.slots if s.known is not None and s.state == "merged"),
    }


def _any_discovered(session: Session) -> bool:
    """Whether the team already tracks themes found by discovery (seeds aside)."""
    query = select(Theme.id).where(Theme.state.in_(LIVE), Theme.origin != "seed").limit(1)
    return session.scalars(query).first() is not None


def _seed_texts(theme: Theme) -> list[str]:
    words = f"{theme.label}. {theme.description}" if theme.description else theme.label
    return [words, *theme.examples]


def _save_slots(
    session: Session,
    run: ThemeRun,
    space: ThemeSpace,
    language: str,
    themes: Sequence[Theme],
    result: Reconciled,
    described: list[Described],
    min_size: int,
) -> list[Theme | None]:
    """Update the known themes and add the new ones; audit what automation changed."""
    by_id = {t.id: t for t in themes}
    stamp = audit.now()
    rows: list[Theme | None] = []
    order = np.argsort(-result.sizes, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    changed: list[tuple[int, str]] = []
    for s, slot in enumerate(result.slots):
        if slot.state == "dropped":
            rows.append(None)
            continue
        prototypes = result.prototypes.vectors[result.prototypes.themes == s]
        common = {
            "run_id": run.id,
            "number": int(rank[s]),
            "size": int(result.sizes[s]),
            "centroid": to_bytes(result.centroids[s]),
            "fit_floor": round(float(result.fit_floors[s]), 4),
            "prototypes": to_bytes(prototypes),
            "space_id": space.id,
            "updated_at": stamp,
        }
        text = described[s]
        if slot.known is None:
            theme = Theme(
                **common,
                label=text.label,
                keywords=list(text.keywords),
                representatives=text.representatives,
                state=slot.state,
                origin="discovered",
                language=language,
                examples=[],
                created_at=stamp,
            )
            session.add(theme)
            session.flush()
            why = f"discovery run {run.id}"
            if slot.recurs is not None:
                recurs = result.slots[slot.recurs].known
                why += f"; resembles retired theme {recurs.id}" if recurs else ""
            record_theme_event(
                session,
                theme.id,
                "themes.propose" if slot.state == "proposed" else "themes.create",
                after={"label": theme.label, "size": theme.size, "state": theme.state},
                reason=why,
            )
        else:
            theme = by_id[slot.known.id]
            for key, value in common.items():
                setattr(theme, key, value)
            if slot.state != theme.state:
                changed.append((s, theme.state))
                theme.state = slot.state
            if not theme.pinned and theme.size > 0:
                theme.label = text.label
                theme.keywords = list(text.keywords)
                theme.representatives = text.representatives
        rows.append(theme)
        if theme.state in LIVE and not theme.pinned and theme.size > 0:
            suggest_label(session, theme, theme.representatives)
    # Second pass: a theme may merge into one inserted after it.
    for s, old_state in changed:
        row, into = rows[s], result.slots[s].merged_into
        assert row is not None
        target = rows[into] if into is not None else None
        row.merged_into_id = target.id if target is not None else None
        record_theme_event(
            session,
            row.id,
            "themes.merge" if row.state == "merged" else "themes.retire",
            before={"state": old_state},
            after={"state": row.state, "merged_into": row.merged_into_id},
            reason=f"discovery run {run.id}: fewer than {min_size} tickets left",
        )
    return rows


def _save_groups(
    session: Session,
    run: ThemeRun,
    result: Reconciled,
    rows: list[Theme | None],
    terms: GroupTerms,
) -> None:
    """Parent groups of this language's live themes, for the executive view."""
    live = [
        s for s, row in enumerate(rows) if row is not None and row.state in LIVE and row.size > 0
    ]
    if not live:
        return
    parents = parent_groups(result.centroids[live], result.sizes[live])
    live_terms = GroupTerms(terms.counts[live], terms.terms)
    parent_terms = live_terms.merged(parents, int(parents.max()) + 1)
    slot_parent = dict(zip(live, parents.tolist(), strict=True))
    offset = session.scalars(
        select(ThemeGroup.number)
        .where(ThemeGroup.run_id == run.id)
        .order_by(ThemeGroup.number.desc())
    ).first()
    start = 0 if offset is None else offset + 1
    for p, description in enumerate(describe(parent_terms)):
        group = ThemeGroup(
            run_id=run.id,
            number=start + p,
            label=description.label,
            keywords=list(description.keywords),
        )
        session.add(group)
        session.flush()
        for s in live:
            if slot_parent[s] == p:
                row = rows[s]
                assert row is not None
                row.group_id = group.id


def _leave_unclear(
    session: Session, run: ThemeRun, language: str, corpus: Corpus
) -> dict[str, Any]:
    """Too few tickets in this language for themes: unclear, except where a person put them."""
    final = [int(t) if m else None for t, m in zip(corpus.themes, corpus.manual, strict=True)]
    replace_assignments(
        session,
        corpus.ticket_ids,
        final,
        [0.0] * len(final),
        corpus.manual.tolist(),
        [language] * len(final),
        run.id,
    )
    return {"tickets": len(final), "themes": 0, "unclear": sum(1 for t in final if t is None)}


def _finish(session: Session, run: ThemeRun, per_language: dict[str, Any], actor: str) -> None:
    run.tickets = sum(p["tickets"] for p in per_language.values())
    run.themes = sum(p["themes"] for p in per_language.values())
    run.unclear = sum(p["unclear"] for p in per_language.values())
    run.summary = {"languages": per_language}
    run.finished_at = audit.now()
    audit.record(
        session,
        actor=actor,
        action="themes.discover",
        target_type="theme_run",
        target_id=run.id,
        after={"tickets": run.tickets, "themes": run.themes, "unclear": run.unclear},
    )
