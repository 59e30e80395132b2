"""train(cfg) -> Result: run a learner for K episodes and record its exact per-episode regret."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
from paperkit import (
    Seeder,
    load_checkpoint,
    numpy_rng_state,
    restore_numpy_rng,
    save_checkpoint,
)

from rs_disrl.config import TrainConfig
from rs_disrl.dp import evaluate, optimal_markov, optimal_value, uniform_policy
from rs_disrl.instances import make_instance
from rs_disrl.learner import Learner, UniformRandom, rollout
from rs_disrl.linear_cvar import RSDisRLV, linear_cvar_beta
from rs_disrl.lsvi_ucb import LSVIUCB
from rs_disrl.mdp import FiniteMDP
from rs_disrl.model_based import MarkovCVaR, RSDisRLM
from rs_disrl.risk import RiskMeasure


@dataclasses.dataclass
class Result:
    method: str
    rho_star: float  # optimal risk value over history-dependent policies (exact DP)
    regret: np.ndarray  # [K] rho* - rho(Z^{pi_k}), exact
    budgets: np.ndarray  # [K] CVaR budget b_k chosen each episode (NaN for learners without one)
    seconds: float

    @property
    def cumulative_regret(self) -> np.ndarray:
        return np.cumsum(self.regret)

    def __str__(self) -> str:
        K = self.regret.size
        tail = self.regret[-max(1, K // 10) :].mean()
        return (
            f"{self.method}: K={K} rho*={self.rho_star:.4f} cumulative regret={self.cumulative_regret[-1]:.3f} "
            f"(last-10% per-episode regret {tail:.4f}, {self.seconds:.1f}s)"
        )


def make_learner(cfg: TrainConfig, mdp: FiniteMDP) -> Learner:
    risk = cfg.risk_measure()
    d = mdp.phi().shape[-1]
    beta = linear_cvar_beta(cfg.beta_rule, cfg.bonus_scale, d, mdp.H, mdp.M, cfg.episodes, cfg.delta)
    if cfg.method == "rs-disrl-v":
        return RSDisRLV(mdp, risk, cfg.episodes, beta, cfg.lam, cfg.feature_map)
    if cfg.method == "rs-disrl-v-nobonus":
        return RSDisRLV(mdp, risk, cfg.episodes, 0.0, cfg.lam, cfg.feature_map)
    if cfg.method == "rs-disrl-m":
        return RSDisRLM(mdp, risk, cfg.episodes, cfg.bonus_scale, cfg.delta)
    if cfg.method == "rs-disrl-m-nobonus":
        return RSDisRLM(mdp, risk, cfg.episodes, 0.0, cfg.delta)
    if cfg.method == "markov-cvar":
        return MarkovCVaR(mdp, risk, cfg.episodes, cfg.bonus_scale, cfg.delta)
    if cfg.method == "lsvi-ucb":
        return LSVIUCB(mdp, cfg.episodes, beta, cfg.lam)
    return UniformRandom(mdp, cfg.episodes)


def train(cfg: TrainConfig, mdp: FiniteMDP | None = None, *, stop_after: int | None = None) -> Result:
    """Run ``cfg.method`` on ``mdp`` (default: ``cfg.instance``) and return the exact regret of every episode.

    With ``checkpoint_every`` and ``run_dir`` set, a checkpoint is written every N episodes and a later call with the
    same config resumes from it bit-exactly. ``stop_after`` ends the run early (to emulate an interruption)."""
    mdp = make_instance(cfg.instance, **cfg.instance_kwargs()) if mdp is None else mdp
    risk = cfg.risk_measure()
    rho_star, _ = optimal_value(mdp, risk)
    learner = make_learner(cfg, mdp)
    rng = Seeder(cfg.seed).numpy("rollout")
    regret = np.zeros(cfg.episodes)
    budgets = np.full(cfg.episodes, np.nan)
    start = 0
    ckpt = Path(cfg.run_dir) / "checkpoint" if cfg.run_dir else None
    if ckpt is not None and (ckpt / "state.json").exists():
        saved = load_checkpoint(ckpt, config=cfg)
        start = saved.step
        learner.load_state_arrays(saved.arrays)
        regret[:start] = saved.arrays["regret"][:start]
        budgets[:start] = saved.arrays["budgets"][:start]
        restore_numpy_rng(rng, saved.state["rng"])
    t0 = time.perf_counter()
    end = cfg.episodes if stop_after is None else min(cfg.episodes, stop_after)
    for k in range(start, end):
        policy = learner.policy()
        regret[k] = rho_star - evaluate(mdp, policy, risk)
        budgets[k] = getattr(learner, "last_budget", np.nan)
        learner.update(rollout(mdp, policy, rng))
        if ckpt is not None and cfg.checkpoint_every and (k + 1) % cfg.checkpoint_every == 0:
            save_checkpoint(
                ckpt,
                config=cfg,
                step=k + 1,
                arrays={**learner.state_arrays(), "regret": regret, "budgets": budgets},
                state={"rng": numpy_rng_state(rng)},
            )
    return Result(cfg.method, rho_star, regret[:end], budgets[:end], time.perf_counter() - t0)


@dataclasses.dataclass
class Evaluation:
    rho_star: float  # best over history-dependent (augmented Markov) policies
    rho_markov: float  # best over Markov policies in s (NaN when too many to enumerate)
    rho_uniform: float  # the uniformly random policy
    lipschitz: float  # L_inf(rho) for the instance's return range


def evaluate_instance(mdp: FiniteMDP, risk: RiskMeasure) -> Evaluation:
    """Exact reference values of an instance under a risk measure."""
    rho_star, _ = optimal_value(mdp, risk)
    try:
        rho_markov, _ = optimal_markov(mdp, risk)
    except ValueError:
        rho_markov = float("nan")
    span = float(mdp.H * (mdp.atoms.max() - mdp.atoms.min()))
    return Evaluation(rho_star, rho_markov, evaluate(mdp, uniform_policy(mdp), risk), risk.lipschitz(span))
