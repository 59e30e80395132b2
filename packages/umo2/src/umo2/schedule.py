"""The adversary: block-wise mode permutations, utility weights, packet noise (batched over seeds).

Capacities: slots are cut into blocks of growing length B_j = block_base * 2^(j/2) (slowly growing blocks,
so the per-block optimum is a "mildly varying" reference). In each block and for each link, a random
permutation assigns the link's capacity levels to its modes (with levels (0.2, 1.0), one mode is good).
The realised capacity of every mode is level x Bernoulli(packet_success), drawn for all modes (common random
numbers: every algorithm faces the same table), though an algorithm only sees the mode it played.

Utility: f_t(lambda) = w_t sum_k ln(1 + lambda_k), w_t drawn from ``weights`` per block of its own schedule.

Each row draws from its own paperkit streams (``schedule``, ``capacity``, ``player``) of its seed in chunks
of fixed size, so a row's numbers do not depend on the other rows of a batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from paperkit import numpy_rng, numpy_rng_state, restore_numpy_rng

from umo2.network import Topology

CHUNK = 512


def block_starts(horizon: int, base: float) -> np.ndarray:
    """First slot (1-based) of each block, lengths round(base * 2^(j/2)), covering 1..horizon."""
    starts, t, j = [], 1, 0
    while t <= horizon:
        starts.append(t)
        t += max(1, round(base * 2 ** (j / 2)))
        j += 1
    return np.array(starts, dtype=np.int64)


class Schedule:
    """Capacities and utilities for ``len(seeds)`` rows over ``horizon`` slots."""

    def __init__(
        self,
        topo: Topology,
        horizon: int,
        seeds: Sequence[int],
        *,
        block_base: float = 50.0,
        utility_block_base: float = 70.0,
        weights: tuple[float, ...] = (0.5, 1.5),
        packet_success: float = 0.9,
    ):
        if horizon < 1:
            raise ValueError(f"horizon must be >= 1, got {horizon}")
        if not 0 < packet_success <= 1:
            raise ValueError(f"packet_success must be in (0, 1], got {packet_success}")
        self.topo, self.horizon, self.n_rows = topo, int(horizon), len(seeds)
        self.packet_success = packet_success
        L, M = topo.n_links, topo.n_modes
        self.cap_starts = block_starts(horizon, block_base)
        self.util_starts = block_starts(horizon, utility_block_base)
        slots = np.arange(horizon + 1)  # block index of every slot, looked up once per slot
        self._cap_block_of = np.maximum(np.searchsorted(self.cap_starts, slots, side="right") - 1, 0)
        self._util_block_of = np.maximum(np.searchsorted(self.util_starts, slots, side="right") - 1, 0)
        perms, ws = [], []
        for s in seeds:
            rng = numpy_rng(s, "schedule")
            perms.append(np.argsort(rng.random((len(self.cap_starts), L, M)), axis=2))
            ws.append(rng.choice(np.asarray(weights, dtype=float), size=len(self.util_starts)))
        # level_of[b, j, l, m] = capacity level of mode m of link l in block j
        perm = np.stack(perms)
        self.level_of = np.take_along_axis(np.broadcast_to(topo.levels[None, None], perm.shape), perm, axis=3)
        self.weight_of = np.stack(ws)  # [B, J_util]
        self._cap_rngs = [numpy_rng(s, "capacity") for s in seeds]
        self._player_rngs = [numpy_rng(s, "player") for s in seeds]
        self._next_chunk = 1
        self._chunk_start = 1
        self._success = np.empty((self.n_rows, 0, L, M))
        self._u = np.empty((self.n_rows, 0, L + topo.n_commodities))

    def state_arrays(self) -> dict[str, np.ndarray]:
        """The current chunk of random numbers and where it starts (the rest is rebuilt from the seeds)."""
        return {
            "success": self._success,
            "u": self._u,
            "chunk_start": np.array(self._chunk_start),
            "next_chunk": np.array(self._next_chunk),
        }

    def rng_states(self) -> dict[str, list[dict]]:
        return {
            "capacity": [numpy_rng_state(r) for r in self._cap_rngs],
            "player": [numpy_rng_state(r) for r in self._player_rngs],
        }

    def load_state(self, arrays: dict[str, np.ndarray], rng_states: dict[str, list[dict]]) -> None:
        if len(rng_states["capacity"]) != self.n_rows:
            raise ValueError(
                f"checkpoint has {len(rng_states['capacity'])} rows, this schedule {self.n_rows}"
            )
        self._success, self._u = arrays["success"].copy(), arrays["u"].copy()
        self._chunk_start, self._next_chunk = (
            int(arrays["chunk_start"].item()),
            int(arrays["next_chunk"].item()),
        )
        for rng, st in zip(self._cap_rngs, rng_states["capacity"], strict=True):
            restore_numpy_rng(rng, st)
        for rng, st in zip(self._player_rngs, rng_states["player"], strict=True):
            restore_numpy_rng(rng, st)

    def cap_block(self, t: int) -> int:
        return int(self._cap_block_of[t])

    def util_block(self, t: int) -> int:
        return int(self._util_block_of[t])

    def expected_capacities(self, t: int) -> np.ndarray:
        """E[c_t(l, m)] [B, L, M]."""
        return self.level_of[:, self.cap_block(t)] * self.packet_success

    def weight(self, t: int) -> np.ndarray:
        """w_t [B]."""
        return self.weight_of[:, self.util_block(t)]

    def _ensure(self, t: int) -> int:
        i = t - self._chunk_start
        if 0 <= i < self._u.shape[1]:
            return i
        if t != self._next_chunk:
            raise ValueError(
                f"slots must be visited in order from 1; asked for {t}, next is {self._next_chunk}"
            )
        L, M, C = self.topo.n_links, self.topo.n_modes, self.topo.n_commodities
        self._success = np.stack([rng.random((CHUNK, L, M)) < self.packet_success for rng in self._cap_rngs])
        # per slot: L uniforms for the links' mode draws, then C normals for the admission perturbation
        self._u = np.stack(
            [
                np.concatenate([1.0 - rng.random((CHUNK, L)), rng.standard_normal((CHUNK, C))], axis=1)
                for rng in self._player_rngs
            ]
        )
        self._chunk_start, self._next_chunk = t, t + CHUNK
        return 0

    def capacities(self, t: int) -> np.ndarray:
        """Realised c_t(l, m) [B, L, M] for every mode (an algorithm may only look at the one it played)."""
        i = self._ensure(t)
        return self.level_of[:, self.cap_block(t)] * self._success[:, i]

    def player_uniforms(self, t: int) -> np.ndarray:
        """[B, L] uniforms in (0, 1] for sampling modes (shared by every algorithm)."""
        i = self._ensure(t)
        return self._u[:, i, : self.topo.n_links]

    def player_normals(self, t: int) -> np.ndarray:
        """[B, C] standard normals for the admission's random direction (shared by every algorithm)."""
        i = self._ensure(t)
        return self._u[:, i, self.topo.n_links :]


def utility(weight: np.ndarray, admit: np.ndarray) -> np.ndarray:
    """f_t(lambda) = w_t sum_k ln(1 + lambda_k), per row."""
    return weight * np.log1p(admit).sum(axis=1)
