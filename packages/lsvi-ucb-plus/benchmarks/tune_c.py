"""Choose the shared bonus multiplier c on held-out seeds, with the same grid and seeds for both methods.

Rule (fixed before running): for each c of the grid, each method's mean regret over the held-out seeds is
divided by that method's best mean over the grid; the chosen c minimises the sum of the two ratios, so it is
valid for both methods and neither gets more tuning than the other. Also prints the big-floor share.

    uv run --package lsvi-ucb-plus python packages/lsvi-ucb-plus/benchmarks/tune_c.py --episodes 20000
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
from paperkit import set_threads

from lsvi_ucb_plus import Config
from lsvi_ucb_plus.batched import run_rows
from lsvi_ucb_plus.experiments import late_regret


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=20000)
    parser.add_argument("--grid", type=float, nargs="+", default=[0.03, 0.1, 0.3])
    parser.add_argument("--seeds", type=int, nargs="+", default=[100, 101, 102, 103, 104])
    args = parser.parse_args()
    set_threads(1)
    base = Config(instance="hard", d=4, horizon=4, episodes=args.episodes, hard_delta=0.04)
    algos = ("lsvi-ucb-plus", "lsvi-ucb")
    means: dict[tuple[str, float], float] = {}
    print(f"hard instance d=4 H=4 Δ=0.04, K={args.episodes}, held-out seeds {args.seeds}")
    print(f"{'algo':<15} {'c':>6} {'regret mean':>12} {'± s.e.':>8} {'late/ep':>9} {'big-floor':>9}")
    for algo in algos:
        cfgs = [
            dataclasses.replace(base, algo=algo, bonus_scale=c, seed=s) for c in args.grid for s in args.seeds
        ]
        res = run_rows(cfgs)
        n = len(args.seeds)
        for i, c in enumerate(args.grid):
            rows = slice(i * n, (i + 1) * n)
            total = res["regret"][rows].sum(axis=1)
            late = np.mean([late_regret(r) for r in res["regret"][rows]])
            means[algo, c] = float(total.mean())
            bf = np.nanmean(res["big_floor_fraction"][rows]) if algo != "lsvi-ucb" else float("nan")
            se = total.std(ddof=1) / np.sqrt(n)
            print(f"{algo:<15} {c:>6g} {total.mean():>12.1f} {se:>8.1f} {late:>9.4f} {bf:>9.3f}")
        print(f"  ({res['seconds']:.0f} s for {len(cfgs)} runs in one batch)")
    score = {c: sum(means[a, c] / min(means[a, g] for g in args.grid) for a in algos) for c in args.grid}
    best = min(score, key=score.get)
    print("score (sum of regret / method's best):", {c: round(v, 3) for c, v in score.items()})
    print(f"chosen c = {best}")


if __name__ == "__main__":
    main()
