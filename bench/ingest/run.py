"""Ingest benchmark: a generated CSV of N rows imported with redaction on, on SQLite and
PostgreSQL; wall time, rows/s and peak RSS of the whole process tree (workers included).

Run from the repository root (PostgreSQL: pass --postgres-url, or set
TICKETLENS_TEST_POSTGRES_URL; `bash .ci/postgres-up` prints one):

    python bench/ingest/run.py --rows 1000000

The CSV is deterministic (seeded): texts from the bundled sample (banking77, CC BY 4.0)
with personal data planted in about 6% of rows (emails, phones, cards, IBANs), so the
redactor has real work; 12 columns as a helpdesk export would have.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "src" / "ticketlens" / "sample" / "tickets.jsonl"
PII = [
    "Contact me at {name}.{n}@example.com please",
    "Call me back on +44 20 7946 {n4}",
    "My card 4111 1111 1111 1111 was charged twice",
    "Refund to GB82 WEST 1234 5698 7654 32 please",
    "My number is (555) 123-{n4}",
]


def make_csv(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with SAMPLE.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    channels, statuses = ["email", "chat", "phone"], ["solved", "closed", "open", "pending"]
    groups = ["Cards L1", "Payments L1", "Disputes L2", "Onboarding", "Fraud & Security"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "id",
                "created_at",
                "solved_at",
                "requester",
                "channel",
                "status",
                "priority",
                "group",
                "tags",
                "csat",
                "subject",
                "text",
            ]
        )
        for i in range(rows):
            text = rnd.choice(texts)
            if rnd.random() < 0.06:
                text += " " + rnd.choice(PII).format(name="ann", n=i, n4=f"{i % 10000:04d}")
            day = 1 + i * 365 // rows
            created = f"2025-{1 + (day - 1) // 31 % 12:02d}-{1 + (day - 1) % 28:02d}"
            out.writerow([
                f"T{i:07d}", f"{created} {rnd.randrange(24):02d}:{rnd.randrange(60):02d}:00",
                "" if rnd.random() < 0.1 else f"{created} 23:59:00",
                f"cust{rnd.randrange(rows // 4 or 1)}", rnd.choice(channels),
                rnd.choice(statuses), rnd.choice(["low", "normal", "high"]),
                rnd.choice(groups), "cards,app" if rnd.random() < 0.3 else "",
                rnd.choice(["", "", "", "1", "3", "5"]), "", text,
            ])  # fmt: skip


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


def run_import(workspace: Path, csv_path: Path, db: str | None) -> dict[str, float]:
    command = [sys.executable, "-m", "ticketlens", "--workspace", str(workspace)]
    if db:
        command += ["--db", db]
    command += ["ingest", str(csv_path), "--format", "csv"]
    started = time.perf_counter()
    peak = 0
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.2)
        summary = proc.stdout.read() if proc.stdout else ""
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"import failed ({proc.returncode}): {summary}")
    return {"seconds": seconds, "peak_rss_mb": peak / 1024, "summary": summary.strip()}  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=os.environ.get("TICKETLENS_TEST_POSTGRES_URL"))
    parser.add_argument("--keep", type=Path, help="keep the generated CSV here")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tl-bench-"))
    csv_path = args.keep or tmp / f"tickets_{args.rows}.csv"
    if not csv_path.exists():
        make_csv(csv_path, args.rows)
    size_mb = csv_path.stat().st_size / 1e6
    engines = [("sqlite", None)] + (
        [("postgresql", args.postgres_url)] if args.postgres_url else []
    )
    import importlib.metadata as md

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, "
        f"ticketlens {md.version('ticketlens')}, SQLAlchemy {md.version('sqlalchemy')}, "
        f"SQLite {__import__('sqlite3').sqlite_version}"
    )
    print(f"input: {args.rows:,} rows, {size_mb:.0f} MB CSV; redaction on")
    print("| engine | rows | seconds | rows/s | peak RSS (MB) | summary |")
    print("|---|---:|---:|---:|---:|---|")
    for engine, url in engines:
        workspace = tmp / f"ws-{engine}"
        subprocess.run(
            [sys.executable, "-m", "ticketlens", "init", str(workspace)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if url:  # a clean schema for each run
            _reset_postgres(url)
        result = run_import(workspace, csv_path, url)
        print(
            f"| {engine} | {args.rows:,} | {result['seconds']:.1f} | "
            f"{args.rows / result['seconds']:,.0f} | {result['peak_rss_mb']:.0f} | "
            f"{result['summary']} |",
            flush=True,
        )
    shutil.rmtree(tmp, ignore_errors=True)


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    from ticketlens.store import normalise_url

    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
