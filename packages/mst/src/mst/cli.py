"""``mst prepare|train|evaluate|reproduce`` (``train`` also runs under ``torchrun`` for data parallelism)."""

from __future__ import annotations

from pathlib import Path

import torch
from paperkit import Seeder, load_checkpoint
from paperkit.cli import Flat, reproduce_command, run_cli

from mst.config import Config
from mst.data import build_corpus, load_split, stdlib_dir
from mst.experiments import EXPERIMENTS
from mst.model import GPT
from mst.train import _load_model, evaluate, train


def prepare_command(
    out: Path = Path("data/mst-stdlib"), sources: tuple[Path, ...] = (), max_bytes: int = 4_000_000
) -> None:
    """Build the byte-level token files (default sources: this Python's standard library)."""
    meta = build_corpus(list(sources) or [stdlib_dir()], out, max_bytes=max_bytes)
    print(f"{out}: {meta['train_tokens']:,} train / {meta['val_tokens']:,} val tokens "
          f"from {meta['train_files']} / {meta['val_files']} files")  # fmt: skip


def train_command(cfg: Flat[Config]) -> None:
    """Train (dense or MST) and print the final validation loss and counted FLOPs."""
    from mst import distributed

    res = train(cfg)
    if distributed.active() and torch.distributed.get_rank() != 0:
        distributed.shutdown()
        return
    print(f"final val loss {res.final_val_loss:.4f}  train FLOPs {res.train_flops_rel:.3f}x dense  "
          f"final sparsity {res.final_sparsity:.3f}  run dir {res.run_dir}")  # fmt: skip
    distributed.shutdown()


def evaluate_command(checkpoint: Path) -> None:
    """Validation loss of a checkpoint (a run's ``final`` or ``checkpoint`` folder)."""
    ck = load_checkpoint(checkpoint)
    cfg = Config(**{**ck.config, "sources": tuple(ck.config["sources"])})
    model = GPT(256, cfg.block_size, cfg.n_layer, cfg.n_head, cfg.d_model, Seeder(cfg.seed).torch("init"))
    _load_model(model, ck.tensors)
    model.to(cfg.device)
    loss = evaluate(model, load_split(cfg.data_dir, "val"), cfg, ck.step - 1, 0, 1)
    print(f"val loss at iteration {ck.step}: {loss:.4f}")


def main() -> None:
    run_cli({"prepare": prepare_command, "train": train_command, "evaluate": evaluate_command,
             "reproduce": reproduce_command(EXPERIMENTS)}, prog="mst")  # fmt: skip
