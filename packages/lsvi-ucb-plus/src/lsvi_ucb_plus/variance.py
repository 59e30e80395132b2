"""The variance machinery of LSVI-UCB+ (v3, Alg. 1, forward pass): pure functions of scalars.

For the sample (s_h, a_h) with feature norm n = ||φ||_{Λ̂^{-1}}, LSVI-UCB+ weighs the regression by 1/σ̂²,
where σ̂² upper-bounds the conditional variance of V*_{h+1}(s'): an estimated variance of the optimistic
V̂ plus an offset U for using V̂ instead of V*, or a bound c_E·E on the variance of V̂ − V*, floored at ς².
"""

from __future__ import annotations

import math


def variance_estimate(first_moment: float, second_moment: float, horizon: int) -> float:
    """𝕍̂ = [<μ̂V̂², φ>]_{[0,H²]} − ([<μ̂V̂, φ>]_{[0,H]})²: clip both moments before combining them."""
    second = min(max(second_moment, 0.0), float(horizon) ** 2)
    first = min(max(first_moment, 0.0), float(horizon))
    return second - first**2


def optimism_offset(
    norm: float, gap: float, beta_tilde: float, beta_bar: float, beta_check: float, horizon: int
) -> float:
    """U = min{β̃ n + 4H(|<μ̂(V̂ − V̌), φ>| + β̄ n + β̌ n), 2H²}: the error of 𝕍̂ as a proxy for Var V*."""
    return min(
        beta_tilde * norm + 4.0 * horizon * (abs(gap) + (beta_bar + beta_check) * norm), 2.0 * horizon**2
    )


def covering_slack(horizon: int, lam: float, episodes: int) -> float:
    """ζ = H√λ/K: the ε-net resolution used in Lemmas C.8–C.10, reused as the slack in E (eq. 30)."""
    return horizon * math.sqrt(lam) / episodes


def gap_variance_bound(
    norm: float, gap: float, beta_bar: float, beta_check: float, horizon: int, lam: float, episodes: int
) -> float:
    """E = min{H(<μ̂V̂, φ> − <μ̂V̌, φ> + β̄ n + β̌ n + ζ), H²}: bounds Var of V̂ − V* (Lemma C.17, eq. 30).

    ζ = H√λ/K is the covering resolution ε of Lemmas C.8–C.10 (so that the cover error 2εK/(H√λ) is O(1));
    it is not H·sqrt(λ/K).
    """
    inner = gap + (beta_bar + beta_check) * norm + covering_slack(horizon, lam, episodes)
    return min(horizon * inner, float(horizon) ** 2)


def sigma_tilde(variance: float, offset: float, gap_bound: float, c_e: float, horizon: int) -> float:
    """σ̃ = sqrt(max{H, c_E·E, 𝕍̂ + U}): the weight of the auxiliary Gram matrix Λ̃ (floor test only)."""
    return math.sqrt(max(float(horizon), c_e * gap_bound, variance + offset))


def floor_level(
    test_norm: float, c_thr: float, horizon: int, sigma_big: float, sigma_small: float | None = None
) -> float:
    """ς: ς_small (paper: √H) when φ/σ̃ is well covered by Λ̃ (||φ/σ̃||_{Λ̃^{-1}} <= c_thr), else ς_big.

    Large elliptical potentials are rare (Lemma 7.3), so the big floor applies to few samples *eventually*;
    the count bound 3d/ln(1+c_thr²)·ln(...) is large when c_thr is small.
    """
    small = math.sqrt(horizon) if sigma_small is None else sigma_small
    return small if test_norm <= c_thr else sigma_big


def sigma_hat(variance: float, offset: float, gap_bound: float, c_e: float, floor: float) -> float:
    """σ̂ = sqrt(max{ς², c_E·E, 𝕍̂ + U}): the regression weight is 1/σ̂²."""
    return math.sqrt(max(floor**2, c_e * gap_bound, variance + offset))
