"""Run configuration: a frozen dataclass validated at construction."""

from __future__ import annotations

import dataclasses

from paperkit import check_choice, check_int_at_least, check_non_negative, check_range

METHODS = (
    "bvvi",  # the paper's algorithm
    "bvvi-nobonus",  # ablation: greedy plug-in (b = 0)
    "bvvi-risk-neutral",  # ablation: plans for gamma = plan_gamma_neutral, evaluated at gamma
    "rsvi2",  # Fei et al. (2021) on observations as states
    "oracle",  # plans with the true model: zero regret
    "memoryless",  # the best policy of the current observation only (exact, by enumeration): RSVI2's ceiling
    "random",  # uniformly random actions
)


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """One learner on one POMDP."""

    instance: str = "paper-pomdp"
    """paper-pomdp (Sec. 9: S=3 A=2 O=3 H=4), paper-mdp (same with identity emissions), contrast (S=4, H=3) or
    erm-lb (the entropic lower-bound construction, H=2: risk gap ``gap`` at every gamma)."""
    method: str = "bvvi"
    """One of METHODS."""
    gamma: float = 1.0
    """Entropic risk parameter (non-zero; < 0 risk-averse)."""
    episodes: int = 2000
    """K."""
    delta: float = 0.2
    """Confidence level in iota = ln(K H S O A / delta) (the paper's experiments use 0.2)."""
    bonus_scale: float = 1.0
    """c multiplying the constant 3 of the bonus residues (1 = the paper)."""
    bonus_in_q: bool = False
    """Let the step-h bonus choose the action (the paper's Q_h is bonus-free; the bonus enters beta_h)."""
    plan_gamma_neutral: float = 1e-3
    """Planning gamma of the risk-neutral ablation (gamma -> 0 limit)."""
    gap: float = 0.1
    """Entropic risk gap between the two arms of the erm-lb instance."""
    seed: int = 0
    """Run seed (environment and policy randomness)."""
    checkpoint_every: int = 0
    """Save a resumable checkpoint every this many episodes under run_dir (0: never)."""
    run_dir: str = ""
    """Folder for checkpoints ('' : keep nothing on disk); needs ``checkpoint_every`` > 0."""

    def __post_init__(self) -> None:
        check_choice("instance", self.instance, ("paper-pomdp", "paper-mdp", "contrast", "erm-lb"))
        check_choice("method", self.method, METHODS)
        check_range("gamma", self.gamma, -50.0, 50.0)
        if self.gamma == 0:
            raise ValueError("gamma must be a finite non-zero number (it divides), got 0.0")
        check_int_at_least("episodes", self.episodes, 1)
        check_range("delta", self.delta, 0.0, 1.0, low_open=True, high_open=True)
        check_non_negative("bonus_scale", self.bonus_scale)
        check_range("plan_gamma_neutral", self.plan_gamma_neutral, 0.0, 0.1, low_open=True)
        check_range("gap", self.gap, 0.0, 1.0, low_open=True, high_open=True)
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
        if self.checkpoint_every and not self.run_dir:
            raise ValueError("run_dir must be set when checkpoint_every > 0")
        if self.run_dir and not self.checkpoint_every:  # the folder only ever holds checkpoints (issue 23)
            raise ValueError(
                f"run_dir={self.run_dir!r} needs checkpoint_every > 0 (--run-dir with --checkpoint-every N): "
                "the run folder holds only checkpoints, so run_dir alone would write nothing"
            )

    def instance_kwargs(self) -> dict[str, float]:
        return {"gamma": self.gamma, "gap": self.gap}
