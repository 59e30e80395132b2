"""Seed-episodes per second: the seed-vectorised learners against the per-seed loop, in the same run.

For each learner and batch size B, runs B seeds one at a time with ``train`` (the per-seed loop) and as one
batch with ``run_seeds``, ``--reps`` times each (interleaved), and prints the median rates and their ratio.
Both give the same regret, seed by seed (checked here too, and in tests/test_batched.py).

    uv run --package lsvi-ucb-plus python packages/lsvi-ucb-plus/benchmarks/bench_batched.py
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np
from paperkit import set_threads

from lsvi_ucb_plus import Config, train
from lsvi_ucb_plus.batched import run_seeds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=500)
    parser.add_argument("--batch", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    set_threads(1)
    base = Config(instance="hard", d=4, horizon=4, episodes=args.episodes, hard_delta=0.04, bonus_scale=0.03)
    print(f"hard instance d=4 H=4, K={args.episodes}; median of {args.reps} reps; seed-episodes per second")
    print(f"{'learner':<15} {'B':>3} {'per-seed loop':>14} {'batched':>10} {'speed-up':>9}  same regret")
    for algo in ("lsvi-ucb-plus", "lsvi-ucb"):
        cfg = dataclasses.replace(base, algo=algo)
        for B in args.batch:
            seeds = list(range(B))
            loop_t, batch_t = [], []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                ref = np.stack([train(dataclasses.replace(cfg, seed=s)).regret for s in seeds])
                loop_t.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                out = run_seeds(cfg, seeds)["regret"]
                batch_t.append(time.perf_counter() - t0)
            work = B * args.episodes
            loop_r, batch_r = work / statistics.median(loop_t), work / statistics.median(batch_t)
            same = bool(np.allclose(ref, out, rtol=0, atol=1e-9))
            print(f"{algo:<15} {B:>3} {loop_r:>14.0f} {batch_r:>10.0f} {batch_r / loop_r:>8.1f}x  {same}")


if __name__ == "__main__":
    main()
