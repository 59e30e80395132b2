"""Multi-step TD targets that stop at terminations and at time-limit truncations (pure functions)."""

from __future__ import annotations

import numpy as np


def truncated_nstep(
    rewards: np.ndarray, terminated: np.ndarray, truncated: np.ndarray, gamma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Discounted partial returns of ``n`` consecutive transitions, cut at the first episode end.

    Inputs are ``[B, n]`` arrays of consecutive transitions ``t, t+1, ...``. Accumulation stops after the
    first transition ``m`` that terminated (no bootstrap) or was truncated by a time limit (bootstrap from
    its ``next_obs``); if none ended, ``m = n - 1``. Returns

    - ``ret[B]``: ``sum_{k<=m} gamma^k r_k``;
    - ``last[B]``: ``m``, the index whose ``next_obs`` is the bootstrap state;
    - ``boot[B]``: ``gamma^(m+1)``, or 0 if transition ``m`` terminated;
    - ``used[B, n]``: True for ``k <= m`` (SAC adds entropy terms at the intermediate states ``k < m``).
    """
    rewards = np.asarray(rewards, dtype=np.float64)
    b, n = rewards.shape
    ended = np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool)
    ended_any = ended.any(axis=1)
    last = np.where(ended_any, ended.argmax(axis=1), n - 1)
    used = np.arange(n)[None, :] <= last[:, None]
    discounts = gamma ** np.arange(n, dtype=np.float64)
    ret = (rewards * discounts * used).sum(axis=1)
    term_last = np.asarray(terminated, dtype=bool)[np.arange(b), last]
    boot = np.where(term_last, 0.0, gamma ** (last + 1.0))
    return ret, last, boot, used


def current_nstep(iteration: int, nstep: int, delay_nstep: int) -> int:
    """TD target length of training iteration ``iteration`` (1-based): 1 before ``delay_nstep``, then ``nstep``.

    As in the reference, the switch is permanent and happens at the iteration whose index reaches the delay.
    """
    return nstep if iteration >= delay_nstep else 1
