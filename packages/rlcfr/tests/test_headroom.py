"""The headroom check: bounds on the best K-size root abstraction's gain over the default."""

import dataclasses

import numpy as np
import pytest

from rlcfr.config import GameConfig, HeadroomConfig
from rlcfr.experiments import EXPERIMENTS
from rlcfr.headroom import deal_headroom, headroom, most_used_raises
from rlcfr.holdem_lite import BetState, Deal, raise_sizes, showdown_matrices
from rlcfr.mdp import solve_subgame

SMALL = GameConfig(stack_bb=(12.0, 12.0), max_raises=2, cfr_iterations=300)
DEAL = Deal.from_strings(["As", "Kd", "Qh", "Jc", "Ts", "9d", "5h", "5c", "2s"], stack_bb=12)


def test_grid_equal_to_the_default_gives_zero_gain_exactly():
    cfg = HeadroomConfig(game=SMALL, grid=SMALL.default_fractions)
    for row in deal_headroom(DEAL, cfg):
        assert row.superset_mbb == 0.0 and row.top_k_mbb == 0.0


def test_superset_gain_is_non_negative_up_to_the_solver_error():
    """More root actions cannot lower the acting player's equilibrium value; each solved value is within
    twice its exploitability of the equilibrium value, hence the 4x error band."""
    rows = deal_headroom(DEAL, HeadroomConfig(game=SMALL))
    assert [r.point for r in rows] == ["root", "facing_bet"]
    for r in rows:
        assert r.superset_mbb >= -4 * r.solver_error_mbb
        assert len(r.top_k_fractions) <= SMALL.k
        assert r.nodes[1] >= r.nodes[0]  # the superset root has at least the default's children


def test_most_used_raises_picks_k_non_all_in_sizes():
    mats = showdown_matrices(DEAL)
    state = BetState(DEAL.stack)
    beliefs = (np.full(36, 1 / 36), np.full(36, 1 / 36))
    game = solve_subgame(DEAL, state, beliefs, raise_sizes(state, (0.25, 0.5, 1.0, 2.0, 3.0)), SMALL, mats)
    top = most_used_raises(game, beliefs, 2)
    assert len(top) == 2 and top == sorted(top) and DEAL.stack not in top
    offered = {game.tree.labels[c] for c in game.tree.children(0)}
    assert set(top) <= offered


def test_headroom_config_validates_the_grid():
    with pytest.raises(ValueError, match="grid must contain the default sizes"):
        HeadroomConfig(grid=(0.25, 0.75, 3.0, 4.0))
    with pytest.raises(ValueError, match="deals"):
        HeadroomConfig(deals=0)


def test_headroom_blocks_are_seeded():
    cfg = HeadroomConfig(game=dataclasses.replace(SMALL, stack_bb=(10.0, 14.0), cfr_iterations=30))
    assert headroom(cfg) == headroom(cfg)
    assert headroom(cfg)[0].stack_bb != headroom(dataclasses.replace(cfg, seed=1))[0].stack_bb


def test_headroom_smoke_cells_share_one_computation(tmp_path):
    exp = next(e for e in EXPERIMENTS if e.name == "headroom")
    out = {}
    for method in exp.methods:
        d = tmp_path / "smoke" / "rlcfr" / "headroom" / method / "seed0"
        recs = exp.run(method=method, seed=0, preset="smoke", out_dir=d)
        out[method] = {r.metric: r.value for r in recs}
    assert out["default"]["gain_mbb"] == 0.0
    assert out["top_k"]["solver_error_mbb"] == out["superset"]["solver_error_mbb"] > 0
    assert (tmp_path / "smoke" / "rlcfr" / "_headroom" / "smoke" / "seed0.json").exists()
