"""Reproductions on a tiny GPT over the stdlib byte corpus: dense vs MST, and MST's ablations."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from paperkit import Experiment, ResultRecord, config_hash, config_to_dict

from mst.config import Config
from mst.train import train

METHODS = {
    "dense": dict(sparse=False, hsa_mode="none"),
    "mst": dict(),  # SV (cubic) + MG growth + HSA (sparse pattern during the ultra-sparse phase)
    "mst_no_restore": dict(restore_frac=0.0),  # hold s_max to the end
    "mst_reverse_restore": dict(restore_shape="reverse"),  # restoration = the warm-up ramp played backwards
    "mst_rigl": dict(growth="gradient"),  # pure-gradient growth instead of MG
}

# the shared corpus location (built once from the stdlib, reused by every cell)
DATA_DIR = str(Path.home() / ".cache" / "mst" / "stdlib-4MB")

PRESETS = {
    "smoke": dict(n_layer=1, n_head=2, d_model=32, block_size=32, seq_len=32, batch_size=8, max_iters=60,
                  delta=5, warmup_iters=5, eval_interval=20, eval_batches=2),
    "quick": dict(n_layer=2, n_head=4, d_model=64, block_size=64, seq_len=64, batch_size=16, max_iters=1_000,
                  delta=25, warmup_iters=50, eval_interval=100, eval_batches=8, hsa_window=8),
    # the brief's plan: 4 layers, d = 128, T = 128, batch 32, 4000 iterations, DST every 25
    "paper": dict(max_iters=4_000, eval_interval=200),
}  # fmt: skip


def preset_config(method: str, preset: str, seed: int, **overrides) -> Config:
    return Config(**{"data_dir": DATA_DIR, **PRESETS[preset], **METHODS[method], "seed": seed, **overrides})


def run_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
    cfg = preset_config(method, preset, seed, run_dir=str(Path(out_dir) / "run"))
    res = train(cfg)
    h = config_hash(config_to_dict(dataclasses.replace(cfg, run_dir="")))

    def rec(metric: str, value: float, step: int | None = None) -> ResultRecord:
        return ResultRecord("mst", "gpt_stdlib", method, seed, metric, float(value), step, h)

    out = [rec("final_val_loss", res.final_val_loss, cfg.max_iters)]
    out += [rec("val_loss", v, s) for s, v in res.val_curve]
    out += [rec("train_flops_rel", res.train_flops_rel), rec("final_sparsity", res.final_sparsity)]
    out += [rec("sparsity", s, it) for it, s in res.sparsity_trace]
    return out


EXPERIMENTS = [
    Experiment(
        package="mst",
        name="gpt_stdlib",
        description="Tiny GPT on Python-stdlib bytes: dense vs MST (SV + MG + HSA); restoration and growth-rule ablations.",
        methods=tuple(METHODS),
        proposed="mst",
        metric="final_val_loss",
        higher_is_better=False,
        run=run_cell,
        seconds={"smoke": 5, "quick": 60, "paper": 600},
        seeds={"smoke": 1, "quick": 3, "paper": 2},
        curve_metric="val_loss",
        flops_metric="train_flops_rel",
        claim="MST matches dense validation loss with a fraction of the training FLOPs; restoration matters.",
    )
]
