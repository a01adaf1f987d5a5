"""Readable labels, keywords and representative tickets for groups of texts.

Keywords are class-based TF-IDF (the terms frequent in one theme and rare in the
others, as in BERTopic's c-TF-IDF). The label is a 2-3 word phrase among them,
because support leads name issues by phrases ("card not arrived"), not by single
words. Negations are kept: "not" carries the meaning of most complaints.

Which phrase: the most typical by c-TF-IDF is often a fragment common to the
theme ("top up", "app says"), not what its tickets are about. Given a
:class:`Meaning` (the themes' centres and a way to embed a phrase beside them),
the label is the candidate phrase closest in meaning to the theme's centre, the
way KeyBERT and BERTopic's KeyBERTInspired pick keywords; measured in
bench/themes/NOTES.md.

No label or keyword holds a word that names nothing a lead would act on: a piece of a
link ("https", "www", "com"), an id-like token (12+ characters mixing letters and
digits, or a run of 20+ letters), or a word in most of the corpus's texts (the
brand: "spotify" in a Spotify support queue). Texts were cleaned before
(:mod:`.cleaning`), so these are a second line. Two live themes never share a label:
:func:`tell_apart` names the difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

NEGATIONS = {"not", "no", "never", "nothing", "cannot", "cant", "can't", "without", "again"}
# Words that carry no theme: greetings, contractions, request verbs.
FILLER = frozenset(
    """hi hello hey dear thanks thank please regards ok okay yes just really still
    i'm i've i'd it's that's there's what's didn't doesn't don't isn't hasn't haven't wasn't
    aren't won't does did do like need want know tell explain help able way use using
    get got wondering trying tried possible happened happen reason going""".split()  # noqa: SIM905
)
# scikit-learn's list (from the Glasgow IR group) holds words that name support issues:
# "top up", "bill", "system down", "interest", "call back", "card not found".
ISSUE_WORDS = frozenset(
    """top up down back bill call detail empty fill find found front full interest move name
    show system amount""".split()  # noqa: SIM905
)
STOP_WORDS = sorted((ENGLISH_STOP_WORDS - NEGATIONS - ISSUE_WORDS) | FILLER)
KEYWORDS = 10
#: a label is at most this many words, its difference from a look-alike's included
MAX_LABEL_WORDS = 5
# Pieces of links and markup, never a theme's word ("24/7", "python3" are fine).
URL_WORDS = frozenset({"www", "com", "org", "net", "html", "htm", "php", "href", "nbsp", "amp"})
# The scheme is a word of its own in "HTTP proxy", "HTTPS certificate"; cleaning took every
# link out, so it is a link's piece only alone or beside another piece ("https www").
SCHEMES = frozenset({"http", "https"})
_ID_LIKE = re.compile(r"^(?=[^\d]*\d)(?=\d*[^\W\d])\w{12,}$|[^\W\d_]{20,}")
#: a word in this share of the texts of most groups is the corpus's brand, not an issue
CORPUS_WIDE = 0.25
CORPUS_WIDE_GROUPS = 0.5
# A phrase wins over the best single word unless it scores below this share of it.
PHRASE_SHARE = 0.35
#: a representative ticket this long at least is preferred to a shorter, more typical one
READABLE_WORDS = 3
#: how many of a theme's most typical phrases compete on meaning for its label
CANDIDATES = 20


@dataclass(frozen=True)
class Description:
    label: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class GroupTerms:
    """How often each term occurs in each group's texts."""

    counts: np.ndarray  # groups x terms
    terms: np.ndarray
    #: per term: may it be a keyword or part of a label (see :func:`term_problem`)
    allowed: np.ndarray | None = None
    language: str = "en"

    def merged(self, parent_of: np.ndarray, n_parents: int) -> GroupTerms:
        """The counts of groups of groups (parent_of[g] is group g's parent)."""
        merge = np.zeros((n_parents, len(parent_of)))
        merge[parent_of, np.arange(len(parent_of))] = 1
        return GroupTerms(merge @ self.counts, self.terms, self.allowed, self.language)

    def rows(self, groups: Sequence[int]) -> GroupTerms:
        return GroupTerms(self.counts[list(groups)], self.terms, self.allowed, self.language)

    def scores(self) -> np.ndarray:
        """c-TF-IDF of each group's terms, zero for terms no label may hold."""
        scores = class_tfidf(self.counts)
        if self.allowed is not None and scores.size:
            scores[:, ~self.allowed] = 0.0
        return scores


# Words that turn a complaint around, kept in labels ("nicht angekommen") in other languages.
OTHER_NEGATIONS = frozenset(
    {"nicht", "kein", "keine", "keinen", "nie", "ohne", "pas", "jamais", "sans", "ne", "no"}
    | {"nunca", "sin", "niet", "geen", "nooit", "zonder", "non", "mai", "senza"}
)


@cache
def stop_words(language: str) -> tuple[str, ...]:
    """Stop words for labels: ours for English, the stop-words package's for others."""
    if language in ("en", "*", ""):
        return tuple(STOP_WORDS)
    from stop_words import StopWordError, get_stop_words

    try:
        words = {w.lower() for w in get_stop_words(language)}
    except StopWordError:  # a language without a list: English ones only
        words = set()
    # English words slip into every language's tickets ("the app", "the issue"); a
    # label in the theme's language holds none of them.
    return tuple(sorted((words - OTHER_NEGATIONS) | set(STOP_WORDS)))


@cache
def _stop_tokens(language: str, pattern: str) -> tuple[str, ...]:
    return tuple(_as_tokens(stop_words(language), pattern))


def _as_tokens(words: Sequence[str], pattern: str) -> list[str]:
    """Stop words as the tokenizer sees them: each word and the pieces it splits into.

    A stop word the token pattern splits ("c'è", or a word of a script whose marks are
    not letters to the pattern) would leave its pieces in the labels, and scikit-learn
    warns about exactly that.
    """
    tokens = set(words)
    for word in words:
        tokens.update(re.findall(pattern, word.lower()))
    return sorted(tokens)


def count_terms(
    texts: Sequence[str], groups: np.ndarray, n_groups: int, language: str = "en"
) -> GroupTerms:
    """Term counts per group ``0..n_groups-1`` (``groups[i]`` < 0: text i is in none)."""
    # English: ASCII words as before; other languages: any letters (umlauts, accents).
    # Digits after two letters make a word too ("python3", "ios11"); "24/7" is no label word.
    pattern = (
        r"(?u)\b[a-zA-Z][a-zA-Z']*[a-zA-Z][a-zA-Z0-9']*\b"
        if language == "en"
        else r"(?u)\b[^\W\d_][^\W\d_']+\b"
    )
    vectorizer = CountVectorizer(
        ngram_range=(1, 3),
        stop_words=list(_stop_tokens(language, pattern)) or None,
        token_pattern=pattern,
        min_df=2,
        max_features=200_000,
    )
    members = np.flatnonzero(groups >= 0)
    try:
        counts = vectorizer.fit_transform([texts[i] for i in members.tolist()])
    except ValueError:  # nothing left after stop words, or a single document
        return GroupTerms(np.zeros((n_groups, 0)), np.array([], dtype=str), language=language)
    membership = sparse.csr_matrix(
        (np.ones(len(members)), (groups[members], np.arange(len(members)))),
        shape=(n_groups, len(members)),
    )
    per_group = np.asarray((membership @ counts).todense(), dtype=np.float64)
    terms = vectorizer.get_feature_names_out()
    everywhere = _corpus_wide(counts, membership, terms)
    allowed = np.array([term_problem(str(t), everywhere) is None for t in terms], dtype=bool)
    return GroupTerms(per_group, terms, allowed, language)


def _corpus_wide(
    counts: sparse.spmatrix, membership: sparse.spmatrix, terms: np.ndarray
) -> set[str]:
    """Words common in most groups: the corpus's brand or product, not one issue.

    A word is corpus-wide when, in at least :data:`CORPUS_WIDE_GROUPS` of the groups
    (and three or more), at least :data:`CORPUS_WIDE` of the group's texts hold it.
    Spread is what tells a brand from a big issue: "card" in most texts of a corpus
    where card problems dominate is still one theme's word.
    """
    n_groups = int((np.asarray(membership.sum(axis=1)).ravel() > 0).sum())
    if n_groups < 3:
        return set()
    single = np.flatnonzero([" " not in str(t) for t in terms])
    held = sparse.csr_matrix(membership @ (counts[:, single] > 0).astype(np.float64))
    sizes = np.asarray(membership.sum(axis=1)).ravel()
    share = sparse.diags(1.0 / np.maximum(sizes, 1)) @ held  # stays sparse: groups x words
    spread = np.asarray((share >= CORPUS_WIDE).sum(axis=0)).ravel() / n_groups
    return {str(terms[single[i]]) for i in np.flatnonzero(spread >= CORPUS_WIDE_GROUPS)}


def term_problem(term: str, corpus_wide: set[str] | frozenset[str] = frozenset()) -> str | None:
    """Why ``term`` may not be a keyword or part of a label, or None when it may."""
    words = term.split()
    if set(words) <= SCHEMES or (set(words) & SCHEMES and set(words) & URL_WORDS):
        return f"{term!r} is a piece of a link"
    for word in words:
        if word in URL_WORDS:
            return f"{word!r} is a piece of a link"
        if _ID_LIKE.search(word):
            return f"{word!r} looks like an id"
        if word in corpus_wide:
            return f"{word!r} is common in most themes (a brand or product name)"
    return None


@dataclass
class Meaning:
    """Where each group sits in an embedding space, and how to place a phrase there.

    ``embed`` returns unit vectors of the same space as ``centres`` (one unit vector
    per group; a zero row means no centre, and the label falls back to c-TF-IDF).
    Phrases already embedded are remembered: parent groups reuse their themes'.
    """

    embed: Callable[[list[str]], np.ndarray]
    centres: np.ndarray
    _seen: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def vectors(self, phrases: Sequence[str]) -> np.ndarray:
        new = [p for p in dict.fromkeys(phrases) if p not in self._seen]
        if new:
            self._seen.update(zip(new, self.embed(new), strict=True))
        return np.array([self._seen[p] for p in phrases])

    def with_centres(self, centres: np.ndarray) -> Meaning:
        """The same space and remembered phrases, other groups' centres."""
        return Meaning(self.embed, centres, self._seen)


def describe(group_terms: GroupTerms, meaning: Meaning | None = None) -> list[Description]:
    """A label and keywords for each group (labels chosen by meaning when given one)."""
    n_groups = len(group_terms.counts)
    if group_terms.counts.shape[1] == 0:
        return [Description(f"Theme {g + 1}", ()) for g in range(n_groups)]
    scores = group_terms.scores()
    terms = group_terms.terms
    described = [_describe_one(scores[g], terms, g) for g in range(n_groups)]
    if meaning is None:
        return described
    candidates = [_candidates(scores[g], terms) for g in range(n_groups)]
    every = [p for phrases in candidates for p in phrases]
    if not every:
        return described
    vectors = meaning.vectors(every)
    start = 0
    for g, phrases in enumerate(candidates):
        mine, start = vectors[start : start + len(phrases)], start + len(phrases)
        centre = meaning.centres[g]
        if not phrases or not np.any(centre):
            continue
        closest = phrases[int(np.argmax(mine @ centre))]  # ties: the more typical
        described[g] = Description(_capitalised(closest), described[g].keywords)
    return described


def _candidates(scores: np.ndarray, terms: np.ndarray) -> list[str]:
    """The group's :data:`CANDIDATES` most typical readable phrases, most typical first.

    A phrase scoring under :data:`PHRASE_SHARE` of the most typical one is rare in the
    theme: close in meaning, perhaps, but not what its tickets say ("finally working"
    in a theme of "still not working").
    """
    order = np.argsort(-scores, kind="stable")[: CANDIDATES * 5]
    order = order[scores[order] > 0]
    phrases = [i for i in order if _readable(str(terms[i]))]
    if not phrases:
        return []
    floor = PHRASE_SHARE * scores[phrases[0]]
    return [str(terms[i]) for i in phrases if scores[i] >= floor][:CANDIDATES]


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def class_tfidf(per_group: np.ndarray) -> np.ndarray:
    """BERTopic's c-TF-IDF: term share in the group x log(1 + mean group size / term total)."""
    sizes = per_group.sum(axis=1, keepdims=True)
    sizes[sizes == 0] = 1
    tf = per_group / sizes
    totals = per_group.sum(axis=0)
    totals[totals == 0] = 1
    idf = np.log(1 + per_group.sum(axis=1).mean() / totals)
    scores: np.ndarray = tf * idf
    return scores


def _describe_one(scores: np.ndarray, terms: np.ndarray, group: int) -> Description:
    best = np.argsort(-scores, kind="stable")[: KEYWORDS * 3]
    best = best[scores[best] > 0]
    if len(best) == 0:
        return Description(f"Theme {group + 1}", ())
    keywords = _without_repeats([str(terms[i]) for i in best])[:KEYWORDS]
    label = _best_phrase(best, scores, terms) or _word_pair(keywords)
    return Description(_capitalised(label), tuple(keywords))


def _word_pair(keywords: list[str]) -> str:
    """The top keyword and the next one sharing no word with it: "refund / statement"."""
    first = keywords[0]
    for other in keywords[1:]:
        if not set(other.split()) & set(first.split()):
            return f"{first} / {other}"
    return first


def _best_phrase(best: np.ndarray, scores: np.ndarray, terms: np.ndarray) -> str | None:
    """The top-scoring readable phrase, lengthened when the longer one is nearly as typical."""
    top = scores[best[0]]
    phrases = [i for i in best if _readable(str(terms[i])) and scores[i] >= PHRASE_SHARE * top]
    if not phrases:
        return None
    chosen = phrases[0]
    for longer in phrases[1:]:
        if str(terms[chosen]) in str(terms[longer]) and scores[longer] >= 0.6 * scores[chosen]:
            chosen = longer
    return str(terms[chosen])


def _readable(term: str) -> bool:
    """Several distinct words, not ending on a negation ("card not"; "not working" is fine)."""
    words = term.split()
    return len(words) >= 2 and len(set(words)) == len(words) and words[-1] not in NEGATIONS


def _without_repeats(terms: list[str]) -> list[str]:
    """Drop a single word already part of a higher-ranked phrase."""
    kept: list[str] = []
    for term in terms:
        if " " not in term and any(term in other.split() for other in kept):
            continue
        kept.append(term)
    return kept


def representatives(
    rows: np.ndarray, scores: np.ndarray, texts: Sequence[str], count: int = 5
) -> list[int]:
    """The ``count`` members closest to their theme's centre, with distinct texts.

    Texts of :data:`READABLE_WORDS` words or more come first: "card?" or "not
    working" is typical of a theme and tells a reader nothing.
    """
    chosen: list[int] = []
    short: list[int] = []
    seen: set[str] = set()
    for row in rows[np.argsort(-scores[rows], kind="stable")]:
        words = texts[row].lower().split()
        key = " ".join(words)
        if key in seen:
            continue
        seen.add(key)
        (chosen if len(words) >= READABLE_WORDS else short).append(int(row))
        if len(chosen) == count:
            break
    return (chosen + short)[:count]


@dataclass(frozen=True)
class Described:
    label: str
    keywords: tuple[str, ...]
    representatives: list[int]  # the ticket ids given (rows, from the engine), typical first


def describe_members(
    texts: Sequence[str],
    text_of: np.ndarray,
    ticket_ids: np.ndarray,
    slot: np.ndarray,
    score: np.ndarray,
    n_slots: int,
    language: str = "en",
    meaning: Meaning | None = None,
) -> tuple[list[Described], GroupTerms]:
    """Label, keywords and typical tickets of each slot from its members' texts.

    ``meaning`` holds one centre per slot. Also returns the term counts, so parent
    groups can be described without recounting.
    """
    has = slot >= 0
    width = len(texts)
    keys = np.unique(slot[has] * width + text_of[has])  # each text counted once per theme
    terms = count_terms([texts[k % width] for k in keys.tolist()], keys // width, n_slots, language)
    descriptions = describe(terms, meaning)
    ticket_texts = _TicketTexts(texts, text_of)
    out = []
    for s in range(n_slots):
        rows = np.flatnonzero(slot == s)
        typical = representatives(rows, score, ticket_texts)
        out.append(
            Described(
                descriptions[s].label,
                descriptions[s].keywords,
                [int(ticket_ids[r]) for r in typical],
            )
        )
    return out, terms


class _TicketTexts(Sequence[str]):
    """Ticket ``i``'s text without materialising one string per ticket."""

    def __init__(self, texts: Sequence[str], text_of: np.ndarray) -> None:
        self._texts, self._text_of = texts, text_of

    def __len__(self) -> int:
        return len(self._text_of)

    def __getitem__(self, index: Any) -> Any:
        return self._texts[int(self._text_of[index])]
