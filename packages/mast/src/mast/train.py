"""train(cfg) -> Result: episode collection, updates, topology evolution, evaluation, FLOPs, checkpoints."""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from paperkit import (
    MetricsLogger,
    Seeder,
    load_checkpoint,
    numpy_rng_state,
    restore_numpy_rng,
    save_checkpoint,
)

from mast.config import Config
from mast.envs import EnvFactory, ParallelEnvAdapter, env_factory
from mast.learner import Learner, to_tensors
from mast.replay import DualReplay, episode_shapes
from mast.returns import hybrid_lambda


@dataclasses.dataclass
class Result:
    final_return: float  # mean greedy team return (unscaled) at the last evaluation
    curve: list[tuple[int, float]]  # (env step, mean greedy return)
    train_flops_rel: float  # counted training FLOPs / those of the dense full-size architecture
    infer_flops_rel: float  # counted action-selection FLOPs per step / dense full-size
    q_overestimation: float  # mean Q_tot(s0, a0) − realized discounted return (scaled), final greedy eval
    density: float  # measured overall density of the sparse weights (1 for dense)
    env_steps: int
    episodes: int
    updates: int
    topology_updates: int
    seconds: float
    run_dir: str | None = None
    value_bias: float = float(
        "nan"
    )  # mean Q_tot(s0, a0) − true discounted return of the greedy policy (scaled)
    action_gap: float = float("nan")  # mean (max − mean) of the target utilities over the last eval interval
    gap_curve: list[tuple[int, float]] = dataclasses.field(default_factory=list)  # (env step, action_gap)

    def __str__(self) -> str:
        return (
            f"final_return={self.final_return:.2f} train_flops_rel={self.train_flops_rel:.3f} "
            f"infer_flops_rel={self.infer_flops_rel:.3f} density={self.density:.3f} "
            f"q_overestimation={self.q_overestimation:.3f} steps={self.env_steps} updates={self.updates} "
            f"topology_updates={self.topology_updates} value_bias={self.value_bias:.3f} "
            f"action_gap={self.action_gap:.4f} seconds={self.seconds:.1f}"
        )


def make_adapter(
    cfg: Config, env: EnvFactory | None = None, *, max_cycles: int | None = None
) -> ParallelEnvAdapter:
    """The learner's view of a fresh env: ``env`` (a factory) if given, else the one ``cfg.env`` names.

    ``max_cycles`` (default ``cfg.max_cycles``) is the episode limit, also passed to a named env that
    takes it (a factory's own episode length is its own business: the limit then only cuts it).
    """
    limit = cfg.max_cycles if max_cycles is None else max_cycles
    factory = env_factory(
        cfg.env if env is None else env, n_agents=cfg.n_agents, max_cycles=limit, kwargs=cfg.env_kwargs
    )
    return ParallelEnvAdapter(factory(), team_reward=cfg.team_reward, episode_limit=limit)


def epsilon_at(cfg: Config, t_env: int) -> float:
    frac = min(1.0, t_env / cfg.eps_anneal_steps)
    return cfg.eps_start + frac * (cfg.eps_end - cfg.eps_start)


def select_actions(q: np.ndarray, avail: np.ndarray, eps: float, rng: np.random.Generator) -> np.ndarray:
    """ε-greedy per agent; random actions uniform over available ones."""
    q = np.where(avail, q, -np.inf)
    actions = q.argmax(-1)
    explore = rng.random(len(actions)) < eps
    for i in np.flatnonzero(explore):
        actions[i] = rng.choice(np.flatnonzero(avail[i]))
    return actions


@torch.no_grad()
def run_episode(
    adapter: ParallelEnvAdapter,
    learner: Learner,
    *,
    env_seed: int,
    eps: float,
    rng: np.random.Generator,
    reward_scale: float,
) -> tuple[dict[str, np.ndarray], float, int]:
    """One episode; returns the padded episode arrays, the unscaled team return and the length."""
    limit = adapter.episode_limit
    obs, avail, state = adapter.reset(env_seed)
    shapes = episode_shapes(adapter.n_agents, adapter.obs_dim, adapter.n_actions, state.shape[0], limit)
    ep = {k: np.zeros(s, dt) for k, (s, dt) in shapes.items()}
    h = learner.net.agents.initial_hidden(1)
    total = 0.0
    t = 0
    for t in range(limit):
        ep["obs"][t], ep["avail"][t], ep["state"][t] = obs, avail, state
        q, h = learner.net.agents.step(torch.from_numpy(obs)[None], h)
        actions = select_actions(q[0].numpy(), avail, eps, rng)
        res = adapter.step(actions)
        ep["actions"][t] = actions
        ep["reward"][t] = res.reward * reward_scale
        ep["terminated"][t] = float(res.terminated)
        ep["filled"][t] = 1.0
        total += res.reward
        obs, avail, state = res.obs, res.avail, res.state
        if res.terminated or res.truncated:
            break
    ep["obs"][t + 1], ep["avail"][t + 1], ep["state"][t + 1] = obs, avail, state
    return ep, total, t + 1


@torch.no_grad()
def evaluate(
    adapter: ParallelEnvAdapter, learner: Learner, *, episodes: int, seed: int, cfg: Config
) -> tuple[float, float]:
    """Greedy evaluation: (mean unscaled team return, mean Q_tot(s0,a0) − discounted scaled return)."""
    rng = np.random.default_rng(0)  # unused at ε = 0, required by the signature
    returns, gaps = [], []
    for i in range(episodes):
        ep, ret, length = run_episode(
            adapter, learner, env_seed=seed + i, eps=0.0, rng=rng, reward_scale=cfg.reward_scale
        )
        returns.append(ret)
        b = to_tensors({k: v[None] for k, v in ep.items()})
        qs = learner.net.agents(b["obs"][:, :1])
        chosen = qs[:, 0].gather(-1, b["actions"][:, 0].unsqueeze(-1)).squeeze(-1)
        q0 = float(learner.net.mixer(chosen, b["state"][:, 0]))
        disc = float(np.sum(ep["reward"][:length] * cfg.gamma ** np.arange(length)))
        gaps.append(q0 - disc)
    return float(np.mean(returns)), float(np.mean(gaps))


@torch.no_grad()
def value_bias(
    cfg: Config,
    learner: Learner,
    *,
    episodes: int,
    seed: int,
    tail: float = 0.05,
    env: EnvFactory | None = None,
) -> float:
    """Overestimation of the start value: mean Q_tot(s0, a0) − discounted return of the greedy policy.

    The learner bootstraps at the 25-step time limit, so its values estimate the *infinite-horizon* return
    (observations carry no time). The true value is therefore measured on a long greedy rollout of
    H = ⌈log(tail)/log γ⌉ steps (MPE tasks are stationary), plus γ^H · Q_tot(s_H, greedy) for the rest; that
    term's own error is scaled by γ^H ≤ ``tail``. A named env gets ``max_cycles = H``; a factory's env runs
    its own length (at most H): an episode that terminates adds nothing, a truncated one the same tail.
    """
    horizon = (
        max(1, math.ceil(math.log(tail) / math.log(cfg.gamma))) if cfg.gamma < 1.0 else 10 * cfg.max_cycles
    )
    adapter = make_adapter(cfg, env, max_cycles=horizon)
    rng = np.random.default_rng(0)  # unused at ε = 0
    gaps = []
    for i in range(episodes):
        ep, _, length = run_episode(
            adapter, learner, env_seed=seed + i, eps=0.0, rng=rng, reward_scale=cfg.reward_scale
        )
        b = to_tensors({k: v[None] for k, v in ep.items()})
        qs = learner.net.agents(b["obs"])  # [1, H+1, n, A]
        chosen = qs[:, :-1].gather(-1, b["actions"].unsqueeze(-1)).squeeze(-1)
        q0 = float(learner.net.mixer(chosen[:, 0], b["state"][:, 0]))
        ret = float(np.sum(ep["reward"][:length] * cfg.gamma ** np.arange(length)))
        if not ep["terminated"][length - 1]:  # the rest of the infinite horizon, from the net's own value
            greedy = qs[:, length].masked_fill(~b["avail"][:, length], -torch.inf).max(-1).values
            ret += cfg.gamma**length * float(learner.net.mixer(greedy, b["state"][:, length]))
        gaps.append(q0 - ret)
    return float(np.mean(gaps))


def reference_dense_config(cfg: Config) -> Config:
    """The dense full-size architecture every FLOPs ratio is relative to."""
    d = Config()
    return dataclasses.replace(
        cfg,
        topology="dense",
        sparsity=0.0,
        rnn_hidden=d.rnn_hidden,
        mixer_embed=d.mixer_embed,
        hypernet_hidden=d.hypernet_hidden,
    )


def _update_flops(learner: Learner, probe: dict[str, torch.Tensor], batch: int) -> tuple[float, float]:
    """(sparse, dense) FLOPs of one update: online forward + 2× backward + target forward (RLx2 convention)."""
    a, m = learner.forward_flops(probe)
    sparse_fwd = (a.sparse + m.sparse) * batch
    dense_fwd = (a.dense + m.dense) * batch
    return 4.0 * sparse_fwd, 4.0 * dense_fwd


def _probe(adapter: ParallelEnvAdapter, limit: int) -> dict[str, torch.Tensor]:
    shapes = episode_shapes(adapter.n_agents, adapter.obs_dim, adapter.n_actions, adapter.state_dim, limit)
    return to_tensors({k: np.zeros((1, *s), dt) for k, (s, dt) in shapes.items()})


def train(
    cfg: Config,
    *,
    env: EnvFactory | None = None,
    run_dir: str | Path | None = None,
    resume: bool = False,
    stop_after_episodes: int | None = None,
) -> Result:
    """Train one run on ``env`` (a callable returning a PettingZoo ``ParallelEnv``) or, if None, on the
    env ``cfg.env`` names. With ``run_dir`` a checkpoint is kept there (``resume=True`` continues it;
    pass the same ``env`` again). ``stop_after_episodes`` ends early (after checkpointing), to simulate
    an interruption. A non-finite loss raises :class:`~mast.learner.NonFiniteError` and leaves the last
    checkpoint as it was.
    """
    t0 = time.perf_counter()
    seeder = Seeder(cfg.seed)
    adapter = make_adapter(cfg, env)
    _obs, _, state = adapter.reset(seeder.int("env-probe"))
    limit = cfg.max_cycles
    learner = Learner(
        cfg, adapter.n_agents, adapter.obs_dim, adapter.n_actions, state.shape[0], gen=seeder.torch("init")
    )
    topo_gen = seeder.torch("topology")
    explore_rng = seeder.numpy("explore")
    sample_rng = seeder.numpy("replay")
    env_seeds = seeder.int("env")
    eval_seeds = seeder.int("eval")
    shapes = episode_shapes(adapter.n_agents, adapter.obs_dim, adapter.n_actions, state.shape[0], limit)
    replay = DualReplay(cfg.buffer_size, cfg.on_buffer_size if cfg.dual_buffer else 0, shapes)

    probe = _probe(adapter, limit)
    ref = Learner(
        reference_dense_config(cfg),
        adapter.n_agents,
        adapter.obs_dim,
        adapter.n_actions,
        state.shape[0],
        gen=torch.Generator().manual_seed(0),
    )
    _, ref_update = _update_flops(ref, probe, cfg.batch_size)
    ref_infer = ref.forward_flops(probe)[0].dense
    sparse_update, dense_update = _update_flops(learner, probe, cfg.batch_size)

    total_updates = max(1, math.ceil(cfg.total_env_steps / limit))  # one update per episode (upper bound)
    st: dict[str, Any] = {
        "t_env": 0,
        "episodes": 0,
        "next_eval": 0,
        "curve": [],
        "overest": 0.0,
        "train_flops": 0.0,
        "ref_flops": 0.0,
        "gap_sum": 0.0,  # Σ action_gap over the updates since the last evaluation
        "gap_n": 0,
        "gap_curve": [],
    }
    ckpt_dir = Path(run_dir) / "checkpoint" if run_dir is not None else None
    if resume:
        if ckpt_dir is None:
            raise ValueError("resume=True needs a run_dir")
        ck = load_checkpoint(ckpt_dir, config=cfg)
        net_sd = {k[4:]: v for k, v in ck.tensors.items() if k.startswith("net.")}
        tgt_sd = {k[4:]: v for k, v in ck.tensors.items() if k.startswith("tgt.")}
        learner.net.load_state_dict(net_sd)
        learner.target.load_state_dict(tgt_sd)
        if learner.topology is not None:
            learner.topology.load_state_tensors(ck.tensors)
        learner.optimizer.load_state_dict(ck.objects["optimizer"])
        topo_gen.set_state(ck.tensors["rng.topology"])
        replay.load_state_arrays(ck.arrays)
        s = ck.state
        restore_numpy_rng(explore_rng, s["rng_explore"])
        restore_numpy_rng(sample_rng, s["rng_replay"])
        learner.updates, learner.topology_updates = s["updates"], s["topology_updates"]
        st = s["progress"]
        st["curve"] = [tuple(x) for x in st["curve"]]
        st["gap_curve"] = [tuple(x) for x in st["gap_curve"]]
        sparse_update, dense_update = _update_flops(learner, probe, cfg.batch_size)

    def checkpoint() -> None:
        if ckpt_dir is None:
            return
        tensors = {f"net.{k}": v for k, v in learner.net.state_dict().items()}
        tensors.update({f"tgt.{k}": v for k, v in learner.target.state_dict().items()})
        if learner.topology is not None:
            tensors.update(learner.topology.state_tensors())
        tensors["rng.topology"] = topo_gen.get_state()
        save_checkpoint(
            ckpt_dir,
            config=cfg,
            step=st["t_env"],
            tensors=tensors,
            arrays=replay.state_arrays(),
            objects={"optimizer": learner.optimizer.state_dict()},
            state={
                "rng_explore": numpy_rng_state(explore_rng),
                "rng_replay": numpy_rng_state(sample_rng),
                "updates": learner.updates,
                "topology_updates": learner.topology_updates,
                "progress": st,
            },
        )

    logger = (
        MetricsLogger(run_dir, resume_step=st["t_env"], total=cfg.total_env_steps, desc="mast")
        if run_dir is not None
        else None
    )
    eval_adapter = make_adapter(cfg, env)
    try:

        def evaluate_now() -> None:
            ret, over = evaluate(
                eval_adapter, learner, episodes=cfg.eval_episodes, seed=eval_seeds % 2**31, cfg=cfg
            )
            st["curve"].append((st["t_env"], ret))
            _close_gap_window(st)
            st["overest"] = over
            if logger:
                logger.log(st["t_env"], {"eval_return": ret, "q_overestimation": over})

        def evaluate_if_due() -> None:
            if st["t_env"] >= st["next_eval"]:
                evaluate_now()
                st["next_eval"] += cfg.eval_every_steps

        def checkpoint_here() -> None:
            # an evaluation due at this step runs before the checkpoint, not after it: a row logged after the
            # checkpoint at the checkpoint's own step would survive a kill (resume keeps rows <= that step) and
            # be logged again by the resumed run (issue 23)
            evaluate_if_due()
            checkpoint()

        while st["t_env"] < cfg.total_env_steps:
            evaluate_if_due()
            eps = epsilon_at(cfg, st["t_env"])
            ep, ret, length = run_episode(
                adapter,
                learner,
                env_seed=(env_seeds + st["episodes"]) % 2**31,
                eps=eps,
                rng=explore_rng,
                reward_scale=cfg.reward_scale,
            )
            replay.push(ep)
            st["t_env"] += length
            st["episodes"] += 1
            if len(replay) >= cfg.batch_size:
                batch, _ = replay.sample(cfg.batch_size, cfg.on_batch, sample_rng)
                lam = hybrid_lambda(
                    st["t_env"],
                    early=cfg.lambda_early,
                    late=cfg.lambda_late,
                    switch_steps=cfg.lambda_switch_steps,
                )
                info = learner.train_step(
                    to_tensors(batch), lam, total_updates=total_updates, gen=topo_gen, step=st["t_env"]
                )
                if info.topology_update:
                    # sparse online + target forwards, but a dense backward pass for the growth criterion
                    st["train_flops"] += sparse_update / 2.0 + dense_update / 2.0
                else:
                    st["train_flops"] += sparse_update
                st["ref_flops"] += ref_update
                st["gap_sum"] += info.action_gap
                st["gap_n"] += 1
                if logger and learner.updates % 50 == 0:
                    logger.log(
                        st["t_env"],
                        {
                            "loss": info.loss,
                            "q_tot": info.q_tot_mean,
                            "target": info.target_mean,
                            "action_gap": info.action_gap,
                            "epsilon": eps,
                            "lambda": lam,
                            "train_return": ret,
                        },
                    )
            if (
                learner.updates
                and learner.updates % cfg.target_update_episodes == 0
                and len(replay) >= cfg.batch_size
            ):
                learner.update_target()
            if cfg.checkpoint_every_episodes and st["episodes"] % cfg.checkpoint_every_episodes == 0:
                checkpoint_here()
            if stop_after_episodes is not None and st["episodes"] >= stop_after_episodes:
                checkpoint_here()
                break
        else:
            # the final evaluation, unless checkpoint_here() just made it at this step (same numbers)
            if not st["curve"] or st["curve"][-1][0] != st["t_env"]:
                evaluate_now()
            checkpoint()
    finally:
        if logger:
            logger.close()

    bias = float("nan")
    if st["t_env"] >= cfg.total_env_steps:  # a finished run (not an interrupted one)
        bias = value_bias(cfg, learner, episodes=cfg.eval_episodes, seed=seeder.int("bias") % 2**31, env=env)
    infer = learner.forward_flops(probe)[0].sparse
    density = learner.topology.overall_density() if learner.topology is not None else 1.0
    return Result(
        final_return=float(st["curve"][-1][1]) if st["curve"] else float("nan"),
        curve=[(int(s), float(r)) for s, r in st["curve"]],
        train_flops_rel=st["train_flops"] / st["ref_flops"] if st["ref_flops"] else float("nan"),
        infer_flops_rel=infer / ref_infer,
        q_overestimation=float(st["overest"]),
        density=float(density),
        env_steps=int(st["t_env"]),
        episodes=int(st["episodes"]),
        updates=learner.updates,
        topology_updates=learner.topology_updates,
        seconds=time.perf_counter() - t0,
        run_dir=str(run_dir) if run_dir is not None else None,
        value_bias=bias,
        action_gap=float(st["gap_curve"][-1][1]) if st["gap_curve"] else float("nan"),
        gap_curve=[(int(a), float(b)) for a, b in st["gap_curve"]],
    )


def _close_gap_window(st: dict[str, Any]) -> None:
    """Append the mean action gap of the updates since the previous evaluation (none yet: skipped)."""
    if st["gap_n"]:
        st["gap_curve"].append((st["t_env"], st["gap_sum"] / st["gap_n"]))
    st["gap_sum"], st["gap_n"] = 0.0, 0


def evaluate_checkpoint(
    run_dir: str | Path, *, episodes: int = 20, env: EnvFactory | None = None
) -> tuple[float, float]:
    """Greedy return and Q-overestimation of the checkpoint saved under ``run_dir`` (on ``env`` if given,
    else on the env its config names)."""
    from paperkit import config_from_dict

    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    ck = load_checkpoint(Path(run_dir) / "checkpoint")
    cfg = config_from_dict(Config, ck.config)
    adapter = make_adapter(cfg, env)
    _, _, state = adapter.reset(0)
    learner = Learner(
        cfg, adapter.n_agents, adapter.obs_dim, adapter.n_actions, state.shape[0], gen=Seeder(0).torch("x")
    )
    learner.net.load_state_dict({k[4:]: v for k, v in ck.tensors.items() if k.startswith("net.")})
    return evaluate(adapter, learner, episodes=episodes, seed=Seeder(cfg.seed).int("test") % 2**31, cfg=cfg)
