"""Seed-vectorised learners: N independent runs of one method advanced in lockstep, with a leading seed axis through
the counts, the ridge regressions and elliptical bonuses (Alg. 10, LSVI-UCB), the optimistic L1-ball backups
(RS-DisRL-M), the exact evaluation and the rollouts.

Each seed keeps its own random stream (``Seeder(seed).numpy("rollout")``) and draws the same numbers in the same
order as :func:`rs_disrl.learner.rollout` (one double for the first state, then one per step for the next
(state, reward atom); the policies are deterministic), so run ``n`` of :func:`train_seeds` gives the same regret as
``train(TrainConfig(seed=seeds[n]))`` (tested seed by seed). The per-seed classes stay the readable reference.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from paperkit import Seeder

from rs_disrl.confidence import extreme_expectation, l1_radius
from rs_disrl.config import TrainConfig
from rs_disrl.dp import all_markov_policies, budget_units, evaluate, optimal_value, uniform_policy
from rs_disrl.instances import make_instance
from rs_disrl.linear_cvar import linear_cvar_beta, psi_features
from rs_disrl.mdp import FiniteMDP, shift_index
from rs_disrl.risk import RiskMeasure
from rs_disrl.train import Result


def batched_ridge_solve(gram: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """[N, k, k] SPD grams, [N, k, m] targets -> [N, k, m] Lambda^{-1} targets (Cholesky per seed)."""
    L = np.linalg.cholesky(gram)
    return np.linalg.solve(np.swapaxes(L, -1, -2), np.linalg.solve(L, targets))


def batched_bonus(features: np.ndarray, gram: np.ndarray) -> np.ndarray:
    """[S, A, k] features, [N, k, k] grams -> [N, S, A] ||x||_{Lambda_n^{-1}}."""
    S, A, k = features.shape
    flat = np.broadcast_to(features.reshape(1, S * A, k).transpose(0, 2, 1), (gram.shape[0], k, S * A))
    sol = batched_ridge_solve(gram, flat)  # [N, k, SA]
    quad = np.einsum("ki,nki->ni", flat[0], sol)
    return np.sqrt(np.clip(quad, 0.0, None)).reshape(-1, S, A)


class BatchLearner:
    """Visit counts N_h(s, a, s', m) of N runs; ``policy()`` -> [N, H, S, C] deterministic actions."""

    def __init__(self, mdp: FiniteMDP, n_runs: int, episodes: int):
        self.mdp, self.N, self.episodes = mdp, n_runs, episodes
        self.H, self.S, self.A, self.M = mdp.H, mdp.S, mdp.A, mdp.M
        self.C = mdp.n_returns
        self.counts = np.zeros((n_runs, self.H, self.S, self.A, self.S, self.M))
        self.last_budget = np.full(n_runs, np.nan)

    def update(self, states: np.ndarray, actions: np.ndarray, atoms: np.ndarray) -> None:
        """[N, H + 1] states, [N, H] actions and reward atoms."""
        n = np.repeat(np.arange(self.N), self.H)
        h = np.tile(np.arange(self.H), self.N)
        idx = (n, h, states[:, :-1].ravel(), actions.ravel(), states[:, 1:].ravel(), atoms.ravel())
        np.add.at(self.counts, idx, 1.0)

    @property
    def visits(self) -> np.ndarray:
        return self.counts.sum(axis=(4, 5))  # [N, H, S, A]

    def empirical_kernel(self) -> np.ndarray:
        flat = self.counts.reshape(self.N, self.H, self.S, self.A, self.S * self.M)
        n = flat.sum(-1, keepdims=True)
        return np.where(n > 0, flat / np.maximum(n, 1), 1.0 / flat.shape[-1])

    def markov_table(self, actions: np.ndarray) -> np.ndarray:
        """[N, H, S] -> [N, H, S, C]."""
        return np.broadcast_to(actions[..., None], (*actions.shape, self.C)).copy()


class BatchRSDisRLV(BatchLearner):
    """Alg. 10 for N runs (same math as :class:`rs_disrl.linear_cvar.RSDisRLV`)."""

    def __init__(self, mdp, risk: RiskMeasure, n_runs, episodes, beta, lam=1.0, feature_map="psi"):
        super().__init__(mdp, n_runs, episodes)
        self.tau, self.beta, self.lam = risk.tau, beta, lam
        self.psi = psi_features(mdp.phi()) if feature_map == "psi" else mdp.phi()
        self.n_y = 2 * self.C - 1
        self.y0 = self.C - 1
        self.y_units = np.arange(self.n_y) - self.y0
        self.y_shift = shift_index(self.n_y, mdp.atom_units)
        self.budgets = np.arange(self.C) - mdp.start_index

    def plan(self) -> tuple[np.ndarray, np.ndarray]:
        k, N = self.psi.shape[-1], self.N
        V = np.broadcast_to(
            np.clip(-self.y_units, 0, None) * self.mdp.reward_unit, (N, self.S, self.n_y)
        ).copy()
        actions = np.zeros((N, self.H, self.S, self.n_y), dtype=np.int64)
        n_sa = self.visits
        for h in reversed(range(self.H)):
            gram = self.lam * np.eye(k) + np.einsum("nsa,sai,saj->nij", n_sa[:, h], self.psi, self.psi)
            nxt = V[:, :, self.y_shift]  # [N, S', M, Y]
            per_sa = np.einsum("nsaom,nomy->nsay", self.counts[:, h], nxt)
            w = batched_ridge_solve(gram, np.einsum("sak,nsay->nky", self.psi, per_sa))
            Q = np.einsum("sak,nky->nsya", self.psi, w)
            if self.beta > 0:
                Q = Q - self.beta * batched_bonus(self.psi, gram)[:, :, None, :]
            actions[:, h] = np.argmin(Q, axis=-1)
            V = np.maximum(Q.min(-1), 0.0)
        return V, actions

    def policy(self) -> np.ndarray:
        V1, actions = self.plan()
        start_cost = np.einsum("s,nsb->nb", self.mdp.init, V1[:, :, self.y0 - self.budgets])
        score = self.budgets * self.mdp.reward_unit - start_cost / self.tau
        b = self.budgets[first_max(score)]  # [N], ties: smallest b
        self.last_budget = b * self.mdp.reward_unit
        y_index = self.y0 + np.arange(self.C)[None, :] - self.mdp.start_index - b[:, None]  # [N, C]
        rows = np.arange(self.N)[:, None, None, None]
        return actions[rows, np.arange(self.H)[None, :, None, None], np.arange(self.S)[None, None, :, None],
                       y_index[:, None, None, :]]  # fmt: skip


class BatchRSDisRLM(BatchLearner):
    """Optimistic model-based RS-DisRL for N runs (same math as :class:`rs_disrl.model_based.RSDisRLM`)."""

    def __init__(self, mdp, risk: RiskMeasure, n_runs, episodes, bonus_scale=1.0, delta=0.1):
        super().__init__(mdp, n_runs, episodes)
        self.risk, self.bonus_scale = risk, bonus_scale
        self.log_term = float(np.log(2 * self.S * self.A * self.H * episodes / delta))
        self.shift = shift_index(self.C, mdp.atom_units)
        self.budgets = budget_units(mdp)
        self.last_budget = np.zeros(n_runs)  # as RSDisRLM: 0 until a CVaR plan picks a budget

    def radii(self) -> np.ndarray:
        return l1_radius(self.visits, self.S * self.M, self.log_term, self.bonus_scale)

    def optimistic_costs(self, fixed_actions: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """V1 [N, B, S, C] and actions [N, B, H, S, C]."""
        p_hat, eps = self.empirical_kernel(), self.radii()
        N, B, C, S = self.N, self.budgets.size, self.C, self.S
        c = np.arange(C) - self.mdp.start_index
        cost = np.clip(self.budgets[:, None] - c[None, :], 0, None) * self.mdp.reward_unit
        V = np.broadcast_to(cost[None, :, None, :], (N, B, S, C)).astype(np.float64)
        actions = np.zeros((N, B, self.H, S, C), dtype=np.int64)
        for h in reversed(range(self.H)):
            nxt = V[..., self.shift]  # [N, B, S', M, C]
            values = nxt.transpose(0, 1, 4, 2, 3).reshape(N, B * C, S * self.M)
            Q = extreme_expectation(
                p_hat[:, h].reshape(N, S * self.A, -1), eps[:, h].reshape(N, -1), values, minimize=True
            )  # [N, B*C, S*A]
            Q = Q.reshape(N, B, C, S, self.A).transpose(0, 1, 3, 2, 4)  # [N, B, S, C, A]
            if fixed_actions is None:
                actions[:, :, h] = np.argmin(Q, axis=-1)
            else:
                actions[:, :, h] = fixed_actions[h][None, None, :, None]
            V = np.take_along_axis(Q, actions[:, :, h, :, :, None], axis=-1)[..., 0]
        return V, actions

    def pick_budget(self, V1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per run: index of argmax_b { b - E_{s1} V1(b, s1, 0) / tau } (ties: smallest b) and its score."""
        start_cost = V1[:, :, :, self.mdp.start_index] @ self.mdp.init  # [N, B]
        score = self.budgets * self.mdp.reward_unit - start_cost / self.risk.tau
        best = first_max(score)
        return best, score[np.arange(self.N), best]

    def policy(self) -> np.ndarray:
        if self.risk.kind == "cvar":
            V1, actions = self.optimistic_costs()
            b, _ = self.pick_budget(V1)
            self.last_budget = self.budgets[b] * self.mdp.reward_unit
            return actions[np.arange(self.N), b]
        return self.markov_table(self._plan_entropic())

    def _plan_entropic(self) -> np.ndarray:
        g = self.risk.gamma
        p_hat, eps = self.empirical_kernel(), self.radii()
        W = np.ones((self.N, self.S))
        actions = np.zeros((self.N, self.H, self.S), dtype=np.int64)
        u = self.mdp.atom_units
        for h in reversed(range(self.H)):
            outcome = (W[:, :, None] * np.exp(g * self.mdp.atoms)[None, None, :]).reshape(self.N, 1, -1)
            Q = extreme_expectation(
                p_hat[:, h].reshape(self.N, self.S * self.A, -1),
                eps[:, h].reshape(self.N, -1),
                outcome,
                minimize=g < 0,
            ).reshape(self.N, self.S, self.A)
            steps = self.H - h
            bounds = np.exp(g * self.mdp.reward_unit * np.array([steps * u.min(), steps * u.max()]))
            Q = np.clip(Q, bounds.min(), bounds.max())
            actions[:, h] = np.argmax(Q, axis=-1) if g > 0 else np.argmin(Q, axis=-1)
            W = np.take_along_axis(Q, actions[:, h][..., None], axis=-1)[..., 0]
        return actions


class BatchMarkovCVaR(BatchRSDisRLM):
    """The Markov-only CVaR baseline for N runs (enumerates the deterministic Markov policies)."""

    def __init__(self, mdp, risk, n_runs, episodes, bonus_scale=1.0, delta=0.1):
        super().__init__(mdp, risk, n_runs, episodes, bonus_scale, delta)
        self.candidates = all_markov_policies(mdp)

    def policy(self) -> np.ndarray:
        best = np.full(self.N, -np.inf)
        best_actions = np.broadcast_to(self.candidates[0], (self.N, self.H, self.S)).copy()
        for actions in self.candidates:
            V1, _ = self.optimistic_costs(fixed_actions=actions)
            _, score = self.pick_budget(V1)
            better = score > best + 1e-9
            best = np.where(better, score, best)
            best_actions[better] = actions
        return self.markov_table(best_actions)


class BatchLSVIUCB(BatchLearner):
    """Risk-neutral LSVI-UCB for N runs (same math as :class:`rs_disrl.lsvi_ucb.LSVIUCB`)."""

    def __init__(self, mdp, n_runs, episodes, beta, lam=1.0):
        super().__init__(mdp, n_runs, episodes)
        self.beta, self.lam = beta, lam

    def policy(self) -> np.ndarray:
        phi = self.mdp.phi()
        d = phi.shape[-1]
        V = np.zeros((self.N, self.S))
        actions = np.zeros((self.N, self.H, self.S), dtype=np.int64)
        n_sa = self.visits
        top = self.mdp.atoms.max()
        for h in reversed(range(self.H)):
            gram = self.lam * np.eye(d) + np.einsum("nsa,sai,saj->nij", n_sa[:, h], phi, phi)
            target = self.mdp.atoms[None, None, :] + V[:, :, None]  # [N, S', M]
            per_sa = np.einsum("nsaom,nom->nsa", self.counts[:, h], target)
            w = batched_ridge_solve(gram, np.einsum("sak,nsa->nk", phi, per_sa)[..., None])[..., 0]
            Q = np.einsum("sak,nk->nsa", phi, w) + self.beta * batched_bonus(phi, gram)
            Q = np.minimum(Q, (self.H - h) * top)
            actions[:, h] = np.argmax(Q, axis=-1)
            V = Q.max(-1)
        return self.markov_table(actions)


def first_max(score: np.ndarray) -> np.ndarray:
    """[N, B] -> [N] first index within 1e-9 of each row's maximum (consistent tie-breaking)."""
    return np.argmax(score >= score.max(-1, keepdims=True) - 1e-9, axis=-1)


def batch_return_law(mdp: FiniteMDP, actions: np.ndarray) -> np.ndarray:
    """[N, H, S, C] deterministic actions -> [N, C] exact return laws (as :func:`rs_disrl.dp.return_law`)."""
    N, C = actions.shape[0], mdp.n_returns
    shift = shift_index(C, mdp.atom_units)
    law = np.zeros((N, mdp.S, C))
    law[:, :, mdp.start_index] = mdp.init
    eye = np.eye(mdp.A)
    for h in range(mdp.H):
        mass = np.einsum("nsc,nsca,saom->nomc", law, eye[actions[:, h]], mdp.kernel[h])
        law = np.zeros_like(law)
        for m in range(mdp.M):
            np.add.at(law, (slice(None), slice(None), shift[m]), mass[:, :, m, :])
    return law.sum(1)


def batch_rollout(
    mdp: FiniteMDP, actions: np.ndarray, rngs: Sequence[np.random.Generator]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One episode per run under deterministic augmented policies [N, H, S, C]; run n draws from ``rngs[n]``
    exactly what :func:`rs_disrl.learner.rollout` draws. Returns states [N, H + 1], actions [N, H], atoms [N, H]."""
    N, H = actions.shape[0], mdp.H
    u = np.stack([rng.random(H + 1) for rng in rngs])  # [N, H + 1]
    rows = np.arange(N)
    cdf0 = np.cumsum(mdp.init)
    s = np.minimum((cdf0[None, :] <= (u[:, 0] * cdf0[-1])[:, None]).sum(-1), mdp.S - 1)
    c = np.full(N, mdp.start_index)
    flat = mdp.kernel.reshape(H, mdp.S, mdp.A, -1)
    states = np.zeros((N, H + 1), dtype=np.int64)
    acts = np.zeros((N, H), dtype=np.int64)
    atoms = np.zeros((N, H), dtype=np.int64)
    for h in range(H):
        a = actions[rows, h, s, c]
        cdf = np.cumsum(flat[h, s, a], axis=-1)  # [N, S*M]
        j = np.minimum((cdf <= (u[:, h + 1] * cdf[:, -1])[:, None]).sum(-1), cdf.shape[-1] - 1)
        states[:, h], acts[:, h], atoms[:, h] = s, a, j % mdp.M
        s = j // mdp.M
        c = np.clip(c + mdp.atom_units[atoms[:, h]], 0, mdp.n_returns - 1)
    states[:, H] = s
    return states, acts, atoms


def make_batch_learner(cfg: TrainConfig, mdp: FiniteMDP, n_runs: int) -> BatchLearner:
    risk = cfg.risk_measure()
    d = mdp.phi().shape[-1]
    beta = linear_cvar_beta(cfg.beta_rule, cfg.bonus_scale, d, mdp.H, mdp.M, cfg.episodes, cfg.delta)
    K = cfg.episodes
    if cfg.method in ("rs-disrl-v", "rs-disrl-v-nobonus"):
        b = beta if cfg.method == "rs-disrl-v" else 0.0
        return BatchRSDisRLV(mdp, risk, n_runs, K, b, cfg.lam, cfg.feature_map)
    if cfg.method in ("rs-disrl-m", "rs-disrl-m-nobonus"):
        c = cfg.bonus_scale if cfg.method == "rs-disrl-m" else 0.0
        return BatchRSDisRLM(mdp, risk, n_runs, K, c, cfg.delta)
    if cfg.method == "markov-cvar":
        return BatchMarkovCVaR(mdp, risk, n_runs, K, cfg.bonus_scale, cfg.delta)
    if cfg.method == "lsvi-ucb":
        return BatchLSVIUCB(mdp, n_runs, K, beta, cfg.lam)
    raise ValueError(f"method {cfg.method!r} has no seed-vectorised learner")


def train_seeds(cfg: TrainConfig, seeds: Sequence[int], mdp: FiniteMDP | None = None) -> list[Result]:
    """Run ``cfg`` (its ``seed`` ignored) once per seed in ``seeds``, all seeds in one vectorised batch; returns one
    :class:`~rs_disrl.train.Result` per seed, equal to ``train(replace(cfg, seed=s))``. The uniformly random policy
    never learns, so its exact regret (the same every episode) is computed without rollouts."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must be non-empty")
    mdp = make_instance(cfg.instance, **cfg.instance_kwargs()) if mdp is None else mdp
    risk = cfg.risk_measure()
    rho_star, _ = optimal_value(mdp, risk)
    if (
        cfg.method == "random"
    ):  # never learns: its exact regret is the same every episode, whatever the rollouts
        regret = np.full(cfg.episodes, rho_star - evaluate(mdp, uniform_policy(mdp), risk))
        return [
            Result(cfg.method, rho_star, regret.copy(), np.full(cfg.episodes, np.nan), 0.0) for _ in seeds
        ]
    learner = make_batch_learner(cfg, mdp, len(seeds))
    rngs = [Seeder(s).numpy("rollout") for s in seeds]
    N, K = len(seeds), cfg.episodes
    regret = np.zeros((N, K))
    budgets = np.full((N, K), np.nan)
    t0 = time.perf_counter()
    for k in range(K):
        actions = learner.policy()
        regret[:, k] = rho_star - risk_values(mdp, batch_return_law(mdp, actions), risk)
        budgets[:, k] = learner.last_budget
        learner.update(*batch_rollout(mdp, actions, rngs))
    seconds = (time.perf_counter() - t0) / N
    return [Result(cfg.method, rho_star, regret[n], budgets[n], seconds) for n in range(N)]


def risk_values(mdp: FiniteMDP, laws: np.ndarray, risk: RiskMeasure) -> np.ndarray:
    """[N, C] return laws -> [N] rho values."""
    values = mdp.return_values
    return np.array([risk(values, law) for law in laws])
