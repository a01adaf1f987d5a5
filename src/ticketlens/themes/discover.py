"""Discovery: group texts into themes, choosing the number itself.

Steps (each deterministic for the same texts and options, whatever their order):

1. embed every text with the static model and fit it to the transformer on a
   sample (:mod:`ticketlens.themes.adapt`);
2. cluster a hash-chosen subset with a kNN graph and Leiden (:mod:`.graph`);
   groups smaller than ``min_theme_size`` are dissolved;
3. assign every text to the nearest theme centre; a text whose best similarity is
   below ``unclear_below`` goes to the explicit "unclear" bucket (theme -1);
4. gather themes into parent groups, and describe each theme (label, keywords,
   representative texts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ticketlens.embedding import DEFAULT_MODEL, load_embedder, load_teacher, normalise
from ticketlens.embedding._base import Embedder, Vectors
from ticketlens.themes.adapt import adapt, sample_rows
from ticketlens.themes.graph import leiden_communities, nearest_neighbours
from ticketlens.themes.labels import describe, representatives
from ticketlens.themes.parents import parent_groups

UNCLEAR = -1

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DiscoveryOptions:
    """The knobs of discovery; defaults were chosen on the bench sets (bench/themes)."""

    model: str = DEFAULT_MODEL
    #: texts the transformer embeds to fit the static model to this corpus
    teacher_sample: int = 1500
    #: texts clustered directly; the rest are assigned to the themes found
    discovery_sample: int = 20_000
    neighbours: int = 15
    #: Leiden resolution: higher finds more, finer themes
    resolution: float = 3.0
    min_theme_size: int = 5
    #: similarity to the nearest theme centre below which a text is "unclear"
    unclear_below: float = 0.25
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
    centroids: Vectors = field(repr=False)

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
    vectors = adapt(
        texts,
        static or load_embedder(options.model),
        teacher or load_teacher(),
        teacher_sample=options.teacher_sample,
        seed=options.seed,
        progress=say,
    ).vectors
    say("clustering")
    rows, communities = _communities(texts, vectors, options)
    centroids = normalise(
        np.stack(
            [vectors[rows[communities == c]].mean(axis=0) for c in range(communities.max() + 1)]
        )
    )
    say("assigning")
    # Texts that were clustered keep their community (Leiden groups need not be round);
    # the rest, and members of dissolved groups, go to the nearest theme centre.
    assignments, scores = assign(vectors, centroids, options.unclear_below)
    clustered = rows[communities >= 0]
    assignments[clustered] = communities[communities >= 0]
    scores[clustered] = np.einsum("ij,ij->i", vectors[clustered], centroids[assignments[clustered]])
    assignments[scores < options.unclear_below] = UNCLEAR
    centroids, assignments = _drop_empty(centroids, assignments)
    say("labelling")
    return _describe(texts, centroids, assignments, scores)


def assign(
    vectors: Vectors, centroids: Vectors, unclear_below: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest theme centre of each vector, and the cosine similarity to it."""
    if len(centroids) == 0:
        return np.full(len(vectors), UNCLEAR), np.zeros(len(vectors), dtype=np.float32)
    assignments = np.empty(len(vectors), dtype=np.int64)
    scores = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), 65_536):
        sims = vectors[start : start + 65_536] @ centroids.T
        assignments[start : start + 65_536] = sims.argmax(axis=1)
        scores[start : start + 65_536] = sims.max(axis=1)
    assignments[scores < unclear_below] = UNCLEAR
    return assignments, scores


def _communities(
    texts: list[str], vectors: Vectors, options: DiscoveryOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Rows clustered and their community (0..k-1, or -1 when its group was too small)."""
    rows = sample_rows(texts, options.discovery_sample, options.seed)
    if len(rows) < 2:
        return rows, np.zeros(len(rows), dtype=np.int64)
    # Small corpora: fewer neighbours, or each ticket's list spills into other themes.
    k = max(3, min(options.neighbours, round(len(rows) ** 0.5 / 2)))
    neighbours, similarity = nearest_neighbours(vectors[rows], k)
    found = leiden_communities(
        neighbours, similarity, resolution=options.resolution, seed=options.seed
    )
    ids, counts = np.unique(found, return_counts=True)
    kept = ids[counts >= min(options.min_theme_size, len(rows))]
    renumber = np.full(found.max() + 1, -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept))
    return rows, renumber[found]


def _drop_empty(centroids: Vectors, assignments: np.ndarray) -> tuple[Vectors, np.ndarray]:
    """Number themes by size (largest first, ties by centre) and drop those left empty."""
    sizes = np.bincount(assignments[assignments >= 0], minlength=len(centroids))
    order = sorted(
        (t for t in range(len(centroids)) if sizes[t] > 0),
        key=lambda t: (-sizes[t], centroids[t].tobytes()),
    )
    renumber = np.full(len(centroids) + 1, UNCLEAR, dtype=np.int64)
    renumber[np.array(order, dtype=np.int64)] = np.arange(len(order))
    return centroids[order], renumber[assignments]


def _describe(
    texts: list[str],
    centroids: Vectors,
    assignments: np.ndarray,
    scores: np.ndarray,
) -> Discovery:
    n_themes = len(centroids)
    sizes = np.bincount(assignments[assignments >= 0], minlength=n_themes)
    parents = parent_groups(centroids, sizes)
    descriptions = describe(texts, assignments, n_themes)
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
    parent_of_text = (
        np.where(assignments >= 0, parents[np.maximum(assignments, 0)], UNCLEAR)
        if n_themes
        else assignments
    )
    n_parents = int(parents.max()) + 1 if n_themes else 0
    parent_descriptions = describe(texts, parent_of_text, n_parents)
    groups = [
        ParentGroup(
            number=p,
            label=parent_descriptions[p].label,
            keywords=parent_descriptions[p].keywords,
            themes=tuple(t for t in range(n_themes) if parents[t] == p),
        )
        for p in range(n_parents)
    ]
    return Discovery(themes, groups, assignments, scores, centroids)


def _empty() -> Discovery:
    return Discovery(
        [], [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), normalise([[0.0]])[:0]
    )
