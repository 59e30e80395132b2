"""RL-CFR training: each epoch, self-play hands are re-solved with CFR at every public state (RL root
abstraction vs default root abstraction, same budget) to make (s, a, r) samples; then the twin critic
regresses r and the actor climbs Q. Checkpoints every ``checkpoint_every`` epochs resume bit-exactly."""

from __future__ import annotations

import copy
import dataclasses
import time
from pathlib import Path

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

from rlcfr.abstraction import FEATURE_DIM, fractions_to_action
from rlcfr.actor_critic import Actor, TwinCritic, actor_loss, critic_loss, explore, init_weights, soft_update
from rlcfr.config import TrainConfig
from rlcfr.mdp import walk_episode


@dataclasses.dataclass
class Result:
    """What a training run leaves: the target actor (the policy that is deployed) and its curve."""

    config: TrainConfig
    actor: Actor
    epoch_mean_reward: list[float]  # mean reward (BB) of the samples generated in each epoch
    critic_loss: list[float]
    samples: int
    seconds: float

    def __str__(self) -> str:
        curve = ", ".join(f"{r * 1000:+.1f}" for r in self.epoch_mean_reward)
        return (
            f"RL-CFR: {self.samples} samples in {self.seconds:.0f}s; mean reward per epoch (mbb): [{curve}]"
        )


class ReplayBuffer:
    """A ring buffer of (s, a, r) as numpy arrays (so checkpoints store it as-is)."""

    def __init__(self, capacity: int, state_dim: int, action_dim: int):
        self.s = np.zeros((capacity, state_dim), dtype=np.float32)
        self.a = np.zeros((capacity, action_dim), dtype=np.float32)
        self.r = np.zeros(capacity, dtype=np.float32)
        self.size = 0
        self.ptr = 0

    def add(self, s: np.ndarray, a: np.ndarray, r: float) -> None:
        self.s[self.ptr], self.a[self.ptr], self.r[self.ptr] = s, a, r
        self.ptr = (self.ptr + 1) % len(self.r)
        self.size = min(self.size + 1, len(self.r))

    def sample(self, batch: int, gen: torch.Generator) -> tuple[torch.Tensor, ...]:
        idx = torch.randint(0, self.size, (batch,), generator=gen).numpy()
        return torch.from_numpy(self.s[idx]), torch.from_numpy(self.a[idx]), torch.from_numpy(self.r[idx])


@dataclasses.dataclass
class _State:
    actor: Actor
    target: Actor
    critic: TwinCritic
    opt_actor: torch.optim.Optimizer
    opt_critic: torch.optim.Optimizer
    buffer: ReplayBuffer
    data_rng: np.random.Generator
    noise_gen: torch.Generator
    batch_gen: torch.Generator
    epoch: int
    rewards: list
    losses: list


def _init(cfg: TrainConfig) -> _State:
    seeder = Seeder(cfg.seed)
    adim = 2 * cfg.game.k
    actor = Actor(FEATURE_DIM, adim, cfg.hidden)
    critic = TwinCritic(FEATURE_DIM, adim, cfg.hidden)
    init_gen = seeder.torch("networks")
    init_weights(actor, init_gen)
    init_weights(critic, init_gen)
    return _State(
        actor=actor,
        target=copy.deepcopy(actor),
        critic=critic,
        opt_actor=torch.optim.Adam(actor.parameters(), lr=cfg.lr),
        opt_critic=torch.optim.Adam(critic.parameters(), lr=cfg.lr),
        buffer=ReplayBuffer(cfg.buffer_size, FEATURE_DIM, adim),
        data_rng=seeder.numpy("data"),
        noise_gen=seeder.torch("noise"),
        batch_gen=seeder.torch("batches"),
        epoch=0,
        rewards=[],
        losses=[],
    )


def _save(path: Path, cfg: TrainConfig, st: _State) -> None:
    b = st.buffer
    save_checkpoint(
        path,
        config=cfg,
        step=st.epoch,
        tensors={
            **{f"actor.{k}": v for k, v in st.actor.state_dict().items()},
            **{f"target.{k}": v for k, v in st.target.state_dict().items()},
            **{f"critic.{k}": v for k, v in st.critic.state_dict().items()},
            "noise_gen": st.noise_gen.get_state(),
            "batch_gen": st.batch_gen.get_state(),
        },
        arrays={"s": b.s[: b.size], "a": b.a[: b.size], "r": b.r[: b.size]},
        objects={"opt_actor": st.opt_actor.state_dict(), "opt_critic": st.opt_critic.state_dict()},
        state={
            "data_rng": numpy_rng_state(st.data_rng),
            "ptr": b.ptr,
            "rewards": st.rewards,
            "losses": st.losses,
        },
    )


def _load(path: Path, cfg: TrainConfig) -> _State:
    st = _init(cfg)
    ck = load_checkpoint(path, config=cfg)
    for name, mod in (("actor", st.actor), ("target", st.target), ("critic", st.critic)):
        mod.load_state_dict(
            {k[len(name) + 1 :]: v for k, v in ck.tensors.items() if k.startswith(name + ".")}
        )
    st.noise_gen.set_state(ck.tensors["noise_gen"])
    st.batch_gen.set_state(ck.tensors["batch_gen"])
    st.opt_actor.load_state_dict(ck.objects["opt_actor"])
    st.opt_critic.load_state_dict(ck.objects["opt_critic"])
    n = len(ck.arrays["r"])
    st.buffer.s[:n], st.buffer.a[:n], st.buffer.r[:n] = ck.arrays["s"], ck.arrays["a"], ck.arrays["r"]
    st.buffer.size, st.buffer.ptr = n, int(ck.state["ptr"])
    restore_numpy_rng(st.data_rng, ck.state["data_rng"])
    st.epoch = ck.step
    st.rewards, st.losses = list(ck.state["rewards"]), list(ck.state["losses"])
    return st


def _generate(cfg: TrainConfig, st: _State) -> list[float]:
    """One epoch of self-play samples from the noisy target actor (or the default during warm-up)."""
    default_a = torch.as_tensor(
        fractions_to_action(cfg.game.default_fractions, cfg.game.k), dtype=torch.float32
    )

    def choose(features: np.ndarray) -> np.ndarray:
        if st.epoch < cfg.warmup_epochs:
            base = default_a
        else:
            with torch.no_grad():
                base = st.target(torch.from_numpy(features)[None])[0]
        return explore(base, cfg.noise, st.noise_gen).numpy()

    rewards = []
    for _ in range(cfg.episodes_per_epoch):
        for tr in walk_episode(st.data_rng, cfg.game, choose, cfg.follow_rl):
            st.buffer.add(tr.state, tr.action, tr.reward * cfg.reward_scale)
            rewards.append(tr.reward)
    return rewards


def _update(cfg: TrainConfig, st: _State) -> float:
    losses = []
    for step in range(cfg.updates_per_epoch):
        s, a, r = st.buffer.sample(cfg.batch_size, st.batch_gen)
        q1, q2 = st.critic(s, a)
        loss = critic_loss(q1, q2, r)
        st.opt_critic.zero_grad()
        loss.backward()
        st.opt_critic.step()
        losses.append(loss.item())
        if step % cfg.policy_delay == 0:
            q_pi, _ = st.critic(s, st.actor(s))
            st.opt_actor.zero_grad()
            actor_loss(q_pi).backward()
            st.opt_actor.step()
            soft_update(st.target, st.actor, cfg.tau)
    return float(np.mean(losses)) if losses else float("nan")


def train(cfg: TrainConfig, run_dir: str | Path | None = None, stop_after: int | None = None) -> Result:
    """Train RL-CFR. With ``run_dir``, checkpoints go to ``run_dir/checkpoint`` and a run found there
    is resumed. ``stop_after`` ends after that many epochs in total (to test resuming)."""
    t0 = time.perf_counter()
    ckpt = Path(run_dir) / "checkpoint" if run_dir is not None else None
    st = _load(ckpt, cfg) if ckpt is not None and (ckpt / "state.json").exists() else _init(cfg)
    logger = (
        MetricsLogger(Path(run_dir), resume_step=st.epoch, total=cfg.epochs, desc="rlcfr")
        if run_dir is not None
        else None
    )
    last = cfg.epochs if stop_after is None else min(cfg.epochs, stop_after)
    while st.epoch < last:
        rewards = _generate(cfg, st)
        loss = _update(cfg, st)
        st.rewards.append(float(np.mean(rewards)))
        st.losses.append(loss)
        st.epoch += 1
        if logger is not None:
            logger.log(
                st.epoch, {"mean_reward_bb": st.rewards[-1], "critic_loss": loss, "buffer": st.buffer.size}
            )
        if ckpt is not None and (st.epoch % cfg.checkpoint_every == 0 or st.epoch == last):
            _save(ckpt, cfg, st)
    if logger is not None:
        logger.close()
    return Result(cfg, st.target, st.rewards, st.losses, st.buffer.size, time.perf_counter() - t0)
