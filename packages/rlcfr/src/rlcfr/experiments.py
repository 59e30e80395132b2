"""Reproductions of RL-CFR's claim on the toy game: with the same K, the RL-chosen root abstraction beats
the default abstraction (M1 held-out reward, M2 restricted-game value, M3 head-to-head), at equal CFR time
(M4, recorded in every cell as ``solve_ms``). Baselines: the default abstraction {0.5, 1, 2} pot, K random
sizes, and a FINE-GRAIN abstraction with 8 sizes (more sizes, more CFR time).

The RL policy of a seed is trained once per preset and cached next to the cells (``_rl_actor``), so the
three experiments share it; a half-finished training resumes from its checkpoint.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from paperkit import Claim, Experiment, ResultRecord, Seeder

from rlcfr.config import EvalConfig, GameConfig, HeadroomConfig, TrainConfig
from rlcfr.evaluate import head_to_head, held_out_rewards, make_rule, mean_ci, restricted_value, solve_time

PACKAGE = "rlcfr"
METHODS = ("rl", "default", "random", "fine_grain")

GAMES = {
    "smoke": GameConfig(stack_bb=(10.0, 15.0), max_raises=2, cfr_iterations=30),
    "quick": GameConfig(stack_bb=(10.0, 30.0), max_raises=3, cfr_iterations=150),
    "paper": GameConfig(stack_bb=(10.0, 50.0), max_raises=4, cfr_iterations=150),
}
TRAIN = {
    "smoke": dict(epochs=1, episodes_per_epoch=1, updates_per_epoch=10, batch_size=16, warmup_epochs=0),
    "quick": dict(epochs=6, episodes_per_epoch=16, updates_per_epoch=300, batch_size=64, warmup_epochs=1),
    "paper": dict(epochs=30, episodes_per_epoch=60, updates_per_epoch=2000, batch_size=256, warmup_epochs=3),
}
EVALS = {
    "smoke": EvalConfig(m1_episodes=1, m2_deals=1, m2_iterations=30, m3_pairs=1),
    "quick": EvalConfig(m1_episodes=12, m2_deals=3, m2_iterations=150, m3_pairs=12),
    "paper": EvalConfig(m1_episodes=800, m2_deals=50, m2_iterations=150, m3_pairs=2000),
}


def train_config(preset: str, seed: int) -> TrainConfig:
    return TrainConfig(seed=seed, game=GAMES[preset], **TRAIN[preset])


def _actor(preset: str, seed: int, out_dir: Path, records: list, exp: str):
    """Train (or load the cached) RL policy of this seed; its learning curve goes into the records."""
    from rlcfr.train import train

    cache = Path(out_dir).resolve().parents[2] / "_rl_actor" / f"seed{seed}"
    result = train(train_config(preset, seed), run_dir=cache)
    for epoch, r in enumerate(result.epoch_mean_reward, 1):
        records.append(ResultRecord(PACKAGE, exp, "rl", seed, "train_reward_mbb", r * 1000, step=epoch))
    return result.actor


def _cell(exp: str, metric: str):
    def run(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        game = GAMES[preset]
        ev = dataclasses.replace(EVALS[preset], seed=1000 + seed)
        records: list[ResultRecord] = []
        actor = _actor(preset, seed, out_dir, records, exp) if method == "rl" else None
        rule = make_rule(method, game, actor, Seeder(seed).numpy("random_rule"))
        if metric == "m1_reward_mbb":
            # The default abstraction's reward is 0 by construction (both trees are the same).
            values = held_out_rewards(rule, game, ev) * 1000 if method != "default" else [0.0, 0.0]
        elif metric == "m2_value_mbb":
            values = restricted_value(rule, game, ev) * 1000
        else:
            values = head_to_head(rule, make_rule("default", game, None, None), game, ev)[0] * 1000
        mean, half = mean_ci(values)
        secs, nodes = solve_time(rule, game, ev, n=3 if preset == "smoke" else 10)
        records += [
            ResultRecord(PACKAGE, exp, method, seed, metric, mean),
            ResultRecord(PACKAGE, exp, method, seed, metric.replace("_mbb", "_ci95_mbb"), half),
            ResultRecord(PACKAGE, exp, method, seed, "samples", float(len(values))),
            ResultRecord(PACKAGE, exp, method, seed, "solve_ms", secs * 1000),
            ResultRecord(PACKAGE, exp, method, seed, "tree_nodes", nodes),
        ]
        return records

    return run


HEADROOM = {
    "smoke": HeadroomConfig(game=GameConfig(stack_bb=(10.0, 15.0), max_raises=2, cfr_iterations=50)),
    "quick": HeadroomConfig(game=GameConfig(stack_bb=(100.0, 200.0), max_raises=4, cfr_iterations=4000)),
    "paper": HeadroomConfig(
        deals=4, game=GameConfig(stack_bb=(100.0, 200.0), max_raises=4, cfr_iterations=4000)
    ),
}
HEADROOM_METHODS = ("top_k", "superset", "default")


def _headroom_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
    """One block of deals per seed; the three methods share one computation, cached beside the cells."""
    import json

    from rlcfr.headroom import headroom

    cache = Path(out_dir).resolve().parents[2] / "_headroom" / preset / f"seed{seed}.json"
    if cache.exists():
        rows = json.loads(cache.read_text())
    else:
        cfg = dataclasses.replace(HEADROOM[preset], seed=seed)
        rows = [dataclasses.asdict(r) for r in headroom(cfg)]
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(rows))

    def gain(row: dict) -> float:
        return {"default": 0.0, "superset": row["superset_mbb"], "top_k": row["top_k_mbb"]}[method]

    exp = "headroom"
    records = [
        ResultRecord(PACKAGE, exp, method, seed, "gain_mbb", float(np.mean([gain(r) for r in rows]))),
        ResultRecord(
            PACKAGE,
            exp,
            method,
            seed,
            "solver_error_mbb",
            float(np.mean([r["solver_error_mbb"] for r in rows])),
        ),
        ResultRecord(PACKAGE, exp, method, seed, "stack_bb", float(np.mean([r["stack_bb"] for r in rows]))),
    ]
    for point in ("root", "facing_bet"):
        values = [gain(r) for r in rows if r["point"] == point]
        records.append(ResultRecord(PACKAGE, exp, method, seed, f"{point}_gain_mbb", float(np.mean(values))))
    return records


_SECONDS = {"smoke": 4.0, "quick": 90.0, "paper": 3600.0}
_SEEDS = {"smoke": 1, "quick": 3, "paper": 5}

EXPERIMENTS = [
    Experiment(
        package=PACKAGE,
        name="headroom",
        description="Headroom: gain (mbb of the acting player's value) of the best K-size root abstraction over "
        "the default {0.5, 1, 2} pot, at the root and facing a 1 x pot open, 100-200 BB stacks, 4,000 DCFR "
        "iterations. top_k (the K grid sizes the superset's equilibrium uses most) is a lower bound on the "
        "best K-size abstraction, superset (all 10 grid sizes) an upper bound.",
        methods=HEADROOM_METHODS,
        proposed="top_k",
        metric="gain_mbb",
        higher_is_better=True,
        run=_headroom_cell,
        seconds={"smoke": 1.0, "quick": 30.0, "paper": 120.0},
        seeds={"smoke": 1, "quick": 10, "paper": 10},
        claim="The game leaves room for a better root abstraction: best K-size gain > 2 mbb.",
    ),
    Experiment(
        package=PACKAGE,
        name="held_out_reward",
        description="M1: mean reward r(s, a) = V(RL root) - V(default root) on held-out states of default "
        "self-play (mbb of the acting player's value).",
        methods=METHODS,
        proposed="rl",
        metric="m1_reward_mbb",
        higher_is_better=True,
        run=_cell("held_out_reward", "m1_reward_mbb"),
        seconds=_SECONDS,
        seeds=_SEEDS,
        curve_metric="train_reward_mbb",
        x_label="training epochs",
        claim="RL-chosen root abstractions gain value over the default abstraction (mean reward > 0).",
    ),
    Experiment(
        package=PACKAGE,
        name="restricted_value",
        description="M2: value (mbb/hand, both seats) of a player using the abstraction at every own node "
        "against a fine-grid opponent.",
        methods=METHODS,
        proposed="rl",
        metric="m2_value_mbb",
        higher_is_better=True,
        run=_cell("restricted_value", "m2_value_mbb"),
        seconds=_SECONDS,
        seeds=_SEEDS,
        claim="The RL abstraction is less exploitable by a fine-grained opponent than the default one.",
    ),
    Experiment(
        package=PACKAGE,
        name="head_to_head",
        description="M3: re-solving agent vs the default-abstraction agent, duplicate deals (mbb/hand).",
        methods=METHODS,
        proposed="rl",
        metric="m3_mbb",
        higher_is_better=True,
        run=_cell("head_to_head", "m3_mbb"),
        seconds=_SECONDS,
        seeds=_SEEDS,
        claim="RL-CFR beats the default-abstraction agent head-to-head at equal CFR time (paper: +64 mbb/hand).",
    ),
]


# ----------------------------------------------------------------------------------------------------
# Claims (the scoreboard). Tests and thresholds were fixed before the runs: 2 mbb is about the resolution of
# M1 in the shipped quick evaluation (95% half-width 2.3 mbb per seed) and of the solver error at the
# training budget (0.5-4 mbb at 150 iterations); a gain below it cannot be shown by M1-M3 at this scale.
_HEADROOM_CMD = "rlcfr reproduce --preset quick --only headroom --seeds 10"
_PAPER_CMD = "rlcfr reproduce --preset paper --seeds 5"

CLAIMS: list[Claim] = [
    Claim(
        id="rlcfr/headroom-upper-bound",
        statement="Headroom (upper bound): at 100-200 BB, offering all 10 grid sizes at the root (a superset of "
        "every K = 3 choice) gains > 2 mbb over {0.5, 1, 2} pot, mean of the root and facing a 1x pot open",
        experiment="headroom",
        evidence="headroom-quick",
        test="better",
        method="superset",
        baseline="default",
        threshold=2.0,
        command=_HEADROOM_CMD,
        headroom=True,
    ),
    Claim(
        id="rlcfr/headroom-best-k",
        statement="Headroom (lower bound): at 100-200 BB, the K = 3 sizes the superset's equilibrium uses most "
        "gain > 2 mbb over {0.5, 1, 2} pot",
        experiment="headroom",
        evidence="headroom-quick",
        test="better",
        method="top_k",
        baseline="default",
        threshold=2.0,
        command=_HEADROOM_CMD,
        headroom=True,
    ),
    Claim(
        id="rlcfr/m1-reward",
        statement="M1: the RL-chosen root abstraction's held-out reward over the default abstraction is > 0",
        experiment="held_out_reward",
        evidence="paper",
        test="better",
        baseline="default",
        command=_PAPER_CMD,
        requires="rlcfr/headroom-upper-bound",
    ),
    Claim(
        id="rlcfr/m2-restricted-value",
        statement="M2: a player using the RL abstraction loses less to a fine-grid opponent than the default",
        experiment="restricted_value",
        evidence="paper",
        test="better",
        baseline="default",
        command=_PAPER_CMD,
        requires="rlcfr/headroom-upper-bound",
    ),
    Claim(
        id="rlcfr/m3-head-to-head",
        statement="M3: the RL-CFR re-solving agent beats the default-abstraction agent head-to-head (mbb/hand)",
        experiment="head_to_head",
        evidence="paper",
        test="better",
        baseline="default",
        command=_PAPER_CMD,
        requires="rlcfr/headroom-upper-bound",
    ),
    Claim(
        id="rlcfr/m4-equal-cfr-time",
        statement="M4: the RL abstraction's root solve takes at most 1.1x the default's CFR time",
        experiment="held_out_reward",
        evidence="paper",
        test="within",
        baseline="default",
        threshold=1.1,
        metric="solve_ms",
        higher_is_better=False,
        command=_PAPER_CMD,
        requires="rlcfr/headroom-upper-bound",
    ),
]
