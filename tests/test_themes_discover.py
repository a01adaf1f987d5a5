"""Theme discovery on a tiny hand-written corpus: grouping, determinism, unclear, labels."""

from __future__ import annotations

import csv
import random

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from tests.conftest import FIXTURES
from ticketlens.themes import UNCLEAR, Discovery, DiscoveryOptions, discover_texts

Tiny = tuple[list[str], list[str], Discovery]


def tiny_corpus() -> tuple[list[str], list[str]]:
    with (FIXTURES / "themes_tiny.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["topic"] for r in rows]


@pytest.fixture(scope="module")
def tiny() -> Tiny:
    texts, topics = tiny_corpus()
    # Resolution 1: a 60-ticket corpus has few themes; the default splits finer.
    return texts, topics, discover_texts(texts, DiscoveryOptions())


def test_the_four_issues_are_found(tiny: Tiny) -> None:
    _texts, topics, found = tiny
    assert 3 <= len(found.themes) <= 8
    assert adjusted_rand_score(topics, found.assignments) >= 0.7
    assert found.unclear_share <= 0.1


def test_every_text_has_a_theme_or_is_unclear(tiny: Tiny) -> None:
    texts, _topics, found = tiny
    assert len(found.assignments) == len(texts)
    assert set(found.assignments.tolist()) <= {UNCLEAR, *range(len(found.themes))}
    assert sum(t.size for t in found.themes) == int((found.assignments >= 0).sum())
    # Largest first, and every theme in exactly one parent group.
    assert [t.size for t in found.themes] == sorted((t.size for t in found.themes), reverse=True)
    in_groups = sorted(n for g in found.parents for n in g.themes)
    assert in_groups == list(range(len(found.themes)))


def test_labels_name_the_issue(tiny: Tiny) -> None:
    texts, topics, found = tiny
    expected = {
        "password": {"password", "reset"},
        "refund": {"refund", "refunded", "money"},  # "Money back" names it too
        "delivery": {"delivery", "delivered", "order", "parcel", "package", "tracking"},
        "crash": {"app", "crash", "crashes", "crashing"},
    }
    for theme in found.themes[:4]:
        members = [topics[i] for i in np.flatnonzero(found.assignments == theme.number)]
        majority = max(set(members), key=members.count)
        words = set(theme.label.lower().replace("/", " ").split())
        assert words & expected[majority], (theme.label, majority)
        assert 1 <= len(theme.label.split()) <= 5
        assert theme.keywords
        # Representatives are members of the theme, most typical first.
        assert all(found.assignments[i] == theme.number for i in theme.representatives)
        assert len({texts[i] for i in theme.representatives}) == len(theme.representatives)


def test_same_input_same_result(tiny: Tiny) -> None:
    texts, _topics, found = tiny
    again = discover_texts(texts, DiscoveryOptions())
    assert again.assignments.tolist() == found.assignments.tolist()
    assert [t.label for t in again.themes] == [t.label for t in found.themes]
    assert np.array_equal(again.scores, found.scores)


def test_input_order_does_not_change_the_themes(
    tiny: Tiny,
) -> None:
    texts, _topics, found = tiny
    order = list(range(len(texts)))
    random.Random(7).shuffle(order)
    shuffled = discover_texts([texts[i] for i in order], DiscoveryOptions())
    back = np.empty(len(texts), dtype=np.int64)
    back[order] = shuffled.assignments
    assert adjusted_rand_score(found.assignments, back) == pytest.approx(1.0)
    assert sorted(t.label for t in shuffled.themes) == sorted(t.label for t in found.themes)


def test_texts_unlike_every_theme_are_unclear() -> None:
    texts, _topics = tiny_corpus()
    noise = ["zxqv wplk", "tomato sauce recipe with basil", "the weather on mars"]
    found = discover_texts(texts + noise, DiscoveryOptions(unclear_below=0.3))
    assert all(a == UNCLEAR for a in found.assignments[-3:])
    assert found.unclear_share < 0.2
    strict = discover_texts(texts, DiscoveryOptions(unclear_below=0.99))
    assert strict.unclear_share > 0.9


def test_fitting_a_sample_keeps_the_grouping() -> None:
    """With fewer teacher texts than tickets, the rest are placed by the fitted static model."""
    texts, topics = tiny_corpus()
    found = discover_texts(texts, DiscoveryOptions(teacher_sample=30))
    assert adjusted_rand_score(topics, found.assignments) >= 0.5


def test_nothing_to_discover() -> None:
    found = discover_texts([])
    assert found.themes == []
    assert len(found.assignments) == 0
    two = discover_texts(["my card has not arrived", "where is my new card"])
    assert len(two.assignments) == 2
    assert set(two.assignments.tolist()) <= {UNCLEAR, *range(len(two.themes))}
    # Fewer tickets than the smallest theme: nothing recurs, all unclear.
    one = discover_texts(["my card does not work"])
    assert one.assignments.tolist() == [UNCLEAR]
    assert one.themes == []


def test_unknown_or_missing_models_are_clear_errors() -> None:
    from ticketlens.embedding import load_embedder
    from ticketlens.errors import MissingExtra, SettingsError

    with pytest.raises(SettingsError, match="unknown embedding model 'word2vec'"):
        load_embedder("word2vec")
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(MissingExtra, match="sentence-transformers is not installed") as info:
            load_embedder("st:all-MiniLM-L6-v2")
        assert info.value.hint == "pip install 'ticketlens[st]'"
    else:  # pragma: no cover - the st extra is not part of the dev environment
        pytest.skip("sentence-transformers is installed here")


def test_the_shipped_models_embed_without_torch() -> None:
    import sys

    from ticketlens.embedding import load_embedder, load_teacher

    texts = ["my card has not arrived", "when will my card arrive", "reset my password"]
    static = load_embedder().embed(texts)
    teacher = load_teacher().embed(texts)
    assert static.shape == (3, 256)
    assert teacher.shape == (3, 384)
    for vectors in (static, teacher):
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        # The two card questions are closer to each other than to the password one.
        assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert "torch" not in sys.modules
