"""Where one TB update's time goes: the sampling walk, the replay + heads, the loss, backward, the optimiser.

Setting of the torchgfn race (HyperGrid 20x20, TB half-squared, MLP 256x2, batch 64, one thread): the model
trains from scratch for ``--train`` updates (trajectories lengthen as it finds the far modes), then the next
``--updates`` updates are timed phase by phase (process CPU time) and their ATen op calls counted.

    .venv/bin/python packages/gflownet-losses/benchmarks/profile_update.py
"""

from __future__ import annotations

import argparse
import time

import torch
from paperkit import set_threads

from gflownet_losses import GFlowNetModel, HyperGrid, gflownet_loss, make_loss
from gflownet_losses.policies import MASKED
from gflownet_losses.sampler import Trajectories, sample_actions, sample_trajectories


def walk_only(env, model, n, generator) -> int:
    """The sampler's no-grad walk alone (same code path as sample_trajectories up to the replay)."""
    s, steps = env.initial_states(n), 0
    race = torch.empty(env.max_length, n, env.n_actions).exponential_(generator=generator)
    with torch.no_grad():
        for t in range(env.max_length):
            logits, _ = model.walk_step(s)
            fmask = env.forward_mask(s)
            a = sample_actions(torch.softmax(torch.where(fmask, logits, MASKED), -1), race[t, : len(s)])
            steps += 1
            stay = torch.nonzero(a != env.exit_action).squeeze(1)
            if len(stay) == 0:
                break
            s = env.step(s[stay], a[stay])
    return steps


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", type=int, default=1000, help="updates trained before timing")
    p.add_argument("--updates", type=int, default=100, help="updates timed")
    args = p.parse_args()
    set_threads(1)
    env = HyperGrid(2, 20, 1e-4, -9.9e-5, 1 - 1e-6)
    model = GFlowNetModel(env, 256, 2, generator=torch.Generator().manual_seed(0))
    opt = torch.optim.Adam(
        [{"params": model.trunk_parameters(), "lr": 1e-3}, {"params": [model.log_z], "lr": 0.1}]
    )
    loss_fn, gen = make_loss("quadratic"), torch.Generator().manual_seed(1)

    def update(timed: dict | None = None) -> Trajectories:
        c0 = time.process_time()
        tr = sample_trajectories(env, model, 64, gen)
        c1 = time.process_time()
        loss = gflownet_loss("tb", tr, loss_fn, model.log_z)
        c2 = time.process_time()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        c3 = time.process_time()
        opt.step()
        c4 = time.process_time()
        if timed is not None:
            for k, v in zip(("sample", "loss", "backward", "adam"), (c1 - c0, c2 - c1, c3 - c2, c4 - c3)):
                timed[k] = timed.get(k, 0.0) + v
        return tr

    for _ in range(args.train):
        update()
    timed: dict[str, float] = {}
    lengths, walk_steps = 0.0, 0
    for _ in range(args.updates):
        tr = update(timed)
        lengths += float(tr.lengths.float().mean())
        walk_steps += tr.log_pf.shape[0]
    # the walk alone, on the same (now fixed) policy, to split "sample" into walk and replay + heads
    wgen = torch.Generator().manual_seed(2)
    c0 = time.process_time()
    for _ in range(args.updates):
        walk_only(env, model, 64, wgen)
    walk = time.process_time() - c0
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(10):
            update()
    ops = sum(e.count for e in prof.key_averages() if e.key.startswith("aten::"))
    n = args.updates
    total = sum(timed.values())
    print(
        f"HyperGrid 20x20, TB, MLP 256x2, batch 64, one thread; updates {args.train}-{args.train + n} from "
        f"scratch: mean trajectory length {lengths / n:.2f}, walk steps per update {walk_steps / n:.1f}"
    )
    print(f"{'phase':<22} {'ms/update':>9} {'share':>6}")
    rows = [
        ("walk (no grad)", walk),
        ("replay + heads + pad", timed["sample"] - walk),
        ("loss", timed["loss"]),
        ("backward", timed["backward"]),
        ("Adam step", timed["adam"]),
    ]
    for name, v in rows:
        print(f"{name:<22} {1000 * v / n:>9.2f} {100 * v / total:>5.0f}%")
    print(f"{'total':<22} {1000 * total / n:>9.2f}   ({64 * n / total:.0f} trajectories per CPU-second)")
    print(f"ATen op calls per update (nested included): {ops / 10:.0f}")


if __name__ == "__main__":
    main()
