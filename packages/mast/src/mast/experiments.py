"""Reproductions on PettingZoo MPE simple_spread (N=3): the brief's E1 (sparse vs dense) and E5 (ablations)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from paperkit import Claim, Experiment, ResultRecord, config_hash

from mast.config import Config
from mast.train import train

PACKAGE = "mast"

# Method -> config overrides. "rigl" is RigL-QMIX: plain DST on the pymarl QMIX learner.
QMIX_PLAIN: dict[str, Any] = {
    "bootstrap": "double_q",
    "lambda_early": 0.0,
    "lambda_late": 0.0,
    "dual_buffer": False,
}
METHODS: dict[str, dict[str, Any]] = {
    "dense": {"topology": "dense", "sparsity": 0.0, **QMIX_PLAIN},
    # Dense with MAST's target recipe (Soft Mellowmax, hybrid TD(λ), dual buffer): isolates sparsity.
    "dense_mast_recipe": {"topology": "dense", "sparsity": 0.0},
    # Dense with ~10% of the parameters (9.9k vs 98k; the paper's "Tiny").
    "tiny": {
        "topology": "dense",
        "sparsity": 0.0,
        "rnn_hidden": 17,
        "mixer_embed": 8,
        "hypernet_hidden": 16,
        **QMIX_PLAIN,
    },
    "static": {"topology": "static", "sparsity": 0.9, **QMIX_PLAIN},
    "set": {"topology": "set", "sparsity": 0.9, **QMIX_PLAIN},
    "rigl": {"topology": "rigl", "sparsity": 0.9, **QMIX_PLAIN},
    "mast": {"topology": "rigl", "sparsity": 0.9},
    "mast_no_sm": {"topology": "rigl", "sparsity": 0.9, "bootstrap": "double_q"},
    "mast_no_dual": {"topology": "rigl", "sparsity": 0.9, "dual_buffer": False},
    "mast_no_hybrid": {"topology": "rigl", "sparsity": 0.9, "lambda_early": 0.6, "lambda_late": 0.6},
    # the hybrid schedule in the reverse order (TD(0.6) first, 1-step after the switch): the brief's open question
    "mast_hybrid_reversed": {"topology": "rigl", "sparsity": 0.9, "lambda_early": 0.6, "lambda_late": 0.0},
    # The same comparison on the VDN learner (sum mixer; only the agent networks are sparse).
    "dense_vdn": {"topology": "dense", "sparsity": 0.0, "mixer": "vdn", **QMIX_PLAIN},
    "mast_vdn": {"topology": "rigl", "sparsity": 0.9, "mixer": "vdn"},
}

PRESET_OVERRIDES: dict[str, dict[str, Any]] = {
    "smoke": {
        "total_env_steps": 250,
        "batch_size": 4,
        "buffer_size": 50,
        "eval_every_steps": 125,
        "eval_episodes": 2,
        "topology_interval_episodes": 2,
        "on_buffer_size": 4,
        "on_batch": 2,
        "target_update_episodes": 5,
        "eps_anneal_steps": 200,
        "lambda_switch_steps": 100,
    },
    # ~95 s per cell on one idle core (15k steps = 600 episodes/updates, then the value_bias rollouts), so an
    # experiment (4 methods x 3 seeds, or 5 x 2) takes < 10 min on 2 cores. Hard target copies every 20
    # episodes (pymarl: 200) so that 1-step targets propagate ~30 Bellman steps within the short run.
    "quick": {
        "total_env_steps": 15_000,
        "eval_every_steps": 2500,
        "eval_episodes": 10,
        "eps_anneal_steps": 5000,
        "lambda_switch_steps": 1500,
        "topology_interval_episodes": 15,
        "target_update_episodes": 20,
    },
    "paper": {},  # the brief's scaled-down plan: 150k steps, ΔT = 100 episodes, ε over 30k, λ switch at 15k
}


# Experiment-specific changes on top of a preset. spread_long asks whether the quick preset's dense-vs-sparse
# gap closes with more training: the quick schedule unchanged except 40k steps (1600 updates, 2.7x) and the
# λ switch kept at 10% of training.
EXPERIMENT_OVERRIDES: dict[str, dict[str, dict[str, Any]]] = {
    "spread_long": {"quick": {"total_env_steps": 40_000, "lambda_switch_steps": 4000}},
    # issue 25's headroom check: the quick schedule unchanged on simple_spread with N = 5 agents.
    "spread5_headroom": {"smoke": {"n_agents": 5}, "quick": {"n_agents": 5}, "paper": {"n_agents": 5}},
}


def make_config(method: str, seed: int, preset: str, experiment: str | None = None) -> Config:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid: {sorted(METHODS)}")
    if preset not in PRESET_OVERRIDES:
        raise ValueError(f"unknown preset {preset!r}; valid: {sorted(PRESET_OVERRIDES)}")
    extra = EXPERIMENT_OVERRIDES.get(experiment or "", {}).get(preset, {})
    return Config(seed=seed, **{**PRESET_OVERRIDES[preset], **extra, **METHODS[method]})


def _cell(experiment: str):
    def run(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        cfg = make_config(method, seed, preset, experiment)
        res = train(cfg)
        h = config_hash(cfg)
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "result.json").write_text(json.dumps(dataclasses.asdict(res), indent=1))

        def rec(metric: str, value: float, step: int | None = None) -> ResultRecord:
            return ResultRecord(PACKAGE, experiment, method, seed, metric, float(value), step, h)

        out = [rec("return", r, s) for s, r in res.curve]
        # the per-action gap of the target utilities (scaled reward units): ω·gap is Soft Mellowmax's regime
        out += [rec("action_gap", g, s) for s, g in res.gap_curve]
        out += [
            rec("final_return", res.final_return),
            rec("train_flops_rel", res.train_flops_rel),
            rec("infer_flops_rel", res.infer_flops_rel),
            rec("q_overestimation", res.q_overestimation),
            rec("value_bias", res.value_bias),
            rec("density", res.density),
            rec("final_action_gap", res.action_gap),
        ]
        return out

    return run


EXPERIMENTS = [
    Experiment(
        package=PACKAGE,
        name="spread5_headroom",
        description="simple_spread N=5, quick schedule: dense QMIX vs RigL-QMIX at 90% (the headroom check: "
        "does plain DST fall clearly below dense on this task?), then MAST at 90% on the same seeds, and MAST "
        "without each of its parts (Soft Mellowmax, dual buffer, hybrid TD(lambda)) and with the hybrid "
        "schedule reversed, where RigL's collapse gives the parts something to repair.",
        methods=(
            "dense",
            "rigl",
            "mast",
            "mast_no_sm",
            "mast_no_dual",
            "mast_no_hybrid",
            "mast_hybrid_reversed",
        ),
        proposed="mast",
        metric="final_return",
        higher_is_better=True,
        run=_cell("spread5_headroom"),
        seconds={"smoke": 4, "quick": 200, "paper": 1500},
        seeds={"smoke": 1, "quick": 10, "paper": 4},
        curve_metric="return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="RigL-QMIX at 90% sparsity falls clearly below dense QMIX on simple_spread N=5 (headroom); "
        "MAST at 90% stays close to dense and above RigL there.",
    ),
    Experiment(
        package=PACKAGE,
        name="spread_sparse",
        description="simple_spread N=3: dense QMIX vs MAST, RigL-QMIX and static sparse QMIX (all 90%).",
        methods=("dense", "mast", "rigl", "static"),
        proposed="mast",
        metric="final_return",
        higher_is_better=True,
        run=_cell("spread_sparse"),
        seconds={"smoke": 3, "quick": 95, "paper": 900},
        seeds={"smoke": 1, "quick": 3, "paper": 4},
        curve_metric="return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="MAST at 90% sparsity stays close to dense QMIX while plain RigL/SET/static sparse QMIX fall behind; "
        "counted training FLOPs about 0.1x dense.",
    ),
    Experiment(
        package=PACKAGE,
        name="spread_long",
        description="simple_spread N=3: dense QMIX vs MAST and RigL-QMIX (90%) trained longer (quick: 40k steps "
        "instead of 15k, otherwise the quick schedule).",
        methods=("dense", "mast", "rigl"),
        proposed="mast",
        metric="final_return",
        higher_is_better=True,
        run=_cell("spread_long"),
        seconds={"smoke": 3, "quick": 230, "paper": 900},
        seeds={"smoke": 1, "quick": 3, "paper": 4},
        curve_metric="return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="With more training MAST at 90% sparsity closes the gap to dense QMIX and stays above RigL-QMIX.",
    ),
    Experiment(
        package=PACKAGE,
        name="spread_ablation",
        description="simple_spread N=3: MAST minus Soft Mellowmax, minus the dual buffer, minus hybrid λ.",
        methods=("mast", "mast_no_sm", "mast_no_dual", "mast_no_hybrid"),
        proposed="mast",
        metric="final_return",
        higher_is_better=True,
        run=_cell("spread_ablation"),
        seconds={"smoke": 3, "quick": 95, "paper": 900},
        seeds={"smoke": 1, "quick": 3, "paper": 4},
        curve_metric="return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="Each of Soft Mellowmax, the dual buffer and hybrid TD(λ) contributes to MAST's return.",
    ),
    Experiment(
        package=PACKAGE,
        name="spread_extra",
        description="simple_spread N=3, further arms: dense QMIX with MAST's targets and buffer, SET, Tiny "
        "(dense, ~10% of the parameters), and dense vs MAST on the VDN learner.",
        methods=("dense_mast_recipe", "set", "tiny", "dense_vdn", "mast_vdn"),
        proposed="mast_vdn",
        metric="final_return",
        higher_is_better=True,
        run=_cell("spread_extra"),
        seconds={"smoke": 3, "quick": 95, "paper": 900},
        seeds={"smoke": 1, "quick": 2, "paper": 4},
        curve_metric="return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="Sparsity, not the target recipe, separates the arms; MAST also matches dense on VDN.",
    ),
]


# The README's claims as data (paperkit.Claim); `bench scoreboard --package mast` judges them on the shipped
# evidence (packages/mast/evidence/<folder>). Tests, thresholds and seed counts were fixed before the runs
# they judge (the headroom margin of 5 return units before spread5_headroom ran; the rest restate the
# README's earlier claims on the records it already cited).
_CMD_QUICK = "mast reproduce --preset quick --only EXP --out runs/reproduce"
_CMD_LONG = "mast reproduce --preset quick --only spread_long --out runs/long"
# N = 5 at 10 seeds: decided in session 9, after the 5-seed verdicts (MAST > RigL, no-SM and the hybrid order
# inconclusive) and before seeds 5-9 ran; every spread5_headroom claim is judged on all 10 seeds, paired (the
# interval is not adjusted for the second look)
_CMD_N5 = "mast reproduce --preset quick --only spread5_headroom --seeds 10 --out runs/reproduce"

CLAIMS: list[Claim] = [
    Claim(
        id="mast/headroom-spread3",
        statement="Headroom: RigL-QMIX at 90% sparsity ends clearly (> 5 return units) below dense QMIX on "
        "simple_spread N=3 (40k steps)",
        experiment="spread_long",
        evidence="quick-40k",
        test="better",
        method="dense",
        baseline="rigl",
        threshold=5.0,
        min_seeds=3,
        headroom=True,
        command=_CMD_LONG,
    ),
    Claim(
        id="mast/headroom-spread5",
        statement="Headroom: RigL-QMIX at 90% sparsity ends clearly (> 5 return units) below dense QMIX on "
        "simple_spread N=5 (15k steps)",
        experiment="spread5_headroom",
        evidence="quick",
        test="better",
        method="dense",
        baseline="rigl",
        threshold=5.0,
        min_seeds=3,
        headroom=True,
        command=_CMD_N5,
    ),
    Claim(
        id="mast/within-dense-spread3",
        statement="MAST at 90% sparsity keeps >= 95% of dense QMIX's return (brief: within ~5%; paper: < 3% "
        "loss) on simple_spread N=3 at 40k steps",
        experiment="spread_long",
        evidence="quick-40k",
        test="within",
        baseline="dense",
        threshold=0.95,
        command=_CMD_LONG,
    ),
    Claim(
        id="mast/beats-rigl-spread3",
        statement="MAST ends above RigL-QMIX at the same 90% sparsity on simple_spread N=3 (40k steps)",
        experiment="spread_long",
        evidence="quick-40k",
        test="better",
        baseline="rigl",
        requires="mast/headroom-spread3",
        command=_CMD_LONG,
    ),
    Claim(
        id="mast/within-dense-spread5",
        statement="MAST at 90% sparsity keeps >= 95% of dense QMIX's return on simple_spread N=5 (15k steps)",
        experiment="spread5_headroom",
        evidence="quick",
        test="within",
        baseline="dense",
        threshold=0.95,
        command=_CMD_N5,
    ),
    Claim(
        id="mast/beats-rigl-spread5",
        statement="MAST ends above RigL-QMIX at the same 90% sparsity on simple_spread N=5 (15k steps)",
        experiment="spread5_headroom",
        evidence="quick",
        test="better",
        baseline="rigl",
        requires="mast/headroom-spread5",
        command=_CMD_N5,
    ),
    Claim(
        id="mast/less-overestimation",
        statement="MAST's start-value overestimation (value_bias) is below RigL-QMIX's (Soft Mellowmax + "
        "TD(lambda)); simple_spread N=3, 40k steps",
        experiment="spread_long",
        evidence="quick-40k",
        test="better",
        baseline="rigl",
        metric="value_bias",
        higher_is_better=False,
        command=_CMD_LONG,
    ),
    # The ablations on N = 5, where RigL-QMIX collapses (headroom-spread5) and MAST's parts have something to
    # repair; on N = 3 RigL does not collapse (headroom-spread3 inconclusive). Declared before their cells ran.
    *(
        Claim(
            id=f"mast/ablation-{part}",
            statement=f"Removing {what} from MAST lowers its return (simple_spread N=5, 15k steps)",
            experiment="spread5_headroom",
            evidence="quick",
            test="better",
            baseline=f"mast_{part}",
            requires="mast/headroom-spread5",
            command=_CMD_N5,
        )
        for part, what in (
            ("no_sm", "Soft Mellowmax"),
            ("no_dual", "the dual buffer"),
            ("no_hybrid", "the hybrid TD(lambda) schedule"),
        )
    ),
    Claim(
        id="mast/hybrid-order",
        statement="The paper's hybrid order (1-step targets first, TD(0.6) after the switch) beats the reverse "
        "order (the brief's open question; simple_spread N=5, 15k steps)",
        experiment="spread5_headroom",
        evidence="quick",
        test="better",
        baseline="mast_hybrid_reversed",
        requires="mast/headroom-spread5",
        command=_CMD_N5,
    ),
    Claim(
        id="mast/train-flops",
        statement="Counted training FLOPs of MAST at 90% sparsity are <= 0.12x dense (brief: <= ~0.12x)",
        experiment="spread_sparse",
        evidence="quick",
        test="better",
        baseline=None,
        target=0.12,
        metric="train_flops_rel",
        higher_is_better=False,
        min_seeds=3,
        command=_CMD_QUICK.replace("EXP", "spread_sparse"),
    ),
    Claim(
        id="mast/infer-flops",
        statement="Counted inference FLOPs of MAST at 90% sparsity are <= 0.12x dense",
        experiment="spread_sparse",
        evidence="quick",
        test="better",
        baseline=None,
        target=0.12,
        metric="infer_flops_rel",
        higher_is_better=False,
        min_seeds=3,
        command=_CMD_QUICK.replace("EXP", "spread_sparse"),
    ),
    Claim(
        id="mast/within-dense-vdn",
        statement="MAST also keeps >= 95% of dense return on the VDN learner (simple_spread N=3, 15k steps)",
        experiment="spread_extra",
        evidence="quick",
        test="within",
        method="mast_vdn",
        baseline="dense_vdn",
        threshold=0.95,
        command=_CMD_QUICK.replace("EXP", "spread_extra"),
    ),
]
