"""Headroom of the root abstraction: how much value can *any* K-size root abstraction gain over the default?

RL-CFR's reward is V_i(root abstraction a) - V_i(default root), both trees identical below the root. Before
training a policy to find a better ``a``, measure whether the game contains one. At a decision point
(a public state with both players' beliefs) we solve three subgames to (near) convergence:

- ``default``: the default sizes {0.5, 1, 2} x pot at the root (the baseline, gain 0 by definition);
- ``superset``: every size of a fine grid at the root (the grid contains the default sizes). In a two-player
  zero-sum game, more actions for the acting player cannot lower its equilibrium value, so this gain is an
  *upper bound* on the gain of every K-subset of the grid, and of any state-dependent choice among them;
- ``top_k``: the K grid sizes the superset's equilibrium uses most (reach-weighted). It is a K-size
  abstraction, so its gain is a *lower bound* on the best K-size abstraction at that state.

The best K-size abstraction's gain lies between the two. The solver error is the exploitability of each
solution (mbb of the acting player, beliefs as given); it must be well below the gains to read them.

Decision points: the street's root (small blind to act, uniform beliefs) and "facing a bet" (the big blind
facing the small blind's 1 x pot open, the small blind's beliefs updated by the default solution).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from paperkit import Seeder

from rlcfr.cfr import exploitability
from rlcfr.config import GameConfig, HeadroomConfig
from rlcfr.holdem_lite import BB, HANDS, BetState, Deal, raise_sizes, sample_deal, showdown_matrices
from rlcfr.mdp import Subgame, solve_subgame, update_beliefs

POINTS = ("root", "facing_bet")


@dataclasses.dataclass(frozen=True)
class PointHeadroom:
    """Gains (mbb of the acting player's value) of one decision point, and the solver error."""

    point: str
    stack_bb: float
    superset_mbb: float  # upper bound on any K-subset of the grid
    top_k_mbb: float  # lower bound on the best K-size abstraction
    top_k_fractions: tuple[float, ...]
    solver_error_mbb: float  # the largest exploitability of the three solutions
    nodes: tuple[int, int, int]  # default, superset, top_k trees


def subgame_error_mbb(game: Subgame, beliefs, matrices) -> float:
    """Exploitability of a solved subgame in mbb per hand, normalised like ``Subgame.value``."""
    mass = float(beliefs[0] @ matrices[0] @ beliefs[1])
    return exploitability(game.tree, game.profile, beliefs) / mass / BB * 1000


def most_used_raises(game: Subgame, beliefs, k: int) -> list[int]:
    """The k raise-to amounts (all-in excluded) with the largest reach-weighted root probability."""
    p = int(game.tree.kind[0])
    stack = game.tree.info[0].stack
    mass = []
    for c in game.tree.children(0):
        label = game.tree.labels[c]
        if isinstance(label, str) or label == stack:
            continue
        mass.append((float(beliefs[p] @ game.profile[p][c]), int(label)))
    mass.sort(key=lambda m: -m[0])
    return sorted(a for _, a in mass[:k])


def _fraction_of(state: BetState, raise_to: int) -> float:
    opp = state.contrib[1 - state.to_act]
    return round((raise_to - opp) / (2 * opp), 3)


def point_headroom(
    deal: Deal, state: BetState, beliefs, cfg: HeadroomConfig, matrices, point: str
) -> tuple[PointHeadroom, Subgame]:
    """The three solves at one decision point; returns the default solution too (to walk on)."""
    game = cfg.game
    default = solve_subgame(deal, state, beliefs, raise_sizes(state, game.default_fractions), game, matrices)
    superset = solve_subgame(deal, state, beliefs, raise_sizes(state, cfg.grid), game, matrices)
    top = most_used_raises(superset, beliefs, game.k)
    top_k = solve_subgame(deal, state, beliefs, top, game, matrices)
    err = max(subgame_error_mbb(g, beliefs, matrices) for g in (default, superset, top_k))
    out = PointHeadroom(
        point=point,
        stack_bb=deal.stack / BB,
        superset_mbb=(superset.value - default.value) * 1000,
        top_k_mbb=(top_k.value - default.value) * 1000,
        top_k_fractions=tuple(_fraction_of(state, a) for a in top),
        solver_error_mbb=err,
        nodes=(default.tree.num_nodes, superset.tree.num_nodes, top_k.tree.num_nodes),
    )
    return out, default


def deal_headroom(deal: Deal, cfg: HeadroomConfig) -> list[PointHeadroom]:
    """Headroom at the root and facing the small blind's 1 x pot open, for one deal."""
    mats = showdown_matrices(deal)
    n = len(HANDS)
    beliefs = (np.full(n, 1.0 / n), np.full(n, 1.0 / n))
    root = BetState(deal.stack)
    at_root, default = point_headroom(deal, root, beliefs, cfg, mats, "root")
    open_to = root.fraction_to_raise(1.0)
    facing = root.apply(open_to)
    facing_beliefs = update_beliefs(beliefs, default, open_to)
    at_bet, _ = point_headroom(deal, facing, facing_beliefs, cfg, mats, "facing_bet")
    return [at_root, at_bet]


def headroom(cfg: HeadroomConfig) -> list[PointHeadroom]:
    """``cfg.deals`` random deals (stacks from ``cfg.game.stack_bb``), both decision points each."""
    rng = Seeder(cfg.seed).numpy("headroom_deals")
    out: list[PointHeadroom] = []
    for _ in range(cfg.deals):
        out += deal_headroom(sample_deal(rng, cfg.game.stack_bb), cfg)
    return out


def headroom_table(rows: list[PointHeadroom]) -> str:
    lines = [
        "| point | stack (BB) | superset gain (upper bound) | top-K gain (lower bound) | top-K sizes (x pot) "
        "| solver error | nodes default/superset/top-K |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        sizes = ", ".join(f"{f:g}" for f in r.top_k_fractions)
        lines.append(
            f"| {r.point} | {r.stack_bb:.1f} | {r.superset_mbb:+.2f} | {r.top_k_mbb:+.2f} | {sizes} "
            f"| {r.solver_error_mbb:.2f} | {'/'.join(map(str, r.nodes))} |"
        )
    return "\n".join(lines)


__all__ = [
    "POINTS",
    "GameConfig",
    "PointHeadroom",
    "deal_headroom",
    "headroom",
    "headroom_table",
    "most_used_raises",
    "point_headroom",
    "subgame_error_mbb",
]
