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
    (threshold,), knob = _best_calibrated(
        lambda e, th: channel_policy(e, th, lag),
        [(t,) for t in range(core.n_channels)],
        core,
        e0,
        episode_len,
        seed,
        True,
    )
    return channel_policy(knob, threshold, lag), threshold, knob


def _best_calibrated(
    make, candidates, core: SchedulerCore, e0: float, episode_len: int, seed: int, observe: bool
):
    """The candidate (a tuple of ``make``'s arguments after the energy) whose policy, with its energy calibrated
    to E_0, delivers the most weighted throughput on the calibration episodes: returns (candidate, energy)."""
    best = None
    for args in candidates:
        knob = calibrate(lambda e, a=args: make(e, *a), core, e0, episode_len, seed)
        seq = run_episodes(core, make(knob, *args), 10, episode_len, np.random.default_rng(seed), observe)
        thr = float((core.row_weights[None, :, None] * seq["delivered"]).sum((1, 2)).mean())
        if best is None or thr > best[0]:
            best = (thr, args, knob)
    return best[1], best[2]


def queues_from_observation(obs: np.ndarray, core: SchedulerCore) -> np.ndarray:
    """The lifetime buffers B_n (..., N, τ_max+1) out of per-user observation rows [features, B_n, (c_n)]."""
    start = 1 if core.user_feature == "index" else 2
    return obs[..., start : start + core.tau_max + 1]


def channel_posterior(
    prior: np.ndarray,
    queues_before: np.ndarray,
    queues_after: np.ndarray,
    energy: np.ndarray,
    deadlines: np.ndarray,
    distances: np.ndarray,
) -> np.ndarray:
    """Posterior over each user's channel in the slot just played, from what the agent sees.

    ``prior`` (E, N, C) over that slot's channel; ``queues_*`` (E, N, τ_max+1) the observed buffers before
    and after the slot; ``energy`` (E, N) the energy the policy put on each of the user's packets. A packet in
    entries 1..τ_n that was not delivered reappears one entry lower, so k = Σ_{i=1..τ_n} B_before[i] attempts
    and k − Σ_{j<τ_n} B_after[j] successes are read off the two observations (entry 0's outcome is not: it
    leaves either way, and arrivals enter entry τ_n). Each attempt succeeds with p_c = tanh(e / (d³ (c+1))).
    """
    entries = np.arange(queues_before.shape[-1])
    attempts = (queues_before * (entries >= 1)).sum(-1)
    kept = (queues_after * (entries[None, :] < deadlines[:, None])).sum(-1)
    successes = attempts - kept
    channels = np.arange(prior.shape[-1])
    p = np.tanh(energy[..., None] / (distances[None, :, None] ** 3 * (channels + 1.0)))
    p = np.clip(p, 1e-9, 1.0 - 1e-9)
    log_lik = successes[..., None] * np.log(p) + (attempts - successes)[..., None] * np.log1p(-p)
    log_post = np.log(np.maximum(prior, 1e-300)) + log_lik
    post = np.exp(log_post - log_post.max(-1, keepdims=True))
    return post / post.sum(-1, keepdims=True)


def filter_channel_policy(energy: float, threshold: int, probe: float = 0.0, cutoff: float = 0.5):
    """A history-only bound for C1: a Bayes filter over each user's hidden channel, fed only what the agent
    sees (its buffers and its own past energies) plus the model (success curve, channel matrix, d_n).

    Spend ``energy`` on every queued packet of a user whose filtered P(channel <= ``threshold``) >= ``cutoff``,
    ``probe × energy`` otherwise (a probe keeps information coming in while the belief says "bad"). Where
    ``channel_policy(lag=1)`` *reads* the previous channel, this one must infer it, so the gap between the two
    is the part of the lag-1 arm's value that this policy does not recover from the agent's observations.
    """
    if not 0.0 <= probe <= 1.0:
        raise ValueError(f"probe must be in [0, 1], got {probe!r}")
    if not 0.0 < cutoff <= 1.0:
        raise ValueError(f"cutoff must be in (0, 1], got {cutoff!r}")

    def policy(obs, prev, state, core: SchedulerCore):
        if core.n_nodes != 1:
            raise ValueError("the channel filter is defined for single-hop systems only")
        queues = queues_from_observation(obs, core)
        if state is None:  # reset draws every channel uniformly
            belief = np.full((*queues.shape[:2], core.n_channels), 1.0 / core.n_channels)
        else:
            prior, queues_before, spent = state
            post = channel_posterior(prior, queues_before, queues, spent, core.p.deadlines, core.p.distances)
            belief = np.einsum("enc,ncd->end", post, core.p.channel_matrix)  # the channel moves one step
        good = belief[..., : threshold + 1].sum(-1) >= cutoff
        spend = energy * np.where(good, 1.0, probe)  # (E, N)
        action = 2.0 * spend[..., None] * np.ones(prev.shape) - 1.0
        return action, (belief, queues.copy(), spend)

    return policy


def best_filter_policy(
    core: SchedulerCore, e0: float, episode_len: int, seed: int, probes: tuple[float, ...] = (0.0, 0.25, 0.5)
):
    """``filter_channel_policy`` with its threshold and probe chosen (and its energy calibrated to E_0) on the
    calibration episodes, as ``best_channel_policy`` chooses the lag-1 heuristic's: returns (policy,
    threshold, probe, energy)."""
    candidates = [(t, p) for t in range(core.n_channels) for p in probes]
    (threshold, probe), knob = _best_calibrated(
        filter_channel_policy, candidates, core, e0, episode_len, seed, False
    )
    return filter_channel_policy(knob, threshold, probe), threshold, probe, knob
