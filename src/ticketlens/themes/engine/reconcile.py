"""Carry themes across discovery runs: stable ids, proposals, and people's decisions kept.

A fresh discovery groups the texts anew; this module decides what each new group
*is* in terms of the themes the team already knows, and where each ticket ends up:

1. Tickets a person placed (manual moves), tickets of pinned themes and of retired
   themes are frozen: they stay where they are.
2. Each new group that matches a seeded category (its centre close to the
   category's examples) fills that category.
3. A group whose tickets mostly had a theme continues the theme most of them had
   (several groups may continue one theme; automation never splits or merges the
   themes people know). A group mostly of earlier dismissed proposals, or close
   to one, stays dismissed.
4. Any other group is new: ``active`` on a language's first run, else ``proposed``.
5. Hysteresis: a ticket leaves its theme only when another fits clearly better
   (by ``stickiness``, twice that for a theme a person shaped) or its own no longer
   fits at all; tiny differences between runs do not shuffle tickets around.
6. An automatic theme left with fewer than ``min_theme_size`` tickets is merged into
   where its tickets went (lineage kept); people's themes are never removed.
7. Two live themes that are one issue (:mod:`.duplicates`) are merged, the smaller into
   the larger, when discovery made both and no person shaped either; otherwise the
   merge is only proposed (:attr:`Reconciled.proposed_merges`), for a person to decide.

Everything here is numpy over arrays; reading and writing the store is ``runs``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ticketlens.embedding import Vectors
from ticketlens.store.schema import LIVE_THEME_STATES
from ticketlens.themes.engine.duplicates import near_duplicates
from ticketlens.themes.engine.prototypes import Prototypes

NONE = -1
LIVE = frozenset(LIVE_THEME_STATES)
# Cosine between a new group's centre and a seeded category (or another theme's centre)
# above which the group is taken to be that category (or theme). Distinct themes of the
# sample have their nearest neighbour at 0.51 (median), 0.75 (90th percentile).
SEED_MATCH = 0.5
SAME_THEME = 0.8
# Newcomers fitting a theme less than all but 2% of its members are novel (sample: 58% of
# a held-out topic's tickets fall below, ~2% of a theme's own by construction).
FIT_QUANTILE = 0.02


@dataclass(frozen=True)
class Known:
    """A theme that exists before this run."""

    id: int
    state: str
    pinned: bool = False
    origin: str = "discovered"
    #: its label when a person set or approved it (or it is pinned): never a draft's
    label: str | None = None
    #: seeded categories: their name, description and examples (embedded by the engine)
    seed_texts: tuple[str, ...] = ()
    #: the same, in this run's space
    anchors: Vectors | None = field(default=None, repr=False)

    @property
    def automatic(self) -> bool:
        """Discovery made it and no person has shaped it: discovery may retire it."""
        return self.state in {"active", "proposed"} and not self.pinned and self.origin != "seed"


@dataclass(frozen=True)
class Slot:
    """A theme after this run: an existing one (``known``) or a new one."""

    known: Known | None
    state: str
    merged_into: int | None = None  # slot index
    recurs: int | None = None  # a new slot resembling this retired theme's slot
    #: why discovery ended it (merged or retired), for its history
    why: str | None = None


@dataclass(frozen=True)
class Reconciled:
    """Where every ticket ends up (``slots[ticket_slot[i]]``, -1: unclear) and the themes."""

    slots: list[Slot]
    ticket_slot: np.ndarray
    ticket_score: np.ndarray
    prototypes: Prototypes  # per slot, in this run's space
    centroids: Vectors  # per slot (zeros for a slot without tickets)
    sizes: np.ndarray  # tickets per slot
    #: per slot: the 2nd percentile of its members' scores; a newcomer below it is unclear
    fit_floors: np.ndarray
    #: (slot, into slot): one issue, but a person shaped one of them: a merge to propose
    proposed_merges: tuple[tuple[int, int], ...] = ()

    def kept(self, old_slot: np.ndarray) -> int:
        """Tickets whose theme is the one they had."""
        had = old_slot >= 0
        return int((self.ticket_slot[had] == old_slot[had]).sum())


def reconcile(
    vectors: Vectors,
    text_of: np.ndarray,
    groups: np.ndarray,
    known: list[Known],
    old_theme: np.ndarray,
    manual: np.ndarray,
    *,
    min_theme_size: int,
    unclear_below: float,
    stickiness: float,
    first_run: bool | None = None,
    seed: int = 0,
) -> Reconciled:
    """Decide each ticket's theme.

    Args:
        vectors: unit vectors of the distinct texts (this run's space).
        text_of: each ticket's row in ``vectors``.
        groups: each distinct text's group from a fresh discovery (-1: none).
        known: the themes before this run (any state).
        old_theme: each ticket's theme id before this run (-1: none or unclear).
        manual: tickets a person placed.
        first_run: new groups become ``active`` themes rather than proposals (default:
            when none of ``known`` is live).
    """
    slot_of_id = {k.id: s for s, k in enumerate(known)}
    old_slot = np.array([slot_of_id.get(int(t), NONE) for t in old_theme.tolist()], np.int64)
    states = [k.state for k in known]
    slots = [Slot(k, k.state) for k in known]
    old_state = np.array([states[s] if s >= 0 else "" for s in old_slot.tolist()], dtype=object)
    pinned = np.array([k.pinned for k in known] + [False], dtype=bool)
    frozen = manual | (pinned[old_slot] & (old_slot >= 0)) | (old_state == "retired")
    # Merged themes hold no tickets; anything still pointing at one starts afresh.
    old_slot[(old_state == "merged") & ~frozen] = NONE
    groups, not_seeded = _carve_seeds(vectors, groups, known)
    ticket_group = np.where(groups[text_of] >= 0, groups[text_of], NONE)

    if first_run is None:
        first_run = not any(k.state in LIVE for k in known)
    group_slot = _match_groups(
        vectors, text_of, ticket_group, known, old_slot, frozen, slots, first_run, not_seeded
    )
    # Index -1 (no group) reads the appended NONE: a corpus with no group at all is fine.
    tentative = np.append(group_slot, NONE)[ticket_group]
    # A pinned or retired theme takes no tickets from discovery.
    closed = np.array([not _takes_tickets(s) for s in slots] + [False], dtype=bool)
    tentative[closed[tentative] & (tentative >= 0)] = NONE

    # Each theme as it was (its earlier tickets) and each new one as found, in this space;
    # fitted only when some ticket has a choice to make (not on a first run).
    def reference() -> Prototypes:
        return _prototypes(vectors, text_of, np.where(old_slot >= 0, old_slot, tentative), slots)

    final = _with_hysteresis(
        vectors, text_of, old_slot, tentative, frozen, slots, reference, unclear_below, stickiness
    )
    final = _drop_small(final, old_slot, tentative, frozen, slots, min_theme_size)
    final, proposed = _merge_duplicates(vectors, text_of, final, frozen, slots)
    prototypes = _prototypes(vectors, text_of, final, slots, seed)
    score = np.full(len(final), 0.0, dtype=np.float32)
    has = final >= 0
    score[has] = _similarity(prototypes, vectors, text_of[has], final[has])
    sizes = np.bincount(final[has], minlength=len(slots))
    centroids = _centroids(vectors, text_of, final, len(slots))
    floors = np.maximum(_quantiles(score, final, len(slots), unclear_below), unclear_below)
    return Reconciled(slots, final, score, prototypes, centroids, sizes, floors, proposed)


def _quantiles(score: np.ndarray, slot: np.ndarray, n: int, default: float) -> np.ndarray:
    """The FIT_QUANTILE of each slot's scores (``default`` for an empty slot)."""
    order = np.argsort(slot, kind="stable")
    bounds = np.searchsorted(slot[order], np.arange(n + 1))
    out = np.full(n, default, dtype=np.float64)
    for s in range(n):
        members = score[order[bounds[s] : bounds[s + 1]]]
        if len(members):
            out[s] = float(np.quantile(members, FIT_QUANTILE))
    return out


def _takes_tickets(slot: Slot) -> bool:
    return slot.state in LIVE and not (slot.known is not None and slot.known.pinned)


def _match_groups(
    vectors: Vectors,
    text_of: np.ndarray,
    ticket_group: np.ndarray,
    known: list[Known],
    old_slot: np.ndarray,
    frozen: np.ndarray,
    slots: list[Slot],
    first_run: bool,
    not_seeded: set[int],
) -> np.ndarray:
    """The slot each fresh group goes to; appends new slots to ``slots``."""
    n_groups = int(ticket_group.max()) + 1 if len(ticket_group) else 0
    group_slot = np.full(n_groups, NONE, dtype=np.int64)
    if n_groups == 0:
        return group_slot
    centres = _centroids(vectors, text_of, ticket_group, n_groups)
    seeds = [(s, k) for s, k in enumerate(known) if k.anchors is not None and k.state in LIVE]
    held_back = {
        s: c
        for s, c in _known_centres(vectors, text_of, old_slot, len(known)).items()
        if known[s].state in {"dismissed", "retired"}
    }
    members, plurality, had = _composition(ticket_group, old_slot, ~frozen, n_groups)
    for group in range(n_groups):
        seed_slot = None if group in not_seeded else _best_seed(centres[group], seeds)
        if seed_slot is not None:
            group_slot[group] = seed_slot
            continue
        # Most of its tickets had a theme: it continues the theme most of them had.
        if had[group] * 2 >= max(1, members[group]) and plurality[group] >= 0:
            group_slot[group] = plurality[group]
            continue
        close = closest(centres[group], held_back)
        if close is not None and slots[close].state == "dismissed":
            group_slot[group] = close
            continue
        slots.append(Slot(None, "active" if first_run else "proposed", recurs=close))
        group_slot[group] = len(slots) - 1
    return group_slot


def _composition(
    ticket_group: np.ndarray, old_slot: np.ndarray, free: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: its free tickets, the theme most of them had, how many had one."""
    in_group = free & (ticket_group >= 0)
    members = np.bincount(ticket_group[in_group], minlength=n_groups)
    with_theme = in_group & (old_slot >= 0)
    width = int(old_slot.max()) + 1 if with_theme.any() else 1
    keys, counts = np.unique(
        ticket_group[with_theme] * width + old_slot[with_theme], return_counts=True
    )
    had = np.bincount(keys // width, weights=counts, minlength=n_groups).astype(np.int64)
    plurality = np.full(n_groups, NONE, dtype=np.int64)
    best = np.zeros(n_groups, dtype=np.int64)
    for key, count in zip(keys.tolist(), counts.tolist(), strict=True):  # ascending slot: ties
        group, slot = divmod(key, width)
        if count > best[group]:
            best[group], plurality[group] = count, slot
    return members, plurality, had


def _carve_seeds(
    vectors: Vectors, groups: np.ndarray, known: list[Known]
) -> tuple[np.ndarray, set[int]]:
    """Split a group that matches a seeded category but is only partly about it.

    Discovery may lump "card not arrived" with "transfer not arrived"; the category
    should take the first only. A 2-means started from the category's examples and the
    group's centre separates them; when the other half still matches the category (the
    group is one thing) it stays whole. Returns the groups and those carved off (not for the seed).
    """
    seeds = [
        k.anchors for k in known if k.anchors is not None and len(k.anchors) and k.state in LIVE
    ]
    if not seeds or len(groups) == 0 or groups.max() < 0:
        return groups, set()
    groups = groups.copy()
    carved: set[int] = set()
    n_groups = int(groups.max()) + 1
    for group in range(n_groups):
        rows = np.flatnonzero(groups == group)
        centre = unit(vectors[rows].mean(axis=0))
        anchors = next((a for a in seeds if float((a @ centre).max()) >= SEED_MATCH), None)
        if anchors is None or len(rows) < 4:
            continue
        centres = np.stack([unit(anchors.mean(axis=0)), centre])
        for _ in range(10):  # a few 2-means steps, the first centre started at the category
            side = (vectors[rows] @ centres.T).argmax(axis=1)
            if side.min() == side.max():
                break
            centres = np.stack([unit(vectors[rows[side == i]].mean(axis=0)) for i in (0, 1)])
        if side.min() == side.max() or float((anchors @ centres[1]).max()) >= SEED_MATCH:
            continue  # the other half is about the category too: the whole group is its
        carved.add(n_groups)
        groups[rows[side == 1]] = n_groups
        n_groups += 1
    return groups, carved


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _best_seed(centre: np.ndarray, seeds: list[tuple[int, Known]]) -> int | None:
    best, best_similarity = None, SEED_MATCH
    for slot, theme in seeds:
        assert theme.anchors is not None
        similarity = float((theme.anchors @ centre).max()) if len(theme.anchors) else -1.0
        if similarity >= best_similarity:
            best, best_similarity = slot, similarity
    return best


def closest(centre: np.ndarray, centres: dict[int, np.ndarray]) -> int | None:
    """The key of the centre most like ``centre``, if at least SAME_THEME alike."""
    best, best_similarity = None, SAME_THEME
    for slot, other in centres.items():
        similarity = float(other @ centre)
        if similarity >= best_similarity:
            best, best_similarity = slot, similarity
    return best


def _known_centres(
    vectors: Vectors, text_of: np.ndarray, old_slot: np.ndarray, n_known: int
) -> dict[int, np.ndarray]:
    centres = _centroids(vectors, text_of, old_slot, n_known)
    return {s: centres[s] for s in range(n_known) if np.any(old_slot == s)}


def _with_hysteresis(
    vectors: Vectors,
    text_of: np.ndarray,
    old_slot: np.ndarray,
    tentative: np.ndarray,
    frozen: np.ndarray,
    slots: list[Slot],
    reference: Callable[[], Prototypes],
    unclear_below: float,
    stickiness: float,
) -> np.ndarray:
    """Tentative slots, except that a ticket stays in its live theme unless clearly worse."""
    final = np.where(frozen, old_slot, tentative)
    live = np.array([_takes_tickets(s) for s in slots] + [False], dtype=bool)
    own = ~frozen & (old_slot >= 0) & live[old_slot] & (old_slot != tentative)
    rows = np.flatnonzero(own)
    if len(rows):
        fitted = reference()
        staying = _similarity(fitted, vectors, text_of[rows], old_slot[rows])
        going = _similarity(fitted, vectors, text_of[rows], tentative[rows])
        going[tentative[rows] < 0] = -1.0
        # A theme a person shaped (curated) holds its tickets twice as firmly.
        curated = np.array([s.state == "curated" for s in slots] + [False], dtype=bool)
        margin = np.where(curated[old_slot[rows]], 2 * stickiness, stickiness)
        keep = (staying >= unclear_below) & (staying + margin >= going)
        final[rows[keep]] = old_slot[rows[keep]]
    # Earlier dismissed tickets that no theme takes stay with their dismissed proposal.
    dismissed = np.array([s.state == "dismissed" for s in slots] + [False], dtype=bool)
    lingering = ~frozen & (old_slot >= 0) & dismissed[old_slot] & (final < 0)
    final[lingering] = old_slot[lingering]
    return final


def _drop_small(
    final: np.ndarray,
    old_slot: np.ndarray,
    tentative: np.ndarray,
    frozen: np.ndarray,
    slots: list[Slot],
    min_theme_size: int,
) -> np.ndarray:
    """Automatic themes (and new groups) left too small give their tickets away."""
    sizes = np.bincount(final[final >= 0], minlength=len(slots))
    for slot_index, slot in enumerate(slots):
        automatic = slot.known is None or slot.known.automatic
        if not automatic or slot.state not in LIVE or sizes[slot_index] >= min_theme_size:
            continue
        members = (final == slot_index) & ~frozen
        elsewhere = np.where(tentative != slot_index, tentative, NONE)
        final[members] = elsewhere[members]
        destinations = final[old_slot == slot_index]
        destinations = destinations[(destinations >= 0) & (destinations != slot_index)]
        target = Counter(destinations.tolist()).most_common(1)[0][0] if len(destinations) else None
        if slot.known is not None:
            state = "merged" if target is not None else "retired"
            slots[slot_index] = Slot(slot.known, state, merged_into=target)
        else:
            slots[slot_index] = Slot(None, "dropped")
    return final


def _merge_duplicates(
    vectors: Vectors,
    text_of: np.ndarray,
    final: np.ndarray,
    frozen: np.ndarray,
    slots: list[Slot],
) -> tuple[np.ndarray, tuple[tuple[int, int], ...]]:
    """Merge automatic twins (smaller into larger); the rest are proposals."""
    sizes = np.bincount(final[final >= 0], minlength=len(slots))
    # Pinned themes take no new tickets but can still have a twin (to propose merging).
    live = np.array(
        [s for s, slot in enumerate(slots) if slot.state in LIVE and sizes[s] > 0], np.int64
    )
    rows, owners = _rows_by_slot(text_of, final)
    centroids = _centroids(vectors, text_of, final, len(slots))
    proposed: list[tuple[int, int]] = []
    for a, b in near_duplicates(vectors, rows, owners, centroids, live, same_theme=SAME_THEME):
        source, into = (a, b) if (sizes[a], b) < (sizes[b], a) else (b, a)
        if not _automatic(slots[source]) or not _automatic(slots[into]):
            if _automatic(slots[into]):  # the theme a person shaped is the one to keep
                source, into = into, source
            proposed.append((source, into))
            continue
        leaving = final == source
        if (leaving & frozen).any():  # a person placed tickets there: not for automation
            proposed.append((source, into))
            continue
        final[leaving] = into
        known = slots[source].known
        why = "one issue with the theme it merged into (alike centres, tickets no better apart)"
        slots[source] = (
            Slot(known, "merged", merged_into=into, why=why)
            if known is not None
            else Slot(None, "dropped")
        )
    return final, tuple(proposed)


def _automatic(slot: Slot) -> bool:
    return slot.known is None or slot.known.automatic


def _rows_by_slot(text_of: np.ndarray, slot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (text row, slot) pairs of the tickets that have a slot."""
    has = slot >= 0
    width = int(text_of.max()) + 1 if len(text_of) else 1
    keys = np.unique(slot[has] * width + text_of[has])
    return keys % width, keys // width


def _prototypes(
    vectors: Vectors, text_of: np.ndarray, slot: np.ndarray, slots: list[Slot], seed: int = 0
) -> Prototypes:
    rows, owners = _rows_by_slot(text_of, slot)
    fitted = Prototypes.fit(vectors[rows], owners, seed)
    anchored = [
        (s, k.anchors)
        for s, k in ((s, x.known) for s, x in enumerate(slots))
        if k is not None and k.anchors is not None and len(k.anchors)
    ]
    if not anchored:
        return fitted
    # A seeded category is also matched by its own examples, whatever it has gathered.
    return Prototypes(
        np.vstack([fitted.vectors, *(a for _, a in anchored)]),
        np.concatenate([fitted.themes, *(np.full(len(a), s, dtype=np.int64) for s, a in anchored)]),
    )


def _similarity(
    prototypes: Prototypes, vectors: Vectors, rows: np.ndarray, slot: np.ndarray
) -> np.ndarray:
    """Similarity of each (text row, slot) pair, computed once per distinct pair."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.float32)
    width = int(slot.max()) + 2  # slot -1 (none) shifted to 0
    keys, inverse = np.unique(rows * width + slot + 1, return_inverse=True)
    sims = prototypes.similarity(vectors[keys // width], keys % width - 1)
    out: np.ndarray = sims[inverse.ravel()]
    return out


def _centroids(vectors: Vectors, text_of: np.ndarray, slot: np.ndarray, n: int) -> Vectors:
    """Unit mean vector of each slot's distinct texts (zeros when it has none)."""
    out = np.zeros((n, vectors.shape[1]), dtype=np.float32)
    if n == 0:
        return out
    rows, owners = _rows_by_slot(text_of, slot)
    np.add.at(out, owners, vectors[rows])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
