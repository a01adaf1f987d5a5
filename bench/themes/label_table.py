"""Print the label tables of 20 random themes per set.

    python bench/themes/label_table.py bench/themes/results.json --pipeline ticketlens \
        --dataset banking77 --dataset clinc150            # label beside the gold intent
    python bench/themes/label_table.py bench/themes/results.json --review \
        bench/themes/label_review.json --dataset twcs_spotifycares   # a person's reading

``--review``: a person read each sampled theme's tickets and wrote, per set and label,
what the tickets are about and whether a lead would keep the label
(``{"set": {"label": {"about": "...", "keep": true}}}``). A label the file does not
hold (the labels changed since it was read) shows as not reviewed, and counts as no.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def table(run: dict[str, object]) -> str:
    quality = run["label_quality"]
    assert isinstance(quality, dict)
    lines = [
        f"**{run['pipeline']} on {run['dataset']}**: mean label/intent cosine over all "
        f"{quality['themes_scored']} themes {quality['mean_cosine']:.3f}",
        "",
        "| theme size | label | majority gold intent (share) | cosine |",
        "|---:|---|---|---:|",
    ]
    for ex in quality["examples"]:
        lines.append(
            f"| {ex['size']} | {ex['predicted']} | {ex['gold_majority']} "
            f"({ex['gold_share']:.0%}) | {ex['cosine']:.2f} |"
        )
    return "\n".join(lines)


def review_table(run: dict[str, Any], review: dict[str, dict[str, Any]]) -> str:
    sample = run.get("label_review") or []
    read = review.get(str(run["dataset"]), {})
    lines = [
        "| label | keywords | what the tickets are about (read by a person) | keep? |",
        "|---|---|---|---|",
    ]
    kept = 0
    for theme in sample:
        verdict = read.get(theme["label"])
        keep = bool(verdict and verdict.get("keep"))
        kept += keep
        about = verdict["about"] if verdict else "(not reviewed)"
        keywords = ", ".join(theme.get("keywords", [])[:5])
        lines.append(
            f"| {_cell(theme['label'])} | {_cell(keywords)} | {_cell(about)} | "
            f"{'yes' if keep else 'no'} |"
        )
    head = (
        f"**{run['pipeline']} on {run['dataset']}**: {len(sample)} random themes of "
        f"{run['themes']}; a lead would keep {kept} of {len(sample)} labels "
        f"({kept / max(1, len(sample)):.0%})"
    )
    return "\n".join([head, "", *lines])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--pipeline", default="ticketlens")
    parser.add_argument("--dataset", action="append", default=[])
    parser.add_argument("--review", type=Path, help="a person's reading of the sampled themes")
    args = parser.parse_args()
    runs = json.loads(args.results.read_text())["runs"]
    review = json.loads(args.review.read_text()) if args.review else None
    for run in runs:
        wanted = run["pipeline"] == args.pipeline and run["dataset"] in args.dataset
        if wanted and review is not None and run.get("label_review"):
            print(review_table(run, review) + "\n")
        elif wanted and run.get("label_quality"):
            print(table(run) + "\n")


if __name__ == "__main__":
    main()
