"""Summary tables of a ``reproduce`` output folder, from the result records alone: mean ± 95% CI of every
scalar metric per experiment and method (:func:`summarize_folder`), mean ± s.e. of chosen final metrics
(:func:`metric_table`) and a curve metric's mean per logged step (:func:`curve_table`).

    python -m paperkit.summary ROOT [METRIC ...]        # metric_table (all final metrics when none given)
    python -m paperkit.summary ROOT --curve METRIC      # curve_table
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from pathlib import Path

from paperkit.experiments import final_values
from paperkit.records import ResultRecord, folder_records

# two-sided 95% Student-t quantiles by degrees of freedom (1..30); beyond, a Cornish-Fisher expansion
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip


def t95(df: int) -> float:
    """The two-sided 95% Student-t quantile for ``df`` degrees of freedom (within 0.001 for df > 30)."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if df <= len(_T95):
        return _T95[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def ci95_halfwidth(values: list[float]) -> float:
    """Half-width of the two-sided 95% Student-t interval of the mean (0 for fewer than two values)."""
    n = len(values)
    if n < 2:
        return 0.0
    return t95(n - 1) * statistics.stdev(values) / math.sqrt(n)


def mean_ci(values: list[float], digits: int = 3) -> str:
    """``mean ± 95% t-interval half-width``, the mean to ``digits`` significant digits."""
    m = statistics.fmean(values)
    if len(values) < 2:
        return f"{m:.{digits}g}"
    return f"{m:.{digits}g} ± {ci95_halfwidth(values):.2g}"


def metric_table(
    records: list[ResultRecord], metrics: tuple[str, ...] = (), ci: bool = False, digits: int = 3
) -> str:
    """Per experiment, a markdown table of each method's final value of ``metrics`` (all non-curve metrics when
    empty): mean ± standard error over seeds (``ci``: ± the 95% t-interval's half-width), methods in first-seen
    order."""
    out: list[str] = []
    for exp in sorted({r.experiment for r in records}):
        rs = [r for r in records if r.experiment == exp]
        names = metrics or tuple(
            sorted({r.metric for r in rs if r.step is None and r.metric != "cell_seconds"})
        )
        methods = list(dict.fromkeys(r.method for r in rs))
        spread = "95% t-interval half-width" if ci else "s.e."
        out += [f"\n{exp} (mean ± {spread} over seeds)\n", "| method | seeds | " + " | ".join(names) + " |"]
        out.append("|---" * (len(names) + 2) + "|")
        for method in methods:
            cells, n = [], 0
            for name in names:
                vals = list(
                    final_values([r for r in rs if r.method == method], name).get(method, {}).values()
                )
                n = max(n, len(vals))
                if not vals:
                    cells.append("–")
                elif len(vals) == 1:
                    cells.append(f"{vals[0]:.{digits}g}")
                else:
                    half = ci95_halfwidth(vals) if ci else statistics.stdev(vals) / math.sqrt(len(vals))
                    cells.append(f"{statistics.fmean(vals):.{digits}g} ± {half:.2g}")
            out.append(f"| {method} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def curve_table(records: list[ResultRecord], metric: str, ci: bool = False, digits: int = 3) -> str:
    """Per experiment, the mean over seeds of a curve metric at each logged step, one column per method
    (``ci``: ± the 95% t-interval's half-width)."""
    out: list[str] = []
    for exp in sorted({r.experiment for r in records}):
        rs = [r for r in records if r.experiment == exp and r.metric == metric and r.step is not None]
        methods = list(dict.fromkeys(r.method for r in rs))
        out += [
            f"\n{exp}: {metric} vs env steps (mean over seeds)\n",
            "| step | " + " | ".join(methods) + " |",
        ]
        out.append("|---" * (len(methods) + 1) + "|")
        for step in sorted({r.step for r in rs if r.step is not None}):
            cells = []
            for method in methods:
                vals = [r.value for r in rs if r.method == method and r.step == step]
                cells.append(
                    (mean_ci(vals, digits) if ci else f"{statistics.fmean(vals):.1f}") if vals else "–"
                )
            out.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None, default_metrics: tuple[str, ...] = ()) -> None:
    """``ROOT [METRIC ...] [--ci]`` prints :func:`metric_table`; ``ROOT --curve METRIC [--ci]`` prints
    :func:`curve_table` (``--ci``: ± 95% t-interval half-widths instead of standard errors)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    ci = "--ci" in args
    args = [a for a in args if a != "--ci"]
    if not args or args[0].startswith("-"):
        raise SystemExit("usage: ROOT [METRIC ...] [--ci] | ROOT --curve METRIC [--ci]")
    root = Path(args[0])
    if not root.is_dir():
        raise SystemExit(f"not a folder: {root}")
    records = folder_records(root)
    if len(args) == 3 and args[1] == "--curve":
        print(curve_table(records, args[2], ci=ci))
    else:
        print(metric_table(records, tuple(args[1:]) or default_metrics, ci=ci))


def summarize_folder(root: str | Path) -> str:
    """Markdown tables: per experiment, the mean ± 95% CI (Student t) over seeds of each metric's last value
    per method, then every ``regret_vs_*`` curve point."""
    out: list[str] = []
    # experiment -> metric -> method -> seed -> (step, value) of the last step
    table: dict[str, dict[str, dict[str, dict[int, tuple[float, float]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict))
    )
    per_step: dict[tuple[str, str, str, int], list[float]] = defaultdict(list)
    for r in folder_records(root):
        if r.metric == "cell_seconds":
            continue
        step = -1.0 if r.step is None else float(r.step)
        cell = table[r.experiment][r.metric][r.method]
        if r.seed not in cell or step >= cell[r.seed][0]:
            cell[r.seed] = (step, r.value)
        if r.metric.startswith("regret_vs_"):
            per_step[(r.experiment, r.metric, r.method, int(step))].append(r.value)
    for exp, metrics in table.items():
        names = sorted(metrics)
        methods = list(next(iter(metrics.values())))
        out.append(f"\n### {exp}\n")
        out.append("| method | " + " | ".join(names) + " |")
        out.append("|---" * (len(names) + 1) + "|")
        for method in methods:
            cells = []
            for name in names:
                vals = [v for _, v in metrics[name].get(method, {}).values()]
                cells.append(mean_ci(vals) if vals else "")
            n = len(next(iter(metrics.values())).get(method, {}))
            out.append(f"| {method} ({n} seeds) | " + " | ".join(cells) + " |")
        rows = sorted(k for k in per_step if k[0] == exp)
        if rows:
            out.append("")
            for _, metric, method, step in rows:
                out.append(f"- {metric} {method} @ {step}: {mean_ci(per_step[(exp, metric, method, step)])}")
    return "\n".join(out)


if __name__ == "__main__":
    main()
