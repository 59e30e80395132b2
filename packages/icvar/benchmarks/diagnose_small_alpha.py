"""Diagnostic: does ICVaR-L leave the safe branch at small α if given more episodes? (held-out seeds)

Runs the gap-matched instance at α ∈ {0.1, 0.2} for K episodes on seeds 100-104 (the tuning seeds, which no
experiment uses) and prints the mean per-episode regret in ten equal windows of K: 0.2 = on the safe branch.

    uv run --package icvar python packages/icvar/benchmarks/diagnose_small_alpha.py --episodes 10000
"""

from __future__ import annotations

import argparse

from paperkit import set_threads

from icvar.batched import run_rows
from icvar.experiments import gap_matched_config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=10000)
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.1, 0.2])
    parser.add_argument("--seeds", type=int, nargs="+", default=[100, 101, 102, 103, 104])
    args = parser.parse_args()
    set_threads(1)
    cfgs = [gap_matched_config("icvar-l", a, args.episodes, s) for a in args.alphas for s in args.seeds]
    res = run_rows(cfgs)
    reg = res["regret"].reshape(len(args.alphas), len(args.seeds), 10, -1).mean(axis=3)  # windows
    print(f"ICVaR-L (c as in gap-matched-alpha), K={args.episodes}, seeds {args.seeds}")
    print("mean regret per episode in each tenth of K, per seed (0.2 = safe branch, 0 = risky optimum)")
    for i, a in enumerate(args.alphas):
        for j, s in enumerate(args.seeds):
            print(f"alpha={a} seed={s}: " + " ".join(f"{v:.3f}" for v in reg[i, j]))
        print(
            f"alpha={a} mean final regret {res['regret'][i * len(args.seeds) : (i + 1) * len(args.seeds)].sum(axis=1).mean():.1f}"
        )
    print(f"({float(res['seconds']):.0f} s)")


if __name__ == "__main__":
    main()
