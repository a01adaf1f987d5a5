"""Discovery: group texts into themes, choosing the number itself.

Steps (each deterministic for the same texts and options, whatever their order):

1. embed every text with the static model and fit it to the transformer on a
   sample (:mod:`ticketlens.themes.adapt`);
2. cluster a hash-chosen subset with a kNN graph and Leiden (:mod:`.graph`);
   groups smaller than ``min_theme_size`` are dissolved;
3. clustered texts keep their group; every other text goes to the theme of its
   nearest prototype (:mod:`.prototypes`). A text whose similarity to its theme's
   nearest prototype is below ``unclear_below`` goes to the explicit "unclear"
   bucket (theme -1);
4. gather themes into parent groups, and describe each theme (label, keywords,
   representative texts).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ticketlens.embedding import load_embedder, load_teacher, normalise
from ticketlens.embedding._base import Embedder, Vectors
from ticketlens.settings import Settings
from ticketlens.themes.adapt import Adapter, adapt, sample_rows
from ticketlens.themes.graph import leiden_communities, nearest_neighbours
from ticketlens.themes.labels import count_terms, describe, representatives
from ticketlens.themes.parents import parent_groups
from ticketlens.themes.prototypes import Prototypes

UNCLEAR = -1
SMALL_CORPUS = 1000

Progress = Callable[[str], None]


# The defaults are the workspace settings' (declared once, in ticketlens.settings).
_DEFAULTS = Settings()


@dataclass(frozen=True)
class DiscoveryOptions:
    """The knobs of discovery; defaults were chosen on the bench sets (bench/themes)."""

    model: str = _DEFAULTS.theme_model
    #: texts the transformer embeds to fit the static model to this corpus
    teacher_sample: int = _DEFAULTS.theme_teacher_sample
    #: texts clustered directly; the rest are assigned to the themes found
    discovery_sample: int = _DEFAULTS.theme_discovery_sample
    neighbours: int = 15
    #: Leiden resolution: higher finds more, finer themes
    resolution: float = _DEFAULTS.theme_resolution
    min_theme_size: int = _DEFAULTS.theme_min_size
    #: cosine to the theme's nearest prototype below which a text is "unclear"
    unclear_below: float = _DEFAULTS.theme_unclear_below
    #: a re-run moves a ticket to another theme only if it fits it better by this much
    stickiness: float = _DEFAULTS.theme_stickiness
    seed: int = 0


@dataclass(frozen=True)
class Theme:
    """One discovered theme; ``number`` is its index, largest theme first."""

    number: int
    size: int
    label: str
    keywords: tuple[str, ...]
    representatives: tuple[int, ...]  # row numbers of the most typical texts
    parent: int


@dataclass(frozen=True)
class ParentGroup:
    number: int
    label: str
    keywords: tuple[str, ...]
    themes: tuple[int, ...]


@dataclass(frozen=True)
class Discovery:
    """Themes of a list of texts: ``assignments[i]`` is text i's theme, or -1 (unclear)."""

    themes: list[Theme]
    parents: list[ParentGroup]
    assignments: np.ndarray
    scores: np.ndarray
    #: mean vector of each theme (unit), in the adapted embedding space
    centroids: Vectors = field(repr=False)
    #: what new tickets are matched against
    prototypes: Prototypes = field(repr=False)
    #: how to embed more texts into the same space (None when nothing was embedded)
    adapter: Adapter | None = field(default=None, repr=False)

    @property
    def unclear_share(self) -> float:
        n = len(self.assignments)
        return float((self.assignments == UNCLEAR).sum() / n) if n else 0.0


def discover_texts(
    texts: Sequence[str],
    options: DiscoveryOptions | None = None,
    *,
    progress: Progress | None = None,
    static: Embedder | None = None,
    teacher: Embedder | None = None,
) -> Discovery:
    """Discover the themes of ``texts``."""
    options = options or DiscoveryOptions()
    say = progress or (lambda _step: None)
    texts = [" ".join(t.split()) for t in texts]
    if not texts:
        return _empty()
    adapted = adapt(
        texts,
        static or load_embedder(options.model),
        teacher or load_teacher(),
        teacher_sample=options.teacher_sample,
        seed=options.seed,
        progress=say,
    )
    grouping = group_vectors(texts, adapted.vectors, options, progress=say)
    say("labelling")
    discovery = _describe(
        texts, adapted.vectors, grouping.prototypes, grouping.assignments, grouping.scores
    )
    return dataclasses.replace(discovery, adapter=adapted.adapter)


@dataclass(frozen=True)
class Grouping:
    """Texts grouped without labels: ``assignments[i]`` is a group (largest first) or -1."""

    assignments: np.ndarray
    scores: np.ndarray
    prototypes: Prototypes

    @property
    def count(self) -> int:
        return self.prototypes.theme_count


def group_vectors(
    texts: Sequence[str],
    vectors: Vectors,
    options: DiscoveryOptions,
    *,
    progress: Progress | None = None,
) -> Grouping:
    """Steps 2 and 3: cluster a sample, assign the rest, number groups by size."""
    say = progress or (lambda _step: None)
    say("clustering")
    rows, communities = _communities(list(texts), vectors, options)
    say("assigning")
    clustered = rows[communities >= 0]
    prototypes = Prototypes.fit(vectors[clustered], communities[communities >= 0], options.seed)
    # Texts that were clustered keep their community; the rest, and members of
    # dissolved groups, go to the theme of the nearest prototype.
    assignments, scores = prototypes.nearest(vectors)
    assignments[clustered] = communities[communities >= 0]
    scores[clustered] = prototypes.similarity(vectors[clustered], assignments[clustered])
    assignments[scores < options.unclear_below] = UNCLEAR
    prototypes, assignments = _by_size(prototypes, assignments)
    return Grouping(assignments, scores, prototypes)


def _communities(
    texts: list[str], vectors: Vectors, options: DiscoveryOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Rows clustered and their community (0..k-1, or -1 when its group was too small)."""
    rows = sample_rows(texts, options.discovery_sample, options.seed)
    if len(rows) < max(2, options.min_theme_size):  # too few to recur: nothing is a theme
        return rows, np.full(len(rows), -1, dtype=np.int64)
    # Small corpora: fewer neighbours, or each ticket's list spills into other themes.
    k = max(3, min(options.neighbours, round(len(rows) ** 0.5 / 2)))
    neighbours, similarity = nearest_neighbours(vectors[rows], k)
    # The same resolution splits a small graph into crumbs: below 1,000 tickets it is
    # scaled down (x0.25 at 60 tickets), so a small team's few issues stay whole.
    resolution = options.resolution * min(1.0, (len(rows) / SMALL_CORPUS) ** 0.5)
    found = leiden_communities(neighbours, similarity, resolution=resolution, seed=options.seed)
    ids, counts = np.unique(found, return_counts=True)
    kept = ids[counts >= options.min_theme_size]
    renumber = np.full(found.max() + 1, -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept))
    return rows, renumber[found]


def _by_size(prototypes: Prototypes, assignments: np.ndarray) -> tuple[Prototypes, np.ndarray]:
    """Number themes by size, largest first (ties by prototype), dropping empty ones."""
    n = prototypes.theme_count
    sizes = np.bincount(assignments[assignments >= 0], minlength=n)
    tie_key = {int(t): prototypes.vectors[i].tobytes() for i, t in enumerate(prototypes.themes)}
    order = sorted((t for t in range(n) if sizes[t] > 0), key=lambda t: (-sizes[t], tie_key[t]))
    mapping = np.full(n + 1, UNCLEAR, dtype=np.int64)  # index -1 (unclear) stays unclear
    mapping[np.array(order, dtype=np.int64)] = np.arange(len(order))
    return prototypes.renumbered(mapping[:n]), mapping[assignments]


def _describe(
    texts: list[str],
    vectors: Vectors,
    prototypes: Prototypes,
    assignments: np.ndarray,
    scores: np.ndarray,
) -> Discovery:
    n_themes = prototypes.theme_count
    sizes = np.bincount(assignments[assignments >= 0], minlength=n_themes)
    centroids = normalise(
        np.stack([vectors[assignments == t].mean(axis=0) for t in range(n_themes)])
        if n_themes
        else np.zeros((0, vectors.shape[1]))
    )
    parents = parent_groups(centroids, sizes)
    theme_terms = count_terms(texts, assignments, n_themes)
    descriptions = describe(theme_terms)
    themes = [
        Theme(
            number=t,
            size=int(sizes[t]),
            label=descriptions[t].label,
            keywords=descriptions[t].keywords,
            representatives=tuple(representatives(np.flatnonzero(assignments == t), scores, texts)),
            parent=int(parents[t]),
        )
        for t in range(n_themes)
    ]
    n_parents = int(parents.max()) + 1 if n_themes else 0
    parent_descriptions = describe(theme_terms.merged(parents, n_parents))
    groups = [
        ParentGroup(
            number=p,
            label=parent_descriptions[p].label,
            keywords=parent_descriptions[p].keywords,
            themes=tuple(t for t in range(n_themes) if parents[t] == p),
        )
        for p in range(n_parents)
    ]
    return Discovery(themes, groups, assignments, scores, centroids, prototypes)


def _empty() -> Discovery:
    nothing = normalise([[0.0]])[:0]
    return Discovery(
        [],
        [],
        np.zeros(0, dtype=np.int64),
        np.zeros(0, dtype=np.float32),
        nothing,
        Prototypes(nothing, np.zeros(0, dtype=np.int64)),
    )
