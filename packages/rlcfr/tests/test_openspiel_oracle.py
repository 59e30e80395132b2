"""Kuhn and Leduc (and a small universal_poker game) against OpenSpiel, the oracle."""

import numpy as np
import pyspiel
import pytest

from rlcfr.cfr import CFR_PLUS, VANILLA, CFRSolver, exploitability, uniform_profile
from rlcfr.openspiel import (
    openspiel_table,
    policy_to_openspiel_table,
    public_tree_from_openspiel,
    solve_openspiel,
    to_openspiel_policy,
)


@pytest.fixture(scope="module", params=["kuhn_poker", "leduc_poker"])
def game_and_tree(request):
    game = pyspiel.load_game(request.param)
    tree, infosets = public_tree_from_openspiel(game)
    return game, tree, infosets


def _max_diff(a, b):
    return max(abs(a[k][x] - b[k][x]) for k in a for x in a[k])


@pytest.mark.parametrize("iterations", [1, 7, 40])
def test_cfr_plus_matches_openspiel_policy_and_exploitability(game_and_tree, iterations):
    game, tree, infosets = game_and_tree
    ours = CFRSolver(tree, CFR_PLUS).run(iterations)
    ref = pyspiel.CFRPlusSolver(game)
    for _ in range(iterations):
        ref.evaluate_and_update_policy()
    table = policy_to_openspiel_table(tree, ours.average_profile(), infosets)
    assert _max_diff(table, openspiel_table(ref.average_policy(), infosets)) < 1e-9
    assert abs(ours.exploitability() - pyspiel.exploitability(game, ref.average_policy())) < 1e-6
    ref_value = pyspiel.expected_returns(game.new_initial_state(), ref.average_policy(), -1, True)[0]
    assert abs(ours.expected_values()[0] - ref_value) < 1e-6


def test_vanilla_cfr_matches_openspiel(game_and_tree):
    game, tree, infosets = game_and_tree
    ours = CFRSolver(tree, VANILLA).run(15)
    ref = pyspiel.CFRSolver(game)
    for _ in range(15):
        ref.evaluate_and_update_policy()
    table = policy_to_openspiel_table(tree, ours.average_profile(), infosets)
    assert _max_diff(table, openspiel_table(ref.average_policy(), infosets)) < 1e-9


def test_uniform_exploitability_matches_openspiel(game_and_tree):
    game, tree, _ = game_and_tree
    expected = pyspiel.exploitability(game, pyspiel.UniformRandomPolicy(game))
    assert abs(exploitability(tree, uniform_profile(tree)) - expected) < 1e-9


def test_small_universal_poker_matches_openspiel():
    game = pyspiel.load_game(
        "universal_poker",
        {
            "betting": "nolimit",
            "numPlayers": 2,
            "numRounds": 1,
            "blind": "2 1",
            "firstPlayer": "2",
            "numSuits": 2,
            "numRanks": 3,
            "numHoleCards": 1,
            "numBoardCards": "0",
            "stack": "6 6",
            "bettingAbstraction": "fullgame",
        },
    )
    tree, infosets = public_tree_from_openspiel(game)
    ours = CFRSolver(tree, CFR_PLUS).run(20)
    ref = pyspiel.CFRPlusSolver(game)
    for _ in range(20):
        ref.evaluate_and_update_policy()
    table = policy_to_openspiel_table(tree, ours.average_profile(), infosets)
    assert _max_diff(table, openspiel_table(ref.average_policy(), infosets)) < 1e-6
    assert abs(ours.exploitability() - pyspiel.exploitability(game, ref.average_policy())) < 1e-6
    assert np.isfinite(ours.expected_values()[0])


@pytest.mark.parametrize(("name", "native"), [("kuhn_poker", "kuhn_tree"), ("leduc_poker", "leduc_tree")])
def test_native_trees_equal_openspiel(name, native):
    import rlcfr.games

    tree = getattr(rlcfr.games, native)()
    game = pyspiel.load_game(name)
    ref_tree, _ = public_tree_from_openspiel(game)
    assert tree.num_nodes == ref_tree.num_nodes
    ours = CFRSolver(tree, CFR_PLUS).run(30)
    ref = pyspiel.CFRPlusSolver(game)
    for _ in range(30):
        ref.evaluate_and_update_policy()
    assert abs(ours.exploitability() - pyspiel.exploitability(game, ref.average_policy())) < 1e-6
    ref_value = pyspiel.expected_returns(game.new_initial_state(), ref.average_policy(), -1, True)[0]
    assert abs(ours.expected_values()[0] - ref_value) < 1e-6


def test_exported_policy_is_evaluated_by_openspiel_like_ours(game_and_tree):
    """The user-facing export: OpenSpiel's own tools read our solved strategy and agree with our numbers."""
    game, tree, infosets = game_and_tree
    ours = CFRSolver(tree, CFR_PLUS).run(25)
    policy = to_openspiel_policy(tree, ours.average_profile(), infosets)
    assert isinstance(policy, pyspiel.TabularPolicy)
    assert abs(pyspiel.exploitability(game, policy) - ours.exploitability()) < 1e-9
    value = pyspiel.expected_returns(game.new_initial_state(), policy, -1, True)[0]
    assert abs(value - ours.expected_values()[0]) < 1e-9
    exported, _, _ = solve_openspiel(game, CFR_PLUS, 25)
    assert _max_diff(openspiel_table(exported, infosets), openspiel_table(policy, infosets)) == 0.0
