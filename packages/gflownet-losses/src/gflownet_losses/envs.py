"""Environments as DAGs with forward and backward action masks, stepped on batches of states at once.

Conventions shared by every environment (implement :class:`DAGEnv` to add your own):

- a state is a row of a ``LongTensor``; a batch of states is ``(n, state_dim)``;
- forward actions are ``0 .. n_actions - 1``; the last one, ``exit_action``, terminates at the current state
  (the state becomes the sampled object ``x``); every trajectory ends with it;
- backward action ``a`` undoes forward action ``a``: ``backward_step(step(s, a), a) == s``. So ``P_B`` is a
  distribution over ``n_actions - 1`` entries and ``backward_mask(s')[a]`` says whether ``s'`` has a parent
  through ``a``;
- ``log_reward(x)`` is defined for every state that may exit and must be finite (rewards > 0).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np
import torch


class DAGEnv(ABC):
    state_dim: int
    n_actions: int  # including the exit action
    max_length: int  # most transitions in a trajectory, exit included
    feature_dim: int

    @property
    def exit_action(self) -> int:
        return self.n_actions - 1

    @abstractmethod
    def initial_states(self, n: int) -> torch.Tensor: ...

    @abstractmethod
    def forward_mask(self, states: torch.Tensor) -> torch.Tensor:
        """(n, n_actions) bool: which forward actions (exit included) are allowed."""

    @abstractmethod
    def backward_mask(self, states: torch.Tensor) -> torch.Tensor:
        """(n, n_actions - 1) bool: through which actions ``states`` have a parent."""

    @abstractmethod
    def step(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Children through non-exit ``actions``."""

    @abstractmethod
    def backward_step(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Parents through ``actions`` (undoing the forward action of the same index)."""

    @abstractmethod
    def log_reward(self, states: torch.Tensor) -> torch.Tensor: ...

    @abstractmethod
    def features(self, states: torch.Tensor) -> torch.Tensor:
        """(n, feature_dim) float inputs for the policy network."""

    # Enumerable environments (small DAGs) also provide these, for the exact terminal distribution.
    def all_states(self) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} is not enumerable")

    def state_index(self, states: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} is not enumerable")


class HyperGrid(DAGEnv):
    """The D-dimensional grid {0..H-1}^D; action i increments coordinate i; any state may exit.

    Reward (Bengio et al. 2021, "original" variant with the paper's hard constants), with ax = |x/(H-1) - 1/2|:
    R(x) = R0 + R1·Π_i 1[ax_i > 0.25] + R2·Π_i 1[0.3 < ax_i < 0.4].
    """

    def __init__(
        self, ndim: int = 2, height: int = 16, r0: float = 1e-4, r1: float = -9.9e-5, r2: float = 1 - 1e-6
    ):
        if not isinstance(ndim, int) or ndim < 1:
            raise ValueError(f"HyperGrid ndim must be an int >= 1, got {ndim!r}")
        if not isinstance(height, int) or height < 2:
            raise ValueError(f"HyperGrid height must be an int >= 2, got {height!r}")
        levels = {"R0": r0, "R0+R1": r0 + r1, "R0+R2": r0 + r2, "R0+R1+R2": r0 + r1 + r2}
        bad = {k: v for k, v in levels.items() if not (v > 0 and math.isfinite(v))}
        if bad:
            raise ValueError(f"HyperGrid rewards must be > 0 everywhere (log R is needed), got {bad}")
        self.ndim, self.height = ndim, height
        self.r0, self.r1, self.r2 = float(r0), float(r1), float(r2)
        self.state_dim = ndim
        self.n_actions = ndim + 1
        self.max_length = ndim * (height - 1) + 1
        self.feature_dim = ndim * height
        self._strides = torch.tensor([height ** (ndim - 1 - i) for i in range(ndim)], dtype=torch.long)
        self._units = torch.eye(ndim, dtype=torch.long)  # row i: the move of action i
        self._offsets = torch.arange(ndim) * height  # coordinate i's block in the k-hot features

    def initial_states(self, n):
        return torch.zeros(n, self.ndim, dtype=torch.long)

    def forward_mask(self, states):
        can_grow = states < self.height - 1
        return torch.nn.functional.pad(can_grow, (0, 1), value=True)  # exit is always allowed

    def backward_mask(self, states):
        return states > 0

    def step(self, states, actions):
        return states + self._units[actions]

    def backward_step(self, states, actions):
        return states - self._units[actions]

    def reward(self, states):
        ax = (states.to(torch.float64) / (self.height - 1) - 0.5).abs()
        outer = (ax > 0.25).all(dim=-1)
        band = ((ax > 0.3) & (ax < 0.4)).all(dim=-1)
        return self.r0 + self.r1 * outer + self.r2 * band

    def log_reward(self, states):
        return torch.log(self.reward(states)).to(torch.float32)

    def features(self, states):
        """k-hot: one block of ``height`` per coordinate with a 1 at the coordinate's value."""
        hot = torch.zeros(len(states), self.feature_dim)
        return hot.scatter_(1, states + self._offsets, 1.0)

    def all_states(self):
        grids = torch.meshgrid(*[torch.arange(self.height)] * self.ndim, indexing="ij")
        return torch.stack([g.reshape(-1) for g in grids], dim=1)

    def state_index(self, states):
        return (states * self._strides).sum(-1)

    def mode_mask(self, states):
        """States in the high-reward bands (R ≈ 1): the modes."""
        return self.reward(states) > 0.5


class BitSequence(DAGEnv):
    """Non-autoregressive bit sequences (Malkin et al. 2022; Tiapkin et al. 2024): a sequence of n bits is
    n/k words of k bits; an action writes word w into an empty position p (action p·2^k + w); a full
    sequence can only exit. log R(x) = beta · (1 - min_m d(x, m)/n), d the Hamming distance to a set of modes.
    """

    def __init__(
        self, seq_len: int = 24, word_len: int = 4, modes: np.ndarray | None = None, beta: float = 2.0
    ):
        if not isinstance(word_len, int) or word_len < 1:
            raise ValueError(f"BitSequence word_len must be an int >= 1, got {word_len!r}")
        if not isinstance(seq_len, int) or seq_len < 2 or seq_len % word_len:
            raise ValueError(
                f"BitSequence seq_len must be an int >= 2 divisible by word_len={word_len}, got {seq_len!r}"
            )
        if not (isinstance(beta, int | float) and beta > 0 and math.isfinite(beta)):
            raise ValueError(f"BitSequence beta must be a positive number, got {beta!r}")
        if modes is None or modes.ndim != 2 or modes.shape[1] != seq_len or len(modes) < 1:
            raise ValueError(
                f"BitSequence needs modes of shape (M >= 1, {seq_len}), got {None if modes is None else modes.shape}"
            )
        self.seq_len, self.word_len, self.beta = seq_len, word_len, float(beta)
        self.n_words = 2**word_len
        self.n_pos = seq_len // word_len
        self.state_dim = self.n_pos
        self.n_actions = self.n_pos * self.n_words + 1
        self.max_length = self.n_pos + 1
        self.feature_dim = self.n_pos * (self.n_words + 1)
        self.modes = torch.as_tensor(modes, dtype=torch.float32)
        self._bit_shifts = torch.arange(word_len - 1, -1, -1)

    @staticmethod
    def random_modes(rng: np.random.Generator, n_modes: int, seq_len: int) -> np.ndarray:
        return rng.integers(0, 2, size=(n_modes, seq_len)).astype(np.int64)

    def initial_states(self, n):
        return torch.full((n, self.n_pos), -1, dtype=torch.long)

    def forward_mask(self, states):
        empty = states < 0
        writes = empty.repeat_interleave(self.n_words, dim=1)
        full = ~empty.any(dim=1, keepdim=True)
        return torch.cat([writes, full], dim=1)

    def backward_mask(self, states):
        word_ids = torch.arange(self.n_words)
        return (states.unsqueeze(-1) == word_ids).reshape(len(states), -1)

    def step(self, states, actions):
        pos, word = actions // self.n_words, actions % self.n_words
        out = states.clone()
        out[torch.arange(len(states)), pos] = word
        return out

    def backward_step(self, states, actions):
        out = states.clone()
        out[torch.arange(len(states)), actions // self.n_words] = -1
        return out

    def to_bits(self, states):
        """(n, seq_len) bits of full sequences."""
        return ((states.unsqueeze(-1) >> self._bit_shifts) & 1).reshape(len(states), -1)

    def from_bits(self, bits):
        words = bits.reshape(len(bits), self.n_pos, self.word_len)
        return (words << self._bit_shifts).sum(-1)

    def min_distance(self, states):
        bits = self.to_bits(states).to(torch.float32)
        return torch.cdist(bits, self.modes, p=1).round().min(dim=1)

    def log_reward(self, states):
        if (states < 0).any():
            raise ValueError("BitSequence.log_reward needs full sequences")
        return self.beta * (1.0 - self.min_distance(states).values / self.seq_len)

    def features(self, states):
        return (
            torch.nn.functional.one_hot(states + 1, self.n_words + 1)
            .reshape(len(states), -1)
            .to(torch.float32)
        )


def enumerate_trajectories(env: DAGEnv) -> list[tuple[list[int], list[int]]]:
    """Every complete trajectory of a small enumerable DAG, as (state indices, actions) (exit last).

    Exponential in the DAG size: for the exact theorem tests on tiny grids only.
    """
    states = env.all_states()
    index = {tuple(s.tolist()): i for i, s in enumerate(states)}
    out: list[tuple[list[int], list[int]]] = []

    def walk(s: torch.Tensor, path: list[int], acts: list[int]) -> None:
        mask = env.forward_mask(s[None])[0]
        for a in torch.nonzero(mask).flatten().tolist():
            if a == env.exit_action:
                out.append((path, [*acts, a]))
            else:
                child = env.step(s[None], torch.tensor([a]))[0]
                walk(child, [*path, index[tuple(child.tolist())]], [*acts, a])

    s0 = env.initial_states(1)[0]
    walk(s0, [index[tuple(s0.tolist())]], [])
    return out


__all__ = ["BitSequence", "DAGEnv", "HyperGrid", "enumerate_trajectories"]
