"""The Ray backend's overhead against the local backend, same cells, same machine, alternating.

    python apps/bench/benchmarks/ray_overhead.py uniinf icvar --preset smoke --workers 2 --reps 3

Each repetition runs the grid into a fresh folder with the local backend, then with Ray (a local instance
started once, its actors warm from the first repetition on, as on a cluster that stays up); prints each wall
time and the median ratio ray / local with its range.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from paperkit import discover

from bench.grid import build_grid, write_manifest
from bench.runner import run_cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="+")
    parser.add_argument("--preset", default="smoke")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    import ray

    found = discover()
    experiments = [e for p in args.packages for e in found[p]]
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    walls: dict[str, list[float]] = {"local": [], "ray": []}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.reps):
            for backend in ("local", "ray"):
                root = Path(tmp) / f"{backend}-{rep}"
                write_manifest(root, experiments, preset=args.preset)
                cells = build_grid(experiments, preset=args.preset, seeds=None, root=root)
                t0 = time.perf_counter()
                summary = run_cells(cells, workers=args.workers, backend=backend, log=lambda s: None)
                walls[backend].append(time.perf_counter() - t0)
                failed = len(summary.failed)
                print(
                    f"rep {rep} {backend:5s}: {len(cells)} cells in {walls[backend][-1]:.1f} s ({failed} failed)"
                )
    ray.shutdown()
    ratios = [r / loc for r, loc in zip(walls["ray"], walls["local"])]
    print(
        f"ray / local wall time: median {statistics.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}, "
        f"{args.reps} alternating repetitions, {args.workers} workers, preset {args.preset})"
    )


if __name__ == "__main__":
    main()
