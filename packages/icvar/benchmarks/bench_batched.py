"""Seed-episodes per second: the seed-vectorised ICVaR-L against the per-seed loop, in the same run.

For each instance and batch size B, runs B seeds one at a time with ``train`` (the per-seed loop) and as one
batch with ``run_seeds``, ``--reps`` times each (interleaved, order alternating), and prints the median rates and their ratio.
Both give the same regret, seed by seed (checked here too, and in tests/test_batched.py).

    uv run --package icvar python packages/icvar/benchmarks/bench_batched.py
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
from paperkit import set_threads
from paperkit.timing import time_arms

from icvar import train
from icvar.batched import run_seeds
from icvar.experiments import base_config, gap_matched_config


def time_case(cfg, seeds: list[int], reps: int):
    """The per-seed loop and the batch on the same seeds, interleaved; their timings and last regrets."""
    runs: dict[str, np.ndarray] = {}
    t = time_arms(
        {
            "loop": lambda: runs.update(
                loop=np.stack([train(dataclasses.replace(cfg, seed=s)).regret for s in seeds])
            ),
            "batch": lambda: runs.update(batch=run_seeds(cfg, seeds)["regret"]),
        },
        reps,
    )
    return t, runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--batch", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    set_threads(1)
    cases = [
        ("risk-contrast S=20 H=6 N=121", base_config(algo="icvar-l", alpha=0.3, episodes=args.episodes)),
        ("gap-matched S=6 H=4 N=201", gap_matched_config("icvar-l", 0.4, args.episodes, 0)),
    ]
    print(f"ICVaR-L, K={args.episodes}; median of {args.reps} reps; seed-episodes per second")
    print(f"{'instance':<30} {'B':>3} {'per-seed loop':>14} {'batched':>10} {'speed-up':>9}  same regret")
    for name, cfg in cases:
        for B in args.batch:
            seeds = list(range(B))
            t, runs = time_case(cfg, seeds, args.reps)
            work = B * args.episodes
            loop_r, batch_r = t["loop"].rate(work), t["batch"].rate(work)
            ref, out = runs["loop"], runs["batch"]
            same = bool(np.allclose(ref, out, rtol=0, atol=1e-12))
            print(f"{name:<30} {B:>3} {loop_r:>14.0f} {batch_r:>10.0f} {batch_r / loop_r:>8.1f}x  {same}")


if __name__ == "__main__":
    main()
