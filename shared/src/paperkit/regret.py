"""Regret-curve summaries of finished reproductions, for packages whose cells log a cumulative-regret curve: mean final regret with a 95% interval, the log-log slope of the
cumulative-regret curve (slope 0.5 = sqrt(K) growth, 1 = linear) and the mean per-episode regret over the last
logged segment (a plateau above 0 means linear regret)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from paperkit.records import ResultRecord, folder_records


def loglog_slope(steps: np.ndarray, values: np.ndarray, start_fraction: float = 0.1) -> float:
    """Least-squares slope of log(value) vs log(step) over steps >= start_fraction * max(step) (NaN if <= 0)."""
    keep = steps >= start_fraction * steps.max()
    if keep.sum() < 2 or np.any(values[keep] <= 0):
        return float("nan")
    return float(np.polyfit(np.log(steps[keep]), np.log(values[keep]), 1)[0])


def tail_loglog_slope(steps, values) -> float:
    """Least-squares slope of log(value) on log(step) over the second half of the positive points: the growth
    exponent of a curve sampled at log-spaced steps (NaN with fewer than two such points)."""
    pts = [(s, v) for s, v in zip(steps, values, strict=True) if s > 0 and v > 0]
    pts = pts[len(pts) // 2 :]
    if len(pts) < 2:
        return float("nan")
    return float(np.polyfit(np.log([p[0] for p in pts]), np.log([p[1] for p in pts]), 1)[0])


def log_spaced_steps(last: int, points: int = 12) -> list[int]:
    """About ``points`` geometrically spaced integer steps in [1, last], always including ``last`` (for log-log
    curves)."""
    if last < 1:
        raise ValueError(f"last must be >= 1, got {last}")
    grid = np.unique(np.geomspace(1, last, num=max(points, 1)).round().astype(int))
    return sorted({*grid.tolist(), last})


def regret_records(
    package: str,
    experiment: str,
    method: str,
    seed: int,
    cumulative_regret: np.ndarray,
    *,
    config_hash: str = "",
    points: int = 12,
) -> list[ResultRecord]:
    """``cumulative_regret`` records at :func:`log_spaced_steps` of the run, plus its ``loglog_slope`` over the
    last 90% of episodes (0.5 = sqrt K growth, 1 = linear) when that is defined (not while regret is 0)."""
    cum = np.asarray(cumulative_regret, dtype=float)
    steps = log_spaced_steps(len(cum), points)
    records = [
        ResultRecord(
            package,
            experiment,
            method,
            seed,
            "cumulative_regret",
            float(cum[k - 1]),
            step=k,
            config_hash=config_hash,
        )
        for k in steps
    ]
    slope = loglog_slope(np.array(steps, dtype=float), cum[np.array(steps) - 1])
    if np.isfinite(slope):
        records.append(
            ResultRecord(package, experiment, method, seed, "loglog_slope", slope, config_hash=config_hash)
        )
    return records


def summarize(root: str | Path, metric: str = "cumulative_regret", experiments=()) -> str:
    """A markdown table per experiment under ``root`` (a ``reproduce --out`` folder, preset level); methods in the
    order of ``experiments`` (a list of paperkit.Experiment) when given."""
    curves: dict[tuple[str, str], dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    order: dict[str, list[str]] = defaultdict(list)
    for r in folder_records(root):
        if r.metric != metric or r.step is None:
            continue
        curves[(r.experiment, r.method)][r.seed][r.step] = r.value
        if r.method not in order[r.experiment]:
            order[r.experiment].append(r.method)
    if not curves:
        raise ValueError(f"no {metric!r} records under {root}")
    for e in experiments:
        if e.name in order:
            order[e.name] = [m for m in e.methods if m in order[e.name]]
    lines = []
    for exp, methods in order.items():
        lines += [
            f"\n{exp}",
            "",
            "| method | seeds | K | final regret (mean ± 95% CI) | log-log slope | late regret / episode |",
            "|---|---|---|---|---|---|",
        ]
        for method in methods:
            per_seed = curves[(exp, method)]
            finals, slopes, lates = [], [], []
            for seed_curve in per_seed.values():
                steps = np.array(sorted(seed_curve))
                vals = np.array([seed_curve[s] for s in steps])
                finals.append(vals[-1])
                slopes.append(loglog_slope(steps.astype(float), vals))
                # mean regret per episode over the last curve segment (about the last third of K)
                lates.append(
                    (vals[-1] - vals[-2]) / (steps[-1] - steps[-2]) if len(steps) > 1 else float("nan")
                )
            finals_a = np.array(finals)
            half = 1.96 * finals_a.std(ddof=1) / np.sqrt(len(finals)) if len(finals) > 1 else float("nan")
            slope = np.nanmean(slopes) if np.any(np.isfinite(slopes)) else float("nan")
            K = max(max(c) for c in per_seed.values())
            lines.append(
                f"| {method} | {len(finals)} | {K} | {finals_a.mean():.2f} ± {half:.2f} | {slope:.2f} | {np.mean(lates):.4f} |"
            )
    return "\n".join(lines)


_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def regret_svg(root: str | Path, experiment: str, methods=(), metric: str = "cumulative_regret") -> str:
    """A self-contained SVG: mean cumulative regret vs episode on log-log axes, with a 95% band over seeds."""
    curves: dict[str, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for r in folder_records(root):
        if r.experiment == experiment and r.metric == metric and r.step is not None:
            curves[r.method][r.seed][r.step] = r.value
    if not curves:
        raise ValueError(f"no {metric!r} records of {experiment!r} under {root}")
    names = [m for m in methods if m in curves] or sorted(curves)
    W, H, pad = 640, 400, 60
    series = {}
    for m in names:
        steps = sorted(set.intersection(*(set(c) for c in curves[m].values())))
        vals = np.array([[c[s] for s in steps] for c in curves[m].values()])
        mean = vals.mean(0)
        half = 1.96 * vals.std(0, ddof=1) / np.sqrt(len(vals)) if len(vals) > 1 else np.zeros_like(mean)
        series[m] = (np.array(steps, float), mean, mean - half, mean + half)
    floor = 0.1
    xs = np.concatenate([s[0] for s in series.values()])
    ys = np.concatenate([np.maximum(s[3], floor) for s in series.values()])
    lx0, lx1 = np.log10(xs.min()), np.log10(xs.max())
    ly0, ly1 = np.log10(floor), np.log10(ys.max() * 1.2)

    def px(x):
        return pad + (np.log10(x) - lx0) / max(lx1 - lx0, 1e-9) * (W - 2 * pad)

    def py(y):
        return H - pad - (np.log10(np.maximum(y, floor)) - ly0) / max(ly1 - ly0, 1e-9) * (H - 2 * pad)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">'
    ]
    out.append(f'<rect width="{W}" height="{H}" fill="white"/>')
    out.append(
        f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="13">{experiment}: {metric} (log-log, 95% band)</text>'
    )
    for e in range(int(np.floor(ly0)), int(np.ceil(ly1)) + 1):
        y = py(10.0**e)
        if pad <= y <= H - pad:
            out.append(f'<line x1="{pad}" x2="{W - pad}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{pad - 5}" y="{y + 4:.1f}" text-anchor="end">{10.0**e:g}</text>')
    for e in range(int(np.floor(lx0)), int(np.ceil(lx1)) + 1):
        x = px(10.0**e)
        if pad <= x <= W - pad:
            out.append(f'<line y1="{pad}" y2="{H - pad}" x1="{x:.1f}" x2="{x:.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{x:.1f}" y="{H - pad + 15}" text-anchor="middle">{10.0**e:g}</text>')
    out.append(f'<text x="{W / 2}" y="{H - 15}" text-anchor="middle">episode k</text>')
    for i, (m, (s, mean, lo, hi)) in enumerate(series.items()):
        color = _COLORS[i % len(_COLORS)]
        band = [f"{px(a):.1f},{py(b):.1f}" for a, b in zip(s, hi)] + [
            f"{px(a):.1f},{py(b):.1f}" for a, b in zip(s[::-1], lo[::-1])
        ]
        out.append(f'<polygon points="{" ".join(band)}" fill="{color}" fill-opacity="0.15" stroke="none"/>')
        line = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(s, mean))
        out.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{pad + 10}" y="{pad + 14 * i}" fill="{color}">{m}</text>')
    out.append("</svg>")
    return "\n".join(out)
