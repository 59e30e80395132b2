"""Reproductions: RLx2 vs dense, RigL-only and static sparse (SS) on TD3; RLx2 vs dense on SAC."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from paperkit import Claim, Experiment, ResultRecord, config_hash, config_to_dict

from rlx2.config import Config
from rlx2.train import train

# The paper's HalfCheetah sparsities (actor 90%, critic 85%) for every sparse method.
METHODS = {
    "dense": dict(actor_sparsity=0.0, critic_sparsity=0.0, topology="static", nstep=1, dynamic_buffer=False),
    "rlx2": dict(topology="rigl", nstep=3, dynamic_buffer=True),
    "rigl": dict(topology="rigl", nstep=1, dynamic_buffer=False),
    "ss": dict(topology="static", nstep=1, dynamic_buffer=False),
    # RLx2 less one of its value-learning parts (the `td3_parts` ablation)
    "rlx2-nobuf": dict(topology="rigl", nstep=3, dynamic_buffer=False),
    "rlx2-nonstep": dict(topology="rigl", nstep=1, dynamic_buffer=True),
    # RLx2 with the first 100k plan's buffer floor, 20% of the run (20k = 20 HalfCheetah episodes at 100k),
    # instead of td3_mech's 3.3%: the test of the diagnosis that td3_mech's floor starves the critic early
    "rlx2-floor20pct": dict(topology="rigl", nstep=3, dynamic_buffer=True, buffer_min_share=0.2),
}
TD3_METHODS = ("dense", "rlx2", "rigl", "ss")

PRESETS = {
    # seconds-long plumbing check on the package's tiny PointReach task
    "smoke": dict(env_id="rlx2/PointReach-v0", total_steps=400, start_steps=200, hidden=32, batch_size=32, delta_t=20,
                  delay_nstep=50, buffer_max=400, buffer_min=100, buffer_check_interval=100, distance_batch=256,
                  eval_interval=200, eval_episodes=1, final_window=1),
    # a cheaper env that a 256-256 TD3 solves in ~7k steps; schedule rescaled like the brief's 100k plan
    "quick": dict(env_id="Pendulum-v1", total_steps=10_000, start_steps=1_000, delta_t=100, delay_nstep=1_000,
                  buffer_max=10_000, buffer_min=2_000, buffer_check_interval=500, eval_interval=1_000,
                  eval_episodes=5, final_window=3),
    # the brief's scaled-down plan: HalfCheetah-v5, 100k steps
    "paper": dict(env_id="HalfCheetah-v5", total_steps=100_000, start_steps=5_000, delta_t=1_000,
                  delay_nstep=10_000, buffer_max=100_000, buffer_min=20_000, buffer_check_interval=1_000,
                  eval_interval=5_000, eval_episodes=5, final_window=3),
    # the brief's HalfCheetah plan at 15% of its budget (what this shared 2-core machine allowed): every step
    # count scaled by 0.15 (warm-up 1.5k, not 750: 1.5 HalfCheetah episodes); 3 evaluation episodes, not 5
    "hc-short": dict(env_id="HalfCheetah-v5", total_steps=15_000, start_steps=1_500, delta_t=150,
                     delay_nstep=1_500, buffer_max=15_000, buffer_min=3_000, buffer_check_interval=150,
                     eval_interval=1_500, eval_episodes=3, final_window=3),
    # seconds-long MuJoCo plumbing check (the `td3_hc` experiment's smoke preset)
    "hc-smoke": dict(env_id="HalfCheetah-v5", total_steps=600, start_steps=300, hidden=32, batch_size=32,
                     delta_t=20, delay_nstep=50, buffer_max=600, buffer_min=200, buffer_check_interval=100,
                     distance_batch=128, eval_interval=600, eval_episodes=1, final_window=1),
    # a few minutes of HalfCheetah (the `td3_hc` experiment's quick preset)
    "hc-quick": dict(env_id="HalfCheetah-v5", total_steps=5_000, start_steps=1_000, delta_t=50,
                     delay_nstep=500, buffer_max=5_000, buffer_min=1_000, buffer_check_interval=100,
                     eval_interval=1_000, eval_episodes=2, final_window=2),
}  # fmt: skip
# the brief's second environment: the HalfCheetah schedules (paper = the brief's 100k plan) on Hopper-v5
PRESETS |= {
    "hopper": {**PRESETS["paper"], "env_id": "Hopper-v5"},
    "hopper-smoke": {**PRESETS["hc-smoke"], "env_id": "Hopper-v5"},
    "hopper-quick": {**PRESETS["hc-quick"], "env_id": "Hopper-v5"},
}
# The 100k plan with its schedules keyed to the conditions they exist for (`td3_mech`, `td3_hopper_mech`):
# - n-step targets switch on after dense TD3's steep phase, measured on the task from the paper-100k dense
#   curves (`python benchmarks/steep_phase.py evidence/paper-100k`: the seed-mean curve covers 75% of its rise
#   at 60k env steps on HalfCheetah-v5, 70k on Hopper-v5), as the paper's 300k of 3M comes after TD3's;
# - the buffer floor is the paper's share of the run (1e5 of 3M = 3.3%: 3 300 of 100k), not 20% (2e4).
MECH_SCHEDULE = dict(buffer_min=3_300)
PRESETS |= {
    "hc-mech": {**PRESETS["paper"], **MECH_SCHEDULE, "nstep_start_step": 60_000},
    "hopper-mech": {**PRESETS["hopper"], **MECH_SCHEDULE, "nstep_start_step": 70_000},
    # seconds-long plumbing checks of the same experiments
    "hc-mech-smoke": {**PRESETS["hc-smoke"], "total_steps": 300, "start_steps": 150, "eval_interval": 300},
    "hopper-mech-smoke": {
        **PRESETS["hopper-smoke"],
        "total_steps": 300,
        "start_steps": 150,
        "eval_interval": 300,
    },
}
# which of PRESETS an experiment runs at each of paperkit's presets (default: the same name)
HC_PRESETS = {"smoke": "hc-smoke", "quick": "hc-quick", "paper": "hc-short"}
HOPPER_PRESETS = {"smoke": "hopper-smoke", "quick": "hopper-quick", "paper": "hopper"}
HC_MECH_PRESETS = {"smoke": "hc-mech-smoke", "quick": "hc-quick", "paper": "hc-mech"}
HOPPER_MECH_PRESETS = {"smoke": "hopper-mech-smoke", "quick": "hopper-quick", "paper": "hopper-mech"}
# dense, RLx2, RLx2 with 1-step targets, RigL, static sparse: the gain of the dynamic buffer is
# rlx2-nonstep - rigl, the gain of n-step targets is rlx2 - rlx2-nonstep, on the same seeds
MECH_METHODS = ("dense", "rlx2", "rlx2-nonstep", "rigl", "ss")
# The paper's Hopper sparsities (TD3 main table): actor 98%, critic 95%.
HOPPER_SPARSITY = dict(actor_sparsity=0.98, critic_sparsity=0.95)


def preset_config(method: str, preset: str, seed: int, algo: str = "td3", **overrides) -> Config:
    fields = {**PRESETS[preset], **METHODS[method], "algo": algo, "seed": seed, **overrides}
    if "buffer_min_share" in fields:  # a floor given as a share of the run
        fields["buffer_min"] = int(fields.pop("buffer_min_share") * fields["total_steps"])
    return Config(**fields)


def _cell(experiment: str, algo: str, presets: dict[str, str] | None = None, sparsity: dict | None = None):
    """A cell runner; ``sparsity`` overrides the sparse methods' actor/critic sparsities (dense stays dense)."""

    def run(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        preset = (presets or {}).get(preset, preset)
        extra = sparsity if sparsity and method != "dense" else {}
        cfg = preset_config(method, preset, seed, algo=algo, run_dir=str(Path(out_dir) / "run"), **extra)
        res = train(cfg)
        h = config_hash(config_to_dict(dataclasses.replace(cfg, run_dir="")))

        def rec(metric: str, value: float, step: int | None = None) -> ResultRecord:
            return ResultRecord("rlx2", experiment, method, seed, metric, float(value), step, h)

        out = [rec("final_return", res.final_return, cfg.total_steps)]
        out += [rec("eval_return", r, s) for s, r in res.curve]
        out += [rec("train_flops_rel", res.train_flops_rel), rec("infer_flops_rel", res.infer_flops_rel)]
        out += [rec("buffer_size", size, s) for s, size, _ in res.buffer_trace]
        out += [rec("policy_distance", d, s) for s, _, d in res.buffer_trace]
        return out

    return run


EXPERIMENTS = [
    Experiment(
        package="rlx2",
        name="td3",
        description="TD3 at actor/critic sparsity 90%/85%: RLx2 vs dense, RigL-only and static sparse.",
        methods=TD3_METHODS,
        proposed="rlx2",
        metric="final_return",
        higher_is_better=True,
        run=_cell("td3", "td3"),
        seconds={"smoke": 4, "quick": 120, "paper": 900},
        seeds={"smoke": 1, "quick": 3, "paper": 2},
        curve_metric="eval_return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="RLx2 keeps ~dense return at 90/85 sparsity with ~0.14x training FLOPs; RLx2 >= RigL >= SS.",
    ),
    Experiment(
        package="rlx2",
        name="td3_hc",
        description="TD3 90%/85% on HalfCheetah-v5 at 15k steps (paper preset; the brief's 100k plan scaled by "
        "0.15): RLx2 vs dense, RigL-only and static sparse.",
        methods=TD3_METHODS,
        proposed="rlx2",
        metric="final_return",
        higher_is_better=True,
        run=_cell("td3_hc", "td3", HC_PRESETS),
        seconds={"smoke": 3, "quick": 45, "paper": 120},
        seeds={"smoke": 1, "quick": 1, "paper": 2},
        curve_metric="eval_return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="RLx2 keeps ~dense return at 90/85 sparsity with ~0.14x training FLOPs; RLx2 >= RigL >= SS.",
    ),
    Experiment(
        package="rlx2",
        name="td3_hopper",
        description="TD3 98%/95% (the paper's Hopper sparsities) on Hopper-v5, the brief's 100k-step schedule "
        "(paper preset): RLx2 vs dense, RigL-only and static sparse.",
        methods=TD3_METHODS,
        proposed="rlx2",
        metric="final_return",
        higher_is_better=True,
        run=_cell("td3_hopper", "td3", HOPPER_PRESETS, HOPPER_SPARSITY),
        seconds={"smoke": 3, "quick": 45, "paper": 700},
        seeds={"smoke": 1, "quick": 1, "paper": 2},
        curve_metric="eval_return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="At 98/95 sparsity RLx2 keeps ~97% of dense return on Hopper (paper); RigL 90.6%, SS 67.7%.",
    ),
    Experiment(
        package="rlx2",
        name="td3_parts",
        description="TD3 90%/85%: RLx2 vs RLx2 without the dynamic buffer and without multi-step targets.",
        methods=("rlx2", "rlx2-nobuf", "rlx2-nonstep"),
        proposed="rlx2",
        metric="final_return",
        higher_is_better=True,
        run=_cell("td3_parts", "td3"),
        seconds={"smoke": 4, "quick": 120, "paper": 900},
        seeds={"smoke": 1, "quick": 3, "paper": 2},
        curve_metric="eval_return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="Both value-learning parts of RLx2 (n-step targets, dynamic buffer) add to RigL's return.",
    ),
    Experiment(
        package="rlx2",
        name="td3_mech",
        description="TD3 90%/85% on HalfCheetah-v5, 100k steps, schedules keyed to their conditions (n-step after "
        "dense TD3's steep phase, at 60k env steps; buffer floor 3.3% of the run): dense, RLx2, RLx2 with 1-step "
        "targets, RigL, static sparse; and RLx2 with a 20% (20k) buffer floor (the buffer-floor diagnosis).",
        methods=(*MECH_METHODS, "rlx2-floor20pct"),
        proposed="rlx2",
        metric="final_return",
        higher_is_better=True,
        run=_cell("td3_mech", "td3", HC_MECH_PRESETS),
        seconds={"smoke": 2, "quick": 45, "paper": 900},
        seeds={"smoke": 1, "quick": 1, "paper": 5},
        curve_metric="eval_return",
        flops_metric="train_flops_rel",
        claim="RLx2 keeps >= 90% of dense return at 90/85 and beats RigL and SS when n-step waits for a mature policy.",
        x_label="env steps",
    ),
    Experiment(
        package="rlx2",
        name="td3_hopper_mech",
        description="TD3 98%/95% on Hopper-v5, 100k steps, schedules keyed to their conditions (n-step at 70k env "
        "steps, buffer floor 3.3% of the run): dense, RLx2, RLx2 with 1-step targets, RigL, static sparse; and "
        "RLx2 with a 20% (20k) buffer floor, the floor that lifted RLx2 on HalfCheetah (td3_mech).",
        methods=(*MECH_METHODS, "rlx2-floor20pct"),
        proposed="rlx2",
        metric="final_return",
        higher_is_better=True,
        run=_cell("td3_hopper_mech", "td3", HOPPER_MECH_PRESETS, HOPPER_SPARSITY),
        seconds={"smoke": 2, "quick": 45, "paper": 700},
        seeds={"smoke": 1, "quick": 1, "paper": 5},
        curve_metric="eval_return",
        flops_metric="train_flops_rel",
        claim="At 98/95 RLx2 keeps ~97% of dense return on Hopper (paper) when n-step waits for a mature policy.",
        x_label="env steps",
    ),
    Experiment(
        package="rlx2",
        name="sac",
        description="SAC at actor/critic sparsity 90%/85%: RLx2 vs dense.",
        methods=("dense", "rlx2"),
        proposed="rlx2",
        metric="final_return",
        higher_is_better=True,
        run=_cell("sac", "sac"),
        seconds={"smoke": 5, "quick": 140, "paper": 1500},  # quick: 114-176 s per cell measured
        seeds={"smoke": 1, "quick": 3, "paper": 2},
        curve_metric="eval_return",
        x_label="env steps",
        flops_metric="train_flops_rel",
        claim="RLx2 on SAC keeps ~dense return with a fraction of the training FLOPs.",
    ),
]


# The paper's claims as data (`bench scoreboard --package rlx2`), judged on the records in evidence/.
# The first six ran at 2 seeds on the fraction-keyed schedule (`td3`, `td3_hopper`: n-step from 10% of the run,
# while dense TD3 is still in its steep phase); the mechanism-keyed claims below replaced that design
# (issue 25), so the pilots are marked superseded rather than left as unfinished seeds.
_CMD_100K = "python -m paperkit.cell rlx2 EXP METHOD SEED paper OUT  (or: rlx2 reproduce --preset paper --only EXP --seeds 5)"
_CMD_MECH = "rlx2 reproduce --preset paper --only td3_mech td3_hopper_mech --seeds 5 --out runs/rlx2-mech"
CLAIMS = [
    Claim(
        id="rlx2/headroom-hc",
        statement="Headroom: on HalfCheetah-v5 at 100k steps dense TD3 ends above RigL at 90/85% sparsity "
        "(room for RLx2 to beat RigL)",
        experiment="td3",
        evidence="paper-100k",
        test="better",
        method="dense",
        baseline="rigl",
        headroom=True,
        command=_CMD_100K.replace("EXP", "td3"),
        superseded_by="rlx2/mech-headroom-hc",
    ),
    Claim(
        id="rlx2/matches-dense-hc",
        statement="RLx2 keeps >= 90% of dense TD3's final return at 90/85% sparsity (HalfCheetah-v5, 100k steps)",
        experiment="td3",
        evidence="paper-100k",
        test="within",
        baseline="dense",
        threshold=0.9,
        command=_CMD_100K.replace("EXP", "td3"),
        superseded_by="rlx2/mech-matches-dense-hc",
    ),
    Claim(
        id="rlx2/beats-rigl-hc",
        statement="RLx2 ends above RigL-only TD3 at the same sparsity (HalfCheetah-v5, 100k steps)",
        experiment="td3",
        evidence="paper-100k",
        test="better",
        baseline="rigl",
        requires="rlx2/headroom-hc",
        command=_CMD_100K.replace("EXP", "td3"),
        superseded_by="rlx2/mech-beats-rigl-hc",
    ),
    Claim(
        id="rlx2/beats-ss-hc",
        statement="RLx2 ends above static sparse TD3 at the same sparsity (HalfCheetah-v5, 100k steps)",
        experiment="td3",
        evidence="paper-100k",
        test="better",
        baseline="ss",
        command=_CMD_100K.replace("EXP", "td3"),
        superseded_by="rlx2/mech-beats-ss-hc",
    ),
    Claim(
        id="rlx2/matches-dense-hopper",
        statement="RLx2 keeps >= 90% of dense TD3's final return at 98/95% sparsity (Hopper-v5, 100k steps; "
        "paper: 97%)",
        experiment="td3_hopper",
        evidence="paper-100k",
        test="within",
        baseline="dense",
        threshold=0.9,
        command=_CMD_100K.replace("EXP", "td3_hopper"),
        superseded_by="rlx2/mech-matches-dense-hopper",
    ),
    Claim(
        id="rlx2/beats-rigl-hopper",
        statement="RLx2 ends above RigL-only TD3 at 98/95% sparsity (Hopper-v5, 100k steps)",
        experiment="td3_hopper",
        evidence="paper-100k",
        test="better",
        baseline="rigl",
        command=_CMD_100K.replace("EXP", "td3_hopper"),
        superseded_by="rlx2/mech-beats-rigl-hopper",
    ),
    Claim(
        id="rlx2/train-flops-hc",
        statement="Training FLOPs counted from the masks are the paper's 0.138x of dense (+-0.01) at 90/85%",
        experiment="td3",
        evidence="paper-100k",
        test="equal",
        baseline=None,
        target=0.138,
        threshold=0.01,
        metric="train_flops_rel",
        min_seeds=2,
        command=_CMD_100K.replace("EXP", "td3"),
    ),
    Claim(
        id="rlx2/train-flops-hopper",
        statement="Training FLOPs counted from the masks are the paper's 0.043x of dense (+-0.005) at 98/95%",
        experiment="td3_hopper",
        evidence="paper-100k",
        test="equal",
        baseline=None,
        target=0.043,
        threshold=0.005,
        metric="train_flops_rel",
        min_seeds=2,
        command=_CMD_100K.replace("EXP", "td3_hopper"),
    ),
    Claim(
        id="rlx2/matches-dense-pendulum",
        statement="RLx2 keeps >= 90% of dense TD3's return (relative level, returns are negative) on Pendulum-v1 "
        "at 10k steps",
        experiment="td3",
        evidence="quick",
        test="within",
        baseline="dense",
        threshold=0.9,
        command="rlx2 reproduce --preset quick --only td3 --seeds 5",
    ),
    Claim(
        id="rlx2/sac-matches-dense",
        statement="RLx2 on SAC keeps >= 90% of dense SAC's return (relative level) on Pendulum-v1 at 10k steps",
        experiment="sac",
        evidence="quick",
        test="within",
        baseline="dense",
        threshold=0.9,
        command="rlx2 reproduce --preset quick --only sac --seeds 5",
    ),
    # the 100k plan with the schedules keyed to their conditions (td3_mech / td3_hopper_mech), decided before
    # running: same thresholds as above, 5 seeds paired
    Claim(
        id="rlx2/mech-headroom-hc",
        statement="Headroom: dense TD3 ends above RigL at 90/85% (HalfCheetah-v5, 100k, mechanism-keyed schedule)",
        experiment="td3_mech",
        evidence="paper-100k-mech",
        test="better",
        method="dense",
        baseline="rigl",
        headroom=True,
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-matches-dense-hc",
        statement="RLx2 keeps >= 90% of dense TD3's return at 90/85% with n-step after the steep phase "
        "(HalfCheetah-v5, 100k)",
        experiment="td3_mech",
        evidence="paper-100k-mech",
        test="within",
        baseline="dense",
        threshold=0.9,
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-beats-rigl-hc",
        statement="RLx2 ends above RigL-only TD3 (HalfCheetah-v5, 100k, mechanism-keyed schedule)",
        experiment="td3_mech",
        evidence="paper-100k-mech",
        test="better",
        baseline="rigl",
        requires="rlx2/mech-headroom-hc",
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-beats-ss-hc",
        statement="RLx2 ends above static sparse TD3 (HalfCheetah-v5, 100k, mechanism-keyed schedule)",
        experiment="td3_mech",
        evidence="paper-100k-mech",
        test="better",
        baseline="ss",
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-nstep-gain-hc",
        statement="Ablation: multi-step targets add return (RLx2 above RLx2 with 1-step targets, same seeds)",
        experiment="td3_mech",
        evidence="paper-100k-mech",
        test="better",
        baseline="rlx2-nonstep",
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-buffer-gain-hc",
        statement="Ablation: the dynamic buffer adds return (RLx2 with 1-step targets above RigL, same seeds)",
        experiment="td3_mech",
        evidence="paper-100k-mech",
        test="better",
        method="rlx2-nonstep",
        baseline="rigl",
        command=_CMD_MECH,
    ),
    # declared in session 8 before any rlx2-floor20pct cell ran (and before the rlx2-nonstep cells finished):
    # the diagnosis of mech-matches-dense-hc's failure. With checks every 1k steps and 10% dropped per check,
    # a drifting policy holds the buffer near 10k (interval / 0.1), above the 3.3k floor, which never binds;
    # RLx2 trained on the newest 4-10k transitions until 21-29k steps in every seed, where dense TD3 keeps all.
    Claim(
        id="rlx2/mech-floor-gain-hc",
        statement="Diagnosis: a buffer floor of 20% of the run (20k, 20 episodes) lifts RLx2 above the 3.3k "
        "floor of the mechanism-keyed schedule (HalfCheetah-v5, 100k, same seeds)",
        experiment="td3_mech",
        evidence="paper-100k-mech",
        test="better",
        method="rlx2-floor20pct",
        baseline="rlx2",
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-floor-matches-dense-hc",
        statement="RLx2 with a 20% (20k) buffer floor keeps >= 90% of dense TD3's return at 90/85% "
        "(HalfCheetah-v5, 100k, n-step from 60k)",
        experiment="td3_mech",
        evidence="paper-100k-mech",
        test="within",
        method="rlx2-floor20pct",
        baseline="dense",
        threshold=0.9,
        command=_CMD_MECH,
    ),
    # declared in session 9 before any td3_hopper_mech cell ran: the headroom check, and the 20k-floor arm
    # (reproduced on HalfCheetah, mech-floor-gain-hc) on the paper's second task
    Claim(
        id="rlx2/mech-headroom-hopper",
        statement="Headroom: dense TD3 ends above RigL at 98/95% (Hopper-v5, 100k, mechanism-keyed schedule)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="better",
        method="dense",
        baseline="rigl",
        headroom=True,
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-matches-dense-hopper",
        statement="RLx2 keeps >= 90% of dense TD3's return at 98/95% (Hopper-v5, 100k, mechanism-keyed schedule)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="within",
        baseline="dense",
        threshold=0.9,
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-beats-rigl-hopper",
        statement="RLx2 ends above RigL-only TD3 at 98/95% (Hopper-v5, 100k, mechanism-keyed schedule)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="better",
        baseline="rigl",
        requires="rlx2/mech-headroom-hopper",
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-floor-gain-hopper",
        statement="A buffer floor of 20% of the run (20k) lifts RLx2 above the 3.3k floor at 98/95% "
        "(Hopper-v5, 100k, same seeds)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="better",
        method="rlx2-floor20pct",
        baseline="rlx2",
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-floor-matches-dense-hopper",
        statement="RLx2 with a 20% (20k) buffer floor keeps >= 90% of dense TD3's return at 98/95% "
        "(Hopper-v5, 100k, n-step from 70k)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="within",
        method="rlx2-floor20pct",
        baseline="dense",
        threshold=0.9,
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-floor-beats-rigl-hopper",
        statement="RLx2 with a 20% (20k) buffer floor ends above RigL-only TD3 at 98/95% (Hopper-v5, 100k)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="better",
        method="rlx2-floor20pct",
        baseline="rigl",
        requires="rlx2/mech-headroom-hopper",
        command=_CMD_MECH,
    ),
    # declared in session 11, after seed 0 of the rlx2-nonstep and ss arms had run and before seeds 1-4 did:
    # the HalfCheetah ablation (mech-nstep-gain-hc, mech-buffer-gain-hc, mech-beats-ss-hc) on Hopper, same tests
    Claim(
        id="rlx2/mech-beats-ss-hopper",
        statement="RLx2 ends above static sparse TD3 at 98/95% (Hopper-v5, 100k, mechanism-keyed schedule)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="better",
        baseline="ss",
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-nstep-gain-hopper",
        statement="Ablation: multi-step targets add return at 98/95% (RLx2 above RLx2 with 1-step targets, "
        "Hopper-v5, same seeds)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="better",
        baseline="rlx2-nonstep",
        command=_CMD_MECH,
    ),
    Claim(
        id="rlx2/mech-buffer-gain-hopper",
        statement="Ablation: the dynamic buffer adds return at 98/95% (RLx2 with 1-step targets above RigL, "
        "Hopper-v5, same seeds)",
        experiment="td3_hopper_mech",
        evidence="paper-100k-mech",
        test="better",
        method="rlx2-nonstep",
        baseline="rigl",
        command=_CMD_MECH,
    ),
]
