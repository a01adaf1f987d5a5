"""Two themes that are one issue: centres alike, and tickets no better placed apart.

Themes drift into duplicates across runs: a re-run at another granularity, or a
group continuing one theme while the tickets of its twin stay where they were. The
test is the one that chose the granularity (:mod:`.granularity`), applied to a pair:
their tickets' silhouette with the two themes merged is at least what it is with
them apart (the partition is no worse as one theme), and their centres are at least
``SAME_THEME`` alike (the cosine under which discovery takes a group for a known theme).
"""

from __future__ import annotations

import numpy as np

from ticketlens.embedding import Vectors

#: tickets per theme the silhouette is estimated on (the cost is pairwise)
PER_THEME = 64
#: themes besides the pair that a ticket could belong to instead (the nearest centres)
NEIGHBOURS = 3


def near_duplicates(
    vectors: Vectors,
    rows: np.ndarray,
    owners: np.ndarray,
    centroids: Vectors,
    candidates: np.ndarray,
    *,
    same_theme: float,
) -> list[tuple[int, int]]:
    """Pairs of ``candidates`` (slot numbers) that are one issue, most alike first.

    Args:
        rows, owners: each distinct text row of a theme and the slot it is in.
        centroids: unit centre per slot.
    """
    if len(candidates) < 2:
        return []
    members = {int(s): rows[owners == s][:PER_THEME] for s in candidates}
    centres = centroids[candidates]
    alike = centres @ centres.T
    pairs = [
        (float(alike[i, j]), int(candidates[i]), int(candidates[j]))
        for i in range(len(candidates))
        for j in range(i + 1, len(candidates))
        if alike[i, j] >= same_theme
    ]
    found: list[tuple[int, int]] = []
    taken: set[int] = set()
    for _, a, b in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if a in taken or b in taken or not len(members[a]) or not len(members[b]):
            continue
        order = np.argsort(-(centres @ centroids[a]), kind="stable")
        others = [int(candidates[i]) for i in order if int(candidates[i]) not in (a, b)]
        if _one_issue(vectors, members[a], members[b], [members[o] for o in others[:NEIGHBOURS]]):
            found.append((a, b))
            taken.update((a, b))
    return found


def _one_issue(
    vectors: Vectors, first: np.ndarray, second: np.ndarray, others: list[np.ndarray]
) -> bool:
    """Whether the tickets of two themes are as well placed together as apart."""
    both = np.concatenate([first, second])
    x = vectors[both]
    n_first = len(first)
    to_first = _mean_distance(x, vectors[first], own=np.arange(len(both)) < n_first)
    to_second = _mean_distance(x, vectors[second], own=np.arange(len(both)) >= n_first)
    to_both = _mean_distance(x, x, own=np.ones(len(both), dtype=bool))
    # With no third theme, a ticket's alternative is as far as can be (cosine distance 1).
    nearest_other = np.min(
        [_mean_distance(x, vectors[o]) for o in others if len(o)] or [np.ones(len(both))], axis=0
    )
    in_first = np.arange(len(both)) < n_first
    own = np.where(in_first, to_first, to_second)
    partner = np.where(in_first, to_second, to_first)
    apart = _silhouette(own, np.minimum(partner, nearest_other))
    together = _silhouette(to_both, nearest_other)
    return bool(together.mean() >= apart.mean())


def _mean_distance(x: np.ndarray, group: np.ndarray, own: np.ndarray | None = None) -> np.ndarray:
    """Mean cosine distance from each row of ``x`` to ``group`` (itself left out when ``own``)."""
    total = (1.0 - x @ group.T).sum(axis=1)
    count = np.full(len(x), len(group), dtype=np.float64)
    if own is not None:  # x's row is in the group: its distance to itself (0) is not counted
        count = count - own
    return np.asarray(total / np.maximum(count, 1.0))


def _silhouette(within: np.ndarray, between: np.ndarray) -> np.ndarray:
    return np.asarray((between - within) / np.maximum(np.maximum(within, between), 1e-9))
