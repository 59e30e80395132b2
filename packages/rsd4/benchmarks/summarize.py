"""README table and throughput-vs-energy plot of a finished `rsd4 reproduce` run (reads each cell's result.json).

uv run --package rsd4 python packages/rsd4/benchmarks/summarize.py /tmp/rsd4_runs/quick packages/rsd4/docs/pareto.png
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from paperkit.summary import ci95_halfwidth

METHODS = ("rsd4", "rsd4-nomerge", "rsd4-n8", "rtd3", "sd3", "td3", "constant", "greedy")


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


def ci95(xs: list[float]) -> float:
    """Half-width of the two-sided 95% Student-t interval of the mean (3 seeds: 4.30 standard errors)."""
    xs = [x for x in xs if x == x]  # a nan (no matched baseline) is left out
    return ci95_halfwidth(xs) if len(xs) > 1 else float("nan")


def _mean(xs, d=2) -> str:
    return f"{statistics.fmean(xs):.{d}f}" if xs else "-"


def _spread(xs) -> str:
    return f"{_mean(xs)} ({min(xs):.2f}–{max(xs):.2f})" if xs else "-"


def transfer_table(cells: dict) -> None:
    """C4 at matched energy: every row is measured on the same N = 8 system and evaluation episodes."""
    const = lambda r, energy: constant_at_matched_energy(r["_config"], energy)  # noqa: E731
    rows: dict[tuple[str, str], list[tuple[int, float, float, float]]] = {}  # (method, reading) -> per seed
    for m in METHODS:
        for r in cells.get(("transfer", m), []):
            seed, b = r["_config"]["seed"], r["budget"]

            def add(reading, res, matched=None, m=m, seed=seed, b=b, r=r):
                matched = res["throughput"] / const(r, res["energy"]) if matched is None else matched
                rows.setdefault((m, reading), []).append(
                    (seed, res["throughput"], res["energy"] / b, matched)
                )

            if "_scaled" in r:  # a learned policy frozen after training: three readings on N = 8
                add("own final mix, as trained", r["_as_trained"])
                add("re-solved mix over its iterates (<= E0')", r, r["matched_ratio"])
                add("own final mix, energies scaled by κ (= E0')", r["_scaled"])
            else:
                add("calibrated to E0'", r, float("nan"))
    print(
        "\n### transfer: every row on the same N = 8 system at its own budget E0' (quick preset; mean over "
        "seeds; ± = half-width of the 95% Student-t CI across seeds)\n"
    )
    print(
        "| policy | trained on | reading on N=8 | seeds | throughput/slot | energy / E0' (runs) | "
        "throughput / constant at the same energy |"
    )
    print("|---|---|---|---|---|---|---|")
    for (m, reading), xs in rows.items():
        thr, en, mr = [x[1] for x in xs], [x[2] for x in xs], [x[3] for x in xs if x[3] == x[3]]
        matched = (f"{_mean(mr)} ± {ci95(mr):.2f}" if len(mr) > 1 else _mean(mr)) if mr else "-"
        where = "-" if m in ("constant", "greedy") else ("N=8" if m.endswith("-n8") else "N=4")
        name = m.removesuffix("-n8")
        print(
            f"| {name} | {where} | {reading} | {len(xs)} | {_mean(thr)} ± {ci95(thr):.2f} | {_spread(en)} | {matched} |"
        )
    print(
        "\n| policy | trained on | κ (runs) | idle share of the re-solved mix | on its training system: "
        "throughput / constant at the same energy |"
    )
    print("|---|---|---|---|---|")
    for m in METHODS:
        rs = [r for r in cells.get(("transfer", m), []) if "_scaled" in r]
        if not rs:
            continue
        src = [
            r["_source"]["throughput"]
            / constant_at_matched_energy(r["_source_config"], r["_source"]["energy"])
            for r in rs
        ]
        idle = [dict((int(ep), w) for ep, w in r.get("mixture", [])).get(-1, 0.0) for r in rs]
        where = "N=8" if m.endswith("-n8") else "N=4"
        print(
            f"| {m.removesuffix('-n8')} | {where} | {_spread([r['_kappa'] for r in rs])} | {_mean(idle)} | "
            f"{_mean(src)} |"
        )
    print()
    for (m, reading), xs in rows.items():  # paired by seed against RSD4 trained on N = 8, same reading
        ref = {x[0]: x for x in rows.get(("rsd4-n8", reading), [])}
        if m != "rsd4" or not ref:  # the claim: RSD4 transferred against RSD4 trained on the target
            continue
        d_thr = [x[1] - ref[x[0]][1] for x in xs if x[0] in ref]
        d_mr = [x[3] - ref[x[0]][3] for x in xs if x[0] in ref]
        print(
            f"Paired by seed, {m} trained on N=4 minus rsd4 trained on N=8, {reading}: throughput "
            f"{statistics.fmean(d_thr):+.2f} ± {ci95(d_thr):.2f}, throughput / constant at the same energy "
            f"{statistics.fmean(d_mr):+.3f} ± {ci95(d_mr):.3f} ({len(d_thr)} seeds)."
        )


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
        if "as_trained" in d:  # a transfer cell: the frozen N = 4 agent's other readings
            r["_as_trained"], r["_source"], r["_source_config"] = (
                d["as_trained"],
                d["source"],
                d["source_config"],
            )
            r["_scaled"], r["_kappa"] = d["scaled"], d["kappa"]
        cells.setdefault((exp, method), []).append(r)

    def fmt(v, d=2):
        return "-" if v is None or v != v else f"{v:.{d}f}"

    for exp in sorted({e for e, _ in cells}):
        if exp == "transfer":
            transfer_table(cells)
            continue
        print(f"\n### {exp} (mean over seeds; ± = half-width of the 95% CI across seeds)\n")
        print(
            "| method | seeds | throughput/slot | energy / E0 (runs) | throughput / constant at the same energy "
            "| drop rate | final λ | Q bias (rel.) | zero-shot N=8, last iterate: / constant at E0' | "
            "zero-shot N=8: / constant at the same energy |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for m in METHODS:
            rs = cells.get((exp, m))
            if not rs:
                continue
            thr = [r["throughput"] for r in rs]
            ci = ci95(thr)
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
            mr = [
                r["matched_ratio"]
                for r in rs
                if r.get("matched_ratio", float("nan")) == r.get("matched_ratio")
            ]
            matched = "-" if heuristic or not mr else fmt(statistics.fmean(mr))
            if len(mr) > 1:
                matched += f" ± {fmt(ci95(mr))}"
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
        mine = {r["_config"]["seed"]: r for r in cells.get((exp, "rsd4"), [])}
        for m in ("rsd4-nomerge", "rtd3", "sd3", "td3"):  # paired by seed (same system, same eval episodes)
            other = {r["_config"]["seed"]: r for r in cells.get((exp, m), [])}
            both = sorted(set(mine) & set(other))
            if len(both) < 2:
                continue
            d_thr = [mine[k]["throughput"] - other[k]["throughput"] for k in both]
            d_mr = [mine[k]["matched_ratio"] - other[k]["matched_ratio"] for k in both]
            print(
                f"Paired by seed, rsd4 minus {m}: throughput {statistics.fmean(d_thr):+.2f} ± {ci95(d_thr):.2f}, "
                f"throughput / constant at the same energy {statistics.fmean(d_mr):+.3f} ± {ci95(d_mr):.3f} "
                f"({len(both)} seeds)."
            )
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
            scaled = [r["_scaled"] for r in rs if "_scaled" in r]
            if scaled:  # transfer: the delivered mix with its energies scaled to E0' (x)
                ax.scatter(
                    [x["energy"] / x["budget"] for x in scaled],
                    [x["throughput"] for x in scaled],
                    s=40,
                    marker="x",
                    color=colors[m],
                )
        ax.axvline(1.0, color="k", lw=0.8, ls="--")
        xlabel = "energy per slot / E0 (filled: final policy; hollow: last iterate alone)"
        if exp == "transfer":
            xlabel = "energy / E0' on N=8 (filled: re-solved mix; x: scaled by κ; hollow: last iterate)"
        ax.set_xlabel(xlabel)
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
