"""Slots per second of the UMO2 simulation loop, seeds vectorised as rows, one thread.

    uv run --package umo2 python packages/umo2/benchmarks/bench_speed.py [--slots 20000 --seeds 10]
    uv run --package umo2 python packages/umo2/benchmarks/bench_speed.py --slots 100000 --algorithms umo2

Prints slot-steps per second (one step advances every row by one slot), seed-slots per second, and wall and
CPU seconds (CPU time is the fair figure on a shared machine: it does not count time spent waiting), for
UMO2 and, as the reference measured in the same run, the oracle (no learning: the loop's own cost).
The issue's target is 10^5 slots x 10 seeds within a minute; ``--slots 100000`` measures it directly
(the wall time of the whole run is printed too).
"""

from __future__ import annotations

import argparse
import os
import time

from paperkit import set_threads

from umo2 import RunConfig, load_topology, simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--slots", type=int, default=20_000)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--algorithms", nargs="+", default=["oracle", "umo2", "stale", "random"])
    ap.add_argument("--topologies", nargs="+", default=["diamond", "line3"])
    args = ap.parse_args()
    set_threads(1)
    print(
        f"{args.seeds} seeds vectorised, {args.slots} slots, 1 thread; load average {os.getloadavg()[0]:.1f}"
    )
    ref = None
    for topology in args.topologies:
        for algo in args.algorithms:
            cfg = RunConfig(algorithm=algo, topology=topology, horizon=args.slots)
            t0, c0 = time.perf_counter(), time.process_time()
            simulate(load_topology(topology), cfg, [args.slots] * args.seeds, list(range(args.seeds)))
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            rate = args.slots / dt
            ref = ref or rate
            print(
                f"{topology:8s} {algo:8s} {rate:10.0f} slot-steps/s {rate * args.seeds:12.0f} seed-slots/s "
                f"({rate / ref:.2f}x first row); wall {dt:.1f} s, CPU {cpu:.1f} s; "
                f"1e5 slots x {args.seeds} seeds: {1e5 / rate:.1f} s wall, {cpu * 1e5 / args.slots:.1f} s CPU"
            )
    print(f"load average at the end {os.getloadavg()[0]:.1f} (other processes share the cores)")


if __name__ == "__main__":
    main()
