"""Reproductions (the paper has no experiments; these follow the brief's demonstration plan).

Every cell runs one method with one seed; the headline is the final exact cumulative regret (lower is
better) and the curve is the cumulative regret at geometrically spaced episodes (step = episode).
The bonus multiplier c is shared by all methods of an experiment; it was picked on seeds 100-103, which
no experiment uses (see README).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
from paperkit import Claim, Experiment, ResultRecord, config_hash, write_config
from paperkit.experiments import run_batched as paperkit_run_batched
from paperkit.regret import log_spaced_steps, tail_loglog_slope

from lsvi_ucb_plus.batched import run_rows
from lsvi_ucb_plus.config import Config

PACKAGE = "lsvi-ucb-plus"
METHODS = (
    "lsvi-ucb-plus",
    "lsvi-ucb",
    "lsvi-ucb-plus-noweights",
    "lsvi-ucb-plus-noswitch",
    "lsvi-ucb-plus-cthr1",
    "lsvi-ucb-plus-remark74",
)
# method -> (Config.algo, config overrides). cthr1: the floor test threshold c_thr = 1 instead of 1/(Hd),
# so the big floor ς_big applies only to the few samples with a large elliptical potential at this K.
METHOD_CONFIG: dict[str, tuple[str, dict[str, float]]] = {
    "lsvi-ucb-plus-cthr1": ("lsvi-ucb-plus", {"c_thr": 1.0}),
    # remark74: the paper's other (c_thr, ς_big) pair, 1/(Hd³) and H d^{3/2} (Remark 7.4)
    "lsvi-ucb-plus-remark74": ("lsvi-ucb-plus", {"floor_rule": "remark"}),
    # norunmin: Q̂_k = min(new, H) instead of the v3 running min min(new, Q̂_{k-1}, H) (a labelled option)
    "lsvi-ucb-plus-norunmin": ("lsvi-ucb-plus", {"running_min": False}),
}


def method_config(base: Config, method: str, seed: int) -> Config:
    algo, overrides = METHOD_CONFIG.get(method, (method, {}))
    return dataclasses.replace(base, algo=algo, seed=seed, **overrides)


HEADLINE = "cumulative_regret"
LATE_FRACTION = 0.2  # late per-episode regret: the mean over the last 20% of the episodes
MAX_ROWS = 64  # rows per seed-vectorised batch

# episodes K per preset
K_HARD = {"smoke": 200, "quick": 3000, "paper": 4000}
K_LOWRANK = {"smoke": 300, "quick": 2000, "paper": 4000}
K_SCALING = {"smoke": 100, "quick": 1500, "paper": 4000}
SCALING_H = {"smoke": (3, 4), "quick": (3, 4, 6), "paper": (4, 6, 8)}
SCALING_D = {"smoke": (3, 4), "quick": (3, 4, 6), "paper": (4, 6, 8)}

C_LARGE = 0.03  # hard-large-k: chosen on held-out seeds 100-104 at K = 2·10⁴ (benchmarks/tune_c.py, README)
C_HARD = 0.03  # tuned on seeds 100-103, hard instance d=4, H=4, Δ=0.04, K=2000
K_LARGE = {"smoke": 300, "quick": 5000, "paper": 20000}
K_LONG = {"smoke": 300, "quick": 20000, "paper": 100000}
C_LOWRANK = 0.003  # tuned on seeds 100-103, low-rank S=20, A=10, d=6, H=10, K=1000


# ---------------------------------------------------------------------------------------------------------
# Cells as rows. A cell (method, seed) is one or more runs ("rows", each a Config); the rows of many cells can
# be played as one seed-vectorised batch (``run_batched``), which gives every row the regret of ``train``.


@dataclasses.dataclass
class RowResult:
    regret: np.ndarray  # exact per-episode regret
    switches: int
    big_floor_fraction: float


def late_regret(regret: np.ndarray, fraction: float = LATE_FRACTION) -> float:
    """Mean per-episode regret over the last ``fraction`` of the episodes (0 once the policy is optimal)."""
    n = max(1, round(fraction * len(regret)))
    return float(np.mean(regret[-n:]))


def _curve_records(exp: str, method: str, seed: int, cfg: Config, row: RowResult) -> list[ResultRecord]:
    h = config_hash(cfg)
    cum = np.cumsum(row.regret)
    curve = [(k, float(cum[k - 1])) for k in log_spaced_steps(len(cum), cfg.curve_points)]
    recs = [ResultRecord(PACKAGE, exp, method, seed, HEADLINE, v, step=k, config_hash=h) for k, v in curve]
    recs.append(ResultRecord(PACKAGE, exp, method, seed, "switches", float(row.switches), config_hash=h))
    recs.append(
        ResultRecord(PACKAGE, exp, method, seed, "late_regret", late_regret(row.regret), config_hash=h)
    )
    if math.isfinite(row.big_floor_fraction):  # how often the floor test failed (σ̂ = ς_big)
        recs.append(
            ResultRecord(
                PACKAGE, exp, method, seed, "big_floor_fraction", row.big_floor_fraction, config_hash=h
            )
        )
    slope = tail_loglog_slope([k for k, _ in curve], [v for _, v in curve])
    if math.isfinite(slope):
        recs.append(ResultRecord(PACKAGE, exp, method, seed, "loglog_slope_K", slope, config_hash=h))
    return recs


def _curve_spec(exp: str, base_fn):
    def rows(method: str, seed: int, preset: str) -> list[Config]:
        return [method_config(base_fn(preset), method, seed)]

    def records(method: str, seed: int, cfgs: list[Config], results: list[RowResult]) -> list[ResultRecord]:
        return _curve_records(exp, method, seed, cfgs[0], results[0])

    return rows, records


def _hard_fixed_gap(preset: str) -> Config:
    return Config(
        instance="hard", d=4, horizon=4, episodes=K_HARD[preset], hard_delta=0.04, bonus_scale=C_HARD
    )


def _hard_lower_bound(preset: str) -> Config:
    return Config(instance="hard", d=4, horizon=4, episodes=K_HARD[preset], bonus_scale=C_HARD)


def _lowrank(preset: str) -> Config:
    return Config(
        instance="lowrank",
        d=6,
        horizon=10,
        n_states=20,
        n_actions=10,
        episodes=K_LOWRANK[preset],
        bonus_scale=C_LOWRANK,
    )


def _hard_large_k(preset: str) -> Config:
    """The hard instance (d = 4, H = 4, Δ = 0.04) at a K where the variance weights engage (see README)."""
    return Config(
        instance="hard",
        d=4,
        horizon=4,
        episodes=K_LARGE[preset],
        hard_delta=0.04,
        bonus_scale=C_LARGE,
        curve_points=24,
    )


def _hard_longrun(preset: str) -> Config:
    """hard-large-k's instance and c, run long enough for the late-regret difference to pay back the total."""
    return dataclasses.replace(_hard_large_k(preset), episodes=K_LONG[preset])


def _scaling_spec(exp: str, axis: str, grid_by_preset: dict[str, tuple[int, ...]]):
    """Final regret on the hard instance (Δ = 1/(2H(d-1)), i.e. a fixed relative gap) along one axis."""

    def rows(method: str, seed: int, preset: str) -> list[Config]:
        out = []
        for value in grid_by_preset[preset]:
            d = value if axis == "d" else 4
            H = value if axis == "H" else 4
            base = Config(
                instance="hard",
                d=d,
                horizon=H,
                episodes=K_SCALING[preset],
                hard_delta=1.0 / (2 * H * (d - 1)),
                bonus_scale=C_HARD,
            )
            out.append(method_config(base, method, seed))
        return out

    def records(method: str, seed: int, cfgs: list[Config], results: list[RowResult]) -> list[ResultRecord]:
        grid = [c.d if axis == "d" else c.horizon for c in cfgs]
        finals = [float(r.regret.sum()) for r in results]
        recs = [
            ResultRecord(PACKAGE, exp, method, seed, f"regret_vs_{axis}", f, step=v)
            for v, f in zip(grid, finals, strict=True)
        ]
        recs.append(ResultRecord(PACKAGE, exp, method, seed, HEADLINE, finals[-1]))
        x, y = np.log(grid), np.log(np.maximum(finals, 1e-12))
        recs.append(
            ResultRecord(PACKAGE, exp, method, seed, f"loglog_slope_{axis}", float(np.polyfit(x, y, 1)[0]))
        )
        return recs

    return rows, records


SPECS = {
    "hard-fixed-gap": _curve_spec("hard-fixed-gap", _hard_fixed_gap),
    "hard-lower-bound": _curve_spec("hard-lower-bound", _hard_lower_bound),
    "lowrank": _curve_spec("lowrank", _lowrank),
    "hard-large-k": _curve_spec("hard-large-k", _hard_large_k),
    "hard-longrun": _curve_spec("hard-longrun", _hard_longrun),
    "scaling-H": _scaling_spec("scaling-H", "H", SCALING_H),
    "scaling-d": _scaling_spec("scaling-d", "d", SCALING_D),
}


def _play(cfgs: list[Config], max_rows: int = MAX_ROWS) -> list[RowResult]:
    """Play the rows in seed-vectorised batches of compatible rows (same shapes, K and learner family)."""
    groups: dict[tuple, list[int]] = {}
    for i, c in enumerate(cfgs):
        key = (c.algo == "lsvi-ucb", c.instance, c.d, c.horizon, c.episodes, c.n_states, c.n_actions, c.lam)
        groups.setdefault(key, []).append(i)
    out: list[RowResult | None] = [None] * len(cfgs)
    for idx in groups.values():
        for start in range(0, len(idx), max_rows):
            part = idx[start : start + max_rows]
            res = run_rows([cfgs[i] for i in part])
            for j, i in enumerate(part):
                out[i] = RowResult(
                    res["regret"][j], int(res["switches"][j]), float(res["big_floor_fraction"][j])
                )
    return out  # type: ignore[return-value]


def _cell(exp: str):
    rows_fn, records_fn = SPECS[exp]

    def run(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        cfgs = rows_fn(method, seed, preset)
        write_config(out_dir, cfgs[-1])
        return records_fn(method, seed, cfgs, _play(cfgs))

    return run


def run_batched(
    exp: Experiment, preset: str, seeds: list[int], out: Path, methods: tuple[str, ...] | None = None
) -> float:
    """Every (method, seed) cell of ``exp`` missing from ``out/<preset>``, its rows played in seed-vectorised
    batches with every other cell's; the same records in the folders ``reproduce`` / ``bench run`` use.
    Returns the seconds spent."""
    rows_fn, records_fn = SPECS[exp.name]
    return paperkit_run_batched(
        exp,
        preset,
        seeds,
        out,
        methods,
        rows=rows_fn,
        play=_play,
        records=records_fn,
        write_config=lambda d, cfgs: write_config(d, cfgs[-1]),
    )


_SEEDS = {"smoke": 2, "quick": 5, "paper": 10}

LARGE_K_METHODS = (
    "lsvi-ucb-plus",
    "lsvi-ucb",
    "lsvi-ucb-plus-norunmin",
    "lsvi-ucb-plus-noweights",
    "lsvi-ucb-plus-noswitch",
    "lsvi-ucb-plus-cthr1",
)

EXPERIMENTS = [
    Experiment(
        package=PACKAGE,
        name="hard-large-k",
        description=(
            "Hard linear MDP, d=4, H=4, fixed gap Δ=0.04, at K where the variance weights engage "
            "(paper preset K = 2·10⁴); shared c chosen on held-out seeds."
        ),
        methods=LARGE_K_METHODS,
        proposed="lsvi-ucb-plus",
        metric=HEADLINE,
        higher_is_better=False,
        run=_cell("hard-large-k"),
        seconds={"smoke": 1.0, "quick": 12.0, "paper": 50.0},  # one cell alone; `batch` plays 60 in ~3 min
        seeds={"smoke": 2, "quick": 10, "paper": 10},
        curve_metric=HEADLINE,
        x_label="episodes K",
        log_log=True,
        claim=(
            "Once the Bernstein weights engage, LSVI-UCB+ is below LSVI-UCB in total and late regret; "
            "removing the weights loses the gain."
        ),
    ),
    Experiment(
        package=PACKAGE,
        name="hard-longrun",
        description="hard-large-k's instance and c for LSVI-UCB+ and LSVI-UCB only, K = 10⁵ (paper preset).",
        methods=("lsvi-ucb-plus", "lsvi-ucb"),
        proposed="lsvi-ucb-plus",
        metric=HEADLINE,
        higher_is_better=False,
        run=_cell("hard-longrun"),
        seconds={"smoke": 1.0, "quick": 50.0, "paper": 250.0},
        seeds={"smoke": 2, "quick": 10, "paper": 10},
        curve_metric=HEADLINE,
        x_label="episodes K",
        log_log=True,
        claim="LSVI-UCB+'s lower late regret pays back its larger early regret: lower total at K = 10⁵.",
    ),
    Experiment(
        package=PACKAGE,
        name="hard-fixed-gap",
        description="Hard linear MDP (App. E) with d=4, H=4 and a fixed gap Δ=0.04; K episodes.",
        methods=METHODS,
        proposed="lsvi-ucb-plus",
        metric=HEADLINE,
        higher_is_better=False,
        run=_cell("hard-fixed-gap"),
        seconds={"smoke": 0.3, "quick": 3.0, "paper": 4.0},
        seeds=_SEEDS,
        curve_metric=HEADLINE,
        x_label="episodes K",
        log_log=True,
        claim="Regret grows like sqrt(K); LSVI-UCB+ below LSVI-UCB; removing the variance weights loses the gain.",
    ),
    Experiment(
        package=PACKAGE,
        name="hard-lower-bound",
        description="Hard linear MDP at its lower-bound gap Δ = sqrt(ι/K)/(4√2): d=4, H=4.",
        methods=METHODS,
        proposed="lsvi-ucb-plus",
        metric=HEADLINE,
        higher_is_better=False,
        run=_cell("hard-lower-bound"),
        seconds={"smoke": 0.3, "quick": 3.0, "paper": 4.0},
        seeds=_SEEDS,
        curve_metric=HEADLINE,
        x_label="episodes K",
        log_log=True,
        claim="Omega(Hd sqrt(T)) instance: every learner's regret is of order sqrt(K) here.",
    ),
    Experiment(
        package=PACKAGE,
        name="lowrank",
        description="Random low-rank linear MDP: S=20, A=10, d=6, H=10, peaky next-state factors.",
        methods=METHODS,
        proposed="lsvi-ucb-plus",
        metric=HEADLINE,
        higher_is_better=False,
        run=_cell("lowrank"),
        seconds={"smoke": 0.3, "quick": 4.0, "paper": 8.0},
        seeds=_SEEDS,
        curve_metric=HEADLINE,
        x_label="episodes K",
        log_log=True,
        claim="Low-variance V*: the Bernstein bonus should make LSVI-UCB+ beat LSVI-UCB.",
    ),
    Experiment(
        package=PACKAGE,
        name="scaling-H",
        description="Final regret vs horizon H on the hard instance (d=4, Δ = 1/(2H(d-1))).",
        methods=("lsvi-ucb-plus", "lsvi-ucb", "lsvi-ucb-plus-cthr1"),
        proposed="lsvi-ucb-plus",
        metric=HEADLINE,
        higher_is_better=False,
        run=_cell("scaling-H"),
        seconds={"smoke": 0.3, "quick": 4.0, "paper": 30.0},
        seeds=_SEEDS,
        curve_metric="regret_vs_H",
        x_label="horizon H",
        log_log=True,
        claim="Regret exponent in H smaller for LSVI-UCB+ (≈1.5 vs 2.0 per the bounds at fixed K).",
    ),
    Experiment(
        package=PACKAGE,
        name="scaling-d",
        description="Final regret vs d on the hard instance (H=4, Δ = 1/(2H(d-1))).",
        methods=("lsvi-ucb-plus", "lsvi-ucb", "lsvi-ucb-plus-cthr1"),
        proposed="lsvi-ucb-plus",
        metric=HEADLINE,
        higher_is_better=False,
        run=_cell("scaling-d"),
        seconds={"smoke": 0.3, "quick": 4.0, "paper": 30.0},
        seeds=_SEEDS,
        curve_metric="regret_vs_d",
        x_label="feature dimension d",
        log_log=True,
        claim="Regret exponent in d smaller for LSVI-UCB+ (≈1.0 vs 1.5 per the bounds at fixed K).",
    ),
]

# ---------------------------------------------------------------------------------------------------------
# Claims (decided before the runs; README "What the paper claims"). Evidence: packages/lsvi-ucb-plus/evidence/.
_CMD_LARGE = "lsvi-ucb-plus batch --preset paper --only hard-large-k --seeds 10 --out runs/lsvi"
_CMD_LONG = "lsvi-ucb-plus batch --preset paper --only hard-longrun --seeds 10 --out runs/lsvi"
SWITCH_BOUND = (
    302.0  # H·d·log2(1 + K w_max/(dλ)) at d = 5 features, H = 4, K = 2·10⁴, w_max = 1/H, λ = 1/(H²√d)
)

CLAIMS: list[Claim] = [
    Claim(
        id="lsvi-ucb-plus/weights-engage",
        statement="Headroom: at K = 2·10⁴ the Bernstein weights engage (under half of the samples at ς_big)",
        experiment="hard-large-k",
        evidence="paper",
        test="better",
        metric="big_floor_fraction",
        higher_is_better=False,
        target=0.5,
        min_seeds=10,
        command=_CMD_LARGE,
        headroom=True,
    ),
    Claim(
        id="lsvi-ucb-plus/baseline-headroom",
        statement="Headroom: LSVI-UCB still pays > 0.001 regret per episode late in the run (room to be below it)",
        experiment="hard-large-k",
        evidence="paper",
        test="better",
        method="lsvi-ucb",
        metric="late_regret",
        higher_is_better=True,
        target=0.0,
        threshold=0.001,
        min_seeds=10,
        command=_CMD_LARGE,
        headroom=True,
    ),
    Claim(
        id="lsvi-ucb-plus/below-late",
        statement="LSVI-UCB+ has lower late per-episode regret than LSVI-UCB (last 20% of K = 2·10⁴)",
        experiment="hard-large-k",
        evidence="paper",
        test="better",
        baseline="lsvi-ucb",
        metric="late_regret",
        min_seeds=10,
        command=_CMD_LARGE,
        requires="lsvi-ucb-plus/baseline-headroom",
    ),
    Claim(
        id="lsvi-ucb-plus/flatter-slope",
        statement="LSVI-UCB+'s cumulative regret grows with a smaller log-log slope in K than LSVI-UCB's",
        experiment="hard-large-k",
        evidence="paper",
        test="better",
        baseline="lsvi-ucb",
        metric="loglog_slope_K",
        min_seeds=10,
        command=_CMD_LARGE,
        requires="lsvi-ucb-plus/weights-engage",
    ),
    Claim(
        id="lsvi-ucb-plus/below-total",
        statement="LSVI-UCB+ has lower cumulative regret than LSVI-UCB at K = 2·10⁴",
        experiment="hard-large-k",
        evidence="paper",
        test="better",
        baseline="lsvi-ucb",
        min_seeds=10,
        command=_CMD_LARGE,
        requires="lsvi-ucb-plus/weights-engage",
    ),
    Claim(
        id="lsvi-ucb-plus/below-total-1e5",
        statement="LSVI-UCB+ has lower cumulative regret than LSVI-UCB at K = 10⁵",
        experiment="hard-longrun",
        evidence="paper",
        test="better",
        baseline="lsvi-ucb",
        min_seeds=10,
        command=_CMD_LONG,
        requires="lsvi-ucb-plus/weights-engage",
    ),
    Claim(
        id="lsvi-ucb-plus/weights-matter",
        statement="Ablation: without the variance weights (σ̂ ≡ √H) the regret is higher",
        experiment="hard-large-k",
        evidence="paper",
        test="better",
        baseline="lsvi-ucb-plus-noweights",
        min_seeds=10,
        command=_CMD_LARGE,
        requires="lsvi-ucb-plus/weights-engage",
    ),
    Claim(
        id="lsvi-ucb-plus/runmin-harmless",
        statement="Ablation: the v3 running min costs at most 10% regret against dropping it",
        experiment="hard-large-k",
        evidence="paper",
        test="within",
        baseline="lsvi-ucb-plus-norunmin",
        threshold=1.1,
        min_seeds=10,
        command=_CMD_LARGE,
    ),
    Claim(
        id="lsvi-ucb-plus/few-switches",
        statement="Rare switching: policy switches stay below the O(dH log K) determinant-doubling bound",
        experiment="hard-large-k",
        evidence="paper",
        test="better",
        metric="switches",
        higher_is_better=False,
        target=SWITCH_BOUND,
        min_seeds=10,
        command=_CMD_LARGE,
    ),
    Claim(
        id="lsvi-ucb-plus/h-exponent",
        statement="The regret's exponent in H is about 1.5 for LSVI-UCB+ (2.0 for LSVI-UCB) at fixed K",
        experiment="scaling-H",
        evidence="quick",
        test="slope",
        metric="regret_vs_H",
        slope_range=(1.0, 1.75),
        min_seeds=10,
        command="lsvi-ucb-plus batch --preset quick --only scaling-H --seeds 10 --out runs/lsvi",
    ),
]
