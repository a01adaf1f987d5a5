"""Scores for theme discovery against gold intents.

Convention: "unclear" (outlier) texts carry theme id -1 and are scored as ONE extra cluster,
so a pipeline cannot raise NMI/ARI by discarding hard texts. The theme count excludes -1.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

UNCLEAR = -1
SEED = 0

Encoder = Callable[[list[str]], np.ndarray]


def nmi(gold: Sequence[str], pred: Sequence[int]) -> float:
    """sklearn NMI, arithmetic mean normalisation (its default); -1 is just another cluster."""
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(gold, pred))


def ari(gold: Sequence[str], pred: Sequence[int]) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(gold, pred))


def unclear_pct(pred: Sequence[int]) -> float:
    return 100.0 * sum(1 for p in pred if p == UNCLEAR) / max(len(pred), 1)


def n_themes(pred: Sequence[int]) -> int:
    return len(set(pred) - {UNCLEAR})


def parent_nmi(gold_parents: Sequence[str], pred_parents: Sequence[int]) -> float:
    """NMI of predicted parent groups vs gold parents (clinc150 domains, bitext categories)."""
    return nmi(gold_parents, pred_parents)


def intent_name(label: str) -> str:
    return label.replace("_", " ")


def majority_gold(pred: Sequence[int], gold: Sequence[str]) -> dict[int, tuple[str, float]]:
    """theme -> (most common gold intent, its share of the theme), unclear excluded."""
    members: dict[int, Counter[str]] = {}
    for p, g in zip(pred, gold, strict=True):
        if p != UNCLEAR:
            members.setdefault(p, Counter())[g] += 1
    out: dict[int, tuple[str, float]] = {}
    for theme, counts in members.items():
        top, n = counts.most_common(1)[0]
        out[theme] = (top, n / sum(counts.values()))
    return out


def label_quality(
    pred: Sequence[int],
    theme_labels: dict[int, str],
    gold: Sequence[str],
    encode: Encoder,
    n_show: int = 20,
) -> dict[str, object]:
    """Predicted label vs majority gold intent name.

    ``mean_cosine`` covers ALL themes (unlabelled themes count as an empty label);
    ``examples`` is a seeded random sample of ``n_show`` themes for eyeballing.
    ``encode`` must return L2-normalised sentence embeddings (MiniLM in run.py).
    """
    majority = majority_gold(pred, gold)
    themes = sorted(majority)
    predicted = [theme_labels.get(t, "") for t in themes]
    golden = [intent_name(majority[t][0]) for t in themes]
    cos = np.sum(encode(predicted) * encode(golden), axis=1)
    sizes = Counter(pred)
    sample = sorted(random.Random(SEED).sample(range(len(themes)), min(n_show, len(themes))))
    return {
        "mean_cosine": round(float(cos.mean()), 4),
        "themes_scored": len(themes),
        "themes_without_label": sum(1 for p in predicted if not p),
        "examples": [
            {
                "theme": themes[i],
                "size": sizes[themes[i]],
                "predicted": predicted[i],
                "gold_majority": golden[i],
                "gold_share": round(majority[themes[i]][1], 3),
                "cosine": round(float(cos[i]), 3),
            }
            for i in sample
        ],
    }
