"""Tokens/s and counted training FLOPs per token, dense vs MST, measured in the same run on one thread.

    python benchmarks/bench_speed.py [--iters 60] [--data-dir data/mst-stdlib]

Masks multiply dense tensors and sparse attention is a boolean SDPA mask, so MST cannot be faster in
wall-clock time on CPU kernels: its saving is the *counted* FLOPs. The MST run is measured in the
ultra-sparse phase (sparsity 0.9, HSA on), where the saving is largest.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from paperkit import Seeder, set_threads

from mst.attention import kept_fraction
from mst.config import Config
from mst.flops import flops_per_token
from mst.model import GPT
from mst.train import ensure_corpus, train


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--iters", type=int, default=60)
    p.add_argument("--data-dir", default="data/mst-stdlib")
    args = p.parse_args()
    set_threads(1)
    base = Config(data_dir=args.data_dir, max_iters=args.iters, eval_interval=args.iters, eval_batches=1,
                  run_dir="runs/bench/dense")  # fmt: skip
    ensure_corpus(base)
    # MST held in its ultra-sparse phase: s_max reached at once (staircase), no restoration, HSA throughout
    mst = dataclasses.replace(base, sparse=True, schedule_shape="staircase", restore_frac=0.0,
                              hsa_start_frac=0.0, delta=10, run_dir="runs/bench/mst")  # fmt: skip
    dense = dataclasses.replace(base, sparse=False, hsa_mode="none")
    tokens = args.iters * base.batch_size * base.seq_len
    rates, rel = {}, {}
    for name, cfg in (("dense", dense), ("mst", mst), ("dense (again)", dense)):
        t = time.perf_counter()
        res = train(cfg)
        rates[name] = tokens / (time.perf_counter() - t)
        rel[name] = res.train_flops_rel
    d = base
    sizes = [w.numel() for w in GPT(256, d.block_size, d.n_layer, d.n_head, d.d_model,
                                    Seeder(0).torch("init")).sparse_weights()[0]]  # fmt: skip
    dense_fpt = flops_per_token(sizes, d.n_layer, d.d_model, d.seq_len)
    attn_fpt = flops_per_token([0], d.n_layer, d.d_model, d.seq_len)
    print(f"model: {d.n_layer} layers, d={d.d_model}, T={d.seq_len}, batch {d.batch_size}, 1 thread")
    print(f"dense train FLOPs/token {dense_fpt:,.0f} (attention {attn_fpt:,.0f}); HSA '{d.hsa_mode}' "
          f"W={d.hsa_window} keeps {kept_fraction(d.hsa_mode, d.seq_len, d.hsa_window):.3f} of causal entries")  # fmt: skip
    for name in rates:
        print(f"{name:>14}: {rates[name]:9,.0f} tokens/s   counted train FLOPs/token {rel[name] * dense_fpt:12,.0f}"
              f" ({rel[name]:.3f}x dense, averaged over the run)")  # fmt: skip
    print(f"MST / dense (again) wall-clock speed: {rates['mst'] / rates['dense (again)']:.3f}; "
          f"counted FLOPs ratio: {rel['mst']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
