"""``uniinf train|evaluate|reproduce|study``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from paperkit import make_run_dir, set_threads
from paperkit.cli import Flat, reproduce_command, run_cli, select_experiments

from uniinf.config import RunConfig
from uniinf.experiments import EXPERIMENTS, study, tables, write_batch
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


def batch_command(
    preset: Literal["smoke", "quick", "paper"] = "smoke",
    seeds: int | None = None,
    out: Path = Path("runs/reproduce"),
    only: tuple[str, ...] = (),
) -> None:
    """``reproduce``, with all seeds of a method in one vectorised batch: writes every cell's records where
    ``reproduce`` looks for them (cells already there are skipped), then prints the same tables.

    Args:
        preset: smoke, quick or paper.
        seeds: seeds per method (default: the experiment's own number for the preset).
        out: results root (cells under out/<preset>/uniinf/<experiment>/<method>/seed<k>/).
        only: experiment names to run (default: all).
    """
    set_threads(1)
    chosen = select_experiments(EXPERIMENTS, only)
    for exp in chosen:
        n = seeds if seeds is not None else exp.seeds[preset]
        for method in exp.methods:
            done = write_batch(exp, method, range(n), preset, out)
            print(f"[{exp.key}] {method}: {len(done)} seeds run in one batch, {n - len(done)} already there")
    reproduce_command(chosen)(preset=preset, seeds=seeds, out=out)


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
            "batch": batch_command,
            "tables": tables_command,
            "study": study_command,
        },
        prog="uniinf",
    )
