"""Command line: ``rs-disrl train|evaluate|reproduce``."""

from __future__ import annotations

from pathlib import Path

from paperkit.cli import Flat, batched_command, regret_report_command, reproduce_command, run_cli

from rs_disrl.config import TrainConfig
from rs_disrl.experiments import EXPERIMENTS, run_batched
from rs_disrl.instances import make_instance
from rs_disrl.train import evaluate_instance, train


def train_command(cfg: Flat[TrainConfig]) -> None:
    """Run one learner for K episodes and print its exact cumulative regret."""
    print(train(cfg))


def evaluate_command(cfg: Flat[TrainConfig]) -> None:
    """Print the instance's exact optimal risk value (history-dependent and Markov) and the random policy's."""
    print(evaluate_instance(make_instance(cfg.instance, **cfg.instance_kwargs()), cfg.risk_measure()))


def main() -> None:
    run_cli(
        {
            "train": train_command,
            "evaluate": evaluate_command,
            "reproduce": reproduce_command(EXPERIMENTS),
            "report": regret_report_command(EXPERIMENTS),
            "sweep": batched_command(EXPERIMENTS, run_batched, default_out=Path("runs/sweep")),
        },
        prog="rs-disrl",
    )
