"""The README tables from an evidence (or run) folder: per experiment and method, the mean ± 95% t-interval
half-width over seeds of every final scalar metric.

    uv run --package lsvi-ucb-plus python packages/lsvi-ucb-plus/benchmarks/tables.py packages/lsvi-ucb-plus/evidence/paper
"""

from __future__ import annotations

import argparse
import math
import statistics
from pathlib import Path

from paperkit.experiments import final_values
from paperkit.records import folder_records

T975 = {2: 12.71, 3: 4.30, 4: 3.18, 5: 2.78, 6: 2.57, 7: 2.45, 8: 2.36, 9: 2.31, 10: 2.26}


def fmt(values: list[float]) -> str:
    if not values:
        return "–"
    m = statistics.fmean(values)
    if len(values) < 2:
        return f"{m:.4g}"
    half = (
        T975.get(len(values), 2.26 if len(values) > 10 else 12.71)
        * statistics.stdev(values)
        / math.sqrt(len(values))
    )
    return f"{m:.4g} ± {half:.2g}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument(
        "--metrics",
        nargs="+",
        default=["cumulative_regret", "late_regret", "loglog_slope_K", "switches", "big_floor_fraction"],
    )
    parser.add_argument("--curve", help="also print this stepped metric: mean ± 95% half-width per step")
    args = parser.parse_args()
    records = folder_records(args.root)
    if args.curve:
        by = {}
        for r in records:
            if r.metric == args.curve and r.step is not None:
                by.setdefault((r.experiment, r.method), {}).setdefault(r.step, []).append(r.value)
        for (exp, method), steps in by.items():
            print(
                f"{exp} {method} {args.curve}: "
                + "; ".join(f"{k}: {fmt(v)}" for k, v in sorted(steps.items()))
            )
    for exp in sorted({r.experiment for r in records}):
        recs = [r for r in records if r.experiment == exp]
        methods = list(dict.fromkeys(r.method for r in recs))
        finals = {m: final_values(recs, m) for m in args.metrics}
        seeds = {r.seed for r in recs}
        print(f"\n{exp} ({len(seeds)} seeds; mean ± 95% t-interval half-width)\n")
        print("| method | " + " | ".join(args.metrics) + " |")
        print("|---" * (len(args.metrics) + 1) + "|")
        for method in methods:
            cells = [fmt(list(finals[m].get(method, {}).values())) for m in args.metrics]
            print(f"| {method} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
