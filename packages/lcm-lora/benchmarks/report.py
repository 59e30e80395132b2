"""The README tables from a records folder (shipped evidence or a fresh run): per experiment and method, the
mean over seeds with its two-sided 95% Student-t interval (``mean ± half-width``), and paired per-seed
differences of LCM-LoRA 4 steps against each baseline.

    python packages/lcm-lora/benchmarks/report.py packages/lcm-lora/evidence/quick
    python packages/lcm-lora/benchmarks/report.py runs/lcm-claims/quick --samples runs/lcm-claims/quick --docs packages/lcm-lora/docs
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from pathlib import Path

from paperkit.experiments import final_values
from paperkit.records import folder_records
from paperkit.summary import ci95_halfwidth

METRICS = (("fd_digits", 1), ("accuracy", 3), ("style_rate", 3))
MODEL = {
    ("base", True): "T0 + τ_LCM",
    ("base", False): "T0",
    ("style", True): "T0 + 0.8 τ_style + 1.0 τ_LCM",
    ("style", False): "T1 = T0 + τ_style",
}


def fmt(vals: list[float], digits: int) -> str:
    mean = statistics.fmean(vals)
    if len(vals) < 2:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {ci95_halfwidth(vals):.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path, help="a records folder (<out>/<preset> or evidence/<folder>)")
    parser.add_argument("--samples", type=Path, default=None, help="a run folder with _shared/seed*/samples")
    parser.add_argument("--docs", type=Path, default=None, help="copy the first seed's sample grids here")
    args = parser.parse_args()
    records = folder_records(args.root)
    experiments = sorted({r.experiment for r in records if r.experiment != "lora-params"})
    for exp in experiments:
        rs = [r for r in records if r.experiment == exp]
        setting = exp.rsplit("-", 1)[1]
        finals = {name: final_values(rs, name) for name, _ in (*METRICS, ("nfe", 0))}
        nfes = {m: int(next(iter(v.values()))) for m, v in finals["nfe"].items()}
        methods = sorted(nfes, key=lambda m: (not m.startswith("lcm"), nfes[m], m))
        print(f"\n{exp}: mean ± 95% t-interval over seeds\n")
        print("| model | sampler | NFE | seeds | FD-digits ↓ | accuracy ↑ | style rate |")
        print("|---|---|---|---|---|---|---|")
        for m in methods:
            seeds = finals["fd_digits"].get(m, {})
            cells = [fmt(list(finals[name].get(m, {}).values()), d) for name, d in METRICS]
            nfe = int(next(iter(finals["nfe"][m].values())))
            print(
                f"| {MODEL[setting, m.startswith('lcm')]} | {m} | {nfe} | {len(seeds)} | "
                + " | ".join(cells)
                + " |"
            )
        fd = finals["fd_digits"]
        if "lcm-4" in fd:
            print(f"\n{exp}: FD-digits of lcm-4 minus baseline, paired by seed (negative favours LCM)\n")
            print("| baseline | per seed | mean ± 95% t-interval | FD ratio lcm-4 / baseline |")
            print("|---|---|---|---|")
            for b in methods:
                shared = sorted(set(fd["lcm-4"]) & set(fd.get(b, {})))
                if b == "lcm-4" or len(shared) < 2:
                    continue
                diffs = [fd["lcm-4"][s] - fd[b][s] for s in shared]
                ratio = statistics.fmean(fd["lcm-4"][s] for s in shared) / statistics.fmean(
                    fd[b][s] for s in shared
                )
                per = ", ".join(f"{d:+.1f}" for d in diffs)
                print(f"| {b} | {per} | {fmt(diffs, 1)} | {ratio:.2f} |")
    if args.docs is not None and args.samples is not None:
        runs = sorted((args.samples / "lcm-lora" / "_shared").glob("seed0-*"))
        args.docs.mkdir(parents=True, exist_ok=True)
        for png in sorted((runs[0] / "samples").glob("*.png")) if runs else []:
            shutil.copy(png, args.docs / f"sd-{png.name}")
            print(f"copied sd-{png.name}")


if __name__ == "__main__":
    main()
