"""Where the unigram plateau ends: the measurement that places ``mst_late``'s pruning start (issue 25).

A byte model first learns the byte frequencies (train loss falls to the corpus's unigram entropy H1) and
sits near that plateau before it learns anything else. Pruning is meant to start after that (gradual
pruning prunes a model that has learnt something). This script trains the dense model of a preset and
prints, per seed, the first iteration at which the train loss, averaged over a 10-iteration window, is
below ``0.9 * H1`` (clearly past unigram statistics).

    python benchmarks/plateau.py --preset quick --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from paperkit import set_threads

from mst.data import load_split
from mst.experiments import preset_config
from mst.train import ensure_corpus, train


def unigram_entropy(tokens: np.ndarray) -> float:
    """Entropy (nats) of the byte frequencies: the loss of the best model that ignores context."""
    p = np.bincount(tokens, minlength=256).astype(np.float64)
    p = p[p > 0] / p.sum()
    return float(-(p * np.log(p)).sum())


def plateau_end(train_curve: list[tuple[int, float]], h1: float, window: int = 10, frac: float = 0.9) -> int:
    """First iteration whose trailing ``window``-iteration mean train loss is below ``frac * h1``."""
    loss = np.array([v for _, v in train_curve])
    for i in range(window, len(loss) + 1):
        if loss[i - window : i].mean() < frac * h1:
            return int(train_curve[i - 1][0])
    return -1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default="runs/plateau")
    ap.add_argument("--until", type=int, default=300, help="iterations to train (of the preset's run)")
    args = ap.parse_args()
    set_threads(1)
    for seed in args.seeds:
        cfg = preset_config("dense", args.preset, seed, run_dir=f"{args.out}/{args.preset}/seed{seed}")
        ensure_corpus(cfg)
        h1 = unigram_entropy(load_split(cfg.data_dir, "train"))
        res = train(cfg, until=args.until)  # the first iterations of the preset's run, same schedule
        end = plateau_end(res.train_curve, h1)
        windows = [
            round(float(np.mean([v for _, v in res.train_curve[i : i + 25]])), 3) for i in range(0, 250, 25)
        ]
        print(json.dumps({"preset": args.preset, "seed": seed, "unigram_entropy": round(h1, 4),
                          "plateau_end": end, "plateau_end_frac": end / cfg.max_iters, "until": args.until,
                          "train_loss_per_25_its_0_250": windows}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
