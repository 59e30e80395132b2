"""Heavy-tailed bandit environments, batched over rows, with common random numbers.

A row is one independent game (a seed, an instance, or both). Its losses are l_{t,i} = mu_{t,i} + s Z_{t,i}
with Z heavy-tailed noise drawn from the row's own numpy Generator, in fixed chunks of rounds, so a row's
loss table depends only on its seed and instance: the same whichever policy plays it and whichever other
rows share the batch. The player's uniforms come from a second per-row stream (common random numbers for
the action draws too).

Noise kinds (tail index p):
- ``pareto``: symmetric Pareto, Z = +-U^(-1/p), U ~ U(0, 1]; E|Z|^a = p / (p - a) for a < p.
- ``student_t``: Student-t with p degrees of freedom.
- ``gaussian``: standard normal (light tails; p is ignored).
- ``two_point``: the heavy-tailed lower-bound construction (Bubeck, Cesa-Bianchi, Lugosi 2013): arm i's loss
  is ``scale`` with probability base_i / scale and 0 otherwise (Z = 1{U < base_i / scale} - base_i / scale,
  so mu + s Z is the two-point loss). Asymmetric and non-negative; p is the design alpha of the family.

Assumption 1 of the paper (E[l 1{|l| > M}] >= 0 for the best arm) holds for every symmetric noise once the
best arm's mean is >= 0: split {|l| > M} into z > (M - mu)/s and z < -(M + mu)/s; by symmetry the two
tails' contributions cancel except on an interval of positive z.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from paperkit import numpy_rng

CHUNK = 256  # rounds of noise drawn at once per row (fixed: it is part of a row's random stream)
NOISE_KINDS = ("pareto", "student_t", "gaussian", "two_point")


def draw_noise(
    rng: np.random.Generator, kind: str, tail: float, shape: tuple[int, ...], probs: np.ndarray | None = None
) -> np.ndarray:
    """Standard (unit-scale) noise of ``kind`` with tail index ``tail`` (``two_point``: per-arm ``probs``
    of the big loss along the last axis)."""
    if kind == "pareto":
        magnitude = np.exp(rng.standard_exponential(shape) * (1.0 / tail))  # U^(-1/p) = exp(E/p), E ~ Exp(1)
        return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)
    if kind == "student_t":
        return rng.standard_t(tail, shape)
    if kind == "gaussian":
        return rng.standard_normal(shape)
    if kind == "two_point":
        if probs is None:
            raise ValueError("two_point noise needs the per-arm probabilities `probs`")
        return (rng.random(shape) < probs).astype(float) - probs
    raise ValueError(f"noise kind must be one of {NOISE_KINDS}, got {kind!r}")


def noise_moment(kind: str, tail: float, a: float) -> float:
    """E|Z|^a of the standard noise (inf when the moment does not exist)."""
    if kind == "pareto":
        return tail / (tail - a) if a < tail else math.inf
    if kind == "student_t":
        if a >= tail:
            return math.inf
        g = math.lgamma((a + 1) / 2) + math.lgamma((tail - a) / 2) - math.lgamma(tail / 2)
        return tail ** (a / 2) * math.exp(g) / math.sqrt(math.pi)
    if kind == "gaussian":
        return 2 ** (a / 2) * math.exp(math.lgamma((a + 1) / 2)) / math.sqrt(math.pi)
    if kind == "two_point":
        raise ValueError("two_point noise has per-arm moments: use Instance.sigma")
    raise ValueError(f"noise kind must be one of {NOISE_KINDS}, got {kind!r}")


@dataclasses.dataclass(frozen=True)
class Instance:
    """One row's loss model: piecewise-constant means plus a common offset, plus scaled noise.

    mu_t = (base if t <= switch else late) + offset_amp * (1 + sin(2 pi t / offset_period + phase)) / 2,
    the offset being the same for every arm (a stochastically constrained adversary).
    """

    base: tuple[float, ...]
    horizon: int
    noise: str = "pareto"
    tail: float = 1.6
    scale: float = 0.5
    late: tuple[float, ...] | None = None
    switch: int = 0
    offset_amp: float = 0.0
    offset_period: float = 1000.0
    label: str = ""

    def __post_init__(self) -> None:
        if len(self.base) < 2:
            raise ValueError(f"an instance needs K >= 2 arms, got base means {self.base}")
        if not all(math.isfinite(m) for m in self.base):
            raise ValueError(f"base means must be finite, got {self.base}")
        if self.late is not None and len(self.late) != len(self.base):
            raise ValueError(f"late means need {len(self.base)} arms, got {self.late}")
        if self.horizon < 2:
            raise ValueError(f"horizon must be >= 2, got {self.horizon}")
        if self.noise not in NOISE_KINDS:
            raise ValueError(f"noise must be one of {NOISE_KINDS}, got {self.noise!r}")
        if not (self.tail > 1.0 and math.isfinite(self.tail)):
            raise ValueError(f"tail must be a finite number > 1, got {self.tail}")
        if not self.scale >= 0:
            raise ValueError(f"scale must be >= 0, got {self.scale}")
        if self.noise == "two_point":
            if self.late is not None or self.offset_amp != 0 or self.scale <= 0:
                raise ValueError(
                    "two_point instances are stationary (no late means, no offset) with scale > 0"
                )
            if not all(0.0 <= m <= self.scale for m in self.base):
                raise ValueError(f"two_point means must lie in [0, scale={self.scale}], got {self.base}")

    @property
    def n_arms(self) -> int:
        return len(self.base)

    def total_means(self) -> np.ndarray:
        """sum_{t <= T} mu_{t,i} without the common offset (which cannot change the best arm)."""
        base = np.asarray(self.base)
        if self.late is None or self.switch >= self.horizon:
            return base * self.horizon
        return base * self.switch + np.asarray(self.late) * (self.horizon - self.switch)

    def best_arm(self) -> int:
        return int(np.argmin(self.total_means()))

    def sigma(self, alpha: float) -> float:
        """An upper bound on (E|l_{t,i}|^alpha)^(1/alpha) over arms and rounds (Minkowski; two_point: exact)."""
        if self.noise == "two_point":  # E l^alpha = scale^alpha * base_i / scale
            return float(self.scale * (max(self.base) / self.scale) ** (1 / alpha))
        means = np.abs(np.concatenate([self.base, self.late or ()]))
        return float(
            means.max()
            + self.offset_amp
            + self.scale * noise_moment(self.noise, self.tail, alpha) ** (1 / alpha)
        )


class BanditEnvironment:
    """``n_rows`` independent games; row r plays ``instances[r]`` with streams seeded by ``seeds[r]``.

    ``losses(t)`` and ``uniforms(t)`` must be called for t = 1, 2, ... in order (state advances by chunks).
    """

    def __init__(self, instances: Sequence[Instance], seeds: Sequence[int]):
        if len(instances) != len(seeds) or not instances:
            raise ValueError(
                f"need one seed per instance, got {len(instances)} instances and {len(seeds)} seeds"
            )
        k = {inst.n_arms for inst in instances}
        if len(k) != 1:
            raise ValueError(f"all rows must have the same number of arms, got {sorted(k)}")
        self.instances = list(instances)
        self.n_rows, self.n_arms = len(instances), k.pop()
        self.rows = np.arange(self.n_rows)
        self.horizon = np.array([inst.horizon for inst in instances])
        self.best_arm = np.array([inst.best_arm() for inst in instances])
        self.base = np.asfortranarray([inst.base for inst in instances], dtype=float)
        self.late = np.asfortranarray([inst.late or inst.base for inst in instances], dtype=float)
        self.switch = np.array([inst.switch if inst.late is not None else 2**62 for inst in instances])
        self.offset_amp = np.array([inst.offset_amp for inst in instances])
        self.offset_period = np.array([inst.offset_period for inst in instances])
        self.scale = np.array([inst.scale for inst in instances])
        self._all_pareto = all(inst.noise == "pareto" for inst in instances)
        self._inv_tail = np.array([1.0 / inst.tail for inst in instances])
        self.time_varying = bool((self.switch < self.horizon).any() or (self.offset_amp > 0).any())
        # one loss stream, one player stream and one offset phase per row: names key the paperkit Seeder
        self._env_rngs = [
            numpy_rng(s, f"env/{inst.label or i}") for i, (inst, s) in enumerate(zip(instances, seeds))
        ]
        self._player_rngs = [
            numpy_rng(s, f"player/{inst.label or i}") for i, (inst, s) in enumerate(zip(instances, seeds))
        ]
        self.phase = np.array(
            [
                numpy_rng(s, f"phase/{inst.label or i}").uniform(0, 2 * np.pi)
                for i, (inst, s) in enumerate(zip(instances, seeds))
            ]
        )
        self._chunk_start = 0  # round (1-based) of the first row of the current chunk
        self._next_chunk = 1  # round where the next chunk must start
        self._noise = np.empty((self.n_rows, 0, self.n_arms))
        self._u = np.empty((self.n_rows, 0))

    def means(self, t: int) -> np.ndarray:
        """mu_t [B, K]."""
        if not self.time_varying:
            return self.base
        mu = np.where((t > self.switch)[:, None], self.late, self.base)
        offset = self.offset_amp * 0.5 * (1.0 + np.sin(2 * np.pi * t / self.offset_period + self.phase))
        return mu + offset[:, None]

    def _ensure(self, t: int) -> int:
        i = t - self._chunk_start
        if 0 <= i < self._u.shape[1]:
            return i
        if t != self._next_chunk:
            raise ValueError(
                f"rounds must be visited in order from 1; asked for round {t}, next is {self._next_chunk}"
            )
        self._chunk_start, self._next_chunk = t, t + CHUNK
        self._draw_chunk()
        return 0

    def _draw_chunk(self) -> None:
        """Fill the [B, CHUNK, K] noise buffer (each row from its own stream) and the [B, CHUNK] uniforms.

        Pareto rows only fill raw exponentials and uniforms per row; the transcendental work then runs once
        over the whole buffer (same numbers as :func:`draw_noise`, several times faster for many rows).
        """
        if self._noise.shape[1] != CHUNK:  # allocate once: fresh 20 MB buffers per chunk cost page faults
            self._noise = np.empty((self.n_rows, CHUNK, self.n_arms))
            self._signs = np.empty((self.n_rows, CHUNK, self.n_arms))
            self._u = np.empty((self.n_rows, CHUNK))
        if self._all_pareto:
            for r, rng in enumerate(self._env_rngs):
                rng.standard_exponential(out=self._noise[r])
                rng.random(out=self._signs[r])
            self._noise *= self._inv_tail[:, None, None]
            np.exp(self._noise, out=self._noise)  # |Z| = U^(-1/p) = exp(E/p)
            np.negative(self._noise, out=self._noise, where=self._signs < 0.5)
        else:
            for r, (rng, inst) in enumerate(zip(self._env_rngs, self.instances)):
                probs = np.asarray(inst.base) / inst.scale if inst.noise == "two_point" else None
                self._noise[r] = draw_noise(rng, inst.noise, inst.tail, (CHUNK, self.n_arms), probs)
        self._noise *= self.scale[:, None, None]
        for r, rng in enumerate(self._player_rngs):
            rng.random(out=self._u[r])
        np.subtract(1.0, self._u, out=self._u)  # (0, 1]

    def noise(self, t: int) -> np.ndarray:
        """The scaled noise s Z_t [B, K] of round t."""
        i = self._ensure(t)  # may draw a new chunk: index after
        return self._noise[:, i]

    def played_noise(self, t: int, arms: np.ndarray) -> np.ndarray:
        """s Z_{t, arm} of each row's played arm [B] (cheaper than the full [B, K] table)."""
        i = self._ensure(t)
        return self._noise[self.rows, i, arms]

    def losses(self, t: int) -> np.ndarray:
        """The full loss vectors l_t = mu_t + s Z_t [B, K] (a policy may only see its played arm's entry)."""
        return self.means(t) + self.noise(t)

    def uniforms(self, t: int) -> np.ndarray:
        """The player's uniforms u_t [B] in (0, 1] for sampling arms (shared by every policy)."""
        i = self._ensure(t)
        return self._u[:, i]

    # --- checkpoints (at chunk boundaries: the next chunk is drawn from the saved generator states) --------
    def state(self) -> dict[str, Any]:
        return {
            "env": [rng.bit_generator.state for rng in self._env_rngs],
            "player": [rng.bit_generator.state for rng in self._player_rngs],
            "next_chunk": self._next_chunk,
        }

    def load_state(self, state: dict[str, Any]) -> None:
        if len(state["env"]) != self.n_rows:
            raise ValueError(f"environment state has {len(state['env'])} rows, expected {self.n_rows}")
        for rng, st in zip(self._env_rngs, state["env"]):
            rng.bit_generator.state = st
        for rng, st in zip(self._player_rngs, state["player"]):
            rng.bit_generator.state = st
        self._chunk_start, self._next_chunk = 0, int(state["next_chunk"])
        self._noise = np.empty((self.n_rows, 0, self.n_arms))
        self._u = np.empty((self.n_rows, 0))
