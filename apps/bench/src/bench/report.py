"""`bench report`: records of a run folder -> report.md, summary.json and PNG plots."""

from __future__ import annotations

import concurrent.futures
import json
import math
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from paperkit import ResultRecord, atomic_write_json, atomic_write_text, final_values
from paperkit.records import folder_records

from bench.aggregate import interval_estimates, probability_of_improvement
from bench.grid import read_manifest


def load_run(
    root: Path,
) -> tuple[dict[str, Any], dict[str, list[ResultRecord]], dict[str, list[dict[str, Any]]]]:
    """The manifest, records by experiment key, and failed cells by experiment key."""
    manifest = read_manifest(root)
    records: dict[str, list[ResultRecord]] = defaultdict(list)
    for r in folder_records(root):
        records[f"{r.package}/{r.experiment}"].append(r)
    failures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(Path(root).glob("**/error.json")):
        rel = path.parent.relative_to(root).parts  # package/experiment/method/seedN
        err = json.loads(path.read_text())
        silent = f"exit status {err.get('returncode', '?')}, no output"
        failures["/".join(rel[:2])].append(
            {"cell": "/".join(rel), "error": (err.get("log_tail") or [silent])[-1]}
        )
    return manifest, records, failures


def _fmt(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{x:.4g}"


def _iqm_cell(s: dict[str, float] | None) -> str:
    return f"{_fmt(s['iqm'])} [{_fmt(s['iqm_lo'])}, {_fmt(s['iqm_hi'])}]" if s else "–"


def _poi_cell(p: dict[str, float] | None) -> str:
    return f"{_fmt(p['p'])} [{_fmt(p['lo'])}, {_fmt(p['hi'])}]" if p else "–"


def _curves(records: list[ResultRecord], metric: str) -> dict[str, dict[float, list[float]]]:
    """method -> step -> values over seeds."""
    out: dict[str, dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        if r.metric == metric and r.step is not None:
            out[r.method][r.step].append(r.value)
    return out


def _estimates(
    finals: dict[str, dict[int, float]], proposed: str, higher_is_better: bool, reps: int
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    stats = interval_estimates(finals, reps=reps)
    poi = probability_of_improvement(finals, proposed, higher_is_better=higher_is_better, reps=reps)
    return stats, poi


def plot_curves(meta: dict[str, Any], records: list[ResultRecord], path: Path) -> bool:
    """Median over seeds with the interquartile band, one line per method. False if nothing to plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = meta.get("curve_metric") or meta["metric"]
    curves = _curves(records, metric)
    if not any(len(steps) > 1 for steps in curves.values()):
        return False
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for method in meta["methods"]:
        if method not in curves or len(curves[method]) < 2:
            continue
        steps = sorted(curves[method])
        vals = [np.asarray(curves[method][s]) for s in steps]
        med = [np.median(v) for v in vals]
        lo, hi = [np.quantile(v, 0.25) for v in vals], [np.quantile(v, 0.75) for v in vals]
        width = 2.2 if method == meta["proposed"] else 1.2  # the paper's method stands out
        (line,) = ax.plot(steps, med, label=method, linewidth=width)
        ax.fill_between(steps, lo, hi, alpha=0.2, color=line.get_color())
    if meta.get("log_log"):
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1.0)
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    ax.set_title(f"{meta['package']}/{meta['name']}", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def relative_performance(
    meta: dict[str, Any], finals: dict[str, dict[int, float]], method: str
) -> float | None:
    """Median score of ``method`` relative to the dense baseline (1 = as good as dense)."""
    dense = finals.get("dense")
    if not dense or not finals.get(method):
        return None
    d, m = float(np.median(list(dense.values()))), float(np.median(list(finals[method].values())))
    if meta["higher_is_better"]:
        return m / d if d != 0 else None
    return d / m if m != 0 else None


def plot_frontier(points: list[dict[str, Any]], path: Path) -> bool:
    if not points:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4))
    for pkg in sorted({p["package"] for p in points}):
        pts = [p for p in points if p["package"] == pkg]
        ax.scatter([p["flops"] for p in pts], [p["relative"] for p in pts], label=pkg)
        for p in pts:
            ax.annotate(
                p["method"],
                (p["flops"], p["relative"]),
                fontsize=6,
                xytext=(3, 3),
                textcoords="offset points",
            )
    ax.set_xscale("log")
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xlabel("training FLOPs relative to dense (counted from masks)")
    ax.set_ylabel("performance relative to dense")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def build_report(root: Path, *, reps: int = 2000, workers: int = 1) -> dict[str, Any]:
    """Write report.md, summary.json and plots/ for a run folder; ``reps`` bootstrap resamples per interval."""
    root = Path(root)
    manifest, records, failures = load_run(root)
    plots = root / "plots"
    plots.mkdir(exist_ok=True)
    summary: dict[str, Any] = {"run": str(root), "preset": manifest.get("preset"), "experiments": {}}
    frontier: list[dict[str, Any]] = []
    lines = [f"# Bench report: `{root}`", "",
             f"Preset `{manifest.get('preset')}`, generated {time.strftime('%Y-%m-%d %H:%M:%S')} by `bench report {root}`.",
             "Scores are each cell's final headline metric; IQM, mean and median over seeds with stratified-bootstrap "
             "95% intervals and P(paper's method better than baseline), all from rliable.", ""]  # fmt: skip
    headline = ["## Headline comparisons", "",
                "| experiment | metric | paper's method: IQM [95% CI] | best baseline: IQM [95% CI] | P(paper better) [95% CI] | seeds |",
                "|---|---|---|---|---|---|"]  # fmt: skip
    detail: list[str] = []
    experiments = sorted(manifest["experiments"].items())
    all_finals = {key: final_values(records.get(key, []), meta["metric"]) for key, meta in experiments}
    # The bootstrap dominates the report's time; experiments are independent, so spread them over processes.
    jobs = [(all_finals[key], meta["proposed"], meta["higher_is_better"], reps) for key, meta in experiments]
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        estimates = dict(zip([key for key, _ in experiments], pool.map(_estimates, *zip(*jobs)), strict=True))
    for key, meta in experiments:
        recs = records.get(key, [])
        finals = all_finals[key]
        stats, poi = estimates[key]
        entry: dict[str, Any] = {
            "meta": meta,
            "stats": stats,
            "prob_improvement": poi,
            "failed": failures.get(key, []),
        }
        arrow = "higher is better" if meta["higher_is_better"] else "lower is better"
        detail += [f"### {key}", "", meta.get("description", ""), ""]
        if meta.get("claim"):
            detail += [f"Claim checked: {meta['claim']}", ""]
        if stats:
            baselines = [m for m in meta["methods"] if m != meta["proposed"] and m in stats]
            sign = 1 if meta["higher_is_better"] else -1
            best = max(baselines, key=lambda m: sign * stats[m]["iqm"]) if baselines else None
            p, b = stats.get(meta["proposed"]), stats.get(best) if best else None
            pi = poi.get(best) if best else None
            headline.append(
                f"| {key} | {meta['metric']} ({arrow}) | {meta['proposed']}: {_iqm_cell(p)} | "
                f"{best or '–'}: {_iqm_cell(b)} | {_poi_cell(pi)} | {int(p['n']) if p else 0} |"
            )
            detail += [f"`{meta['metric']}` ({arrow})", "",
                       "| method | seeds | IQM [95% CI] | mean [95% CI] | median | P(paper better) |", "|---|---|---|---|---|---|"]  # fmt: skip
            for m in meta["methods"]:
                if m not in stats:
                    continue
                s = stats[m]
                tag = " (paper)" if m == meta["proposed"] else ""
                pm = poi.get(m)
                detail.append(
                    f"| {m}{tag} | {int(s['n'])} | {_iqm_cell(s)} | {_fmt(s['mean'])} [{_fmt(s['mean_lo'])}, {_fmt(s['mean_hi'])}] "
                    f"| {_fmt(s['median'])} | {_fmt(pm['p']) if pm else ''} |"
                )
            detail.append("")
        else:
            headline.append(f"| {key} | {meta['metric']} | no results | | | 0 |")
        png = plots / f"{key.replace('/', '__')}.png"
        if plot_curves(meta, recs, png):
            entry["plot"] = str(png.relative_to(root))
            detail += [f"![{key}](plots/{png.name})", ""]
        if meta.get("flops_metric"):
            flops = final_values(recs, meta["flops_metric"])
            for m, by_seed in flops.items():
                rel = relative_performance(meta, finals, m)
                if rel is not None and by_seed:
                    frontier.append({"package": meta["package"], "experiment": meta["name"], "method": m,
                                     "flops": float(np.median(list(by_seed.values()))), "relative": rel})  # fmt: skip
        if failures.get(key):
            detail += ["Failed cells:", ""] + [f"- `{f['cell']}`: {f['error']}" for f in failures[key]] + [""]
        summary["experiments"][key] = entry
    lines += [*headline, ""]
    if plot_frontier(frontier, plots / "sparse_frontier.png"):
        lines += ["## Sparse training: FLOPs vs performance", "", "![frontier](plots/sparse_frontier.png)", "",
                  "| package | method | train FLOPs (rel. dense) | performance (rel. dense) |", "|---|---|---|---|"]  # fmt: skip
        lines += [
            f"| {p['package']} | {p['method']} | {_fmt(p['flops'])} | {_fmt(p['relative'])} |"
            for p in frontier
        ]
        lines.append("")
        summary["sparse_frontier"] = frontier
    lines += ["## Experiments", "", *detail]
    runs_log = root / "runs.jsonl"
    if runs_log.exists():
        rows = [json.loads(ln) for ln in runs_log.read_text().splitlines() if ln.strip()]
        lines += ["## Runner timing", "", "| wall s | workers | ran | skipped | failed | cells' own s | process overhead | scheduling overhead |",
                  "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in rows:
            lines.append(
                f"| {r['wall_seconds']:.1f} | {r['workers']} | {r['ran']} | {r['skipped']} | {len(r['failed'])} | "
                f"{r['cells_own_seconds']:.1f} | {_fmt(100 * r['process_overhead'])}% | {_fmt(100 * r['scheduling_overhead'])}% |"
            )
        summary["runs"] = rows
    atomic_write_text(root / "report.md", "\n".join(lines) + "\n")
    atomic_write_json(root / "summary.json", summary)
    return summary
