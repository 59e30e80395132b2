"""Seeds in one vectorised batch against the per-seed cell loop, same run: seed-rounds per second.

    uv run --package uniinf python packages/uniinf/benchmarks/bench_batch.py [--experiment e5_gap_scaling
        --preset smoke --seeds 10 --reps 3]

Both arms produce the same records seed by seed (tests/test_experiments.py); this measures what the batch
buys. Each repetition times the batch (all seeds as rows) and the loop (one cell per seed) back to back,
alternating their order; the figure is the median over repetitions. CPU time of this process is reported
next to the wall time, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import os

from paperkit import set_threads
from paperkit.timing import time_arms

from uniinf.experiments import GRIDS, batch_records


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--experiment", default="e5_gap_scaling", choices=sorted(GRIDS))
    ap.add_argument("--method", default="uniinf")
    ap.add_argument("--preset", default="smoke")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    set_threads(1)
    grid = GRIDS[args.experiment](args.preset)
    seed_rounds = args.seeds * sum(i.horizon for i in grid.instances)
    seeds = list(range(args.seeds))

    def batch() -> None:
        batch_records(args.experiment, args.method, seeds, args.preset)

    def loop() -> None:
        for s in seeds:
            batch_records(args.experiment, args.method, [s], args.preset)

    times = time_arms({"batch": batch, "per-seed loop": loop}, args.reps)
    print(
        f"uniinf {args.experiment} ({args.method}), preset {args.preset}: {args.seeds} seeds x "
        f"{len(grid.instances)} rows, {seed_rounds:.3g} seed-rounds per arm; median of {args.reps} reps; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    ref = times["per-seed loop"].cpu
    for name, t in times.items():
        print(
            f"  {name:14s} wall {t.wall:7.2f} s  CPU {t.cpu:7.2f} s  {t.rate(seed_rounds, 'cpu'):10.3g} seed-rounds per CPU-s"
            f"  ({ref / t.cpu:.1f}x the per-seed loop)"
        )


if __name__ == "__main__":
    main()
