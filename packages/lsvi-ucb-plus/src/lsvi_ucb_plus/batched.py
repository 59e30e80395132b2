"""The learners vectorised over seeds: a leading seed axis B through ridge, planning, weights and bonuses.

Row b of every array is one independent run (its own instance, environment stream and learner state), so
``run_seeds`` gives, seed by seed, the regret of ``train`` (tested), at a fraction of the Python overhead:
each numpy call now does B runs' work. The maths is the per-seed learners' (``agents.py``) line by line.
Shapes: ``phi (B, S, A, d)``, ``reward (B, H, S, A)``; per step h a Gram stack ``(B, H, d, d)``.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
from paperkit import Seeder

from lsvi_ucb_plus.agents import LSVIUCB, greedy_first
from lsvi_ucb_plus.config import Config
from lsvi_ucb_plus.mdp import FiniteLinearMDP, optimal_values
from lsvi_ucb_plus.radii import PlusConstants
from lsvi_ucb_plus.variance import covering_slack

_LOG2 = math.log(2.0)


class BatchedRidge:
    """B × H weighted ridge regressions (``WeightedRidge`` stacked): Λ, Λ^{-1} (Sherman–Morrison, Cholesky
    refresh every ``refresh_every`` updates of a step), log det Λ and the accumulator M (d × S)."""

    def __init__(self, batch: int, horizon: int, dim: int, n_states: int, lam: float, *, refresh_every=256):
        self.lam = float(lam)
        self.refresh_every = int(refresh_every)
        eye = np.eye(dim)
        self.gram = np.tile(lam * eye, (batch, horizon, 1, 1))
        self.gram_inv = np.tile(eye / lam, (batch, horizon, 1, 1))
        self.logdet = np.full((batch, horizon), dim * float(np.log(lam)))
        self.acc = np.zeros((batch, horizon, dim, n_states)) if n_states else None
        self.n_updates = np.zeros(horizon, dtype=np.int64)  # every run adds one sample per step per episode

    def quad(self, h: int, x: np.ndarray) -> np.ndarray:
        """x_bᵀ Λ_{b,h}^{-1} x_b for x of shape (B, n, d): shape (B, n)."""
        return np.einsum("bni,bij,bnj->bn", x, self.gram_inv[:, h], x)

    def norms(self, h: int, x: np.ndarray) -> np.ndarray:
        return np.sqrt(np.maximum(self.quad(h, x), 0.0))

    def add(self, h: int, x: np.ndarray, weight: np.ndarray, next_state: np.ndarray | None = None) -> None:
        """Add one sample per run: x (B, d), weight (B,), next_state (B,) or None (Gram only)."""
        u = np.einsum("bij,bj->bi", self.gram_inv[:, h], x)
        q = np.einsum("bi,bi->b", x, u)
        self.gram[:, h] += weight[:, None, None] * (x[:, :, None] * x[:, None, :])
        self.gram_inv[:, h] -= (weight / (1.0 + weight * q))[:, None, None] * (u[:, :, None] * u[:, None, :])
        self.logdet[:, h] += np.log1p(weight * q)
        if next_state is not None:
            self.acc[np.arange(len(x)), h, :, next_state] += weight[:, None] * x
        self.n_updates[h] += 1
        if self.refresh_every and self.n_updates[h] % self.refresh_every == 0:
            chol = np.linalg.cholesky(self.gram[:, h])
            inv_chol = np.linalg.inv(chol)
            self.gram_inv[:, h] = np.swapaxes(inv_chol, -1, -2) @ inv_chol
            self.logdet[:, h] = 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)

    def predict(self, h: int, values: np.ndarray) -> np.ndarray:
        """θ̂_b = Λ_b^{-1} M_b V_b for values (B, S) or (B, S, m): shape (B, d) or (B, d, m)."""
        mv = np.einsum("bis,bs...->bi...", self.acc[:, h], values)
        return np.einsum("bij,bj...->bi...", self.gram_inv[:, h], mv)


class BatchedLSVIUCBPlus:
    """``LSVIUCBPlus`` for B runs at once. Every run (row) has its own constants and options: ``consts`` is a
    list of B ``PlusConstants`` and each option is a bool per row, so one batch can hold several seeds *and*
    several methods (the ablations, bonus scales) as long as d, H, S, A, K and λ are shared."""

    def __init__(
        self,
        phi: np.ndarray,
        reward: np.ndarray,
        episodes: int,
        consts: list[PlusConstants],
        *,
        variance_weights: np.ndarray,
        fixed_sigma: np.ndarray,
        rare_switching: np.ndarray,
        running_min: np.ndarray,
        pessimism_refresh: str = "every_episode",
        refresh_every: int = 256,
    ):
        B, S, A, d = phi.shape
        H = reward.shape[1]
        if reward.shape != (B, H, S, A):
            raise ValueError(f"reward must have shape (B, H, S, A) = {(B, H, S, A)}, got {reward.shape}")
        if len(consts) != B:
            raise ValueError(f"need one PlusConstants per run: {B}, got {len(consts)}")
        lams = {c.lam for c in consts}
        if len(lams) != 1:
            raise ValueError(f"all runs of a batch must share the ridge λ, got {sorted(lams)}")
        if pessimism_refresh not in ("every_episode", "on_switch"):
            raise ValueError(
                f"pessimism_refresh must be 'every_episode' or 'on_switch', got {pessimism_refresh!r}"
            )
        self.B, self.H, self.S, self.A, self.d = B, H, S, A, d
        self.phi = np.asarray(phi, dtype=np.float64)
        self.flat_phi = self.phi.reshape(B, S * A, d)
        self.reward = np.asarray(reward, dtype=np.float64)
        self.episodes = episodes
        # one (B,) array per constant: row b uses consts[b]
        self.c = PlusConstants(
            **{
                f.name: np.array([getattr(c, f.name) for c in consts])
                for f in dataclasses.fields(PlusConstants)
            }
        )
        lam = consts[0].lam
        self.zeta = covering_slack(H, lam, episodes)
        self.variance_weights = np.broadcast_to(np.asarray(variance_weights, dtype=bool), (B,))
        self.fixed_sigma = np.broadcast_to(np.asarray(fixed_sigma, dtype=float), (B,))
        self.rare_switching = np.broadcast_to(np.asarray(rare_switching, dtype=bool), (B,))
        self.running_min = np.broadcast_to(np.asarray(running_min, dtype=bool), (B,))
        self.pessimism_refresh = pessimism_refresh
        self.hat = BatchedRidge(B, H, d, S, lam, refresh_every=refresh_every)
        self.tilde = BatchedRidge(B, H, d, 0, lam, refresh_every=refresh_every)
        self.q_hat = np.full((B, H, S, A), float(H))
        self.v_hat = np.zeros((B, H + 1, S))
        self.v_hat[:, :H] = H
        self.v_check = np.zeros((B, H + 1, S))
        self.policy = np.zeros((B, H, S), dtype=np.int64)
        self.logdet_at_switch = self.hat.logdet.copy()
        self.switches = np.zeros(B, dtype=np.int64)
        self.n_weighted = 0
        self.n_big_floor = np.zeros(B, dtype=np.int64)

    def plan(self) -> np.ndarray:
        """Backward pass for every run; runs that do not switch keep Q̂ and π. Returns π (B, H, S)."""
        H, S, A, B = self.H, self.S, self.A, self.B
        doubled = np.any(self.hat.logdet >= self.logdet_at_switch + _LOG2, axis=1)  # det Λ̂ >= 2 det Λ̂_{k0}
        update = doubled | ~self.rare_switching
        self.switches += update
        self.logdet_at_switch = np.where(update[:, None], self.hat.logdet, self.logdet_at_switch)
        check = update if self.pessimism_refresh == "on_switch" else np.ones(B, dtype=bool)
        any_update = bool(update.any())
        if not (any_update or check.any()):
            return self.policy
        for h in range(H - 1, -1, -1):
            norms = self.hat.norms(h, self.flat_phi).reshape(B, S, A)
            if any_update:
                w = self.hat.predict(h, self.v_hat[:, h + 1])
                q_new = (
                    self.reward[:, h]
                    + np.einsum("bni,bi->bn", self.flat_phi, w).reshape(B, S, A)
                    + self.c.beta_hat[:, None, None] * norms
                )
                cap = np.where(self.running_min[:, None, None], np.minimum(self.q_hat[:, h], H), float(H))
                self.q_hat[:, h] = np.where(update[:, None, None], np.minimum(q_new, cap), self.q_hat[:, h])
                self.v_hat[:, h] = np.where(update[:, None], self.q_hat[:, h].max(axis=2), self.v_hat[:, h])
            w_check = self.hat.predict(h, self.v_check[:, h + 1])
            q_check = (
                self.reward[:, h]
                + np.einsum("bni,bi->bn", self.flat_phi, w_check).reshape(B, S, A)
                - self.c.beta_check[:, None, None] * norms
            )
            self.v_check[:, h] = np.where(
                check[:, None], np.maximum(q_check.max(axis=2), 0.0), self.v_check[:, h]
            )
        if any_update:
            self.policy = np.where(update[:, None, None], greedy_first(self.q_hat), self.policy)
        return self.policy

    def regression_weights(self, h: int, x: np.ndarray) -> np.ndarray:
        """σ̂^{-2} for the B samples x (B, d) at step h; also updates Λ̃_h (``LSVIUCBPlus.regression_weight``)."""
        c, H = self.c, self.H
        u = np.einsum("bij,bj->bi", self.hat.gram_inv[:, h], x)
        norm = np.sqrt(np.maximum(np.einsum("bi,bi->b", x, u), 0.0))
        targets = np.stack([self.v_hat[:, h + 1], self.v_hat[:, h + 1] ** 2, self.v_check[:, h + 1]], axis=2)
        mt = np.einsum("bis,bsk->bik", self.hat.acc[:, h], targets)
        m1, m2, m_check = np.einsum("bi,bik->kb", u, mt)
        var = np.clip(m2, 0.0, float(H) ** 2) - np.clip(m1, 0.0, float(H)) ** 2
        gap = m1 - m_check
        offset = np.minimum(
            c.beta_tilde * norm + 4.0 * H * (np.abs(gap) + (c.beta_bar + c.beta_check) * norm), 2.0 * H**2
        )
        e_bound = np.minimum(H * (gap + (c.beta_bar + c.beta_check) * norm + self.zeta), float(H) ** 2)
        s_tilde = np.sqrt(np.maximum(np.maximum(float(H), c.c_e * e_bound), var + offset))
        test = self.tilde.norms(h, x[:, None, :])[:, 0] / s_tilde  # Λ̃ before its update
        self.tilde.add(h, x, 1.0 / s_tilde**2)
        big = test > c.c_thr
        floor = np.where(big, c.sigma_big, c.sigma_small)
        self.n_weighted += 1
        self.n_big_floor += big
        weight = 1.0 / np.maximum(np.maximum(floor**2, c.c_e * e_bound), var + offset)
        return np.where(self.variance_weights, weight, 1.0 / self.fixed_sigma**2)

    def observe(self, h: int, s: np.ndarray, a: np.ndarray, s_next: np.ndarray) -> None:
        x = self.phi[np.arange(self.B), s, a]
        self.hat.add(h, x, self.regression_weights(h, x), s_next)

    @property
    def big_floor_fraction(self) -> np.ndarray:
        """Per run: share of samples floored at ς_big (nan for runs without variance weights)."""
        if not self.n_weighted:
            return np.full(self.B, np.nan)
        return np.where(self.variance_weights, self.n_big_floor / self.n_weighted, np.nan)


class BatchedLSVIUCB:
    """``LSVIUCB`` (Jin et al. 2020) for B runs at once: unweighted ridge, Hoeffding bonus, re-plans every episode."""

    def __init__(self, phi: np.ndarray, reward: np.ndarray, beta, *, lam: float = 1.0, refresh_every=256):
        B, S, A, d = phi.shape
        H = reward.shape[1]
        if reward.shape != (B, H, S, A):
            raise ValueError(f"reward must have shape (B, H, S, A) = {(B, H, S, A)}, got {reward.shape}")
        self.B, self.H, self.S, self.A, self.d = B, H, S, A, d
        self.phi = np.asarray(phi, dtype=np.float64)
        self.flat_phi = self.phi.reshape(B, S * A, d)
        self.reward = np.asarray(reward, dtype=np.float64)
        self.beta = np.broadcast_to(np.asarray(beta, dtype=float), (B,))  # β per run
        self.ridge = BatchedRidge(B, H, d, S, lam, refresh_every=refresh_every)
        self.q = np.zeros((B, H, S, A))
        self.policy = np.zeros((B, H, S), dtype=np.int64)
        self.switches = np.zeros(B, dtype=np.int64)

    def plan(self) -> np.ndarray:
        B, H, S, A = self.B, self.H, self.S, self.A
        v_next = np.zeros((B, S))
        for h in range(H - 1, -1, -1):
            w = self.ridge.predict(h, v_next)
            bonus = self.beta[:, None] * self.ridge.norms(h, self.flat_phi)
            pred = np.einsum("bni,bi->bn", self.flat_phi, w)
            self.q[:, h] = np.minimum(self.reward[:, h] + (pred + bonus).reshape(B, S, A), H)
            v_next = self.q[:, h].max(axis=2)
        self.switches += 1
        self.policy = greedy_first(self.q)
        return self.policy

    def observe(self, h: int, s: np.ndarray, a: np.ndarray, s_next: np.ndarray) -> None:
        self.ridge.add(h, self.phi[np.arange(self.B), s, a], np.ones(self.B), s_next)

    @property
    def big_floor_fraction(self) -> np.ndarray:
        return np.full(self.B, np.nan)


BatchedLearner = BatchedLSVIUCBPlus | BatchedLSVIUCB


def make_batched_learner(cfgs: list[Config], mdps: list[FiniteLinearMDP]) -> BatchedLearner:
    """One batched learner for the runs ``cfgs`` (one per row) on ``mdps``, each row with the constants that
    ``make_learner`` resolves for it. Rows must all be LSVI-UCB or all be of the LSVI-UCB+ family."""
    from lsvi_ucb_plus.train import make_learner  # the per-seed factory resolves every constant

    refs = [make_learner(c, m) for c, m in zip(cfgs, mdps, strict=True)]
    phi = np.stack([m.phi for m in mdps])
    reward = np.stack([m.r for m in mdps])
    kinds = {type(r) for r in refs}
    if len(kinds) != 1:
        raise ValueError(f"a batch holds LSVI-UCB rows or LSVI-UCB+ rows, not both: {[c.algo for c in cfgs]}")
    if isinstance(refs[0], LSVIUCB):
        lams = {c.lam for c in cfgs}
        if len(lams) != 1:
            raise ValueError(f"all runs of a batch must share lam, got {lams}")
        return BatchedLSVIUCB(
            phi, reward, [r.beta for r in refs], lam=1.0 if cfgs[0].lam is None else cfgs[0].lam
        )
    refresh = {r.pessimism_refresh for r in refs}
    if len(refresh) != 1:
        raise ValueError(f"all runs of a batch must share pessimism_refresh, got {refresh}")
    return BatchedLSVIUCBPlus(
        phi,
        reward,
        cfgs[0].episodes,
        [r.c for r in refs],
        variance_weights=[r.variance_weights for r in refs],
        fixed_sigma=[r.fixed_sigma for r in refs],
        rare_switching=[r.rare_switching for r in refs],
        running_min=[r.running_min for r in refs],
        pessimism_refresh=refresh.pop(),
    )


def batched_policy_values(P: np.ndarray, r: np.ndarray, policy: np.ndarray) -> np.ndarray:
    """V^π_b[h, s] for B runs: P (B, H, S, A, S), r (B, H, S, A), policy (B, H, S) -> (B, H+1, S)."""
    B, H, S = policy.shape
    bi, si = np.arange(B)[:, None], np.arange(S)[None, :]
    V = np.zeros((B, H + 1, S))
    for h in range(H - 1, -1, -1):
        a = policy[:, h]
        V[:, h] = r[bi, h, si, a] + np.einsum("bst,bt->bs", P[bi, h, si, a], V[:, h + 1])
    return V


def run_seeds(cfg: Config, seeds: list[int], **kw) -> dict[str, np.ndarray]:
    """``run_rows`` for one config over several seeds."""
    return run_rows([dataclasses.replace(cfg, seed=s) for s in seeds], **kw)


def run_rows(cfgs: list[Config], *, chunk: int = 4096) -> dict[str, np.ndarray]:
    """Run every config (row) in one batch: row b has the same instance, environment stream and regret as
    ``train(cfgs[b])``. Rows may differ in seed and in the learner's constants and options, not in the
    instance's shape or K. Returns regret (B, K), switches (B,), big_floor_fraction (B,) and seconds (the
    batch's wall time)."""
    from lsvi_ucb_plus.train import make_instance

    if len({c.episodes for c in cfgs}) != 1:
        raise ValueError("all rows of a batch must have the same number of episodes")
    mdps = [make_instance(c, Seeder(c.seed).numpy("instance")) for c in cfgs]
    learner = make_batched_learner(cfgs, mdps)
    rngs = [Seeder(c.seed).numpy("env") for c in cfgs]
    B, H, K = len(cfgs), mdps[0].horizon, cfgs[0].episodes
    P = np.stack([m.P for m in mdps])
    r = np.stack([m.r for m in mdps])
    cdf = np.cumsum(P, axis=-1)
    init_cdf = np.cumsum(np.stack([m.init for m in mdps]), axis=-1)
    v_star = np.stack([optimal_values(m)[1][0] for m in mdps])  # (B, S)
    S = v_star.shape[1]
    bi = np.arange(B)
    regret = np.zeros((B, K))
    played = None
    v_pi = None
    t0 = time.perf_counter()
    for k0 in range(0, K, chunk):
        n = min(chunk, K - k0)
        u = np.stack([g.random(n * (H + 1)) for g in rngs]).reshape(B, n, H + 1)  # the per-seed stream order
        for j in range(n):
            policy = learner.plan()
            if played is None or not np.array_equal(policy, played):
                v_pi = batched_policy_values(P, r, policy)[:, 0]
                played = policy.copy()
            s = np.minimum((init_cdf <= u[:, j, 0:1]).sum(axis=1), S - 1)
            regret[:, k0 + j] = v_star[bi, s] - v_pi[bi, s]
            for h in range(H):
                a = policy[bi, h, s]
                s_next = np.minimum((cdf[bi, h, s, a] <= u[:, j, h + 1 : h + 2]).sum(axis=1), S - 1)
                learner.observe(h, s, a, s_next)
                s = s_next
    return {
        "regret": regret,
        "switches": learner.switches.copy(),
        "big_floor_fraction": np.asarray(learner.big_floor_fraction, dtype=float),
        "seconds": np.array(time.perf_counter() - t0),
    }
