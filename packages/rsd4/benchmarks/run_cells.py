"""Run chosen cells of one reproduction (a subset of its methods), in the layout `rsd4 reproduce` writes.

uv run --package rsd4 python packages/rsd4/benchmarks/run_cells.py paper hidden-sticky-channel rsd4 sd3 \
    --seeds 3 --out /tmp/rsd4_runs
"""

from __future__ import annotations

import argparse
from pathlib import Path

from paperkit import set_threads
from paperkit.experiments import PRESETS as PAPERKIT_PRESETS
from paperkit.experiments import run_cell

from rsd4.experiments import EXPERIMENTS, PRESETS


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("preset", choices=tuple(PRESETS))
    ap.add_argument("experiment", choices=[e.name for e in EXPERIMENTS])
    ap.add_argument("methods", nargs="+")
    ap.add_argument("--seeds", type=int, default=3, help="seeds 0..SEEDS-1 (finished ones are skipped)")
    ap.add_argument("--out", type=Path, default=Path("runs/reproduce"))
    args = ap.parse_args()
    set_threads(1)
    exp = next(e for e in EXPERIMENTS if e.name == args.experiment)
    for method in args.methods:
        if method not in exp.methods:
            raise ValueError(f"method {method!r} is not in {args.experiment}: {exp.methods}")
        for seed in range(args.seeds):
            out = args.out / args.preset / "rsd4" / exp.name / method / f"seed{seed}"
            if (out / "records.jsonl").exists() or (
                args.preset not in PAPERKIT_PRESETS and (out / "result.json").exists()
            ):
                continue  # finished cells are skipped, as in `rsd4 reproduce`
            print(f"[{exp.name}] {method} seed {seed} ...", flush=True)
            if args.preset in PAPERKIT_PRESETS:  # records.jsonl too, as `rsd4 reproduce` writes it
                run_cell(exp, method=method, seed=seed, preset=args.preset, out_dir=out)
            else:
                exp.run(method=method, seed=seed, preset=args.preset, out_dir=out)


if __name__ == "__main__":
    main()
