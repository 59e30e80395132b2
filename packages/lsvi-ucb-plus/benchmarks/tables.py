"""The README tables from an evidence (or run) folder: per experiment and method, the mean ± 95% t-interval
half-width over seeds of every final scalar metric (paperkit.summary's tables, at 4 significant digits).

    uv run --package lsvi-ucb-plus python packages/lsvi-ucb-plus/benchmarks/tables.py packages/lsvi-ucb-plus/evidence/paper
"""

from __future__ import annotations

import argparse
from pathlib import Path

from paperkit.records import folder_records
from paperkit.summary import curve_table, metric_table

METRICS = ["cumulative_regret", "late_regret", "loglog_slope_K", "switches", "big_floor_fraction"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--metrics", nargs="+", default=METRICS)
    parser.add_argument("--curve", help="also print this stepped metric: mean ± 95% half-width per step")
    args = parser.parse_args()
    records = folder_records(args.root)
    if args.curve:
        print(curve_table(records, args.curve, ci=True, digits=4))
    print(metric_table(records, tuple(args.metrics), ci=True, digits=4))


if __name__ == "__main__":
    main()
