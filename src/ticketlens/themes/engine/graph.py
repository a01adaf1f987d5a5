"""A cosine k-nearest-neighbour graph and its Leiden communities.

Leiden on a kNN graph chooses the number of groups itself and, unlike HDBSCAN,
leaves nobody out. graspologic-native is the MIT-licensed Rust Leiden (leidenalg
and igraph are GPL, which an MIT package should not require).
"""

from __future__ import annotations

import numpy as np

from ticketlens.embedding import Vectors

BLOCK = 256  # rows per block: small blocks keep the similarity rows in cache


def nearest_neighbours(vectors: Vectors, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the ``k`` most similar other rows and their cosine similarity."""
    n = len(vectors)
    k = min(k, n - 1)
    neighbours = np.empty((n, k), dtype=np.int64)
    similarity = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, BLOCK):
        sims = vectors[start : start + BLOCK] @ vectors.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -np.inf  # not your own neighbour
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        neighbours[start : start + BLOCK] = np.take_along_axis(top, order, axis=1)
        similarity[start : start + BLOCK] = np.take_along_axis(top_sims, order, axis=1)
    return neighbours, similarity


def leiden_communities(
    neighbours: np.ndarray, similarity: np.ndarray, *, resolution: float, seed: int
) -> np.ndarray:
    """Community of each node of the symmetrised, cosine-weighted kNN graph."""
    import graspologic_native

    n = len(neighbours)
    sources = np.repeat(np.arange(n), neighbours.shape[1])
    targets = neighbours.ravel()
    weights = similarity.ravel()
    low, high = np.minimum(sources, targets), np.maximum(sources, targets)
    keep = weights > 0
    # One undirected edge per pair, with the larger weight of its two directions.
    pair = low[keep] * n + high[keep]
    order = np.lexsort((-weights[keep], pair))
    pair, kept_weights = pair[order], weights[keep][order]
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    edges = [
        (str(a), str(b), float(w))
        for a, b, w in zip(
            (pair[first] // n).tolist(),
            (pair[first] % n).tolist(),
            kept_weights[first].tolist(),
            strict=True,
        )
    ]
    if not edges:
        return np.arange(n)
    _, membership = graspologic_native.leiden(
        edges, resolution=resolution, seed=seed, use_modularity=True, trials=1
    )
    communities = np.full(n, -1, dtype=np.int64)
    for node, community in membership.items():
        communities[int(node)] = community
    # Isolated nodes (no positive edge) are communities of their own.
    lonely = np.flatnonzero(communities < 0)
    communities[lonely] = communities.max() + 1 + np.arange(len(lonely))
    return communities
