"""The typed, validated config of one run (``uniinf train``)."""

from __future__ import annotations

import dataclasses
from typing import Literal

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

POLICIES = ("uniinf", "htinf", "htinf_misspecified", "tsallis_inf", "robust_ucb")
INSTANCES = ("stochastic", "ucb_killer", "stoch_constrained", "minimax")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """One policy on one instance, ``seeds`` independent runs vectorised as rows."""

    policy: Literal["uniinf", "htinf", "htinf_misspecified", "tsallis_inf", "robust_ucb"] = "uniinf"
    """uniinf (the paper) or a baseline."""
    instance: Literal["stochastic", "ucb_killer", "stoch_constrained", "minimax"] = "stochastic"
    """E1 stochastic, E2 ucb_killer (K=2), E3 stoch_constrained, E4 minimax (gap shrinking with T)."""
    n_arms: int = 5
    """K (ucb_killer always has 2)."""
    horizon: int = 10_000
    """T, known to the policies."""
    gap: float = 0.2
    """Delta of the stochastic and stochastically constrained instances: any Delta > 0, including > 1. The paper's
    losses are unbounded heavy-tailed (mean + scale * noise), not rewards in [0, 1], so a gap above 1 is a valid
    instance (its asymptotic regret ~ (sigma^alpha / Delta)^(1/(alpha-1)) ln T is smaller; over short horizons
    the exploration rounds cost Delta each, so regret can still grow with Delta)."""
    minimax_c: float = 1.0
    """c in Delta_T = c K^(1-1/alpha) T^(-(1-1/alpha)) (minimax instance)."""
    noise: Literal["pareto", "student_t", "gaussian"] = "pareto"
    """Noise family: symmetric Pareto, Student-t, or Gaussian."""
    tail: float = 1.6
    """Tail index p of the noise (Pareto/Student-t); moments of order < p exist."""
    scale: float = 0.5
    """s in l = mu + s Z."""
    seeds: int = 10
    """Independent runs, vectorised as rows."""
    seed: int = 0
    """First seed; the rows use seed, seed+1, ..."""
    log_t: Literal["known", "anytime"] = "known"
    """uniINF's ln T: 'known' horizon (the paper) or ln(max(t,3)) ('anytime', our extension)."""
    alpha_margin: float = 0.1
    """Baselines' 'true' alpha is min(2, p - alpha_margin): the alpha-moment must be finite."""
    assumed_alpha: float = 2.0
    """The alpha that htinf_misspecified assumes (with the true-alpha sigma)."""
    ucb_delta: Literal["anytime", "horizon"] = "anytime"
    """Robust UCB confidence: delta_t = t^-2 (the paper) or delta = T^-2."""
    checkpoint_every: int = 0
    """Save a resumable checkpoint every N rounds (multiple of 256; 0 = never)."""

    def __post_init__(self) -> None:
        check_choice("policy", self.policy, POLICIES)
        check_choice("instance", self.instance, INSTANCES)
        check_int_at_least("n_arms", self.n_arms, 2)
        check_int_at_least("horizon", self.horizon, 2)
        check_range("gap", self.gap, 0.0, 1e6, low_open=True)
        check_positive("minimax_c", self.minimax_c)
        check_choice("noise", self.noise, ("pareto", "student_t", "gaussian"))
        check_range("tail", self.tail, 1.0, 1e6, low_open=True)
        check_non_negative("scale", self.scale)
        check_int_at_least("seeds", self.seeds, 1)
        check_int_at_least("seed", self.seed, 0)
        check_choice("log_t", self.log_t, ("known", "anytime"))
        check_range("alpha_margin", self.alpha_margin, 0.0, 1.0, low_open=True, high_open=True)
        check_range("assumed_alpha", self.assumed_alpha, 1.0, 2.0, low_open=True)
        check_choice("ucb_delta", self.ucb_delta, ("anytime", "horizon"))
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
        if self.checkpoint_every % 256:
            raise ValueError(
                f"checkpoint_every must be a multiple of 256 (the noise chunk), got {self.checkpoint_every}"
            )
        if self.noise != "gaussian" and self.tail - self.alpha_margin <= 1.0:
            raise ValueError(f"tail - alpha_margin must be > 1 (the baselines' alpha), got tail={self.tail}")
