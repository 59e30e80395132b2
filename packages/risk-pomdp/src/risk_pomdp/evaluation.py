"""Exact evaluation of the entropic risk J(pi) = (1/gamma) ln E^pi[e^{gamma R}] of any deterministic history-dependent
policy, and the exact optimum J* (beta-vector DP with the true model, no bonus)."""

from __future__ import annotations

import numpy as np

from risk_pomdp.beliefs import belief_tree
from risk_pomdp.beta_vectors import Plan, plan_beta_vectors
from risk_pomdp.pomdp import FinitePOMDP, check_actions


def check_gamma(gamma: float, pomdp: FinitePOMDP) -> None:
    if not np.isfinite(gamma) or gamma == 0:
        raise ValueError(f"gamma must be a finite non-zero number (it divides), got {gamma!r}")
    if abs(gamma) * pomdp.H > 300:
        raise ValueError(
            f"|gamma| H must be <= 300 (e^(gamma H) over/underflows float64), got {abs(gamma) * pomdp.H}"
        )


def entropic_value(pomdp: FinitePOMDP, policy: list[np.ndarray], gamma: float) -> float:
    """J(pi), exact. ``policy``: per step either [n_h] actions (deterministic) or [n_h, A] action probabilities.

    E^pi[e^{gamma R}] = sum_f w(f) sum_a pi(a|f) <rho_{H-1}(f), e^{gamma r(., a)}>, where w(f) is the probability that
    pi takes the actions recorded in f (rho carries the dynamics and observation likelihoods)."""
    check_gamma(gamma, pomdp)
    probs = policy_probabilities(pomdp, policy)
    rho = belief_tree(pomdp.init, pomdp.transitions, pomdp.emissions, pomdp.rewards, gamma)
    weight = np.ones(pomdp.n_histories(0))
    for h in range(pomdp.H - 1):
        weight = np.repeat((weight[:, None] * probs[h])[:, :, None], pomdp.O, axis=2).reshape(-1)
    per_action = rho[-1] @ np.exp(gamma * pomdp.rewards[-1])  # [n, A]
    total = float(np.sum(weight[:, None] * probs[-1] * per_action))
    return float(np.log(total) / gamma)


def policy_probabilities(pomdp: FinitePOMDP, policy: list[np.ndarray]) -> list[np.ndarray]:
    """Deterministic ([n_h] ints) or stochastic ([n_h, A]) policy -> per-step [n_h, A] probabilities (validated)."""
    if len(policy) != pomdp.H:
        raise ValueError(f"policy must have one entry per step (H={pomdp.H}), got {len(policy)}")
    out = []
    for h, p in enumerate(policy):
        p = np.asarray(p)
        if p.ndim == 1:
            out.append(np.eye(pomdp.A)[check_actions(pomdp, h, p)])
            continue
        if p.shape != (pomdp.n_histories(h), pomdp.A) or p.min() < 0 or not np.allclose(p.sum(1), 1.0):
            raise ValueError(
                f"policy[{h}] must be [{pomdp.n_histories(h)}, {pomdp.A}] action probabilities, got {p.shape}"
            )
        out.append(p.astype(np.float64))
    return out


def optimal_plan(pomdp: FinitePOMDP, gamma: float) -> Plan:
    """J* over all history-dependent policies (deterministic ones suffice) and an optimal policy."""
    check_gamma(gamma, pomdp)
    rho = belief_tree(pomdp.init, pomdp.transitions, pomdp.emissions, pomdp.rewards, gamma)
    return plan_beta_vectors(rho, pomdp.transitions, pomdp.emissions, pomdp.rewards, gamma, clip=False)


MAX_MEMORYLESS = 1 << 16


def best_memoryless(pomdp: FinitePOMDP, gamma: float) -> tuple[float, list[np.ndarray]]:
    """(J, policy) of the best deterministic *memoryless* policy a_h = pi_h(o_h), by enumerating all A^(H O) of them
    (at most 65536): the best that a learner treating the current observation as the state (RSVI2) can reach."""
    check_gamma(gamma, pomdp)
    H, A, O = pomdp.H, pomdp.A, pomdp.O
    n = A ** (H * O)
    if n > MAX_MEMORYLESS:
        raise ValueError(
            f"A^(H*O) = {A}^{H * O} memoryless policies is too many to enumerate (max {MAX_MEMORYLESS})"
        )
    tables = np.array(np.unravel_index(np.arange(n), (A,) * (H * O))).T.reshape(n, H, O)  # [n, H, O]
    rho = belief_tree(pomdp.init, pomdp.transitions, pomdp.emissions, pomdp.rewards, gamma)
    eye = np.eye(A)
    weight = np.ones((n, pomdp.n_histories(0)))
    for h in range(H - 1):
        acts = tables[:, h][:, np.arange(pomdp.n_histories(h)) % O]  # [n, n_h]
        weight = np.repeat((weight[:, :, None] * eye[acts])[:, :, :, None], O, axis=3).reshape(n, -1)
    last = tables[:, H - 1][:, np.arange(pomdp.n_histories(H - 1)) % O]
    per_action = rho[-1] @ np.exp(gamma * pomdp.rewards[-1])  # [n_H-1, A]
    values = np.log(np.sum(weight[:, :, None] * eye[last] * per_action[None], axis=(1, 2))) / gamma
    best = int(np.argmax(values))
    policy = [tables[best, h][np.arange(pomdp.n_histories(h)) % O] for h in range(H)]
    return float(values[best]), policy
