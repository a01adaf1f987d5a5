"""The one entry point of theme discovery: texts in, themes out, continuing known ones.

Steps (each deterministic for the same texts and options, whatever their order):

0. sentences the corpus's tickets share verbatim (a template's) are left out
   (:mod:`.cleaning`; each text was cleaned before, by ``themes.ticket_text``);
1. the distinct texts are embedded with the embedding model, fitted to the teacher
   on a sample (:mod:`.adapt`);
2. grouped: a kNN graph and Leiden on a sample, the rest assigned (:mod:`.grouping`);
3. reconciled with the themes the team already has (:mod:`.reconcile`): ids carry
   over, people's decisions stay, new patterns become proposals; with no themes yet,
   every group is a new theme;
4. described: label, keywords and typical texts of each theme (:mod:`.labels`), and
   themes gathered into parent groups (:mod:`.parents`).

The product (``themes.runs``, once per language of a workspace), the benchmark
(``bench/themes``) and the tests all call :func:`discover_texts`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ticketlens.embedding import Embedder, Vectors, load_embedder, load_teacher, normalise
from ticketlens.themes.engine.adapt import Adapter, adapt
from ticketlens.themes.engine.cleaning import Boilerplate
from ticketlens.themes.engine.distinct_labels import tell_apart
from ticketlens.themes.engine.granularity import Granularity
from ticketlens.themes.engine.grouping import UNCLEAR, group_vectors
from ticketlens.themes.engine.labels import (
    Described,
    GroupTerms,
    Meaning,
    describe,
    describe_members,
)
from ticketlens.themes.engine.options import DiscoveryOptions, Progress
from ticketlens.themes.engine.parents import parent_groups
from ticketlens.themes.engine.prototypes import Prototypes
from ticketlens.themes.engine.reconcile import LIVE, Known, Reconciled, reconcile


@dataclass(frozen=True)
class Prior:
    """What the team already has: its themes, and each text's theme before this run."""

    known: Sequence[Known] = ()
    #: each text's theme id before (-1: none or unclear); default: none
    themes: np.ndarray | None = None
    #: texts a person placed (they stay where they are)
    manual: np.ndarray | None = None
    #: new groups become active themes, not proposals (default: when no known theme is live)
    first_run: bool | None = None
    #: the resolution the previous run chose (kept while it still suits the data)
    resolution: float | None = None


@dataclass(frozen=True)
class Theme:
    """One theme holding texts; ``number`` is its index, largest theme first."""

    number: int
    #: its index in :attr:`Discovery.reconciled` (what the store saves)
    slot: int
    size: int
    label: str
    keywords: tuple[str, ...]
    representatives: tuple[int, ...]  # rows of the most typical texts
    parent: int


@dataclass(frozen=True)
class ParentGroup:
    number: int
    label: str
    keywords: tuple[str, ...]
    themes: tuple[int, ...]


@dataclass(frozen=True)
class Discovery:
    """Themes of a list of texts: ``assignments[i]`` is text i's theme number, or -1.

    A text held by no live theme (unclear, or kept in a retired one) is -1 there;
    :attr:`reconciled` says where every text is, slot by slot, for the store.
    """

    themes: list[Theme]
    parents: list[ParentGroup]
    assignments: np.ndarray
    scores: np.ndarray
    reconciled: Reconciled = field(repr=False)
    #: per slot of :attr:`reconciled`: label, keywords, typical rows
    described: list[Described] = field(repr=False)
    #: how to embed more texts into the same space (None when nothing was embedded)
    adapter: Adapter | None = field(default=None, repr=False)
    #: why there are no themes (or fewer than one might expect), in words
    notes: tuple[str, ...] = ()
    #: the resolution used and the sweep that chose it (None: nothing was clustered)
    granularity: Granularity | None = field(default=None, repr=False)

    @property
    def unclear_share(self) -> float:
        n = len(self.assignments)
        return float((self.assignments == UNCLEAR).sum() / n) if n else 0.0

    @property
    def centroids(self) -> Vectors:
        """Each theme's unit mean vector, in the adapted space."""
        return self.reconciled.centroids[[t.slot for t in self.themes]]


def discover_texts(
    texts: Sequence[str],
    options: DiscoveryOptions | None = None,
    *,
    embedder: Embedder | None = None,
    teacher: Embedder | None = None,
    prior: Prior | None = None,
    language: str = "en",
    progress: Progress | None = None,
) -> Discovery:
    """Discover the themes of ``texts`` (one per ticket; repeats are grouped once).

    Args:
        embedder, teacher: the models (default: ``options.model`` and ``options.teacher``).
        prior: the themes the team has; without it every group is a new theme.
        language: the texts' language, for the stop words of labels.
    """
    options = options or DiscoveryOptions()
    prior = prior or Prior()
    say = progress or (lambda _step: None)
    # Shared sentences first, while line breaks still mark where a sentence ends.
    boilerplate = Boilerplate.learn(dict.fromkeys(texts))
    if boilerplate.sentences:
        texts = boilerplate.remove_all(texts)
    texts = [" ".join(t.split()) for t in texts]
    distinct: dict[str, int] = {}
    text_of = np.array([distinct.setdefault(t, len(distinct)) for t in texts], dtype=np.int64)
    unique = list(distinct)
    if not unique:
        return dataclasses.replace(_nothing(), notes=("no texts to group",))
    static = embedder or load_embedder(options.model)
    teacher = teacher or load_teacher(options.teacher)
    adapted = adapt(
        unique,
        static,
        teacher,
        teacher_sample=options.teacher_sample,
        seed=options.seed,
        progress=say,
    )
    adapted = dataclasses.replace(
        adapted, adapter=dataclasses.replace(adapted.adapter, boilerplate=boilerplate)
    )
    known = [
        dataclasses.replace(k, anchors=adapted.adapter.transform(list(k.seed_texts), static))
        if k.seed_texts
        else k
        for k in prior.known
    ]
    grouping = group_vectors(
        unique, adapted.vectors, options, progress=say, before=prior.resolution
    )
    say("matching to known themes")
    result = reconcile(
        adapted.vectors,
        text_of,
        grouping.assignments,
        known,
        prior.themes if prior.themes is not None else np.full(len(texts), UNCLEAR, np.int64),
        prior.manual if prior.manual is not None else np.zeros(len(texts), dtype=bool),
        min_theme_size=options.min_theme_size,
        unclear_below=options.unclear_below,
        stickiness=options.stickiness,
        first_run=prior.first_run,
        seed=options.seed,
    )
    say("labelling")
    rows = np.arange(len(texts), dtype=np.int64)
    meaning = _teacher_meaning(teacher, adapted.adapter, result.centroids)
    described, terms = describe_members(
        unique,
        text_of,
        rows,
        result.ticket_slot,
        result.ticket_score,
        len(result.slots),
        language,
        meaning,
    )
    described = _distinct_drafts(result, described, terms)
    found = _assemble(result, described, terms, adapted.adapter, meaning)
    return dataclasses.replace(
        found,
        notes=_why_so_few(found, len(texts), len(unique), options),
        granularity=grouping.granularity,
    )


def _teacher_meaning(teacher: Embedder, adapter: Adapter, centroids: Vectors) -> Meaning:
    """Phrases placed by the transformer itself: the adapted space is its space.

    Sharper than the static model for short phrases, and a few thousand of them
    take about a second (bench/themes/NOTES.md).
    """
    return Meaning(lambda phrases: adapter.direction.remove(teacher.embed(phrases)), centroids)


def _why_so_few(
    found: Discovery, tickets: int, distinct: int, options: DiscoveryOptions
) -> tuple[str, ...]:
    """What to tell someone who sees no themes, or texts left unclear, on a small input."""
    need = options.min_theme_size
    if found.themes:
        return ()
    if tickets < need:
        return (f"{tickets} text(s): a theme needs at least {need} (themes.min_size)",)
    if distinct < 3:
        return (
            f"{distinct} distinct text(s): too few to tell groups apart (repeats of one "
            "text are grouped once)",
        )
    return (
        f"no group of at least {need} similar texts among {distinct} distinct ones "
        "(themes.min_size; themes.unclear_below decides what is similar enough)",
    )


def _distinct_drafts(
    result: Reconciled, described: list[Described], terms: GroupTerms
) -> list[Described]:
    """Live themes' draft labels told apart from each other and from people's labels."""
    live = _live_slots(result)
    fixed = [k.label for s in live if (k := result.slots[s].known) and k.label is not None]
    drafts = [s for s in live if (k := result.slots[s].known) is None or k.label is None]
    labels = tell_apart([described[s].label for s in drafts], terms.rows(drafts), fixed)
    out = list(described)
    for s, label in zip(drafts, labels, strict=True):
        out[s] = dataclasses.replace(out[s], label=label)
    return out


def _live_slots(result: Reconciled) -> list[int]:
    return [s for s, slot in enumerate(result.slots) if slot.state in LIVE and result.sizes[s] > 0]


def _assemble(
    result: Reconciled,
    described: list[Described],
    terms: GroupTerms,
    adapter: Adapter,
    meaning: Meaning | None = None,
) -> Discovery:
    """Number the live themes by size and gather them into parent groups."""
    live = _live_slots(result)
    groups: list[ParentGroup] = []
    parent_of_slot: dict[int, int] = {}
    if live:
        parents = parent_groups(result.centroids[live], result.sizes[live])
        parent_of_slot = dict(zip(live, parents.tolist(), strict=True))
        live_terms = terms.rows(live)
        n_parents = int(parents.max()) + 1
        merged = live_terms.merged(parents, n_parents)
        centres = _parent_centres(result.centroids[live], result.sizes[live], parents, n_parents)
        texts = describe(merged, meaning.with_centres(centres) if meaning else None)
        names = tell_apart([d.label for d in texts], merged)
        groups = [
            ParentGroup(p, name, d.keywords, ())
            for p, (d, name) in enumerate(zip(texts, names, strict=True))
        ]
    order = sorted(live, key=lambda s: (-int(result.sizes[s]), s))
    themes = [
        Theme(
            number=n,
            slot=s,
            size=int(result.sizes[s]),
            label=described[s].label,
            keywords=described[s].keywords,
            representatives=tuple(described[s].representatives),
            parent=parent_of_slot[s],
        )
        for n, s in enumerate(order)
    ]
    groups = [
        dataclasses.replace(g, themes=tuple(t.number for t in themes if t.parent == g.number))
        for g in groups
    ]
    number_of_slot = np.full(len(result.slots) + 1, UNCLEAR, dtype=np.int64)
    number_of_slot[[t.slot for t in themes]] = [t.number for t in themes]
    return Discovery(
        themes,
        groups,
        number_of_slot[result.ticket_slot],
        result.ticket_score,
        result,
        described,
        adapter,
    )


def _parent_centres(
    centroids: Vectors, sizes: np.ndarray, parents: np.ndarray, n_parents: int
) -> Vectors:
    """Each parent group's unit centre: its themes' centres weighted by their size."""
    centres = np.zeros((n_parents, centroids.shape[1]), dtype=np.float32)
    np.add.at(centres, parents, centroids * sizes[:, None])
    return normalise(centres)


def _nothing() -> Discovery:
    empty = np.zeros((0, 1), dtype=np.float32)
    none = np.zeros(0, dtype=np.int64)
    scores = np.zeros(0, np.float32)
    result = Reconciled([], none, scores, Prototypes(empty, none), empty, none, none)
    return Discovery([], [], none, scores, result, [], None)
