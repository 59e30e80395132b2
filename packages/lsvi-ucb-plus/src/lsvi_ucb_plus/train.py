"""Run a learner for K episodes on a finite linear MDP and score every played policy exactly."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
from paperkit import (
    MetricsLogger,
    Seeder,
    load_checkpoint,
    numpy_rng_state,
    restore_numpy_rng,
    save_checkpoint,
    write_config,
)
from paperkit.regret import log_spaced_steps

from lsvi_ucb_plus.agents import LSVIUCB, LSVIUCBPlus
from lsvi_ucb_plus.config import Config
from lsvi_ucb_plus.instances import hard_linear_mdp, random_lowrank_mdp
from lsvi_ucb_plus.mdp import FiniteLinearMDP, optimal_values, policy_values
from lsvi_ucb_plus.radii import lsvi_ucb_beta, plus_constants

Learner = LSVIUCBPlus | LSVIUCB


@dataclasses.dataclass
class Result:
    """Per-episode exact regret and a few diagnostics of one run."""

    config: Config
    regret: np.ndarray  # V*_1(s_1^k) − V^{π_k}_1(s_1^k), one entry per episode
    switches: int  # episodes on which the policy was re-planned
    seconds: float
    big_floor_fraction: float = float("nan")  # LSVI-UCB+ only: share of samples weighted at ς_big

    @property
    def cumulative_regret(self) -> np.ndarray:
        return np.cumsum(self.regret)

    @property
    def final_regret(self) -> float:
        return float(self.regret.sum())

    def curve(self) -> list[tuple[int, float]]:
        """(episode, cumulative regret) at geometrically spaced episodes ending at K."""
        cum = self.cumulative_regret
        return [(k, float(cum[k - 1])) for k in log_spaced_steps(len(cum), self.config.curve_points)]

    def __str__(self) -> str:
        c = self.config
        return (
            f"{c.algo} on {c.instance} (d={c.d}, H={c.horizon}, K={c.episodes}, seed={c.seed}): "
            f"cumulative regret {self.final_regret:.2f}, switches {self.switches}, {self.seconds:.1f}s"
        )


def make_instance(cfg: Config, rng: np.random.Generator) -> FiniteLinearMDP:
    if cfg.instance == "hard":
        return hard_linear_mdp(cfg.d, cfg.horizon, cfg.episodes, rng, delta=cfg.hard_delta)
    return random_lowrank_mdp(
        cfg.n_states, cfg.n_actions, cfg.d, cfg.horizon, rng, concentration=cfg.concentration
    )


def make_learner(cfg: Config, mdp: FiniteLinearMDP) -> Learner:
    """The learner named by ``cfg.algo``, with radii resolved for this MDP's feature dimension."""
    d, H, K = mdp.dim, mdp.horizon, cfg.episodes
    if cfg.algo == "lsvi-ucb":
        beta = lsvi_ucb_beta(d, H, K, cfg.delta, scale=cfg.bonus_scale)
        return LSVIUCB(mdp.phi, mdp.r, beta, lam=1.0 if cfg.lam is None else cfg.lam)
    consts = plus_constants(
        d,
        H,
        K,
        cfg.delta,
        scale=cfg.bonus_scale,
        radii=cfg.radii,
        lam=cfg.lam,
        c_e=cfg.c_e,
        c_thr=cfg.c_thr,
        sigma_big=cfg.sigma_big,
        sigma_small=cfg.sigma_small,
        floor_rule=cfg.floor_rule,
    )
    return LSVIUCBPlus(
        mdp.phi,
        mdp.r,
        K,
        consts,
        variance_weights=cfg.algo != "lsvi-ucb-plus-noweights",
        fixed_sigma=cfg.fixed_sigma,
        rare_switching=cfg.algo != "lsvi-ucb-plus-noswitch",
        running_min=cfg.running_min,
        pessimism_refresh=cfg.pessimism_refresh,
    )


def _sample(cdf: np.ndarray, rng: np.random.Generator) -> int:
    return min(int(np.searchsorted(cdf, rng.random(), side="right")), cdf.shape[-1] - 1)


def run_episodes(
    mdp: FiniteLinearMDP,
    learner: Learner,
    episodes: int,
    rng: np.random.Generator,
    *,
    start: int = 0,
    regret: np.ndarray | None = None,
    on_episode=None,
) -> np.ndarray:
    """Play episodes ``start..episodes-1``; entry k of the returned array is the exact regret of π_k."""
    regret = np.zeros(episodes) if regret is None else regret
    _, v_star = optimal_values(mdp)
    cdf = np.cumsum(mdp.P, axis=-1)
    init_cdf = np.cumsum(mdp.init)
    played: np.ndarray | None = None
    v_pi = v_star
    for k in range(start, episodes):
        policy = learner.plan()
        if played is None or not np.array_equal(policy, played):  # rare switching: re-evaluate on change only
            v_pi = policy_values(mdp, policy)
            played = policy.copy()
        s = _sample(init_cdf, rng)
        regret[k] = v_star[0, s] - v_pi[0, s]
        for h in range(mdp.horizon):
            a = int(policy[h, s])
            s_next = _sample(cdf[h, s, a], rng)
            learner.observe(h, s, a, s_next)
            s = s_next
        if on_episode is not None:
            on_episode(k + 1, regret)
    return regret


def train(
    cfg: Config,
    *,
    mdp: FiniteLinearMDP | None = None,
    run_dir: str | Path | None = None,
    resume: bool = False,
    stop_after: int | None = None,
) -> Result:
    """Run ``cfg.algo`` for ``cfg.episodes`` episodes (on ``mdp`` if given, else on ``cfg.instance``).

    With ``run_dir`` the config, the regret curve (``metrics.jsonl``) and, every ``cfg.checkpoint_every``
    episodes, a checkpoint are written there; ``resume=True`` continues bit-exactly from that checkpoint.
    """
    seeder = Seeder(cfg.seed)
    mdp = make_instance(cfg, seeder.numpy("instance")) if mdp is None else mdp
    learner = make_learner(cfg, mdp)
    rng = seeder.numpy("env")
    regret = np.zeros(cfg.episodes)
    start = 0
    ckpt_path = Path(run_dir) / "checkpoint" if run_dir is not None else None
    if resume:
        if ckpt_path is None:
            raise ValueError("resume=True needs a run_dir holding a checkpoint")
        ckpt = load_checkpoint(ckpt_path, config=cfg)
        learner.load_state_arrays({k: v for k, v in ckpt.arrays.items() if k != "regret"})
        start = ckpt.step
        regret[:start] = ckpt.arrays["regret"][:start]
        restore_numpy_rng(rng, ckpt.state["env_rng"])
    if cfg.checkpoint_every and run_dir is None:
        raise ValueError("checkpoint_every > 0 needs a run_dir")

    logger = None
    points = set(log_spaced_steps(cfg.episodes, cfg.curve_points))
    if run_dir is not None:
        Path(run_dir).mkdir(parents=True, exist_ok=True)
        write_config(run_dir, cfg)
        logger = MetricsLogger(
            run_dir, resume_step=start if resume else None, total=cfg.episodes, desc="lsvi-ucb-plus"
        )

    def on_episode(k: int, reg: np.ndarray) -> None:
        if logger is not None and k in points:
            logger.log(k, {"cumulative_regret": float(reg[:k].sum()), "switches": learner.switches})
        if cfg.checkpoint_every and k % cfg.checkpoint_every == 0 and ckpt_path is not None:
            save_checkpoint(
                ckpt_path,
                config=cfg,
                step=k,
                arrays={**learner.state_arrays(), "regret": reg},
                state={"env_rng": numpy_rng_state(rng)},
            )

    t0 = time.perf_counter()
    try:
        end = cfg.episodes if stop_after is None else min(stop_after, cfg.episodes)
        run_episodes(mdp, learner, end, rng, start=start, regret=regret, on_episode=on_episode)
    finally:
        if logger is not None:
            logger.close()
    return Result(
        config=cfg,
        regret=regret,
        switches=learner.switches,
        seconds=time.perf_counter() - t0,
        big_floor_fraction=getattr(learner, "big_floor_fraction", float("nan")),
    )


def evaluate(cfg: Config, run_dir: str | Path) -> dict[str, float]:
    """Exact value of the greedy policy stored in a run's checkpoint versus the optimum (from s_1 ~ init)."""
    seeder = Seeder(cfg.seed)
    mdp = make_instance(cfg, seeder.numpy("instance"))
    learner = make_learner(cfg, mdp)
    ckpt = load_checkpoint(Path(run_dir) / "checkpoint", config=cfg)
    learner.load_state_arrays({k: v for k, v in ckpt.arrays.items() if k != "regret"})
    _, v_star = optimal_values(mdp)
    v_pi = policy_values(mdp, learner.policy)
    return {
        "episodes": float(ckpt.step),
        "optimal_value": float(mdp.init @ v_star[0]),
        "policy_value": float(mdp.init @ v_pi[0]),
        "suboptimality": float(mdp.init @ (v_star[0] - v_pi[0])),
        "cumulative_regret": float(ckpt.arrays["regret"][: ckpt.step].sum()),
    }


def random_policy_regret(mdp: FiniteLinearMDP, episodes: int) -> float:
    """Expected cumulative regret of the uniformly random policy over K episodes (exact)."""
    _, v_star = optimal_values(mdp)
    H, S = mdp.horizon, mdp.n_states
    V = np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        V[h] = (mdp.r[h] + mdp.P[h] @ V[h + 1]).mean(axis=1)
    return float(episodes * (mdp.init @ (v_star[0] - V[0])))
