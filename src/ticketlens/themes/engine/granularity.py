"""How finely to split a corpus into themes, chosen from the corpus itself.

The Leiden resolution that finds the right themes depends on the corpus: 30 tickets
per intent want a finer cut than 120, and paraphrases of one request a coarser one
(bench/README.md, "Granularity"). So discovery tries a few resolutions on the same
graph and scores each partition by its silhouette (cosine, on a hash-chosen sample):
how much closer a ticket is to its own theme than to the next one. No labels needed.

Of the partitions whose silhouette is within :data:`TOLERANCE` of the best, the coarsest
wins (fewer themes a person must read, like the one-standard-error rule), except that a
re-run keeps the resolution it chose before while that one is still within the
tolerance, so themes do not split and merge from one week to the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import silhouette_score

from ticketlens.embedding import Vectors
from ticketlens.themes.engine.graph import leiden_communities

#: resolutions tried (x the small-corpus scale); doubling steps from coarse to fine. The
#: silhouette keeps rising past 8 on corpora that are a continuum (the bundled sample:
#: 124 themes for 34 issues at 16), so the sweep stops there.
SWEEP = (1.0, 2.0, 4.0, 8.0)
#: a partition this close to the best silhouette is as good (the estimate moves by about
#: this much between samples and Leiden seeds on the bench sets)
TOLERANCE = 0.01
#: rows the silhouette is computed on (pairwise, so the cost is this squared)
SILHOUETTE_SAMPLE = 4000


@dataclass(frozen=True)
class Granularity:
    """The resolution chosen, its communities, and the score of every one tried."""

    #: in ``themes.resolution`` units (before the small-corpus scale)
    resolution: float
    communities: np.ndarray
    #: (resolution, themes, silhouette) of each partition tried; empty when not swept
    tried: tuple[tuple[float, int, float], ...] = ()


def choose_granularity(
    neighbours: np.ndarray,
    similarity: np.ndarray,
    vectors: Vectors,
    *,
    min_size: int,
    scale: float,
    seed: int,
    fixed: float | None = None,
    before: float | None = None,
) -> Granularity:
    """Communities of the kNN graph at the resolution that suits it.

    Args:
        vectors: the graph's rows (unit vectors), for the silhouette.
        scale: multiplies every resolution (small corpora are cut more coarsely).
        fixed: a resolution a person set (``themes.resolution``): used as it is.
        before: the resolution the previous run chose, kept while it is still as good.
    """
    if fixed is not None:
        return Granularity(fixed, _leiden(neighbours, similarity, fixed * scale, seed))
    scored = []
    for step in SWEEP:
        communities = _leiden(neighbours, similarity, step * scale, seed)
        themes = int((np.bincount(communities) >= min_size).sum())
        scored.append((step, themes, silhouette(vectors, communities, min_size, seed), communities))
    best = max(score for _, _, score, _ in scored)
    good = [s for s in scored if s[2] >= best - TOLERANCE]
    kept = [s for s in good if before is not None and np.isclose(s[0], before)]
    step, _, _, communities = (kept or good)[0]
    return Granularity(
        step, communities, tuple((s, n, round(score, 4)) for s, n, score, _ in scored)
    )


def silhouette(vectors: Vectors, communities: np.ndarray, min_size: int, seed: int) -> float:
    """Mean cosine silhouette of the groups of at least ``min_size`` (-1 if fewer than 2)."""
    counts = np.bincount(communities)
    kept = np.flatnonzero(counts[communities] >= min_size)
    if len(np.unique(communities[kept])) < 2:
        return -1.0
    rows = _sample(kept, SILHOUETTE_SAMPLE, seed)
    labels = communities[rows]
    if len(np.unique(labels)) < 2 or len(np.unique(labels)) >= len(rows):
        return -1.0
    return float(silhouette_score(vectors[rows], labels, metric="cosine"))


def _sample(rows: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Up to ``size`` of ``rows``, the same ones for the same input (the rows are hash-ordered)."""
    if len(rows) <= size:
        return rows
    chosen = np.random.default_rng(seed).choice(len(rows), size, replace=False)
    return rows[np.sort(chosen)]


def _leiden(
    neighbours: np.ndarray, similarity: np.ndarray, resolution: float, seed: int
) -> np.ndarray:
    return leiden_communities(neighbours, similarity, resolution=resolution, seed=seed)


def sweep_table(tried: Sequence[tuple[float, int, float]]) -> list[dict[str, float]]:
    """The sweep as records, for a run's summary."""
    return [{"resolution": r, "themes": n, "silhouette": s} for r, n, s in tried]
