"""Seeds in one vectorised batch against the per-seed cell loop, same run: seed-slots per second.

    uv run --package umo2 python packages/umo2/benchmarks/bench_batch.py [--experiment line3
        --method umo2 --preset quick --seeds 10 --reps 3]

Both arms produce the same records seed by seed (tests/test_train.py); this measures what the batch buys.
Each repetition times the batch (all seeds x horizons as rows) and the loop (one cell per seed) back to
back, alternating their order; the figure is the median over repetitions. CPU time of this process is
reported next to the wall time, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import os

from paperkit import set_threads
from paperkit.timing import time_arms

from umo2.experiments import HORIZONS, TOPOLOGY_OF, batch_records


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--experiment", default="line3", choices=sorted(TOPOLOGY_OF))
    ap.add_argument("--method", default="umo2")
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    set_threads(1)
    seed_slots = args.seeds * sum(HORIZONS[args.preset])
    seeds = list(range(args.seeds))
    topo = TOPOLOGY_OF[args.experiment]
    batch_records(args.experiment, topo, args.method, [0], "smoke")  # warm: reference LPs are cached

    def batch() -> None:
        batch_records(args.experiment, topo, args.method, seeds, args.preset)

    def loop() -> None:
        for s in seeds:
            batch_records(args.experiment, topo, args.method, [s], args.preset)

    times = time_arms({"batch": batch, "per-seed loop": loop}, args.reps)
    print(
        f"umo2 {args.experiment} ({args.method}), preset {args.preset}: {args.seeds} seeds x "
        f"T in {HORIZONS[args.preset]}, {seed_slots:.3g} seed-slots per arm; median of {args.reps} reps; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    ref = times["per-seed loop"].cpu
    for name, t in times.items():
        print(
            f"  {name:14s} wall {t.wall:7.2f} s  CPU {t.cpu:7.2f} s  {t.rate(seed_slots, 'cpu'):10.3g} seed-slots per CPU-s"
            f"  ({ref / t.cpu:.1f}x the per-seed loop)"
        )


if __name__ == "__main__":
    main()
