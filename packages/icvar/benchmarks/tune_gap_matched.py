"""Choose ICVaR-L's bonus multiplier c for gap-matched-alpha on held-out seeds.

Rule (fixed before running): for each c of the grid and each α of the sweep, the mean final regret over the
held-out seeds is divided by the best mean at that α over the grid; the chosen c minimises the sum over α
of these ratios (one c for every α, as the bonus already carries the theory's 1/α). The no-bonus variant has
no c; ``--reference`` also runs it on the same seeds.

    uv run --package icvar python packages/icvar/benchmarks/tune_gap_matched.py --episodes 1000
"""

from __future__ import annotations

import argparse

import numpy as np
from paperkit import set_threads

from icvar.batched import run_rows
from icvar.experiments import ALPHAS_GM, gap_matched_config, late_regret


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--grid", type=float, nargs="+", default=[0.03, 0.1, 0.3])
    parser.add_argument("--seeds", type=int, nargs="+", default=[100, 101, 102, 103, 104])
    parser.add_argument("--reference", action="store_true", help="also run icvar-l-nobonus")
    args = parser.parse_args()
    set_threads(1)
    alphas = ALPHAS_GM["paper"]
    ref = [("icvar-l-nobonus", 0.0)] if args.reference else []
    arms = ref + [("icvar-l", c) for c in args.grid]
    cfgs = [
        gap_matched_config(m, a, args.episodes, s, bonus_scale=c)
        for m, c in arms
        for a in alphas
        for s in args.seeds
    ]
    res = run_rows(cfgs)
    reg = res["regret"].reshape(len(arms), len(alphas), len(args.seeds), args.episodes)
    print(f"gap-matched-alpha, K={args.episodes}, held-out seeds {args.seeds}: final regret mean (late/ep)")
    print(f"{'arm':<22}" + "".join(f"{'α=' + str(a):>18}" for a in alphas))
    means = reg.sum(axis=3).mean(axis=2)  # (arms, alphas)
    for i, (m, c) in enumerate(arms):
        cells = []
        for j in range(len(alphas)):
            late = np.mean([late_regret(r) for r in reg[i, j]])
            cells.append(f"{means[i, j]:>10.1f} ({late:.3f})")
        print(f"{m + ' c=' + str(c):<22}" + "".join(f"{x:>18}" for x in cells))
    tuned = means[len(ref) :]
    score = (tuned / tuned.min(axis=0, keepdims=True)).sum(axis=1)
    print("score (sum over α of regret / best at that α):", dict(zip(args.grid, score.round(3), strict=True)))
    print(
        f"chosen c = {args.grid[int(score.argmin())]}  ({float(res['seconds']):.0f} s for {len(cfgs)} runs)"
    )


if __name__ == "__main__":
    main()
