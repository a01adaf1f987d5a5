"""Place new tickets in the themes people already know; gather the misfits into proposals.

Runs after every import (``pipeline.after_ingest``). New tickets are embedded in the
space their language's themes were last computed in, so placing them is one matrix
product. Tickets that fit no theme stay unclear; once enough unclear tickets of a
language look alike they become a *proposed* theme for a person to accept or
dismiss. A pattern a person dismissed is not proposed again. A language seen for
the first time gets its own discovery once it has enough tickets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from sqlalchemy import func, select

from ticketlens.embedding import Embedder, load_embedder, normalise
from ticketlens.store import audit
from ticketlens.store.schema import (
    ACCEPTED_THEME_STATES,
    LIVE_THEME_STATES,
    MATCHABLE_THEME_STATES,
    Theme,
    ThemeAssignment,
    ThemeRun,
    ThemeSpace,
    Ticket,
)
from ticketlens.themes.catalog import live_labels
from ticketlens.themes.corpus import Corpus, load_corpus, ticket_text
from ticketlens.themes.engine import (
    Adapter,
    DiscoveryOptions,
    Grouping,
    Meaning,
    Progress,
    closest,
    describe_members,
    group_vectors,
    resolve_languages,
    tell_apart,
    unit,
)
from ticketlens.themes.records import (
    WRITE_BATCH,
    from_bytes,
    latest_space,
    record_theme_event,
    replace_assignments,
    suggest_label,
    theme_prototypes,
    to_bytes,
)

# A proposal must be about as tight as the themes the team has: its tickets' mean fit at
# least this share of the loosest tenth's. On the sample a held-out issue's groups score
# 0.65-0.79 (that decile: 0.74); groups of off-topic tweets in the bench 0.41-0.62 (0.72).
COHESION = 0.85

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ticketlens.workspace import Workspace


@dataclass(frozen=True)
class Increment:
    """What an increment did."""

    stage: ClassVar[str] = "themes"
    run_id: int | None
    tickets: int
    placed: int
    unclear: int
    proposed: list[int]  # ids of the themes it proposed
    discovered_languages: list[str]  # languages that got their first themes

    def summary(self) -> dict[str, Any]:
        """As plain data, for the CLI, the pipeline's report and the web app."""
        return {"run": self.run_id} | {
            k: v for k, v in dataclasses.asdict(self).items() if k != "run_id"
        }


def assign_new(
    workspace: Workspace,
    options: DiscoveryOptions | None = None,
    *,
    embedder: Embedder | None = None,
    teacher: Embedder | None = None,
    progress: Progress | None = None,
) -> Increment:
    """Place every ticket not yet placed; propose themes for what fits none.

    Args:
        embedder: the model new tickets are embedded with (default: the settings' one);
            ``teacher`` is used only when a new language gets its first themes.
    """
    from ticketlens.themes.runs import run_discovery

    options = options or DiscoveryOptions.from_settings(workspace.settings)
    say = progress or (lambda _step: None)
    nothing = Increment(None, 0, 0, 0, [], [])
    with workspace.store.session() as session:
        discovered = select(func.count()).where(ThemeRun.kind == "discover")
        if session.scalar(discovered) == 0:
            return nothing  # no themes yet (seeds alone are not): `themes discover` comes first
    say("reading new tickets")
    corpus = load_corpus(workspace, unplaced_only=True)
    if not corpus.ticket_ids:
        return nothing
    languages = np.array(
        resolve_languages(
            corpus.texts,
            corpus.languages,
            by_language=options.by_language,
            check=corpus.tagged.tolist(),
        ),
        dtype=object,
    )
    static = embedder or load_embedder(options.model)
    with workspace.store.session() as session:
        run = ThemeRun(
            kind="increment",
            started_at=audit.now(),
            actor=workspace.actor,
            model=options.model,
            options=dataclasses.asdict(options),
        )
        session.add(run)
        session.flush()
        tally = _Tally()
        for language in sorted(set(languages.tolist())):
            part = corpus.subset(np.flatnonzero(languages == language))
            _place_language(session, run, language, part, static, options, tally, say)
        run.tickets, run.unclear = len(corpus.ticket_ids), tally.unclear
        run.themes = len(tally.proposed)
        run.summary = {"placed": tally.placed, "unclear": tally.unclear, "proposed": tally.proposed}
        run.finished_at = audit.now()
        audit.record(
            session,
            actor=workspace.actor,
            action="themes.assign",
            target_type="theme_run",
            target_id=run.id,
            after=run.summary,
        )
        run_id = run.id
    new_languages = tally.new_languages
    for language in new_languages:
        say(f"first themes of {language}")
        run_discovery(
            workspace,
            options,
            embedder=embedder,
            teacher=teacher,
            progress=say,
            languages={language},
        )
    return Increment(
        run_id, len(corpus.ticket_ids), tally.placed, tally.unclear, tally.proposed, new_languages
    )


@dataclass
class _Tally:
    """What an increment did so far, over its languages."""

    placed: int = 0
    unclear: int = 0
    proposed: list[int] = field(default_factory=list)
    #: languages seen without themes that now have enough tickets for their own
    new_languages: list[str] = field(default_factory=list)


def _place_language(
    session: Session,
    run: ThemeRun,
    language: str,
    part: Corpus,
    static: Embedder,
    options: DiscoveryOptions,
    tally: _Tally,
    say: Progress,
) -> None:
    """Place one language's new tickets in its space; gather what fits no theme."""
    found = latest_space(session, language)
    if found is None:  # no themes in this language yet: unclear, until there are enough
        none = [None] * len(part.ticket_ids)
        _write(session, run, part, none, [0.0] * len(none), language)
        tally.unclear += len(part.ticket_ids)
        if _distinct_texts(session, language) >= options.language_min:
            tally.new_languages.append(language)
        return
    say(f"placing {len(part.ticket_ids):,} tickets ({language})")
    space, adapter = found
    themes, _ = _place(session, run, part, space, adapter, static, options)
    tally.placed += sum(1 for t in themes if t is not None)
    tally.unclear += sum(1 for t in themes if t is None)
    tally.proposed += _propose(session, run, language, space, adapter, static, options, say)


def _distinct_texts(session: Session, language: str) -> int:
    """How many different texts the language's tickets hold (repeats count once)."""
    texts = (
        select(Ticket.subject, Ticket.body)
        .join(ThemeAssignment, ThemeAssignment.ticket_id == Ticket.id)
        .where(ThemeAssignment.language == language)
        .distinct()
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(texts)) or 0


def _live_themes(session: Session, language: str, space: ThemeSpace) -> list[Theme]:
    """Themes that take tickets, with prototypes in ``space`` (seeds not yet filled have none)."""
    return list(
        session.scalars(
            select(Theme)
            .where(
                Theme.language == language,
                Theme.state.in_(LIVE_THEME_STATES),
                Theme.space_id == space.id,
            )
            .order_by(Theme.id)
        )
    )


def _place(
    session: Session,
    run: ThemeRun,
    corpus: Corpus,
    space: ThemeSpace,
    adapter: Adapter,
    static: Embedder,
    options: DiscoveryOptions,
) -> tuple[list[int | None], list[float]]:
    themes = _live_themes(session, space.language, space)
    vectors = adapter.transform(corpus.texts, static)
    width = vectors.shape[1]
    prototypes = theme_prototypes(themes, width)
    nearest, scores = prototypes.nearest(vectors)
    # Below the theme's own fit floor a ticket is novel, not a member: it waits, unclear,
    # until enough like it form a proposal.
    floors = [max(options.unclear_below, t.fit_floor or 0.0) for t in themes]
    placed = [
        themes[n].id if n >= 0 and score >= floors[n] else None
        for n, score in zip(nearest.tolist(), scores.tolist(), strict=True)
    ]
    _write(session, run, corpus, placed, scores.tolist(), space.language)
    counts: dict[int, int] = {}
    for theme_id in placed:
        if theme_id is not None:
            counts[theme_id] = counts.get(theme_id, 0) + 1
    for theme in themes:
        theme.size += counts.get(theme.id, 0)
    return placed, scores.tolist()


def _write(
    session: Session,
    run: ThemeRun,
    corpus: Corpus,
    themes: Sequence[int | None],
    scores: Sequence[float],
    language: str,
) -> None:
    replace_assignments(
        session,
        corpus.ticket_ids,
        themes,
        scores,
        [False] * len(themes),
        [language] * len(themes),
        run.id,
        delete_first=False,
    )


@dataclass(frozen=True)
class _Pool:
    """A language's unclear tickets, grouped: the candidates for proposals."""

    ticket_ids: np.ndarray
    text_of: np.ndarray  # each ticket's row in the distinct texts
    vectors: np.ndarray  # per distinct text
    grouping: Grouping  # per distinct text

    @property
    def group(self) -> np.ndarray:
        group: np.ndarray = self.grouping.assignments[self.text_of]
        return group

    @property
    def score(self) -> np.ndarray:
        score: np.ndarray = self.grouping.scores[self.text_of]
        return score

    def centres(self) -> np.ndarray:
        """Each group's unit mean vector over its distinct texts."""
        groups = self.grouping.assignments
        centres = np.zeros((self.grouping.count, self.vectors.shape[1]), dtype=np.float32)
        np.add.at(centres, groups[groups >= 0], self.vectors[groups >= 0])
        return normalise(centres)


def _propose(
    session: Session,
    run: ThemeRun,
    language: str,
    space: ThemeSpace,
    adapter: Adapter,
    static: Embedder,
    options: DiscoveryOptions,
    say: Progress,
) -> list[int]:
    """Group the language's unclear tickets; groups big enough become proposed themes."""
    found = _unclear_pool(session, language, adapter, static, options, say)
    if found is None:
        return []
    pool, texts = found
    group, score = pool.group, pool.score
    count = pool.grouping.count
    sizes = np.bincount(group[group >= 0], minlength=count)
    width = pool.vectors.shape[1]
    known = _known(session, language, space, width)
    known_centres = {i: from_bytes(t.centroid, width)[0] for i, t in known.items()}
    tight_enough = COHESION * _loose_decile(session, language)
    # Labels placed by the static path: loading the transformer would double an increment.
    meaning = Meaning(lambda phrases: adapter.transform(phrases, static), pool.centres())
    described, terms = describe_members(
        texts, pool.text_of, pool.ticket_ids, group, score, count, language, meaning
    )
    new: list[tuple[int, np.ndarray, Theme | None]] = []
    for g in range(count):
        members = group == g
        if sizes[g] < options.min_theme_size or float(score[members].mean()) < tight_enough:
            continue  # too few, or too loose to be one issue: the tickets wait, unclear
        centre = unit(pool.vectors[np.unique(pool.text_of[members])].mean(axis=0))
        close = closest(centre, known_centres)
        match = known[close] if close is not None else None
        if match is not None and match.state != "retired":
            # Like a dismissed proposal: stays dismissed. Like a live theme: it is that theme.
            _attach(session, pool.ticket_ids[members], match.id, score[members], run.id)
            continue
        new.append((g, centre, match))
    labels = tell_apart(
        [described[g].label for g, _, _ in new],
        terms.rows([g for g, _, _ in new]),
        live_labels(session, language),
    )
    proposed: list[int] = []
    for (g, centre, match), label in zip(new, labels, strict=True):
        members = group == g
        prototypes = pool.grouping.prototypes
        theme = Theme(
            run_id=run.id,
            number=0,
            label=label,
            keywords=list(described[g].keywords),
            size=int(sizes[g]),
            representatives=described[g].representatives,
            centroid=to_bytes(centre),
            prototypes=to_bytes(prototypes.vectors[prototypes.themes == g]),
            state="proposed",
            origin="discovered",
            language=language,
            space_id=space.id,
            examples=[],
        )
        _add_proposal(session, run, theme, retired=match)
        _attach(session, pool.ticket_ids[members], theme.id, score[members], run.id)
        proposed.append(theme.id)
    return proposed


def _unclear_pool(
    session: Session,
    language: str,
    adapter: Adapter,
    static: Embedder,
    options: DiscoveryOptions,
    say: Progress,
) -> tuple[_Pool, list[str]] | None:
    """The unclear tickets grouped in the language's space (None: too few to recur)."""
    rows = session.execute(
        select(ThemeAssignment.ticket_id, Ticket.subject, Ticket.body)
        .join(Ticket, Ticket.id == ThemeAssignment.ticket_id)
        .where(
            ThemeAssignment.language == language,
            ThemeAssignment.theme_id.is_(None),
            ThemeAssignment.how == "auto",
        )
        .order_by(ThemeAssignment.ticket_id)
    ).all()
    if len(rows) < max(2, options.min_theme_size):
        return None
    say(f"looking for new themes among {len(rows):,} unclear tickets ({language})")
    ticket_ids = np.array([row[0] for row in rows], dtype=np.int64)
    distinct: dict[str, int] = {}
    text_of = np.array(
        [distinct.setdefault(ticket_text(r[1], r[2]), len(distinct)) for r in rows], np.int64
    )
    texts = adapter.prepare(list(distinct))
    vectors = adapter.transform(texts, static)
    return _Pool(ticket_ids, text_of, vectors, group_vectors(texts, vectors, options)), texts


def _add_proposal(session: Session, run: ThemeRun, theme: Theme, retired: Theme | None) -> None:
    """Add a proposed theme with its audit event and its draft label."""
    theme.created_at = theme.updated_at = audit.now()
    session.add(theme)
    session.flush()
    why = f"increment run {run.id}: {theme.size} unclear tickets alike"
    if retired is not None:
        why += f"; resembles retired theme {retired.id}"
    record_theme_event(
        session,
        theme.id,
        "themes.propose",
        after={"label": theme.label, "size": theme.size, "state": theme.state},
        reason=why,
    )
    suggest_label(session, theme, theme.representatives)


def _loose_decile(session: Session, language: str) -> float:
    """The mean fit of the loosest tenth of the language's themes (0 without themes)."""
    means = sorted(
        float(m)
        for m in session.scalars(
            select(func.avg(ThemeAssignment.score))
            .join(Theme, Theme.id == ThemeAssignment.theme_id)
            .where(Theme.language == language, Theme.state.in_(ACCEPTED_THEME_STATES))
            .group_by(Theme.id)
        )
        if m is not None
    )
    return means[len(means) // 10] if means else 0.0


def _known(session: Session, language: str, space: ThemeSpace, width: int) -> dict[int, Theme]:
    """Themes a new group may turn out to be: live, dismissed or retired (same space)."""
    return {
        t.id: t
        for t in session.scalars(
            select(Theme).where(
                Theme.language == language,
                Theme.state.in_(MATCHABLE_THEME_STATES),
                Theme.space_id == space.id,
            )
        )
        if from_bytes(t.centroid, width).any()
    }


def _attach(
    session: Session, ticket_ids: np.ndarray, theme_id: int, scores: np.ndarray, run_id: int
) -> None:
    score_of = dict(zip(ticket_ids.tolist(), scores.tolist(), strict=True))
    ids = list(score_of)
    for start in range(0, len(ids), WRITE_BATCH):
        rows = session.scalars(
            select(ThemeAssignment).where(
                ThemeAssignment.ticket_id.in_(ids[start : start + WRITE_BATCH])
            )
        )
        for row in rows:
            row.theme_id, row.run_id = theme_id, run_id
            row.score = round(score_of[row.ticket_id], 4)
