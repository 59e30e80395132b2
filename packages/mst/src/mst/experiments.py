"""Reproductions on a tiny GPT over the stdlib byte corpus: dense vs MST, and MST's ablations."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from paperkit import Experiment, ResultRecord, config_hash, config_to_dict

from mst.config import Config
from mst.train import dense_train_flops, restore_frac_for_flops, train

METHODS = {
    "dense": dict(sparse=False, hsa_mode="none"),
    "mst": dict(),  # SV (cubic) + MG growth + HSA (sparse pattern during the ultra-sparse phase)
    "mst_no_restore": dict(restore_frac=0.0),  # hold s_max to the end
    "mst_reverse_restore": dict(restore_shape="reverse"),  # restoration = the warm-up ramp played backwards
    "mst_rigl": dict(growth="gradient"),  # pure-gradient growth instead of MG
    # [R] the paper's headline budget: restoration shortened until the run counts 0.25x dense FLOPs (none at
    # all where even that counts more, as in the 60-iteration smoke preset)
    "mst_4x": dict(),
    # FLOPs-matched dense baselines (their FLOPs are reported against the full-size, full-length dense run)
    "dense_quarter": dict(sparse=False, hsa_mode="none"),  # a quarter of the iterations, own LR schedule
    "dense_small": dict(sparse=False, hsa_mode="none"),  # half the width, all the iterations
}
FLOPS_4X = 0.25
"""The paper's headline: about 75 % fewer training FLOPs."""

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


# GPT-2 small (12 layers, 12 heads, d = 768, context 1024) on every stdlib source file, bytes as tokens, sized
# for one GPU: 2 000 iterations x 16 x 1024 tokens (33M tokens, about one pass over the corpus).
# Optimiser as the reference (AdamW 6e-4 -> 6e-5, beta2 0.95, wd 0.1, clip 1, bf16); DST every 25
# iterations and HSA W = 128 (the reference's atten_stride). Run by benchmarks/gpt2_small.py.
GPT2_SMALL = dict(
    n_layer=12,
    n_head=12,
    d_model=768,
    block_size=1024,
    seq_len=1024,
    batch_size=16,
    max_iters=2_000,
    warmup_iters=100,
    lr=6e-4,
    min_lr=6e-5,
    delta=25,
    hsa_window=128,
    eval_interval=200,
    eval_batches=20,
    checkpoint_every=200,
    device="cuda",
    dtype="bfloat16",
    data_dir=str(Path.home() / ".cache" / "mst" / "stdlib-all"),
    max_bytes=1_000_000_000,
)
# a CPU check of the same command: the full-size model, a few short iterations, a checkpoint
GPT2_SMOKE = dict(max_iters=6, warmup_iters=1, seq_len=64, batch_size=2, delta=2, eval_interval=3,
                  eval_batches=1, checkpoint_every=3, device="cpu", dtype="float32")  # fmt: skip


def gpt2_config(method: str, seed: int = 0, smoke: bool = False, **overrides) -> Config:
    """The GPT-2-small run of ``method`` (a key of :data:`METHODS`), or its CPU smoke check."""
    kw = {**GPT2_SMALL, **(GPT2_SMOKE if smoke else {}), **overrides}
    return preset_config(method, "", seed, **kw)


def preset_config(method: str, preset: str, seed: int, **overrides) -> Config:
    """``method`` at ``preset`` ("" = no preset: the overrides and the defaults only)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid: {list(METHODS)}")
    base = PRESETS[preset] if preset else {}
    cfg = Config(**{"data_dir": DATA_DIR, **base, **METHODS[method], "seed": seed, **overrides})
    if method == "mst_4x":
        cfg = dataclasses.replace(cfg, restore_frac=restore_frac_for_flops(cfg, FLOPS_4X, clip=True))
    elif method == "dense_quarter":
        cfg = dataclasses.replace(cfg, max_iters=cfg.max_iters // 4)
    elif method == "dense_small":
        cfg = dataclasses.replace(cfg, d_model=cfg.d_model // 2)
    return cfg


def run_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
    cfg = preset_config(method, preset, seed, run_dir=str(Path(out_dir) / "run"))
    res = train(cfg)
    h = config_hash(config_to_dict(dataclasses.replace(cfg, run_dir="")))

    def rec(metric: str, value: float, step: int | None = None) -> ResultRecord:
        return ResultRecord("mst", "gpt_stdlib", method, seed, metric, float(value), step, h)

    out = [rec("final_val_loss", res.final_val_loss, cfg.max_iters)]
    out += [rec("val_loss", v, s) for s, v in res.val_curve]
    # against the full-size, full-length dense run (equal to res.train_flops_rel for the same-size methods)
    flops_rel = res.train_flops / dense_train_flops(preset_config("dense", preset, seed))
    out += [rec("train_flops_rel", flops_rel), rec("final_sparsity", res.final_sparsity)]
    out += [rec("sparsity", s, it) for it, s in res.sparsity_trace]
    return out


EXPERIMENTS = [
    Experiment(
        package="mst",
        name="gpt_stdlib",
        description="Tiny GPT on Python-stdlib bytes: dense vs MST (SV + MG + HSA); restoration and growth-rule "
        "ablations; MST sized to 0.25x FLOPs and dense baselines trained for about the same FLOPs.",
        methods=tuple(METHODS),
        proposed="mst",
        metric="final_val_loss",
        higher_is_better=False,
        run=run_cell,
        seconds={"smoke": 5, "quick": 40, "paper": 600},  # quick: 24 cells, ~16 cell-minutes
        seeds={"smoke": 1, "quick": 3, "paper": 2},
        curve_metric="val_loss",
        flops_metric="train_flops_rel",
        claim="MST matches dense validation loss with a fraction of the training FLOPs; restoration matters.",
    )
]
