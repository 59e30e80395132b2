"""The math of OVMSE, as pure functions: TD(λ) returns, OVM targets and their decay, the CFCQL penalty."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

OVM_FORMS = ("blend_max", "offline_bootstrap", "scaled_max")


def lambda_returns(
    rewards: torch.Tensor,
    terminated: torch.Tensor,
    filled: torch.Tensor,
    next_values: torch.Tensor,
    gamma: float,
    lam: float,
) -> torch.Tensor:
    """G^λ_t = r_t + γ(1−d_t)[(1−λ) V'_{t+1} + λ G^λ_{t+1}] over ``[B, T]``, backwards.

    ``next_values[:, t]`` = V'_{t+1}. At the last filled step (time limit) the continuation is V'_{t+1};
    at a terminal step it is 0; padded steps give 0 (selected with ``torch.where``, so a non-finite value
    there cannot leak: NaN · 0 = NaN). λ = 0 is the one-step target.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lambda must be in [0, 1], got {lam!r}")
    T = rewards.shape[1]
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


def memory_weight(t_env: int, *, start: float, end: float, anneal_steps: int) -> float:
    """λ_memory(t) = start + (end − start) · min(1, t / T_mem), on environment steps."""
    if anneal_steps <= 0:
        return end
    return start + (end - start) * min(1.0, t_env / anneal_steps)


def ovm_target(y_td: torch.Tensor, q_off: torch.Tensor, weight: float, form: str) -> torch.Tensor:
    """The offline-value-memory target on the current (s, a) pair.

    blend_max:  y = (1−λ) y_TD + λ max(y_TD, q_off) = y_TD + λ [q_off − y_TD]_+   (any reward sign)
    scaled_max: y = max(y_TD, λ q_off)   (only sensible when values are >= 0)
    ``offline_bootstrap`` acts on the next-state value instead: see :func:`offline_bootstrap_values`.
    """
    if form == "blend_max":
        return y_td + weight * torch.relu(q_off - y_td)
    if form == "scaled_max":
        return torch.maximum(y_td, weight * q_off)
    if form == "offline_bootstrap":
        raise ValueError(
            "offline_bootstrap enters through the next-state value: use offline_bootstrap_values"
        )
    raise ValueError(f"ovm_form must be one of {OVM_FORMS}, got {form!r}")


def offline_bootstrap_values(v_target: torch.Tensor, v_offline: torch.Tensor, weight: float) -> torch.Tensor:
    """Next-state values of the ``offline_bootstrap`` form: (1−λ) Q_tot(s', ā'; θ⁻) + λ Q_tot(s', ā'_off; θ_off)."""
    return (1.0 - weight) * v_target + weight * v_offline


def cfcql_penalty(
    agent_qs: torch.Tensor,
    actions: torch.Tensor,
    avail: torch.Tensor,
    state: torch.Tensor,
    mixer: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    agent_weights: torch.Tensor | None = None,
) -> torch.Tensor:
    """Counterfactual CQL penalty per step ``[B, T]``: Σ_i λ_i LSE_{a_i} Q_tot(s,(a_i, a^D_{−i})) − Q_tot(s, a^D).

    agent_qs ``[B, T, n, A]``, actions ``[B, T, n]`` (dataset actions), avail ``[B, T, n, A]``, state
    ``[B, T, S]``. Only agent i's action varies in its LSE, over its available actions; λ_i defaults to 1/n.
    Costs n·|A| mixer passes. The dataset action is inside each LSE, so the penalty is >= 0 when Σλ_i = 1.
    A step where some agent has no available action (a padded step after the episode's end) gives 0, with
    a finite gradient (its LSE is taken over all actions, then selected out with ``torch.where``).
    """
    B, T, n, A = agent_qs.shape
    chosen = agent_qs.gather(-1, actions.unsqueeze(-1)).squeeze(-1)  # [B, T, n]
    # cf[..., i, a, j] = Q_j(a^D_j) for j != i, Q_i(a) for j == i
    cf = chosen[:, :, None, None, :].expand(B, T, n, A, n).clone()
    eye = torch.eye(n, dtype=torch.bool)[None, None, :, None, :].expand(B, T, n, A, n)
    cf = torch.where(eye, agent_qs[..., None].expand(B, T, n, A, n), cf)
    s = state[:, :, None, None, :].expand(B, T, n, A, state.shape[-1])
    q_cf = mixer(cf, s)  # [B, T, n, A]
    empty = ~avail.any(-1)  # [B, T, n]
    q_cf = q_cf.masked_fill(~(avail | empty.unsqueeze(-1)), -torch.inf)
    lse = torch.logsumexp(q_cf, dim=-1)  # [B, T, n]
    if agent_weights is None:
        agent_weights = torch.full((n,), 1.0 / n)
    q_data = mixer(chosen, state)  # [B, T]
    pen = (lse * agent_weights).sum(-1) - q_data
    return torch.where(empty.any(-1), torch.zeros_like(pen), pen)


def select_medium_snapshot(
    steps: Sequence[int],
    returns: Sequence[float],
    *,
    reference: float,
    fraction: float,
    min_step: int,
) -> int:
    """Index of the "medium" behaviour snapshot (brief, phase 0a).

    Candidates are the snapshots taken after at least ``max(1, min_step)`` env steps of training, so
    the initial (untrained) network is never chosen. With ``best`` the highest candidate return, the
    goal is ``reference + fraction * (best - reference)`` (the brief: about halfway between the random
    policy's return and the best return seen) and the candidate closest to it wins; ties go to the
    earliest. If no candidate beats ``reference``, the goal lies at or above ``best``, so the best
    trained snapshot is returned.
    """
    if len(steps) != len(returns):
        raise ValueError(f"steps ({len(steps)}) and returns ({len(returns)}) differ in length")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction!r}")
    floor = max(1, int(min_step))
    cands = [i for i, s in enumerate(steps) if s >= floor]
    if not cands:
        raise ValueError(f"no snapshot at or after env step {floor} (steps: {list(steps)})")
    best = max(returns[i] for i in cands)
    goal = reference + fraction * (best - reference)
    return min(cands, key=lambda i: (abs(returns[i] - goal), i))
