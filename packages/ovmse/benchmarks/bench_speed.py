"""Env steps/s (acting with the agent net, 1 env copy vs K copies in lockstep) and learner updates/s
(plain TD, + OVM memory, + CFCQL penalty) for N = 3 and N = 5 agents, measured in one run.

    uv run --package ovmse python packages/ovmse/benchmarks/bench_speed.py [--copies 8] [--updates 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from paperkit import Seeder, set_threads

from ovmse.config import Config
from ovmse.learner import frozen_copy, to_tensors
from ovmse.train import collect_dataset, make_adapters, new_learner, rollout


def env_rate(cfg: Config, copies: int, episodes: int) -> float:
    learner = new_learner(cfg, Seeder(0), "bench")
    adapters = make_adapters(cfg, copies)
    rng = np.random.default_rng(0)
    steps, t0 = 0, time.perf_counter()
    done = 0
    while done < episodes:
        _, st = rollout(
            adapters,
            list(range(done, done + copies)),
            learner.net,
            eps=0.3,
            se_mode="indep",
            clock=0,
            rng=rng,
            reward_scale=0.1,
        )
        steps += st.steps
        done += copies
    return steps / (time.perf_counter() - t0)


def update_rate(cfg: Config, updates: int, **kw) -> float:
    seeder = Seeder(0)
    learner = new_learner(cfg, seeder, "bench")
    data = collect_dataset(cfg, learner.net, seeder)
    rng = np.random.default_rng(0)
    batches = [to_tensors(data.sample(cfg.batch_size, rng)) for _ in range(updates + 1)]
    learner.update(batches[0], **kw)
    t0 = time.perf_counter()
    for b in batches[1:]:
        learner.update(b, **kw)
    return updates / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=8)
    ap.add_argument("--updates", type=int, default=20)
    ap.add_argument("--episodes", type=int, default=64)
    args = ap.parse_args()
    set_threads(1)
    for n in (3, 5):
        cfg = Config(n_agents=n, dataset_episodes=64)
        one = env_rate(cfg, 1, args.episodes)
        many = env_rate(cfg, args.copies, args.episodes)
        mem = frozen_copy(new_learner(cfg, Seeder(1), "m").net)
        plain = update_rate(cfg, args.updates)
        ovm = update_rate(cfg, args.updates, memory=mem, memory_weight=0.5)
        cql = update_rate(cfg, args.updates, cql_alpha=5.0)
        print(
            f"simple_spread N={n}: env steps/s 1 copy {one:.0f}, {args.copies} copies {many:.0f} "
            f"(ratio {many / one:.2f}); updates/s (batch {cfg.batch_size} episodes) TD {plain:.1f}, "
            f"+OVM {ovm:.1f} (ratio {ovm / plain:.2f}), +CFCQL {cql:.1f} (ratio {cql / plain:.2f})"
        )


if __name__ == "__main__":
    main()
