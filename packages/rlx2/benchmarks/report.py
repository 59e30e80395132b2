"""Markdown tables from a reproduction folder (the records every cell wrote).

    python benchmarks/report.py runs/reproduce/quick [--experiment td3] [--trace-every 10]

Prints the final return per method (mean over the seeds found, and as % of dense), counted training and
inference FLOPs, the return-vs-steps curve and the dynamic buffer's size trace.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from collections import defaultdict
from pathlib import Path

from paperkit import read_records


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("root", type=Path)
    p.add_argument("--experiment", default="td3", help="one name, or several joined by commas")
    p.add_argument(
        "--trace-every", type=int, default=1, help="print every k-th buffer check (plus a summary)"
    )
    args = p.parse_args()
    recs = [r for f in sorted(args.root.rglob("records.jsonl")) for r in read_records(f)]
    recs = [r for r in recs if r.experiment in args.experiment.split(",")]  # e.g. td3,td3_parts
    by = defaultdict(lambda: defaultdict(list))  # method -> metric -> [(seed, step, value)]
    for r in recs:
        by[r.method][r.metric].append((r.seed, r.step, r.value))
    order = ("dense", "rlx2", "rigl", "set", "ss", "rlx2-nobuf", "rlx2-nonstep")
    methods = [m for m in order if m in by] + sorted(m for m in by if m not in order)
    dense = statistics.fmean(v for _, _, v in by["dense"]["final_return"]) if "dense" in by else None
    print(f"### {args.experiment}: final return (mean of the last evaluations)\n")
    print("| method | seeds | final return (per seed) | mean | vs dense | train FLOPs | inference FLOPs |")
    print("|---|---|---|---|---|---|---|")
    for m in methods:
        finals = sorted(by[m]["final_return"])
        mean = statistics.fmean(v for _, _, v in finals)
        pct = "-"
        if dense is not None:  # % of dense for positive returns; the difference for negative ones (Pendulum)
            pct = f"{100 * mean / dense:.1f}%" if dense > 0 else f"{mean - dense:+.1f}"
        tf = statistics.fmean(v for _, _, v in by[m]["train_flops_rel"])
        inf = statistics.fmean(v for _, _, v in by[m]["infer_flops_rel"])
        per_seed = ", ".join(f"{v:.1f}" for _, _, v in finals)
        print(f"| {m} | {len(finals)} | {per_seed} | {mean:.1f} | {pct} | {tf:.3f}x | {inf:.3f}x |")
    print(f"\n### {args.experiment}: evaluation return vs env steps (mean over seeds)\n")
    steps = sorted({s for m in methods for _, s, _ in by[m]["eval_return"]})
    print("| method | " + " | ".join(str(s) for s in steps) + " |")
    print("|---|" + "---|" * len(steps))
    for m in methods:
        cells = []
        for s in steps:
            vals = [v for _, st, v in by[m]["eval_return"] if st == s]
            cells.append(f"{statistics.fmean(vals):.0f}" if vals else "")
        print(f"| {m} | " + " | ".join(cells) + " |")
    for m in methods:
        trace = sorted(by[m]["buffer_size"], key=lambda x: (x[0], x[1]))
        if trace:
            dist = {(s, st): v for s, st, v in by[m]["policy_distance"]}
            print(f"\n{m} buffer size (step: size after the check, D = policy distance):\n")
            for seed in sorted({s for s, _, _ in trace}):
                rows = [(st, int(v), dist[(s, st)]) for s, st, v in trace if s == seed]
                shown = ", ".join(f"{st}:{v} (D={d:.2f})" for st, v, d in rows[:: args.trace_every])
                # a check shrank the buffer when the size grew by less than the steps since the last check
                shrinks = sum(b[1] - a[1] < b[0] - a[0] for a, b in itertools.pairwise(rows))
                ds = [d for _, _, d in rows]
                print(
                    f"- seed {seed}: {len(rows)} checks, {shrinks} shrinks after the first, D in "
                    f"[{min(ds):.2f}, {max(ds):.2f}], final size {rows[-1][1]}; {shown}"
                )


if __name__ == "__main__":
    main()
