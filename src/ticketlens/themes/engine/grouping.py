"""Group vectors without labels: a kNN graph and Leiden on a sample, the rest assigned.

1. cluster a hash-chosen subset with a kNN graph and Leiden (:mod:`.graph`), at the
   resolution that suits the corpus (:mod:`.granularity`); groups smaller than
   ``min_theme_size`` are dissolved;
2. clustered texts keep their group; every other text goes to the group of its
   nearest prototype (:mod:`.prototypes`). A text whose similarity to its group's
   nearest prototype is below ``unclear_below`` is unclear (-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ticketlens.embedding import Vectors
from ticketlens.themes.engine.adapt import sample_rows
from ticketlens.themes.engine.granularity import Granularity, choose_granularity
from ticketlens.themes.engine.graph import nearest_neighbours
from ticketlens.themes.engine.options import DiscoveryOptions, Progress
from ticketlens.themes.engine.prototypes import Prototypes

UNCLEAR = -1
SMALL_CORPUS = 1000


@dataclass(frozen=True)
class Grouping:
    """Texts grouped without labels: ``assignments[i]`` is a group (largest first) or -1."""

    assignments: np.ndarray
    scores: np.ndarray
    prototypes: Prototypes
    #: the resolution used and the sweep behind it (None: too few texts to cluster)
    granularity: Granularity | None = None

    @property
    def count(self) -> int:
        return self.prototypes.theme_count


def group_vectors(
    texts: Sequence[str],
    vectors: Vectors,
    options: DiscoveryOptions,
    *,
    progress: Progress | None = None,
    before: float | None = None,
) -> Grouping:
    """Cluster a sample, assign the rest, number groups by size.

    Args:
        before: the resolution an earlier run chose (kept while it still suits).
    """
    say = progress or (lambda _step: None)
    say("clustering")
    rows, communities, granularity = _communities(list(texts), vectors, options, before)
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
    return Grouping(assignments, scores, prototypes, granularity)


def _communities(
    texts: list[str], vectors: Vectors, options: DiscoveryOptions, before: float | None
) -> tuple[np.ndarray, np.ndarray, Granularity | None]:
    """Rows clustered and their community (0..k-1, or -1 when its group was too small)."""
    rows = sample_rows(texts, options.discovery_sample, options.seed)
    if len(rows) < max(2, options.min_theme_size):  # too few to recur: nothing is a theme
        return rows, np.full(len(rows), -1, dtype=np.int64), None
    # Small corpora: fewer neighbours, or each ticket's list spills into other themes.
    k = max(3, min(options.neighbours, round(len(rows) ** 0.5 / 2)))
    neighbours, similarity = nearest_neighbours(vectors[rows], k)
    # The same resolution splits a small graph into crumbs: below 1,000 tickets it is
    # scaled down (x0.25 at 60 tickets), so a small team's few issues stay whole.
    granularity = choose_granularity(
        neighbours,
        similarity,
        vectors[rows],
        min_size=options.min_theme_size,
        scale=min(1.0, (len(rows) / SMALL_CORPUS) ** 0.5),
        seed=options.seed,
        fixed=options.resolution,
        before=before,
    )
    found = granularity.communities
    ids, counts = np.unique(found, return_counts=True)
    kept = ids[counts >= options.min_theme_size]
    renumber = np.full(found.max() + 1, -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept))
    return rows, renumber[found], granularity


def _by_size(prototypes: Prototypes, assignments: np.ndarray) -> tuple[Prototypes, np.ndarray]:
    """Number themes by size, largest first (ties by prototype), dropping empty ones."""
    n = prototypes.theme_count
    sizes = np.bincount(assignments[assignments >= 0], minlength=n)
    tie_key = {int(t): prototypes.vectors[i].tobytes() for i, t in enumerate(prototypes.themes)}
    order = sorted((t for t in range(n) if sizes[t] > 0), key=lambda t: (-sizes[t], tie_key[t]))
    mapping = np.full(n + 1, UNCLEAR, dtype=np.int64)  # index -1 (unclear) stays unclear
    mapping[np.array(order, dtype=np.int64)] = np.arange(len(order))
    return prototypes.renumbered(mapping[:n]), mapping[assignments]
