"""The typed, validated config of one run (``umo2 train``)."""

from __future__ import annotations

import dataclasses
from typing import Literal

from paperkit import check_choice, check_int_at_least, check_positive, check_range

ALGORITHMS = ("umo2", "umo2_default", "oracle", "fixed_rate", "stale", "single_hop", "random")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """One algorithm on one network, ``seeds`` independent runs vectorised as rows."""

    algorithm: Literal["umo2", "umo2_default", "oracle", "fixed_rate", "stale", "single_hop", "random"] = (
        "umo2"
    )
    """umo2 (tuned with the reference's switch count and slack), umo2_default (untuned), or a baseline."""
    topology: str = "diamond"
    """A bundled topology (diamond, line3) or the path of a topology JSON file."""
    horizon: int = 10_000
    """T slots."""
    seeds: int = 10
    """Independent runs, vectorised as rows."""
    seed: int = 0
    """First seed; rows use seed, seed+1, ..."""
    v_exponent: float = 1 / 3
    """V = T^v_exponent trades utility gap O(1/V) against backlog O(V)."""
    delta_exponent: float = 0.25
    """One-point BCO exploration radius delta = T^-delta_exponent."""
    eta0: float = 1.0
    """Admission step scale."""
    residual_feedback: bool = True
    """[R] one-point gradient from f_t - f_{t-1} (residual feedback) instead of f_t alone."""
    scale_memory: Literal["share", "full"] = "share"
    """[R] the mode learner's scale-free rate sqrt(ln M / (M sum W^2)): "share" discounts the sum of W^2 at
    the fixed-share rate (follows the current block's scale), "full" keeps the plain cumulative sum."""
    admission_rate: Literal["instant", "cumulative"] = "instant"
    """[R] the admission learner's queue-dependent rate: eta0 / ((V + ||q_t||) sqrt(t)) ("instant") or
    eta0 / sqrt(sum_s (V + ||q_s||)^2) ("cumulative")."""
    checkpoint_every: int = 0
    """With a run folder, write a resumable checkpoint every this many slots (0: only when stopped early)."""
    slack: float = 0.05
    """Reference slack epsilon: the reference stabilises capacities reduced by this much."""
    block_base: float = 50.0
    """Capacity blocks have length block_base * 2^(j/2)."""
    utility_block_base: float = 70.0
    """Utility-weight blocks have length utility_block_base * 2^(j/2)."""
    packet_success: float = 0.9
    """Realised capacity = level x Bernoulli(packet_success)."""
    fixed_admission: float = 0.5
    """Admission rate of the 'random' baseline."""

    def __post_init__(self) -> None:
        check_choice("algorithm", self.algorithm, ALGORITHMS)
        if not isinstance(self.topology, str) or not self.topology:
            raise ValueError(f"topology must be a non-empty string, got {self.topology!r}")
        check_int_at_least("horizon", self.horizon, 2)
        check_int_at_least("seeds", self.seeds, 1)
        check_int_at_least("seed", self.seed, 0)
        check_range("v_exponent", self.v_exponent, 0.0, 1.0)
        check_range("delta_exponent", self.delta_exponent, 0.0, 1.0, low_open=True)
        check_positive("eta0", self.eta0)
        check_choice("scale_memory", self.scale_memory, ("share", "full"))
        check_choice("admission_rate", self.admission_rate, ("instant", "cumulative"))
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
        check_range("slack", self.slack, 0.0, 1e3)
        check_positive("block_base", self.block_base)
        check_positive("utility_block_base", self.utility_block_base)
        check_range("packet_success", self.packet_success, 0.0, 1.0, low_open=True)
        check_range("fixed_admission", self.fixed_admission, 0.0, 1e6)
