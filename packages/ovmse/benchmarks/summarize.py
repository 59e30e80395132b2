"""Summarise reproduction records: per experiment and method, mean ± 95% CI (Student t) over seeds.

python packages/ovmse/benchmarks/summarize.py runs/reproduce/quick [metric ...]
python packages/ovmse/benchmarks/summarize.py runs/reproduce/quick --curve return
python packages/ovmse/benchmarks/summarize.py runs/reproduce/quick --seeds auc_return
python packages/ovmse/benchmarks/summarize.py runs/reproduce/quick --paired early_dip ft   # X − ft, per seed
python packages/ovmse/benchmarks/summarize.py runs/reproduce/quick --plot docs/curves   # return curves (PNG)
python packages/ovmse/benchmarks/summarize.py runs/reproduce/quick --plot-dip docs   # R(t) − R(0) per seed (PNG)
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from paperkit.experiments import final_values
from paperkit.records import folder_records
from paperkit.summary import ci95_halfwidth, curve_table

DEFAULT = (
    "auc_return",
    "early_dip",
    "min_early_return",
    "final_return",
    "multi_deviator_fraction",
)
PRETRAIN = ("random_return", "behaviour_return", "offline_return")


def fmt(vals: list[float]) -> str:
    m = statistics.fmean(vals)
    return f"{m:.3g}" if len(vals) < 2 else f"{m:.3g} ± {ci95_halfwidth(vals):.2g}"


def table(records, metrics: tuple[str, ...]) -> str:
    out = []
    for exp in sorted({r.experiment for r in records}):
        rs = [r for r in records if r.experiment == exp]
        methods = list(dict.fromkeys(r.method for r in rs))
        out += [f"\n{exp} (mean ± 95% CI over seeds)\n", "| method | seeds | " + " | ".join(metrics) + " |"]
        out.append("|---" * (len(metrics) + 2) + "|")
        for method in methods:
            mine = [r for r in rs if r.method == method]
            cells, n = [], 0
            for name in metrics:
                vals = list(final_values(mine, name).get(method, {}).values())
                n = max(n, len(vals))
                cells.append(fmt(vals) if vals else "–")
            out.append(f"| {method} | {n} | " + " | ".join(cells) + " |")
        # pretraining (identical for every fine-tuned variant of a seed): one row per seed
        pre = [r for r in rs if r.metric in PRETRAIN and r.method == methods[0]]
        if pre:
            out += ["", "| seed | " + " | ".join(PRETRAIN) + " |", "|---" * (len(PRETRAIN) + 1) + "|"]
            for seed in sorted({r.seed for r in pre}):
                vals = {r.metric: r.value for r in pre if r.seed == seed}
                out.append(
                    f"| {seed} | " + " | ".join(f"{vals.get(k, float('nan')):.1f}" for k in PRETRAIN) + " |"
                )
            allv = {k: [r.value for r in pre if r.metric == k] for k in PRETRAIN}
            out.append("| mean ± CI | " + " | ".join(fmt(v) if v else "–" for v in allv.values()) + " |")
    return "\n".join(out)


def per_seed(records, metric: str) -> str:
    out = []
    for exp in sorted({r.experiment for r in records}):
        rs = [r for r in records if r.experiment == exp]
        vals = final_values(rs, metric)
        seeds = sorted({s for v in vals.values() for s in v})
        out += [f"\n{exp}: {metric} per seed\n", "| method | " + " | ".join(map(str, seeds)) + " |"]
        out.append("|---" * (len(seeds) + 1) + "|")
        for method, by_seed in vals.items():
            out.append(
                f"| {method} | " + " | ".join(f"{by_seed.get(s, float('nan')):.1f}" for s in seeds) + " |"
            )
    return "\n".join(out)


def paired(records, metric: str, base: str) -> str:
    """Per method, the seed-paired difference ``metric(method) − metric(base)``: mean ± 95% CI and how
    many seeds have it > 0 (the variants of a seed share θ_off and its evaluation episodes)."""
    out = []
    for exp in sorted({r.experiment for r in records}):
        vals = final_values([r for r in records if r.experiment == exp], metric)
        if base not in vals:
            continue
        out += [f"\n{exp}: {metric}(method) − {metric}({base}), paired by seed\n"]
        out += ["| method | seeds | mean ± 95% CI | seeds > 0 |", "|---|---|---|---|"]
        for method, by_seed in vals.items():
            if method == base:
                continue
            d = [v - vals[base][s] for s, v in by_seed.items() if s in vals[base]]
            if d:
                out.append(f"| {method} | {len(d)} | {fmt(d)} | {sum(x > 0 for x in d)} |")
    return "\n".join(out)


def plot_dip(records, out: Path) -> list[Path]:
    """Per experiment, the greedy return minus the same seed's return at t = 0 (its θ_off), mean ± 95% CI
    over seeds, for the fine-tuned variants: the unlearning dip without the seed-to-seed spread of θ_off."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for exp in sorted({r.experiment for r in records}):
        rs = [r for r in records if r.experiment == exp and r.metric == "return" and r.step is not None]
        fig, ax = plt.subplots(figsize=(6, 4))
        for method in dict.fromkeys(r.method for r in rs):
            if method == "scratch":
                continue
            curves: dict[int, dict[int, float]] = {}
            for r in rs:
                if r.method == method:
                    curves.setdefault(r.seed, {})[r.step] = r.value
            steps = sorted(set.intersection(*(set(c) for c in curves.values())))
            diffs = [[c[s] - c[0] for c in curves.values()] for s in steps]
            mean = [statistics.fmean(d) for d in diffs]
            half = [ci95_halfwidth(d) for d in diffs]
            ax.plot(steps, mean, marker="o", ms=3, label=f"{method} ({len(curves)} seeds)")
            ax.fill_between(
                steps, [m - h for m, h in zip(mean, half)], [m + h for m, h in zip(mean, half)], alpha=0.15
            )
        ax.axhline(0.0, color="k", lw=0.8)
        ax.set_xlabel("online env steps")
        ax.set_ylabel("return − return at t = 0 (θ_off)")
        ax.set_title(f"{exp}: change from the offline policy (mean ± 95% CI)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        path = Path(out) / f"{exp}_dip.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def main() -> None:
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        raise SystemExit(__doc__)
    records = folder_records(Path(args[0]))
    if len(args) == 3 and args[1] == "--curve":
        print(curve_table(records, args[2]))
    elif len(args) == 3 and args[1] == "--seeds":
        print(per_seed(records, args[2]))
    elif len(args) == 4 and args[1] == "--paired":
        print(paired(records, args[2], args[3]))
    elif len(args) == 3 and args[1] == "--plot-dip":
        for p in plot_dip(records, Path(args[2])):
            print(p)
    elif len(args) == 3 and args[1] == "--plot":
        from paperkit.plots import plot_curves_folder

        for p in plot_curves_folder(args[0], args[2], regret_axes=False):
            print(p)
    else:
        print(table(records, tuple(args[1:]) or DEFAULT))


if __name__ == "__main__":
    main()
