"""Reference returns on the *same* greedy-evaluation episodes a training run uses (its eval env seeds):
a uniformly random policy, the no-op policy and a hand-coded "agent i steers to landmark i" policy.

    python packages/mast/benchmarks/reference_policies.py --seeds 0 1 2 --episodes 10

A learned policy must beat the random / no-op rows to count as learning; the hand-coded row shows what a
simple coordinated policy reaches on simple_spread.
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
from paperkit import Seeder, set_threads

from mast.config import Config
from mast.train import make_adapter


def steer_to_own_landmark(obs: np.ndarray) -> np.ndarray:
    """simple_spread obs: [vel(2), pos(2), landmark rel pos (2N), ...]; actions 1/2 = −x/+x, 3/4 = −y/+y."""
    acts = []
    for k in range(obs.shape[0]):
        d = obs[k, 4 + 2 * k : 6 + 2 * k] - 0.5 * obs[k, 0:2]  # damp by the current velocity
        if np.abs(d).max() < 0.05:
            acts.append(0)
        elif abs(d[0]) > abs(d[1]):
            acts.append(2 if d[0] > 0 else 1)
        else:
            acts.append(4 if d[1] > 0 else 3)
    return np.array(acts)


def run(cfg: Config, policy: str, env_seed: int, rng: np.random.Generator) -> float:
    adapter = make_adapter(cfg)
    obs, avail, _ = adapter.reset(env_seed)
    total = 0.0
    while True:
        if policy == "random":
            acts = np.array([rng.choice(np.flatnonzero(a)) for a in avail])
        elif policy == "noop":
            acts = np.zeros(adapter.n_agents, dtype=np.int64)
        else:
            acts = steer_to_own_landmark(obs)
        res = adapter.step(acts)
        total += res.reward
        obs, avail = res.obs, res.avail
        if res.terminated or res.truncated:
            return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--episodes", type=int, default=10, help="eval episodes per run (quick preset: 10)")
    args = ap.parse_args()
    set_threads(1)
    print("| policy | " + " | ".join(f"seed {s}" for s in args.seeds) + " | mean |")
    print("|---" * (len(args.seeds) + 2) + "|")
    for policy in ("random", "noop", "steer_to_own_landmark"):
        means = []
        for s in args.seeds:
            cfg = Config(seed=s)
            base = Seeder(s).int("eval") % 2**31  # the env seeds train()'s greedy evaluation uses
            rng = np.random.default_rng(s)
            means.append(statistics.fmean(run(cfg, policy, base + i, rng) for i in range(args.episodes)))
        cells = " | ".join(f"{m:.1f}" for m in means)
        print(f"| {policy} | {cells} | {statistics.fmean(means):.1f} |")


if __name__ == "__main__":
    main()
