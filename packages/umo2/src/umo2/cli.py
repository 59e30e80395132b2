"""``umo2 train|evaluate|reproduce|study``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from paperkit import make_run_dir, set_threads
from paperkit.cli import Flat, batched_command, reproduce_command, run_cli

from umo2.config import RunConfig
from umo2.experiments import EXPERIMENTS, ablation, run_batched, study, tables
from umo2.network import load_topology
from umo2.train import evaluate, train


def train_command(
    cfg: Flat[RunConfig], out: Path = Path("runs"), run_dir: Path | None = None, resume: bool = False
) -> None:
    """Run one algorithm on one network (cfg.seeds runs vectorised) and print median metrics.

    Args:
        out: root of the new run folder (runs/umo2/<topology>/<stamp>-s<seed>).
        run_dir: use this run folder instead of a new one.
        resume: continue the run in run_dir from its checkpoint (same config).
    """
    set_threads(1)
    load_topology(cfg.topology)  # refuse a bad topology before creating a run folder
    if resume and run_dir is None:
        raise ValueError("--resume needs --run-dir (the folder of the interrupted run)")
    if run_dir is None:
        run_dir = make_run_dir("umo2", Path(cfg.topology).stem, cfg.seed, root=out, config=cfg)
    print(train(cfg, run_dir=run_dir, resume=resume))
    print(f"run folder: {run_dir}")


def evaluate_command(run_dir: Path) -> None:
    """Print the medians of a finished run folder."""
    print(evaluate(run_dir))


def study_command(
    preset: Literal["smoke", "quick", "paper"] = "quick",
    seeds: int | None = None,
    out: Path = Path("packages/umo2/docs"),
    cache: Path = Path("runs/umo2/study-cache"),
) -> None:
    """Every algorithm with all seeds and horizons in one batch: markdown tables and PNG plots.

    Args:
        cache: finished (network, algorithm) batches are stored here; a rerun resumes from them.
    """
    set_threads(1)
    print(study(preset, seeds, out, cache))


def ablate_command(preset: Literal["smoke", "quick", "paper"] = "quick", seeds: int | None = None) -> None:
    """UMO2 with each reconstruction choice ([R]) flipped: a markdown table."""
    set_threads(1)
    print(ablation(preset, seeds))


def tables_command(root: Path) -> None:
    """The README's tables (median [q25, q75] over seeds) from the records under ``root``, e.g.
    packages/umo2/evidence/paper-10seeds."""
    print(tables(root))


def main() -> None:
    run_cli(
        {
            "train": train_command,
            "evaluate": evaluate_command,
            "reproduce": reproduce_command(EXPERIMENTS),
            "study": study_command,
            "ablate": ablate_command,
            "batch": batched_command(EXPERIMENTS, run_batched, threads=1),
            "tables": tables_command,
        },
        prog="umo2",
    )
