"""Confidence radii and constants of LSVI-UCB+ and of the LSVI-UCB baseline.

The paper's radii (Lemmas C.8–C.17) are valid but numerically vacuous at simulation scale, so the default
is the brief's *tractable instantiation*: the paper's d/H-scaling with one multiplier ``c`` shared by both
algorithms. Both sets are exposed; which one a run used is recorded in its config.
"""

from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class PlusConstants:
    """Every constant LSVI-UCB+ needs, resolved for one (d, H, K, δ)."""

    lam: float  # ridge λ
    beta_hat: float  # optimistic radius β̂
    beta_check: float  # pessimistic radius β̌
    beta_bar: float  # β̄ in the variance offsets
    beta_tilde: float  # β̃ in the variance offset U
    c_e: float  # multiplier of E in σ̂², σ̃²
    c_thr: float  # floor test threshold
    sigma_big: float  # floor ς for badly covered samples
    sigma_small: float  # floor ς for well-covered samples (paper: √H)


def plus_constants(
    d: int,
    horizon: int,
    episodes: int,
    delta: float,
    *,
    scale: float = 1.0,
    radii: str = "tractable",
    lam: float | None = None,
    c_e: float | None = None,
    c_thr: float | None = None,
    sigma_big: float | None = None,
    sigma_small: float | None = None,
    floor_rule: str = "radii",
) -> PlusConstants:
    """Constants of LSVI-UCB+; ``None`` overrides take the chosen radii set's value.

    ``radii="tractable"`` (brief): β̂ = c√d·sqrt(ln(KH/δ)), β̄ = β̌ = cH√d, β̃ = cH²√d, c_E = d,
    c_thr = 1/(Hd), ς_big = H√d. ``radii="paper"``: β̂ = β̂⁽¹⁾ of Lemma C.8 (the covering-based correction
    β̂⁽²⁾ is omitted), β̄ = β̌ = sqrt(H(dL + dJL + d²JL)), β̃ = H·β̄ with J = dH ln(1+K), L = ln(4K²H/δ),
    c_E = d³H, c_thr = 1/(H³d⁵), ς_big = H²d^{5/2} (algorithm box). λ = 1/(H²√d) and ς_small = √H in both.

    ``floor_rule`` picks (c_thr, ς_big) independently of the radii: "radii" (the set's own pair), "box"
    (1/(H³d⁵), H²d^{5/2}: Alg. 1 lines 24–27) or "remark" (1/(Hd³), H d^{3/2}: Remark 7.4). All three keep
    the paper's coupling c_thr·(ς_big/√H)² = 1 that Lemma C.14 uses.
    """
    H, K = horizon, episodes
    lam_v = 1.0 / (H**2 * math.sqrt(d)) if lam is None else lam
    if radii == "tractable":
        beta_hat = scale * math.sqrt(d) * math.sqrt(math.log(K * H / delta))
        beta_bar = beta_check = scale * H * math.sqrt(d)
        beta_tilde = scale * H**2 * math.sqrt(d)
        defaults = (float(d), 1.0 / (H * d), H * math.sqrt(d))
    elif radii == "paper":
        log_term = math.log(4 * K**2 * H / delta)
        beta_hat = (
            8 * math.sqrt(d * math.log(1 + K / (H * d * lam_v)) * log_term)
            + 4 * log_term
            + H * math.sqrt(lam_v * d)
        )
        J = d * H * math.log(1 + K)
        beta_bar = beta_check = math.sqrt(H * (d * log_term + d * J * log_term + d**2 * J * log_term))
        beta_tilde = H * beta_bar
        beta_hat, beta_bar, beta_check, beta_tilde = (
            scale * b for b in (beta_hat, beta_bar, beta_check, beta_tilde)
        )
        defaults = (float(d**3 * H), 1.0 / (H**3 * d**5), H**2 * d**2.5)
    else:
        raise ValueError(f"radii must be 'tractable' or 'paper', got {radii!r}")
    if floor_rule == "box":
        defaults = (defaults[0], 1.0 / (H**3 * d**5), H**2 * d**2.5)
    elif floor_rule == "remark":
        defaults = (defaults[0], 1.0 / (H * d**3), H * d**1.5)
    elif floor_rule != "radii":
        raise ValueError(f"floor_rule must be 'radii', 'box' or 'remark', got {floor_rule!r}")
    return PlusConstants(
        lam=lam_v,
        beta_hat=beta_hat,
        beta_check=beta_check,
        beta_bar=beta_bar,
        beta_tilde=beta_tilde,
        c_e=defaults[0] if c_e is None else c_e,
        c_thr=defaults[1] if c_thr is None else c_thr,
        sigma_big=defaults[2] if sigma_big is None else sigma_big,
        sigma_small=math.sqrt(H) if sigma_small is None else sigma_small,
    )


def lsvi_ucb_beta(d: int, horizon: int, episodes: int, delta: float, *, scale: float = 1.0) -> float:
    """LSVI-UCB's radius β = c·dH·sqrt(ι), ι = ln(2dT/δ), T = KH (Jin et al. 2020, Thm 3.1 with c = scale)."""
    T = episodes * horizon
    return scale * d * horizon * math.sqrt(math.log(2 * d * T / delta))
