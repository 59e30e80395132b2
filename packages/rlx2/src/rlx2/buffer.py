"""Replay buffer with a dynamic capacity: a FIFO ring whose left (oldest) pointer moves when the stored
behaviour has drifted too far from the current policy (RLx2's policy-distance check)."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from rlx2.nstep import truncated_nstep

FIELDS = ("obs", "action", "action_mean", "reward", "next_obs", "terminated", "truncated")


DISTANCE_FORMS = ("mse", "l2")


def policy_distance(
    current: np.ndarray, stored_mean: np.ndarray, max_action: np.ndarray, form: str = "mse"
) -> float:
    """The policy distance D between the current policy and the stored behaviour, actions scaled by a_max.

    ``mse`` (the official code, what its threshold 0.2 refers to): ``1/2 * mean(((pi(s) - a_mean) / a_max)^2)``
    over samples *and* action dimensions. ``l2`` (the paper's Eq. 6): the mean over samples of the L2 norm
    ``||(pi(s) - a_mean) / a_max||``. ``stored_mean`` is the noise-free action recorded at collection time
    (the deterministic TD3 output or the squashed SAC mean), not the executed noisy action.
    """
    diff = (np.asarray(current) - np.asarray(stored_mean)) / np.asarray(max_action)
    if form == "mse":
        return 0.5 * float(np.mean(diff**2))
    if form == "l2":
        return float(np.mean(np.linalg.norm(diff, axis=-1)))
    raise ValueError(f"form must be one of {DISTANCE_FORMS}, got {form!r}")


@dataclasses.dataclass
class NStepBatch:
    """What an update needs from ``batch_size`` runs of ``n`` consecutive transitions (torch tensors)."""

    obs: torch.Tensor
    """[B, obs_dim]: the first state of each run."""
    action: torch.Tensor
    """[B, act_dim]: the executed first action."""
    ret: torch.Tensor
    """[B]: discounted reward sum up to and including transition ``m`` (the first episode end, or n-1)."""
    boot_obs: torch.Tensor
    """[B, obs_dim]: the bootstrap state, ``next_obs`` of transition ``m``."""
    boot: torch.Tensor
    """[B]: ``gamma^(m+1)``, or 0 if transition ``m`` terminated."""
    mid_obs: torch.Tensor | None = None
    """[B, n-1, obs_dim]: ``next_obs`` of transitions ``0..n-2`` (SAC's intermediate soft terms)."""
    mid_used: torch.Tensor | None = None
    """[B, n-1]: 1 where the intermediate state ``k+1`` lies before the cut (``k < m``), else 0."""


class ReplayBuffer:
    """Transitions in insertion order; logical indices ``[left, ptr)`` are live, physical = logical % cap."""

    def __init__(self, capacity: int, obs_dim: int, act_dim: int):
        self.capacity = capacity
        self.ptr = 0  # logical index of the next write
        self.left = 0  # logical index of the oldest live transition
        self.data = {
            "obs": np.zeros((capacity, obs_dim), np.float32),
            "action": np.zeros((capacity, act_dim), np.float32),
            "action_mean": np.zeros((capacity, act_dim), np.float32),
            "reward": np.zeros(capacity, np.float32),
            "next_obs": np.zeros((capacity, obs_dim), np.float32),
            "terminated": np.zeros(capacity, bool),
            "truncated": np.zeros(capacity, bool),
        }

    @property
    def size(self) -> int:
        return self.ptr - self.left

    def add(self, obs, action, action_mean, reward, next_obs, terminated: bool, truncated: bool) -> None:
        j = self.ptr % self.capacity
        for key, value in zip(FIELDS, (obs, action, action_mean, reward, next_obs, terminated, truncated)):
            self.data[key][j] = value
        self.ptr += 1
        self.left = max(self.left, self.ptr - self.capacity)  # FIFO overwrite of the oldest

    def sample(self, batch_size: int, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``batch_size`` runs of ``n`` consecutive transitions: every field gets shape ``[B, n, ...]``."""
        if self.size < n:
            raise ValueError(f"buffer holds {self.size} transitions, fewer than n = {n}")
        start = rng.integers(self.left, self.ptr - n + 1, size=batch_size)
        idx = (start[:, None] + np.arange(n)[None, :]) % self.capacity
        return {k: v[idx] for k, v in self.data.items()}

    def sample_nstep(
        self, batch_size: int, n: int, gamma: float, rng: np.random.Generator, intermediate: bool = False
    ) -> NStepBatch:
        """Sample runs of ``n`` consecutive transitions and reduce them to truncated n-step targets.

        Only the fields the update needs are gathered (the bootstrap ``next_obs`` once per run).
        """
        if self.size < n:
            raise ValueError(f"buffer holds {self.size} transitions, fewer than n = {n}")
        start = rng.integers(self.left, self.ptr - n + 1, size=batch_size)
        idx = (start[:, None] + np.arange(n)[None, :]) % self.capacity
        d = self.data
        ret, last, boot, used = truncated_nstep(
            d["reward"][idx], d["terminated"][idx], d["truncated"][idx], gamma
        )
        first = idx[:, 0]
        out = NStepBatch(
            obs=torch.from_numpy(d["obs"][first]),
            action=torch.from_numpy(d["action"][first]),
            ret=torch.from_numpy(ret.astype(np.float32)),
            boot_obs=torch.from_numpy(d["next_obs"][idx[np.arange(batch_size), last]]),
            boot=torch.from_numpy(boot.astype(np.float32)),
        )
        if intermediate and n > 1:
            out.mid_obs = torch.from_numpy(d["next_obs"][idx[:, :-1]])
            out.mid_used = torch.from_numpy(used[:, 1:].astype(np.float32))
        return out

    def oldest(self, k: int) -> dict[str, np.ndarray]:
        idx = (self.left + np.arange(min(k, self.size))) % self.capacity
        return {key: self.data[key][idx] for key in ("obs", "action_mean")}

    def shrink(self, fraction: float, min_size: int) -> int:
        """Forget the oldest ``fraction`` of the live transitions, never going below ``min_size``."""
        drop = min(int(fraction * self.size), max(self.size - min_size, 0))
        self.left += drop
        return drop

    # checkpointing -----------------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        used = min(self.ptr, self.capacity)
        return {f"buffer.{k}": v[:used] for k, v in self.data.items()}

    def state(self) -> dict[str, int]:
        return {"ptr": self.ptr, "left": self.left}

    def load(self, arrays: dict[str, np.ndarray], state: dict[str, int]) -> None:
        for k, v in self.data.items():
            a = arrays[f"buffer.{k}"]
            v[: len(a)] = a
        self.ptr, self.left = int(state["ptr"]), int(state["left"])
