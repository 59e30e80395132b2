"""Markdown tables from a reproduction folder (the records every cell wrote).

    python benchmarks/report.py runs/reproduce/quick

Prints the final validation loss per method (per seed, mean, gap to dense), the counted training FLOPs,
and the validation-loss curve.
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from pathlib import Path

from paperkit import read_records

ORDER = ("dense", "mst", "mst_no_restore", "mst_reverse_restore", "mst_rigl", "mst_4x", "dense_quarter",
         "dense_small")  # fmt: skip
# (MST variant, the dense baseline trained for about the same counted FLOPs)
PAIRS = (("mst_4x", "dense_quarter"), ("mst_reverse_restore", "dense_quarter"), ("mst", "dense_small"))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("root", type=Path)
    args = p.parse_args()
    by = defaultdict(lambda: defaultdict(list))  # method -> metric -> [(seed, step, value)]
    for f in sorted(args.root.rglob("records.jsonl")):
        for r in read_records(f):
            by[r.method][r.metric].append((r.seed, r.step, r.value))
    methods = [m for m in ORDER if m in by]
    dense = statistics.fmean(v for _, _, v in by["dense"]["final_val_loss"]) if "dense" in by else None
    print("| method | seeds | final val loss (per seed) | mean | gap to dense | train FLOPs vs dense |")
    print("|---|---|---|---|---|---|")
    for m in methods:
        finals = sorted(by[m]["final_val_loss"])
        mean = statistics.fmean(v for _, _, v in finals)
        gap = f"{100 * (mean - dense) / dense:+.2f}%" if dense else "-"
        tf = statistics.fmean(v for _, _, v in by[m]["train_flops_rel"])
        per_seed = ", ".join(f"{v:.4f}" for _, _, v in finals)
        print(f"| {m} | {len(finals)} | {per_seed} | {mean:.4f} | {gap} | {tf:.3f}x |")
    pairs = [(a, b) for a, b in PAIRS if a in by and b in by]
    if pairs:
        print("\nAt about equal counted FLOPs (per seed: MST minus dense):\n")
        print("| MST | FLOPs | dense baseline | FLOPs | MST mean | dense mean | MST - dense (per seed) |")
        print("|---|---|---|---|---|---|---|")
    for a, b in pairs:
        fa, fb = (
            dict((s, v) for s, _, v in by[a]["final_val_loss"]),
            dict((s, v) for s, _, v in by[b]["final_val_loss"]),
        )
        diffs = ", ".join(f"{fa[s] - fb[s]:+.3f}" for s in sorted(fa.keys() & fb.keys()))
        ta, tb = (statistics.fmean(v for _, _, v in by[m]["train_flops_rel"]) for m in (a, b))
        print(f"| {a} | {ta:.3f}x | {b} | {tb:.3f}x | {statistics.fmean(fa.values()):.4f} | "
              f"{statistics.fmean(fb.values()):.4f} | {diffs} |")  # fmt: skip
    steps = sorted({s for m in methods for _, s, _ in by[m]["val_loss"]})
    print("\nValidation loss vs iteration (mean over seeds):\n")
    print("| method | " + " | ".join(str(s) for s in steps) + " |")
    print("|---|" + "---|" * len(steps))
    for m in methods:
        cells = []
        for s in steps:
            vals = [v for _, st, v in by[m]["val_loss"] if st == s]
            cells.append(f"{statistics.fmean(vals):.3f}" if vals else "")
        print(f"| {m} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
