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

# two-sided 95% Student-t quantiles by degrees of freedom
_T95 = {
    1: 12.71,
    2: 4.30,
    3: 3.18,
    4: 2.78,
    5: 2.57,
    6: 2.45,
    7: 2.36,
    8: 2.31,
    9: 2.26,
    10: 2.23,
    14: 2.14,
    19: 2.09,
}


def ci95_halfwidth(values: list[float]) -> float:
    """Half-width of the two-sided 95% Student-t interval of the mean (0 for fewer than two values)."""
    n = len(values)
    if n < 2:
        return 0.0
    return _T95.get(n - 1, 2.0) * statistics.stdev(values) / math.sqrt(n)


def mean_ci(values: list[float]) -> str:
    m = statistics.fmean(values)
    if len(values) < 2:
        return f"{m:.3g}"
    return f"{m:.3g} ± {ci95_halfwidth(values):.2g}"


def metric_table(records: list[ResultRecord], metrics: tuple[str, ...] = ()) -> str:
    """Per experiment, a markdown table of each method's final value of ``metrics`` (all non-curve metrics when
    empty): mean ± standard error over seeds, methods in first-seen order."""
    out: list[str] = []
    for exp in sorted({r.experiment for r in records}):
        rs = [r for r in records if r.experiment == exp]
        names = metrics or tuple(
            sorted({r.metric for r in rs if r.step is None and r.metric != "cell_seconds"})
        )
        methods = list(dict.fromkeys(r.method for r in rs))
        out += [f"\n{exp} (mean ± s.e. over seeds)\n", "| method | seeds | " + " | ".join(names) + " |"]
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
                    cells.append(f"{vals[0]:.3g}")
                else:
                    se = statistics.stdev(vals) / math.sqrt(len(vals))
                    cells.append(f"{statistics.fmean(vals):.3g} ± {se:.2g}")
            out.append(f"| {method} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def curve_table(records: list[ResultRecord], metric: str) -> str:
    """Per experiment, the mean over seeds of a curve metric at each logged step, one column per method."""
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
                cells.append(f"{statistics.fmean(vals):.1f}" if vals else "–")
            out.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None, default_metrics: tuple[str, ...] = ()) -> None:
    """``ROOT [METRIC ...]`` prints :func:`metric_table`; ``ROOT --curve METRIC`` prints :func:`curve_table`."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not args or args[0].startswith("-"):
        raise SystemExit("usage: ROOT [METRIC ...] | ROOT --curve METRIC")
    root = Path(args[0])
    if not root.is_dir():
        raise SystemExit(f"not a folder: {root}")
    records = folder_records(root)
    if len(args) == 3 and args[1] == "--curve":
        print(curve_table(records, args[2]))
    else:
        print(metric_table(records, tuple(args[1:]) or default_metrics))


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
