"""Print the label-quality tables (20 random themes: label beside the majority gold intent).

    python bench/themes/label_table.py bench/themes/results.json --pipeline ticketlens \
        --dataset banking77 --dataset clinc150
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--pipeline", default="ticketlens")
    parser.add_argument("--dataset", action="append", default=[])
    args = parser.parse_args()
    runs = json.loads(args.results.read_text())["runs"]
    for run in runs:
        wanted = run["pipeline"] == args.pipeline and run["dataset"] in args.dataset
        if wanted and run.get("label_quality"):
            print(table(run) + "\n")


if __name__ == "__main__":
    main()
