"""Datasets for the theme-discovery benchmark.

Every loader returns a :class:`Dataset`: the texts to cluster, the gold intent per text (or None
when the set is only for throughput), and metadata used for scoring (parent groups, k hint).
Gold labels are used only for scoring, never by a pipeline (except as the k of the KMeans
baseline, which is an explicitly "oracle-k" baseline).

Data root: ``$TICKETLENS_DATA`` or ``/work/shared/data`` (each folder has a SOURCE.md).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(os.environ.get("TICKETLENS_DATA", "/work/shared/data"))
SEED = 0
THROUGHPUT_SIZE = 50_000
THROUGHPUT_K = 100  # KMeans k for the unlabelled throughput set
GITHUB_MAX_CHARS = 300  # issue bodies are long markdown; keep them ticket-sized

# Some github issue bodies exceed csv's default 128 KiB field limit.
csv.field_size_limit(sys.maxsize)


@dataclass
class Dataset:
    name: str
    texts: list[str]
    labels: list[str] | None
    parent_labels: list[str] | None = None  # gold parent group per text (clinc domain, ...)
    meta: dict[str, object] = field(default_factory=dict)
    #: the source's language tag per text (help-desk exports carry one), or None
    languages: list[str] | None = None

    @property
    def n_labels(self) -> int | None:
        return None if self.labels is None else len(set(self.labels))

    @property
    def k_hint(self) -> int:
        """k for baselines that need one: the gold label count, else THROUGHPUT_K."""
        return self.n_labels or THROUGHPUT_K


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def _read_jsonl(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


# ---------------------------------------------------------------- labelled sets


def load_banking77() -> Dataset:
    rows = [r for n in ("train.csv", "test.csv") for r in _read_csv(DATA / "banking77" / n)]
    return Dataset(
        "banking77",
        [r["text"] for r in rows],
        [r["category"] for r in rows],
        meta={"files": ["banking77/train.csv", "banking77/test.csv"]},
    )


def clinc_domains() -> dict[str, str]:
    """intent -> domain, from the original domains.json (10 domains x 15 intents)."""
    raw = json.loads((DATA / "clinc150" / "domains.json").read_text(encoding="utf-8"))
    return {intent: domain for domain, intents in raw.items() for intent in intents}


def _load_clinc(keep_oos: bool) -> Dataset:
    rows = [r for n in ("train.jsonl", "val.jsonl") for r in _read_jsonl(DATA / "clinc150" / n)]
    if not keep_oos:
        rows = [r for r in rows if r["intent"] != "oos"]
    domains = clinc_domains()
    return Dataset(
        "clinc150_oos" if keep_oos else "clinc150",
        [r["text"] for r in rows],
        [r["intent"] for r in rows],
        parent_labels=[domains.get(r["intent"], "oos") for r in rows],
        meta={"files": ["clinc150/train.jsonl", "clinc150/val.jsonl"], "parent": "domain"},
    )


def load_clinc150() -> Dataset:
    return _load_clinc(keep_oos=False)


def load_clinc150_oos() -> Dataset:
    return _load_clinc(keep_oos=True)


CLINC_PER_INTENT = 30


def load_clinc150_30() -> Dataset:
    """A seeded sample of CLINC150 (train + val): 30 texts per intent, 4,500 texts.

    A team with few tickets per issue: the set where a fixed granularity lumped intents.
    """
    full = load_clinc150()
    by_intent: dict[str, list[int]] = {}
    for row, intent in enumerate(full.labels or []):
        by_intent.setdefault(intent, []).append(row)
    rng = random.Random(SEED)
    rows = [
        r for intent in sorted(by_intent) for r in rng.sample(by_intent[intent], CLINC_PER_INTENT)
    ]
    assert full.labels is not None
    assert full.parent_labels is not None
    return Dataset(
        "clinc150_30",
        [full.texts[r] for r in rows],
        [full.labels[r] for r in rows],
        parent_labels=[full.parent_labels[r] for r in rows],
        meta={**full.meta, "sample": f"{CLINC_PER_INTENT} per intent, random.Random({SEED})"},
    )


def load_bitext() -> Dataset:
    folder = DATA / "bitext_customer_service"
    rows = [r for n in ("train.csv", "dev.csv") for r in _read_csv(folder / n)]
    return Dataset(
        "bitext",
        [r["utterance"] for r in rows],
        [r["intent"] for r in rows],
        parent_labels=[r["category"] for r in rows],
        meta={
            "files": ["bitext_customer_service/train.csv", "bitext_customer_service/dev.csv"],
            "parent": "category",
        },
    )


# ---------------------------------------------------------------- label sets
# Real tickets without intent labels: what a label must cope with (links, handles,
# templates, two languages). Scored for forbidden tokens and duplicate labels only.


def load_twcs_spotifycares() -> Dataset:
    """15,096 customer tweets to @SpotifyCares (each a ticket when imported alone)."""
    path = "twcs_spotifycares/spotifycares_customer_tweets.csv"
    texts = [r["text"] for r in _read_csv(DATA / path)]
    return Dataset("twcs_spotifycares", texts, None, meta={"files": [path]})


def load_github_issues() -> Dataset:
    """1,500 GitHub issues of five projects: title and markdown body (templates and all)."""
    path = "github_issues_nlbse24/issues_train.csv"
    texts = [f"{r['title']}\n{r['body']}" for r in _read_csv(DATA / path)]
    return Dataset("github_issues_nlbse24", texts, None, meta={"files": [path]})


def load_support_tickets_multilang() -> Dataset:
    """2,181 help-desk tickets, English and German, with the source's language tag."""
    path = "support_tickets_multilang/dataset-tickets-multi-lang-4-20k_first2181.csv"
    rows = list(_read_csv(DATA / path))
    return Dataset(
        "support_tickets_multilang",
        [f"{r['subject']}\n{r['body']}".strip() for r in rows],
        None,
        meta={"files": [path], "languages": dict(Counter(r["language"] for r in rows))},
        languages=[r["language"] for r in rows],
    )


LABEL_SETS = ("twcs_spotifycares", "github_issues_nlbse24", "support_tickets_multilang")


# ---------------------------------------------------------------- throughput set


def _throughput_sources() -> dict[str, Iterable[str]]:
    """Every shared text source, one text per ticket-like item."""
    d = DATA
    return {
        "banking77": load_banking77().texts,
        "clinc150": _load_clinc(keep_oos=True).texts,
        "bitext": load_bitext().texts,
        "twcs_head5k": (
            r["text"]
            for n in ("twcs_head_5000.csv", "kaggle_sample_93.csv")
            for r in _read_csv(d / "twcs_head5k" / n)
            if r["inbound"] == "True"  # customer tweets only, not brand replies
        ),
        "twcs_spotifycares": (
            r["text"] for r in _read_csv(d / "twcs_spotifycares/spotifycares_customer_tweets.csv")
        ),
        "github_issues_nlbse24": (
            f"{r['title']}\n{r['body']}"[:GITHUB_MAX_CHARS]
            for r in _read_csv(d / "github_issues_nlbse24/issues_train.csv")
        ),
        "kaggle_customer_support_tickets": (
            r["Ticket Description"]
            for r in _read_csv(d / "kaggle_customer_support_tickets/customer_support_tickets.csv")
        ),
        "support_tickets_multilang_en": (
            f"{r['subject']}\n{r['body']}".strip()
            for r in _read_csv(
                d / "support_tickets_multilang/dataset-tickets-multi-lang-4-20k_first2181.csv"
            )
            if r["language"] == "en"
        ),
        "semeval2016_cqa": (
            q
            for n in ("subtaskB_train.csv", "subtaskB_val.csv")
            for r in _read_csv(d / "semeval2016_cqa_question_similarity" / n)
            for q in (r["question"], r["rel_question"])
        ),
    }


def _stable_key(text: str) -> str:
    return hashlib.sha1(f"{SEED}:{text}".encode()).hexdigest()


def load_throughput50k() -> Dataset:
    """THROUGHPUT_SIZE distinct texts (after strip) from all sources, in a seeded hash order."""
    first_source: dict[str, str] = {}
    for source, texts in _throughput_sources().items():
        for t in texts:
            t = t.strip()
            if t and t not in first_source:
                first_source[t] = source
    pool = sorted(first_source, key=_stable_key)
    if len(pool) < THROUGHPUT_SIZE:
        raise RuntimeError(f"only {len(pool)} distinct texts, need {THROUGHPUT_SIZE}")
    texts = pool[:THROUGHPUT_SIZE]
    return Dataset(
        "throughput50k",
        texts,
        None,
        meta={
            "distinct_pool": len(pool),
            "sources": dict(Counter(first_source[t] for t in texts).most_common()),
            "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        },
    )


DATASETS: dict[str, Callable[[], Dataset]] = {
    "banking77": load_banking77,
    "clinc150": load_clinc150,
    "clinc150_oos": load_clinc150_oos,
    "clinc150_30": load_clinc150_30,
    "bitext": load_bitext,
    "throughput50k": load_throughput50k,
    "twcs_spotifycares": load_twcs_spotifycares,
    "github_issues_nlbse24": load_github_issues,
    "support_tickets_multilang": load_support_tickets_multilang,
}


def load(name: str) -> Dataset:
    try:
        return DATASETS[name]()
    except KeyError:
        raise SystemExit(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None


if __name__ == "__main__":
    for name in sys.argv[1:] or DATASETS:
        ds = load(name)
        print(name, len(ds.texts), ds.n_labels, json.dumps(ds.meta))
