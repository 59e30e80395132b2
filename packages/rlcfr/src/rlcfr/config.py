"""Typed configs: the game and its CFR budget, RL training, evaluation. Validated on construction."""

from __future__ import annotations

import dataclasses

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

from rlcfr.abstraction import DEFAULT_FRACTIONS
from rlcfr.cfr import SOLVERS, SolverConfig
from rlcfr.holdem_lite import check_fractions


@dataclasses.dataclass(frozen=True)
class GameConfig:
    """The toy game, its default abstraction and the CFR budget of every subgame solve."""

    stack_bb: tuple[float, float] = (10.0, 50.0)
    """Effective stacks are drawn uniformly from this range (big blinds)."""
    max_raises: int = 4
    """Raises allowed in the street (keeps trees at 10^2-10^3 nodes)."""
    k: int = 3
    """Optional raises the RL action can switch on (paper K = 3; the code uses 5)."""
    default_fractions: tuple[float, ...] = DEFAULT_FRACTIONS
    """The default abstraction (pot fractions), K sizes so the size budget is equal."""
    size_map: str = "paper"
    """'paper': raise = 2.5 (x + 1) pot; 'code': the released code's stack-relative map."""
    cfr_iterations: int = 150
    """CFR iterations per subgame solve (paper 250)."""
    solver: str = "rlcfr_dcfr"
    """CFR variant: 'rlcfr_dcfr' (DCFR, linear averaging after 20 warm-up iterations), 'dcfr', 'cfr+', 'cfr'."""

    def __post_init__(self) -> None:
        if len(self.stack_bb) != 2:
            raise ValueError(f"stack_bb must be (low, high), got {self.stack_bb}")
        lo, hi = self.stack_bb
        check_positive("stack_bb[0]", lo)
        check_positive("stack_bb[1]", hi)
        if not (lo <= hi and lo > 1):
            raise ValueError(f"stack_bb must be (low, high) with 1 < low <= high, got {self.stack_bb}")
        check_int_at_least("max_raises", self.max_raises, 1)
        check_int_at_least("k", self.k, 1)
        check_fractions("default_fractions", self.default_fractions)
        if len(self.default_fractions) > self.k or max(self.default_fractions) > 5:
            raise ValueError(
                f"default_fractions must be at most k={self.k} sizes <= 5 pot, got {self.default_fractions}"
            )
        check_choice("size_map", self.size_map, ("paper", "code"))
        check_int_at_least("cfr_iterations", self.cfr_iterations, 1)
        check_choice("solver", self.solver, tuple(SOLVERS))

    @property
    def solver_config(self) -> SolverConfig:
        return SOLVERS[self.solver]


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """RL-CFR training: self-play data from CFR solves, then actor-critic updates, per epoch."""

    seed: int = 0
    """Seeds every stream (data, noise, networks, batches) through paperkit.Seeder."""
    game: GameConfig = GameConfig()
    """The game and the CFR budget of each solve."""
    epochs: int = 8
    """Rounds of (generate data with the target actor, then update)."""
    episodes_per_epoch: int = 16
    """Self-play hands per epoch; each public state on the way gives one (s, a, r) sample."""
    warmup_epochs: int = 1
    """Epochs whose data comes from the default abstraction plus noise (the code uses ~20 of 200)."""
    updates_per_epoch: int = 300
    """Gradient steps per epoch (paper 15,000)."""
    batch_size: int = 128
    """Minibatch size (paper 1024)."""
    buffer_size: int = 100_000
    """Replay capacity (paper 1e6)."""
    lr: float = 3e-4
    """Adam learning rate of actor and critic."""
    tau: float = 0.05
    """Target-actor soft update per policy step (paper 0.005 with 15k updates per epoch)."""
    noise: float = 0.15
    """Std of the Gaussian exploration noise on the action."""
    reward_scale: float = 100.0
    """Rewards are in BB; the critic regresses reward * reward_scale (the code uses 1e5 with BB = 0.01)."""
    hidden: tuple[int, ...] = (128, 96)
    """Hidden widths of actor and critics."""
    policy_delay: int = 2
    """Actor and target updated every policy_delay critic steps (TD3)."""
    follow_rl: float = 2.0 / 3.0
    """Probability that self-play continues with the RL-root solution rather than the default one."""
    checkpoint_every: int = 1
    """Epochs between checkpoints (when a run directory is given)."""

    def __post_init__(self) -> None:
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("epochs", self.epochs, 1)
        check_int_at_least("episodes_per_epoch", self.episodes_per_epoch, 1)
        check_int_at_least("warmup_epochs", self.warmup_epochs, 0)
        check_int_at_least("updates_per_epoch", self.updates_per_epoch, 0)
        check_int_at_least("batch_size", self.batch_size, 1)
        check_int_at_least("buffer_size", self.buffer_size, 1)
        check_positive("lr", self.lr)
        check_range("tau", self.tau, 0.0, 1.0, low_open=True)
        check_non_negative("noise", self.noise)
        check_positive("reward_scale", self.reward_scale)
        if not self.hidden or any(
            isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in self.hidden
        ):
            raise ValueError(f"hidden must be positive ints, got {self.hidden}")
        check_int_at_least("policy_delay", self.policy_delay, 1)
        check_range("follow_rl", self.follow_rl, 0.0, 1.0)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 1)


@dataclasses.dataclass(frozen=True)
class EvalConfig:
    """M1-M4 budgets."""

    seed: int = 1000
    """Held-out seed (different from training seeds)."""
    m1_episodes: int = 40
    """Hands walked with default self-play; the RL reward is measured at every public state on the way."""
    m2_deals: int = 4
    """Deals of the restricted game (both seats each)."""
    m2_iterations: int = 150
    """CFR iterations of each restricted-game solve."""
    m3_pairs: int = 40
    """Duplicate hand pairs of head-to-head re-solving play against the default-abstraction agent."""

    def __post_init__(self) -> None:
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("m1_episodes", self.m1_episodes, 0)
        check_int_at_least("m2_deals", self.m2_deals, 0)
        check_int_at_least("m2_iterations", self.m2_iterations, 1)
        check_int_at_least("m3_pairs", self.m3_pairs, 0)


HEADROOM_GRID = (0.25, 1 / 3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0)


@dataclasses.dataclass(frozen=True)
class HeadroomConfig:
    """The headroom check (``rlcfr headroom``): best K-size root abstraction against the default."""

    seed: int = 0
    """Seeds the deals (each seed is an independent block of ``deals`` deals)."""
    deals: int = 1
    """Random deals; each gives two decision points (the root and facing a 1 x pot open)."""
    game: GameConfig = GameConfig(stack_bb=(100.0, 200.0), max_raises=4, cfr_iterations=4000)
    """The game (stacks, raise cap, K, default sizes) and the CFR budget of every solve."""
    grid: tuple[float, ...] = HEADROOM_GRID
    """Root sizes of the superset abstraction (pot fractions; must contain the default sizes)."""

    def __post_init__(self) -> None:
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("deals", self.deals, 1)
        grid = check_fractions("grid", self.grid)
        missing = [f for f in self.game.default_fractions if f not in grid]
        if missing:
            raise ValueError(
                f"grid must contain the default sizes {self.game.default_fractions}, missing {missing}"
            )
        if len(grid) < self.game.k:
            raise ValueError(f"grid must have at least k={self.game.k} sizes, got {self.grid}")
