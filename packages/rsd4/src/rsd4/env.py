"""The multi-user delay-constrained scheduling simulator (Hu et al., MobiHoc 2022), vectorised in numpy.

``SchedulerCore`` steps a batch of E independent copies of an N-user system at once; ``SchedulingEnv`` is the
Gymnasium wrapper around one copy. Per user n and slot:

1. transmit: every packet in lifetime entry j is attempted with energy e_{n,j} = (a_{n,j}+1)/2 and succeeds
   with probability tanh(e / (d_n³ · q_n)), q_n = c_n + 1 (larger channel index = worse channel);
   energy is paid per attempted packet, delivered or not;
2. shift: every packet loses one slot of life; packets that were in entry 0 (their last chance) are dropped;
3. admit: new arrivals enter entry τ_n (τ_n + 1 chances in all);
4. the channel moves one step of its Markov chain (or follows the trace).

Reward = Σ_n β_n·delivered_n − λ·Σ_n energy_n (λ: the Lagrange multiplier of the energy budget).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces


@dataclasses.dataclass(frozen=True)
class Traces:
    """Arrival and channel traces: ``arrivals`` (T, N) ints >= 0, ``channels`` (T, N) ints in [0, C)."""

    arrivals: np.ndarray
    channels: np.ndarray

    def __post_init__(self) -> None:
        a, c = np.asarray(self.arrivals), np.asarray(self.channels)
        if a.ndim != 2 or c.ndim != 2 or a.shape != c.shape:
            raise ValueError(
                f"traces must be two (T, N) arrays of one shape, got arrivals {a.shape}, channels {c.shape}"
            )
        if a.shape[0] < 2:
            raise ValueError(f"traces need at least 2 time steps, got {a.shape[0]}")
        if not (np.issubdtype(a.dtype, np.integer) and np.issubdtype(c.dtype, np.integer)):
            raise ValueError(f"traces must hold integers, got {a.dtype} and {c.dtype}")
        if (a < 0).any() or (c < 0).any():
            raise ValueError("traces must be non-negative (arrival counts, channel indices)")

    def split(self, train_fraction: float = 0.8) -> tuple[Traces, Traces]:
        """The paper's time split: the first 80% for training, the rest for evaluation."""
        cut = max(1, min(len(self.arrivals) - 1, int(train_fraction * len(self.arrivals))))
        return Traces(self.arrivals[:cut], self.channels[:cut]), Traces(
            self.arrivals[cut:], self.channels[cut:]
        )


def load_traces(path: str | Path) -> Traces:
    """Read traces from ``.npz`` (arrays ``arrivals`` and ``channels``, shape (T, N)) or ``.csv`` (header
    ``arrival_0..arrival_{N-1},channel_0..channel_{N-1}``, one row per slot)."""
    path = Path(path)
    if path.suffix == ".npz":
        with np.load(path) as z:
            if "arrivals" not in z or "channels" not in z:
                raise ValueError(
                    f"{path}: an npz trace needs arrays 'arrivals' and 'channels', has {list(z)}"
                )
            return Traces(z["arrivals"].astype(np.int64), z["channels"].astype(np.int64))
    if path.suffix == ".csv":
        header = path.read_text().splitlines()[0].split(",")
        data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
        a_cols = [i for i, h in enumerate(header) if h.strip().startswith("arrival_")]
        c_cols = [i for i, h in enumerate(header) if h.strip().startswith("channel_")]
        if not a_cols or len(a_cols) != len(c_cols):
            raise ValueError(
                f"{path}: the csv header needs arrival_i and channel_i columns in equal numbers, got {header}"
            )
        return Traces(data[:, a_cols], data[:, c_cols])
    raise ValueError(f"{path}: traces must be .npz or .csv")


@dataclasses.dataclass(frozen=True)
class SystemParams:
    """Per-user constants of one system (drawn once from the environment seed)."""

    deadlines: np.ndarray  # τ_n in 1..τ_max
    weights: np.ndarray  # β_n
    distances: np.ndarray  # d_n
    rates: np.ndarray  # Poisson λ_n or Bernoulli p_n
    channel_matrix: np.ndarray  # (N, C, C) row-stochastic

    @property
    def n_users(self) -> int:
        return len(self.deadlines)


def draw_system(
    rng: np.random.Generator,
    n_users: int,
    tau_max: int,
    n_channels: int,
    arrival: str = "poisson",
    homogeneous: bool = False,
    rate: float | None = None,
    stickiness: float = 0.0,
) -> SystemParams:
    """User parameters as in the released code: τ_n ~ U{1..τ_max}, β_n ~ U{1..5}, d_n ~ U(1, 2), λ_n ~ U{2..5}.

    ``stickiness`` ρ mixes the random channel matrix with the identity, ρ·I + (1−ρ)·M  [S]: with the
    released code's M (ρ = 0) the next channel is nearly independent of the current one, so a memory of
    past slots can say little about a hidden channel."""
    if not isinstance(tau_max, int) or tau_max < 1:
        raise ValueError(f"tau_max must be an int >= 1, got {tau_max!r}")
    if not isinstance(n_users, int) or n_users < 1:
        raise ValueError(f"n_users must be an int >= 1, got {n_users!r}")
    if not isinstance(n_channels, int) or n_channels < 1:
        raise ValueError(f"n_channels must be an int >= 1, got {n_channels!r}")
    if rate is not None and not (math.isfinite(rate) and rate >= 0):
        raise ValueError(f"arrival rate must be >= 0, got {rate!r}")
    deadlines = rng.integers(1, tau_max + 1, n_users)
    weights = np.ones(n_users) if homogeneous else rng.integers(1, 6, n_users).astype(float)
    distances = np.ones(n_users) if homogeneous else rng.uniform(1.0, 2.0, n_users)
    if arrival == "poisson":
        rates = rng.integers(2, 6, n_users).astype(float) if rate is None else np.full(n_users, float(rate))
    elif arrival == "bernoulli":
        rates = rng.uniform(0.0, 1.0, n_users) if rate is None else np.full(n_users, float(rate))
        if (rates > 1).any():
            raise ValueError(f"Bernoulli arrival probability must be in [0, 1], got {rate!r}")
    elif arrival == "trace":
        rates = np.zeros(n_users)
    else:
        raise ValueError(f"arrival must be poisson | bernoulli | trace, got {arrival!r}")
    if not (math.isfinite(stickiness) and 0.0 <= stickiness <= 1.0):
        raise ValueError(f"stickiness must be in [0, 1], got {stickiness!r}")
    m = rng.uniform(0.0, 1.0, (n_users, n_channels, n_channels))
    m = stickiness * np.eye(n_channels) + (1.0 - stickiness) * m / m.sum(-1, keepdims=True)
    return SystemParams(deadlines, weights, distances, rates, m)


def success_probability(energy: np.ndarray, distance: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """p = tanh(e / (d³ · (c + 1))): the released code's 2/(1+exp(-2x)) - 1."""
    return np.tanh(energy / (distance**3 * (channel + 1.0)))


def transmit_shift_admit(
    queues: np.ndarray, delivered: np.ndarray, arrivals: np.ndarray, deadlines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The queue update after transmission: (next queues, dropped per user). ``queues``: (..., N, τ_max+1)."""
    left = queues - delivered
    dropped = left[..., 0].copy()
    nxt = np.zeros_like(left)
    nxt[..., :-1] = left[..., 1:]
    np.put_along_axis(
        nxt, deadlines[..., None], np.take_along_axis(nxt, deadlines[..., None], -1) + arrivals[..., None], -1
    )
    return nxt, dropped


class SchedulerCore:
    """E independent copies of one N-user system, stepped together (all arrays carry a leading E axis)."""

    def __init__(
        self,
        params: SystemParams,
        tau_max: int,
        n_channels: int,
        arrival: str = "poisson",
        traces: Traces | None = None,
        user_feature: str = "index",
    ):
        if user_feature not in ("index", "params"):
            raise ValueError(f"user_feature must be 'index' or 'params', got {user_feature!r}")
        self.user_feature = user_feature
        if arrival == "trace":
            if traces is None:
                raise ValueError("arrival='trace' needs traces")
            if traces.arrivals.shape[1] != params.n_users:
                raise ValueError(
                    f"traces have {traces.arrivals.shape[1]} users, the system has {params.n_users}"
                )
            if traces.channels.max() >= n_channels:
                raise ValueError(f"trace channel index {traces.channels.max()} >= n_channels={n_channels}")
        if (params.deadlines > tau_max).any() or (params.deadlines < 1).any():
            raise ValueError(f"deadlines must lie in 1..tau_max={tau_max}, got {params.deadlines}")
        self.p, self.tau_max, self.n_channels, self.arrival, self.traces = (
            params,
            tau_max,
            n_channels,
            arrival,
            traces,
        )
        n = params.n_users
        self.slot_mask = np.arange(tau_max + 1)[None, :] <= params.deadlines[:, None]  # (N, τ_max+1)
        self._cum_channel = np.cumsum(params.channel_matrix, -1)
        self.queues = np.zeros((0, n, tau_max + 1), dtype=np.int64)
        self.channels = np.zeros((0, n), dtype=np.int64)
        self.t = np.zeros(0, dtype=np.int64)
        self.offset = np.zeros(0, dtype=np.int64)

    @property
    def n_users(self) -> int:
        return self.p.n_users

    # the interface the rollouts and the learner use (shared with the multi-hop core)
    n_nodes = 1  # constrained nodes (one energy budget)

    @property
    def n_rows(self) -> int:
        """Agent rows per system copy: one per user (user-level decomposition)."""
        return self.p.n_users

    @property
    def act_dim(self) -> int:
        return self.tau_max + 1

    @property
    def row_weights(self) -> np.ndarray:
        """β of each row's deliveries, in the learning reward and in the throughput metric."""
        return self.p.weights

    throughput_weights = row_weights

    def _arrivals(self, rng: np.random.Generator) -> np.ndarray:
        e = len(self.queues)
        if self.arrival == "poisson":
            return rng.poisson(self.p.rates, (e, self.n_users))
        if self.arrival == "bernoulli":
            return (rng.random((e, self.n_users)) < self.p.rates).astype(np.int64)
        idx = (self.offset + self.t) % len(self.traces.arrivals)
        return self.traces.arrivals[idx]

    def _next_channels(self, rng: np.random.Generator) -> np.ndarray:
        if self.arrival == "trace":
            return self.traces.channels[(self.offset + self.t) % len(self.traces.channels)]
        cum = self._cum_channel[np.arange(self.n_users)[None, :], self.channels]  # (E, N, C)
        u = rng.random((*self.channels.shape, 1))
        return np.minimum((u > cum).sum(-1), self.n_channels - 1)

    def reset(self, n_copies: int, rng: np.random.Generator) -> None:
        self.queues = np.zeros((n_copies, self.n_users, self.tau_max + 1), dtype=np.int64)
        self.t = np.zeros(n_copies, dtype=np.int64)
        if self.arrival == "trace":
            self.offset = rng.integers(0, len(self.traces.arrivals), n_copies)
            self.channels = self.traces.channels[self.offset % len(self.traces.channels)]
        else:
            self.channels = rng.integers(0, self.n_channels, (n_copies, self.n_users))
        arrivals = self._arrivals(rng)
        self.queues[:, np.arange(self.n_users), self.p.deadlines] = arrivals

    def step(self, energy: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Apply energies (E, N, τ_max+1) in [0, 1]; returns per-user delivered, energy, dropped, arrivals."""
        energy = np.where(self.slot_mask, np.clip(energy, 0.0, 1.0), 0.0)
        p = success_probability(energy, self.p.distances[None, :, None], self.channels[..., None])
        delivered = rng.binomial(self.queues, p)
        spent = (energy * self.queues).sum(-1)
        self.t = self.t + 1
        arrivals = self._arrivals(rng)
        self.queues, dropped = transmit_shift_admit(
            self.queues, delivered, arrivals, self.p.deadlines[None, :]
        )
        self.channels = self._next_channels(rng)
        return {
            "delivered": delivered.sum(-1),
            "energy": spent,
            "energy_node": spent[..., None],
            "dropped": dropped,
            "arrivals": arrivals,
        }

    def initial_row_arrivals(self) -> np.ndarray:
        """Packets present at reset, per row (for the drop rate)."""
        return self.queues.sum(-1)

    def user_observations(self, observe_channel: bool) -> np.ndarray:
        """(E, N, obs_dim) per-user rows [n, B_n zero-padded to τ_max+1, c_n (full observation only)];
        with ``user_feature='params'`` the index n is replaced by (β_n, d_n)."""
        e = len(self.queues)
        feat = user_features(self.user_feature, self.p.weights, self.p.distances)
        parts = [np.broadcast_to(feat[None], (e, *feat.shape)), self.queues.astype(np.float64)]
        if observe_channel:
            parts.append(self.channels[..., None].astype(np.float64))
        return np.concatenate(parts, -1)


def user_features(kind: str, weights: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """(N, F) row features: the user index (released code) or the user's constants (β_n, d_n), which
    keep their meaning on a system with a different number of users (transfer, C4)."""
    if kind == "index":
        return np.arange(len(weights), dtype=np.float64)[:, None]
    return np.stack([weights, distances], -1).astype(np.float64)


def obs_dim(tau_max: int, observe_channel: bool, user_feature: str = "index") -> int:
    return (1 if user_feature == "index" else 2) + tau_max + 1 + int(observe_channel)


class SchedulingEnv(gym.Env):
    """Gymnasium environment: one N-user system.

    Observation: (N, obs_dim) float32, one row per user ``[n, B_n (τ_max+1), c_n]`` (``c_n`` omitted when
    ``observe_channel=False``: the POMDP). Action: (N, τ_max+1) in [-1, 1], energy (a+1)/2 per lifetime entry
    (entries past τ_n are ignored). ``info`` has per-user ``delivered``, ``energy``, ``dropped``, ``arrivals``,
    ``user_reward`` = β_n·delivered_n − λ·energy_n, and the slot's ``throughput`` (weighted) and total ``energy``.
    """

    metadata: ClassVar[dict] = {"render_modes": []}

    def __init__(
        self,
        n_users: int = 4,
        tau_max: int = 6,
        n_channels: int = 4,
        arrival: str = "poisson",
        observe_channel: bool = True,
        episode_len: int = 100,
        lam: float = 1.0,
        system_seed: int = 0,
        homogeneous: bool = False,
        rate: float | None = None,
        traces: Traces | None = None,
        params: SystemParams | None = None,
        channel_stickiness: float = 0.0,
        user_feature: str = "index",
    ):
        super().__init__()
        if not isinstance(episode_len, int) or episode_len < 1:
            raise ValueError(f"episode_len must be an int >= 1, got {episode_len!r}")
        if not (math.isfinite(lam) and lam >= 0):
            raise ValueError(f"lam must be >= 0, got {lam!r}")
        if params is None:
            params = draw_system(
                np.random.default_rng(system_seed),
                n_users,
                tau_max,
                n_channels,
                arrival,
                homogeneous,
                rate,
                channel_stickiness,
            )
        self.core = SchedulerCore(params, tau_max, n_channels, arrival, traces, user_feature)
        self.observe_channel, self.episode_len, self.lam = observe_channel, episode_len, float(lam)
        n = params.n_users
        high = np.float32(np.finfo(np.float32).max)
        self.observation_space = spaces.Box(
            0.0, high, (n, obs_dim(tau_max, observe_channel, user_feature)), np.float32
        )
        self.action_space = spaces.Box(-1.0, 1.0, (n, tau_max + 1), np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.core.reset(1, self.np_random)
        return self._obs(), {}

    def step(self, action):
        action = np.asarray(action, dtype=np.float64)
        if action.shape != self.action_space.shape:
            raise ValueError(f"action must have shape {self.action_space.shape}, got {action.shape}")
        out = self.core.step(((action + 1.0) / 2.0)[None], self.np_random)
        info = {k: v[0] for k, v in out.items()}
        info["user_reward"] = self.core.p.weights * info["delivered"] - self.lam * info["energy"]
        info["throughput"] = float((self.core.p.weights * info["delivered"]).sum())
        info["total_energy"] = float(info["energy"].sum())
        reward = float(info["user_reward"].sum())
        truncated = bool(self.core.t[0] >= self.episode_len)
        return self._obs(), reward, False, truncated, info

    def _obs(self) -> np.ndarray:
        return self.core.user_observations(self.observe_channel)[0].astype(np.float32)
