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
from paperkit import Experiment, ResultRecord, atomic_write_json, atomic_write_text, final_values
from paperkit.claims import ClaimResult
from paperkit.records import read_records

from bench.aggregate import interval_estimates, probability_of_improvement
from bench.grid import experiment_meta, read_manifest
from bench.html import markdown_to_html
from bench.scoreboard import collect, describe_test, to_markdown


def load_run(
    root: Path,
) -> tuple[dict[str, Any], dict[str, list[ResultRecord]], dict[str, list[dict[str, Any]]]]:
    """The manifest, records by experiment key, and failed cells by experiment key."""
    manifest = read_manifest(root)
    records: dict[str, list[ResultRecord]] = defaultdict(list)
    failures: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(Path(root).rglob("records.jsonl")):
        try:
            cell_records = read_records(path)
        except (ValueError, OSError) as e:  # a damaged cell is reported and left out, not fatal
            rel = path.parent.relative_to(root).parts
            failures["/".join(rel[:2])].append({"cell": "/".join(rel), "error": f"unreadable records: {e}"})
            continue
        for r in cell_records:
            records[f"{r.package}/{r.experiment}"].append(r)
    for path in sorted(Path(root).glob("**/error.json")):
        rel = path.parent.relative_to(root).parts  # package/experiment/method/seedN
        err = json.loads(path.read_text())
        silent = f"exit status {err.get('returncode', '?')}, no output"
        failures["/".join(rel[:2])].append(
            {"cell": "/".join(rel), "error": (err.get("log_tail") or [silent])[-1]}
        )
    return manifest, records, failures


MIN_SEEDS_FOR_P = 5  # below it the report prints no P(paper better), as the scoreboard gives no verdict
SMOKE_NOTE = "smoke: pipeline check, no verdicts (runs too short and too few seeds to mean anything)"


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
    ax.set_xlabel(meta.get("x_label") or "step")
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
    """One panel per (package, experiment): each method once, labelled, against dense at (1, 1)."""
    if not points:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = sorted({(p["package"], p["experiment"]) for p in points})
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    for ax, (pkg, exp) in zip(axes.flat, panels):
        pts = sorted(
            (p for p in points if (p["package"], p["experiment"]) == (pkg, exp)), key=lambda p: p["flops"]
        )
        ax.scatter([p["flops"] for p in pts], [p["relative"] for p in pts], s=18)
        for p in pts:
            ax.annotate(
                p["method"],
                (p["flops"], p["relative"]),
                fontsize=7,
                xytext=(4, 2),
                textcoords="offset points",
            )
        ax.set_xscale("log")
        ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
        ax.set_title(f"{pkg}/{exp}", fontsize=9)
        ax.set_xlabel("train FLOPs / dense", fontsize=8)
        ax.set_ylabel("score / dense", fontsize=8)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
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
            if p is None or p["n"] < MIN_SEEDS_FOR_P:  # a probability from 1-4 seeds says nothing
                pi = None
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
                pm = poi.get(m) if s["n"] >= MIN_SEEDS_FOR_P else None
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
    if manifest.get("preset") == "smoke":
        lines += [f"**{SMOKE_NOTE}.** Whether each paper's claims hold is the scoreboard's job, below.", ""]
    claim_evidence: dict[str, tuple[list[ResultRecord], Experiment]] = {}
    claim_results, warn = collect(evidence=claim_evidence)
    lines += scoreboard_sections(claim_results, warn, root)
    lines += [*headline, ""]
    if plot_frontier(frontier, plots / "sparse_frontier.png"):
        lines += ["## Sparse training: FLOPs vs performance", "", "![frontier](plots/sparse_frontier.png)", "",
                  "| package | experiment | method | train FLOPs (rel. dense) | median score (rel. dense) |", "|---|---|---|---|---|"]  # fmt: skip
        lines += [
            f"| {p['package']} | {p['experiment']} | {p['method']} | {_fmt(p['flops'])} | {_fmt(p['relative'])} |"
            for p in sorted(frontier, key=lambda p: (p["package"], p["experiment"], p["flops"]))
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
    lines += rliable_figures(estimates, dict(experiments), plots)
    lines += claim_sections(claim_results, claim_evidence, plots)
    atomic_write_text(root / "report.md", "\n".join(lines) + "\n")
    atomic_write_text(
        root / "report.html", markdown_to_html("\n".join(lines), base=root, title=f"Bench report: {root}")
    )
    atomic_write_json(root / "summary.json", summary)
    return summary


def scoreboard_sections(results: list[ClaimResult], warn: list[str], root: Path) -> list[str]:
    """The scoreboard of the shipped evidence first; then the claims judged on this run's own records."""
    lines = ["## Scoreboard: which claims hold (shipped evidence)", ""]
    if not results:
        lines += ["No installed package declares claims.", ""]
    else:
        counts: dict[str, int] = defaultdict(int)
        for r in results:
            counts[r.verdict] += 1
        lines += [
            f"{len(results)} claims of {len({r.claim.package for r in results})} packages, judged on the records "
            "each package ships in `packages/<name>/evidence/` (`bench scoreboard`): "
            + ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1]))
            + ".",
            "",
            to_markdown(results),
            "",
        ]
    lines += [f"Warning: {w}" for w in warn]
    own, _ = collect(run_dir=root)
    if own:
        lines += ["## The same claims on this run's records", "", to_markdown(own), ""]
    return lines


def claim_sections(
    results: list[ClaimResult], evidence: dict[str, tuple[list[ResultRecord], Experiment]], plots: Path
) -> list[str]:
    """One section per claim of the shipped evidence: verdict, per-seed values, the experiment's curves."""
    lines = ["## Claims one by one (shipped evidence)", ""]
    drawn: dict[tuple[str, str], str | None] = {}
    for r in results:
        c = r.claim
        records, exp = evidence.get(c.id, ([], None))
        lines += [f"### {c.id}: {r.verdict}", "", c.statement, "",
                  f"Test `{describe_test(r)}` on `{c.metric}` ({c.experiment}, evidence `{r.preset}`); effect "
                  f"{'—' if r.effect is None else _fmt(r.effect)}"
                  + ("" if r.ci_low is None else f" [{_fmt(r.ci_low)}, {_fmt(r.ci_high or 0)}]")
                  + f", {r.seeds} seeds (minimum {c.min_seeds}). Command: `{c.command}`.", ""]  # fmt: skip
        if r.note:
            lines += [f"Note: {r.note}.", ""]
        if not records or exp is None:
            continue
        arms = list(c.slope_x or [a for a in (c.method, c.baseline) if a])
        finals = final_values([x for x in records if x.experiment == c.experiment], c.metric or exp.metric)
        seeds = sorted({s for a in arms for s in finals.get(a, {})})
        if seeds and arms:
            lines += ["| seed | " + " | ".join(arms) + " |", "|---|" + "---|" * len(arms)]
            for seed in seeds:
                vals = [finals.get(a, {}).get(seed) for a in arms]
                lines.append(f"| {seed} | " + " | ".join("–" if v is None else _fmt(v) for v in vals) + " |")
            lines.append("")
        key = (c.package, f"{c.evidence}__{c.experiment}")
        if key not in drawn:
            png = plots / f"claim__{c.package}__{c.evidence}__{c.experiment}.png"
            recs = [x for x in records if x.experiment == c.experiment]
            drawn[key] = png.name if plot_curves(experiment_meta(exp), recs, png) else None
        if drawn[key]:
            lines += [f"![{c.experiment} curves](plots/{drawn[key]})", ""]
    return lines


def rliable_figures(
    estimates: dict[str, tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]],
    metas: dict[str, dict[str, Any]],
    plots: Path,
) -> list[str]:
    """rliable's standard figures for this run: IQM with 95% intervals per method, and the probability that
    the paper's method improves on each baseline. (No performance profiles: scores are not normalised across
    experiments.)"""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rliable import plot_utils

    lines = ["## rliable figures", "",
             "IQM with stratified-bootstrap 95% intervals per method, and P(paper's method better than each "
             f"baseline) where both have at least {MIN_SEEDS_FOR_P} seeds. Performance profiles are left out: the "
             "experiments' scores are not normalised to a common scale.", ""]  # fmt: skip
    for key, (stats, poi) in sorted(estimates.items()):
        if len(stats) < 2:
            continue
        meta = metas[key]
        algos = [m for m in meta["methods"] if m in stats]
        point = {m: np.array([stats[m]["iqm"]]) for m in algos}
        interval = {m: np.array([[stats[m]["iqm_lo"]], [stats[m]["iqm_hi"]]]) for m in algos}
        fig, _ = plot_utils.plot_interval_estimates(
            point,
            interval,
            metric_names=["IQM"],
            algorithms=algos,
            xlabel=meta["metric"],
            subfigure_width=4.0,
        )
        png = plots / f"iqm__{key.replace('/', '__')}.png"
        fig.savefig(png, dpi=100, bbox_inches="tight")
        plt.close(fig)
        lines += [f"![{key} IQM](plots/{png.name})", ""]
        n_ok = stats.get(meta["proposed"], {}).get("n", 0) >= MIN_SEEDS_FOR_P
        pairs = {b: v for b, v in poi.items() if n_ok and stats.get(b, {}).get("n", 0) >= MIN_SEEDS_FOR_P}
        if pairs:
            probs = {f"{meta['proposed']},{b}": v["p"] for b, v in pairs.items()}
            ints = {f"{meta['proposed']},{b}": np.array([v["lo"], v["hi"]]) for b, v in pairs.items()}
            ax = plot_utils.plot_probability_of_improvement(
                probs, ints, figsize=(4.5, 0.5 + 0.4 * len(probs))
            )
            png = plots / f"poi__{key.replace('/', '__')}.png"
            ax.figure.savefig(png, dpi=100, bbox_inches="tight")
            plt.close(ax.figure)
            lines += [f"![{key} P(improvement)](plots/{png.name})", ""]
    return lines
