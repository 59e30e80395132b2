"""OpenSpiel bridge (optional: ``pip install rlcfr[openspiel]``): solve an OpenSpiel poker game with rlcfr's
vectorised CFR and export the strategy as an OpenSpiel policy, so that OpenSpiel's own tools
(``pyspiel.exploitability``, ``pyspiel.expected_returns``, best responses, ...) can evaluate it.

``public_tree_from_openspiel`` turns a two-player OpenSpiel poker game into an rlcfr ``PublicTree``. The
first two chance events are taken to be the private cards of player 0 and player 1; everything after them
(actions, board cards) is public. The adapter checks that assumption: every (public history, player, hand)
must map to exactly one OpenSpiel information state and back.

    >>> game = pyspiel.load_game("leduc_poker")
    >>> policy, tree, infosets = solve_openspiel(game, CFR_PLUS, 100)
    >>> pyspiel.exploitability(game, policy)
"""

from __future__ import annotations

import numpy as np

try:
    import pyspiel
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError("rlcfr.openspiel needs OpenSpiel: pip install 'rlcfr[openspiel]' (open-spiel)") from e

from rlcfr.cfr import CFR_PLUS, CFRSolver, SolverConfig
from rlcfr.tree import CHANCE, TERMINAL, PublicTree, TreeBuilder


def public_tree_from_openspiel(game: pyspiel.Game) -> tuple[PublicTree, dict]:
    """Returns the tree and ``infosets``: (node, player, hand) -> OpenSpiel info-state string."""
    root = game.new_initial_state()
    deals = []
    for a0, p0 in root.chance_outcomes():
        s = root.child(a0)
        for a1, p1 in s.chance_outcomes():
            deals.append((a0, a1, p0 * p1, s.child(a1)))
    hands0 = sorted({d[0] for d in deals})
    hands1 = sorted({d[1] for d in deals})
    h0i = {a: i for i, a in enumerate(hands0)}
    h1i = {a: i for i, a in enumerate(hands1)}

    nodes: dict[tuple, dict] = {}  # public key -> {"kind", "actions", "payoff"}
    infosets: dict[tuple, str] = {}

    def walk(state, key, deal, prob):
        a0, a1 = deal
        if state.is_terminal():
            n = nodes.setdefault(key, {"kind": TERMINAL, "payoff": np.zeros((len(hands0), len(hands1)))})
            n["payoff"][h0i[a0], h1i[a1]] += prob * state.returns()[0]
            return
        if state.is_chance_node():
            n = nodes.setdefault(key, {"kind": CHANCE, "actions": set()})
            for a, pa in state.chance_outcomes():
                n["actions"].add(a)
                walk(state.child(a), (*key, a), deal, prob * pa)
            return
        p = state.current_player()
        n = nodes.setdefault(key, {"kind": p, "actions": set()})
        if n["kind"] != p:
            raise ValueError(f"public state {key} has different players across deals")
        infosets.setdefault((key, p, (h0i[a0], h1i[a1])[p]), state.information_state_string(p))
        for a in state.legal_actions():
            n["actions"].add(a)
            walk(state.child(a), (*key, a), deal, prob)

    for a0, a1, prob, s in deals:
        walk(s, (), (a0, a1), prob)

    terms = [k for k, n in nodes.items() if n["kind"] == TERMINAL]
    base_of = {k: i for i, k in enumerate(terms)}
    builder = TreeBuilder((len(hands0), len(hands1)), np.stack([nodes[k]["payoff"] for k in terms]))
    id_of: dict[tuple, int] = {}

    def build(key, parent):
        n = nodes[key]
        label = key[-1] if key else None
        if n["kind"] == TERMINAL:
            id_of[key] = builder.add_terminal(parent, base_of[key], 1.0, label=label, info=key)
            return
        id_of[key] = builder.add(parent, n["kind"], label=label, info=key)
        for a in sorted(n["actions"]):
            build((*key, a), id_of[key])

    build((), -1)
    tree = builder.build()
    new_id = {key: i for i, key in enumerate(tree.info)}
    mapped = {(new_id[key], p, h): s for (key, p, h), s in infosets.items()}
    if len(set(mapped.values())) != len(mapped):
        raise ValueError("public-tree information sets are not one-to-one with OpenSpiel's")
    return tree, mapped


def policy_to_openspiel_table(tree: PublicTree, profile, infosets: dict) -> dict[str, dict[int, float]]:
    """Our profile as {info-state string: {action: prob}}."""
    table: dict[str, dict[int, float]] = {}
    for (node, p, h), key in infosets.items():
        ch = tree.children(node)
        table[key] = {int(tree.labels[c]): float(profile[p][c, h]) for c in ch}
    return table


def openspiel_table(policy: pyspiel.Policy, infosets: dict) -> dict[str, dict[int, float]]:
    """An OpenSpiel policy read back at our information states, as {info-state string: {action: prob}}."""
    return {key: dict(policy.get_state_policy(key)) for key in infosets.values()}


def to_openspiel_policy(tree: PublicTree, profile, infosets: dict) -> pyspiel.TabularPolicy:
    """A profile solved on an adapted tree as a ``pyspiel.TabularPolicy`` (both players, every info state)."""
    table = policy_to_openspiel_table(tree, profile, infosets)
    return pyspiel.TabularPolicy({key: sorted(probs.items()) for key, probs in table.items()})


def solve_openspiel(
    game: pyspiel.Game, config: SolverConfig = CFR_PLUS, iterations: int = 100
) -> tuple[pyspiel.TabularPolicy, PublicTree, dict]:
    """Adapt ``game``, run ``iterations`` of the CFR variant ``config`` and export its average strategy.

    Returns the OpenSpiel policy, the public tree and the info-state map (for ``to_openspiel_policy``)."""
    tree, infosets = public_tree_from_openspiel(game)
    solver = CFRSolver(tree, config).run(iterations)
    return to_openspiel_policy(tree, solver.average_profile(), infosets), tree, infosets


def universal_poker_game() -> pyspiel.Game:
    """The brief's one-round no-limit universal_poker game (21 actions, 4,752 infosets per player)."""
    return pyspiel.load_game(
        "universal_poker",
        {
            "betting": "nolimit",
            "numPlayers": 2,
            "numRounds": 1,
            "blind": "2 1",
            "firstPlayer": "2",
            "numSuits": 2,
            "numRanks": 4,
            "numHoleCards": 1,
            "numBoardCards": "0",
            "stack": "20 20",
            "bettingAbstraction": "fullgame",
        },
    )
