"""Training throughput (trajectories/s) on HyperGrid 20x20, TB, MLP 256x2, batch 64, one CPU thread.

Each update = sample a batch on-policy + TB loss + backward + Adam step. Reference measured in the same run:
a naive sampler that steps one trajectory at a time (one network call per state per trajectory), as a
per-trajectory Python loop would. The comparison with torchgfn is `race_torchgfn.py` (both from scratch, in
the same run). Times are process CPU time (one thread).

    uv run --package gflownet-losses python packages/gflownet-losses/benchmarks/bench_speed.py
"""

from __future__ import annotations

import copy
import time

import torch
from paperkit import set_threads

from gflownet_losses import GFlowNetModel, HyperGrid, gflownet_loss, make_loss, sample_trajectories
from gflownet_losses.sampler import Trajectories


def naive_sample(env, model, n, gen) -> Trajectories:
    """One trajectory at a time (the per-trajectory loop the vectorised sampler replaces)."""
    pf_all, pb_all, fl_all, lengths, terms = [], [], [], [], []
    T = env.max_length
    for _ in range(n):
        s = env.initial_states(1)
        pfs, pbs, fls, prev = [], [], [], None
        while True:
            log_pf, log_pb, log_flow = model(s)
            if prev is not None:
                pbs.append(log_pb[0, prev])
            a = int(torch.multinomial(log_pf[0].detach().exp(), 1, generator=gen))
            pfs.append(log_pf[0, a])
            fls.append(log_flow[0])
            if a == env.exit_action:
                pbs.append(torch.zeros(()))
                break
            s = env.step(s, torch.tensor([a]))
            prev = a
        L = len(pfs)
        pad = [torch.zeros(())] * (T - L)
        pf_all.append(torch.stack(pfs + pad))
        pb_all.append(torch.stack(pbs + pad))
        lr = env.log_reward(s)[0]
        fl_all.append(torch.stack([*fls, lr, *pad]))
        lengths.append(L)
        terms.append(s[0])
    terms_t = torch.stack(terms)
    return Trajectories(
        torch.stack(pf_all, 1),
        torch.stack(pb_all, 1),
        torch.stack(fl_all, 1),
        torch.tensor(lengths),
        terms_t,
        env.log_reward(terms_t),
    )


def pretrained_model(updates: int = 200, seed: int = 0) -> GFlowNetModel:
    """A snapshot after some TB training, so trajectories have realistic lengths (an untrained policy exits early)."""
    env = HyperGrid(2, 20)
    model = GFlowNetModel(env, 256, 2, generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed + 1)
    for _ in range(updates):
        loss = gflownet_loss(
            "tb", sample_trajectories(env, model, 16, gen), make_loss("quadratic"), model.log_z
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def throughput(
    snapshot: GFlowNetModel, sampler, loss_name: str, updates: int, batch: int = 64
) -> tuple[float, float]:
    """Full training updates (sample + loss + backward + Adam step) from a copy of the snapshot. lr = 0 keeps
    the sampling distribution identical across losses and samplers, so only the compute differs."""
    model = copy.deepcopy(snapshot)
    env = model.env
    opt = torch.optim.Adam(model.parameters(), lr=0.0)
    loss_fn = make_loss(loss_name)
    gen = torch.Generator().manual_seed(7)
    steps = 0
    t0 = time.process_time()
    for _ in range(updates):
        tr = sampler(env, model, batch, gen)
        loss = gflownet_loss("tb", tr, loss_fn, model.log_z)
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += int(tr.lengths.sum())
    dt = time.process_time() - t0
    return updates * batch / dt, steps / (updates * batch)


def main() -> None:
    set_threads(1)
    snap = pretrained_model()
    throughput(snap, sample_trajectories, "quadratic", 5)  # warm-up
    print(
        "HyperGrid 20x20, TB, MLP 256x2, batch 64, 1 thread, CPU time; policy after 200 TB updates (mean length shown)"
    )
    print(f"{'loss':<10} {'traj/s':>9} {'mean len':>9}")
    rates: dict[str, float] = {}
    for _ in range(3):  # interleaved rounds, best of three: robust to a busy shared machine
        for name in ("quadratic", "linex1", "linex05", "cosh"):
            rate, mean_len = throughput(snap, sample_trajectories, name, 60)
            rates[name] = max(rates.get(name, 0.0), rate)
    for name, rate in rates.items():
        print(f"{name:<10} {rate:>9.0f} {mean_len:>9.2f}")
    naive, mean_len = throughput(snap, naive_sample, "quadratic", 10)
    print(f"{'naive ref':<10} {naive:>9.0f} {mean_len:>9.2f}   (per-trajectory loop, same run)")
    q = rates["quadratic"]
    print(f"vectorised / naive (quadratic): {q / naive:.1f}x")
    worst = min(rates.values())
    print(f"loss choice costs at most {100 * (1 - worst / max(rates.values())):.1f}% throughput")


if __name__ == "__main__":
    main()
