"""Tables and the L1-vs-trajectories plot of a finished `reproduce` run (reads the cells' records.jsonl).

.venv/bin/python packages/gflownet-losses/benchmarks/summarize.py packages/gflownet-losses/evidence/quick [PNG]
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path

from paperkit import read_records
from paperkit.summary import mean_ci

LOSSES = ("quadratic", "linex1", "linex05", "cosh")


def main(root: Path, png: Path | None) -> None:
    recs = [r for p in sorted(root.rglob("records.jsonl")) for r in read_records(p)]
    by = defaultdict(list)
    for r in recs:
        by[(r.experiment, r.method, r.metric)].append(r)

    def finals(exp, method, metric):
        out = {}
        for r in by[(exp, method, metric)]:
            if r.seed not in out or (r.step or 0) >= (out[r.seed][0] or 0):
                out[r.seed] = (r.step, r.value)
        return [v for _, v in out.values()]

    def med(v):
        return f"{statistics.median(v):.3g}" if v else "-"

    print("\n### Hyper-grid (exact L1; median over seeds)\n")
    print(
        "| objective | loss | seeds | final L1 | trajectories to L1 <= 0.3 | mode states found | mean log R (last 10%) |"
    )
    print("|---|---|---|---|---|---|---|")
    for obj in ("tb", "db", "subtb"):
        exp = f"hypergrid-{obj}"
        for loss in LOSSES:
            l1 = finals(exp, loss, "l1")
            if not l1:
                continue
            thr = finals(exp, loss, "trajectories_to_l1_threshold")
            reached = sum(v != float("inf") for v in thr)
            print(
                f"| {obj} | {loss} | {len(l1)} | {med(l1)} | {med(thr)} ({reached}/{len(thr)} reached) | "
                f"{med(finals(exp, loss, 'modes_found'))} | {med(finals(exp, loss, 'mean_log_reward'))} |"
            )
    conv = "hypergrid-converge"
    if by[(conv, LOSSES[0], "l1")]:
        print("\n### Hyper-grid run to convergence (TB; mean ± 95% t-interval over seeds)\n")
        print(
            "| loss | seeds | L1, second-to-last eval | final L1 | mean L1, last 25% of evals | final L1 per seed |"
        )
        print("|---|---|---|---|---|---|")
        for loss in LOSSES:
            rows = by[(conv, loss, "l1")]
            if not rows:
                continue
            seeds = sorted({r.seed for r in rows})
            per = {s: [v for _, v in sorted((r.step, r.value) for r in rows if r.seed == s)] for s in seeds}
            last, prev = [per[s][-1] for s in seeds], [per[s][-2] for s in seeds]
            tail = finals(conv, loss, "l1_tail_mean")
            print(
                f"| {loss} | {len(seeds)} | {mean_ci(prev)} | {mean_ci(last)} | {mean_ci(tail)} | "
                + ", ".join(f"{v:.3g}" for v in last)
                + " |"
            )
    print("\n### Bit sequences (Spearman: mean ± 95% t-interval over seeds; counts: median)\n")
    print(
        "| objective | loss | seeds | Spearman | untrained Spearman | modes found (10% of budget) | modes found "
        "(end) | runs with all modes | trajectories to all modes | mean log R (last 10%) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for obj in ("tb", "db", "subtb"):
        exp = f"bitseq-{obj}"
        for loss in LOSSES:
            m = finals(exp, loss, "modes_found")
            if not m:
                continue
            at = finals(exp, loss, "trajectories_to_all_modes")
            done = [v for v in at if v != float("inf")]
            sp, floor = finals(exp, loss, "spearman"), finals(exp, loss, "spearman_untrained")
            print(
                f"| {obj} | {loss} | {len(m)} | {mean_ci(sp)} | {mean_ci(floor) if floor else '-'} | "
                f"{med(finals(exp, loss, 'modes_found_early'))} | {med(m)} | {len(done)}/{len(at)} | {med(done)} | "
                f"{med(finals(exp, loss, 'mean_log_reward'))} |"
            )
    if png is None:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [e for e in ("tb", "db", "subtb", "converge") if by[(f"hypergrid-{e}", LOSSES[0], "l1")]]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 3.6), squeeze=False)
    axes = axes[0]
    for ax, obj in zip(axes, panels):
        for loss in LOSSES:
            rows = by[(f"hypergrid-{obj}", loss, "l1")]
            if not rows:
                continue
            steps = sorted({r.step for r in rows})
            curve = [statistics.median([r.value for r in rows if r.step == s]) for s in steps]
            ax.plot(steps, curve, label=loss)
        ax.set_title("hyper-grid, TB to convergence" if obj == "converge" else f"hyper-grid, {obj.upper()}")
        if obj == "converge":
            ax.set_yscale("log")  # the converged L1 values differ by orders of magnitude from the start
        ax.set_xlabel("trajectories")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("exact L1(P_T, R/Z), median over seeds")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"\nwrote {png}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
