"""Curve plots of a ``reproduce`` output folder: every curve metric per experiment, mean and 95% t-interval over
seeds, one PNG per experiment. Needs matplotlib (``paperkit[plots]``).

    python -m paperkit.plots ROOT OUT_DIR [--linear]
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from pathlib import Path

from paperkit.summary import ci95_halfwidth, folder_records


def _x_label(metric: str) -> str:
    """What a curve metric's ``step`` counts: episodes for a regret curve, the swept quantity for
    ``regret_vs_<X>``, else the package's own step unit."""
    if metric == "cumulative_regret":
        return "episode"
    if metric.startswith("regret_vs_"):
        return metric.removeprefix("regret_vs_")
    return "step"


def plot_curves_folder(root: str | Path, out: str | Path, *, regret_axes: bool = True) -> list[Path]:
    """Write ``OUT/<experiment>.png`` for every experiment under ``root`` that logged curves; returns the paths.

    ``regret_axes`` draws non-negative, fast-growing curves (cumulative regret): log x, symlog y from 0.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # experiment -> metric -> method -> step -> values over seeds
    data: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(list))))
    for r in folder_records(root):
        if r.step is not None:
            data[r.experiment][r.metric][r.method][r.step].append(r.value)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for exp, metrics in data.items():
        fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 4), squeeze=False)
        for ax, (metric, methods) in zip(axes[0], sorted(metrics.items()), strict=True):
            for method, by_step in methods.items():
                steps = sorted(by_step)
                means = [statistics.fmean(by_step[s]) for s in steps]
                half = [ci95_halfwidth(by_step[s]) for s in steps]
                lower = [m - h for m, h in zip(means, half, strict=True)]
                if regret_axes:
                    lower = [max(v, 0.0) for v in lower]
                ax.plot(steps, means, marker="o", ms=3, label=f"{method} ({len(by_step[steps[-1]])} seeds)")
                ax.fill_between(steps, lower, [m + h for m, h in zip(means, half, strict=True)], alpha=0.2)
            if regret_axes:
                ax.set_xscale("log")
                ax.set_yscale("symlog", linthresh=1.0)  # linear near 0: early regrets can be exactly 0
                ax.set_ylim(bottom=0.0)
            ax.set_xlabel(_x_label(metric))
            ax.set_ylabel(metric)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        fig.suptitle(f"{exp} (mean ± 95% CI)")
        fig.tight_layout()
        path = out / f"{exp}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--linear", action="store_true", help="linear axes (default: regret axes)")
    args = parser.parse_args(argv)
    for path in plot_curves_folder(args.root, args.out, regret_axes=not args.linear):
        print(path)


if __name__ == "__main__":
    main()
