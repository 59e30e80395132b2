"""train(cfg) -> Result: on-policy GFlowNet training with a chosen objective and regression loss."""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import torch
from paperkit import MetricsLogger, Seeder, load_checkpoint, save_checkpoint

from gflownet_losses.config import Config
from gflownet_losses.envs import BitSequence, DAGEnv, HyperGrid
from gflownet_losses.evaluation import (
    ModeTracker,
    bitseq_mode_hits,
    bitseq_test_set,
    estimate_log_pt,
    hypergrid_mode_hits,
    l1_to_target,
    spearman,
)
from gflownet_losses.objectives import gflownet_loss
from gflownet_losses.policies import GFlowNetModel
from gflownet_losses.regression import make_loss
from gflownet_losses.sampler import sample_trajectories


@dataclasses.dataclass
class Result:
    trajectories: int
    seconds: float
    curve: list[tuple[int, float]]  # (trajectories, L1) on hypergrid, (trajectories, modes found) on bitseq
    final_l1: float = math.nan
    trajectories_to_threshold: float = math.inf  # first evaluation with L1 <= cfg.l1_threshold
    modes_found: int = 0
    n_modes: int = 0
    all_modes_found_at: float = math.inf
    spearman: float = math.nan
    spearman_start: float = math.nan  # the untrained policy's (evaluate_spearman_at_start=True)
    mean_log_reward: float = math.nan  # over the last 10% of training samples
    model: GFlowNetModel | None = dataclasses.field(default=None, repr=False)

    def __str__(self) -> str:
        parts = [f"trajectories={self.trajectories}", f"seconds={self.seconds:.1f}"]
        if not math.isnan(self.final_l1):
            parts += [f"final_l1={self.final_l1:.4f}", f"to_threshold={self.trajectories_to_threshold}"]
        parts += [f"modes_found={self.modes_found}/{self.n_modes}", f"all_modes_at={self.all_modes_found_at}"]
        if not math.isnan(self.spearman):
            parts.append(f"spearman={self.spearman:.3f}")
        parts.append(f"mean_log_reward={self.mean_log_reward:.3f}")
        return "Result(" + ", ".join(parts) + ")"


def make_env(cfg: Config) -> DAGEnv:
    if cfg.env == "hypergrid":
        return HyperGrid(cfg.ndim, cfg.height, cfg.r0, cfg.r1, cfg.r2)
    modes = BitSequence.random_modes(Seeder(cfg.seed).numpy("modes"), cfg.n_modes, cfg.seq_len)
    return BitSequence(cfg.seq_len, cfg.word_len, modes, cfg.reward_beta)


def make_model(cfg: Config, env: DAGEnv) -> GFlowNetModel:
    return GFlowNetModel(
        env, cfg.hidden, cfg.layers, cfg.learned_pb, generator=Seeder(cfg.seed).torch("init")
    )


def make_optimizer(cfg: Config, model: GFlowNetModel) -> torch.optim.Adam:
    return torch.optim.Adam(
        [{"params": model.trunk_parameters(), "lr": cfg.lr}, {"params": [model.log_z], "lr": cfg.lr_logz}]
    )


def train(
    cfg: Config,
    *,
    resume: bool = False,
    stop_after_updates: int | None = None,
    evaluate_spearman_at_start: bool = False,
) -> Result:
    """Train; with ``resume=True`` continue from ``cfg.run_dir/checkpoint`` if there is one.

    ``stop_after_updates`` ends the run early (used by the resume test to simulate an interruption);
    ``evaluate_spearman_at_start`` (bitseq) also scores the untrained policy, the noise floor of the metric.
    """
    seeder = Seeder(cfg.seed)
    env = make_env(cfg)
    model = make_model(cfg, env)
    opt = make_optimizer(cfg, model)
    loss_fn = make_loss(cfg.loss, cfg.loss_clip or None)
    gen = seeder.torch("sampler")
    n_updates = cfg.n_trajectories // cfg.batch_size

    if isinstance(env, HyperGrid):
        mode_ids = env.state_index(env.all_states()[env.mode_mask(env.all_states())])
        tracker = ModeTracker(len(mode_ids))
    else:
        tracker = ModeTracker(cfg.n_modes)
    curve: list[tuple[int, float]] = []
    reward_tail: list[float] = []
    start, elapsed = 0, 0.0
    ckpt_path = Path(cfg.run_dir) / "checkpoint" if cfg.run_dir else None
    if resume and ckpt_path is not None and (ckpt_path / "state.json").exists():
        ck = load_checkpoint(ckpt_path, config=cfg)
        model.load_state_dict(
            {k[len("model.") :]: v for k, v in ck.tensors.items() if k.startswith("model.")}
        )
        opt.load_state_dict(ck.objects["optimizer"])
        gen.set_state(ck.tensors["sampler_rng"])
        tracker.found = ck.arrays["modes_found"].astype(bool)
        tracker.all_found_at = ck.state["all_found_at"]
        curve = [tuple(p) for p in ck.state["curve"]]
        reward_tail = list(ck.state["reward_tail"])
        start, elapsed = ck.step, ck.state["elapsed"]
    # rows are logged by trajectories while checkpoints count updates: resume in the rows' unit, or every row
    # logged since the last checkpoint's trajectory count would be dropped (issue 23)
    logger = (
        MetricsLogger(
            cfg.run_dir,
            resume_step=start * cfg.batch_size,
            total=n_updates * cfg.batch_size,
            desc="gflownet-losses",
        )
        if cfg.run_dir
        else None
    )

    def evaluate_now(n_traj: int) -> None:
        value = l1_to_target(env, model) if isinstance(env, HyperGrid) else float(tracker.count)
        curve.append((n_traj, value))
        if logger is not None:
            logger.log(n_traj, {"l1" if isinstance(env, HyperGrid) else "modes_found": value})

    spearman_start = math.nan
    if evaluate_spearman_at_start and isinstance(env, BitSequence) and start == 0:
        spearman_start = evaluate_spearman(cfg, env, model)
    t0 = time.perf_counter()
    if start == 0:
        evaluate_now(0)
    tail_from = int(0.9 * n_updates)
    end = n_updates if stop_after_updates is None else min(n_updates, stop_after_updates)
    for update in range(start, end):
        traj = sample_trajectories(env, model, cfg.batch_size, gen, cfg.epsilon)
        loss = gflownet_loss(cfg.objective, traj, loss_fn, model.log_z, cfg.subtb_lambda)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()

        n_traj = (update + 1) * cfg.batch_size
        with torch.no_grad():
            terminal = traj.terminal
            if isinstance(env, HyperGrid):
                hits = hypergrid_mode_hits(env, terminal, mode_ids)
            else:
                hits = bitseq_mode_hits(env, terminal, cfg.mode_radius)
            tracker.update(hits, n_traj)
            if update >= tail_from:
                reward_tail.append(float(traj.log_reward.mean()))
        if n_traj // cfg.eval_every > (n_traj - cfg.batch_size) // cfg.eval_every or update == n_updates - 1:
            evaluate_now(n_traj)
        if cfg.checkpoint_every and (update + 1) % cfg.checkpoint_every == 0:
            save_checkpoint(
                ckpt_path,
                config=cfg,
                step=update + 1,
                tensors={
                    **{f"model.{k}": v for k, v in model.state_dict().items()},
                    "sampler_rng": gen.get_state(),
                },
                arrays={"modes_found": tracker.found.astype(np.uint8)},
                objects={"optimizer": opt.state_dict()},
                state={
                    "all_found_at": tracker.all_found_at,
                    "curve": curve,
                    "reward_tail": reward_tail,
                    "elapsed": elapsed + time.perf_counter() - t0,
                },
            )
    if logger is not None:
        logger.close()

    result = Result(
        trajectories=end * cfg.batch_size,
        seconds=elapsed + time.perf_counter() - t0,
        curve=curve,
        modes_found=tracker.count,
        n_modes=len(tracker.found),
        all_modes_found_at=math.inf if tracker.all_found_at is None else float(tracker.all_found_at),
        mean_log_reward=float(np.mean(reward_tail)) if reward_tail else math.nan,
        spearman_start=spearman_start,
    )
    if isinstance(env, HyperGrid):
        result.final_l1 = curve[-1][1]
        hit = [n for n, v in curve if v <= cfg.l1_threshold]
        result.trajectories_to_threshold = float(hit[0]) if hit else math.inf
    else:
        result.spearman = evaluate_spearman(cfg, env, model)
    result.model = model
    return result


@torch.no_grad()
def evaluate_spearman(cfg: Config, env: BitSequence, model: GFlowNetModel) -> float:
    """Spearman(P_T, R) on a fixed test set around the modes, P_T by the backward-sampling estimator."""
    seeder = Seeder(cfg.seed)
    test = bitseq_test_set(env, seeder.numpy("testset"), cfg.test_per_mode)
    log_pt = estimate_log_pt(env, model, test, cfg.n_backward, seeder.torch("pt-estimator"))
    return spearman(log_pt.numpy(), env.log_reward(test).numpy())


def evaluate(cfg: Config) -> dict[str, float]:
    """Evaluate the latest checkpoint in ``cfg.run_dir``: L1 (hypergrid) or Spearman (bitseq)."""
    if not cfg.run_dir:
        raise ValueError("evaluate needs run_dir holding a checkpoint")
    ck = load_checkpoint(Path(cfg.run_dir) / "checkpoint", config=cfg)
    env = make_env(cfg)
    model = make_model(cfg, env)
    model.load_state_dict({k[len("model.") :]: v for k, v in ck.tensors.items() if k.startswith("model.")})
    if isinstance(env, HyperGrid):
        return {"step": ck.step, "l1": l1_to_target(env, model)}
    return {"step": ck.step, "spearman": evaluate_spearman(cfg, env, model)}
