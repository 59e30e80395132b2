"""Vectorised episodes: E env copies × N users stepped together, any per-user policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rsd4.env import SchedulerCore

# policy(obs (E, N, D), prev_action (E, N, A), state, core) -> (actions in [-1, 1] (E, N, A), state)
Policy = Callable[[np.ndarray, np.ndarray, Any, SchedulerCore], tuple[np.ndarray, Any]]


def run_episodes(
    core: SchedulerCore,
    policy: Policy,
    n_copies: int,
    episode_len: int,
    rng: np.random.Generator,
    observe_channel: bool,
    state: Any = None,
) -> dict[str, np.ndarray]:
    """Per-row sequences: obs (E, R, T+1, D), act (E, R, T, A), delivered/energy/dropped/arrivals (E, R, T),
    energy_node (E, R, T, K): each row's energy at each of the K constrained nodes."""
    core.reset(n_copies, rng)
    n, a_dim = core.n_rows, core.act_dim
    obs = [core.user_observations(observe_channel)]
    acts, out = [], {k: [] for k in ("delivered", "energy", "energy_node", "dropped", "arrivals")}
    prev = np.zeros((n_copies, n, a_dim))
    first_arrivals = core.initial_row_arrivals()
    for _ in range(episode_len):
        a, state = policy(obs[-1], prev, state, core)
        a = np.clip(a, -1.0, 1.0)
        res = core.step((a + 1.0) / 2.0, rng)
        for k in out:
            out[k].append(res[k])
        acts.append(a)
        prev = a
        obs.append(core.user_observations(observe_channel))
    seq = {k: np.stack(v, 2) for k, v in out.items()}  # (E, rows, T[, nodes])
    seq["obs"] = np.stack(obs, 2)
    seq["act"] = np.stack(acts, 2)
    seq["initial_arrivals"] = first_arrivals
    return seq


def summarize(seq: dict[str, np.ndarray], weights: np.ndarray) -> dict[str, np.ndarray]:
    """Per-episode weighted throughput/slot, energy/slot and drop rate (arrays over the E episodes)."""
    t = seq["delivered"].shape[-1]
    thr = (weights[None, :, None] * seq["delivered"]).sum((1, 2)) / t
    energy = seq["energy"].sum((1, 2)) / t
    arrived = seq["arrivals"].sum((1, 2)) + seq["initial_arrivals"].sum(1)
    drop = seq["dropped"].sum((1, 2)) / np.maximum(arrived, 1)
    energy_node = seq["energy_node"].sum((1, 2)) / t  # (E, K)
    return {"throughput": thr, "energy": energy, "drop_rate": drop, "energy_node": energy_node}


def mean_ci(x: np.ndarray) -> tuple[float, float]:
    """Mean and 95% normal confidence half-width."""
    x = np.asarray(x, float)
    half = 1.96 * x.std(ddof=1) / np.sqrt(len(x)) if len(x) > 1 else float("nan")
    return float(x.mean()), float(half)
