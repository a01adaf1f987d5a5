"""Issue 14, point 1: how finely themes split is chosen from the corpus, not fixed."""

from __future__ import annotations

import numpy as np
import pytest

from ticketlens.embedding import normalise
from ticketlens.settings import Settings, load_settings
from ticketlens.themes.engine import DiscoveryOptions, group_vectors
from ticketlens.themes.engine.granularity import SWEEP, choose_granularity
from ticketlens.themes.engine.graph import nearest_neighbours


def _blobs(groups: int, per_group: int, seed: int = 0) -> np.ndarray:
    """``groups`` clouds of ``per_group`` unit vectors around random centres (48 dims)."""
    rng = np.random.default_rng(seed)
    centres = np.repeat(rng.normal(size=(groups, 48)), per_group, axis=0)
    return normalise((centres + rng.normal(size=centres.shape)).astype(np.float32))


def _themes(vectors: np.ndarray, resolution: float | None) -> int:
    texts = [f"text {i}" for i in range(len(vectors))]
    return group_vectors(texts, vectors, DiscoveryOptions(resolution=resolution)).count


FEW_LARGE = (4, 300)  # four issues of 300 tickets each
MANY_SMALL = (50, 12)  # fifty issues of 12 tickets each


def test_point_1_granularity_follows_the_corpus() -> None:
    few, many = _blobs(*FEW_LARGE), _blobs(*MANY_SMALL)
    assert _themes(few, None) == FEW_LARGE[0]
    assert _themes(many, None) == MANY_SMALL[0]
    # No one fixed resolution finds both: the right cut differs between the corpora.
    for resolution in SWEEP:
        assert (_themes(few, resolution), _themes(many, resolution)) != (4, 50), resolution


def test_point_1_a_set_resolution_overrides_the_choice() -> None:
    many = _blobs(*MANY_SMALL)
    grouping = group_vectors(
        [f"t{i}" for i in range(len(many))], many, DiscoveryOptions(resolution=1.0)
    )
    assert grouping.granularity is not None
    assert grouping.granularity.resolution == 1.0
    assert grouping.granularity.tried == ()  # nothing swept
    assert grouping.count < MANY_SMALL[0]


def test_point_1_a_rerun_keeps_its_resolution_while_it_still_suits() -> None:
    vectors = _blobs(*MANY_SMALL)
    neighbours, similarity = nearest_neighbours(vectors, 12)  # as grouping picks for 600
    common = {"min_size": 5, "scale": 1.0, "seed": 0}
    fresh = choose_granularity(neighbours, similarity, vectors, **common)
    scores = {r: s for r, _, s in fresh.tried}
    assert fresh.resolution == 4.0  # the coarsest of the best
    assert scores[8.0] == pytest.approx(scores[4.0], abs=0.01)
    again = choose_granularity(neighbours, similarity, vectors, before=8.0, **common)
    assert again.resolution == 8.0  # as good, and what the last run chose
    worse = choose_granularity(neighbours, similarity, vectors, before=1.0, **common)
    assert worse.resolution == 4.0  # 1.0 lumps issues now: not kept


def test_point_1_resolution_defaults_to_auto() -> None:
    assert Settings().theme_resolution is None
    for auto in ("auto", ""):
        chosen = load_settings(config={"themes": {"resolution": auto}}, environ={})
        assert chosen.theme_resolution is None
    assert load_settings(config={"themes": {"resolution": 6}}, environ={}).theme_resolution == 6.0
