"""``rlcfr train | evaluate | solve | reproduce``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

from paperkit import set_threads
from paperkit.cli import Flat, reproduce_command, run_cli

from rlcfr.config import EvalConfig, HeadroomConfig, TrainConfig
from rlcfr.experiments import EXPERIMENTS

_TRAIN, _EVAL = TrainConfig(), EvalConfig()


def train_command(cfg: Flat[TrainConfig], run_dir: Path | None = None) -> None:
    """Train an RL-CFR abstraction policy and print its summary (checkpoints and resumes in run_dir)."""
    from rlcfr.train import train

    set_threads(1)
    print(train(cfg, run_dir=run_dir))


def evaluate_command(
    method: Literal["rl", "default", "random", "fine_grain"] = "default",
    run_dir: Path | None = None,
    train: Flat[TrainConfig] = _TRAIN,
    ev: EvalConfig = _EVAL,
) -> None:
    """M1-M4 of one abstraction policy; method 'rl' loads (or finishes training) the run in run_dir."""
    from rlcfr.evaluate import evaluate
    from rlcfr.train import train as train_fn

    set_threads(1)
    actor = None
    if method == "rl":
        if run_dir is None:
            raise ValueError("method 'rl' needs --run-dir holding a training run")
        actor = train_fn(train, run_dir=run_dir).actor
    print(evaluate(method, train.game, ev, actor))


def solve_command(
    game: Literal["holdem_lite"] = "holdem_lite",
    solver: Literal["cfr", "cfr+", "dcfr", "rlcfr_dcfr"] = "cfr+",
    iterations: int = 200,
    stack_bb: float = 20.0,
    seed: int = 0,
) -> None:
    """Solve one random deal of the whole street (default abstraction) and print its exploitability."""
    from paperkit import Seeder

    from rlcfr.cfr import SOLVERS, CFRSolver
    from rlcfr.config import GameConfig
    from rlcfr.holdem_lite import BB, BetState, build_tree, fixed_abstraction, sample_deal, showdown_matrices

    set_threads(1)
    cfg = dataclasses.replace(GameConfig(), solver=solver, stack_bb=(stack_bb, stack_bb))
    deal = sample_deal(Seeder(seed).numpy("deal"), cfg.stack_bb)
    mats = showdown_matrices(deal)
    tree = build_tree(
        deal, BetState(deal.stack), None, fixed_abstraction(cfg.default_fractions), cfg.max_raises, mats
    )
    s = CFRSolver(tree, SOLVERS[solver]).run(iterations)
    norm = mats[0].sum() * BB / 1000
    print(
        f"{game}: {tree.num_nodes} public nodes, {iterations} {solver} iterations: "
        f"value P0 {s.expected_values()[0] / norm:+.2f} mbb/hand, exploitability {s.exploitability() / norm:.3f} mbb/hand"
    )


def headroom_command(cfg: Flat[HeadroomConfig]) -> None:
    """Headroom: gain of the best K-size root abstraction over the default (bounds), per decision point."""
    import numpy as np

    from rlcfr.evaluate import mean_ci
    from rlcfr.headroom import headroom, headroom_table

    set_threads(1)
    rows = headroom(cfg)
    print(headroom_table(rows))
    for name in ("superset_mbb", "top_k_mbb", "solver_error_mbb"):
        m, h = mean_ci(np.array([getattr(r, name) for r in rows]))
        print(f"{name}: mean {m:+.3f} +/- {h:.3f} (95% normal, {len(rows)} points)")


def main() -> None:
    run_cli(
        {
            "train": train_command,
            "evaluate": evaluate_command,
            "solve": solve_command,
            "headroom": headroom_command,
            "reproduce": reproduce_command(EXPERIMENTS),
        },
        prog="rlcfr",
    )
