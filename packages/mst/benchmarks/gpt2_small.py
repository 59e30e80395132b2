"""GPT-2 small, dense vs MST, on one GPU in one command (see the README's "GPU run" section).

    python benchmarks/gpt2_small.py --out runs/gpt2                       # dense, then MST (cuda, bf16)
    python benchmarks/gpt2_small.py --out runs/gpt2 --methods mst_4x dense_quarter
    python benchmarks/gpt2_small.py --out /tmp/gpt2-smoke --smoke         # CPU check: full-size model,
                                                                          # 6 short iterations, checkpoints

Each method trains in ``<out>/<method>`` with a checkpoint every 200 iterations and resumes from it when the
command is run again (a run cut off by a time limit loses at most 200 iterations); a finished method is
read back from its ``final`` checkpoint, not retrained. Prints one line per method and a summary table,
and writes ``<out>/summary.json``. Before training, it prints the counted FLOPs each method will spend
(exact, from the schedule alone), so the wall time on a given GPU can be estimated before starting.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from paperkit import atomic_write_json, load_checkpoint, set_threads

from mst.experiments import METHODS, gpt2_config
from mst.train import dense_train_flops, planned_flops_rel, train


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, default=Path("runs/gpt2"))
    p.add_argument("--methods", nargs="+", default=["dense", "mst"], choices=list(METHODS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-iters", type=int, default=0, help="override the preset's 2 000 iterations")
    p.add_argument("--smoke", action="store_true", help="CPU check: 6 iterations of 2 x 64 tokens")
    args = p.parse_args()
    set_threads(1 if args.smoke else 8)
    extra = {"max_iters": args.max_iters} if args.max_iters else {}
    ref = dense_train_flops(gpt2_config("dense", args.seed, args.smoke, **extra))
    rows = []
    for method in args.methods:
        cfg = gpt2_config(method, args.seed, args.smoke, **extra)
        cfg = dataclasses.replace(cfg, run_dir=str(args.out / method), resume=True)
        flops = planned_flops_rel(cfg) * dense_train_flops(cfg)
        print(f"{method}: {cfg.n_layer} layers, d = {cfg.d_model}, {cfg.max_iters} iterations of "
              f"{cfg.batch_size} x {cfg.seq_len} tokens, restore_frac {cfg.restore_frac}; "
              f"counted FLOPs {flops:.3e} ({flops / ref:.3f}x dense)", flush=True)  # fmt: skip
        final = args.out / method / "final"
        t0 = time.perf_counter()
        if (final / "state.json").exists():
            state = load_checkpoint(final).state
            val_curve, spent = state["val_curve"], state["flops"]["sparse"]
        else:
            res = train(cfg)
            val_curve, spent = res.val_curve, res.train_flops
        row = {"method": method, "final_val_loss": val_curve[-1][1], "val_curve": val_curve,
               "train_flops": spent, "train_flops_rel": spent / ref, "seconds": time.perf_counter() - t0,
               "device": cfg.device, "dtype": cfg.dtype}  # fmt: skip
        rows.append(row)
        print(f"{method}: final val loss {row['final_val_loss']:.4f} nats/byte, "
              f"{row['train_flops_rel']:.3f}x dense FLOPs, {row['seconds']:.0f} s this call", flush=True)  # fmt: skip
    atomic_write_json(args.out / "summary.json", {"smoke": args.smoke, "rows": rows})
    dense = next((r["final_val_loss"] for r in rows if r["method"] == "dense"), None)
    print("\n| method | final val loss | gap to dense | train FLOPs vs dense |\n|---|---|---|---|")
    for r in rows:
        gap = f"{100 * (r['final_val_loss'] - dense) / dense:+.2f}%" if dense else "-"
        print(f"| {r['method']} | {r['final_val_loss']:.4f} | {gap} | {r['train_flops_rel']:.3f}x |")


if __name__ == "__main__":
    main()
