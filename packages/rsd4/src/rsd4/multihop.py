"""Multi-hop extension (ToN 2024 version): flows cross H nodes, and node-level merging of the per-user agent.

Reconstruction [S]. The journal abstract names "user-level decomposition and node-level merging" for
large multi-hop networks; the released code only keeps traces of it (``scheduler_csi_multihop_ve`` with
``hop_num``, one multiplier per hop ``lamb_lst`` and per-hop energies ``info['energy'][hop]``; the module
itself is missing). What follows is our reading, with the uncertain parts as options:

System. Every user (flow) n enters at node 0 and must cross the nodes 0..H−1 in order (a tandem path, one
hop per slot at most) before its end-to-end deadline. Node h keeps, per user, a delay-sensitive queue
B_{n,h} indexed by the remaining end-to-end lifetime. Each (user, node) link has its own distance d_{n,h}
and Markov channel c_{n,h}; a packet in entry j of B_{n,h} sent with energy e succeeds with probability
tanh(e/(d_{n,h}³ (c_{n,h}+1))). A success at node h < H−1 moves the packet to node h+1 (it can be sent
from there in the next slot, one slot of life later); a success at the last node is a delivery (β_n). A
packet whose life runs out anywhere is dropped. Node h has its own energy budget E_0^h and multiplier λ_h.

Node-level merging (``merge='path'``). The shared per-user agent of the single-hop method gets one row per
user in which the queues, channels and actions of that user's nodes are merged: o_n = [feature, B_{n,0..H−1},
c_{n,0..H−1}], a_n = energies for every (node, lifetime) entry, and the user's own reward
β_n·delivered_n − Σ_h λ_h·energy_{n,h}. The network size grows with the path length H, never with N, and
each user's end-to-end deliveries are credited to the one row that caused them.
``merge='none'`` is the ablation without merging: one row per (user, node) [feature, h, B_{n,h}, c_{n,h}],
each rewarded with its user's end-to-end deliveries minus its own node's energy price (a team reward,
since an intermediate node delivers nothing itself).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from rsd4.env import success_probability, user_features


@dataclasses.dataclass(frozen=True)
class MultiHopParams:
    """Constants of one multi-hop system: per user (N,) and per (user, node) link (N, H)."""

    deadlines: np.ndarray  # τ_n (end to end), in H−1..τ_max
    weights: np.ndarray  # β_n
    rates: np.ndarray  # Poisson λ_n at node 0
    distances: np.ndarray  # (N, H)
    channel_matrix: np.ndarray  # (N, H, C, C) row-stochastic

    @property
    def n_users(self) -> int:
        return len(self.deadlines)

    @property
    def n_hops(self) -> int:
        return self.distances.shape[1]


def draw_multihop_system(
    rng: np.random.Generator,
    n_users: int,
    n_hops: int,
    tau_max: int,
    n_channels: int,
    stickiness: float = 0.0,
) -> MultiHopParams:
    """As the single-hop draw, per link: τ_n ~ U{max(1, H−1)..τ_max} (a packet needs H slots to cross H
    nodes), β_n ~ U{1..5}, λ_n ~ U{2..5}, d_{n,h} ~ U(1, 2), random channel matrices per link."""
    for name, v, lo in (("n_users", n_users, 1), ("n_hops", n_hops, 1), ("n_channels", n_channels, 1)):
        if not isinstance(v, int) or v < lo:
            raise ValueError(f"{name} must be an int >= {lo}, got {v!r}")
    if not isinstance(tau_max, int) or tau_max < max(1, n_hops - 1):
        raise ValueError(
            f"tau_max must be an int >= max(1, n_hops - 1) = {max(1, n_hops - 1)}, got {tau_max!r}"
        )
    if not (math.isfinite(stickiness) and 0.0 <= stickiness <= 1.0):
        raise ValueError(f"stickiness must be in [0, 1], got {stickiness!r}")
    deadlines = rng.integers(max(1, n_hops - 1), tau_max + 1, n_users)
    weights = rng.integers(1, 6, n_users).astype(float)
    rates = rng.integers(2, 6, n_users).astype(float)
    distances = rng.uniform(1.0, 2.0, (n_users, n_hops))
    m = rng.uniform(0.0, 1.0, (n_users, n_hops, n_channels, n_channels))
    m = stickiness * np.eye(n_channels) + (1.0 - stickiness) * m / m.sum(-1, keepdims=True)
    return MultiHopParams(deadlines, weights, rates, distances, m)


def multihop_transition(
    queues: np.ndarray, success: np.ndarray, arrivals: np.ndarray, deadlines: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Queue update after transmission, all arrays (..., N, H, τ_max+1) except arrivals (..., N) and
    deadlines (N,). Returns (next queues, delivered (..., N), dropped (..., N)).

    Order per slot as in the single-hop system: transmit, then every packet loses one slot of life (those
    that had none left are dropped, including a success forwarded from entry 0 of a non-final node, which
    would reach the next node already expired), successes move one node on, arrivals enter node 0 at τ_n.
    """
    left = queues - success
    delivered = success[..., -1, :].sum(-1)
    dropped = left[..., 0].sum(-1) + success[..., :-1, 0].sum(-1)
    nxt = np.zeros_like(queues)
    nxt[..., :-1] = left[..., 1:]
    nxt[..., 1:, :-1] += success[..., :-1, 1:]  # forwarded: next node, one slot of life less
    n = np.arange(queues.shape[-3])
    nxt[..., n, 0, deadlines] += arrivals
    return nxt, delivered, dropped


class MultiHopCore:
    """E copies of an N-user, H-node system, stepped together; agent rows per ``merge`` (see module doc)."""

    def __init__(
        self,
        params: MultiHopParams,
        tau_max: int,
        n_channels: int,
        merge: str = "path",
        user_feature: str = "index",
    ):
        if merge not in ("path", "none"):
            raise ValueError(f"merge must be 'path' or 'none', got {merge!r}")
        if user_feature not in ("index", "params"):
            raise ValueError(f"user_feature must be 'index' or 'params', got {user_feature!r}")
        if (params.deadlines > tau_max).any() or (params.deadlines < 1).any():
            raise ValueError(f"deadlines must lie in 1..tau_max={tau_max}, got {params.deadlines}")
        self.p, self.tau_max, self.n_channels = params, tau_max, n_channels
        self.merge, self.user_feature = merge, user_feature
        self.arrival = "poisson"
        n, h = params.n_users, params.n_hops
        mask = np.arange(tau_max + 1)[None, :] <= params.deadlines[:, None]  # (N, τ_max+1)
        self.slot_mask = np.broadcast_to(mask[:, None, :], (n, h, tau_max + 1))
        self._cum_channel = np.cumsum(params.channel_matrix, -1)
        self.queues = np.zeros((0, n, h, tau_max + 1), dtype=np.int64)
        self.channels = np.zeros((0, n, h), dtype=np.int64)
        self.t = np.zeros(0, dtype=np.int64)

    @property
    def n_users(self) -> int:
        return self.p.n_users

    @property
    def n_nodes(self) -> int:
        return self.p.n_hops

    @property
    def n_rows(self) -> int:
        return self.n_users if self.merge == "path" else self.n_users * self.n_nodes

    @property
    def act_dim(self) -> int:
        return (self.tau_max + 1) * (self.n_nodes if self.merge == "path" else 1)

    @property
    def row_weights(self) -> np.ndarray:
        """β of each row's (end-to-end) deliveries in the learning reward."""
        return self.p.weights if self.merge == "path" else np.repeat(self.p.weights, self.n_nodes)

    @property
    def throughput_weights(self) -> np.ndarray:
        """β per row for the throughput metric: a user's deliveries are counted once (on its last node)."""
        if self.merge == "path":
            return self.p.weights
        w = np.zeros((self.n_users, self.n_nodes))
        w[:, -1] = self.p.weights
        return w.reshape(-1)

    def reset(self, n_copies: int, rng: np.random.Generator) -> None:
        n, h = self.n_users, self.n_nodes
        self.queues = np.zeros((n_copies, n, h, self.tau_max + 1), dtype=np.int64)
        self.t = np.zeros(n_copies, dtype=np.int64)
        self.channels = rng.integers(0, self.n_channels, (n_copies, n, h))
        self.queues[:, np.arange(n), 0, self.p.deadlines] = rng.poisson(self.p.rates, (n_copies, n))

    def step(self, energy: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Row energies (E, n_rows, act_dim) in [0, 1]; returns per-row delivered, energy, energy_node
        (E, n_rows, H), dropped and arrivals."""
        e_copies = len(self.queues)
        energy = energy.reshape(e_copies, self.n_users, self.n_nodes, self.tau_max + 1)
        energy = np.where(self.slot_mask, np.clip(energy, 0.0, 1.0), 0.0)
        p = success_probability(energy, self.p.distances[None, :, :, None], self.channels[..., None])
        success = rng.binomial(self.queues, p)
        spent = (energy * self.queues).sum(-1)  # (E, N, H)
        self.t = self.t + 1
        arrivals = rng.poisson(self.p.rates, (e_copies, self.n_users))
        self.queues, delivered, dropped = multihop_transition(
            self.queues, success, arrivals, self.p.deadlines
        )
        n, h = self.n_users, self.n_nodes
        cum = self._cum_channel[np.arange(n)[None, :, None], np.arange(h)[None, None, :], self.channels]
        u = rng.random((*self.channels.shape, 1))
        self.channels = np.minimum((u > cum).sum(-1), self.n_channels - 1)
        return self._rows(delivered, spent, dropped, arrivals)

    def _rows(self, delivered, spent, dropped, arrivals) -> dict[str, np.ndarray]:
        if self.merge == "path":
            node = spent  # (E, N, H): row n pays at every node of its path
            return {
                "delivered": delivered,
                "energy": spent.sum(-1),
                "energy_node": node,
                "dropped": dropped,
                "arrivals": arrivals,
            }
        e, n, h = spent.shape
        node = np.zeros((e, n, h, h))
        node[:, :, np.arange(h), np.arange(h)] = spent  # row (n, h) pays at node h only
        first = np.zeros((e, n, h), dtype=np.int64)
        first[..., 0] = arrivals  # arrivals enter the node-0 row
        drop_rows = np.zeros((e, n, h), dtype=np.int64)
        drop_rows[..., -1] = dropped  # end-to-end drops booked on the last row (counted once)
        return {
            "delivered": np.repeat(delivered[..., None], h, -1).reshape(e, n * h),
            "energy": spent.reshape(e, n * h),
            "energy_node": node.reshape(e, n * h, h),
            "dropped": drop_rows.reshape(e, n * h),
            "arrivals": first.reshape(e, n * h),
        }

    def user_observations(self, observe_channel: bool) -> np.ndarray:
        """(E, n_rows, obs_dim) rows; see the module doc for the two layouts."""
        e, n, h = self.channels.shape
        feat = user_features(self.user_feature, self.p.weights, self.p.distances.mean(-1))  # (N, F)
        q = self.queues.astype(np.float64)
        c = self.channels.astype(np.float64)
        if self.merge == "path":
            parts = [np.broadcast_to(feat[None], (e, *feat.shape)), q.reshape(e, n, -1)]
            if observe_channel:
                parts.append(c)
            return np.concatenate(parts, -1)
        f = np.broadcast_to(feat[None, :, None, :], (e, n, h, feat.shape[-1]))
        hop = np.broadcast_to(np.arange(h, dtype=np.float64)[None, None, :, None], (e, n, h, 1))
        parts = [f, hop, q]
        if observe_channel:
            parts.append(c[..., None])
        return np.concatenate(parts, -1).reshape(e, n * h, -1)

    def initial_row_arrivals(self) -> np.ndarray:
        """Packets present at reset, per row (for the drop rate)."""
        per_node = self.queues.sum(-1)  # (E, N, H)
        return per_node.sum(-1) if self.merge == "path" else per_node.reshape(len(per_node), -1)


def multihop_obs_dim(tau_max: int, n_hops: int, observe_channel: bool, merge: str, user_feature: str) -> int:
    f = 1 if user_feature == "index" else 2
    if merge == "path":
        return f + n_hops * (tau_max + 1) + (n_hops if observe_channel else 0)
    return f + 1 + tau_max + 1 + int(observe_channel)
