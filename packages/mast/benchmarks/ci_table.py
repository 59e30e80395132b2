"""README table: per method, mean ± 95% CI (Student t over seeds) of the final greedy return, of the late
return (mean of the last ``--late`` greedy evaluations, less noisy than one 10-episode evaluation), of the
per-seed difference to a reference method (same seeds = same env and eval episodes), of the counted FLOPs, of
the short-horizon gap ``q_overestimation`` and of ``value_bias`` (over the seeds that logged it). ``--until``
takes the late window from the evaluations up to that env step (the gap part-way through a longer run).
The last column is the per-action gap of the target utilities (mean max − mean over available actions, scaled
reward units) over the last evaluation interval, and ω·gap at the default ω = 10 (Soft Mellowmax's regime).
``--experiment`` picks one experiment of a folder that holds several (an evidence folder).

    python packages/mast/benchmarks/ci_table.py /tmp/mast/q/runs/quick --reference dense --late 3 \
        --methods dense mast rigl static mast_no_sm mast_no_dual mast_no_hybrid
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
    ap.add_argument("--methods", nargs="*", default=None, help="row order (default: as found)")
    ap.add_argument(
        "--until", type=int, default=None, help="late return over the evaluations at env steps <= UNTIL only"
    )
    ap.add_argument(
        "--experiment", default=None, help="only this experiment (needed when ROOT holds several)"
    )
    args = ap.parse_args()
    records = folder_records(args.root)
    found = sorted({r.experiment for r in records})
    if args.experiment is not None:
        records = [r for r in records if r.experiment == args.experiment]
    elif len(found) > 1:
        ap.error(f"{args.root} holds experiments {found}: choose one with --experiment")
    methods = args.methods or list(dict.fromkeys(r.method for r in records))

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
                if r.method == method
                and r.seed == seed
                and r.metric == "return"
                and r.step is not None
                and (args.until is None or r.step <= args.until)
            )
            out[seed] = statistics.fmean(v for _, v in curve[-args.late :])
        return out

    ref_late = late(args.reference)
    cols = [
        "seeds",
        "final return",
        "per seed",
        f"late return (last {args.late} evals{f' to {args.until} steps' if args.until else ''})",
        f"late − {args.reference} (paired)",
        "train FLOPs / dense",
        "infer FLOPs / dense",
        "q_overestimation",
        "value_bias (seeds)",
        "action gap (ω·gap at ω=10)",
    ]
    print("| method | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for m in methods:
        fin, lat, bias = finals(m, "final_return"), late(m), finals(m, "value_bias")
        paired = [lat[s] - ref_late[s] for s in lat if s in ref_late]
        cells = [
            str(len(fin)),
            mean_ci(list(fin.values())),
            " / ".join(f"{fin[k]:.1f}" for k in sorted(fin)),
            mean_ci(list(lat.values())),
            mean_ci(paired) if paired and m != args.reference else "–",
            mean_ci(list(finals(m, "train_flops_rel").values())),
            mean_ci(list(finals(m, "infer_flops_rel").values())),
            mean_ci(list(finals(m, "q_overestimation").values())),
            f"{mean_ci(list(bias.values()))} ({len(bias)})" if bias else "–",
            # the last eval interval's mean (max − mean) target-utility gap; older records lack it
            f"{mean_ci(gap)} ({10 * statistics.fmean(gap):.2g})"
            if (gap := list(finals(m, "final_action_gap").values()))
            else "–",
        ]
        print(f"| {m} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
