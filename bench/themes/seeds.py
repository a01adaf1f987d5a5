"""How much theme quality moves with the seed alone: ticketlens on one set, three seeds.

    HF_HUB_OFFLINE=1 /tmp/embenv/bin/python bench/themes/seeds.py banking77 [--seeds 0,1,2]

The seed picks the transformer's sample and Leiden's order; a change of code that moves a
figure by less than this spread has not been shown to change anything.
"""

from __future__ import annotations

import argparse

import datasets
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from ticketlens.themes import discover_texts
from ticketlens.themes.corpus import ticket_text
from ticketlens.themes.engine import DiscoveryOptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset")
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    data = datasets.load(args.dataset)
    texts = [ticket_text(None, t) for t in data.texts]
    print("| seed | themes | NMI | ARI |\n|---:|---:|---:|---:|")
    for seed in (int(s) for s in args.seeds.split(",")):
        found = discover_texts(texts, DiscoveryOptions(seed=seed))
        nmi = normalized_mutual_info_score(data.labels, found.assignments)
        ari = adjusted_rand_score(data.labels, found.assignments)
        print(f"| {seed} | {len(found.themes)} | {nmi:.4f} | {ari:.4f} |", flush=True)


if __name__ == "__main__":
    main()
