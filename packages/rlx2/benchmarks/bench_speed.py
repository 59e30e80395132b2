"""TD3 speed, dense vs RLx2-sparse (90/85), measured in the same run on one thread.

    python benchmarks/bench_speed.py [--env HalfCheetah-v5] [--updates 300] [--rounds 3] [--delta-t 100] [--plain]
                                     [--profile]

Prints env steps/s (random actions, and acting with each agent's actor) and gradient updates/s (batch 256,
256-256, 3-step targets) of:
- ``reference``: a plain CleanRL-style dense TD3 update (``nn.Linear``, default Adam, 1-step targets), the
  machine's yardstick measured in the same run (the machine is shared, so absolute figures drift);
- ``dense`` and ``rlx2 90/85``: this package's update (oneDNN linears, fused Adam, masks);
- with ``--plain``, the same two with ``fast_kernels=False``.
``--profile`` also prints ``torch.profiler``'s table (by self CPU time) of 100 dense updates.
Agents are interleaved round by round so that load changes hit all alike. Rates are given per wall-clock
second and per CPU second of this (single-threaded) process: on a shared machine the second is the closer
estimate of what an idle core delivers. Sparse weights are masked dense
tensors (as in the reference code): counted FLOPs fall, wall-clock cannot. The GEMM lines give the
ceiling: matmul FLOPs of one dense update divided by the measured 256^3 GEMM rate. The default ``--delta-t 100``
makes topology updates 10x more frequent than in the presets (a pessimistic sparse figure; 1000 = the presets).
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F
from paperkit import Seeder, set_threads
from torch import nn

from rlx2.agents import make_agent
from rlx2.buffer import ReplayBuffer
from rlx2.config import Config
from rlx2.networks import ONEDNN, _onednn_linear
from rlx2.train import make_env


def td3_update_flops(obs: int, act: int, h: int = 256, batch: int = 256, policy_freq: int = 2) -> float:
    """Matmul FLOPs of one dense TD3 update as this package runs it (2 x multiply-adds)."""
    actor = obs * h + h * h + h * act
    q = (obs + act) * h + h * h + h  # one Q head
    critic_bwd = 2 * q + 2 * (h * h + h)  # weight grads + input grads of layers 2-3 (inputs need none)
    actor_upd = actor + q + q + actor + (h * h + h * act)  # fwd, Q1 fwd, Q1 input grads, actor w/x grads
    macs = actor + 2 * q + 2 * q + critic_bwd + actor_upd / policy_freq  # targets, critic fwd+bwd, actor
    return 2.0 * macs * batch


def gemm_gflops(onednn: bool, seconds: float = 1.0) -> float:
    """Measured fp32 GFLOP/s (per CPU-second) of a 256x256 @ 256x256 product, via oneDNN or F.linear (BLAS)."""
    x, w = torch.randn(256, 256), torch.randn(256, 256)
    mm = (lambda: _onednn_linear(x, w, None)) if onednn else (lambda: F.linear(x, w))
    for _ in range(20):
        mm()
    n, c = 0, time.process_time()
    while time.process_time() - c < seconds:
        mm()
        n += 1
    return 2 * 256**3 * n / (time.process_time() - c) / 1e9


class ReferenceTD3:
    """A plain dense TD3 update, as in CleanRL's td3_continuous_action (1-step targets)."""

    def __init__(self, obs_dim: int, act_dim: int, gen: torch.Generator):
        def mlp(i, o):
            return nn.Sequential(
                nn.Linear(i, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, o)
            )

        self.actor, self.q1, self.q2 = (
            mlp(obs_dim, act_dim),
            mlp(obs_dim + act_dim, 1),
            mlp(obs_dim + act_dim, 1),
        )
        self.actor_t, self.q1_t, self.q2_t = (copy.deepcopy(m) for m in (self.actor, self.q1, self.q2))
        self.q_opt = torch.optim.Adam([*self.q1.parameters(), *self.q2.parameters()], lr=3e-4)
        self.a_opt = torch.optim.Adam(self.actor.parameters(), lr=3e-4)
        self.gen, self.it = gen, 0

    def update(self, batch) -> None:
        self.it += 1
        obs, act = batch.obs, batch.action
        with torch.no_grad():
            noise = (torch.randn(act.shape, generator=self.gen) * 0.2).clamp(-0.5, 0.5)
            na = (torch.tanh(self.actor_t(batch.boot_obs)) + noise).clamp(-1, 1)
            x = torch.cat([batch.boot_obs, na], 1)
            y = batch.ret + batch.boot * torch.minimum(self.q1_t(x), self.q2_t(x)).view(-1)
        x = torch.cat([obs, act], 1)
        loss = F.mse_loss(self.q1(x).view(-1), y) + F.mse_loss(self.q2(x).view(-1), y)
        self.q_opt.zero_grad()
        loss.backward()
        self.q_opt.step()
        if self.it % 2 == 0:
            a_loss = -self.q1(torch.cat([obs, torch.tanh(self.actor(obs))], 1)).mean()
            self.a_opt.zero_grad()
            a_loss.backward()
            self.a_opt.step()
            with torch.no_grad():
                for m, t in ((self.actor, self.actor_t), (self.q1, self.q1_t), (self.q2, self.q2_t)):
                    for p, tp in zip(m.parameters(), t.parameters()):
                        tp.data.mul_(0.995).add_(0.005 * p.data)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--env", default="HalfCheetah-v5")
    p.add_argument("--updates", type=int, default=300)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--delta-t", type=int, default=100, help="topology update interval (presets: 1000)")
    p.add_argument("--plain", action="store_true", help="also time fast_kernels=False")
    p.add_argument("--profile", action="store_true", help="print torch.profiler's table of 100 dense updates")
    args = p.parse_args()
    set_threads(1)
    env = make_env(args.env)
    obs_dim, act_dim = env.observation_space.shape[0], env.action_space.shape[0]
    low, high = env.action_space.low, env.action_space.high
    rng = np.random.default_rng(0)
    buf = ReplayBuffer(20_000, obs_dim, act_dim)
    obs, _ = env.reset(seed=0)
    t0 = time.perf_counter()
    for _ in range(10_000):
        a = rng.uniform(low, high).astype(np.float32)
        nxt, r, term, trunc, _ = env.step(a)
        buf.add(obs, a, a, r, nxt, term, trunc)
        obs = nxt if not (term or trunc) else env.reset()[0]
    env_sps = 10_000 / (time.perf_counter() - t0)
    c = time.process_time()
    for _ in range(500):
        buf.sample_nstep(256, 3, 0.99, rng)
    sample_ms = (time.process_time() - c) / 500 * 1e3

    base = dict(env_id=args.env, delta_t=args.delta_t)
    variants = {"dense": dict(actor_sparsity=0.0, critic_sparsity=0.0), "rlx2 90/85": {}}
    if args.plain:
        variants |= {f"{k} (plain)": {**v, "fast_kernels": False} for k, v in list(variants.items())}
    agents: dict = {"reference": ReferenceTD3(obs_dim, act_dim, torch.Generator().manual_seed(0))}
    for name, kw in variants.items():
        agents[name] = make_agent(Config(**base, **kw), obs_dim, act_dim, low, high, Seeder(0))
    times = {k: 0.0 for k in agents}
    cpu = {k: 0.0 for k in agents}
    acting = {}
    for name in variants:  # env steps/s when acting with the agent's actor (as in training after warm-up)
        agent, o = agents[name], env.reset(seed=1)[0]
        t = time.perf_counter()
        for _ in range(2_000):
            a = agent.mean_action(o.astype(np.float32))
            o, _, term, trunc, _ = env.step(a)
            if term or trunc:
                o = env.reset()[0]
        acting[name] = 2_000 / (time.perf_counter() - t)
    for _ in range(args.rounds):  # interleave so machine load hits every agent alike
        for name, agent in agents.items():
            batches = [buf.sample_nstep(256, 3, 0.99, rng) for _ in range(args.updates)]
            t, c = time.perf_counter(), time.process_time()
            for b in batches:
                agent.update(b)
            times[name] += time.perf_counter() - t
            cpu[name] += time.process_time() - c
    blas = gemm_gflops(onednn=False)
    gflops = gemm_gflops(onednn=True) if ONEDNN else blas
    ceiling = gflops * 1e9 / td3_update_flops(obs_dim, act_dim)
    rates = {k: args.rounds * args.updates / v for k, v in times.items()}
    cpu_rates = {k: args.rounds * args.updates / v for k, v in cpu.items()}
    print(f"env {args.env}: random-action env steps/s {env_sps:,.0f}")
    print(f"one 3-step minibatch of 256 from the buffer: {sample_ms:.3f} ms of CPU")
    for k, v in acting.items():
        print(f"env steps/s acting with the {k} actor: {v:,.0f}")
    for k, v in rates.items():
        print(
            f"TD3 {k:>18}: {v:7.1f} updates/s wall, {cpu_rates[k]:7.1f} per CPU-s (batch 256, 256-256, 1 thread)"
        )
    print(f"GEMM 256^3 via F.linear (default BLAS): {blas:.1f} GFLOP/s per CPU-s")
    print(f"GEMM 256^3 via oneDNN: {gflops:.1f} GFLOP/s per CPU-s -> matmul-bound ceiling {ceiling:.0f} dense TD3 "
          f"updates per CPU-s ({td3_update_flops(obs_dim, act_dim) / 1e6:.0f} MFLOP per update)")  # fmt: skip
    for label, r in (("wall", rates), ("CPU", cpu_rates)):
        print(f"[{label}] sparse / dense: {r['rlx2 90/85'] / r['dense']:.3f}   dense / reference: "
              f"{r['dense'] / r['reference']:.3f}")  # fmt: skip
    if args.profile:
        from torch.profiler import ProfilerActivity, profile

        batches = [buf.sample_nstep(256, 3, 0.99, rng) for _ in range(100)]
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            for b in batches:
                agents["dense"].update(b)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))


if __name__ == "__main__":
    main()
