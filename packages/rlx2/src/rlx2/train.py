"""The training loop: collect, adjust the buffer, update, evaluate, checkpoint at episode ends."""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch
from paperkit import (
    MetricsLogger,
    Seeder,
    load_checkpoint,
    make_run_dir,
    numpy_rng_state,
    restore_numpy_rng,
    save_checkpoint,
    write_config,
)

import rlx2.envs  # noqa: F401 - registers rlx2/PointReach-v0
from rlx2.agents import SAC, SparseAgent, make_agent
from rlx2.buffer import ReplayBuffer, policy_distance
from rlx2.config import Config
from rlx2.nstep import current_nstep


@dataclasses.dataclass
class Result:
    final_return: float
    """Mean of the last ``final_window`` evaluation returns."""
    curve: list[tuple[int, float]]
    """(env step, mean evaluation return)."""
    train_flops_rel: float
    """Counted training FLOPs of this run / the same count with dense networks."""
    infer_flops_rel: float
    """Actor forward FLOPs / dense actor forward FLOPs."""
    actor_density: float
    critic_density: float
    buffer_trace: list[tuple[int, int, float]]
    """(env step, buffer size after the check, policy distance D) at each check."""
    topology_updates: int
    run_dir: str


@contextlib.contextmanager
def mujoco_warnings_to_python():
    """MuJoCo's warnings raised while this is active become Python warnings when it exits
    (``DeprecationWarning`` for deprecations, hidden by default; else ``RuntimeWarning``), which users can
    filter. By default MuJoCo prints them to stderr and appends them to ``MUJOCO_LOG.TXT`` in the working
    directory; Gymnasium's HalfCheetah model triggers one ("settotalmass is deprecated") on every
    ``gym.make``. The handler only collects: an exception raised inside MuJoCo's C callback aborts the
    process."""
    try:
        import mujoco
    except ImportError:
        yield
        return
    messages: list[str] = []
    previous = mujoco.get_mju_user_warning()
    mujoco.set_mju_user_warning(messages.append)
    try:
        yield
    finally:
        mujoco.set_mju_user_warning(previous)
    for message in messages:
        category = DeprecationWarning if "deprecated" in message else RuntimeWarning
        warnings.warn(f"MuJoCo: {message}", category, stacklevel=3)


def make_env(env_id: str) -> gym.Env:
    """A gymnasium env; refuses an unknown id, and anything without a bounded continuous ``Box`` action space.
    MuJoCo's model-compiler warnings become Python warnings (:func:`mujoco_warnings_to_python`)."""
    try:
        with mujoco_warnings_to_python():
            env = gym.make(env_id)
    except gym.error.Error as e:  # unknown name or version, missing extra (e.g. mujoco)
        raise ValueError(
            f'env_id {env_id!r}: {e} (list the valid ids with: python -c "import gymnasium; '
            f'gymnasium.pprint_registry()")'
        ) from None
    space = env.action_space
    if not isinstance(space, gym.spaces.Box):
        env.close()
        raise ValueError(
            f"env_id {env_id!r} has a {type(space).__name__} action space; RLx2 needs a continuous Box"
        )
    if not (np.all(np.isfinite(space.low)) and np.all(np.isfinite(space.high))):
        env.close()
        raise ValueError(f"env_id {env_id!r} has an unbounded action space; actions are squashed by tanh")
    return env


def evaluate(agent: SparseAgent, env_id: str, episodes: int, seed: int) -> float:
    """Mean return of the deterministic policy over ``episodes`` episodes (their own seeded env)."""
    env = make_env(env_id)
    total = 0.0
    for ep in range(episodes):
        obs, _ = env.reset(seed=seed + ep)
        done = False
        while not done:
            obs, r, term, trunc, _ = env.step(agent.mean_action(obs.astype(np.float32)))
            total += float(r)
            done = term or trunc
    env.close()
    return total / episodes


def train(cfg: Config) -> Result:
    seeder = Seeder(cfg.seed)
    env = make_env(cfg.env_id)
    obs_dim = int(np.prod(env.observation_space.shape))
    act_dim = int(np.prod(env.action_space.shape))
    low, high = env.action_space.low.astype(np.float32), env.action_space.high.astype(np.float32)
    scale = (high - low) / 2.0
    agent = make_agent(cfg, obs_dim, act_dim, low, high, seeder)
    buffer = ReplayBuffer(cfg.buffer_max, obs_dim, act_dim)
    rng = seeder.numpy("explore")  # exploration noise, random warm-up actions
    sample_rng = seeder.numpy("replay")
    run_dir = Path(cfg.run_dir) if cfg.run_dir else make_run_dir("rlx2", cfg.env_id, cfg.seed, config=cfg)
    run_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = run_dir / "checkpoint"

    step, episode = 0, 0
    curve: list[tuple[int, float]] = []
    buffer_trace: list[tuple[int, int, float]] = []
    resumed_at = None
    if cfg.resume and (ckpt_path / "state.json").exists():
        ck = load_checkpoint(ckpt_path, config=_identity(cfg))
        agent.load(ck.tensors, ck.objects, ck.state["agent"])
        buffer.load(ck.arrays, ck.state["buffer"])
        restore_numpy_rng(rng, ck.state["rng_explore"])
        restore_numpy_rng(sample_rng, ck.state["rng_replay"])
        step, episode = ck.step, int(ck.state["episode"])
        curve = [tuple(x) for x in ck.state["curve"]]  # type: ignore[misc]
        buffer_trace = [tuple(x) for x in ck.state["buffer_trace"]]  # type: ignore[misc]
        resumed_at = step
    else:
        write_config(run_dir, cfg)
    logger = MetricsLogger(
        run_dir,
        resume_step=resumed_at,
        total=cfg.total_steps,
        desc=f"rlx2 {cfg.algo} {cfg.env_id} seed {cfg.seed}",
    )

    # every episode starts from a reset seeded by its index, so resuming at an episode end is exact
    obs, _ = env.reset(seed=seeder.int(f"episode{episode}"))
    next_ckpt = (step // cfg.checkpoint_every + 1) * cfg.checkpoint_every if cfg.checkpoint_every else None
    info: dict[str, torch.Tensor] = {}
    while step < cfg.total_steps:
        obs32 = obs.astype(np.float32)
        if step < cfg.start_steps:  # random warm-up: the stored "mean" is the random action (official code)
            action = a_mean = rng.uniform(low, high).astype(np.float32)
        else:
            a_mean = agent.mean_action(obs32)
            agent.count_env_step()
            if isinstance(agent, SAC):
                action = agent.sample_action(obs32) if cfg.sac_collect == "sample" else a_mean
            else:
                action = np.clip(a_mean + rng.normal(0.0, cfg.expl_noise * scale), low, high).astype(
                    np.float32
                )
        next_obs, reward, term, trunc, _ = env.step(action)
        buffer.add(obs32, action, a_mean, reward, next_obs.astype(np.float32), term, trunc)
        obs = next_obs
        step += 1

        if cfg.dynamic_buffer and step % cfg.buffer_check_interval == 0 and buffer.size > cfg.buffer_min:
            buffer_trace.append(_adjust_buffer(cfg, agent, buffer, scale, step))

        if step > cfg.start_steps:
            n = current_nstep(agent.iterations + 1, cfg.nstep, cfg.nstep_delay_iterations)
            batch = buffer.sample_nstep(
                cfg.batch_size, n, cfg.gamma, sample_rng, intermediate=isinstance(agent, SAC)
            )
            info = agent.update(batch)

        if step % cfg.eval_interval == 0 or step == cfg.total_steps:
            ret = evaluate(agent, cfg.env_id, cfg.eval_episodes, seeder.int(f"eval{step}"))
            curve.append((step, ret))
            logger.log(step, {"eval_return": ret, "buffer_size": buffer.size, **{k: float(v) for k, v in info.items()},
                              "train_flops_rel": _rel(agent)})  # fmt: skip

        if term or trunc:
            episode += 1
            obs, _ = env.reset(seed=seeder.int(f"episode{episode}"))
            if next_ckpt is not None and step >= next_ckpt and step < cfg.total_steps:
                _save(ckpt_path, cfg, step, episode, agent, buffer, rng, sample_rng, curve, buffer_trace)
                next_ckpt = (step // cfg.checkpoint_every + 1) * cfg.checkpoint_every
    env.close()
    logger.close()
    if cfg.checkpoint_every:
        _save(run_dir / "final", cfg, step, episode, agent, buffer, rng, sample_rng, curve, buffer_trace)
    window = [r for _, r in curve[-cfg.final_window :]]
    a_nnz, a_all = agent.actor_masks.nnz(), agent.actor_masks.numel()
    return Result(
        final_return=float(np.mean(window)),
        curve=curve,
        train_flops_rel=_rel(agent),
        infer_flops_rel=a_nnz / a_all,
        actor_density=a_nnz / a_all,
        critic_density=agent.critic_masks.nnz() / agent.critic_masks.numel(),
        buffer_trace=buffer_trace,
        topology_updates=agent.topology_updates,
        run_dir=str(run_dir),
    )


def _identity(cfg: Config) -> Config:
    """The config a checkpoint is tied to: where it lives and whether we resume do not matter."""
    return dataclasses.replace(cfg, run_dir="", resume=False)


def _save(path, cfg, step, episode, agent, buffer, rng, sample_rng, curve, buffer_trace) -> None:
    """Everything needed to continue bit-exactly from an episode end."""
    save_checkpoint(
        path, config=_identity(cfg), step=step, tensors=agent.tensors(), arrays=buffer.arrays(),
        objects={k: o.state_dict() for k, o in agent.optimizers().items()},
        state={"agent": agent.state(), "buffer": buffer.state(), "episode": episode,
               "rng_explore": numpy_rng_state(rng), "rng_replay": numpy_rng_state(sample_rng),
               "curve": curve, "buffer_trace": buffer_trace},
    )  # fmt: skip


def _rel(agent: SparseAgent) -> float:
    return agent.flops["sparse"] / agent.flops["dense"] if agent.flops["dense"] else 1.0


@torch.no_grad()
def _adjust_buffer(cfg: Config, agent: SparseAgent, buffer: ReplayBuffer, scale: np.ndarray, step: int):
    """The policy-distance check over the oldest K transitions; shrink by 10% while D is too large."""
    while True:
        old = buffer.oldest(cfg.distance_batch)
        d = policy_distance(agent.mean_action(old["obs"]), old["action_mean"], scale, cfg.distance_form)
        agent._count(agent.per_sample["actor"], len(old["obs"]))
        if d <= cfg.distance_threshold or buffer.size <= cfg.buffer_min:
            break
        if buffer.shrink(cfg.shrink_fraction, cfg.buffer_min) == 0 or not cfg.shrink_until_below:
            break
    return (step, buffer.size, d)
