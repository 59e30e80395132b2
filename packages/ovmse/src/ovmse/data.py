"""Episode storage: the online replay FIFO and the on-disk offline dataset format.

Dataset format (a directory, written atomically; bring your own data by writing the same):

    episodes.safetensors   numpy arrays, leading dim = episodes E, T = episode_limit, n = agents:
        obs        float32 [E, T+1, n, obs_dim]   per-agent observations, zero-padded to obs_dim
        avail      bool    [E, T+1, n, n_actions] available actions (at least one True per agent-step)
        state      float32 [E, T+1, state_dim]    global state
        actions    int64   [E, T, n]              actions taken (must be available)
        reward     float32 [E, T]                 team reward (already scaled)
        terminated float32 [E, T]                 1 at a true terminal step (no bootstrap), else 0
        filled     float32 [E, T]                 1 for real steps, 0 for padding (a prefix of ones)
    meta.json              {"format": 1, "agents": [...], "obs_dim", "n_actions", "state_dim",
                            "episode_limit", "env": name, "notes": free text}
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from paperkit import atomic_dir

FIELDS = ("obs", "avail", "state", "actions", "reward", "terminated", "filled")
DATASET_FORMAT = 1


def episode_shapes(
    n_agents: int, obs_dim: int, n_actions: int, state_dim: int, limit: int
) -> dict[str, tuple[tuple[int, ...], type]]:
    """Shape and dtype of one stored episode."""
    return {
        "obs": ((limit + 1, n_agents, obs_dim), np.float32),
        "avail": ((limit + 1, n_agents, n_actions), np.bool_),
        "state": ((limit + 1, state_dim), np.float32),
        "actions": ((limit, n_agents), np.int64),
        "reward": ((limit,), np.float32),
        "terminated": ((limit,), np.float32),
        "filled": ((limit,), np.float32),
    }


class EpisodeBuffer:
    """A FIFO of at most ``capacity`` padded episodes."""

    def __init__(self, capacity: int, shapes: Mapping[str, tuple[tuple[int, ...], type]]):
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.data = {k: np.zeros((capacity, *s), dt) for k, (s, dt) in shapes.items()}
        self.size = 0
        self.next = 0

    def __len__(self) -> int:
        return self.size

    def push(self, episode: Mapping[str, np.ndarray]) -> None:
        for k, arr in self.data.items():
            arr[self.next] = episode[k]
        self.next = (self.next + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, k: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        if self.size == 0:
            raise ValueError("cannot sample from an empty buffer")
        idx = rng.choice(self.size, size=k, replace=self.size < k)
        return {key: v[idx] for key, v in self.data.items()}

    def state_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The filled rows (a prefix: the FIFO only wraps once full) and the counters, for checkpoints."""
        out = {f"{prefix}.{k}": v[: self.size] for k, v in self.data.items()}
        out[f"{prefix}.counters"] = np.array([self.size, self.next], np.int64)
        return out

    def load_state_arrays(self, arrays: Mapping[str, np.ndarray], prefix: str) -> None:
        size, nxt = (int(x) for x in arrays[f"{prefix}.counters"])
        if not 0 <= size <= self.capacity or not 0 <= nxt < self.capacity:
            raise ValueError(f"buffer counters size={size}, next={nxt} do not fit capacity {self.capacity}")
        for k, v in self.data.items():
            v[:size] = arrays[f"{prefix}.{k}"]
            v[size:] = 0
        self.size, self.next = size, nxt


class EpisodeDataset:
    """A fixed offline dataset of episodes (validated on construction)."""

    def __init__(self, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]):
        missing = [k for k in FIELDS if k not in arrays]
        if missing:
            raise ValueError(f"dataset is missing fields {missing}")
        for key in ("agents", "obs_dim", "n_actions", "state_dim", "episode_limit"):
            if key not in meta:
                raise ValueError(f"dataset meta is missing {key!r}")
        n_eps = arrays["obs"].shape[0]
        if n_eps == 0:
            raise ValueError("dataset is empty (0 episodes)")
        n = len(meta["agents"])
        want = episode_shapes(n, meta["obs_dim"], meta["n_actions"], meta["state_dim"], meta["episode_limit"])
        for k, (shape, dtype) in want.items():
            a = arrays[k]
            if a.shape != (n_eps, *shape):
                raise ValueError(f"dataset field {k!r} has shape {a.shape}, expected {(n_eps, *shape)}")
            if a.dtype != np.dtype(dtype):
                raise ValueError(f"dataset field {k!r} has dtype {a.dtype}, expected {np.dtype(dtype)}")
        if not arrays["filled"][:, 0].all():
            raise ValueError("dataset has an episode with no filled step")
        taken = np.take_along_axis(arrays["avail"][:, :-1], arrays["actions"][..., None], axis=-1)[..., 0]
        if not taken[arrays["filled"] > 0].all():
            raise ValueError("dataset has actions that were unavailable at their step")
        self.arrays = {k: np.ascontiguousarray(arrays[k]) for k in FIELDS}
        self.meta = dict(meta)

    def __len__(self) -> int:
        return int(self.arrays["obs"].shape[0])

    @property
    def transitions(self) -> int:
        return int(self.arrays["filled"].sum())

    def sample(self, k: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        idx = rng.choice(len(self), size=k, replace=len(self) < k)
        return {key: v[idx] for key, v in self.arrays.items()}

    def check_matches(
        self, agents: list[str], obs_dim: int, n_actions: int, state_dim: int, limit: int
    ) -> None:
        """Refuse a dataset recorded on an env with other agents or spaces."""
        got = (
            list(self.meta["agents"]),
            self.meta["obs_dim"],
            self.meta["n_actions"],
            self.meta["state_dim"],
            self.meta["episode_limit"],
        )
        want = (list(agents), obs_dim, n_actions, state_dim, limit)
        names = ("agents", "obs_dim", "n_actions", "state_dim", "episode_limit")
        bad = [f"{n}: dataset {g!r} vs env {w!r}" for n, g, w in zip(names, got, want) if g != w]
        if bad:
            raise ValueError("dataset does not match the environment (" + "; ".join(bad) + ")")


def save_dataset(path: str | os.PathLike[str], ds: EpisodeDataset, *, overwrite: bool = False) -> Path:
    path = Path(path)
    if path.exists() and not overwrite:
        raise ValueError(f"{path} exists; pass overwrite=True to replace it")
    from safetensors.numpy import save_file

    with atomic_dir(path) as tmp:
        save_file(ds.arrays, tmp / "episodes.safetensors")
        (tmp / "meta.json").write_text(json.dumps({"format": DATASET_FORMAT, **ds.meta}, indent=1))
    return path


def load_dataset(path: str | os.PathLike[str]) -> EpisodeDataset:
    path = Path(path)
    if not (path / "meta.json").is_file() or not (path / "episodes.safetensors").is_file():
        raise ValueError(f"no dataset at {path} (needs meta.json and episodes.safetensors)")
    from safetensors.numpy import load_file

    meta = json.loads((path / "meta.json").read_text())
    if meta.get("format", 0) > DATASET_FORMAT:
        raise ValueError(f"dataset format {meta['format']} is newer than {DATASET_FORMAT}")
    return EpisodeDataset(load_file(path / "episodes.safetensors"), meta)
