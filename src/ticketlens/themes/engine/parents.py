"""Parent groups: themes gathered into a handful of areas for the executive view."""

from __future__ import annotations

import math

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from ticketlens.embedding import Vectors

MAX_GROUPS = 12


def group_count(n_themes: int) -> int:
    """About the square root of the number of themes: 9 groups for 80 themes, 4 for 16."""
    return max(1, min(MAX_GROUPS, n_themes, round(math.sqrt(n_themes))))


def parent_groups(centroids: Vectors, sizes: np.ndarray) -> np.ndarray:
    """Parent of each theme: Ward clusters of the (unit) theme centres (deterministic)."""
    n = len(centroids)
    groups = group_count(n)
    if groups <= 1 or n < 2:
        return np.zeros(n, dtype=np.int64)
    labels = AgglomerativeClustering(n_clusters=groups, linkage="ward").fit_predict(centroids)
    # Number parents by total size, largest first, so numbering does not depend on input order.
    totals = np.bincount(labels, weights=sizes, minlength=groups)
    rank = np.empty(groups, dtype=np.int64)
    rank[np.argsort(-totals, kind="stable")] = np.arange(groups)
    parents: np.ndarray = rank[labels]
    return parents
