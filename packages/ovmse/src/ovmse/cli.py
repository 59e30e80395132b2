"""Command line: ``ovmse train|collect|offline|online|evaluate|reproduce``."""

from __future__ import annotations

from pathlib import Path

from paperkit import Seeder, set_threads
from paperkit.cli import Flat, reproduce_command, run_cli

from ovmse.config import Config
from ovmse.data import load_dataset, save_dataset
from ovmse.experiments import EXPERIMENTS
from ovmse.train import (
    collect_dataset,
    evaluate,
    load_offline,
    make_adapters,
    save_offline,
    train,
    train_behaviour,
    train_offline,
    train_online,
)


def train_command(cfg: Flat[Config], cache: Path | None = None) -> None:
    """The whole pipeline (behaviour -> dataset -> offline -> online); pretraining cached under CACHE."""
    print(train(cfg, cache=cache))


def collect_command(cfg: Flat[Config], out: Path) -> None:
    """Train the behaviour policy and write its dataset to OUT (refuses to overwrite)."""
    if out.exists():
        raise ValueError(f"{out} exists; choose a new path")
    seeder = Seeder(cfg.seed)
    behaviour, info = train_behaviour(cfg, seeder)
    save_dataset(out, collect_dataset(cfg, behaviour.net, seeder))
    print(f"dataset written to {out}; {info}")


def offline_command(cfg: Flat[Config], dataset: Path, out: Path) -> None:
    """CFCQL pretraining on DATASET; the frozen memory is written to OUT."""
    learner, info = train_offline(cfg, load_dataset(dataset), Seeder(cfg.seed))
    save_offline(out, cfg, learner, info)
    print(f"offline memory written to {out}; {info}")


def online_command(
    cfg: Flat[Config],
    offline: Path | None = None,
    dataset: Path | None = None,
    checkpoint: Path | None = None,
    checkpoint_every: int = 5000,
) -> None:
    """Online fine-tuning from the memory at OFFLINE (or from scratch with --init scratch); with
    CHECKPOINT it resumes from there and saves every CHECKPOINT_EVERY env steps."""
    memory = load_offline(offline, cfg)[0] if offline is not None else None
    data = load_dataset(dataset) if dataset is not None else None
    print(
        train_online(
            cfg, memory, Seeder(cfg.seed), data, checkpoint=checkpoint, checkpoint_every=checkpoint_every
        )
    )


def evaluate_command(cfg: Flat[Config], offline: Path, episodes: int = 20) -> None:
    """Greedy return of a saved offline memory."""
    memory, _ = load_offline(offline, cfg)
    print(
        evaluate(
            cfg,
            make_adapters(cfg, cfg.num_envs),
            memory,
            episodes=episodes,
            seed=Seeder(cfg.seed).int("test") % 2**31,
        )
    )


def main() -> None:
    set_threads(1)  # runs are parallelised across processes
    run_cli(
        {
            "train": train_command,
            "collect": collect_command,
            "offline": offline_command,
            "online": online_command,
            "evaluate": evaluate_command,
            "reproduce": reproduce_command(EXPERIMENTS),
        },
        prog="ovmse",
    )
