"""Evaluate ticketlens.privacy.redact: quality on the labelled set, speed, and false
positives on real (already anonymised) customer-support tweets.

Run from the repository root:

    .venv/bin/python bench/redaction/evaluate.py

Prints, in order:
1. recall and precision per kind and overall on tests/fixtures/pii_hard_cases.jsonl
   (entity level: a finding is a true positive when kind and exact value match a label);
2. texts/s on the sample tickets (``text`` and every ``messages[].body``), also as
   tickets/s, plus texts/s on the tweets and on the labelled set (a worst case: every
   text there is full of numbers);
3. findings per 10,000 tweets of ../shared/data/twcs_head5k/twcs_head_5000.csv (column
   ``text``), each classified with the hand-made verdicts in ``twcs_judgements.csv``
   beside this script, and false positives per 10,000 texts.

A finding without a verdict is listed as UNJUDGED (and the script exits 1), so a change
to the redactor that finds something new cannot silently change the number: judge it by
hand, add a line to twcs_judgements.csv, and rerun. ``--list-findings`` prints every
tweet finding with context, for judging.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

from ticketlens.privacy.redact import Kind, Redactor

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LABELLED = REPO / "tests" / "fixtures" / "pii_hard_cases.jsonl"
SAMPLE = REPO / "src" / "ticketlens" / "sample" / "tickets.jsonl"
TWCS = REPO.parent / "shared" / "data" / "twcs_head5k" / "twcs_head_5000.csv"
JUDGEMENTS = HERE / "twcs_judgements.csv"


def environment() -> None:
    print("## Environment")
    print(f"date         {dt.date.today().isoformat()}")
    print(f"nproc        {os.cpu_count()}")
    print(f"python       {platform.python_version()} ({platform.machine()})")
    for dist in ("phonenumbers", "python-stdnum"):
        print(f"{dist:<12} {version(dist)}")
    print()


def labelled_scores(redactor: Redactor) -> None:
    counts = {k.value: Counter[str]() for k in Kind}
    with LABELLED.open(encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh if line.strip()]
    for case in cases:
        expected = Counter((i["type"], i["value"]) for i in case["pii"])
        got = Counter((f.kind.value, f.value) for f in redactor.find(case["text"]))
        for name, diff in (("tp", expected & got), ("fp", got - expected), ("fn", expected - got)):
            for (kind, _), n in diff.items():
                counts[kind][name] += n
    negatives = sum(1 for c in cases if not c["pii"])
    print(f"## Labelled set: {len(cases)} texts ({negatives} without PII), {LABELLED.name}")
    print(f"{'kind':<6} {'labels':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'recall':>7} {'precision':>9}")
    total: Counter[str] = Counter()
    for kind, c in [*counts.items(), ("ALL", None)]:
        if c is None:
            c = total
        else:
            total.update(c)
        labels = c["tp"] + c["fn"]
        recall = c["tp"] / labels if labels else float("nan")
        found = c["tp"] + c["fp"]
        precision = c["tp"] / found if found else float("nan")
        print(
            f"{kind:<6} {labels:>6} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4}"
            f" {recall:>7.3f} {precision:>9.3f}"
        )
    print()


def sample_texts() -> tuple[list[str], int]:
    texts: list[str] = []
    tickets = 0
    with SAMPLE.open(encoding="utf-8") as fh:
        for line in fh:
            ticket = json.loads(line)
            tickets += 1
            if ticket.get("text"):
                texts.append(ticket["text"])
            texts.extend(m["body"] for m in ticket.get("messages") or [] if m.get("body"))
    return texts, tickets


def rate(fn: Callable[[str], object], texts: Sequence[str], repeats: int) -> float:
    """Median texts/s over ``repeats`` timed passes (after one warm-up pass)."""
    for text in texts:
        fn(text)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def speed(redactor: Redactor, tweets: Sequence[str], repeats: int) -> None:
    texts, tickets = sample_texts()
    with LABELLED.open(encoding="utf-8") as fh:
        labelled = [json.loads(line)["text"] for line in fh if line.strip()]
    print(f"## Speed: redact(), single thread, median of {repeats} passes after a warm-up")
    per_s = rate(redactor.redact, texts, repeats)
    print(
        f"sample tickets   {len(texts):>6} texts  {per_s:>10,.0f} texts/s"
        f"  = {per_s * tickets / len(texts):>9,.0f} tickets/s (text + all message bodies)"
    )
    if tweets:
        per_s = rate(redactor.redact, tweets, repeats)
        print(f"twcs tweets      {len(tweets):>6} texts  {per_s:>10,.0f} texts/s")
    per_s = rate(redactor.redact, labelled, repeats)
    print(f"labelled set     {len(labelled):>6} texts  {per_s:>10,.0f} texts/s (worst case)")
    print()


def load_tweets(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row["tweet_id"], row["text"]) for row in csv.DictReader(fh)]


def load_judgements() -> dict[tuple[str, str, str], tuple[str, str]]:
    with JUDGEMENTS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[tuple[str, str, str], tuple[str, str]] = {}
    for row in rows:
        if row["verdict"] not in ("TP", "FP"):
            raise SystemExit(f"{JUDGEMENTS.name}: verdict must be TP or FP: {row}")
        out[(row["tweet_id"], row["kind"], row["value"])] = (row["verdict"], row["reason"])
    return out


def false_positives(redactor: Redactor, tweets: list[tuple[str, str]], listing: bool) -> int:
    judged = load_judgements()
    verdicts: Counter[tuple[str, str]] = Counter()
    unjudged: list[str] = []
    for tweet_id, text in tweets:
        for f in redactor.find(text):
            context = text[max(0, f.start - 40) : f.end + 25].replace("\n", " ")
            verdict, reason = judged.get((tweet_id, f.kind.value, f.value), ("UNJUDGED", ""))
            verdicts[(f.kind.value, verdict)] += 1
            if verdict == "UNJUDGED":
                unjudged.append(f"  UNJUDGED {tweet_id},{f.kind.value},{f.value!r} | {context}")
            elif listing:
                print(f"  {verdict} {tweet_id},{f.kind.value},{f.value!r} | {context} | {reason}")
    n = len(tweets)
    print(f"## Real texts: {n} tweets from {TWCS.name}, verdicts from {JUDGEMENTS.name}")
    print(f"{'kind':<6} {'findings':>8} {'true':>5} {'false':>5} {'FP/10k texts':>13}")
    for kind in [*(k.value for k in Kind), "ALL"]:
        keys = [k for k in verdicts if kind in ("ALL", k[0])]
        tp = sum(verdicts[k] for k in keys if k[1] == "TP")
        fp = sum(verdicts[k] for k in keys if k[1] == "FP")
        found = sum(verdicts[k] for k in keys)
        print(f"{kind:<6} {found:>8} {tp:>5} {fp:>5} {fp * 10_000 / n:>13.1f}")
    if unjudged:
        print("\n".join(unjudged))
    print()
    return len(unjudged)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--twcs", type=Path, default=TWCS, help="tweets CSV (column text)")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes per corpus")
    parser.add_argument("--list-findings", action="store_true", help="print judged findings")
    args = parser.parse_args(argv)

    redactor = Redactor()
    environment()
    print(f"redactor     {redactor!r}\n")
    labelled_scores(redactor)
    tweets = load_tweets(args.twcs) if args.twcs.is_file() else []
    speed(redactor, [t for _, t in tweets], args.repeats)
    if not tweets:
        print(f"## Real texts: {args.twcs} not found, skipped")
        return 0
    return 1 if false_positives(redactor, tweets, args.list_findings) else 0


if __name__ == "__main__":
    sys.exit(main())
