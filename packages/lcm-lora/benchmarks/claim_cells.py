"""Run the cells the README's claims need, one at a time, skipping finished ones (resumable).

The claims compare LCM-LoRA at 4 steps with the teacher's DDIM-25 and DPM-Solver++ (2 and 4 steps), on the
base model and on the style plug-in; the other cells (DDIM-50, 8 steps, ...) are left to ``reproduce``.
Each seed trains one pipeline (shared by its cells), so run seeds in separate processes to use 2 cores:

    python packages/lcm-lora/benchmarks/claim_cells.py --preset quick --seeds 0 --out runs/lcm-claims &
    python packages/lcm-lora/benchmarks/claim_cells.py --preset quick --seeds 1 --out runs/lcm-claims &

then ship ``runs/lcm-claims/quick`` with ``python -m paperkit.evidence ship``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from paperkit import run_cell
from paperkit.experiments import cell_dir

from lcm_lora.experiments import EXPERIMENTS

# cheap cells first, the 50-NFE teacher last
CELLS: dict[str, tuple[str, ...]] = {
    "base": ("lcm-4", "lcm-2", "lcm-1", "ddim-2", "dpmsolver-2", "ddim-4", "dpmsolver-4", "ddim-25"),
    "style": ("lcm-4", "lcm-2", "ddim-2", "dpmsolver-2", "ddim-4", "dpmsolver-4", "ddim-25"),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="quick", choices=["smoke", "quick", "paper"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--backbone", default="sd", choices=["sd", "digits"])
    parser.add_argument("--out", type=Path, default=Path("runs/lcm-claims"))
    args = parser.parse_args()
    by_name = {e.name: e for e in EXPERIMENTS}
    for seed in args.seeds:
        for setting, methods in CELLS.items():
            exp = by_name[f"{args.backbone}-{setting}"]
            for method in methods:
                d = cell_dir(args.out / args.preset, exp, method, seed)
                if (d / "records.jsonl").exists():
                    continue
                t0 = time.perf_counter()
                recs = run_cell(exp, method=method, seed=seed, preset=args.preset, out_dir=d)
                fd = next(r.value for r in recs if r.metric == exp.metric)
                print(
                    f"{exp.name} {method} seed {seed}: FD {fd:.2f} ({time.perf_counter() - t0:.0f} s)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
