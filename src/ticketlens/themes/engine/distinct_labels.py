"""No two live themes with one label: where drafts collide, the labels say the difference.

Two themes can share their best phrase and still be two issues ("Exchange rate" for
card payments abroad and for transfers); when they are one issue the granularity
criterion merges them (:mod:`.duplicates`) before labels are drawn. Labels are
compared as a lead reads them: case, punctuation, word order and word endings aside
("Medizinischer Daten" and "medizinische daten" are one label), with the Snowball
stemmer of the theme's language.

A person's label is never changed: a draft that collides with one is told apart
instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from functools import cache

import numpy as np
import snowballstemmer

from ticketlens.themes.engine.labels import MAX_LABEL_WORDS, GroupTerms

_WORD = re.compile(r"[^\W_]+")
# ISO 639-1 -> Snowball's algorithm names (the languages it has).
_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


@cache
def _stemmer(language: str) -> snowballstemmer.Stemmer | None:
    name = _SNOWBALL.get(language)
    return snowballstemmer.stemmer(name) if name else None


def label_key(label: str, language: str = "en") -> tuple[str, ...]:
    """What two labels must differ in: their stemmed words, as a set."""
    words = _WORD.findall(label.lower())
    stemmer = _stemmer(language)
    stems = stemmer.stemWords(words) if stemmer else words
    return tuple(sorted(set(stems)))


def tell_apart(
    labels: Sequence[str],
    terms: GroupTerms,
    fixed: Sequence[str] = (),
) -> list[str]:
    """``labels`` (one per row of ``terms``), none equal to another or to a ``fixed`` one.

    Colliding drafts get their most distinctive term among the look-alikes after a
    colon ("Exchange rate: transfers"); a draft that only collides with a fixed
    label gets its own most typical term that the label lacks. Should the terms not
    tell them apart, a number does ("Exchange rate (2)").
    """
    language = terms.language
    out = list(labels)
    taken = {label_key(f, language) for f in fixed}
    by_key: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for row, label in enumerate(out):
        by_key[label_key(label, language)].append(row)
    own_scores: np.ndarray | None = None
    for key, rows in by_key.items():
        if len(rows) == 1 and key not in taken:
            continue
        if len(rows) > 1:
            contrast = terms.rows(rows).scores()  # what sets each apart from the others
        else:
            own_scores = terms.scores() if own_scores is None else own_scores
            contrast = own_scores[rows]
        used: set[tuple[str, ...]] = set()
        for position, row in enumerate(rows):
            difference = _difference(out[row], contrast[position], terms, used)
            if difference is not None:
                out[row] = f"{out[row]}: {difference}"
    return _numbered(out, taken, language)


def _difference(
    label: str, scores: np.ndarray, terms: GroupTerms, used: set[tuple[str, ...]]
) -> str | None:
    """The best-scoring term that adds words the label lacks and fits its length."""
    have = set(label_key(label, terms.language))
    room = MAX_LABEL_WORDS - len(label.split())
    for index in np.argsort(-scores, kind="stable")[:50]:
        if scores[index] <= 0:
            break
        term = str(terms.terms[index])
        words = term.split()
        key = label_key(term, terms.language)
        if len(words) > room or set(key) & have or key in used:
            continue
        used.add(key)
        return term
    return None


def _numbered(labels: list[str], taken: set[tuple[str, ...]], language: str) -> list[str]:
    """Any label still not distinct gets the next free number, first come first served."""
    seen = set(taken)
    out = []
    for label in labels:
        candidate, n = label, 1
        while label_key(candidate, language) in seen:
            n += 1
            candidate = f"{label} ({n})"
        seen.add(label_key(candidate, language))
        out.append(candidate)
    return out
