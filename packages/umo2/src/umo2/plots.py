"""README figures of :func:`umo2.experiments.study` (optional ``plots`` extra: matplotlib)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from umo2.simulate import Trace


def plot_study(results: dict[str, dict[str, Trace]], Ts: np.ndarray, n_seeds: int, out: Path) -> list[Path]:
    paths = []
    for topology, res in results.items():
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        for i, (algo, tr) in enumerate(res.items()):
            c = f"C{i}"
            # backlog over time of the largest-T rows
            rows = np.arange(len(Ts) - 1, tr.backlog.shape[0], len(Ts))
            q = np.nanquantile(tr.backlog[rows], [0.25, 0.5, 0.75], axis=0)
            axes[0].plot(tr.steps, q[1], color=c, label=algo)
            axes[0].fill_between(tr.steps, q[0], q[2], color=c, alpha=0.12)
            for ax, metric in ((axes[1], tr.gap), (axes[2], tr.avg_backlog)):
                m = metric.reshape(n_seeds, len(Ts))
                q = np.nanquantile(m, [0.25, 0.5, 0.75], axis=0)
                ax.plot(Ts, q[1], "o-", color=c, label=algo, ms=3)
                ax.fill_between(Ts, q[0], q[2], color=c, alpha=0.12)
        axes[0].set(
            xscale="log",
            yscale="symlog",
            xlabel="slot t",
            ylabel="||Q_t||_1",
            title=f"{topology}: backlog over time (T={Ts[-1]})",
        )
        axes[1].set(
            xscale="log",
            yscale="log",
            xlabel="horizon T",
            ylabel="utility gap G_T",
            title="gap to the LP reference vs T (gaps <= 0 not drawn)",
        )
        axes[2].set(
            xscale="log",
            yscale="log",
            xlabel="horizon T",
            ylabel="(1/T) sum_t ||Q_t||_1",
            title="time-average backlog vs T",
        )
        axes[0].set_ylim(bottom=0)  # backlogs are >= 0 (symlog would otherwise label negative decades)
        axes[0].legend(fontsize=7)
        fig.suptitle(f"{topology}: median and IQR over {n_seeds} seeds", fontsize=9)
        fig.tight_layout()
        paths.append(out / f"{topology}.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
    return paths
