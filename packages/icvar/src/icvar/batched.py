"""ICVaR-L vectorised over runs: a leading run axis B through ψ, the ridge, C_θ̂, the bonus and the plan.

Row b is one independent run (its own seed: environment stream, tie-breaking stream, ridge state, and its
own α and bonus radius), so ``run_rows`` gives, row by row, the regret of ``train`` (tested) while each numpy
call does B runs' work. The maths is ``ICVaRL``'s (``icvar_l.py``) line by line. All rows share the MDP
(the instance's shape and features) and the ε-net; they may differ in seed, α, β (so ``icvar-l`` and
``icvar-l-nobonus`` rows mix) and in the true kernel (the risk-contrast instance's p_high / split).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from paperkit import Seeder

from icvar.config import Config
from icvar.icvar_l import ICVaRL
from icvar.mdp import icvar_optimal_values, icvar_policy_values


def batched_greedy(q: np.ndarray, noise: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """``greedy`` with the tie-breaking noise drawn beforehand (same rule: random among the near-maxima)."""
    best = q >= q.max(axis=-1, keepdims=True) - tol
    return np.where(best, noise, -1.0).argmax(axis=-1)


class BatchedICVaRL:
    """``ICVaRL`` for B runs on one feature tensor; ``alpha`` and ``beta`` are per run (shape (B,))."""

    def __init__(
        self,
        features: np.ndarray,
        reward: np.ndarray,
        alpha: np.ndarray,
        net: np.ndarray,
        beta: np.ndarray,
        *,
        lam: float,
        epsilon: float,
    ):
        features = np.asarray(features, dtype=np.float64)
        self.H, self.S, self.A = reward.shape
        self.alpha = np.asarray(alpha, dtype=np.float64)
        self.B = len(self.alpha)
        self.beta = np.broadcast_to(np.asarray(beta, dtype=np.float64), (self.B,))
        self.d = features.shape[3]
        self.features = features
        self.features_t = np.ascontiguousarray(np.moveaxis(features, 2, 0))  # (S', S, A, d)
        self.reward = np.asarray(reward, dtype=np.float64)
        self.net = np.asarray(net, dtype=np.float64)
        self.epsilon = float(epsilon)
        B, H, d = self.B, self.H, self.d
        self.gram = np.tile(lam * np.eye(d), (B, H, 1, 1))
        self.gram_inv = np.tile(np.eye(d) / lam, (B, H, 1, 1))
        self.target = np.zeros((B, H, d))
        self.theta = np.zeros((B, H, d))
        self.v_hat = np.zeros((B, H + 1, self.S))
        self.explore_x = np.zeros((B, H, self.S, self.A), dtype=np.int64)
        self.policy = np.zeros((B, H, self.S), dtype=np.int64)
        self.n_updates = 0

    def plan(self, noise: np.ndarray) -> np.ndarray:
        """Backward pass for every run; ``noise[b, i]`` (i = 0 for h = H−1, ...) breaks ties as ``greedy``."""
        B, H, S, A, d = self.B, self.H, self.S, self.A, self.d
        N = len(self.net)
        n_next = self.features_t.shape[0]
        flat_features = self.features_t.reshape(n_next, -1)
        for i, h in enumerate(range(H - 1, -1, -1)):
            short = np.maximum(self.net[None, :, None] - self.v_hat[:, h + 1][:, None, :], 0.0)  # (B, N, S')
            psi = (short.reshape(B * N, n_next) @ flat_features).reshape(B, N * S * A, d)
            quad = np.einsum("bni,bni->bn", psi @ self.gram_inv[:, h], psi)
            norms = np.sqrt(np.maximum(quad, 0.0)).reshape(B, N, S, A)
            self.explore_x[:, h] = norms.argmax(axis=1)
            bonus = (self.beta / self.alpha)[:, None, None] * norms.max(axis=1)
            pred = (psi @ self.theta[:, h, :, None]).reshape(B, N, S, A)
            c_theta = (self.net[None, :, None, None] - pred / self.alpha[:, None, None, None]).max(axis=1)
            q = self.reward[h] + c_theta + 2 * self.epsilon + bonus
            self.policy[:, h] = batched_greedy(q, noise[:, i])
            self.v_hat[:, h] = np.minimum(q.max(axis=2), H)
        return self.policy

    def observe(self, h: int, s: np.ndarray, a: np.ndarray, s_next: np.ndarray) -> None:
        bi = np.arange(self.B)
        x = self.net[self.explore_x[bi, h, s, a]]
        short = np.maximum(x[:, None] - self.v_hat[:, h + 1], 0.0)  # (B, S')
        feats = self.features[s, a]  # (B, S', d)
        psi = np.einsum("bsj,bs->bj", feats, short)  # (B, d)
        y = short[bi, s_next]
        u = np.einsum("bij,bj->bi", self.gram_inv[:, h], psi)
        self.gram[:, h] += psi[:, :, None] * psi[:, None, :]
        denom = 1.0 + np.einsum("bi,bi->b", psi, u)
        self.gram_inv[:, h] -= (u[:, :, None] * u[:, None, :]) / denom[:, None, None]
        self.target[:, h] += psi * y[:, None]
        self.n_updates += 1
        if self.n_updates % 256 == 0:  # as ICVaRL: refresh every inverse exactly now and then
            self.gram_inv = np.linalg.inv(self.gram)
        self.theta[:, h] = np.einsum("bij,bj->bi", self.gram_inv[:, h], self.target[:, h])


def run_rows(cfgs: list[Config], *, chunk: int = 2048) -> dict[str, np.ndarray]:
    """Run ICVaR-L / ICVaR-L-nobonus rows in one batch: row b has the instance, streams and exact regret of
    ``train(cfgs[b])``. Rows must share the instance's shape, K, λ and the ε-net. Returns regret (B, K) and
    seconds (the batch's wall time)."""
    from icvar.train import make_instance, make_learner

    if len({(c.episodes, c.n_satellites, c.d, c.horizon) for c in cfgs}) != 1:
        raise ValueError("all rows of a batch must share episodes, n_satellites, d and horizon")
    mdps = [make_instance(c) for c in cfgs]
    refs = [make_learner(c, m) for c, m in zip(cfgs, mdps, strict=True)]
    if not all(isinstance(r, ICVaRL) for r in refs):
        raise ValueError(f"batched rows must be icvar-l or icvar-l-nobonus, got {[c.algo for c in cfgs]}")
    nets = {r.net.tobytes() for r in refs}
    if len(nets) != 1 or len({r.epsilon for r in refs}) != 1:
        raise ValueError("all rows of a batch must share the ε-net (set Config.epsilon)")
    ref = refs[0]
    if any(not np.array_equal(m.features, mdps[0].features) for m in mdps):
        raise ValueError("all rows of a batch must share the features (p_high); split and α may differ")
    lam = float(ref.gram[0, 0, 0])
    learner = BatchedICVaRL(
        ref.features,
        ref.reward,
        np.array([r.alpha for r in refs]),
        ref.net,
        np.array([r.beta for r in refs]),
        lam=lam,
        epsilon=ref.epsilon,
    )
    tie_rngs = [r.rng for r in refs]  # Seeder(seed).numpy("tie-break"), as in train
    env_rngs = [Seeder(c.seed).numpy("env") for c in cfgs]
    B, K = len(cfgs), cfgs[0].episodes
    H, S, A = ref.H, ref.S, ref.A
    v_star = np.stack([icvar_optimal_values(m, c.alpha)[1][0] for m, c in zip(mdps, cfgs, strict=True)])
    cdf = np.stack([np.cumsum(m.P, axis=-1) for m in mdps])  # (B, H, S, A, S)
    init_cdf = np.stack([np.cumsum(m.init) for m in mdps])
    bi = np.arange(B)
    regret = np.zeros((B, K))
    played = np.full((B, H, S), -1)
    v_pi = np.zeros((B, S))
    t0 = time.perf_counter()
    for k0 in range(0, K, chunk):
        n = min(chunk, K - k0)
        u = np.stack([g.random(n * (H + 1)) for g in env_rngs]).reshape(B, n, H + 1)
        noise = np.stack([g.random(n * H * S * A) for g in tie_rngs]).reshape(B, n, H, S, A)
        for j in range(n):
            policy = learner.plan(noise[:, j])
            for b in np.flatnonzero(np.any(policy != played, axis=(1, 2))):
                v_pi[b] = icvar_policy_values(mdps[b], policy[b], cfgs[b].alpha)[0]
                played[b] = policy[b]
            s = np.minimum((init_cdf <= u[:, j, 0:1]).sum(axis=1), S - 1)
            regret[:, k0 + j] = v_star[bi, s] - v_pi[bi, s]
            for h in range(H):
                a = policy[bi, h, s]
                s_next = np.minimum((cdf[bi, h, s, a] <= u[:, j, h + 1 : h + 2]).sum(axis=1), S - 1)
                learner.observe(h, s, a, s_next)
                s = s_next
    return {"regret": regret, "seconds": np.array(time.perf_counter() - t0)}


def run_seeds(cfg: Config, seeds: list[int], **kw) -> dict[str, np.ndarray]:
    """``run_rows`` for one config over several seeds."""
    return run_rows([dataclasses.replace(cfg, seed=s) for s in seeds], **kw)
