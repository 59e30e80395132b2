"""Seed-vectorised learners vs the per-seed loop, measured in the same run: episodes x seeds per second.

    uv run --package rs-disrl python packages/rs-disrl/benchmarks/bench_seeds.py [--seeds 10] [--episodes 200] [--reps 3]

Both sides run the same configs and give the same regret seed by seed (tests/test_vectorised.py); the figure is the
ratio of their throughputs (median over repetitions), so it holds on a loaded machine as long as both sides share it.
"""

from __future__ import annotations

import argparse
import dataclasses

from paperkit import set_threads
from paperkit.timing import time_arms

from rs_disrl.config import TrainConfig
from rs_disrl.train import train
from rs_disrl.vectorised import train_seeds

CASES = {
    "rs-disrl-v on Z": TrainConfig(instance="Z", method="rs-disrl-v"),
    "rs-disrl-m on Z": TrainConfig(instance="Z", method="rs-disrl-m"),
    "lsvi-ucb on Z": TrainConfig(instance="Z", method="lsvi-ucb"),
    "rs-disrl-v on cvar-lb": TrainConfig(
        instance="cvar-lb", method="rs-disrl-v", tau=0.05, gap=0.1, bonus_scale=0.3
    ),
    "rs-disrl-m on erm-lb": TrainConfig(
        instance="erm-lb", method="rs-disrl-m", risk="entropic", gamma=4.0, gap=0.2
    ),
}


def arms(cfg: TrainConfig, seeds: list[int]) -> dict:
    """The same seeds run one at a time and as one vectorised batch."""
    return {
        "loop": lambda: [train(dataclasses.replace(cfg, seed=s)) for s in seeds],
        "vectorised": lambda: train_seeds(cfg, seeds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    set_threads(1)
    seeds = list(range(args.seeds))
    print(
        f"{args.seeds} seeds x K={args.episodes}, median of {args.reps} repetitions, order alternating (1 thread):"
    )
    print(f"  {'case':24s} {'per-seed loop':>14s} {'vectorised':>12s} {'ratio':>7s}   (episodes x seeds / s)")
    for name, base in CASES.items():
        cfg = dataclasses.replace(base, episodes=args.episodes)
        t = time_arms(arms(cfg, seeds), args.reps)
        work = args.episodes * args.seeds
        a, b = t["loop"].rate(work), t["vectorised"].rate(work)
        print(f"  {name:24s} {a:14.0f} {b:12.0f} {b / a:6.2f}x", flush=True)


if __name__ == "__main__":
    main()
