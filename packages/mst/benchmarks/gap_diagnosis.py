"""Where does MST's loss gap to dense come from at tiny scale? One seed per variant, quick-preset model.

    python benchmarks/gap_diagnosis.py [VARIANT ...]     # default: all variants, in order

Each variant is the quick preset (2 layers, d = 64, T = 64, batch 16, 1 000 iterations) with a few fields
changed. Prints one JSON line per variant: final validation loss, counted training FLOPs vs dense, the
validation curve, and the mean training loss over each window of 25 iterations (to locate the gap).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from paperkit import set_threads

from mst.experiments import preset_config
from mst.train import train

VARIANTS: dict[str, tuple[str, dict]] = {
    "dense": ("dense", {}),
    "mst": ("mst", {}),
    "mst_reverse_restore": ("mst", {"restore_shape": "reverse"}),
    # no topology evolution (only the net pruning/regrowth the schedule demands); reversed restoration
    "mst_reverse_zeta0": ("mst", {"restore_shape": "reverse", "zeta": 0.0}),
    "mst_zeta01": ("mst", {"zeta": 0.1}),
    "mst_delta50": ("mst", {"delta": 50}),
    "mst_delta100": ("mst", {"delta": 100}),  # the official code's interval in iterations
    "mst_reverse_no_hsa": ("mst", {"restore_shape": "reverse", "hsa_mode": "none"}),
    "mst_hsa_to_end": ("mst", {"hsa_end_frac": 1.0}),  # sparse attention through restoration (and eval)
    "mst_dense_lm_head": ("mst", {"sparse_lm_head": False}),
    "mst_s075": ("mst", {"s_max": 0.75}),
    "mst_s050": ("mst", {"s_max": 0.5}),
    "dense_d128": ("dense", {"d_model": 128}),
    "mst_d128": ("mst", {"d_model": 128}),
    "dense_3k": ("dense", {"max_iters": 3_000, "eval_interval": 300}),
    "mst_3k": ("mst", {"max_iters": 3_000, "eval_interval": 300}),
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/gap_diagnosis")
    args = p.parse_args()
    set_threads(1)
    for name in args.variants:
        method, kw = VARIANTS[name]
        cfg = preset_config(method, "quick", args.seed, run_dir=f"{args.out}/{name}-s{args.seed}", **kw)
        t0 = time.time()
        res = train(cfg)
        tl = np.array([v for _, v in res.train_curve])
        windows = [round(float(tl[i : i + 25].mean()), 3) for i in range(0, len(tl), 25)]
        row = dict(variant=name, seed=args.seed, changes=kw, final_val_loss=round(res.final_val_loss, 4),
                   train_flops_rel=round(res.train_flops_rel, 3), val_curve=res.val_curve,
                   train_loss_per_25=windows, seconds=round(time.time() - t0))  # fmt: skip
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
