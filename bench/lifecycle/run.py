"""Theme lifecycle benchmark: discovery on 1M tickets, a 10k weekly increment, id stability.

Run from the repository root with the dev venv (see bench/lifecycle/README.md):

    .venv/bin/python bench/lifecycle/run.py all --out bench/lifecycle/results.json

Everything goes through the public Python API (``Workspace``, ``run_discovery``,
``assign_new``). Each measured step runs in a child process of its own
(``run.py step-...``), so its wall time includes imports and model loading and its
peak RSS (``wait4``'s ``ru_maxrss``) is that step's alone.

Ticket files are generated deterministically (seeded) from the shared public texts in
``../shared/data`` (banking77, CLINC150, Bitext, TWCS customer tweets), varied the way
real tickets vary (greetings, sign-offs, order references, casing, typos) and written to
/tmp, never into the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import html
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ticketlens import pipeline

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO.parent / "shared" / "data"
DEFAULT_TMP = Path("/tmp/ticketlens-lifecycle")

# ---------------------------------------------------------------------------------------
# Ticket generator
# ---------------------------------------------------------------------------------------

GREETINGS = [
    "Hi,", "Hello,", "Hi there,", "Hello team,", "Good morning,", "Good afternoon,", "Hey,",
    "Dear support,", "Hi support team,", "Hello, hope you're well.", "Hi all,", "Good evening,",
    "Hiya,", "Dear Sir or Madam,", "Hello support,", "Hey team,",
]  # fmt: skip
CLOSINGS = [
    "Thanks", "Thanks!", "thanks", "Thank you.", "Thanks in advance.", "Please help.",
    "Please advise.", "Any update?", "Cheers", "Regards", "Kind regards", "Many thanks",
    "ASAP please", "This is urgent.", "Thank you so much!", "Appreciate the help.",
    "Can someone look into this?", "Waiting for your reply.",
]  # fmt: skip
REFERENCES = [
    "Order #{n}", "order number {n}", "(ref {n})", "Case {n}.", "My order is {n}.",
    "Booking ref TL{n}", "Account ending {m}.", "Ticket #{n} again.",
]  # fmt: skip
_MENTIONS = re.compile(r"^(?:@\w+\s*)+")


def load_base_texts(data: Path = DATA) -> tuple[list[str], dict[str, int]]:
    """Distinct base texts from the shared sets, in a fixed order, and how many each gave."""
    sources: dict[str, list[str]] = {}

    def from_csv(path: Path, field: str, keep: Any = None) -> list[str]:
        with path.open(encoding="utf-8", newline="") as fh:
            return [r[field] for r in csv.DictReader(fh) if keep is None or keep(r)]

    def from_jsonl(path: Path, field: str) -> list[str]:
        with path.open(encoding="utf-8") as fh:
            return [json.loads(line)[field] for line in fh if line.strip()]

    sources["banking77"] = from_csv(data / "banking77/train.csv", "text") + from_csv(
        data / "banking77/test.csv", "text"
    )
    sources["clinc150"] = from_jsonl(data / "clinc150/train.jsonl", "text") + from_jsonl(
        data / "clinc150/val.jsonl", "text"
    )
    sources["bitext"] = from_csv(
        data / "bitext_customer_service/train.csv", "utterance"
    ) + from_csv(data / "bitext_customer_service/dev.csv", "utterance")
    inbound = lambda r: r["inbound"] == "True"  # noqa: E731
    tweets = from_csv(data / "twcs_head5k/twcs_head_5000.csv", "text", inbound) + from_csv(
        data / "twcs_spotifycares/spotifycares_customer_tweets.csv", "text", inbound
    )
    sources["twcs"] = [_MENTIONS.sub("", html.unescape(t)).strip() for t in tweets]
    seen: dict[str, None] = {}
    counts: dict[str, int] = {}
    for name, texts in sources.items():
        before = len(seen)
        for text in texts:
            text = " ".join(text.split())
            if len(text) >= 8:
                seen.setdefault(text, None)
        counts[name] = len(seen) - before
    return list(seen), counts


def _typo(text: str, rnd: random.Random) -> str:
    letters = [i for i in range(len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not letters:
        return text
    i = rnd.choice(letters)
    kind = rnd.random()
    if kind < 0.5:  # swap two neighbours
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.8:  # drop one
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]  # double one


# How often a ticket's text is varied (see vary); tuned so that 1,000,000 tickets hold about
# a quarter of a million distinct texts, the rest repeats, as templated tickets are.
P_TYPO, P_LOWER, P_UPPER, P_GREETING, P_REFERENCE, P_CLOSING = 0.03, 0.06, 0.01, 0.2, 0.04, 0.15
# Popularity of base texts: weight 1 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT.
ZIPF_OFFSET, ZIPF_EXPONENT = 20, 1.1


def vary(text: str, rnd: random.Random) -> str:
    """One ticket's text: a base text as a customer might have typed it this time."""
    if rnd.random() < P_TYPO:
        text = _typo(text, rnd)
    r = rnd.random()
    if r < P_LOWER:
        text = text.lower()
    elif r < P_LOWER + P_UPPER:
        text = text.upper()
    if rnd.random() < P_GREETING:
        text = f"{rnd.choice(GREETINGS)} {text}"
    if rnd.random() < P_REFERENCE:
        ref = rnd.choice(REFERENCES).format(
            n=rnd.randrange(100_000, 1_000_000), m=rnd.randrange(1000, 10_000)
        )
        text = f"{text} {ref}"
    if rnd.random() < P_CLOSING:
        text = f"{text} {rnd.choice(CLOSINGS)}"
    return text


def generate(
    path: Path,
    n: int,
    *,
    seed: int,
    prefix: str,
    start: dt.datetime,
    days: float,
    bases: list[str] | None = None,
) -> dict[str, Any]:
    """Write ``n`` tickets as JSONL (id, created_at, text); returns counts.

    Base texts are drawn with a Zipf-like skew (a few templated questions are asked
    very often, a long tail rarely), in an order shuffled by ``seed`` 0 so that every
    file of a run shares the same popular texts.
    """
    bases = bases if bases is not None else load_base_texts()[0]
    order = list(range(len(bases)))
    random.Random(0).shuffle(order)  # popularity rank -> base, the same for every file
    weights = [1.0 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT for rank in range(len(bases))]
    rnd = random.Random(seed)
    picks = rnd.choices(order, weights=weights, k=n)
    step = days * 86400 / max(n, 1)
    distinct: set[str] = set()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for i, b in enumerate(picks):
            text = vary(bases[b], rnd)
            distinct.add(text)
            created = start + dt.timedelta(seconds=int(i * step) + rnd.randrange(60))
            fh.write(
                json.dumps(
                    {"id": f"{prefix}{i:07d}", "created_at": created.isoformat(), "text": text},
                    ensure_ascii=False,
                )
                + "\n"
            )
    return {
        "path": str(path),
        "tickets": n,
        "distinct_texts": len(distinct),
        "base_texts_used": len(set(picks)),
        "bytes": path.stat().st_size,
        "seed": seed,
        "id_prefix": prefix,
    }


# Files of one run: (name, tickets, seed, id prefix, first created_at, days spanned)
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
FILES = {
    "main": (1_000_000, 1, "T", START, 364.0),
    "increment": (10_000, 2, "N", START + dt.timedelta(days=364), 7.0),
    "more": (90_000, 3, "M", START + dt.timedelta(days=371), 63.0),
    "s100k": (100_000, 4, "S", START, 364.0),
    "s10k": (10_000, 5, "P", START + dt.timedelta(days=364), 35.0),
}


def make_files(tmp: Path, names: list[str], *, main_tickets: int) -> dict[str, Any]:
    """Write the named files; all but the 10k increment scale with ``main_tickets`` / 1M."""
    bases, per_source = load_base_texts()
    out: dict[str, Any] = {"base_texts": len(bases), "base_texts_per_source": per_source}
    for name in names:
        n, seed, prefix, start, days = FILES[name]
        if name != "increment":
            n = max(1, round(n * main_tickets / 1_000_000))
        t0 = time.perf_counter()
        info = generate(
            tmp / f"{name}.jsonl", n, seed=seed, prefix=prefix, start=start, days=days, bases=bases
        )
        info["seconds"] = round(time.perf_counter() - t0, 1)
        out[name] = info
        print(f"generated {name}: {json.dumps(info)}", file=sys.stderr, flush=True)
    return out


# ---------------------------------------------------------------------------------------
# Steps, each run in its own child process
# ---------------------------------------------------------------------------------------


def _emit(result: dict[str, Any]) -> None:
    import ticketlens

    result["ticketlens_from"] = str(Path(ticketlens.__file__).parent)
    print("RESULT " + json.dumps(result), flush=True)


def _progress_log(t0: float, steps: list[tuple[str, float]]):
    def say(step: str) -> None:
        steps.append((step, round(time.perf_counter() - t0, 2)))
        print(f"  [{time.perf_counter() - t0:7.1f}s] {step}", file=sys.stderr, flush=True)

    return say


def step_ingest(args: argparse.Namespace) -> None:
    t_start = time.perf_counter()
    from ticketlens.workspace import Workspace

    root = Path(args.workspace)
    if not (root / "ticketlens.toml").exists():
        Workspace.init(root)
    overrides = {} if args.auto_assign else {"themes.auto_assign": False}
    ws = Workspace.open(root, environ={}, overrides=overrides)
    t0 = time.perf_counter()
    result = pipeline.ingest(ws, [Path(args.file)])
    seconds = time.perf_counter() - t0
    counts = result.counts
    ws.close()
    _emit(
        {
            "ingest_call_seconds": round(seconds, 2),
            "process_seconds_after_start": round(time.perf_counter() - t_start, 2),
            "auto_assign": args.auto_assign,
            "counts": dataclasses.asdict(counts),
            "formats": result.formats,
        }
    )


def step_discover(args: argparse.Namespace) -> None:
    t_start = time.perf_counter()
    from ticketlens.themes.runs import run_discovery
    from ticketlens.workspace import Workspace

    ws = Workspace.open(Path(args.workspace), environ={})
    steps: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    run_id = run_discovery(ws, progress=_progress_log(t0, steps))
    seconds = time.perf_counter() - t0
    ws.close()
    _emit(
        {
            "run_id": run_id,
            "run_discovery_seconds": round(seconds, 2),
            "imports_seconds": round(t0 - t_start, 2),
            "steps": steps,
        }
    )


def step_assign(args: argparse.Namespace) -> None:
    t_start = time.perf_counter()
    from ticketlens.themes.increment import assign_new
    from ticketlens.workspace import Workspace

    ws = Workspace.open(Path(args.workspace), environ={})
    steps: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    inc = assign_new(ws, progress=_progress_log(t0, steps))
    seconds = time.perf_counter() - t0
    ws.close()
    _emit(
        {
            "assign_new_seconds": round(seconds, 2),
            "imports_seconds": round(t0 - t_start, 2),
            "increment": {
                "run_id": inc.run_id,
                "tickets": inc.tickets,
                "placed": inc.placed,
                "unclear": inc.unclear,
                "proposed": len(inc.proposed),
                "discovered_languages": inc.discovered_languages,
            },
            "steps": steps,
        }
    )


# Set by ``all``: a frozen copy of src/ that every child imports ticketlens from.
CHILD_ENV: dict[str, str] | None = None


def snapshot_src(tmp: Path) -> dict[str, Any]:
    """Copy src/ticketlens to ``tmp``/src so that edits made to src/ during a long run do
    not mix two versions of the code in one run; what was copied is recorded."""
    dest = tmp / "src"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(
        REPO / "src" / "ticketlens",
        dest / "ticketlens",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    digest = hashlib.sha256()
    for path in sorted((dest / "ticketlens").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(dest)).encode() + b"\0" + path.read_bytes())

    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout

    return {
        "path": str(dest),
        "git_head": git("rev-parse", "HEAD").strip(),
        "uncommitted_in_src": [x for x in git("status", "--short", "--", "src").splitlines() if x],
        "diff_sha256": hashlib.sha256(git("diff", "HEAD", "--", "src").encode()).hexdigest(),
        "tree_sha256": digest.hexdigest(),
    }


def run_child(argv: list[str]) -> dict[str, Any]:
    """Run ``run.py argv`` in a child; its RESULT, wall seconds and peak RSS (wait4)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *argv]
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]  # other work on the machine skews timings
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=REPO, env=CHILD_ENV)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"step failed ({proc.returncode}): {' '.join(argv)}\n{out}")
    line = next(x for x in reversed(out.splitlines()) if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["process_wall_seconds"] = round(wall, 2)
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux: KiB
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
    result["loadavg_1min_before"] = round(load_before, 2)
    print(f"  -> {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


# ---------------------------------------------------------------------------------------
# Reading the store (plain sqlite3, outside any timed step)
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _db(workspace: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection, closed on exit (never left open while a step writes)."""
    con = sqlite3.connect(f"file:{workspace / '.ticketlens' / 'ticketlens.db'}?mode=ro", uri=True)
    try:
        yield con
    finally:
        con.close()


def snapshot(workspace: Path) -> dict[int, int | None]:
    with _db(workspace) as con:
        return dict(con.execute("SELECT ticket_id, theme_id FROM theme_assignments"))


def store_facts(workspace: Path) -> dict[str, Any]:
    with _db(workspace) as con:
        states = dict(con.execute("SELECT state, COUNT(*) FROM themes GROUP BY state"))
        live = con.execute(
            "SELECT COUNT(*) FROM themes"
            " WHERE state IN ('proposed', 'active', 'curated') AND size > 0"
        ).fetchone()[0]
        last = con.execute(
            "SELECT id, kind, tickets, themes, unclear, summary FROM theme_runs ORDER BY id DESC"
        ).fetchone()
        return {
            "last_run": None
            if last is None
            else dict(zip(("id", "kind", "tickets", "themes", "unclear"), last[:5], strict=True))
            | {"summary": json.loads(last[5]) if last[5] else None},
            "tickets": con.execute("SELECT COUNT(*) FROM tickets").fetchone()[0],
            "distinct_bodies": con.execute("SELECT COUNT(DISTINCT body) FROM tickets").fetchone()[
                0
            ],
            "assignments": con.execute("SELECT COUNT(*) FROM theme_assignments").fetchone()[0],
            "unclear": con.execute(
                "SELECT COUNT(*) FROM theme_assignments WHERE theme_id IS NULL"
            ).fetchone()[0],
            "themes_by_state": states,
            "live_themes_with_tickets": live,
            "proposed": states.get("proposed", 0),
            "theme_runs": con.execute("SELECT COUNT(*) FROM theme_runs").fetchone()[0],
            "db_mb": round((workspace / ".ticketlens" / "ticketlens.db").stat().st_size / 2**20, 1),
        }


def compare(before: dict[int, int | None], after: dict[int, int | None]) -> dict[str, Any]:
    """How many of ``before``'s tickets kept their theme id in ``after``."""
    same = same_themed = themed = missing = 0
    moves: Counter[str] = Counter()
    for ticket, theme in before.items():
        if ticket not in after:
            missing += 1
            continue
        now = after[ticket]
        if theme is not None:
            themed += 1
        if now == theme:
            same += 1
            same_themed += theme is not None
        else:
            kind = (
                "theme->unclear"
                if now is None
                else "unclear->theme"
                if theme is None
                else "theme->other theme"
            )
            moves[kind] += 1
    total = len(before)
    return {
        "old_tickets": total,
        "unchanged": same,
        "unchanged_share": round(same / total, 6) if total else None,
        "with_theme_before": themed,
        "with_theme_unchanged_share": round(same_themed / themed, 6) if themed else None,
        "moves": dict(moves),
        "missing_after": missing,
        "new_tickets_after": len(after.keys() - before.keys()),
    }


# ---------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    packages = {}
    for name in (
        "ticketlens", "numpy", "scipy", "scikit-learn", "SQLAlchemy", "onnxruntime",
        "model2vec", "graspologic-native", "py3langid", "tokenizers",
    ):  # fmt: skip
        with contextlib.suppress(PackageNotFoundError):
            packages[name] = version(name)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--short", "src"], cwd=REPO, capture_output=True, text=True
    ).stdout.split("\n")
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "packages": packages,
        "git_head": commit,
        "src_uncommitted_changes": [x for x in dirty if x],
    }


def _save(out: Path, results: dict[str, Any]) -> None:
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def bench_all(args: argparse.Namespace) -> None:
    tmp = Path(args.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    results: dict[str, Any] = {"machine": machine(), "config": vars(args).copy()}
    results["config"].pop("func", None)
    parts = set(args.parts.split(","))
    if not args.live_src:
        global CHILD_ENV
        results["source"] = snapshot_src(tmp)
        CHILD_ENV = dict(os.environ, PYTHONPATH=results["source"]["path"])

    names = []
    if parts & {"scale", "increment", "stability1m"}:
        names += ["main", "increment"]
    if "stability1m" in parts:
        names += ["more"]
    if "stability" in parts:
        names += ["s100k", "s10k"]
    results["data"] = make_files(tmp, names, main_tickets=args.tickets)
    _save(out, results)

    if parts & {"scale", "increment", "stability1m"}:
        ws = tmp / "ws-1m"
        shutil.rmtree(ws, ignore_errors=True)
        scale: dict[str, Any] = {}
        results["scale"] = scale
        scale["ingest"] = run_child(
            [
                "step-ingest",
                "--workspace",
                str(ws),
                "--file",
                str(tmp / "main.jsonl"),
                "--no-auto-assign",
            ]
        )
        scale["store_after_ingest"] = store_facts(ws)
        _save(out, results)
        scale["discover"] = run_child(["step-discover", "--workspace", str(ws)])
        scale["store_after_discover"] = store_facts(ws)
        scale["targets"] = {
            "discover_under_180s": scale["discover"]["process_wall_seconds"] < 180,
            "peak_rss_under_4gb": scale["discover"]["peak_rss_mb"] < 4000,
        }
        _save(out, results)

        inc: dict[str, Any] = {}
        results["increment"] = inc
        before = snapshot(ws)
        # The same state, copied, to time assign_new alone in a fresh process.
        alone = tmp / "ws-1m-assign"
        shutil.rmtree(alone, ignore_errors=True)
        shutil.copytree(ws, alone)
        inc["ingest_with_auto_assign"] = run_child(
            ["step-ingest", "--workspace", str(ws), "--file", str(tmp / "increment.jsonl")]
        )
        after = snapshot(ws)
        inc["old_tickets_kept"] = compare(before, after)
        inc["store_after"] = store_facts(ws)
        _save(out, results)
        inc["ingest_without_auto_assign"] = run_child(
            [
                "step-ingest",
                "--workspace",
                str(alone),
                "--file",
                str(tmp / "increment.jsonl"),
                "--no-auto-assign",
            ]
        )
        inc["assign_new_alone"] = run_child(["step-assign", "--workspace", str(alone)])
        inc["assign_new_alone_old_tickets_kept"] = compare(before, snapshot(alone))
        shutil.rmtree(alone, ignore_errors=True)
        inc["targets"] = {
            "ingest_with_auto_assign_under_10s": inc["ingest_with_auto_assign"][
                "ingest_call_seconds"
            ]
            < 10,
            "assign_new_alone_under_10s": inc["assign_new_alone"]["process_wall_seconds"] < 10,
            # every old ticket that had a theme keeps it (unclear ones may join a proposal)
            "old_themed_tickets_all_unchanged": inc["old_tickets_kept"][
                "with_theme_unchanged_share"
            ]
            == 1.0,
            "old_tickets_all_unchanged_incl_unclear": inc["old_tickets_kept"]["unchanged"]
            == inc["old_tickets_kept"]["old_tickets"],
        }
        _save(out, results)

        if "stability1m" in parts:
            results["stability_1m"] = stability(
                ws, tmp / "more.jsonl", out, results, "stability_1m", fresh=False, before=before
            )
            _save(out, results)

    if "stability" in parts:
        ws = tmp / "ws-100k"
        shutil.rmtree(ws, ignore_errors=True)
        results["stability_100k"] = stability(
            ws, tmp / "s10k.jsonl", out, results, "stability_100k", fresh=True,
            first=tmp / "s100k.jsonl",
        )  # fmt: skip
        _save(out, results)
    print(json.dumps(results, indent=2))


def stability(
    ws: Path,
    extra: Path,
    out: Path,
    results: dict[str, Any],
    key: str,
    *,
    fresh: bool,
    first: Path | None = None,
    before: dict[int, int | None] | None = None,
) -> dict[str, Any]:
    """Discover, add ~10% more tickets (placed by the increment), discover again from scratch."""
    part: dict[str, Any] = {}
    results[key] = part
    if fresh:
        assert first is not None
        part["ingest"] = run_child(
            ["step-ingest", "--workspace", str(ws), "--file", str(first), "--no-auto-assign"]
        )
        part["discover_first"] = run_child(["step-discover", "--workspace", str(ws)])
        before = snapshot(ws)
    assert before is not None
    part["store_before"] = store_facts(ws)
    part["ingest_extra_with_auto_assign"] = run_child(
        ["step-ingest", "--workspace", str(ws), "--file", str(extra)]
    )
    part["store_after_extra"] = store_facts(ws)
    _save(out, results)
    part["discover_again"] = run_child(["step-discover", "--workspace", str(ws)])
    after = snapshot(ws)
    part["store_after_rediscovery"] = store_facts(ws)
    part["original_tickets_kept"] = compare(before, after)
    part["target_kept_at_least_95pct"] = (
        part["original_tickets_kept"]["unchanged_share"] or 0
    ) >= 0.95
    return part


def _phases(steps: list[list[Any]], total: float) -> list[tuple[str, float]]:
    """Seconds per progress step (each step runs until the next one starts)."""
    out: list[tuple[str, float]] = []
    for (name, start), nxt in zip(steps, [*steps[1:], ["end", total]], strict=True):
        out.append((name, round(nxt[1] - start, 1)))
    return out


def gen(args: argparse.Namespace) -> None:
    print(json.dumps(make_files(Path(args.tmp), args.names, main_tickets=args.tickets), indent=2))


def table(args: argparse.Namespace) -> None:
    """Markdown tables of a results.json, as pasted into README.md."""
    r = json.loads(Path(args.results).read_text(encoding="utf-8"))
    pct = lambda x: f"{100 * x:.2f}%"  # noqa: E731
    rows = []
    big = f"{r['data']['main']['tickets']:,}" if "main" in r["data"] else "?"
    if "scale" in r:
        sc, d = r["scale"], r["scale"]["discover"]
        rows += [
            (
                f"{big}: ingest (not a target)",
                f"{sc['ingest']['ingest_call_seconds']} s",
                f"{sc['ingest']['peak_rss_mb']:,.0f} MB",
                "",
            ),
            (
                f"{big}: `run_discovery` child process (imports + call)",
                f"{d['process_wall_seconds']} s",
                f"{d['peak_rss_mb']:,.0f} MB",
                "< 180 s, < 4 GB",
            ),
            (f"{big}: `run_discovery` call alone", f"{d['run_discovery_seconds']} s", "", ""),
        ]
    if "increment" in r:
        i = r["increment"]
        k = i["old_tickets_kept"]
        rows += [
            (
                "+10,000: `ws.ingest` with auto-assign (the whole call)",
                f"{i['ingest_with_auto_assign']['ingest_call_seconds']} s",
                f"{i['ingest_with_auto_assign']['peak_rss_mb']:,.0f} MB",
                "< 10 s",
            ),
            (
                "+10,000: `assign_new` child process (imports + model load + call)",
                f"{i['assign_new_alone']['process_wall_seconds']} s",
                f"{i['assign_new_alone']['peak_rss_mb']:,.0f} MB",
                "< 10 s",
            ),
            (
                "+10,000: `assign_new` call alone",
                f"{i['assign_new_alone']['assign_new_seconds']} s",
                "",
                "",
            ),
            (
                "+10,000: old tickets with a theme that keep it",
                pct(k["with_theme_unchanged_share"]) + f" of {k['with_theme_before']:,}",
                "",
                "100%",
            ),
            (
                "+10,000: all old tickets whose theme_id is unchanged",
                pct(k["unchanged_share"]) + f" of {k['old_tickets']:,}",
                "",
                "",
            ),
        ]
    for key in ("stability_100k", "stability_1m"):
        if key in r:
            st = r[key]
            name = f"{st['original_tickets_kept']['old_tickets']:,}"
            k = st["original_tickets_kept"]
            rows += [
                (
                    f"{name} +10%: original tickets keeping their theme id after re-discovery",
                    pct(k["unchanged_share"]) + f" of {k['old_tickets']:,}",
                    "",
                    ">= 95%",
                ),
                (
                    f"{name} +10%: re-discovery child process",
                    f"{st['discover_again']['process_wall_seconds']} s",
                    f"{st['discover_again']['peak_rss_mb']:,.0f} MB",
                    "",
                ),
            ]
    print("| measure | value | peak RSS | target |\n|---|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for key in ("stability_100k", "stability_1m"):
        if key in r:
            st = r[key]
            print(f"\n{key}: themes by state before / after +10% / after re-discovery:")
            for label in ("store_before", "store_after_extra", "store_after_rediscovery"):
                f = st[label]
                print(f"  {label}: {f['themes_by_state']} unclear={f['unclear']}")
            print(f"  moves of original tickets: {st['original_tickets_kept']['moves']}")
    if "scale" in r:
        d = r["scale"]["discover"]
        print(f"\n{big} discovery, seconds per step (the largest language group in full):")
        group, others, names = 0, 0.0, []
        for name, sec in _phases(d["steps"], d["run_discovery_seconds"]):
            if name.startswith("themes"):
                group += 1
                if group > 1:
                    names.append(name.removeprefix("themes of "))
            if group > 1 and name != "saving":
                others += sec
            else:
                print(f"  {sec:6.1f}  {name}")
        if names:
            print(f"  {others:6.1f}  the other {len(names)} language groups: {', '.join(names)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(required=True)

    p = sub.add_parser("all", help="the whole benchmark; writes --out")
    p.add_argument("--tickets", type=int, default=1_000_000, help="size of the big corpus")
    p.add_argument(
        "--parts",
        default="scale,increment,stability,stability1m",
        help="comma list of scale,increment,stability (100k),stability1m",
    )
    p.add_argument("--tmp", default=str(DEFAULT_TMP), help="ticket files and workspaces")
    p.add_argument("--out", default=str(HERE / "results.json"))
    p.add_argument(
        "--live-src",
        action="store_true",
        help="import ticketlens from the work tree instead of a copy of src/ made at the start",
    )
    p.set_defaults(func=bench_all)

    p = sub.add_parser("gen", help="only write ticket files (FILES names) and print counts")
    p.add_argument("names", nargs="+", choices=list(FILES))
    p.add_argument("--tickets", type=int, default=1_000_000, help="size of 'main'")
    p.add_argument("--tmp", default=str(DEFAULT_TMP))
    p.set_defaults(func=gen)

    p = sub.add_parser("table", help="print the README tables from a results.json")
    p.add_argument("results", nargs="?", default=str(HERE / "results.json"))
    p.set_defaults(func=table)

    p = sub.add_parser("step-ingest", help="(child) pipeline.ingest(ws, [file]) into --workspace")
    p.add_argument("--workspace", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--no-auto-assign", dest="auto_assign", action="store_false")
    p.set_defaults(func=step_ingest)

    p = sub.add_parser("step-discover", help="(child) run_discovery(ws)")
    p.add_argument("--workspace", required=True)
    p.set_defaults(func=step_discover)

    p = sub.add_parser("step-assign", help="(child) assign_new(ws)")
    p.add_argument("--workspace", required=True)
    p.set_defaults(func=step_assign)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
