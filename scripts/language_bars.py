"""Measure the language detector's length-dependent confidence bars (ticketlens.language).

Reads ../shared/data: banking77 (train + test) and CLINC150 train (English), and the
multilingual support tickets (German ones, as the full ticket's detection says). Prints,
for a flat bar and for candidate bars by length, how many English texts get another
language, how many German 3-8-word snippets keep German, and how much of banking77's test
set is still found English when the corpus's main language is German.

    python scripts/language_bars.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import ticketlens.language as language

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CANDIDATES = ((), ((40, 0.8), (70, 0.65)), ((40, 0.7), (70, 0.6)), ((25, 0.65), (40, 0.6)))


def _csv(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row[column] for row in csv.DictReader(fh)]


def english() -> list[str]:
    texts = _csv(DATA / "banking77" / "train.csv", "text")
    texts += _csv(DATA / "banking77" / "test.csv", "text")
    with (DATA / "clinc150" / "train.jsonl").open(encoding="utf-8") as fh:
        texts += [json.loads(line)["text"] for line in fh]
    return texts


def german_snippets() -> list[str]:
    path = next((DATA / "support_tickets_multilang").glob("*.csv"))
    with path.open(encoding="utf-8", newline="") as fh:
        tickets = [f"{r['subject']} {r['body']}" for r in csv.DictReader(fh)]
    found = language.detect_languages(tickets)
    german = [t for t, code in zip(tickets, found, strict=True) if code == "de"]
    return [" ".join(t.split()[:k]) for t in german for k in (3, 4, 5, 8)]


def scored(texts: list[str]) -> list[tuple[str | None, float, int]]:
    identifier = language._identifier()
    out: list[tuple[str | None, float, int]] = []
    for text in texts:
        cleaned = " ".join(language._NOISE.sub(" ", text[:600]).split())[:300]
        if len(cleaned.encode()) < 16 or language._letter_share(text[:600]) < 0.5:
            out.append((None, 0.0, len(cleaned)))
            continue
        code, confidence = identifier.classify(cleaned)
        out.append((str(code), float(confidence), len(cleaned)))
    return out


def bar(length: int, bars: tuple[tuple[int, float], ...]) -> float:
    return next((b for shorter, b in bars if length < shorter), 0.5)


def main() -> None:
    en, de = scored(english()), scored(german_snippets())
    test = scored(_csv(DATA / "banking77" / "test.csv", "text"))
    print(f"{len(en):,} English texts, {len(de):,} German snippets, {len(test):,} banking77 test")
    columns = ["bars (shorter than: bar)", "English -> other", "German snippets kept"]
    print("| " + " | ".join([*columns, "banking77 en, de main"]) + " |")
    print("|---|---|---|---|")
    for bars in CANDIDATES:
        wrong = sum(1 for c, p, n in en if c and c != "en" and p >= bar(n, bars))
        kept = sum(1 for c, p, n in de if c == "de" and p >= bar(n, bars))
        found = sum(1 for c, p, n in test if c == "en" and p >= bar(n, bars))
        name = ", ".join(f"<{n}: {b}" for n, b in bars) or "flat 0.5"
        print(
            f"| {name} | {wrong} ({wrong / len(en):.3%}) | {kept / len(de):.1%} "
            f"| {found / len(test):.1%} |"
        )


if __name__ == "__main__":
    main()
