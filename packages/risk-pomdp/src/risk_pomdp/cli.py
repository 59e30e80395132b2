"""Command line: ``risk-pomdp train|evaluate|reproduce``."""

from __future__ import annotations

import time
from pathlib import Path

from paperkit.cli import Flat, regret_report_command, reproduce_command, run_cli

from risk_pomdp.config import TrainConfig
from risk_pomdp.experiments import EXPERIMENTS, sweep
from risk_pomdp.instances import make_instance
from risk_pomdp.train import evaluate_instance, train


def train_command(cfg: Flat[TrainConfig]) -> None:
    """Run one learner for K episodes and print its exact cumulative entropic regret."""
    print(train(cfg))


def evaluate_command(cfg: Flat[TrainConfig]) -> None:
    """Print the instance's exact optimal entropic value J* and the uniformly random policy's."""
    print(evaluate_instance(make_instance(cfg.instance, **cfg.instance_kwargs()), cfg.gamma))


def sweep_command(
    preset: str = "paper",
    seeds: int | None = None,
    out: Path = Path("runs/sweep"),
    only: tuple[str, ...] = (),
) -> None:
    """Run the reproductions with every seed of a method in one seed-vectorised batch (same records as reproduce).

    Args:
        preset: smoke | quick | paper.
        seeds: seeds per method (default: the experiment's own number for the preset).
        out: results root; methods whose seeds all have records are skipped.
        only: experiment names to run (default: all).
    """
    t0 = time.perf_counter()
    sweep(preset, seeds, out, only)
    print(f"sweep wall {time.perf_counter() - t0:.1f} s")


def main() -> None:
    run_cli(
        {
            "train": train_command,
            "evaluate": evaluate_command,
            "reproduce": reproduce_command(EXPERIMENTS),
            "report": regret_report_command(EXPERIMENTS),
            "sweep": sweep_command,
        },
        prog="risk-pomdp",
    )
