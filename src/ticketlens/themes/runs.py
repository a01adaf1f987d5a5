"""Run discovery over a workspace's tickets and keep the result, continuing known themes.

Each language group is discovered afresh by the engine (:func:`.engine.discover_texts`) in a
space fitted to its tickets, with the themes the team already has as its prior: ids
carry over, people's decisions stay, new patterns become proposals. Everything lands
in one transaction, so a failure leaves the previous themes as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from ticketlens import review
from ticketlens.embedding import Embedder, load_embedder, load_teacher
from ticketlens.errors import NotFound
from ticketlens.store import audit
from ticketlens.store.schema import LIVE_THEME_STATES, Theme, ThemeGroup, ThemeRun, ThemeSpace
from ticketlens.themes.corpus import Corpus, load_corpus
from ticketlens.themes.engine import (
    Discovery,
    DiscoveryOptions,
    Granularity,
    Known,
    Prior,
    Progress,
    discover_texts,
    language_groups,
    resolve_languages,
    sweep_table,
)
from ticketlens.themes.records import (
    fixed_labels,
    record_theme_event,
    replace_assignments,
    suggest_label,
    to_bytes,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ticketlens.workspace import Workspace


@dataclass(frozen=True)
class Models:
    """The two models of a run: the one that embeds every ticket, and its teacher."""

    embedder: Embedder
    teacher: Embedder

    @classmethod
    def resolve(
        cls,
        options: DiscoveryOptions,
        embedder: Embedder | None = None,
        teacher: Embedder | None = None,
    ) -> Models:
        return cls(
            embedder or load_embedder(options.model), teacher or load_teacher(options.teacher)
        )


def run_discovery(
    workspace: Workspace,
    options: DiscoveryOptions | None = None,
    *,
    embedder: Embedder | None = None,
    teacher: Embedder | None = None,
    progress: Progress | None = None,
    languages: set[str] | None = None,
) -> int:
    """Regroup every ticket (of ``languages``, default all); returns the new run's id.

    Args:
        embedder, teacher: the models (default: those the workspace settings name).
    """
    options = options or DiscoveryOptions.from_settings(workspace.settings)
    say = progress or (lambda _step: None)
    say("reading tickets")
    started = audit.now()
    corpus = load_corpus(workspace)
    if not corpus.texts:
        raise NotFound("no tickets to group yet", hint="import some: ticketlens ingest FILE")
    say("detecting languages")
    ticket_language = np.array(
        resolve_languages(
            corpus.texts,
            corpus.languages,
            by_language=options.by_language,
            check=corpus.tagged.tolist(),
        ),
        dtype=object,
    )
    enough, rare = language_groups(list(ticket_language), corpus.texts, options.language_min)
    if languages is not None:
        enough = [g for g in enough if g in languages]
        rare = [g for g in rare if g in languages]
    models = Models.resolve(options, embedder, teacher)
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
                session, run, language, part, options, models, first_run, say
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
    models: Models,
    first_run: bool,
    say: Progress,
) -> dict[str, Any]:
    themes = session.scalars(
        select(Theme).where(Theme.language == language).order_by(Theme.id)
    ).all()
    fixed = fixed_labels(session, themes)
    prior = Prior(
        known=[_known(t, fixed.get(t.id)) for t in themes],
        themes=corpus.themes,
        manual=corpus.manual,
        first_run=first_run,
        resolution=_resolution_before(session, run, language),
    )
    found = discover_texts(
        corpus.texts,
        options,
        embedder=models.embedder,
        teacher=models.teacher,
        prior=prior,
        language=language,
        progress=say,
    )
    assert found.adapter is not None  # the corpus is not empty
    space = ThemeSpace(
        run_id=run.id, language=language, model=options.model, adapter=found.adapter.to_bytes()
    )
    session.add(space)
    session.flush()
    saver = _SlotSaver(session, run, space, language, themes, found, corpus.ticket_ids)
    slot_rows = saver.save(options.min_theme_size)
    _propose_merges(session, found, slot_rows)
    _save_groups(session, run, found, slot_rows)
    theme_of_slot = [row.id if row is not None else None for row in slot_rows]
    result = found.reconciled
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
    return _granularity_summary(found.granularity) | {
        "tickets": len(final),
        "themes": sum(1 for r in slot_rows if r is not None and r.state in LIVE_THEME_STATES),
        "unclear": sum(1 for t in final if t is None),
        "kept": int((now[had] == corpus.themes[had]).sum()),
        "had_theme": int(had.sum()),
        "new_themes": sum(
            1 for s in result.slots if s.known is None and s.state in LIVE_THEME_STATES
        ),
        "merged": sum(1 for s in result.slots if s.known is not None and s.state == "merged"),
    }


def _propose_merges(session: Session, found: Discovery, rows: list[Theme | None]) -> None:
    """Twins a person shaped one of: a merge for a person to approve, never done here."""
    for source_slot, into_slot in found.reconciled.proposed_merges:
        source, into = rows[source_slot], rows[into_slot]
        if source is None or into is None:
            continue
        review.suggest(
            session,
            kind=review.THEME_MERGE,
            subject=review.theme_subject(source.id),
            target=review.theme_subject(into.id),
            payload={"merge": source.id, "into": into.id, "labels": [source.label, into.label]},
            evidence=[*source.representatives[:3], *into.representatives[:3]],
            rationale=(
                f"themes {source.id} and {into.id} look like one issue: alike centres, and "
                "their tickets are no better placed apart; approving merges "
                f"{source.id} into {into.id}"
            ),
        )


def _resolution_before(session: Session, run: ThemeRun, language: str) -> float | None:
    """The resolution the latest earlier discovery chose for ``language`` (None: none yet)."""
    summaries = session.scalars(
        select(ThemeRun.summary)
        .where(
            ThemeRun.kind == "discover", ThemeRun.id != run.id, ThemeRun.finished_at.is_not(None)
        )
        .order_by(ThemeRun.id.desc())
    )
    for summary in summaries:
        chosen = ((summary or {}).get("languages") or {}).get(language, {}).get("resolution")
        if chosen is not None:
            return float(chosen)
    return None


def _granularity_summary(granularity: Granularity | None) -> dict[str, Any]:
    """How finely this language was split, and the sweep that chose it, for the run's record."""
    if granularity is None:
        return {}
    return {
        "resolution": granularity.resolution,
        "sweep": sweep_table(granularity.tried),
    }


def _known(theme: Theme, label: str | None) -> Known:
    seeds: tuple[str, ...] = ()
    if theme.origin == "seed":
        words = f"{theme.label}. {theme.description}" if theme.description else theme.label
        seeds = (words, *theme.examples)
    return Known(theme.id, theme.state, theme.pinned, theme.origin, label=label, seed_texts=seeds)


def _any_discovered(session: Session) -> bool:
    """Whether the team already tracks themes found by discovery (seeds aside)."""
    query = (
        select(Theme.id).where(Theme.state.in_(LIVE_THEME_STATES), Theme.origin != "seed").limit(1)
    )
    return session.scalars(query).first() is not None


class _SlotSaver:
    """Writes a discovery's slots: the known themes updated, the new ones added, audited."""

    def __init__(
        self,
        session: Session,
        run: ThemeRun,
        space: ThemeSpace,
        language: str,
        themes: Sequence[Theme],
        found: Discovery,
        ticket_ids: Sequence[int],
    ) -> None:
        self.session, self.run, self.space, self.language = session, run, space, language
        self.by_id = {t.id: t for t in themes}
        self.found, self.ticket_ids = found, ticket_ids
        self.stamp = audit.now()

    def save(self, min_size: int) -> list[Theme | None]:
        result = self.found.reconciled
        order = np.argsort(-result.sizes, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        rows: list[Theme | None] = []
        changed: list[tuple[int, str]] = []
        for s, slot in enumerate(result.slots):
            if slot.state == "dropped":
                rows.append(None)
                continue
            common = self._common(s, int(rank[s]))
            if slot.known is None:
                theme = self._add(s, common)
            else:
                theme = self.by_id[slot.known.id]
                old_state = self._update(theme, s, common)
                if old_state is not None:
                    changed.append((s, old_state))
            rows.append(theme)
            if theme.state in LIVE_THEME_STATES and not theme.pinned and theme.size > 0:
                suggest_label(self.session, theme, theme.representatives)
        # Second pass: a theme may merge into one inserted after it.
        for s, old_state in changed:
            self._record_end(rows, s, old_state, min_size)
        return rows

    def _common(self, s: int, number: int) -> dict[str, Any]:
        result = self.found.reconciled
        prototypes = result.prototypes.vectors[result.prototypes.themes == s]
        return {
            "run_id": self.run.id,
            "number": number,
            "size": int(result.sizes[s]),
            "centroid": to_bytes(result.centroids[s]),
            "fit_floor": round(float(result.fit_floors[s]), 4),
            "prototypes": to_bytes(prototypes),
            "space_id": self.space.id,
            "updated_at": self.stamp,
        }

    def _typical(self, s: int) -> list[int]:
        return [int(self.ticket_ids[r]) for r in self.found.described[s].representatives]

    def _add(self, s: int, common: dict[str, Any]) -> Theme:
        slot = self.found.reconciled.slots[s]
        text = self.found.described[s]
        theme = Theme(
            **common,
            label=text.label,
            keywords=list(text.keywords),
            representatives=self._typical(s),
            state=slot.state,
            origin="discovered",
            language=self.language,
            examples=[],
            created_at=self.stamp,
        )
        self.session.add(theme)
        self.session.flush()
        why = f"discovery run {self.run.id}"
        if slot.recurs is not None:
            recurs = self.found.reconciled.slots[slot.recurs].known
            why += f"; resembles retired theme {recurs.id}" if recurs else ""
        record_theme_event(
            self.session,
            theme.id,
            "themes.propose" if slot.state == "proposed" else "themes.create",
            after={"label": theme.label, "size": theme.size, "state": theme.state},
            reason=why,
        )
        return theme

    def _update(self, theme: Theme, s: int, common: dict[str, Any]) -> str | None:
        """Refresh a known theme; returns its state before when discovery changed it."""
        for key, value in common.items():
            setattr(theme, key, value)
        before = None
        state = self.found.reconciled.slots[s].state
        if state != theme.state:
            before, theme.state = theme.state, state
        if not theme.pinned and theme.size > 0:
            text = self.found.described[s]
            theme.label = text.label
            theme.keywords = list(text.keywords)
            theme.representatives = self._typical(s)
        return before

    def _record_end(self, rows: list[Theme | None], s: int, old_state: str, min_size: int) -> None:
        row, into = rows[s], self.found.reconciled.slots[s].merged_into
        assert row is not None
        target = rows[into] if into is not None else None
        row.merged_into_id = target.id if target is not None else None
        record_theme_event(
            self.session,
            row.id,
            "themes.merge" if row.state == "merged" else "themes.retire",
            before={"state": old_state},
            after={"state": row.state, "merged_into": row.merged_into_id},
            reason=f"discovery run {self.run.id}: "
            + (self.found.reconciled.slots[s].why or f"fewer than {min_size} tickets left"),
        )


def _save_groups(
    session: Session, run: ThemeRun, found: Discovery, rows: list[Theme | None]
) -> None:
    """Parent groups of this language's live themes, for the executive view."""
    if not found.parents:
        return
    offset = session.scalars(
        select(ThemeGroup.number)
        .where(ThemeGroup.run_id == run.id)
        .order_by(ThemeGroup.number.desc())
    ).first()
    start = 0 if offset is None else offset + 1
    for parent in found.parents:
        group = ThemeGroup(
            run_id=run.id,
            number=start + parent.number,
            label=parent.label,
            keywords=list(parent.keywords),
        )
        session.add(group)
        session.flush()
        for number in parent.themes:
            row = rows[found.themes[number].slot]
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
