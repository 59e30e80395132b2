"""train(cfg) -> Result: run a learner for K episodes and record the exact entropic regret of every episode."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
from paperkit import Seeder, load_checkpoint, numpy_rng_state, restore_numpy_rng, save_checkpoint

from risk_pomdp.bvvi import BVVI
from risk_pomdp.config import TrainConfig
from risk_pomdp.evaluation import best_memoryless, check_gamma, entropic_value, optimal_plan
from risk_pomdp.instances import make_instance
from risk_pomdp.learners import FixedPolicy, Learner, Oracle, UniformRandom, rollout
from risk_pomdp.pomdp import FinitePOMDP
from risk_pomdp.rsvi2 import RSVI2


@dataclasses.dataclass
class Result:
    method: str
    gamma: float
    j_star: float  # optimal entropic risk value (exact history DP)
    regret: np.ndarray  # [K] J* - J(pi_k), exact
    returns: np.ndarray  # [K] realised episode returns (sum of rewards), for return curves
    seconds: float

    @property
    def cumulative_regret(self) -> np.ndarray:
        return np.cumsum(self.regret)

    def __str__(self) -> str:
        K = self.regret.size
        return (
            f"{self.method} (gamma={self.gamma:g}): K={K} J*={self.j_star:.4f} cumulative regret="
            f"{self.cumulative_regret[-1]:.3f} (average suboptimality {self.regret.mean():.4f}, last-10% "
            f"{self.regret[-max(1, K // 10) :].mean():.4f}, {self.seconds:.1f}s)"
        )


def make_learner(cfg: TrainConfig, pomdp: FinitePOMDP) -> Learner:
    g, K = cfg.gamma, cfg.episodes
    if cfg.method == "bvvi":
        return BVVI(pomdp, g, K, cfg.delta, cfg.bonus_scale, cfg.bonus_in_q)
    if cfg.method == "bvvi-nobonus":
        return BVVI(pomdp, g, K, cfg.delta, 0.0)
    if cfg.method == "bvvi-risk-neutral":
        return BVVI(
            pomdp, g, K, cfg.delta, cfg.bonus_scale, cfg.bonus_in_q, plan_gamma=cfg.plan_gamma_neutral
        )
    if cfg.method == "rsvi2":
        return RSVI2(pomdp, g, K, cfg.delta, cfg.bonus_scale)
    if cfg.method == "oracle":
        return Oracle(pomdp, g, K)
    if cfg.method == "memoryless":
        return FixedPolicy(pomdp, g, K, best_memoryless(pomdp, g)[1])
    return UniformRandom(pomdp, g, K)


def train(cfg: TrainConfig, pomdp: FinitePOMDP | None = None, *, stop_after: int | None = None) -> Result:
    """Run ``cfg.method`` on ``pomdp`` (default ``cfg.instance``); exact regret each episode.

    With ``checkpoint_every`` and ``run_dir``, checkpoints every N episodes and resumes bit-exactly from one written by
    the same config. ``stop_after`` ends the run early (to emulate an interruption)."""
    pomdp = make_instance(cfg.instance, **cfg.instance_kwargs()) if pomdp is None else pomdp
    check_gamma(cfg.gamma, pomdp)
    j_star = optimal_plan(pomdp, cfg.gamma).value
    learner = make_learner(cfg, pomdp)
    rng = Seeder(cfg.seed).numpy("rollout")
    regret = np.zeros(cfg.episodes)
    returns = np.zeros(cfg.episodes)
    start = 0
    ckpt = Path(cfg.run_dir) / "checkpoint" if cfg.run_dir else None
    if ckpt is not None and (ckpt / "state.json").exists():
        saved = load_checkpoint(ckpt, config=cfg)
        start = saved.step
        learner.load_state_arrays(saved.arrays)
        regret[:start] = saved.arrays["regret"][:start]
        returns[:start] = saved.arrays["returns"][:start]
        restore_numpy_rng(rng, saved.state["rng"])
    t0 = time.perf_counter()
    end = cfg.episodes if stop_after is None else min(cfg.episodes, stop_after)
    for k in range(start, end):
        policy = learner.policy()
        regret[k] = j_star - entropic_value(pomdp, policy, cfg.gamma)
        traj = rollout(pomdp, policy, rng)
        returns[k] = traj.rewards.sum()
        learner.update(traj)
        if ckpt is not None and cfg.checkpoint_every and (k + 1) % cfg.checkpoint_every == 0:
            save_checkpoint(
                ckpt,
                config=cfg,
                step=k + 1,
                arrays={**learner.state_arrays(), "regret": regret, "returns": returns},
                state={"rng": numpy_rng_state(rng)},
            )
    return Result(cfg.method, cfg.gamma, j_star, regret[:end], returns[:end], time.perf_counter() - t0)


@dataclasses.dataclass
class Evaluation:
    j_star: float  # best history-dependent policy
    j_uniform: float  # uniformly random policy
    bound_factor: float  # (e^{|gamma| H} - 1) / (|gamma| H): the regret bound's risk factor


def evaluate_instance(pomdp: FinitePOMDP, gamma: float) -> Evaluation:
    check_gamma(gamma, pomdp)
    uniform = [np.full((pomdp.n_histories(h), pomdp.A), 1.0 / pomdp.A) for h in range(pomdp.H)]
    return Evaluation(
        optimal_plan(pomdp, gamma).value,
        entropic_value(pomdp, uniform, gamma),
        float(np.expm1(abs(gamma) * pomdp.H) / (abs(gamma) * pomdp.H)),
    )
