"""CFR+ iterations per second: rlcfr's vectorised public-tree solver vs OpenSpiel's C++ CFRPlusSolver
(pyspiel), same games, same run, one thread. Also the hold'em-lite solve time per decision (M4).

    uv run --package rlcfr python packages/rlcfr/benchmarks/bench_speed.py [--quick] [--reps 5]

Needs open-spiel (the dev group, or the ``openspiel`` extra). Both solvers run the same algorithm
(alternating updates, RM+, linear averaging); the exploitability of both average policies is printed to show
they agree. Each game is timed in ``--reps`` alternating rounds (ours, then OpenSpiel's, back to back), so a
load change on a shared machine hits both sides of a round; the tables give the median over rounds and the
[min, max] spread of the rates and of the per-round ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from paperkit import Seeder, set_threads

from rlcfr.cfr import CFR_PLUS, RLCFR_DCFR, CFRSolver
from rlcfr.games import kuhn_tree, leduc_tree

try:  # the dev group's oracle; without it only our solver is timed, against the recorded anchors
    import pyspiel

    from rlcfr.openspiel import public_tree_from_openspiel, universal_poker_game
except ImportError:
    pyspiel = None
from rlcfr.holdem_lite import BetState, build_tree, fixed_abstraction, sample_deal, showdown_matrices


def rate(step, min_seconds: float, min_iters: int) -> float:
    n, t0 = 0, time.perf_counter()
    while n < min_iters or time.perf_counter() - t0 < min_seconds:
        step()
        n += 1
    return n / (time.perf_counter() - t0)


def spread(xs: list[float], fmt: str) -> str:
    """'median [min, max]'."""
    return f"{statistics.median(xs):{fmt}} [{min(xs):{fmt}}, {max(xs):{fmt}}]"


def compare(name: str, game, iters: int, seconds: float, reps: int) -> None:
    t0 = time.perf_counter()
    tree, _ = public_tree_from_openspiel(game)
    build = time.perf_counter() - t0
    ours = CFRSolver(tree, CFR_PLUS)
    ref = pyspiel.CFRPlusSolver(game)
    ours_rates, ref_rates, ratios = [], [], []
    for _ in range(reps):  # a CFR+ iteration costs the same at any t, so the solvers just keep running
        ours_rates.append(rate(ours.step, seconds, iters))
        ref_rates.append(rate(ref.evaluate_and_update_policy, seconds, max(2, iters // 20)))
        ratios.append(ours_rates[-1] / ref_rates[-1])
    # same iteration count for the agreement check
    a = CFRSolver(tree, CFR_PLUS).run(10)
    b = pyspiel.CFRPlusSolver(game)
    for _ in range(10):
        b.evaluate_and_update_policy()
    gap = abs(a.exploitability() - pyspiel.exploitability(game, b.average_policy()))
    print(
        f"| {name} | {tree.num_nodes} | {spread(ours_rates, ',.1f')} | {spread(ref_rates, ',.1f')} | "
        f"{spread(ratios, '.2f')} | {gap:.1e} | {build:.1f} |"
    )


def holdem_lite(seconds: float) -> None:
    rng = Seeder(0).numpy("bench")
    print("\n| hold'em lite (default {0.5,1,2} pot) | stack | nodes | it/s | 250-iteration solve (ms) |")
    print("|---|---|---|---|---|")
    for stack in (20.0, 50.0):
        deal = sample_deal(rng, (stack, stack))
        mats = showdown_matrices(deal)
        tree = build_tree(deal, BetState(deal.stack), None, fixed_abstraction((0.5, 1.0, 2.0)), 4, mats)
        s = CFRSolver(tree, RLCFR_DCFR)
        r = rate(s.step, seconds, 20)
        print(f"| RL-CFR DCFR | {stack:.0f} BB | {tree.num_nodes} | {r:,.0f} | {250 / r * 1000:,.0f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="shorter timing windows")
    ap.add_argument("--reps", type=int, default=5, help="alternating timing rounds per game")
    args = ap.parse_args()
    set_threads(1)
    seconds = 1.0 if args.quick else 3.0
    if pyspiel is None:
        print(
            "open-spiel not installed: anchors (OpenSpiel 2.0.2 C++ CFR+, idle machine) Kuhn 55k it/s, Leduc 145 it/s"
        )
        print("| game | public nodes | rlcfr CFR+ it/s |\n|---|---|---|")
        for name, tree in (("kuhn_poker (native)", kuhn_tree()), ("leduc_poker (native)", leduc_tree())):
            print(f"| {name} | {tree.num_nodes} | {rate(CFRSolver(tree, CFR_PLUS).step, seconds, 20):,.1f} |")
        holdem_lite(seconds)
        return
    print(
        f"| game | public nodes | rlcfr CFR+ it/s | OpenSpiel C++ CFR+ it/s | ratio (ours / OpenSpiel) | "
        f"|expl. gap| at 10 it | tree build (s) |   ({args.reps} rounds: median [min, max])"
    )
    print("|---|---|---|---|---|---|---|")
    compare("kuhn_poker", pyspiel.load_game("kuhn_poker"), 200, seconds, args.reps)
    compare("leduc_poker", pyspiel.load_game("leduc_poker"), 50, seconds, args.reps)
    compare("universal_poker 1-round NL (brief)", universal_poker_game(), 5, seconds, args.reps)
    holdem_lite(seconds)


if __name__ == "__main__":
    main()
