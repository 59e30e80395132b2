"""Run a learner for K episodes and score every played policy by its exact iterated-CVaR regret."""

from __future__ import annotations

import dataclasses
import math
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

from icvar.baselines import ICVaRVI, RiskNeutralVTR
from icvar.config import Config
from icvar.icvar_g import ICVaRG, confidence_radius, simplex_grid
from icvar.icvar_l import ICVaRL
from icvar.instances import risk_contrast_mdp
from icvar.mdp import FiniteMixtureMDP, icvar_optimal_values, icvar_policy_values
from icvar.risk import check_alpha, epsilon_net

Learner = ICVaRL | ICVaRG | ICVaRVI | RiskNeutralVTR


@dataclasses.dataclass
class Result:
    """Per-episode exact ICVaR regret of one run."""

    config: Config
    regret: np.ndarray  # V*_1(s_1^k) − V^{π_k}_1(s_1^k) under the iterated CVaR_α objective
    seconds: float

    @property
    def cumulative_regret(self) -> np.ndarray:
        return np.cumsum(self.regret)

    @property
    def final_regret(self) -> float:
        return float(self.regret.sum())

    def curve(self) -> list[tuple[int, float]]:
        cum = self.cumulative_regret
        return [(k, float(cum[k - 1])) for k in log_spaced_steps(len(cum), self.config.curve_points)]

    def __str__(self) -> str:
        c = self.config
        return (
            f"{c.algo} (α={c.alpha}, S={4 + 2 * c.n_satellites}, d={c.d}, H={c.horizon}, K={c.episodes}, "
            f"seed={c.seed}): cumulative ICVaR regret {self.final_regret:.2f}, {self.seconds:.1f}s"
        )


def theorem_epsilon(d: int, horizon: int, alpha: float, episodes: int) -> float:
    """ε = dH·sqrt(α^{H−3}/K) (Thm 1)."""
    return d * horizon * math.sqrt(alpha ** (horizon - 3) / episodes)


def theorem_beta(d: int, horizon: int, episodes: int, delta: float, lam: float) -> float:
    """β̂ = H·sqrt(d ln((H + K H³)/δ)) + √λ (Thm 1)."""
    return horizon * math.sqrt(d * math.log((horizon + episodes * horizon**3) / delta)) + math.sqrt(lam)


def make_instance(cfg: Config) -> FiniteMixtureMDP:
    return risk_contrast_mdp(cfg.n_satellites, cfg.d, cfg.horizon, p_high=cfg.p_high, split=cfg.split)


def make_learner(cfg: Config, mdp: FiniteMixtureMDP, rng: np.random.Generator | None = None) -> Learner:
    """The learner named by ``cfg.algo`` with its constants resolved for this MDP (``rng``: tie-breaking)."""
    rng = Seeder(cfg.seed).numpy("tie-break") if rng is None else rng
    alpha = check_alpha(cfg.alpha)
    H, S, A, K = mdp.horizon, mdp.n_states, mdp.n_actions, cfg.episodes
    if cfg.algo == "icvar-vi":
        return ICVaRVI(mdp.r, S, alpha, cfg.bonus_scale, math.log(S * A * H * K / cfg.delta), rng=rng)
    d = mdp.dim
    lam = float(H**2) if cfg.lam is None else cfg.lam
    beta = (
        theorem_beta(d, H, K, cfg.delta, lam)
        if cfg.radii == "theorem"
        else cfg.bonus_scale * H * math.sqrt(d)
    )
    if cfg.algo == "risk-neutral-vtr":
        return RiskNeutralVTR(mdp.features, mdp.r, beta, lam=lam, rng=rng)
    eps = cfg.epsilon
    if eps is None:
        eps = max(theorem_epsilon(d, H, alpha, K), H / cfg.max_net)
    net = epsilon_net(H, eps)
    if cfg.algo == "icvar-g":
        weights = simplex_grid(d, cfg.grid_resolution)
        models = np.einsum("satj,gj->gsat", mdp.features, math.sqrt(d) * weights)
        models = np.clip(models, 0.0, None)
        models /= models.sum(axis=-1, keepdims=True)
        scale = cfg.bonus_scale if cfg.gamma_scale is None else cfg.gamma_scale
        return ICVaRG(
            models, mdp.r, alpha, net, scale * confidence_radius(H, len(weights), K, cfg.delta), rng=rng
        )
    if cfg.algo == "icvar-l-nobonus":
        beta = 0.0
    return ICVaRL(mdp.features, mdp.r, alpha, net, beta, lam=lam, epsilon=eps, rng=rng)


def _sample(cdf: np.ndarray, rng: np.random.Generator) -> int:
    return min(int(np.searchsorted(cdf, rng.random(), side="right")), cdf.shape[-1] - 1)


def run_episodes(
    mdp: FiniteMixtureMDP,
    learner: Learner,
    alpha: float,
    episodes: int,
    rng: np.random.Generator,
    *,
    start: int = 0,
    regret: np.ndarray | None = None,
    on_episode=None,
) -> np.ndarray:
    """Play episodes ``start..episodes-1``; entry k is the exact ICVaR regret of the policy played in episode k."""
    regret = np.zeros(episodes) if regret is None else regret
    _, v_star = icvar_optimal_values(mdp, alpha)
    cdf = np.cumsum(mdp.P, axis=-1)
    init_cdf = np.cumsum(mdp.init)
    played: np.ndarray | None = None
    v_pi = v_star
    for k in range(start, episodes):
        policy = learner.plan()
        if played is None or not np.array_equal(policy, played):
            v_pi = icvar_policy_values(mdp, policy, alpha)
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
    mdp: FiniteMixtureMDP | None = None,
    run_dir: str | Path | None = None,
    resume: bool = False,
    stop_after: int | None = None,
) -> Result:
    """Run ``cfg.algo`` for ``cfg.episodes`` episodes (on ``mdp`` if given, else the risk-contrast instance).

    With ``run_dir`` the config, the regret curve and, every ``cfg.checkpoint_every`` episodes, a checkpoint
    are written there; ``resume=True`` continues bit-exactly. ``stop_after`` ends the run early (an interruption).
    """
    mdp = make_instance(cfg) if mdp is None else mdp
    learner = make_learner(cfg, mdp)
    rng = Seeder(cfg.seed).numpy("env")
    regret = np.zeros(cfg.episodes)
    start = 0
    if cfg.checkpoint_every and run_dir is None:
        raise ValueError("checkpoint_every > 0 needs a run_dir")
    ckpt_path = Path(run_dir) / "checkpoint" if run_dir is not None else None
    if resume:
        if ckpt_path is None:
            raise ValueError("resume=True needs a run_dir holding a checkpoint")
        ckpt = load_checkpoint(ckpt_path, config=cfg)
        learner.load_state_arrays({k: v for k, v in ckpt.arrays.items() if k != "regret"})
        start = ckpt.step
        regret[:start] = ckpt.arrays["regret"][:start]
        restore_numpy_rng(rng, ckpt.state["env_rng"])
        restore_numpy_rng(learner.rng, ckpt.state["tie_rng"])

    logger = None
    points = set(log_spaced_steps(cfg.episodes, cfg.curve_points))
    if run_dir is not None:
        Path(run_dir).mkdir(parents=True, exist_ok=True)
        write_config(run_dir, cfg)
        logger = MetricsLogger(
            run_dir, resume_step=start if resume else None, total=cfg.episodes, desc="icvar"
        )

    def on_episode(k: int, reg: np.ndarray) -> None:
        if logger is not None and k in points:
            logger.log(k, {"cumulative_regret": float(reg[:k].sum())})
        if cfg.checkpoint_every and k % cfg.checkpoint_every == 0 and ckpt_path is not None:
            save_checkpoint(
                ckpt_path,
                config=cfg,
                step=k,
                arrays={**learner.state_arrays(), "regret": reg},
                state={"env_rng": numpy_rng_state(rng), "tie_rng": numpy_rng_state(learner.rng)},
            )

    t0 = time.perf_counter()
    try:
        end = cfg.episodes if stop_after is None else min(stop_after, cfg.episodes)
        run_episodes(mdp, learner, cfg.alpha, end, rng, start=start, regret=regret, on_episode=on_episode)
    finally:
        if logger is not None:
            logger.close()
    return Result(config=cfg, regret=regret, seconds=time.perf_counter() - t0)


def evaluate(cfg: Config, run_dir: str | Path) -> dict[str, float]:
    """Exact ICVaR value of the greedy policy in a run's checkpoint versus the ICVaR optimum."""
    mdp = make_instance(cfg)
    learner = make_learner(cfg, mdp)
    ckpt = load_checkpoint(Path(run_dir) / "checkpoint", config=cfg)
    learner.load_state_arrays({k: v for k, v in ckpt.arrays.items() if k != "regret"})
    _, v_star = icvar_optimal_values(mdp, cfg.alpha)
    v_pi = icvar_policy_values(mdp, learner.policy, cfg.alpha)
    return {
        "episodes": float(ckpt.step),
        "optimal_value": float(mdp.init @ v_star[0]),
        "policy_value": float(mdp.init @ v_pi[0]),
        "suboptimality": float(mdp.init @ (v_star[0] - v_pi[0])),
        "cumulative_regret": float(ckpt.arrays["regret"][: ckpt.step].sum()),
    }


def random_policy_regret(mdp: FiniteMixtureMDP, alpha: float, episodes: int) -> float:
    """Expected cumulative ICVaR regret of a uniformly random *deterministic* policy (exact average over all
    per-(h, s) action draws is intractable, so: the mean over 64 random deterministic policies, fixed seed)."""
    _, v_star = icvar_optimal_values(mdp, alpha)
    rng = np.random.default_rng(0)
    gaps = []
    for _ in range(64):
        pi = rng.integers(0, mdp.n_actions, size=(mdp.horizon, mdp.n_states))
        gaps.append(float(mdp.init @ (v_star[0] - icvar_policy_values(mdp, pi, alpha)[0])))
    return episodes * float(np.mean(gaps))
