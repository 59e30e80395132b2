"""Reproductions of the brief's claims C1–C4 at small scale: hidden-channel, full-observation, sticky-channel
and multi-hop systems, and the N = 4 -> 8 transfer at the target's own budget."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from paperkit import Claim, Experiment, ResultRecord, Seeder, atomic_write_json, config_hash

from rsd4.config import LEARNED, METHODS, Config
from rsd4.heuristics import best_channel_policy, best_filter_policy
from rsd4.train import (
    CALIBRATION_SEED,
    _result,
    constant_throughput_at_energy,
    evaluate_policy,
    make_core,
    node_budgets,
    train,
)
from rsd4.transfer import target_config, transfer_at_budget

PACKAGE = "rsd4"
# the stabilised dual loop (dual.py): a step every rollout of 10 episodes on a running average of Ē, a
# decreasing step and a small proportional term; λ starts at 0.1 (λ = 1, the code's fixed value, stops every
# agent from spending within 100 episodes)
DUAL = dict(lam_init=0.1, dual_every=10, dual_lr=0.1, dual_ema=0.7, dual_decay=0.5, dual_kp=0.1)
# the lighter learner of the brief's CPU plan (1 update per episode on one batch of 16 episodes), kept for the
# smoke preset (the tests) and the earlier "mid" runs; quick and paper train as the released code does (the
# Config defaults: N updates per episode, batches of 50, each (critic, actor) pair on its own batch)
LIGHT = dict(batch_episodes=16, updates_per_episode=1.0, separate_batches=False)
PRESETS = {
    "smoke": dict(
        **LIGHT,
        episodes=40,
        warmup_episodes=10,
        n_envs=10,
        eval_every=20,
        eval_episodes=4,
        dual_eval_episodes=4,
        episode_len=50,
        **DUAL,
    ),
    "quick": dict(episodes=300, warmup_episodes=50, n_envs=10, eval_every=50, **DUAL),
    # between quick and paper, for C1 at more training (run with benchmarks/run_cells.py; `rsd4 reproduce`
    # knows smoke|quick|paper only)
    "mid": dict(episodes=750, warmup_episodes=100, n_envs=10, eval_every=75, **LIGHT, **DUAL),
    "paper": dict(episodes=1500, warmup_episodes=100, n_envs=10, eval_every=100, **DUAL),
}
# the memory-relevant variant of the hidden-channel system [S]: a sticky channel (ρ = 0.8), so the
# (o, a) history says something about the hidden channel, and per-user rows that carry the user's constants
# (β_n, d_n) instead of its index, so the shared agent means the same thing on an 8-user system (C4)
STICKY = dict(channel_stickiness=0.8, user_feature="params")
# multi-hop: 4 flows over 2 nodes, channel observed; rsd4 with node-level merging vs one row per (user, node)
MULTIHOP = dict(n_hops=2, observe_channel=True)
VARIANTS = {"rsd4-nomerge": dict(method="rsd4", merge="none")}


def cell_config(
    method: str, seed: int, preset: str, observe_channel: bool, extra: dict | None = None
) -> Config:
    extra = dict(extra or {})
    kw = {"method": method, **VARIANTS.get(method, {})}
    multihop = extra.get("n_hops", 1) > 1
    transfer = 8 if kw["method"] in LEARNED and preset != "smoke" and not multihop else 0
    extra.setdefault("observe_channel", observe_channel)
    return Config(seed=seed, transfer_users=transfer, **kw, **PRESETS[preset], **extra)


def _summary(res) -> dict:
    """A Result's JSON-ready fields (the networks are not part of the summary)."""
    skip = ("agent", "members", "iterates")
    return {f.name: getattr(res, f.name) for f in dataclasses.fields(res) if f.name not in skip}


def _write(out_dir: Path, cfg: Config, res, **extra) -> None:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {"config": dataclasses.asdict(cfg), "result": _summary(res), **extra}
    atomic_write_json(out_dir / "result.json", payload)


def _records(name: str, method: str, seed: int, cfg: Config, res) -> list[ResultRecord]:
    h = config_hash(cfg)

    def rec(metric, value, step=None):
        return ResultRecord(PACKAGE, name, method, seed, metric, float(value), step=step, config_hash=h)

    recs = [
        rec("throughput", res.throughput),
        rec("energy_ratio", res.energy_ratio),
        rec("drop_rate", res.drop_rate),
        rec("lambda", res.lam),
    ]
    recs += [rec("throughput_curve", thr, step=ep) for ep, thr, _, _ in res.curve]
    if cfg.method in LEARNED:
        recs.append(rec("q_bias_rel", res.q_bias_rel))
        # the agent's throughput over the constant heuristic's at the agent's own energy, same episodes
        recs.append(rec("matched_ratio", res.throughput / constant_throughput_at_energy(cfg, res.energy)))
        if cfg.transfer_users:
            recs.append(
                rec("transfer_throughput_ratio", res.transfer_throughput / res.transfer_constant_throughput)
            )
            recs.append(rec("transfer_energy_ratio", res.transfer_energy_ratio))
    return recs


def make_cell(observe_channel: bool, name: str, extra: dict | None = None):
    def run_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        cfg = cell_config(method, seed, preset, observe_channel, extra)
        res = train(cfg)
        _write(out_dir, cfg, res)
        return _records(name, method, seed, cfg, res)

    return run_cell


# C4 at matched energy [S]: the channel hidden (the code's matrix), rows carrying the user's constants
# (β_n, d_n) so that a row means the same thing on any N. "rsd4", "rtd3", "sd3", "td3": trained with N = 4,
# then run frozen on the N = 8 system with the mix over their iterates re-solved within that system's E_0
# (``transfer.transfer_at_budget``, which also reports the energy-scaled delivered mix); "rsd4-n8": RSD4
# trained on the N = 8 system itself, read the same ways; the heuristics are calibrated on the N = 8 system.
# Every cell reports on the same N = 8 system and its evaluation episodes.
TRANSFER = dict(user_feature="params", observe_channel=False)
TRANSFER_USERS = 8
TRANSFER_METHODS = ("rsd4", "rtd3", "sd3", "td3", "rsd4-n8", "constant", "greedy")


def transfer_source_config(method: str, seed: int, preset: str) -> Config:
    """The N = 4 config of a transfer cell (for "-n8" cells and heuristics: the config the target copies)."""
    return Config(seed=seed, method=method.removesuffix("-n8"), **PRESETS[preset], **TRANSFER)


def run_transfer_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
    if method not in TRANSFER_METHODS:
        raise ValueError(f"transfer method must be one of {TRANSFER_METHODS}, got {method!r}")
    src_cfg = transfer_source_config(method, seed, preset)
    cfg = target_config(src_cfg, TRANSFER_USERS)
    if src_cfg.method in LEARNED:
        # every learned policy, frozen after training (N = 4, or N = 8 for "-n8"), gets the same two readings
        # at the N = 8 budget: the dual loop cannot be assumed to have settled on the target system
        src_cfg = cfg if method.endswith("-n8") else src_cfg
        src = train(src_cfg)
        tr = transfer_at_budget(src_cfg, src, TRANSFER_USERS)
        res = tr.resolved
        res.seconds = src.seconds
        _write(
            out_dir,
            cfg,
            res,
            source_config=dataclasses.asdict(src_cfg),
            source=_summary(src),
            as_trained=_summary(tr.as_trained),
            scaled=_summary(tr.scaled),
            kappa=tr.kappa,
            last=_summary(tr.last),
            calibration=tr.calibration,
        )
        recs = _records("transfer", method, seed, cfg, res)
        h = config_hash(cfg)
        for metric, value in (
            ("source_throughput", src.throughput),
            ("source_energy_ratio", src.energy_ratio),
            ("as_trained_throughput", tr.as_trained.throughput),
            ("as_trained_energy_ratio", tr.as_trained.energy_ratio),
            ("scaled_throughput", tr.scaled.throughput),
            ("scaled_energy_ratio", tr.scaled.energy_ratio),
            ("kappa", tr.kappa),
        ):
            recs.append(ResultRecord(PACKAGE, "transfer", method, seed, metric, float(value), config_hash=h))
        return recs
    res = train(cfg)
    _write(out_dir, cfg, res)
    return _records("transfer", method, seed, cfg, res)


# Headroom of C1 [S]: how much is knowing the channel worth on a system, with no learning in the way? On the
# evaluation episodes of each seed, the constant heuristic (blind, memoryless) against the threshold heuristic
# that sees the channel (``heuristics.channel_policy``): "channel-now" the channel of the slot (what full
# observation gives), "channel-lag1" the previous slot's channel (for a Markov channel, the most any history
# can say about it: the bound on what memory can exploit with the channel hidden). "channel-filter" (added in
# session 11) must infer the channel from what the agent sees, its buffers and its own energies
# (``heuristics.filter_channel_policy``, a Bayes filter that knows the model): how much of lag-1's value a
# history-based policy reaches. All calibrated to E_0; thresholds (and the filter's probe) chosen on the
# calibration episodes, not the evaluation ones.
HEADROOM_METHODS = ("channel-lag1", "channel-now", "channel-filter", "constant")


def make_headroom_cell(name: str, extra: dict):
    def run_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        if method not in HEADROOM_METHODS:
            raise ValueError(f"headroom method must be one of {HEADROOM_METHODS}, got {method!r}")
        cfg = cell_config("constant", seed, preset, False, extra)
        if method == "constant":
            res = train(cfg)
            extra_out: dict = {}
        else:
            core = make_core(cfg)
            e0_nodes = node_budgets(core, cfg.budget_fraction, cfg.episode_len, CALIBRATION_SEED)
            e0 = float(e0_nodes.sum())
            if method == "channel-filter":
                policy, threshold, probe, energy = best_filter_policy(
                    core, e0, cfg.episode_len, CALIBRATION_SEED
                )
                extra_out = {"threshold": threshold, "probe": probe, "energy_knob": energy}
            else:
                lag = 0 if method == "channel-now" else 1
                policy, threshold, energy = best_channel_policy(
                    core, e0, cfg.episode_len, CALIBRATION_SEED, lag
                )
                extra_out = {"threshold": threshold, "energy_knob": energy}
            seq = evaluate_policy(cfg, core, policy, Seeder(cfg.seed).int("eval"), cfg.eval_episodes)
            res = _result([(1.0, seq)], core, e0_nodes, np.zeros(1))
        _write(out_dir, cfg, res, **extra_out)
        return _records(name, method, seed, cfg, res)

    return run_cell


EXPERIMENTS = [
    Experiment(
        package=PACKAGE,
        name="hidden-channel",
        description="N=4 users, channel hidden (POMDP), energy budget E_0 = 50% of always-max; dual loop on λ",
        methods=METHODS,
        proposed="rsd4",
        metric="throughput",
        higher_is_better=True,
        run=make_cell(False, "hidden-channel"),
        seconds={"smoke": 6.0, "quick": 150.0, "paper": 750.0},
        seeds={"smoke": 1, "quick": 3, "paper": 3},
        curve_metric="throughput_curve",
        x_label="training episodes",
        claim="C1 recurrent > memoryless under a hidden channel; C2 RSD4 >= RTD3 with less over-estimation; "
        "C3 beats the heuristics; C4 transfers N=4 -> 8",
    ),
    Experiment(
        package=PACKAGE,
        name="full-observation",
        description="N=4 users, channel observed; same budget and dual loop",
        methods=METHODS,
        proposed="rsd4",
        metric="throughput",
        higher_is_better=True,
        run=make_cell(True, "full-observation"),
        seconds={"smoke": 6.0, "quick": 150.0, "paper": 750.0},
        seeds={"smoke": 1, "quick": 3, "paper": 3},
        curve_metric="throughput_curve",
        x_label="training episodes",
        claim="RSD4 >= memoryless TD3/SD3 and >= RTD3 with the channel observed",
    ),
    Experiment(
        package=PACKAGE,
        name="hidden-sticky-channel",
        description="N=4, channel hidden but sticky (rho=0.8), rows carry (beta_n, d_n); same budget and dual loop",
        methods=METHODS,
        proposed="rsd4",
        metric="throughput",
        higher_is_better=True,
        run=make_cell(False, "hidden-sticky-channel", STICKY),
        seconds={"smoke": 6.0, "quick": 150.0, "paper": 750.0},
        seeds={"smoke": 1, "quick": 3, "paper": 3},
        curve_metric="throughput_curve",
        x_label="training episodes",
        claim="C1 where memory can help: recurrent > memoryless; C4 transfer N=4 -> 8 with user-constant rows",
    ),
    Experiment(
        package=PACKAGE,
        name="multihop",
        description="4 flows over 2 nodes (one energy budget and one lambda per node); node-level merging ablation",
        methods=("rsd4", "rsd4-nomerge", "constant"),
        proposed="rsd4",
        metric="throughput",
        higher_is_better=True,
        run=make_cell(True, "multihop", MULTIHOP),
        seconds={"smoke": 6.0, "quick": 150.0, "paper": 750.0},
        seeds={"smoke": 1, "quick": 3, "paper": 3},
        curve_metric="throughput_curve",
        x_label="training episodes",
        claim="node-level merging (one row per user over its path) >= one row per (user, node)",
    ),
    Experiment(
        package=PACKAGE,
        name="transfer",
        description="C4 at matched energy: agents trained with N=4 (channel hidden, rows (beta_n, d_n)) run "
        "frozen on N=8 with their iterates' mix re-solved within the N=8 budget; vs RSD4 trained on N=8 "
        "and the heuristics calibrated on N=8",
        methods=TRANSFER_METHODS,
        proposed="rsd4",
        metric="throughput",
        higher_is_better=True,
        run=run_transfer_cell,
        seconds={"smoke": 12.0, "quick": 300.0, "paper": 1200.0},
        seeds={"smoke": 1, "quick": 3, "paper": 3},
        curve_metric="throughput_curve",
        x_label="training episodes",
        claim="C4: the per-user agent trained with N=4 runs N=8 at that system's E_0 about as well as an "
        "agent trained on N=8, and better than the heuristics",
    ),
    Experiment(
        package=PACKAGE,
        name="headroom-sticky",
        description="Headroom of C1 on the sticky hidden channel (rho=0.8): a heuristic that sees the previous "
        "slot's channel (or the current one) against the blind constant heuristic, all at E_0; no learning",
        methods=HEADROOM_METHODS,
        proposed="channel-lag1",
        metric="throughput",
        higher_is_better=True,
        run=make_headroom_cell("headroom-sticky", STICKY),
        seconds={"smoke": 3.0, "quick": 10.0, "paper": 10.0},
        seeds={"smoke": 1, "quick": 10, "paper": 10},
        claim="Knowing the channel's recent past is worth more throughput than the noise of C1's comparison",
    ),
    Experiment(
        package=PACKAGE,
        name="headroom-code-channel",
        description="The same headroom check on the released code's channel (rho=0, nearly i.i.d. slot to slot)",
        methods=HEADROOM_METHODS,
        proposed="channel-lag1",
        metric="throughput",
        higher_is_better=True,
        run=make_headroom_cell("headroom-code-channel", {"user_feature": "params"}),
        seconds={"smoke": 3.0, "quick": 10.0, "paper": 10.0},
        seeds={"smoke": 1, "quick": 10, "paper": 10},
        claim="On the code's channel the recent past says little: no headroom for memory",
    ),
]


# ----------------------------------------------------------------------------------------------------
# Claims (the scoreboard). Tests and thresholds were fixed before the runs. The headroom margin, 0.2
# packets/slot, is the noise of C1's comparison: the 95% half-width of the paired RSD4 - SD3 throughput
# difference in the earlier 10-seed quick run (0.22). "quick-reference" = the quick preset with the released
# code's learner (N updates per episode, batches of 50, one batch per (critic, actor) pair).
_EVIDENCE = "quick-reference"
_HEADROOM_CMD = "rsd4 reproduce --preset quick --only headroom-sticky headroom-code-channel"
_C1_CMD = (
    "python packages/rsd4/benchmarks/run_cells.py quick hidden-sticky-channel rsd4 sd3 constant --seeds 5"
)

# the paper preset with the same learner (1,500 episodes; ~14 CPU-min an RSD4 cell, ~7 an SD3 cell)
_EVIDENCE_PAPER = "paper-reference"
_C1_CMD_PAPER = _C1_CMD.replace("run_cells.py quick", "run_cells.py paper")

CLAIMS: list[Claim] = [
    Claim(
        id="rsd4/headroom-sticky",
        statement="Headroom of C1 on the sticky channel (rho=0.8): a heuristic that knows the previous slot's "
        "channel delivers > 0.2 packets/slot more than the blind constant heuristic, both at E_0",
        experiment="headroom-sticky",
        evidence=_EVIDENCE,
        test="better",
        method="channel-lag1",
        baseline="constant",
        threshold=0.2,
        min_seeds=10,
        command=_HEADROOM_CMD,
        headroom=True,
    ),
    Claim(
        id="rsd4/headroom-code-channel",
        statement="Headroom of C1 on the released code's channel (rho=0): knowing the previous slot's channel "
        "is worth > 0.2 packets/slot over the blind constant heuristic",
        experiment="headroom-code-channel",
        evidence=_EVIDENCE,
        test="better",
        method="channel-lag1",
        baseline="constant",
        threshold=0.2,
        min_seeds=10,
        command=_HEADROOM_CMD,
        headroom=True,
    ),
    # declared in session 11 after a one-seed pilot (seed 0: filter 4.70, lag-1 5.77, constant 4.18) and before
    # the other nine seeds ran: the headroom-sticky check with the channel inferred from the agent's own
    # observations instead of read. 0.95 of lag-1 (5.44 of its 5.73) would sit above the paper-preset learners
    # (5.14-5.20) by more than C1's noise (0.2): room that history can reach and the learners leave.
    Claim(
        id="rsd4/headroom-history-sticky",
        statement="Headroom of C1 from history alone (sticky channel): a Bayes filter on the agent's own "
        "observations (buffers, past energies) delivers > 0.2 packets/slot more than the blind constant "
        "heuristic, both at E_0",
        experiment="headroom-sticky",
        evidence=_EVIDENCE,
        test="better",
        method="channel-filter",
        baseline="constant",
        threshold=0.2,
        min_seeds=10,
        command=_HEADROOM_CMD,
        headroom=True,
    ),
    Claim(
        id="rsd4/history-reaches-lag1-sticky",
        statement="History recovers the channel knowledge the lag-1 headroom arm reads: the Bayes filter keeps "
        ">= 95% of the lag-1 heuristic's throughput (sticky channel, E_0)",
        experiment="headroom-sticky",
        evidence=_EVIDENCE,
        test="within",
        method="channel-filter",
        baseline="channel-lag1",
        threshold=0.95,
        min_seeds=10,
        command=_HEADROOM_CMD,
    ),
    Claim(
        id="rsd4/c1-recurrent-beats-memoryless",
        statement="C1: with the channel hidden (sticky), RSD4 beats memoryless SD3 in throughput over the "
        "constant heuristic at the same energy (paired by seed)",
        experiment="hidden-sticky-channel",
        evidence=_EVIDENCE,
        test="better",
        baseline="sd3",
        metric="matched_ratio",
        command=_C1_CMD,
        requires="rsd4/headroom-sticky",
    ),
    Claim(
        id="rsd4/c1-beats-td3",
        statement="C1: with the channel hidden (sticky), RSD4 beats memoryless TD3 at the same energy",
        experiment="hidden-sticky-channel",
        evidence=_EVIDENCE,
        test="better",
        baseline="td3",
        metric="matched_ratio",
        command=_C1_CMD.replace("rsd4 sd3 constant", "rsd4 td3"),
        requires="rsd4/headroom-sticky",
    ),
    # declared in session 9 before any paper-preset cell ran: C1 at the paper preset (1,500 episodes, 5,600
    # reference updates against quick's 1,000), the test of the reading that at quick the recurrent critics had
    # not yet learnt to use the history; same tests, same seeds, the same headroom requirement
    Claim(
        id="rsd4/c1-paper-recurrent-beats-memoryless",
        statement="C1 at 1,500 episodes: with the channel hidden (sticky), RSD4 beats memoryless SD3 in "
        "throughput over the constant heuristic at the same energy (paired by seed)",
        experiment="hidden-sticky-channel",
        evidence=_EVIDENCE_PAPER,
        test="better",
        baseline="sd3",
        metric="matched_ratio",
        command=_C1_CMD_PAPER,
        requires="rsd4/headroom-sticky",
    ),
    Claim(
        id="rsd4/c1-paper-beats-td3",
        statement="C1 at 1,500 episodes: with the channel hidden (sticky), RSD4 beats memoryless TD3 at the "
        "same energy",
        experiment="hidden-sticky-channel",
        evidence=_EVIDENCE_PAPER,
        test="better",
        baseline="td3",
        metric="matched_ratio",
        command=_C1_CMD_PAPER.replace("rsd4 sd3 constant", "rsd4 td3"),
        requires="rsd4/headroom-sticky",
    ),
    Claim(
        id="rsd4/c2-rsd4-ge-rtd3",
        statement="C2: RSD4 >= RTD3 (within 2%) in throughput over the constant heuristic at the same energy, "
        "channel hidden",
        experiment="hidden-sticky-channel",
        evidence=_EVIDENCE,
        test="within",
        baseline="rtd3",
        threshold=0.98,
        metric="matched_ratio",
        command=_C1_CMD.replace("rsd4 sd3 constant", "rsd4 rtd3"),
    ),
    Claim(
        id="rsd4/c2-less-overestimation",
        statement="C2: RSD4's critic over-estimates the Monte-Carlo return less than RTD3's (relative Q bias)",
        experiment="hidden-sticky-channel",
        evidence=_EVIDENCE,
        test="better",
        baseline="rtd3",
        metric="q_bias_rel",
        higher_is_better=False,
        command=_C1_CMD.replace("rsd4 sd3 constant", "rsd4 rtd3"),
    ),
    Claim(
        id="rsd4/c3-beats-constant",
        statement="C3: RSD4 delivers more than the constant-energy heuristic, both at the energy budget E_0",
        experiment="hidden-sticky-channel",
        evidence=_EVIDENCE,
        test="better",
        baseline="constant",
        metric="throughput",
        command=_C1_CMD,
    ),
    Claim(
        id="rsd4/budget-held",
        statement="The dual loop holds the budget: RSD4's final policy spends E_0 within 5% (energy / E_0)",
        experiment="hidden-sticky-channel",
        evidence=_EVIDENCE,
        test="equal",
        baseline=None,
        target=1.0,
        threshold=0.05,
        metric="energy_ratio",
        command=_C1_CMD,
    ),
    Claim(
        id="rsd4/c4-transfer",
        statement="C4: RSD4 trained with N=4 runs N=8 (frozen, at that system's E_0) within 10% of RSD4 "
        "trained on N=8",
        experiment="transfer",
        evidence=_EVIDENCE,
        test="within",
        baseline="rsd4-n8",
        threshold=0.9,
        command="python packages/rsd4/benchmarks/run_cells.py quick transfer rsd4 rsd4-n8 constant --seeds 5",
    ),
    Claim(
        id="rsd4/multihop-merging",
        statement="Node-level merging (one row per user over its path) >= one row per (user, node), within 5%, "
        "multi-hop throughput at the per-node budgets",
        experiment="multihop",
        evidence=_EVIDENCE,
        test="within",
        baseline="rsd4-nomerge",
        threshold=0.95,
        command="rsd4 reproduce --preset quick --only multihop --seeds 5",
    ),
]
