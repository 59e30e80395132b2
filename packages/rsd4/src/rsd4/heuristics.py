"""The two non-learning baselines, each calibrated to the energy budget by bisection on its one knob."""

from __future__ import annotations

import numpy as np

from rsd4.env import SchedulerCore
from rsd4.rollout import run_episodes


def constant_policy(energy: float):
    """Spend the same energy e on every queued packet."""

    def policy(obs, prev, state, core: SchedulerCore):
        return np.full(prev.shape, 2.0 * energy - 1.0), state

    return policy


def greedy_policy(e_hi: float):
    """Deadline-first: spend e_hi·β_n/max β on the packets at their last chance (entry 0), nothing elsewhere."""

    def policy(obs, prev, state, core: SchedulerCore):
        if core.n_nodes != 1:
            raise ValueError("the deadline-first greedy heuristic is defined for single-hop systems only")
        e = np.zeros(prev.shape)
        e[..., 0] = e_hi * core.p.weights / core.p.weights.max()
        return 2.0 * e - 1.0, state

    return policy


def energy_per_slot(
    core: SchedulerCore, policy, episode_len: int, seed: int, copies: int = 10, observe_channel: bool = True
) -> float:
    seq = run_episodes(core, policy, copies, episode_len, np.random.default_rng(seed), observe_channel)
    return float(seq["energy"].sum(1).mean())


def budget(core: SchedulerCore, fraction: float, episode_len: int, seed: int) -> float:
    """E_0 = fraction × the energy/slot of the always-e=1 policy."""
    return fraction * energy_per_slot(core, constant_policy(1.0), episode_len, seed)


def node_budgets(core, fraction: float, episode_len: int, seed: int, copies: int = 10) -> np.ndarray:
    """Per-node budgets E_0^h = fraction × node h's energy/slot under the always-e=1 policy, shape (K,)
    (K = 1 for the single-hop system, where it equals ``budget``)."""
    seq = run_episodes(core, constant_policy(1.0), copies, episode_len, np.random.default_rng(seed), True)
    return fraction * seq["energy_node"].sum(1).mean((0, 1))


def calibrate(
    make_policy, core: SchedulerCore, e0: float, episode_len: int, seed: int, iters: int = 14
) -> float:
    """The largest knob in [0, 1] whose energy/slot stays <= E_0 (bisection; common random numbers)."""
    if energy_per_slot(core, make_policy(1.0), episode_len, seed) <= e0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if energy_per_slot(core, make_policy(mid), episode_len, seed) <= e0:
            lo = mid
        else:
            hi = mid
    return lo
