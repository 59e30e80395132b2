"""``uniinf train|evaluate|reproduce|study``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from paperkit import make_run_dir, set_threads
from paperkit.cli import Flat, batched_command, reproduce_command, run_cli

from uniinf.config import RunConfig
from uniinf.experiments import EXPERIMENTS, run_batched, study, tables
from uniinf.train import evaluate, train


def train_command(cfg: Flat[RunConfig], out: Path = Path("runs"), resume: Path | None = None) -> None:
    """Play one policy on one instance (cfg.seeds runs vectorised) and print median/quartile regret.

    Args:
        out: root of the run folder (runs/uniinf/<instance>/<stamp>-s<seed>/).
        resume: an earlier run folder to resume from its checkpoint (same config).
    """
    set_threads(1)
    run_dir = (
        resume if resume is not None else make_run_dir("uniinf", cfg.instance, cfg.seed, root=out, config=cfg)
    )
    print(train(cfg, run_dir=run_dir))
    print(f"run folder: {run_dir}")


def evaluate_command(run_dir: Path) -> None:
    """Print the summary of a finished run folder."""
    print(evaluate(run_dir))


def study_command(
    preset: Literal["smoke", "quick", "paper"] = "quick",
    seeds: int | None = None,
    out: Path = Path("packages/uniinf/docs"),
) -> None:
    """All experiments with every seed vectorised in one batch: markdown tables (stdout) and PNG plots in ``out``."""
    set_threads(1)
    print(study(preset, seeds, out))


def tables_command(root: Path) -> None:
    """The README's tables (median [q25, q75] over seeds) from the records under ``root``, e.g.
    packages/uniinf/evidence/quick-30seeds."""
    print(tables(root))


def main() -> None:
    run_cli(
        {
            "train": train_command,
            "evaluate": evaluate_command,
            "reproduce": reproduce_command(EXPERIMENTS),
            "batch": batched_command(EXPERIMENTS, run_batched, threads=1),
            "tables": tables_command,
            "study": study_command,
        },
        prog="uniinf",
    )
