"""Run configuration: a frozen dataclass validated at construction."""

from __future__ import annotations

import dataclasses

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

from rs_disrl.risk import RiskMeasure

METHODS = (
    "rs-disrl-v",  # Alg. 10, linear CVaR (the paper's efficient algorithm)
    "rs-disrl-m",  # optimistic model-based (tabular RS-DisRL-M), CVaR or entropic
    "rs-disrl-v-nobonus",  # ablation: beta = 0
    "rs-disrl-m-nobonus",  # ablation: greedy plug-in model
    "lsvi-ucb",  # risk-neutral baseline
    "markov-cvar",  # RS-DisRL-M restricted to Markov policies (no augmentation)
    "random",  # uniformly random policy
)


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """One learner on one instance."""

    instance: str = "Z"
    """Z (zero-mean linear MDP, S=3 A=2 d=2 H=6), G (augmentation necessity, H=2), cvar-lb or erm-lb (the
    lower-bound bandits: risk gap ``gap`` at every tau / gamma)."""
    method: str = "rs-disrl-v"
    """One of METHODS."""
    risk: str = "cvar"
    """cvar or entropic."""
    tau: float = 0.3
    """CVaR level in (0, 1]."""
    gamma: float = 1.0
    """Entropic risk parameter (non-zero; < 0 is risk-averse)."""
    episodes: int = 2000
    """K, the number of episodes."""
    bonus_scale: float = 0.1
    """c: scales beta of Alg. 10 / LSVI-UCB and the L1 radius of RS-DisRL-M (the theory constants are loose)."""
    beta_rule: str = "scaled"
    """Alg. 10 / LSVI-UCB bonus: 'scaled' beta = c d sqrt(H) or 'theory' beta = c d^2 H sqrt(M ln(d^2 M K/delta))."""
    feature_map: str = "psi"
    """Alg. 10 regression features: 'psi' = vec(phi phi^T) (paper) or 'phi'."""
    lam: float = 1.0
    """Ridge regulariser lambda of the linear learners."""
    delta: float = 0.1
    """Confidence level in the log terms."""
    gap: float = 0.05
    """Risk gap parameter of the cvar-lb (CVaR gap 2 * gap) and erm-lb (entropic gap = gap) instances."""
    seed: int = 0
    """Run seed (environment and policy randomness)."""
    checkpoint_every: int = 0
    """Save a resumable checkpoint every this many episodes under run_dir (0: never)."""
    run_dir: str = ""
    """Folder for checkpoints and metrics ('' : keep nothing on disk)."""

    def __post_init__(self) -> None:
        check_choice("instance", self.instance, ("Z", "G", "cvar-lb", "erm-lb"))
        check_choice("method", self.method, METHODS)
        check_choice("risk", self.risk, ("cvar", "entropic"))
        check_range("tau", self.tau, 0.0, 1.0, low_open=True)
        if self.risk == "entropic" and self.gamma == 0:
            raise ValueError(f"gamma must be a finite non-zero number (it divides), got {self.gamma!r}")
        check_range("gamma", self.gamma, -50.0, 50.0)
        check_int_at_least("episodes", self.episodes, 1)
        check_non_negative("bonus_scale", self.bonus_scale)
        check_choice("beta_rule", self.beta_rule, ("scaled", "theory"))
        check_choice("feature_map", self.feature_map, ("psi", "phi"))
        check_positive("lam", self.lam)
        check_range("delta", self.delta, 0.0, 1.0, low_open=True, high_open=True)
        check_range("gap", self.gap, 0.0, 0.5, low_open=True, high_open=True)
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
        if self.checkpoint_every and not self.run_dir:
            raise ValueError("run_dir must be set when checkpoint_every > 0")
        if self.run_dir and not self.checkpoint_every:  # the folder only ever holds checkpoints (issue 23)
            raise ValueError(
                f"run_dir={self.run_dir!r} needs checkpoint_every > 0 (--run-dir with --checkpoint-every N): "
                "the run folder holds only checkpoints, so run_dir alone would write nothing"
            )
        if self.method in ("rs-disrl-v", "rs-disrl-v-nobonus", "markov-cvar") and self.risk != "cvar":
            raise ValueError(f"method {self.method!r} optimises CVaR; got risk={self.risk!r}")

    def instance_kwargs(self) -> dict[str, float]:
        return {"tau": self.tau, "gamma": self.gamma, "gap": self.gap}

    def risk_measure(self) -> RiskMeasure:
        return RiskMeasure(self.risk, tau=self.tau, gamma=self.gamma)
