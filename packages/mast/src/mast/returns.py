"""TD(λ) targets over padded episode batches and MAST's hybrid λ schedule."""

from __future__ import annotations

import torch


def lambda_returns(
    rewards: torch.Tensor,
    terminated: torch.Tensor,
    filled: torch.Tensor,
    next_values: torch.Tensor,
    gamma: float,
    lam: float,
) -> torch.Tensor:
    """G^λ_t = r_t + γ(1−d_t)[(1−λ) V'_{t+1} + λ G^λ_{t+1}], computed backwards over ``[B, T]``.

    ``next_values[:, t]`` is the bootstrap value V'_{t+1} of the state after step t. At the last filled
    step of an episode (time limit) the continuation is V'_{t+1} alone; at a terminal step it is 0.
    Padded steps (``filled == 0``) return 0, selected with ``torch.where`` so that a non-finite
    ``next_values`` there (e.g. the value of an empty action row) cannot leak (NaN · 0 = NaN).
    λ = 0 gives one-step targets, λ = 1 Monte-Carlo plus the final bootstrap.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lambda must be in [0, 1], got {lam!r}")
    _B, T = rewards.shape
    out = torch.zeros_like(rewards)
    g_next = next_values[:, T - 1]
    for t in range(T - 1, -1, -1):
        has_next = filled[:, t + 1] if t + 1 < T else torch.zeros_like(filled[:, t])
        cont = torch.where(has_next > 0, (1.0 - lam) * next_values[:, t] + lam * g_next, next_values[:, t])
        g = rewards[:, t] + gamma * (1.0 - terminated[:, t]) * cont
        g = torch.where(filled[:, t] > 0, g, torch.zeros_like(g))
        out[:, t] = g
        g_next = g
    return out


def hybrid_lambda(t_env: int, *, early: float, late: float, switch_steps: int) -> float:
    """MAST's hybrid TD(λ) [reconstruction]: λ = ``early`` before ``switch_steps`` env steps, ``late`` after."""
    return early if t_env < switch_steps else late
