"""README table and throughput-vs-energy plot of a finished `rsd4 reproduce` run (reads each cell's result.json).

uv run --package rsd4 python packages/rsd4/benchmarks/summarize.py /tmp/rsd4_runs/quick packages/rsd4/docs/pareto.png
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

METHODS = ("rsd4", "rsd4-nomerge", "rtd3", "sd3", "td3", "constant", "greedy")


def constant_at_matched_energy(cfg_dict: dict, energy: float) -> float:
    from rsd4.config import Config
    from rsd4.train import constant_throughput_at_energy

    return constant_throughput_at_energy(Config(**cfg_dict), energy)


def random_reference(cfg_dict: dict) -> tuple[float, float, float]:
    """A uniform-random energy policy on seed 0's evaluation episodes: (throughput, energy, throughput /
    constant at the same energy). The bar a learned scheduler must clear to count as having learned."""
    import numpy as np
    from paperkit import Seeder

    from rsd4.config import Config
    from rsd4.rollout import summarize
    from rsd4.train import evaluate_policy, make_core, random_policy

    cfg = Config(**{**cfg_dict, "seed": 0})
    core = make_core(cfg)
    seq = evaluate_policy(
        cfg, core, random_policy(np.random.default_rng(1)), Seeder(0).int("eval"), cfg.eval_episodes
    )
    s = summarize(seq, core.throughput_weights)
    thr, energy = float(s["throughput"].mean()), float(s["energy"].mean())
    return thr, energy, thr / constant_at_matched_energy(cfg_dict | {"seed": 0}, energy)


def main(root: Path, png: Path | None) -> None:
    cells: dict[tuple[str, str], list[dict]] = {}
    for p in sorted(root.rglob("result.json")):
        exp, method = p.parts[-4], p.parts[-3]
        d = json.loads(p.read_text())
        r = d["result"]
        if method not in ("constant", "greedy"):  # a learned agent: the matched-energy baseline
            base = constant_at_matched_energy(d["config"], r["energy"])
            r["matched_ratio"] = (
                r["throughput"] / base if base > 0 else float("nan")
            )  # nan: the agent spent ~nothing
        r["_config"] = d["config"]
        cells.setdefault((exp, method), []).append(r)

    def fmt(v, d=2):
        return "-" if v is None or v != v else f"{v:.{d}f}"

    for exp in sorted({e for e, _ in cells}):
        print(f"\n### {exp} (mean over seeds; ± = half-width of the 95% CI across seeds)\n")
        print(
            "| method | seeds | throughput/slot | energy / E0 (runs) | throughput / constant at the same energy "
            "| drop rate | final λ | Q bias (rel.) | N=8 transfer: agent / constant at E0 | "
            "N=8: agent / constant at the same energy |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for m in METHODS:
            rs = cells.get((exp, m))
            if not rs:
                continue
            thr = [r["throughput"] for r in rs]
            ci = 1.96 * statistics.stdev(thr) / len(thr) ** 0.5 if len(thr) > 1 else float("nan")
            mean = lambda k, rs=rs: statistics.fmean([r[k] for r in rs])  # noqa: E731
            ratio = statistics.fmean([r["energy"] / r["budget"] for r in rs])
            tr = [
                r["transfer_throughput"] / r["transfer_constant_throughput"]
                for r in rs
                if r["transfer_throughput"] == r["transfer_throughput"]
            ]
            tr_m = [
                r["transfer_throughput"] / r["transfer_matched_constant_throughput"]
                for r in rs
                if r.get("transfer_matched_constant_throughput", float("nan")) > 0
            ]
            runs = sorted(r["energy"] / r["budget"] for r in rs)
            spread = f"{fmt(ratio)} ({fmt(runs[0])}–{fmt(runs[-1])})" if len(runs) > 1 else fmt(ratio)
            nodes = [r.get("energy_ratio_nodes") or [] for r in rs]
            if nodes and len(nodes[0]) > 1:  # multi-hop: the per-node ratios, mean over runs
                per = [statistics.fmean(n[k] for n in nodes) for k in range(len(nodes[0]))]
                spread += " per node " + "/".join(fmt(v) for v in per)
            heuristic = m in ("constant", "greedy")
            matched = (
                "-"
                if heuristic
                else fmt(
                    statistics.fmean(
                        [r["matched_ratio"] for r in rs if r["matched_ratio"] == r["matched_ratio"]]
                        or [float("nan")]
                    )
                )
            )
            lam = "-" if heuristic else fmt(mean("lam"))
            print(
                f"| {m} | {len(rs)} | {fmt(statistics.fmean(thr))} ± {fmt(ci)} | {spread} | {matched} | "
                f"{fmt(mean('drop_rate'), 3)} | {lam} | {fmt(mean('q_bias_rel'))} | "
                f"{fmt(statistics.fmean(tr)) if tr else '-'} | {fmt(statistics.fmean(tr_m)) if tr_m else '-'} |"
            )
        learned = [
            r for (e, m), rs in cells.items() if e == exp and m not in ("constant", "greedy") for r in rs
        ]
        if learned:
            fin = [r["energy"] / r["budget"] for r in learned]
            last = [r["energy_last"] / r["budget"] for r in learned if "energy_last" in r]
            near = lambda xs: sum(abs(x - 1) <= 0.05 for x in xs)  # noqa: E731
            line = f"\nDual loop: final policy within 5% of E0 in {near(fin)} of {len(fin)} learned runs"
            if last:
                line += f"; the last iterate alone in {near(last)} of {len(last)} (range {min(last):.2f}–{max(last):.2f})"
            print(line + ".")
        rs0 = next(rs for (e, _), rs in cells.items() if e == exp)
        thr, energy, matched = random_reference(rs0[0]["_config"])
        ratio_e = energy / rs0[0]["budget"]
        print(
            f"Reference, uniform-random energies (seed 0's evaluation episodes): throughput {thr:.2f} at "
            f"{ratio_e:.2f}·E0, {matched:.2f} of the constant heuristic at the same energy."
        )
    if png is None:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    exps = sorted({e for e, _ in cells})
    cols = min(2, len(exps))
    rows = (len(exps) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 4.5 * rows), squeeze=False)
    colors = {m: f"C{i}" for i, m in enumerate(METHODS)}
    for ax, exp in zip(axes.flat, exps):
        # the constant heuristic's throughput-energy frontier on the same evaluation episodes
        any_cfg = next(cfg for (e, _), rs in cells.items() if e == exp for cfg in [rs[0]["_config"]])
        budget = next(rs[0]["budget"] for (e, _), rs in cells.items() if e == exp)
        grid = [0.3 + 0.1 * k for k in range(10)]
        frontier = [constant_at_matched_energy(any_cfg, g * budget) for g in grid]
        ax.plot(grid, frontier, color="0.5", lw=1.2, label="constant heuristic, any energy")
        for m in METHODS:
            rs = cells.get((exp, m), [])
            if not rs:
                continue
            ax.scatter(
                [r["energy"] / r["budget"] for r in rs],
                [r["throughput"] for r in rs],
                label=m,
                s=32,
                color=colors[m],
            )
            last = [r for r in rs if r.get("energy_last", float("nan")) == r.get("energy_last", float("nan"))]
            if last:  # the final iterate alone, before the dual loop's mixture
                ax.scatter(
                    [r["energy_last"] / r["budget"] for r in last],
                    [r["throughput_last"] for r in last],
                    s=32,
                    facecolors="none",
                    edgecolors=colors[m],
                )
        ax.axvline(1.0, color="k", lw=0.8, ls="--")
        ax.set_xlabel("energy per slot / E0 (filled: final policy; hollow: last iterate alone)")
        ax.set_ylabel("weighted throughput per slot")
        ax.set_title(exp)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(exps) :]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"\nwrote {png}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
