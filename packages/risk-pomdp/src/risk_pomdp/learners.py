"""Learners on a POMDP with hindsight observation: BVVI (the paper), its ablations, RSVI2 and references.

Every learner sees the sizes, the known rewards, the played actions, the observations and, after the episode,
the hidden states (hindsight observation). None reads the true kernels except :class:`Oracle`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from risk_pomdp.beliefs import belief_tree
from risk_pomdp.beta_vectors import plan_beta_vectors
from risk_pomdp.pomdp import FinitePOMDP


@dataclasses.dataclass
class Trajectory:
    states: np.ndarray  # [H + 1] hidden states (revealed in hindsight)
    observations: np.ndarray  # [H + 1]
    actions: np.ndarray  # [H]
    rewards: np.ndarray  # [H]


def rollout(pomdp: FinitePOMDP, policy: list[np.ndarray], rng: np.random.Generator) -> Trajectory:
    """One episode under a history-dependent policy (per step [n_h] actions or [n_h, A] probabilities)."""
    H, A, O = pomdp.H, pomdp.A, pomdp.O
    states = np.zeros(H + 1, dtype=np.int64)
    obs = np.zeros(H + 1, dtype=np.int64)
    actions = np.zeros(H, dtype=np.int64)
    rewards = np.zeros(H)
    states[0] = _draw(pomdp.init, rng)
    obs[0] = _draw(pomdp.emissions[0, states[0]], rng)
    f = int(obs[0])
    for h in range(H):
        rule = policy[h][f]
        actions[h] = int(rule) if np.ndim(rule) == 0 else _draw(rule, rng)
        rewards[h] = pomdp.rewards[h, states[h], actions[h]]
        states[h + 1] = _draw(pomdp.transitions[h, actions[h], states[h]], rng)
        obs[h + 1] = _draw(pomdp.emissions[h + 1, states[h + 1]], rng)
        f = f * A * O + int(actions[h]) * O + int(obs[h + 1])
    return Trajectory(states, obs, actions, rewards)


def _draw(p: np.ndarray, rng: np.random.Generator) -> int:
    cdf = np.cumsum(p)
    return min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), p.size - 1)


class Learner:
    name = "learner"

    def __init__(self, pomdp: FinitePOMDP, gamma: float, episodes: int):
        self.H, self.S, self.A, self.O = pomdp.H, pomdp.S, pomdp.A, pomdp.O
        self.rewards = pomdp.rewards  # known
        self.n_histories = [pomdp.n_histories(h) for h in range(self.H)]
        self.gamma = gamma
        self.episodes = episodes

    def policy(self) -> list[np.ndarray]:
        raise NotImplementedError

    def update(self, traj: Trajectory) -> None:
        pass

    def state_arrays(self) -> dict[str, np.ndarray]:
        return {}

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        pass


class UniformRandom(Learner):
    name = "random"

    def policy(self) -> list[np.ndarray]:
        return [np.full((n, self.A), 1.0 / self.A) for n in self.n_histories]


class Oracle(Learner):
    """Plans with the true model (zero regret): a check on the evaluation."""

    name = "oracle"

    def __init__(self, pomdp: FinitePOMDP, gamma: float, episodes: int):
        super().__init__(pomdp, gamma, episodes)
        rho = belief_tree(pomdp.init, pomdp.transitions, pomdp.emissions, pomdp.rewards, gamma)
        self._policy = plan_beta_vectors(rho, pomdp.transitions, pomdp.emissions, pomdp.rewards, gamma).policy

    def policy(self) -> list[np.ndarray]:
        return self._policy


class FixedPolicy(Learner):
    """Plays one given deterministic history policy every episode (e.g. the best memoryless policy)."""

    name = "fixed"

    def __init__(self, pomdp: FinitePOMDP, gamma: float, episodes: int, policy: list[np.ndarray]):
        super().__init__(pomdp, gamma, episodes)
        self._policy = [np.asarray(p, dtype=np.int64) for p in policy]

    def policy(self) -> list[np.ndarray]:
        return self._policy


class HindsightCounts(Learner):
    """Counts of the hidden trajectory and the empirical model (mu^, T^, O^) with "v 1" denominators."""

    def __init__(self, pomdp: FinitePOMDP, gamma: float, episodes: int):
        super().__init__(pomdp, gamma, episodes)
        self.n_init = np.zeros(self.S)
        self.n_trans = np.zeros((self.H, self.S, self.A, self.S))  # N_h(s, a, s')
        self.n_emit = np.zeros((self.H + 1, self.S, self.O))  # N_h(s, o)

    def update(self, traj: Trajectory) -> None:
        h = np.arange(self.H)
        self.n_init[traj.states[0]] += 1
        np.add.at(self.n_trans, (h, traj.states[:-1], traj.actions, traj.states[1:]), 1.0)
        np.add.at(self.n_emit, (np.arange(self.H + 1), traj.states, traj.observations), 1.0)

    def empirical_model(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """mu^ [S], T^ [H, A, S, S], O^ [H + 1, S, O]; uniform rows where nothing was seen."""
        mu = _normalise(self.n_init)
        T = _normalise(self.n_trans).transpose(0, 2, 1, 3)  # [H, S, A, S'] -> [H, A, S, S']
        E = _normalise(self.n_emit)
        return mu, T, E

    def state_arrays(self) -> dict[str, np.ndarray]:
        return {"n_init": self.n_init, "n_trans": self.n_trans, "n_emit": self.n_emit}

    def load_state_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.n_init = np.array(arrays["n_init"])
        self.n_trans = np.array(arrays["n_trans"])
        self.n_emit = np.array(arrays["n_emit"])


def _normalise(counts: np.ndarray) -> np.ndarray:
    n = counts.sum(-1, keepdims=True)
    return np.where(n > 0, counts / np.maximum(n, 1.0), 1.0 / counts.shape[-1])
