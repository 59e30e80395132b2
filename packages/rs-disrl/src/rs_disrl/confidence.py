"""Optimism over an L1 confidence ball around an empirical law (extended value iteration, Jaksch et al. 2010).

``min_{q : ||q - p_hat||_1 <= eps} <q, v>`` is solved exactly by moving eps/2 mass onto the lowest-value outcome,
taken from the highest-value outcomes first. Rectangular (per (h, s, a)) balls make the inner problem separable, so
the optimistic Bellman backup below is the exact optimistic plan for the whole confidence set.
"""

from __future__ import annotations

import numpy as np


def l1_radius(counts: np.ndarray, n_outcomes: int, log_term: float, scale: float) -> np.ndarray:
    """eps(n) = scale * sqrt(2 n_outcomes log_term / max(n, 1)), capped at 2 (the whole simplex)."""
    return np.minimum(2.0, scale * np.sqrt(2.0 * n_outcomes * log_term / np.maximum(counts, 1)))


def optimistic_expectation(
    p_hat: np.ndarray, eps: np.ndarray, values: np.ndarray, *, minimize: bool
) -> np.ndarray:
    """Extreme expectation of ``values`` over the L1 ball of radius ``eps`` around ``p_hat``.

    Args:
        p_hat: [..., O] empirical laws (batch axes ``P``), e.g. [S, A, O].
        eps: [...] radii, same batch axes as ``p_hat``.
        values: [..., O] outcome values with their own batch axes ``V``, e.g. [B, C, O].
        minimize: lowest expectation (cost optimism) if True, else highest.

    Returns:
        [V..., P...] extreme expectations, e.g. [B, C, S, A].
    """
    P, V = p_hat.shape[:-1], values.shape[:-1]
    out = extreme_expectation(
        p_hat.reshape(1, -1, p_hat.shape[-1]),
        np.reshape(eps, (1, -1)),
        values.reshape(1, -1, values.shape[-1]),
        minimize=minimize,
    )
    return out.reshape(V + P)


def extreme_expectation(
    p_hat: np.ndarray, eps: np.ndarray, values: np.ndarray, *, minimize: bool
) -> np.ndarray:
    """The same for N independent problems (a leading seed axis): ``p_hat`` [N, P, O] laws with radii ``eps`` [N, P],
    ``values`` [N, V, O] -> [N, V, P] extreme expectations of every value vector under every ball.

    The outcomes are sorted once per value vector; the laws are gathered in that order as contiguous [O, P] blocks,
    and the mass moved onto the best outcome is taken from the worst outcomes first (a cumulative sum)."""
    sign = 1.0 if minimize else -1.0
    v = sign * values
    order = np.argsort(v, axis=-1, kind="stable")  # ascending: order[..., 0] is the best outcome
    v_sorted = np.take_along_axis(v, order, axis=-1)  # [N, V, O]
    p_sorted = np.swapaxes(p_hat, 1, 2)[np.arange(p_hat.shape[0])[:, None, None], order]  # [N, V, O, P]
    moved = np.minimum(
        eps[:, None, :] / 2.0, 1.0 - p_sorted[:, :, 0, :]
    )  # [N, V, P] mass onto the best outcome
    rev = p_sorted[:, :, :0:-1, :]  # worst outcome first, never the best one
    taken_before = np.cumsum(rev, axis=2) - rev
    take = np.clip(moved[:, :, None, :] - taken_before, 0.0, rev)
    total = np.einsum("nvop,nvo->nvp", p_sorted, v_sorted) - np.einsum(
        "nvop,nvo->nvp", take, v_sorted[:, :, :0:-1]
    )
    return sign * (total + moved * v_sorted[:, :, :1])
