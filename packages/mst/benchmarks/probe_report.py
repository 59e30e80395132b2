"""Tables of issue 25's probes from records (a run folder or a shipped evidence folder).

python benchmarks/probe_report.py evidence/width-probe evidence/quick
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from paperkit.evidence import load_folder
from paperkit.experiments import final_values


def _cell(values: dict[int, float], pct: bool = False) -> str:
    v = [values[s] for s in sorted(values)]
    f = (lambda x: f"{100 * x:+.1f}%") if pct else (lambda x: f"{x:.4f}")
    return f"{f(float(np.mean(v)))} ({', '.join(f(x) for x in v)})" if v else "—"


def width_table(folder: Path) -> str:
    recs = [r for r in load_folder(folder)[0] if r.experiment == "width"]
    lines = ["| d | fan-in at 90 % | seeds | dense | MST | dense at MST's FLOPs | MST FLOPs | gap to dense "
             "| gap to equal-FLOPs dense | headroom |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    fv = {m: final_values(recs, m) for m in ("final_val_loss", "dense_val_loss", "matched_val_loss", "gap",
                                               "gap_matched", "headroom", "train_flops_rel", "fan_in_at_s_max",
                                               "d_model")}  # fmt: skip
    for method in ("w64", "w256", "w512"):
        if method not in fv["gap"]:
            continue
        g = fv["gap"][method]
        lines.append(
            f"| {int(next(iter(fv['d_model'][method].values())))} "
            f"| {next(iter(fv['fan_in_at_s_max'][method].values())):.1f} | {len(g)} "
            f"| {_cell(fv['dense_val_loss'][method])} | {_cell(fv['final_val_loss'][method])} "
            f"| {_cell(fv['matched_val_loss'][method])} "
            f"| {np.mean(list(fv['train_flops_rel'][method].values())):.3f}x "
            f"| {_cell(g, True)} | {_cell(fv['gap_matched'][method], True)} | {_cell(fv['headroom'][method], True)} |"
        )
    return "\n".join(lines)


def warmup_table(folder: Path) -> str:
    recs = [r for r in load_folder(folder)[0] if r.experiment == "gpt_stdlib"]
    fv, flops = final_values(recs, "final_val_loss"), final_values(recs, "train_flops_rel")
    lines = ["| method | seeds | final val loss (mean; per seed) | train FLOPs | minus `mst` (per seed) |",
             "|---|---|---|---|---|"]  # fmt: skip
    for m in ("dense", "mst", "mst_late", "mst_no_restore", "mst_rigl"):
        if m not in fv:
            continue
        diff = ", ".join(f"{fv[m][s] - fv['mst'][s]:+.4f}" for s in sorted(fv[m]) if s in fv.get("mst", {}))
        lines.append(
            f"| {m} | {len(fv[m])} | {_cell(fv[m])} | {np.mean(list(flops[m].values())):.3f}x | {diff} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    width, quick = (Path(a) for a in sys.argv[1:3])
    print(width_table(width), "\n")
    print(warmup_table(quick))
