"""Precision@1 of the link suggestions against the bundled sample's ground truth.

Builds a workspace from the sample (its tickets and mission file), discovers themes,
suggests links, and checks each theme's suggested outcome, system and journey step
against the one most of its tickets belong to (sample/ground_truth.yaml + issues.csv).
Run twice: with the mission file's tags (the default) and on words alone.

    .venv/bin/python bench/links/evaluate.py --out bench/links/results.json
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml
from sqlalchemy import delete, select

from ticketlens import pipeline
from ticketlens.mission import suggest_links
from ticketlens.review import LINK_KINDS as KINDS
from ticketlens.sample import sample_file
from ticketlens.store.schema import ReviewItem, ThemeAssignment, Ticket
from ticketlens.themes.runs import run_discovery
from ticketlens.workspace import Workspace

TRUTH_KEY = {"outcome": "outcome", "system": "system", "step": "journey_step"}


def truth_by_theme(ws: Workspace) -> dict[int, dict[str, str]]:
    issues = {
        i["id"]: i for i in yaml.safe_load(sample_file("ground_truth.yaml").read_text())["issues"]
    }
    with sample_file("issues.csv").open(encoding="utf-8") as fh:
        issue_of = {r["id"]: r["issue"] for r in csv.DictReader(fh)}
    members: dict[int, list[str]] = defaultdict(list)
    with ws.store.session() as s:
        rows = s.execute(
            select(ThemeAssignment.theme_id, Ticket.external_id)
            .join(Ticket, Ticket.id == ThemeAssignment.ticket_id)
            .where(ThemeAssignment.theme_id.is_not(None))
        )
        for theme, external in rows:
            members[theme].append(external)
    return {
        theme: {
            link: Counter(issues[issue_of[e]][key] for e in ids).most_common(1)[0][0]
            for link, key in TRUTH_KEY.items()
        }
        for theme, ids in members.items()
    }


def precision(ws: Workspace, truth: dict[int, dict[str, str]]) -> dict[str, dict[str, float]]:
    out = {}
    with ws.store.session() as s:
        for link, kind in KINDS.items():
            items = s.scalars(select(ReviewItem).where(ReviewItem.kind == kind)).all()
            hits = sum(
                i.target.split(":", 1)[1] == truth[int(i.subject.split(":")[1])][link]
                for i in items
            )
            out[link] = {
                "themes": len(items),
                "correct": hits,
                "precision_at_1": round(hits / len(items), 3),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ticketlens-links-")) / "ws"
    Workspace.init(root)
    shutil.copyfile(sample_file("mission.yaml"), root / "mission.yaml")
    ws = Workspace.open(root)
    pipeline.ingest(ws, [sample_file("tickets.jsonl")], source="sample", format="jsonl")
    run_discovery(ws)
    truth = truth_by_theme(ws)
    results: dict[str, object] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "themes": len(truth),
    }
    for name, use_tags in (("words_and_tags", True), ("words_only", False)):
        with ws.store.session() as s:  # start from an empty queue each time
            s.execute(delete(ReviewItem).where(ReviewItem.kind.in_(list(KINDS.values()))))
        started = time.perf_counter()
        suggest_links(ws, use_tags=use_tags)
        results[name] = precision(ws, truth) | {"seconds": round(time.perf_counter() - started, 1)}
    print(f"{results['themes']} themes of the sample (majority ground truth per theme)")
    print("| signals | outcome | system | journey step | seconds |")
    print("|---|---:|---:|---:|---:|")
    for name in ("words_and_tags", "words_only"):
        r = results[name]
        assert isinstance(r, dict)
        cells = " | ".join(
            f"{r[k]['precision_at_1']:.3f} ({r[k]['correct']}/{r[k]['themes']})"
            for k in ("outcome", "system", "step")
        )
        print(f"| {name.replace('_', ' ')} | {cells} | {r['seconds']} |")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    ws.close()


if __name__ == "__main__":
    main()
