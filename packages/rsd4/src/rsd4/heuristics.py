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


def channel_policy(energy: float, threshold: int, lag: int = 0):
    """A heuristic that *sees* the channel (the headroom arm of C1): spend ``energy`` on every queued packet of
    a user whose channel index is <= ``threshold`` (0 = best), nothing otherwise.

    ``lag=0`` reads the channel of the slot being transmitted (what full observation gives); ``lag=1`` reads
    the previous slot's channel. For a Markov channel the previous channel is all that any history can say
    about the next one, so ``lag=1`` bounds the channel information a recurrent agent can extract from
    (o, a) history with the channel hidden; it spends as a constant policy in the first slot.
    """
    if lag not in (0, 1):
        raise ValueError(f"lag must be 0 or 1, got {lag!r}")

    def policy(obs, prev, state, core: SchedulerCore):
        if core.n_nodes != 1:
            raise ValueError("the channel heuristic is defined for single-hop systems only")
        seen = core.channels if lag == 0 else state
        on = np.ones(core.channels.shape) if seen is None else (seen <= threshold).astype(float)
        e = energy * on[..., None] * np.ones(prev.shape)
        return 2.0 * e - 1.0, core.channels.copy()

    return policy


def best_channel_policy(core: SchedulerCore, e0: float, episode_len: int, seed: int, lag: int):
    """``channel_policy`` with its threshold chosen (and its energy calibrated to E_0) on the calibration
    episodes: returns (policy, threshold, energy)."""
    best = None
    for threshold in range(core.n_channels):
        make = lambda e, th=threshold: channel_policy(e, th, lag)  # noqa: E731
        knob = calibrate(make, core, e0, episode_len, seed)
        seq = run_episodes(core, make(knob), 10, episode_len, np.random.default_rng(seed), True)
        thr = float((core.row_weights[None, :, None] * seq["delivered"]).sum((1, 2)).mean())
        if best is None or thr > best[0]:
            best = (thr, threshold, knob)
    _, threshold, knob = best
    return channel_policy(knob, threshold, lag), threshold, knob
