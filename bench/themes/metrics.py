"""Scores for theme discovery against gold intents.

Convention: "unclear" (outlier) texts carry theme id -1 and are scored as ONE extra cluster,
so a pipeline cannot raise NMI/ARI by discarding hard texts. The theme count excludes -1.
"""

from __future__ import annotations

import random
import re
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


# ---------------------------------------------------------------- label checks
# Written from the issue's rules, independently of the product's own filter (which is
# what is being checked): a label must never hold a link's piece, an @handle, an id-like
# token, an agent's initials, a stop word alone, or a word in most of the corpus's texts.

_LINK_WORDS = {"www", "com", "org", "net", "html", "php", "href"}
_SCHEMES = {"http", "https"}
_DOMAIN = re.compile(r"\b[\w-]+\.(?:com|org|net|io|co|ly|gl|de|uk)\b|\bt\.co\b", re.I)
_ID_LIKE = re.compile(r"^(?=\D*\d)(?=\d*[^\W\d])\w{12,}$|[^\W\d_]{20,}")
_HANDLE = re.compile(r"(?<![\w@])@(\w{2,30})")
# Initials signing off a reply: after a caret, slash or dash, at the end of a line
# ("... let us know ^JK"). Anywhere else "CPU/GPU" and "- VS Code" would count.
_SIGN_OFF = re.compile(r"[\^/\-]\s?([A-Z]{2,3})\s*$", re.MULTILINE)
CORPUS_WIDE_SHARE = 0.5
# scikit-learn's stop words hold words that name support issues ("top up", "bill",
# "call", "name", "system"): a label made of them is not a stop word alone.
ISSUE_WORDS = frozenset(
    {
        "top",
        "up",
        "down",
        "back",
        "bill",
        "call",
        "detail",
        "empty",
        "fill",
        "find",
        "found",
        "front",
        "full",
        "interest",
        "move",
        "name",
        "show",
        "system",
        "amount",
    }
)


def label_problems(
    theme_labels: dict[int, str], texts: Sequence[str], read: Sequence[str] | None = None
) -> dict[str, object]:
    """Forbidden tokens and duplicate labels among the themes' labels.

    ``texts`` are the raw texts (where handles and initials are seen); ``read`` what
    the engine read of them (cleaned: no templates), where a word's share of the corpus
    is counted; raw texts when not given. A word is a handle when it is written as
    ``@word`` (3+ times) at least as often as without the ``@``: "React" is a library
    that a few texts also ``@react``, "SpotifyCares" a handle.

    Returns counts per kind, the offending labels (up to 10 per kind) and the
    duplicates, compared case-insensitively.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop_words = ENGLISH_STOP_WORDS - ISSUE_WORDS
    handles = Counter(h.lower() for t in texts for h in _HANDLE.findall(t))
    initials = Counter(i.lower() for t in texts for i in _SIGN_OFF.findall(t))
    plain_uses = Counter(w for t in texts for w in re.findall(r"(?<![@\w])[^\W_]+", t.lower()))
    words_of = [set(re.findall(r"[^\W_]+", t.lower())) for t in (read or texts)]
    share = Counter(w for words in words_of for w in words)
    n = max(1, len(words_of))
    problems: dict[str, list[str]] = {
        k: [] for k in ("link", "handle", "id_like", "initials", "stop_word_alone", "corpus_wide")
    }
    for label in theme_labels.values():
        plain = re.findall(r"[^\W_]+", label.lower())
        kinds = set()
        if (
            _DOMAIN.search(label)
            or set(plain) & _LINK_WORDS
            or (set(plain) & _SCHEMES and (set(plain) <= _SCHEMES or set(plain) & _LINK_WORDS))
        ):
            kinds.add("link")
        if "@" in label or any(handles[w] >= max(3, plain_uses[w]) for w in plain):
            kinds.add("handle")
        if any(_ID_LIKE.search(w) for w in plain):
            kinds.add("id_like")
        if any(len(w) <= 3 and initials[w] >= 3 for w in plain):
            kinds.add("initials")
        if plain and all(w in stop_words for w in plain):
            kinds.add("stop_word_alone")
        if any(share[w] / n >= CORPUS_WIDE_SHARE and w not in stop_words for w in plain):
            kinds.add("corpus_wide")
        for kind in kinds:
            problems[kind].append(label)
    seen = Counter(" ".join(label.lower().split()) for label in theme_labels.values())
    duplicates = sorted(label for label, count in seen.items() if count > 1)
    return {
        "labels": len(theme_labels),
        "with_forbidden_token": sum(
            1 for label in theme_labels.values() if any(label in v for v in problems.values())
        ),
        "by_kind": {k: len(v) for k, v in problems.items()},
        "examples": {k: sorted(v)[:10] for k, v in problems.items() if v},
        "duplicate_labels": len(duplicates),
        "duplicates": duplicates[:20],
    }


def review_sample(
    theme_labels: dict[int, str], details: dict[int, dict[str, object]], n_show: int = 20
) -> list[dict[str, object]]:
    """A seeded random sample of themes to read: label, keywords, typical texts."""
    themes = sorted(theme_labels)
    picked = sorted(random.Random(SEED).sample(themes, min(n_show, len(themes))))
    return [{"theme": t, "label": theme_labels[t], **details.get(t, {})} for t in picked]
