"""Command line: ``lsvi-ucb-plus train|evaluate|reproduce|batch``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from paperkit.cli import Flat, reproduce_command, run_cli, select_experiments
from paperkit.experiments import reproduce

from lsvi_ucb_plus.config import Config
from lsvi_ucb_plus.experiments import EXPERIMENTS, run_batched
from lsvi_ucb_plus.train import evaluate, train


def train_command(cfg: Flat[Config], run_dir: Path | None = None, resume: bool = False) -> None:
    """Run one learner for K episodes and print its exact cumulative regret.

    Args:
        run_dir: where to write config, metrics.jsonl and checkpoints (optional).
        resume: continue from the checkpoint in run_dir.
    """
    result = train(cfg, run_dir=run_dir, resume=resume)
    print(result)
    for k, value in result.curve():
        print(f"  episode {k:>7d}  cumulative regret {value:10.3f}")


def evaluate_command(cfg: Flat[Config], run_dir: Path) -> None:
    """Exact value of the policy in a run's checkpoint versus the optimum."""
    for key, value in evaluate(cfg, run_dir).items():
        print(f"{key}: {value:.6g}")


def batch_command(
    preset: Literal["smoke", "quick", "paper"] = "smoke",
    seeds: int | None = None,
    out: Path = Path("runs/reproduce"),
    only: tuple[str, ...] = (),
    methods: tuple[str, ...] = (),
) -> None:
    """``reproduce`` with every seed (and compatible method) of an experiment played as one seed-vectorised
    batch: the same records in the same folders (``out/<preset>/...``), a fraction of the time.

    Args:
        preset: smoke, quick or paper.
        seeds: seeds 0..n-1 per method (default: the experiment's own number for the preset).
        out: results root; finished cells found there are skipped.
        only: experiment names to run (default: all).
        methods: methods to run (default: all of each experiment's).
    """
    chosen = select_experiments(EXPERIMENTS, only)
    for exp in chosen:
        n = seeds if seeds is not None else exp.seeds[preset]
        wanted = tuple(m for m in exp.methods if not methods or m in methods)
        seconds = run_batched(exp, preset, list(range(n)), out, wanted)
        print(f"[{exp.key}] {len(wanted)} methods x {n} seeds batched: {seconds:.1f} s")
    if not methods:
        reproduce(chosen, preset=preset, seeds=seeds, out=out)  # every cell is done: prints the tables


def main() -> None:
    run_cli(
        {
            "train": train_command,
            "evaluate": evaluate_command,
            "reproduce": reproduce_command(EXPERIMENTS),
            "batch": batch_command,
        },
        prog="lsvi-ucb-plus",
    )
