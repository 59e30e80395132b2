"""README table: per method, mean ± 95% CI (Student t over seeds) of the final greedy return, of the late
return (mean of the last ``--late`` greedy evaluations, less noisy than one 10-episode evaluation), of the
per-seed difference to a reference method (same seeds = same env and eval episodes), and of the counted FLOPs
and the overestimation gap.

    python packages/mast/benchmarks/ci_table.py /tmp/mast/q/runs/quick --reference dense --late 3
"""

from __future__ import annotations

import argparse
import statistics

from paperkit.summary import folder_records, mean_ci


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--reference", default="dense")
    ap.add_argument("--late", type=int, default=3)
    args = ap.parse_args()
    records = folder_records(args.root)
    methods = list(dict.fromkeys(r.method for r in records))

    def finals(method: str, metric: str) -> dict[int, float]:
        return {
            r.seed: r.value for r in records if r.method == method and r.metric == metric and r.step is None
        }

    def late(method: str) -> dict[int, float]:
        out = {}
        for seed in {r.seed for r in records if r.method == method}:
            curve = sorted(
                (r.step, r.value)
                for r in records
                if r.method == method and r.seed == seed and r.metric == "return" and r.step is not None
            )
            out[seed] = statistics.fmean(v for _, v in curve[-args.late :])
        return out

    ref_late = late(args.reference)
    cols = [
        "seeds",
        "final return",
        f"late return (last {args.late} evals)",
        f"late − {args.reference} (paired)",
        "train FLOPs / dense",
        "infer FLOPs / dense",
        "q_overestimation",
    ]
    print("| method | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for m in methods:
        fin, lat = finals(m, "final_return"), late(m)
        paired = [lat[s] - ref_late[s] for s in lat if s in ref_late]
        cells = [
            str(len(fin)),
            mean_ci(list(fin.values())),
            mean_ci(list(lat.values())),
            mean_ci(paired) if paired and m != args.reference else "–",
            mean_ci(list(finals(m, "train_flops_rel").values())),
            mean_ci(list(finals(m, "infer_flops_rel").values())),
            mean_ci(list(finals(m, "q_overestimation").values())),
        ]
        print(f"| {m} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
