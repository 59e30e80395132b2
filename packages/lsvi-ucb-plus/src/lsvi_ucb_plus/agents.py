"""The learners: LSVI-UCB+ (v3, Alg. 1) and the LSVI-UCB baseline (Jin et al. 2020).

Both see only the features ``phi[s, a]`` and the known reward ``r[h, s, a]``; they regress next-state values
on features (rewards are added exactly). Each exposes ``plan() -> policy[h, s]`` at the start of an episode
and ``observe(h, s, a, s_next)`` for every transition of it.
"""

from __future__ import annotations

import math

import numpy as np

from lsvi_ucb_plus.radii import PlusConstants
from lsvi_ucb_plus.ridge import WeightedRidge
from lsvi_ucb_plus.variance import (
    floor_level,
    gap_variance_bound,
    optimism_offset,
    sigma_hat,
    sigma_tilde,
    variance_estimate,
)

_LOG2 = math.log(2.0)
TIE_TOL = 1e-10


def greedy_first(q: np.ndarray, tol: float = TIE_TOL) -> np.ndarray:
    """argmax over the last axis, the first action within ``tol`` of the maximum winning a tie.

    The hard instance's actions are exactly symmetric, so exact ties are common; a tolerance makes the
    choice independent of round-off (the per-seed and the seed-batched learners then play the same actions).
    """
    return (q >= q.max(axis=-1, keepdims=True) - tol).argmax(axis=-1)


def _check_inputs(phi: np.ndarray, reward: np.ndarray) -> tuple[int, int, int, int]:
    phi = np.asarray(phi)
    reward = np.asarray(reward)
    if phi.ndim != 3:
        raise ValueError(f"phi must have shape (S, A, d), got {phi.shape}")
    S, A, d = phi.shape
    if reward.ndim != 3 or reward.shape[1:] != (S, A):
        raise ValueError(f"reward must have shape (H, S, A) with (S, A) = {(S, A)}, got {reward.shape}")
    return reward.shape[0], S, A, d


class LSVIUCBPlus:
    """LSVI-UCB+ with weighted ridge regression, a Bernstein-type bonus and rare switching.

    Ablations: ``variance_weights=False`` fixes σ̂ ≡ ``fixed_sigma`` (no Bernstein weighting);
    ``rare_switching=False`` re-plans every episode; ``running_min=False`` drops the min with Q̂_{k-1}.
    ``pessimism_refresh`` is "every_episode" (brief's reading of Alg. 1) or "on_switch" (LSVI-UCB++ style).
    """

    def __init__(
        self,
        phi: np.ndarray,
        reward: np.ndarray,
        episodes: int,
        consts: PlusConstants,
        *,
        variance_weights: bool = True,
        fixed_sigma: float | None = None,
        rare_switching: bool = True,
        running_min: bool = True,
        pessimism_refresh: str = "every_episode",
        refresh_every: int = 256,
    ):
        H, S, A, d = _check_inputs(phi, reward)
        if pessimism_refresh not in ("every_episode", "on_switch"):
            raise ValueError(
                f"pessimism_refresh must be 'every_episode' or 'on_switch', got {pessimism_refresh!r}"
            )
        self.H, self.S, self.A, self.d = H, S, A, d
        self.phi = np.asarray(phi, dtype=np.float64)
        self.flat_phi = self.phi.reshape(S * A, d)
        self.reward = np.asarray(reward, dtype=np.float64)
        self.episodes = episodes
        self.c = consts
        self.variance_weights = variance_weights
        self.fixed_sigma = math.sqrt(H) if fixed_sigma is None else float(fixed_sigma)
        self.rare_switching = rare_switching
        self.running_min = running_min
        self.pessimism_refresh = pessimism_refresh
        self.hat = [WeightedRidge(d, S, consts.lam, refresh_every=refresh_every) for _ in range(H)]
        self.tilde = [WeightedRidge(d, 1, consts.lam, refresh_every=refresh_every) for _ in range(H)]
        self.q_hat = np.full((H, S, A), float(H))  # Q̂_0 = H: the running min starts from the trivial bound
        self.v_hat = np.zeros((H + 1, S))
        self.v_check = np.zeros((H + 1, S))
        self.v_hat[:H] = H
        self.policy = np.zeros((H, S), dtype=np.int64)
        self.logdet_at_switch = np.array([r.logdet for r in self.hat])
        self.switches = 0
        self.sigma2_sum = 0.0
        self.n_weighted = 0  # samples that went through the floor test
        self.n_big_floor = 0  # ... and failed it (σ̂ floored at ς_big)

    def _is_update_episode(self) -> bool:
        if not self.rare_switching:
            return True
        logdets = np.array([r.logdet for r in self.hat])
        return bool(np.any(logdets >= self.logdet_at_switch + _LOG2))  # det Λ̂ >= 2 det Λ̂_{k0}

    def plan(self) -> np.ndarray:
        """Backward pass of episode k: refresh Q̂ on update episodes, Q̌ as configured; return π_k."""
        update = self._is_update_episode()
        if update:
            self.switches += 1
            self.logdet_at_switch = np.array([r.logdet for r in self.hat])
        refresh_check = update or self.pessimism_refresh == "every_episode"
        if not (update or refresh_check):
            return self.policy
        H, S, A = self.H, self.S, self.A
        for h in range(H - 1, -1, -1):
            ridge = self.hat[h]
            norms = ridge.norms(self.flat_phi).reshape(S, A)
            if update:
                w = ridge.predict_weights(self.v_hat[h + 1])
                q_new = self.reward[h] + (self.flat_phi @ w).reshape(S, A) + self.c.beta_hat * norms
                cap = np.minimum(self.q_hat[h], H) if self.running_min else float(H)
                self.q_hat[h] = np.minimum(q_new, cap)
                self.v_hat[h] = self.q_hat[h].max(axis=1)
            if refresh_check:
                w_check = ridge.predict_weights(self.v_check[h + 1])
                q_check = self.reward[h] + (self.flat_phi @ w_check).reshape(S, A) - self.c.beta_check * norms
                self.v_check[h] = np.maximum(q_check.max(axis=1), 0.0)
        if update:
            self.policy = greedy_first(self.q_hat)
        return self.policy

    def regression_weight(self, h: int, s: int, a: int) -> float:
        """σ̂^{-2} of the sample (s_h, a_h) = (s, a); also updates the auxiliary Gram matrix Λ̃_h."""
        if not self.variance_weights:
            return 1.0 / self.fixed_sigma**2
        c, H = self.c, self.H
        x = self.phi[s, a]
        ridge = self.hat[h]
        u = ridge.gram_inv @ x
        norm = math.sqrt(max(float(x @ u), 0.0))
        targets = np.stack([self.v_hat[h + 1], self.v_hat[h + 1] ** 2, self.v_check[h + 1]], axis=1)
        m1, m2, m_check = (u @ (ridge.acc @ targets)).tolist()
        var = variance_estimate(m1, m2, H)
        gap = m1 - m_check
        offset = optimism_offset(norm, gap, c.beta_tilde, c.beta_bar, c.beta_check, H)
        e_bound = gap_variance_bound(norm, gap, c.beta_bar, c.beta_check, H, c.lam, self.episodes)
        s_tilde = sigma_tilde(var, offset, e_bound, c.c_e, H)
        test = float(self.tilde[h].norms(x)) / s_tilde  # Λ̃ before its update
        self.tilde[h].add(x, 1.0 / s_tilde**2)
        floor = floor_level(test, c.c_thr, H, c.sigma_big, c.sigma_small)
        self.n_weighted += 1
        self.n_big_floor += int(test > c.c_thr)
        return 1.0 / sigma_hat(var, offset, e_bound, c.c_e, floor) ** 2

    @property
    def big_floor_fraction(self) -> float:
        """Share of samples whose weight was floored at ς_big (the floor test failed); nan if none tested."""
        return self.n_big_floor / self.n_weighted if self.n_weighted else float("nan")

    def observe(self, h: int, s: int, a: int, s_next: int) -> None:
        weight = self.regression_weight(h, s, a)
        self.sigma2_sum += 1.0 / weight
        self.hat[h].add(self.phi[s, a], weight, s_next)

    def state_arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for h in range(self.H):
            out.update(self.hat[h].state(f"hat{h}_"))
            out.update(self.tilde[h].state(f"tilde{h}_"))
        out.update(
            q_hat=self.q_hat,
            v_hat=self.v_hat,
            v_check=self.v_check,
            policy=self.policy,
            logdet_at_switch=self.logdet_at_switch,
            counters=np.array([self.switches, self.sigma2_sum, self.n_weighted, self.n_big_floor]),
        )
        return out

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        for h in range(self.H):
            self.hat[h].load_state(f"hat{h}_", arrays)
            self.tilde[h].load_state(f"tilde{h}_", arrays)
        self.q_hat = np.array(arrays["q_hat"])
        self.v_hat = np.array(arrays["v_hat"])
        self.v_check = np.array(arrays["v_check"])
        self.policy = np.array(arrays["policy"], dtype=np.int64)
        self.logdet_at_switch = np.array(arrays["logdet_at_switch"])
        switches, sigma2, n_weighted, n_big = arrays["counters"]
        self.switches, self.sigma2_sum = int(switches), float(sigma2)
        self.n_weighted, self.n_big_floor = int(n_weighted), int(n_big)


class LSVIUCB:
    """LSVI-UCB (Jin et al. 2020): unweighted ridge (λ = 1), Hoeffding bonus β||φ||_{Λ^{-1}}, re-plans every episode."""

    def __init__(
        self, phi: np.ndarray, reward: np.ndarray, beta: float, *, lam: float = 1.0, refresh_every: int = 256
    ):
        H, S, A, d = _check_inputs(phi, reward)
        self.H, self.S, self.A, self.d = H, S, A, d
        self.phi = np.asarray(phi, dtype=np.float64)
        self.flat_phi = self.phi.reshape(S * A, d)
        self.reward = np.asarray(reward, dtype=np.float64)
        self.beta = float(beta)
        self.ridges = [WeightedRidge(d, S, lam, refresh_every=refresh_every) for _ in range(H)]
        self.q = np.zeros((H, S, A))
        self.policy = np.zeros((H, S), dtype=np.int64)
        self.switches = 0

    def plan(self) -> np.ndarray:
        H, S, A = self.H, self.S, self.A
        v_next = np.zeros(S)
        for h in range(H - 1, -1, -1):
            ridge = self.ridges[h]
            w = ridge.predict_weights(v_next)
            bonus = self.beta * ridge.norms(self.flat_phi)
            self.q[h] = np.minimum(self.reward[h] + (self.flat_phi @ w + bonus).reshape(S, A), H)
            v_next = self.q[h].max(axis=1)
        self.switches += 1
        self.policy = greedy_first(self.q)
        return self.policy

    def observe(self, h: int, s: int, a: int, s_next: int) -> None:
        self.ridges[h].add(self.phi[s, a], 1.0, s_next)

    def state_arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for h in range(self.H):
            out.update(self.ridges[h].state(f"ridge{h}_"))
        out.update(q=self.q, policy=self.policy, counters=np.array([self.switches]))
        return out

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        for h in range(self.H):
            self.ridges[h].load_state(f"ridge{h}_", arrays)
        self.q = np.array(arrays["q"])
        self.policy = np.array(arrays["policy"], dtype=np.int64)
        self.switches = int(arrays["counters"][0])
