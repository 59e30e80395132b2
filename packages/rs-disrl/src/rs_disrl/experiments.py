"""Reproductions (paperkit.Experiment) and the claims they decide (paperkit.Claim).

Every cell records ``cumulative_regret`` at several episodes (step = episode; the last one, step = K, is the
headline, lower is better), its ``loglog_slope`` and ``late_regret`` (mean per-episode regret over the last 10% of
episodes: above 0 means a linear phase). A cell runs one (method, seed); :func:`sweep` runs every seed of a method as
one seed-vectorised batch (:mod:`rs_disrl.vectorised`, equal seed by seed) and writes the same records.

Instances: Z (zero-mean linear MDP), G (augmentation necessity) and the lower-bound bandits ``cvar-lb`` /
``erm-lb``, whose risk gap is the same at every tau / gamma, so the tau and gamma dependence is not confounded by
the instance's own gaps (the earlier tau / gamma sweeps on Z were: Z's CVaR gaps change with tau).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
from paperkit import Claim, Experiment, ResultRecord, config_hash
from paperkit.experiments import play_by_seed
from paperkit.experiments import run_batched as paperkit_run_batched
from paperkit.regret import regret_records

from rs_disrl.config import TrainConfig
from rs_disrl.train import Result, train

PACKAGE = "rs-disrl"
EPISODES = {"smoke": 100, "quick": 500, "paper": 2000}
SEEDS = {"smoke": 2, "quick": 5, "paper": 10}
# Bonus scale c. Instance Z: the config default (0.1). Instance G: 1.0 -- its gamble (0.55 vs 0.45) must be explored
# on purpose; at c = 0.1 both RS-DisRL learners lock onto always-safe in about half of the seeds.
G_BONUS_SCALE = 1.0
# Lower-bound sweeps. tau-lb: Alg. 10 on cvar-lb, CVaR gap 2 * 0.1 = 0.2 at every tau. gamma-lb: RS-DisRL-M on erm-lb,
# entropic gap 0.2 at every gamma, values resting on an event of probability ~ e^{-|gamma|}. Bonus scale of Alg. 10: the smallest of {0.1, 0.3, 1} that kept held-out seeds
# (100-104) from locking onto the worse arm (c = 0.1: 9 of 20 (tau, seed) cells locked at K = 5000 with gap 0.05;
# c = 0.3, gap 0.1: none of 10 at K = 4000); RS-DisRL-M keeps its theory radius (c = 1; none of 15 held-out (gamma, seed) cells locked at K = 5000).
# K by mechanism: the smallest tau / largest |gamma| must leave its linear phase. Alg. 10's bonus c d / sqrt(n),
# divided by tau in the CVaR score, falls below the CVaR gap after ~ (c d / (tau * gap))^2 = 3600 pulls of the worse
# arm at tau = 0.05, so K = 10^4. RS-DisRL-M at gamma = 4 with gap 0.1 was still at 0.76x the random policy's regret
# at K = 5000 on held-out seeds (late regret 0.03 per episode); a twice larger gap needs ~4x fewer pulls, so gap 0.2
# and K = 10^4.
# The headroom claims check both (the learner well below the random policy at the extreme parameter).
TAUS = (0.05, 0.1, 0.2, 0.4)
LB_GAMMAS = (-4.0, -2.0, -1.0, 1.0, 2.0, 4.0)
LB_CVAR_EPS, LB_ERM_GAP = 0.1, 0.2
LB_V_BONUS, LB_M_BONUS = 0.3, 1.0
TAU_LB_EPISODES = {"smoke": 200, "quick": 2000, "paper": 10000}
GAMMA_LB_EPISODES = {"smoke": 200, "quick": 2000, "paper": 10000}


def erm_lipschitz(gamma: float, span: float = 1.0) -> float:
    """L_inf of the entropic risk for returns in an interval of length ``span``: (e^{|gamma| span} - 1) / |gamma|."""
    return float(np.expm1(abs(gamma) * span) / abs(gamma))


# ---- one config per (experiment, method, preset) ------------------------------------------------------------------
def _cfg_z(method: str, preset: str) -> TrainConfig:
    return TrainConfig(instance="Z", method=method, tau=0.3, episodes=EPISODES[preset])


def _cfg_g(method: str, preset: str) -> TrainConfig:
    episodes = {"smoke": 100, "quick": 1000, "paper": 2000}[preset]
    return TrainConfig(instance="G", method=method, tau=0.6, episodes=episodes, bonus_scale=G_BONUS_SCALE)


def _cfg_tau(method: str, preset: str) -> TrainConfig:
    kind, _, tau = method.rpartition("tau=")
    learner = {"": "rs-disrl-v", "nobonus-": "rs-disrl-v-nobonus", "random-": "random"}[kind]
    return TrainConfig(
        instance="cvar-lb",
        method=learner,
        tau=float(tau),
        gap=LB_CVAR_EPS,
        episodes=TAU_LB_EPISODES[preset],
        bonus_scale=LB_V_BONUS,
    )


def _cfg_gamma(method: str, preset: str) -> TrainConfig:
    kind, _, gamma = method.rpartition("gamma=")
    learner = {"": "rs-disrl-m", "nobonus-": "rs-disrl-m-nobonus", "random-": "random"}[kind]
    return TrainConfig(
        instance="erm-lb",
        method=learner,
        risk="entropic",
        gamma=float(gamma),
        gap=LB_ERM_GAP,
        episodes=GAMMA_LB_EPISODES[preset],
        bonus_scale=LB_M_BONUS,
    )


CONFIGS: dict[str, Callable[[str, str], TrainConfig]] = {
    "cvar-instance-z": _cfg_z,
    "augmentation-instance-g": _cfg_g,
    "tau-lb": _cfg_tau,
    "gamma-lb": _cfg_gamma,
}


def cell_records(
    experiment: str, method: str, seed: int, cfg: TrainConfig, result: Result
) -> list[ResultRecord]:
    """The records of one finished run: the regret curve, its log-log slope and the late per-episode regret."""
    h = config_hash(dataclasses.replace(cfg, seed=seed))
    records = regret_records(PACKAGE, experiment, method, seed, result.cumulative_regret, config_hash=h)
    late = float(result.regret[-max(1, result.regret.size // 10) :].mean())
    records.append(ResultRecord(PACKAGE, experiment, method, seed, "late_regret", late, config_hash=h))
    return records


def _cell(experiment: str):
    def run(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        cfg = dataclasses.replace(CONFIGS[experiment](method, preset), seed=seed)
        return cell_records(experiment, method, seed, cfg, train(cfg))

    return run


def _exp(name, description, methods, proposed, seconds, claim) -> Experiment:
    return Experiment(
        package=PACKAGE,
        name=name,
        description=description,
        methods=methods,
        proposed=proposed,
        metric="cumulative_regret",
        higher_is_better=False,
        run=_cell(name),
        seconds=seconds,
        seeds=SEEDS,
        curve_metric="cumulative_regret",
        x_label="episodes K",
        log_log=True,
        claim=claim,
    )


EXPERIMENTS = [
    _exp(
        "cvar-instance-z",
        "CVaR_0.3 on the zero-mean linear MDP (Instance Z, H=6): Alg. 10 vs model-based, no-bonus, LSVI-UCB, random",
        ("rs-disrl-v", "rs-disrl-m", "rs-disrl-v-nobonus", "rs-disrl-m-nobonus", "lsvi-ucb", "random"),
        "rs-disrl-v",
        {"smoke": 1.0, "quick": 5.0, "paper": 20.0},
        "RS-DisRL regret grows sublinearly (~sqrt K); the risk-neutral LSVI-UCB has linear regret on a zero-mean MDP",
    ),
    _exp(
        "augmentation-instance-g",
        "CVaR_0.6 on Instance G (H=2, c=1): augmented-state learners vs a Markov-only CVaR learner and no-bonus variants",
        ("rs-disrl-v", "rs-disrl-m", "markov-cvar", "rs-disrl-v-nobonus", "rs-disrl-m-nobonus", "random"),
        "rs-disrl-v",
        {"smoke": 0.2, "quick": 1.5, "paper": 3.0},
        "Markov (non-augmented) policies are stuck at 0.083 regret per episode; augmented learners are sublinear",
    ),
    _exp(
        "tau-lb",
        "Alg. 10 (c=0.3) on the CVaR lower-bound bandit (CVaR gap 0.2 at every tau), tau in {0.05, 0.1, 0.2, 0.4}; "
        "no-bonus and random arms at tau=0.05",
        (*(f"tau={t}" for t in TAUS), "nobonus-tau=0.05", "random-tau=0.05"),
        "tau=0.05",
        {"smoke": 0.3, "quick": 3.0, "paper": 12.0},
        "regret increases as tau decreases (L_inf = H / tau), with the risk gap held fixed",
    ),
    _exp(
        "gamma-lb",
        "RS-DisRL-M (entropic, c=1) on the entropic lower-bound bandit (gap 0.2 at every gamma), gamma in "
        "{+-1, +-2, +-4}; no-bonus and random arms at gamma=+4",
        (*(f"gamma={g:+g}" for g in LB_GAMMAS), "nobonus-gamma=+4", "random-gamma=+4"),
        "gamma=+4",
        {"smoke": 0.3, "quick": 3.0, "paper": 12.0},
        "regret grows with |gamma| (L_inf = (e^{|gamma|} - 1) / |gamma| for returns in [0, 1]), gap held fixed",
    ),
]


def run_batched(
    exp: Experiment, preset: str, seeds: list[int], out: Path, methods: tuple[str, ...] | None = None
) -> float:
    """Every (method, seed) cell of ``exp`` missing from ``out/<preset>``, the seeds of a method in one
    seed-vectorised batch (:func:`~rs_disrl.vectorised.train_seeds`, equal seed by seed to ``train``); records laid
    out as ``reproduce`` writes them (``out/<preset>/rs-disrl/<experiment>/<method>/seed<k>/records.jsonl``).
    Returns the seconds spent."""
    from rs_disrl.vectorised import train_seeds

    return paperkit_run_batched(
        exp,
        preset,
        seeds,
        out,
        methods,
        rows=lambda method, seed, preset: [dataclasses.replace(CONFIGS[exp.name](method, preset), seed=seed)],
        play=play_by_seed(train_seeds),
        records=lambda method, seed, cfgs, results: cell_records(exp.name, method, seed, cfgs[0], results[0]),
    )


SWEEP = "rs-disrl sweep --preset paper --out runs/sweep"


def _claim(slug: str, statement: str, experiment: str, test: str, **kw) -> Claim:
    return Claim(
        id=f"{PACKAGE}/{slug}",
        statement=statement,
        experiment=experiment,
        evidence="paper",
        test=test,
        min_seeds=10,
        command=f"{SWEEP} --only {experiment}",
        **kw,
    )


# Declared before the runs (tests, thresholds, seeds = 10 per arm). Thresholds on late_regret (mean per-episode regret
# over the last 10% of K): a "failing" (linear) learner pays more than 10% of the per-episode regret of the policy it
# locks onto (G: 1/12 per episode -> 0.008; the lower-bound bandits: 0.2 -> 0.02).
CLAIMS: list[Claim] = [
    _claim(
        "lsvi-ucb-linear-on-z",
        "on the zero-mean MDP Z the risk-neutral LSVI-UCB has higher CVaR regret than Alg. 10 (K = 2000)",
        "cvar-instance-z",
        "better",
        baseline="lsvi-ucb",
    ),
    _claim(
        "lsvi-ucb-plateau-on-z",
        "LSVI-UCB's late per-episode regret on Z stays above Alg. 10's (it learns nothing about risk)",
        "cvar-instance-z",
        "better",
        baseline="lsvi-ucb",
        metric="late_regret",
    ),
    _claim(
        "alg10-sqrt-k-on-z",
        "Alg. 10's cumulative regret on Z grows no faster than sqrt(K) (log-log slope over K in [200, 2000] <= 0.6)",
        "cvar-instance-z",
        "slope",
        x_range=(200, 2000),
        slope_range=(0.0, 0.6),
    ),
    _claim(
        "alg10-beats-model-based-on-z",
        "the model-based learner (RS-DisRL-M, Bastani et al.-style) converges more slowly than Alg. 10 on Z",
        "cvar-instance-z",
        "better",
        baseline="rs-disrl-m",
    ),
    _claim(
        "markov-linear-on-g",
        "on Instance G a Markov-only CVaR learner has higher regret than the augmented Alg. 10",
        "augmentation-instance-g",
        "better",
        baseline="markov-cvar",
    ),
    _claim(
        "headroom-nobonus-fails-on-g",
        "headroom: without its bonus Alg. 10 locks onto always-safe on G (late regret > 0.008 per episode)",
        "augmentation-instance-g",
        "better",
        method="rs-disrl-v-nobonus",
        metric="late_regret",
        higher_is_better=True,
        target=0.0,
        threshold=0.008,
        headroom=True,
    ),
    _claim(
        "optimism-needed-on-g",
        "optimism pays on G: Alg. 10 has lower regret than its no-bonus ablation",
        "augmentation-instance-g",
        "better",
        baseline="rs-disrl-v-nobonus",
        requires="rs-disrl/headroom-nobonus-fails-on-g",
    ),
    _claim(
        "headroom-tau-lb",
        "headroom: at tau = 0.05 Alg. 10 leaves its linear phase on the CVaR lower-bound bandit (regret <= 0.5x random)",
        "tau-lb",
        "within",
        baseline="random-tau=0.05",
        threshold=0.5,
        headroom=True,
    ),
    _claim(
        "headroom-nobonus-fails-tau-lb",
        "headroom: without its bonus Alg. 10 locks onto the worse arm of the CVaR lower-bound bandit (late > 0.02)",
        "tau-lb",
        "better",
        method="nobonus-tau=0.05",
        metric="late_regret",
        higher_is_better=True,
        target=0.0,
        threshold=0.02,
        headroom=True,
    ),
    _claim(
        "optimism-needed-tau-lb",
        "optimism pays on the CVaR lower-bound bandit: Alg. 10 below its no-bonus ablation at tau = 0.05",
        "tau-lb",
        "better",
        baseline="nobonus-tau=0.05",
        requires="rs-disrl/headroom-nobonus-fails-tau-lb",
    ),
    _claim(
        "regret-grows-as-tau-falls",
        "with the CVaR gap fixed, Alg. 10's regret grows as tau falls: log-log slope of regret on 1/tau in "
        "[0.5, 2.5] (lower bound tau^-1/2; L_inf = H/tau gives tau^-1 minimax, tau^-2 at a fixed gap)",
        "tau-lb",
        "slope",
        slope_x={f"tau={t}": 1.0 / t for t in TAUS},
        slope_range=(0.5, 2.5),
        requires="rs-disrl/headroom-tau-lb",
    ),
    _claim(
        "headroom-gamma-lb",
        "headroom: at gamma = +4 RS-DisRL-M leaves its linear phase on the entropic lower-bound bandit "
        "(regret <= 0.5x random)",
        "gamma-lb",
        "within",
        baseline="random-gamma=+4",
        threshold=0.5,
        headroom=True,
    ),
    _claim(
        "headroom-nobonus-fails-gamma-lb",
        "headroom: the greedy plug-in RS-DisRL-M locks onto the worse arm of the entropic lower-bound bandit",
        "gamma-lb",
        "better",
        method="nobonus-gamma=+4",
        metric="late_regret",
        higher_is_better=True,
        target=0.0,
        threshold=0.02,
        headroom=True,
    ),
    _claim(
        "optimism-needed-gamma-lb",
        "optimism pays on the entropic lower-bound bandit: RS-DisRL-M below its no-bonus ablation at gamma = +4",
        "gamma-lb",
        "better",
        baseline="nobonus-gamma=+4",
        requires="rs-disrl/headroom-nobonus-fails-gamma-lb",
    ),
    _claim(
        "regret-grows-with-abs-gamma",
        "with the entropic gap fixed, RS-DisRL-M's regret grows with |gamma|: log-log slope of regret on "
        "L_inf = (e^|gamma| - 1)/|gamma| in [0.5, 2.5] (lower bound e^{|gamma|/2}; gap-dependent upper L_inf^2)",
        "gamma-lb",
        "slope",
        slope_x={f"gamma={g:+g}": erm_lipschitz(g) for g in LB_GAMMAS},
        slope_range=(0.5, 2.5),
        requires="rs-disrl/headroom-gamma-lb",
    ),
]
