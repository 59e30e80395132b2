"""Seed-vectorised learners: N independent runs of BVVI (and its ablations) or RSVI2 advanced in lockstep, with a
leading seed axis through the hindsight counts, the empirical model, the risk-belief tree, the beta-vector backups
and bonuses, the exact evaluation and the rollouts.

Each seed keeps its own random stream (``Seeder(seed).numpy("rollout")``) and draws the same numbers in the same
order as :func:`risk_pomdp.learners.rollout` (first state, first observation, then per step the next state and its
observation; the policies are deterministic), so run ``n`` of :func:`train_seeds` gives the same regret as
``train(TrainConfig(seed=seeds[n]))`` (tested seed by seed). The per-seed classes stay the readable reference.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from paperkit import Seeder

from risk_pomdp.beliefs import belief_tree
from risk_pomdp.config import TrainConfig
from risk_pomdp.evaluation import check_gamma, entropic_value, optimal_plan
from risk_pomdp.instances import make_instance
from risk_pomdp.pomdp import FinitePOMDP
from risk_pomdp.train import Result, make_learner


def _normalise(counts: np.ndarray) -> np.ndarray:
    n = counts.sum(-1, keepdims=True)
    return np.where(n > 0, counts / np.maximum(n, 1.0), 1.0 / counts.shape[-1])


def batch_belief_tree(
    mu: np.ndarray, T: np.ndarray, E: np.ndarray, r: np.ndarray, gamma: float
) -> list[np.ndarray]:
    """:func:`risk_pomdp.beliefs.belief_tree` for N models: mu [N, S], T [N, H, A, S, S], E [N, H + 1, S, O]
    -> per step [N, n_h, S]."""
    H = T.shape[1]
    levels = [(mu[:, :, None] * E[:, 0]).transpose(0, 2, 1).copy()]  # [N, O, S]
    for h in range(H - 1):
        rho = levels[-1]
        weighted = rho[:, :, None, :] * np.exp(gamma * r[h].T)[None, None, :, :]  # [N, n, A, S]
        moved = np.einsum("nfas,nast->nfat", weighted, T[:, h])
        children = moved[:, :, :, None, :] * E[:, h + 1].transpose(0, 2, 1)[:, None, None, :, :]
        levels.append(children.reshape(rho.shape[0], -1, rho.shape[2]))
    return levels


def batch_plan(
    rho: list[np.ndarray],
    T: np.ndarray,
    E: np.ndarray,
    r: np.ndarray,
    gamma: float,
    bonus: np.ndarray | None = None,
    *,
    bonus_in_q: bool = False,
) -> tuple[list[np.ndarray], np.ndarray]:
    """:func:`risk_pomdp.beta_vectors.plan_beta_vectors` (clipped) for N models; returns the per-step greedy actions
    [N, n_h] and the planner's values [N]."""
    N, H, A, S, _ = T.shape
    O = E.shape[-1]
    sign = np.sign(gamma)
    cont = np.ones((N, rho[-1].shape[1], A, S))
    policy: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * H
    beta = np.ones((N, rho[-1].shape[1], S))
    for h in reversed(range(H)):
        next_val = np.einsum("nast,nfat->nfas", T[:, h], cont)
        beta_all = np.exp(gamma * r[h].T)[None, None] * next_val  # [N, n, A, S]
        score = np.einsum("nfs,nfas->nfa", rho[h], beta_all)
        if bonus is not None:
            beta_all = beta_all + sign * bonus[:, h].transpose(0, 2, 1)[:, None]
            if bonus_in_q:
                score = np.einsum("nfs,nfas->nfa", rho[h], beta_all)
        lo, hi = sorted((np.exp(min(gamma, 0.0) * (H - h)), np.exp(max(gamma, 0.0) * (H - h))))
        beta_all = np.clip(beta_all, lo, hi)
        actions = np.argmax(score, axis=2) if gamma > 0 else np.argmin(score, axis=2)
        policy[h] = actions
        beta = np.take_along_axis(beta_all, actions[:, :, None, None], axis=2)[:, :, 0]  # [N, n, S]
        if h > 0:
            n_parent = rho[h - 1].shape[1]
            cont = np.einsum("nfaos,nso->nfas", beta.reshape(N, n_parent, A, O, S), E[:, h])
    total = np.einsum("nos,nos->n", rho[0], beta)
    return policy, np.log(total) / gamma


def batch_bvvi_bonus(n_sa, n_s, T_hat, n_obs: int, gamma: float, iota: float, scale: float) -> np.ndarray:
    """:func:`risk_pomdp.bvvi.bvvi_bonus` for N runs: n_sa [N, H, S, A], n_s [N, H + 1, S], T_hat [N, H, A, S, S]."""
    _, H, S, _ = n_sa.shape
    t = np.minimum(1.0, 3.0 * scale * np.sqrt(S * H * iota / np.maximum(n_sa, 1.0)))
    o = np.minimum(1.0, 3.0 * scale * np.sqrt(n_obs * H * iota / np.maximum(n_s, 1.0)))
    spread = np.einsum("nhast,nht->nhsa", T_hat, o[:, 1:])
    width = np.abs(np.expm1(gamma * (H - np.arange(H))))[None, :, None, None]
    return width * np.minimum(1.0, t + spread)


class BatchBVVI:
    """BVVI for N runs (same math as :class:`risk_pomdp.bvvi.BVVI`); ``bonus_scale = 0`` is the no-bonus ablation,
    ``plan_gamma`` the risk-neutral one."""

    def __init__(
        self, pomdp, gamma, n_runs, episodes, delta=0.2, bonus_scale=1.0, bonus_in_q=False, plan_gamma=None
    ):
        self.pomdp, self.N = pomdp, n_runs
        self.H, self.S, self.A, self.O = pomdp.H, pomdp.S, pomdp.A, pomdp.O
        self.plan_gamma = gamma if plan_gamma is None else plan_gamma
        self.bonus_scale, self.bonus_in_q = bonus_scale, bonus_in_q
        self.iota = float(np.log(episodes * self.H * self.S * self.O * self.A / delta))
        self.n_init = np.zeros((n_runs, self.S))
        self.n_trans = np.zeros((n_runs, self.H, self.S, self.A, self.S))
        self.n_emit = np.zeros((n_runs, self.H + 1, self.S, self.O))

    def update(self, states, observations, actions) -> None:
        N, H = self.N, self.H
        n = np.arange(N)
        self.n_init[n, states[:, 0]] += 1
        nh = np.repeat(n, H), np.tile(np.arange(H), N)
        np.add.at(self.n_trans, (*nh, states[:, :-1].ravel(), actions.ravel(), states[:, 1:].ravel()), 1.0)
        ne = np.repeat(n, H + 1), np.tile(np.arange(H + 1), N)
        np.add.at(self.n_emit, (*ne, states.ravel(), observations.ravel()), 1.0)

    def policy(self) -> list[np.ndarray]:
        mu = _normalise(self.n_init)
        T = _normalise(self.n_trans).transpose(0, 1, 3, 2, 4)  # [N, H, A, S, S']
        E = _normalise(self.n_emit)
        g = self.plan_gamma
        rho = batch_belief_tree(mu, T, E, self.pomdp.rewards, g)
        bonus = None
        if self.bonus_scale > 0:
            bonus = batch_bvvi_bonus(
                self.n_trans.sum(-1), self.n_emit.sum(-1), T, self.O, g, self.iota, self.bonus_scale
            )
        actions, _ = batch_plan(rho, T, E, self.pomdp.rewards, g, bonus, bonus_in_q=self.bonus_in_q)
        return actions


class BatchRSVI2:
    """RSVI2 on observations for N runs (same math as :class:`risk_pomdp.rsvi2.RSVI2`)."""

    def __init__(self, pomdp, gamma, n_runs, episodes, delta=0.2, bonus_scale=1.0):
        self.pomdp, self.N, self.gamma = pomdp, n_runs, gamma
        self.H, self.A, self.O = pomdp.H, pomdp.A, pomdp.O
        self.bonus_scale = bonus_scale
        self.log_term = float(np.log(self.H * self.O * self.A * episodes / delta))
        self.visits = np.zeros((n_runs, self.H, self.O, self.A))
        self.reward_mass = np.zeros((n_runs, self.H, self.O, self.A, self.O))

    def update(self, states, observations, actions) -> None:
        N, H = self.N, self.H
        rewards = self.pomdp.rewards[np.arange(H)[None, :], states[:, :-1], actions]  # [N, H]
        idx = (
            np.repeat(np.arange(N), H),
            np.tile(np.arange(H), N),
            observations[:, :-1].ravel(),
            actions.ravel(),
        )
        np.add.at(self.visits, idx, 1.0)
        np.add.at(self.reward_mass, (*idx, observations[:, 1:].ravel()), np.exp(self.gamma * rewards.ravel()))

    def policy(self) -> list[np.ndarray]:
        g = self.gamma
        V = np.zeros((self.N, self.O))
        table = np.zeros((self.N, self.H, self.O), dtype=np.int64)
        for h in reversed(range(self.H)):
            n = np.maximum(self.visits[:, h], 1.0)
            bound = np.exp(g * (self.H - h))
            w = np.einsum("noam,nm->noa", self.reward_mass[:, h], np.exp(g * V)) / n
            w = np.where(self.visits[:, h] > 0, w, bound)
            b = 3 * self.bonus_scale * abs(np.expm1(g * (self.H - h))) * np.sqrt(self.O * self.log_term / n)
            G = np.minimum(w + b, bound) if g > 0 else np.maximum(w - b, bound)
            Q = np.log(G) / g
            table[:, h] = np.argmax(Q, axis=2)
            V = Q.max(2)
        return [table[:, h][:, np.arange(self.pomdp.n_histories(h)) % self.O] for h in range(self.H)]


def batch_entropic_value(
    pomdp: FinitePOMDP, rho_true: list[np.ndarray], policy: list[np.ndarray], gamma: float
):
    """[N] exact J of N deterministic policies (per step [N, n_h] actions), as :func:`~risk_pomdp.evaluation.
    entropic_value`; ``rho_true`` is the true model's belief tree."""
    eye = np.eye(pomdp.A)
    N = policy[0].shape[0]
    weight = np.ones((N, pomdp.n_histories(0)))
    for h in range(pomdp.H - 1):
        weight = np.repeat((weight[:, :, None] * eye[policy[h]])[:, :, :, None], pomdp.O, axis=3).reshape(
            N, -1
        )
    per_action = rho_true[-1] @ np.exp(gamma * pomdp.rewards[-1])  # [n, A]
    total = np.sum(weight[:, :, None] * eye[policy[-1]] * per_action[None], axis=(1, 2))
    return np.log(total) / gamma


def _draw(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """[N, K] laws (rows), [N] uniforms -> [N] draws, as :func:`risk_pomdp.learners._draw`."""
    cdf = np.cumsum(p, axis=-1)
    return np.minimum((cdf <= (u * cdf[:, -1])[:, None]).sum(-1), p.shape[-1] - 1)


def batch_rollout(pomdp: FinitePOMDP, policy: list[np.ndarray], rngs: Sequence[np.random.Generator]):
    """One episode per run under deterministic history policies; run n draws from ``rngs[n]`` what
    :func:`risk_pomdp.learners.rollout` draws. Returns states [N, H + 1], observations [N, H + 1], actions [N, H]."""
    H, A, O, N = pomdp.H, pomdp.A, pomdp.O, len(rngs)
    u = np.stack([rng.random(2 + 2 * H) for rng in rngs])
    rows = np.arange(N)
    states = np.zeros((N, H + 1), dtype=np.int64)
    obs = np.zeros((N, H + 1), dtype=np.int64)
    actions = np.zeros((N, H), dtype=np.int64)
    states[:, 0] = _draw(np.broadcast_to(pomdp.init, (N, pomdp.S)), u[:, 0])
    obs[:, 0] = _draw(pomdp.emissions[0, states[:, 0]], u[:, 1])
    f = obs[:, 0].copy()
    for h in range(H):
        actions[:, h] = policy[h][rows, f]
        states[:, h + 1] = _draw(pomdp.transitions[h, actions[:, h], states[:, h]], u[:, 2 + 2 * h])
        obs[:, h + 1] = _draw(pomdp.emissions[h + 1, states[:, h + 1]], u[:, 3 + 2 * h])
        f = f * A * O + actions[:, h] * O + obs[:, h + 1]
    return states, obs, actions


class BatchFixed:
    """A fixed deterministic history policy (oracle, best memoryless) played by N runs."""

    def __init__(self, policy: list[np.ndarray], n_runs: int):
        self._policy = [np.broadcast_to(np.asarray(p), (n_runs, len(p))) for p in policy]

    def policy(self) -> list[np.ndarray]:
        return self._policy

    def update(self, states, observations, actions) -> None:
        pass


def make_batch_learner(cfg: TrainConfig, pomdp: FinitePOMDP, n_runs: int):
    g, K = cfg.gamma, cfg.episodes
    if cfg.method == "bvvi":
        return BatchBVVI(pomdp, g, n_runs, K, cfg.delta, cfg.bonus_scale, cfg.bonus_in_q)
    if cfg.method == "bvvi-nobonus":
        return BatchBVVI(pomdp, g, n_runs, K, cfg.delta, 0.0)
    if cfg.method == "bvvi-risk-neutral":
        return BatchBVVI(
            pomdp, g, n_runs, K, cfg.delta, cfg.bonus_scale, cfg.bonus_in_q, plan_gamma=cfg.plan_gamma_neutral
        )
    if cfg.method == "rsvi2":
        return BatchRSVI2(pomdp, g, n_runs, K, cfg.delta, cfg.bonus_scale)
    if cfg.method in ("oracle", "memoryless"):
        return BatchFixed(make_learner(cfg, pomdp).policy(), n_runs)
    raise ValueError(f"method {cfg.method!r} has no seed-vectorised learner")


def train_seeds(cfg: TrainConfig, seeds: Sequence[int], pomdp: FinitePOMDP | None = None) -> list[Result]:
    """Run ``cfg`` (its ``seed`` ignored) once per seed, all seeds in one vectorised batch; one
    :class:`~risk_pomdp.train.Result` per seed, equal to ``train(replace(cfg, seed=s))``. ``oracle`` and ``random``
    (no learning) run seed by seed through :func:`~risk_pomdp.train.train`."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must be non-empty")
    pomdp = make_instance(cfg.instance, **cfg.instance_kwargs()) if pomdp is None else pomdp
    check_gamma(cfg.gamma, pomdp)
    j_star = optimal_plan(pomdp, cfg.gamma).value
    if (
        cfg.method == "random"
    ):  # never learns: its exact regret is the same every episode (returns not simulated)
        uniform = [np.full((pomdp.n_histories(h), pomdp.A), 1.0 / pomdp.A) for h in range(pomdp.H)]
        regret = np.full(cfg.episodes, j_star - entropic_value(pomdp, uniform, cfg.gamma))
        nan = np.full(cfg.episodes, np.nan)
        return [Result(cfg.method, cfg.gamma, j_star, regret.copy(), nan.copy(), 0.0) for _ in seeds]
    rho_true = belief_tree(pomdp.init, pomdp.transitions, pomdp.emissions, pomdp.rewards, cfg.gamma)
    learner = make_batch_learner(cfg, pomdp, len(seeds))
    rngs = [Seeder(s).numpy("rollout") for s in seeds]
    N, K = len(seeds), cfg.episodes
    regret = np.zeros((N, K))
    returns = np.zeros((N, K))
    t0 = time.perf_counter()
    for k in range(K):
        policy = learner.policy()
        regret[:, k] = j_star - batch_entropic_value(pomdp, rho_true, policy, cfg.gamma)
        states, obs, actions = batch_rollout(pomdp, policy, rngs)
        returns[:, k] = pomdp.rewards[np.arange(pomdp.H)[None, :], states[:, :-1], actions].sum(-1)
        learner.update(states, obs, actions)
    seconds = (time.perf_counter() - t0) / N
    return [Result(cfg.method, cfg.gamma, j_star, regret[n], returns[n], seconds) for n in range(N)]
