"""Simulator steps/s (vectorised over users and env copies) and learner updates/s, one CPU thread.

Reference measured in the same run: the Gymnasium wrapper stepping one copy at a time (E = 1), i.e. a
per-env Python loop. Times are process CPU time (one thread), robust to a loaded machine. Learner: one update on a batch of 16 whole per-user episodes of 100 slots.

    uv run --package rsd4 python packages/rsd4/benchmarks/bench_speed.py
"""

from __future__ import annotations

import time

import numpy as np
import torch
from paperkit import set_threads

from rsd4.agent import Agent, AgentSpec
from rsd4.env import SchedulerCore, SchedulingEnv, draw_system
from rsd4.multihop import MultiHopCore, draw_multihop_system


def core_rate(n_users: int, copies: int, steps: int = 200) -> float:
    rng = np.random.default_rng(0)
    core = SchedulerCore(draw_system(rng, n_users, 6, 4), 6, 4)
    core.reset(copies, rng)
    e = rng.uniform(0, 1, core.queues.shape)
    t0 = time.process_time()
    for _ in range(steps):
        core.step(e, rng)
        core.user_observations(False)
    return copies * steps / (time.process_time() - t0)


def multihop_rate(n_users: int, n_hops: int, copies: int, merge: str, steps: int = 200) -> float:
    rng = np.random.default_rng(0)
    core = MultiHopCore(draw_multihop_system(rng, n_users, n_hops, 6, 4), 6, 4, merge)
    core.reset(copies, rng)
    e = rng.uniform(0, 1, (copies, core.n_rows, core.act_dim))
    t0 = time.process_time()
    for _ in range(steps):
        core.step(e, rng)
        core.user_observations(False)
    return copies * steps / (time.process_time() - t0)


def gym_rate(n_users: int, steps: int = 2000) -> float:
    env = SchedulingEnv(n_users=n_users, episode_len=10**9)
    env.reset(seed=0)
    a = env.action_space.sample()
    t0 = time.process_time()
    for _ in range(steps):
        env.step(a)
    return steps / (time.process_time() - t0)


def update_rate(recurrent: bool, double: bool, n: int = 10) -> float:
    gen = torch.Generator().manual_seed(0)
    agent = Agent(8, 7, AgentSpec(recurrent=recurrent, double_actor=double, hidden=32), gen)
    batch = {"obs": torch.rand(16, 101, 8), "act": torch.rand(16, 100, 7) * 2 - 1, "rew": torch.rand(16, 100)}
    agent.update(batch, gen)
    t0 = time.process_time()
    for _ in range(n):
        agent.update(batch, gen)
    return n / (time.process_time() - t0)


def main() -> None:
    set_threads(1)
    print("simulator env-steps/s (one step = one slot of one N-user system), 1 thread")
    for n_users in (4, 8):
        ref = gym_rate(n_users)
        print(f"  N={n_users}: gymnasium env, one copy: {ref:9.0f}")
        for copies in (1, 16, 256):
            r = core_rate(n_users, copies)
            print(f"  N={n_users}: vectorised core, E={copies:4d}: {r:9.0f}  ({r / ref:.1f}x the gym loop)")
    for merge in ("path", "none"):
        for copies in (16, 256):
            r = multihop_rate(4, 2, copies, merge)
            print(f"  N=4, 2 nodes, merge={merge:4s}: vectorised core, E={copies:4d}: {r:9.0f}")
    print("learner updates/s (batch 16 episodes x 100 slots, hidden 32, M=10)")
    for name, rec, dbl in (
        ("TD3", False, False),
        ("SD3", False, True),
        ("RTD3", True, False),
        ("RSD4", True, True),
    ):
        print(f"  {name:5s}: {update_rate(rec, dbl):6.1f}")


if __name__ == "__main__":
    main()
