"""Reproductions: {Quadratic, Linex(1), Linex(1/2), Shifted-Cosh} × {TB, DB, SubTB} on the hyper-grid (exact
L1 to the target) and on a small bit-sequence task (modes found, Spearman)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from paperkit import Claim, Experiment, ResultRecord, config_hash

from gflownet_losses.config import Config
from gflownet_losses.regression import LOSSES
from gflownet_losses.train import train

PACKAGE = "gflownet-losses"
PROPOSED = "linex1"

# Per preset: environment sizes and budgets (the brief's scaled-down plan is "paper").
HYPERGRID = {
    "smoke": dict(ndim=2, height=8, n_trajectories=1280, eval_every=320),
    "quick": dict(ndim=2, height=8, n_trajectories=3200, eval_every=320),
    "paper": dict(ndim=2, height=16, n_trajectories=60_000, eval_every=2000),
}
# C2 ("similar L1 at convergence") needs runs long enough for every loss to flatten. Measured on one thread
# (TB, D=2, H=8): ~2,100-2,400 traj/s with periodic exact L1; TB+Quadratic leaves its L1 = 1 plateau after ~60k
# trajectories, so "quick" runs 150k (about 65 s a cell) and "paper" doubles it with more seeds.
HYPERGRID_CONVERGE = {
    "smoke": dict(ndim=2, height=8, n_trajectories=640, eval_every=320),
    "quick": dict(ndim=2, height=8, n_trajectories=150_000, eval_every=7500),
    "paper": dict(ndim=2, height=8, n_trajectories=300_000, eval_every=10_000),
}
BITSEQ = {
    "smoke": dict(
        seq_len=16,
        word_len=4,
        n_modes=4,
        mode_radius=3,
        reward_beta=16.0,
        n_trajectories=320,
        eval_every=160,
        hidden=64,
        test_per_mode=8,
    ),
    "quick": dict(
        seq_len=32,
        word_len=4,
        n_modes=8,
        mode_radius=6,
        reward_beta=32.0,
        n_trajectories=1600,
        eval_every=160,
    ),
    # C3 at 10x the quick budget: in a pilot on a held-out seed (100), TB+Quadratic's Spearman rose from 0.02
    # untrained and 0.17 at 1.6k trajectories to 0.38 at 4k and 0.72 at 16k, so 16k is off the noise floor.
    "paper": dict(
        seq_len=32,
        word_len=4,
        n_modes=8,
        mode_radius=6,
        reward_beta=32.0,
        n_trajectories=16_000,
        eval_every=800,
    ),
}
EARLY_FRACTION = 0.1  # C3 "finds modes sooner": modes found after this fraction of the budget
# Per objective, the official hypergrid settings: gradient clip 1000 (TB) / 10 (DB, SubTB), SubTB λ.
OBJECTIVE_KW = {
    "tb": dict(grad_clip=1000.0),
    "db": dict(grad_clip=10.0),
    "subtb": dict(grad_clip=10.0, subtb_lambda=0.9),
}


def hypergrid_config(objective: str, loss: str, seed: int, preset: str, table: dict = HYPERGRID) -> Config:
    return Config(
        env="hypergrid",
        objective=objective,
        loss=loss,
        seed=seed,
        **table[preset],
        **OBJECTIVE_KW[objective],
    )


def bitseq_config(objective: str, loss: str, seed: int, preset: str) -> Config:
    return Config(
        env="bitseq",
        objective=objective,
        loss=loss,
        seed=seed,
        learned_pb=False,  # the paper fixes P_B uniform on bit sequences
        epsilon=0.001,
        **BITSEQ[preset],
        **OBJECTIVE_KW[objective],
    )


def _save(out_dir: Path, cfg: Config, result) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {k: v for k, v in dataclasses.asdict(result).items() if k != "model"}
    (out_dir / "result.json").write_text(
        json.dumps({"config": dataclasses.asdict(cfg), "result": summary}, default=str)
    )


def make_hypergrid_cell(objective: str, name: str = "", table: dict = HYPERGRID):
    name = name or f"hypergrid-{objective}"

    def run_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        cfg = hypergrid_config(objective, method, seed, preset, table)
        res = train(cfg)
        _save(Path(out_dir), cfg, res)
        h = config_hash(cfg)
        # Exact L1 still jitters after convergence (single-update spikes), so also log the mean over the last
        # quarter of the evaluations: the analogue of the paper's "metric over the last 10% of samples".
        tail = [v for _, v in res.curve[-max(1, len(res.curve) // 4) :]]
        recs = [
            ResultRecord(PACKAGE, name, method, seed, "l1", v, step=n, config_hash=h) for n, v in res.curve
        ]
        recs += [
            ResultRecord(
                PACKAGE,
                name,
                method,
                seed,
                "trajectories_to_l1_threshold",
                res.trajectories_to_threshold,
                config_hash=h,
            ),
            ResultRecord(PACKAGE, name, method, seed, "modes_found", res.modes_found, config_hash=h),
            ResultRecord(PACKAGE, name, method, seed, "mean_log_reward", res.mean_log_reward, config_hash=h),
            ResultRecord(PACKAGE, name, method, seed, "l1_tail_mean", sum(tail) / len(tail), config_hash=h),
        ]
        return recs

    return run_cell


def make_bitseq_cell(objective: str):
    def run_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        cfg = bitseq_config(objective, method, seed, preset)
        res = train(cfg, evaluate_spearman_at_start=True)
        _save(Path(out_dir), cfg, res)
        h = config_hash(cfg)
        name = f"bitseq-{objective}"
        recs = [
            ResultRecord(PACKAGE, name, method, seed, "modes_found", v, step=n, config_hash=h)
            for n, v in res.curve
        ]
        recs += [
            ResultRecord(
                PACKAGE,
                name,
                method,
                seed,
                "trajectories_to_all_modes",
                res.all_modes_found_at,
                config_hash=h,
            ),
            ResultRecord(PACKAGE, name, method, seed, "spearman", res.spearman, config_hash=h),
            # the untrained policy's Spearman on the same test set: the noise floor of the metric
            ResultRecord(
                PACKAGE, name, method, seed, "spearman_untrained", res.spearman_start, config_hash=h
            ),
            ResultRecord(PACKAGE, name, method, seed, "mean_log_reward", res.mean_log_reward, config_hash=h),
        ]
        early = EARLY_FRACTION * cfg.n_trajectories
        found_early = max((v for n, v in res.curve if n <= early), default=0.0)
        recs.append(
            ResultRecord(PACKAGE, name, method, seed, "modes_found_early", found_early, config_hash=h)
        )
        return recs

    return run_cell


def _seconds(per_traj_ms: float, table: dict) -> dict[str, float]:
    return {p: max(0.5, table[p]["n_trajectories"] * per_traj_ms / 1000) for p in table}


EXPERIMENTS: list[Experiment] = []
for _obj, _ms in (("tb", 0.5), ("db", 1.0), ("subtb", 1.5)):
    EXPERIMENTS.append(
        Experiment(
            package=PACKAGE,
            name=f"hypergrid-{_obj}",
            description=f"{_obj.upper()} on the hyper-grid, exact L1(P_T, R/Z) vs trajectories, per regression loss",
            methods=LOSSES,
            proposed=PROPOSED,
            metric="l1",
            higher_is_better=False,
            run=make_hypergrid_cell(_obj),
            seconds=_seconds(_ms, HYPERGRID),
            seeds={"smoke": 1, "quick": 3, "paper": 3},
            curve_metric="l1",
            claim="C1: Linex losses reach low L1 in fewer trajectories than Quadratic; C2: similar L1 at convergence",
        )
    )
EXPERIMENTS.append(
    Experiment(
        package=PACKAGE,
        name="hypergrid-converge",
        description="TB on a small hyper-grid (D=2, H=8) run to convergence: final exact L1 per regression loss",
        methods=LOSSES,
        proposed=PROPOSED,
        metric="l1",
        higher_is_better=False,
        run=make_hypergrid_cell("tb", "hypergrid-converge", HYPERGRID_CONVERGE),
        seconds=_seconds(0.45, HYPERGRID_CONVERGE),
        seeds={"smoke": 1, "quick": 3, "paper": 5},
        curve_metric="l1",
        claim="C2: all losses reach about the same L1 at convergence",
    )
)
for _obj, _ms in (("tb", 1.0), ("db", 1.4), ("subtb", 1.8)):
    EXPERIMENTS.append(
        Experiment(
            package=PACKAGE,
            name=f"bitseq-{_obj}",
            description=f"{_obj.upper()} on non-autoregressive bit sequences: modes found vs trajectories, Spearman",
            methods=LOSSES,
            proposed=PROPOSED,
            metric="modes_found",
            higher_is_better=True,
            run=make_bitseq_cell(_obj),
            seconds=_seconds(_ms, BITSEQ),
            seeds={"smoke": 1, "quick": 3, "paper": 5},
            curve_metric="modes_found",
            claim="C3: zero-avoiding losses (Linex) find the modes sooner; zero-forcing (Quadratic, Cosh) fit better (Spearman)",
        )
    )

# ---------------------------------------------------------------------------------------------------------
# Claims (README "What the paper claims"), each decided before its evidence was run. Evidence:
# packages/gflownet-losses/evidence/<folder>/. C3's budget was chosen on a held-out seed (100); seeds 0-4 ran.
_CMD_C1 = "gflownet-losses reproduce --preset quick --only hypergrid-tb hypergrid-db hypergrid-subtb --seeds 5 --out runs/gfl"
_CMD_C2 = "gflownet-losses reproduce --preset quick --only hypergrid-converge --seeds 5 --out runs/gfl"
_CMD_C3 = "gflownet-losses reproduce --preset paper --only bitseq-tb --seeds 5 --out runs/gfl"

CLAIMS: list[Claim] = [
    *(
        Claim(
            id=f"{PACKAGE}/c1-linex-lower-l1-{obj}",
            statement=f"C1 ({obj.upper()}): Linex(1) is closer to the target than Quadratic after 3.2k "
            "trajectories (exact L1, hyper-grid 8x8)",
            experiment=f"hypergrid-{obj}",
            evidence="quick",
            test="better",
            method="linex1",
            baseline="quadratic",
            metric="l1",
            command=_CMD_C1,
        )
        for obj in ("tb", "db", "subtb")
    ),
    Claim(
        id=f"{PACKAGE}/c2-similar-l1-at-convergence",
        statement="C2: Linex(1) and Quadratic reach the same L1 at convergence (tail mean of exact L1 within "
        "0.05, TB, 150k trajectories)",
        experiment="hypergrid-converge",
        evidence="quick",
        test="equal",
        method="linex1",
        baseline="quadratic",
        metric="l1_tail_mean",
        threshold=0.05,
        command=_CMD_C2,
    ),
    Claim(
        id=f"{PACKAGE}/c3-spearman-headroom",
        statement="Headroom for C3: at 16k trajectories Quadratic's Spearman(P_T, R) is > 0.2 above 0, "
        "the untrained policy's level (bit sequences, TB)",
        experiment="bitseq-tb",
        evidence="paper",
        test="better",
        method="quadratic",
        target=0.0,
        threshold=0.2,
        metric="spearman",
        higher_is_better=True,
        command=_CMD_C3,
        headroom=True,
    ),
    Claim(
        id=f"{PACKAGE}/c3-quadratic-fits-better",
        statement="C3: zero-forcing Quadratic has a higher Spearman(P_T, R) than zero-avoiding Linex(1) "
        "(bit sequences, TB, 16k trajectories)",
        experiment="bitseq-tb",
        evidence="paper",
        test="better",
        method="quadratic",
        baseline="linex1",
        metric="spearman",
        higher_is_better=True,
        command=_CMD_C3,
        requires=f"{PACKAGE}/c3-spearman-headroom",
    ),
    Claim(
        id=f"{PACKAGE}/c3-cosh-fits-better",
        statement="C3: zero-forcing Shifted-Cosh has a higher Spearman(P_T, R) than Linex(1) "
        "(bit sequences, TB, 16k trajectories)",
        experiment="bitseq-tb",
        evidence="paper",
        test="better",
        method="cosh",
        baseline="linex1",
        metric="spearman",
        higher_is_better=True,
        command=_CMD_C3,
        requires=f"{PACKAGE}/c3-spearman-headroom",
    ),
    Claim(
        id=f"{PACKAGE}/c3-linex-finds-modes-sooner",
        statement="C3: zero-avoiding Linex(1) has found more of the 8 modes than Quadratic after 10% of the "
        "budget (1.6k trajectories; bit sequences, TB)",
        experiment="bitseq-tb",
        evidence="paper",
        test="better",
        method="linex1",
        baseline="quadratic",
        metric="modes_found_early",
        higher_is_better=True,
        command=_CMD_C3,
    ),
]
