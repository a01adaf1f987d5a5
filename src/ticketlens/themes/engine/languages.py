"""Which language group each ticket's themes come from.

The shipped model reads English; a German ticket embedded with it lands near other
German tickets but its themes would be mixed with English ones by accident. So each
language with at least ``language_min`` tickets gets themes of its own; tickets of
rarer languages stay unclear (``themes list`` says how many). With a multilingual
model, ``themes.by_language = false`` groups all languages together (key ``*``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

ALL_LANGUAGES = "*"


def resolve_languages(
    texts: Sequence[str],
    known: Sequence[str | None],
    *,
    by_language: bool,
    check: Sequence[bool] | None = None,
) -> list[str]:
    """Each ticket's language: the one already known, else detected from its text.

    ``check[i]``: ticket i's known language is only a tag (the source's), to be checked
    against the text; where the detector is sure of another language, it wins, so
    the ticket's themes and labels are in the language it is written in. Texts too
    short or unclear to tell are given the corpus's main language.
    """
    from ticketlens.language import detect_languages

    if not by_language:
        return [ALL_LANGUAGES] * len(texts)
    checking = check if check is not None else [False] * len(texts)
    ask = sorted({texts[i] for i, lang in enumerate(known) if not lang or checking[i]})
    detected = dict(zip(ask, detect_languages(ask, fallback=None), strict=True))
    resolved = [
        (detected[texts[i]] or lang) if checking[i] else (lang or detected[texts[i]])
        for i, lang in enumerate(known)
    ]
    counts = Counter(lang for lang in resolved if lang)
    main = counts.most_common(1)[0][0] if counts else "en"
    return [lang or main for lang in resolved]


def language_groups(
    languages: Sequence[str], texts: Sequence[str], minimum: int
) -> tuple[list[str], list[str]]:
    """Languages with enough distinct texts for themes (largest first), and the rest.

    Distinct texts, not tickets: one macro reply or "hi" repeated 81 times is one text,
    and no theme can be found in one text however often it recurs.
    """
    distinct = Counter(lang for lang, _text in set(zip(languages, texts, strict=True)))
    tickets = Counter(languages)
    ordered = sorted(tickets, key=lambda lang: (-tickets[lang], lang))
    enough = [g for g in ordered if distinct[g] >= minimum]
    return enough, [g for g in ordered if distinct[g] < minimum]
