"""TD3 and SAC learners with sparse actor/critic, RLx2's topology evolution and n-step targets.

Both share :class:`SparseAgent`: masks (one ER pool for the actor, one for both Q heads), per-network
topology schedules (counted in that network's own updates), target nets that follow the online masks,
and FLOP counters that price every forward/backward by the current mask densities.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from rlx2.buffer import NStepBatch
from rlx2.config import Config
from rlx2.networks import Actor, GaussianActor, TwinCritic, linears
from rlx2.sparse import MaskedLayers, TopologySchedule, soft_update, sparse_step


@contextlib.contextmanager
def frozen(params: list[torch.nn.Parameter]):
    """Build the graph without these parameters (the actor loss needs no critic weight grads)."""
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


class SparseAgent:
    """What TD3 and SAC share. ``update(batch, n)`` is the algorithm-specific part."""

    actor: torch.nn.Module

    def __init__(self, cfg: Config, obs_dim: int, act_dim: int, low: np.ndarray, high: np.ndarray, seeder):
        self.cfg = cfg
        self.low = torch.as_tensor(low, dtype=torch.float32)
        self.high = torch.as_tensor(high, dtype=torch.float32)
        self.scale = (self.high - self.low) / 2.0
        init_gen = seeder.torch("init")
        self.gen = seeder.torch("update")  # target noise, SAC sampling, SET growth
        self.actor = self._make_actor(obs_dim, act_dim, init_gen)
        self.critic = TwinCritic(obs_dim, act_dim, cfg.hidden, init_gen, cfg.fast_kernels, cfg.init_scheme)
        self.actor_masks = MaskedLayers(linears(self.actor), cfg.actor_sparsity)
        self.critic_masks = MaskedLayers(linears(self.critic), cfg.critic_sparsity)
        self.actor_target = copy.deepcopy(self.actor) if cfg.algo == "td3" else None  # SAC has none
        self.critic_target = copy.deepcopy(self.critic)
        for target in (self.actor_target, self.critic_target):
            if target is not None:
                target.requires_grad_(False)
        # parameter lists cached once: listing a module's parameters costs more than a fused update
        self.critic_params = list(self.critic.parameters())
        self._critic_pair = (
            list(self.critic_target.parameters()),
            self.critic_params,
            linears(self.critic_target),
        )
        self._actor_pair = (
            (list(self.actor_target.parameters()), list(self.actor.parameters()), linears(self.actor_target))
            if self.actor_target is not None
            else None
        )
        # fused Adam: one kernel per step instead of ~10 tensor ops per parameter
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=cfg.lr, fused=cfg.fast_kernels or None)
        self.critic_opt = torch.optim.Adam(
            self.critic.parameters(), lr=cfg.lr, fused=cfg.fast_kernels or None
        )
        evolve = cfg.topology != "static"
        actor_every = cfg.policy_freq if cfg.algo == "td3" else 1
        self.critic_schedule = TopologySchedule(cfg.delta_t, cfg.iterations, cfg.zeta0) if evolve else None
        self.actor_schedule = (
            TopologySchedule(cfg.delta_t, cfg.iterations // actor_every, cfg.zeta0) if evolve else None
        )
        self.grow = "random" if cfg.topology == "set" else "gradient"
        self.iterations = 0
        self.topology_updates = 0
        self.flops = {"sparse": 0.0, "dense": 0.0}
        self.per_sample = self._per_sample_flops()

    def _make_actor(self, obs_dim, act_dim, gen) -> torch.nn.Module:
        raise NotImplementedError

    # --- acting -----------------------------------------------------------------------------------------
    @torch.no_grad()
    def mean_action(self, obs: np.ndarray) -> np.ndarray:
        """The noise-free action (TD3 output / squashed SAC mean), also stored for the policy distance."""
        return self.actor(torch.as_tensor(obs, dtype=torch.float32)).numpy()

    def count_env_step(self) -> None:
        self._count(self.per_sample["actor"], 1)

    # --- FLOPs ------------------------------------------------------------------------------------------
    def _per_sample_flops(self) -> dict[str, tuple[float, float]]:
        """(sparse, dense) forward FLOPs per sample of the actor, both critics and one Q head."""
        a, c = self.actor_masks, self.critic_masks
        return {
            "actor": (a.forward_flops(), a.dense_forward_flops()),
            "critic": (c.forward_flops(), c.dense_forward_flops()),
            "q1": (2.0 * sum(int(m.sum()) for m in c.masks[:3]), 2.0 * sum(m.numel() for m in c.masks[:3])),
        }

    def _count(self, pair: tuple[float, float], times: float) -> None:
        self.flops["sparse"] += pair[0] * times
        self.flops["dense"] += pair[1] * times

    def _count_dense_grad(self, key: str) -> None:
        """An update iteration computes the dense gradient: add the backward the masks would have saved."""
        sparse, dense = self.per_sample[key]
        self.flops["sparse"] += 2.0 * (dense - sparse) * self.cfg.batch_size

    # --- training steps ---------------------------------------------------------------------------------
    def _critic_step(self, loss: torch.Tensor) -> None:
        cfg = self.cfg
        if sparse_step(loss, self.critic_opt, self.critic_masks, self.critic_schedule, self.grow, self.gen,
                       cfg.reset_optimizer_state):  # fmt: skip
            self.topology_updates += 1
            self._count_dense_grad("critic")

    def _actor_step(self, loss: torch.Tensor) -> None:
        cfg = self.cfg
        if sparse_step(loss, self.actor_opt, self.actor_masks, self.actor_schedule, self.grow, self.gen,
                       cfg.reset_optimizer_state):  # fmt: skip
            self.topology_updates += 1
            self._count_dense_grad("actor")

    def _update_targets(self, actor_too: bool) -> None:
        target, online, target_layers = self._critic_pair
        soft_update(target, online, self.cfg.tau)
        self.critic_masks.sync_target(target_layers)  # the target shares the online topology
        if actor_too and self._actor_pair is not None:
            target, online, target_layers = self._actor_pair
            soft_update(target, online, self.cfg.tau)
            self.actor_masks.sync_target(target_layers)

    def update(self, batch: NStepBatch) -> dict[str, torch.Tensor]:
        """One training iteration; returns detached losses (convert with ``float`` only when logged)."""
        raise NotImplementedError

    # --- checkpointing ----------------------------------------------------------------------------------
    def modules(self) -> dict[str, torch.nn.Module]:
        mods = {"actor": self.actor, "critic": self.critic, "critic_target": self.critic_target}
        if self.actor_target is not None:
            mods["actor_target"] = self.actor_target
        return mods

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"actor_opt": self.actor_opt, "critic_opt": self.critic_opt}

    def tensors(self) -> dict[str, torch.Tensor]:
        out = {f"{name}.{k}": v for name, m in self.modules().items() for k, v in m.state_dict().items()}
        out.update(self.actor_masks.state("mask.actor"))
        out.update(self.critic_masks.state("mask.critic"))
        out["rng.update"] = self.gen.get_state()
        return out

    def state(self) -> dict[str, Any]:
        return {
            "iterations": self.iterations,
            "topology_updates": self.topology_updates,
            "flops": dict(self.flops),
            "actor_schedule": self.actor_schedule.step if self.actor_schedule else 0,
            "critic_schedule": self.critic_schedule.step if self.critic_schedule else 0,
        }

    def load(self, tensors: dict[str, torch.Tensor], objects: dict[str, Any], state: dict[str, Any]) -> None:
        for name, m in self.modules().items():
            prefix = name + "."
            m.load_state_dict({k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)})
        self.actor_masks.load_state(tensors, "mask.actor")
        self.critic_masks.load_state(tensors, "mask.critic")
        self.gen.set_state(tensors["rng.update"])
        for name, opt in self.optimizers().items():
            opt.load_state_dict(objects[name])
        self.iterations = int(state["iterations"])
        self.topology_updates = int(state["topology_updates"])
        self.flops = {k: float(v) for k, v in state["flops"].items()}
        if self.actor_schedule:
            self.actor_schedule.step = int(state["actor_schedule"])
        if self.critic_schedule:
            self.critic_schedule.step = int(state["critic_schedule"])


class TD3(SparseAgent):
    """TD3 (Fujimoto et al. 2018): twin critics, target smoothing, delayed actor and target updates."""

    def _make_actor(self, obs_dim, act_dim, gen):
        c = self.cfg
        return Actor(
            obs_dim,
            act_dim,
            c.hidden,
            self.scale,
            (self.high + self.low) / 2.0,
            gen,
            c.fast_kernels,
            c.init_scheme,
        )

    def update(self, batch: NStepBatch) -> dict[str, torch.Tensor]:
        cfg, b = self.cfg, batch.obs.shape[0]
        self.iterations += 1
        obs = batch.obs
        with torch.no_grad():
            noise = torch.randn(batch.action.shape, generator=self.gen) * (cfg.policy_noise * self.scale)
            lim = cfg.noise_clip * self.scale
            noise = noise.clamp(-lim, lim)
            next_act = (self.actor_target(batch.boot_obs) + noise).clamp(self.low, self.high)
            tq1, tq2 = self.critic_target(batch.boot_obs, next_act)
            y = batch.ret + batch.boot * torch.minimum(tq1, tq2)
        q1, q2 = self.critic(obs, batch.action)
        critic_loss = F.mse_loss(q1, y) + F.mse_loss(q2, y)
        self._critic_step(critic_loss)
        # target actor + target critics forward, online critics forward + backward
        self._count(self.per_sample["actor"], b)
        self._count(self.per_sample["critic"], 4 * b)
        info = {"critic_loss": critic_loss.detach()}
        if self.iterations % cfg.policy_freq == 0:
            with frozen(self.critic_params):  # gradients reach the actor through Q1's inputs only
                actor_loss = -self.critic.q1_only(obs, self.actor(obs)).mean()
            self._actor_step(actor_loss)
            self._count(self.per_sample["actor"], 3 * b)
            self._count(self.per_sample["q1"], 3 * b)
            self._update_targets(actor_too=True)
            info["actor_loss"] = actor_loss.detach()
        return info


class SAC(SparseAgent):
    """SAC (Haarnoja et al. 2018) with automatic temperature tuning to the target entropy -|A|."""

    def __init__(self, cfg: Config, obs_dim: int, act_dim: int, low, high, seeder):
        super().__init__(cfg, obs_dim, act_dim, low, high, seeder)
        self.log_alpha = torch.tensor(float(np.log(cfg.init_alpha)), requires_grad=True)
        self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=cfg.lr)
        self.target_entropy = -float(act_dim)

    def _make_actor(self, obs_dim, act_dim, gen):
        c = self.cfg
        return GaussianActor(obs_dim, act_dim, c.hidden, self.scale, (self.high + self.low) / 2.0, gen,
                             c.fast_kernels, c.init_scheme)  # fmt: skip

    @torch.no_grad()
    def sample_action(self, obs: np.ndarray) -> np.ndarray:
        a, _ = self.actor.sample(torch.as_tensor(obs, dtype=torch.float32)[None], self.gen)
        return a[0].numpy()

    def update(self, batch: NStepBatch) -> dict[str, torch.Tensor]:
        cfg, b = self.cfg, batch.obs.shape[0]
        self.iterations += 1
        alpha = self.log_alpha.detach().exp()
        obs = batch.obs
        with torch.no_grad():
            next_act, next_logp = self.actor.sample(batch.boot_obs, self.gen)
            tq1, tq2 = self.critic_target(batch.boot_obs, next_act)
            y = batch.ret + batch.boot * (torch.minimum(tq1, tq2) - alpha * next_logp)
            if batch.mid_obs is not None:  # soft terms gamma^(k+1) * (-alpha log pi) at s_{k+1}, k < m
                n1 = batch.mid_obs.shape[1]
                _, logp_mid = self.actor.sample(batch.mid_obs.reshape(b * n1, -1), self.gen)
                disc = cfg.gamma ** torch.arange(1, n1 + 1, dtype=torch.float32) * batch.mid_used
                y = y - alpha * (disc * logp_mid.view(b, n1)).sum(-1)
                self._count(self.per_sample["actor"], b * n1)
        q1, q2 = self.critic(obs, batch.action)
        critic_loss = F.mse_loss(q1, y) + F.mse_loss(q2, y)
        self._critic_step(critic_loss)
        pi, logp = self.actor.sample(obs, self.gen)
        with frozen(self.critic_params):
            q1_pi, q2_pi = self.critic(obs, pi)
        actor_loss = (alpha * logp - torch.minimum(q1_pi, q2_pi)).mean()
        self._actor_step(actor_loss)
        # the temperature loss of the reference (pytorch_sac): alpha * (-log pi - target entropy)
        alpha_loss = (self.log_alpha.exp() * (-logp.detach() - self.target_entropy)).mean()
        self.alpha_opt.zero_grad(set_to_none=True)
        alpha_loss.backward()
        self.alpha_opt.step()
        self._update_targets(actor_too=False)
        self._count(self.per_sample["actor"], b + 3 * b)  # next-action sample, actor fwd + bwd
        # target critics, critic fwd + bwd, critics in the actor loss
        self._count(self.per_sample["critic"], b + 3 * b + 3 * b)
        return {"critic_loss": critic_loss.detach(), "actor_loss": actor_loss.detach(), "alpha": alpha}

    def optimizers(self):
        return {"actor_opt": self.actor_opt, "critic_opt": self.critic_opt, "alpha_opt": self.alpha_opt}

    def tensors(self):
        out = super().tensors()
        out["log_alpha"] = self.log_alpha.detach()
        return out

    def load(self, tensors, objects, state):
        super().load(tensors, objects, state)
        with torch.no_grad():
            self.log_alpha.copy_(tensors["log_alpha"])


def make_agent(cfg: Config, obs_dim: int, act_dim: int, low, high, seeder) -> SparseAgent:
    return (TD3 if cfg.algo == "td3" else SAC)(cfg, obs_dim, act_dim, low, high, seeder)
