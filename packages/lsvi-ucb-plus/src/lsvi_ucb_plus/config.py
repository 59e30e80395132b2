"""The run configuration: one frozen dataclass, validated at construction."""

from __future__ import annotations

import dataclasses

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

ALGOS = ("lsvi-ucb-plus", "lsvi-ucb", "lsvi-ucb-plus-noweights", "lsvi-ucb-plus-noswitch")
INSTANCES = ("hard", "lowrank")


@dataclasses.dataclass(frozen=True)
class Config:
    """One learner on one instance for K episodes; the regret is computed exactly."""

    algo: str = "lsvi-ucb-plus"
    """lsvi-ucb-plus (paper), lsvi-ucb (Jin et al. 2020), lsvi-ucb-plus-noweights (σ̂ ≡ fixed_sigma),
    lsvi-ucb-plus-noswitch (re-plan every episode)."""
    instance: str = "hard"
    """hard: the lower-bound linear MDP (features in R^{d+1}, 2^{d-1} actions); lowrank: random low-rank MDP."""
    d: int = 4
    """hard: action dimension parameter d (features d+1); lowrank: feature dimension."""
    horizon: int = 4
    """Episode length H."""
    episodes: int = 1000
    """Number of episodes K."""
    n_states: int = 20
    """lowrank only: number of states S."""
    n_actions: int = 10
    """lowrank only: number of actions A."""
    concentration: float = 0.1
    """lowrank only: Dirichlet concentration of the next-state factors μ_{h,j} (small = peaky, low variance)."""
    hard_delta: float | None = None
    """hard only: the gap Δ; None = the lower-bound value sqrt(ι/K)/(4√2) for this K (a new instance per K)."""
    bonus_scale: float = 0.05
    """c: multiplier of every confidence radius (the same rule for LSVI-UCB+ and LSVI-UCB)."""
    delta: float = 0.1
    """Confidence level δ inside the radii's logarithms."""
    radii: str = "tractable"
    """tractable: the brief's scaled radii; paper: the lemmas' radii (vacuous at small K)."""
    lam: float | None = None
    """Ridge λ; None = 1/(H²√d) for LSVI-UCB+ and 1 for LSVI-UCB."""
    c_e: float | None = None
    """c_E multiplying E in σ̂²; None = d (tractable) or d³H (paper)."""
    c_thr: float | None = None
    """Floor test threshold; None = 1/(Hd) (tractable) or 1/(H³d⁵) (paper box; Remark 7.4 says 1/(Hd³))."""
    sigma_big: float | None = None
    """Floor ς for badly covered samples; None = H√d (tractable) or H²d^{5/2} (paper box)."""
    floor_rule: str = "radii"
    """Default (c_thr, ς_big) pair: radii (the radii set's), box (Alg. 1: 1/(H³d⁵), H²d^{5/2}) or remark
    (Remark 7.4: 1/(Hd³), H d^{3/2}); explicit c_thr / sigma_big still override."""
    sigma_small: float | None = None
    """Floor ς for samples that pass the floor test; None = √H (Alg. 1, line 25). A deviation if set."""
    fixed_sigma: float | None = None
    """lsvi-ucb-plus-noweights: the constant σ̂; None = √H (the brief's ablation)."""
    pessimism_refresh: str = "every_episode"
    """When Q̌ is recomputed: every_episode (brief's Alg. 1 reading) or on_switch (LSVI-UCB++)."""
    running_min: bool = True
    """Keep Q̂_k = min(new, Q̂_{k-1}) (v3); False drops the running min."""
    seed: int = 0
    """Seeds the instance draw and the environment's transitions (independent named streams)."""
    curve_points: int = 12
    """Number of episodes (geometrically spaced, last = K) at which the cumulative regret is reported."""
    checkpoint_every: int = 0
    """Save a resumable checkpoint every this many episodes (0 = never; needs a run directory)."""

    def __post_init__(self) -> None:
        check_choice("algo", self.algo, ALGOS)
        check_choice("instance", self.instance, INSTANCES)
        check_int_at_least("d", self.d, 2 if self.instance == "hard" else 1)
        check_int_at_least("horizon", self.horizon, 1)
        check_int_at_least("episodes", self.episodes, 1)
        check_int_at_least("n_states", self.n_states, 2)
        check_int_at_least("n_actions", self.n_actions, 2)
        check_positive("concentration", self.concentration)
        if self.instance == "hard" and self.d > 14:
            raise ValueError(f"d must be <= 14 for the hard instance (2^(d-1) actions), got {self.d}")
        if self.hard_delta is not None:
            check_range(
                "hard_delta", self.hard_delta, 0.0, 1.0 / ((self.d - 1) * self.horizon), low_open=True
            )
        check_non_negative("bonus_scale", self.bonus_scale)
        check_range("delta", self.delta, 0.0, 1.0, low_open=True, high_open=True)
        check_choice("radii", self.radii, ("tractable", "paper"))
        check_choice("floor_rule", self.floor_rule, ("radii", "box", "remark"))
        for name in ("lam", "c_e", "c_thr", "sigma_big", "sigma_small", "fixed_sigma"):
            value = getattr(self, name)
            if value is not None:
                check_positive(name, value)
        check_choice("pessimism_refresh", self.pessimism_refresh, ("every_episode", "on_switch"))
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("curve_points", self.curve_points, 1)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
