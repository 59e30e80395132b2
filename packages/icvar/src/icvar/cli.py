"""Command line: ``icvar train|evaluate|reproduce|batch``."""

from __future__ import annotations

from pathlib import Path

from paperkit.cli import Flat, batched_command, reproduce_command, run_cli

from icvar.config import Config
from icvar.experiments import EXPERIMENTS, run_batched
from icvar.train import evaluate, train


def train_command(cfg: Flat[Config], run_dir: Path | None = None, resume: bool = False) -> None:
    """Run one learner for K episodes and print its exact cumulative ICVaR regret.

    Args:
        run_dir: where to write config, metrics.jsonl and checkpoints (optional).
        resume: continue from the checkpoint in run_dir.
    """
    result = train(cfg, run_dir=run_dir, resume=resume)
    print(result)
    for k, value in result.curve():
        print(f"  episode {k:>7d}  cumulative regret {value:10.3f}")


def evaluate_command(cfg: Flat[Config], run_dir: Path) -> None:
    """Exact value of the policy in a run's checkpoint versus the ICVaR optimum."""
    for key, value in evaluate(cfg, run_dir).items():
        print(f"{key}: {value:.6g}")


def main() -> None:
    run_cli(
        {
            "train": train_command,
            "evaluate": evaluate_command,
            "reproduce": reproduce_command(EXPERIMENTS),
            "batch": batched_command(EXPERIMENTS, run_batched, what="the ICVaR-L rows of all seeds"),
        },
        prog="icvar",
    )
