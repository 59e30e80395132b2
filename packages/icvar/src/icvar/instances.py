"""The risk-contrast instance of the paper's App. C, as an exact linear mixture of template kernels."""

from __future__ import annotations

import math

import numpy as np

from icvar.mdp import FiniteMixtureMDP

S0, S1, S2, S_DIS = 0, 1, 2, 3  # start, conservative hub, aggressive hub, disaster
A_STAR, A_SUB = 0, 1


def risk_contrast_mdp(
    n_satellites: int = 8,
    d: int = 2,
    horizon: int = 6,
    *,
    p_high: float = 0.3,
    split: float = 2.0 / 3.0,
) -> FiniteMixtureMDP:
    """States s0, s1, s2, s_dis, then S1 and S2 with ``n_satellites`` states each (S = 4 + 2m); A = {a*, a_sub}.

    s0 (reward 0): a* -> s1, a_sub -> s2. s1 (0.5): a* -> a satellite of S1, a_sub -> stay. S1 (0.6) -> s1.
    s2 and S2 (reward 1): disaster (s_dis, reward 0, absorbing) with probability p, else {s2} ∪ S2.
    Template kernels come in d/2 pairs; pair i reaches the i-th block of satellites, its first member has
    p = ``p_high`` and its second p = 0. True weights: each pair 2/d, split ``split`` : 1 − split, so the
    true disaster probability is split·p_high (0.2 by default). Features φ_j = P_j/√d, θ = √d·weights, so
    ||ψ_f|| <= 1 for f ∈ [0, 1] and ||θ|| <= √d (Assumption 1).
    """
    if d < 2 or d % 2:
        raise ValueError(f"d must be an even number >= 2, got {d}")
    if n_satellites < d // 2:
        raise ValueError(f"n_satellites must be >= d/2 = {d // 2}, got {n_satellites}")
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    if not 0.0 <= p_high <= 1.0 or not 0.0 < split < 1.0:
        raise ValueError(f"need p_high in [0, 1] and split in (0, 1), got {p_high}, {split}")
    m = n_satellites
    S, A = 4 + 2 * m, 2
    sat1 = np.arange(4, 4 + m)
    sat2 = np.arange(4 + m, 4 + 2 * m)
    pairs = d // 2
    blocks1 = np.array_split(sat1, pairs)
    blocks2 = np.array_split(sat2, pairs)

    templates = np.zeros((d, S, A, S))
    for j in range(d):
        block = j // 2
        p = p_high if j % 2 == 0 else 0.0
        T = templates[j]
        T[S0, A_STAR, S1] = 1.0
        T[S0, A_SUB, S2] = 1.0
        T[S1, A_STAR, blocks1[block]] = 1.0 / len(blocks1[block])
        T[S1, A_SUB, S1] = 1.0
        T[sat1, :, S1] = 1.0
        risky = np.concatenate([[S2], blocks2[block]])
        for s in np.concatenate([[S2], sat2]):
            T[s, :, S_DIS] = p
            T[s, :, risky] += (1.0 - p) / len(risky)
        T[S_DIS, :, S_DIS] = 1.0
    weights = np.array([(split if j % 2 == 0 else 1.0 - split) / pairs for j in range(d)])
    P1 = np.einsum("j,jsat->sat", weights, templates)
    P = np.repeat(P1[None], horizon, axis=0)
    r1 = np.zeros((S, A))
    r1[S1] = 0.5
    r1[sat1] = 0.6
    r1[S2] = 1.0
    r1[sat2] = 1.0
    r = np.repeat(r1[None], horizon, axis=0)
    init = np.zeros(S)
    init[S0] = 1.0
    features = np.moveaxis(templates, 0, -1) / math.sqrt(d)  # (S, A, S, d)
    theta = np.repeat((math.sqrt(d) * weights)[None], horizon, axis=0)
    return FiniteMixtureMDP(P=P, r=r, init=init, features=features, theta=theta)


def action_gap(alpha: float, n_satellites: int, d: int, horizon: int, p_high: float, split: float) -> float:
    """Q*₁(s0, a_sub) − Q*₁(s0, a*) under ICVaR_α: > 0 when the risky branch is the ICVaR optimum."""
    from icvar.mdp import icvar_optimal_values

    mdp = risk_contrast_mdp(n_satellites, d, horizon, p_high=p_high, split=split)
    Q, _ = icvar_optimal_values(mdp, alpha)
    return float(Q[0, S0, A_SUB] - Q[0, S0, A_STAR])


def gap_matched_split(
    alpha: float, gap: float, *, n_satellites: int = 1, d: int = 2, horizon: int = 4, p_high: float = 0.5
) -> float:
    """The true risky-template weight ``split`` that makes the risky branch ICVaR_α-optimal by exactly ``gap``.

    On the risky branch the next-state law is two-point (disaster w.p. p = split·p_high, else a state of the
    same value v), so CVaR_α = v(1 − p/α) for p < α: the ICVaR values depend on α only through p/α. Fixing the
    gap therefore fixes p/α, and the family {(α, p = κα)} has the *same* ICVaR values and action gap at every
    α: what changes with α is only how hard p/α is to learn (Var(p̂/α) ∝ 1/α). Solved by bisection.
    """
    lo, hi = 1e-9, 1.0 - 1e-9  # the gap falls as split (the disaster probability) grows

    def g(split: float) -> float:
        return action_gap(alpha, n_satellites, d, horizon, p_high, split) - gap

    if g(lo) < 0 or g(hi) > 0:
        raise ValueError(f"no split in (0, 1) gives gap {gap} at alpha={alpha} (p_high={p_high})")
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
    return 0.5 * (lo + hi)
