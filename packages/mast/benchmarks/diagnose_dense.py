"""Diagnostic behind the README's note on dense QMIX: one quick-preset cell with one field changed, then a
look at a greedy episode of the trained net: how far the agents drift from the origin, and how much of
Q_tot comes from the state alone (Q_tot with every agent utility set to 0).

    python packages/mast/benchmarks/diagnose_dense.py dense 0 --state-transform none   # raw state
    python packages/mast/benchmarks/diagnose_dense.py dense 0                          # tanh (default)
    python packages/mast/benchmarks/diagnose_dense.py dense 0 --mixer vdn
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile

import numpy as np
import torch
from paperkit import Seeder, load_checkpoint, set_threads

from mast.experiments import make_config
from mast.learner import Learner, to_tensors
from mast.train import make_adapter, run_episode, train


@torch.no_grad()
def greedy_drift(cfg, learner: Learner, episodes: int = 5) -> tuple[float, float, float]:
    """(mean |agent position| at the last step, mean Q_tot, mean state-only Q_tot) over greedy episodes."""
    adapter = make_adapter(cfg)
    rng = np.random.default_rng(0)
    dist, qtot, qstate = [], [], []
    for i in range(episodes):
        ep, _, length = run_episode(adapter, learner, env_seed=10_000 + i, eps=0.0, rng=rng, reward_scale=1.0)
        dist.append(
            float(np.linalg.norm(ep["obs"][length, :, 2:4], axis=-1).mean())
        )  # obs[2:4] = own position
        b = to_tensors({k: v[None] for k, v in ep.items()})
        qs = learner.net.agents(b["obs"])[:, :-1]
        chosen = qs.gather(-1, b["actions"].unsqueeze(-1)).squeeze(-1)
        qtot.append(float(learner.net.mixer(chosen, b["state"][:, :-1]).mean()))
        qstate.append(float(learner.net.mixer(torch.zeros_like(chosen), b["state"][:, :-1]).mean()))
    return float(np.mean(dist)), float(np.mean(qtot)), float(np.mean(qstate))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("method")
    ap.add_argument("seed", type=int)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--mixer", choices=("qmix", "vdn"), default=None)
    ap.add_argument("--state-transform", choices=("none", "tanh"), default=None)
    ap.add_argument("--target-update-episodes", type=int, default=None)
    ap.add_argument("--steps", type=int, default=None, help="total env steps (default: the quick preset's)")
    args = ap.parse_args()
    set_threads(1)
    cfg = make_config(args.method, args.seed, "quick")
    changes = {
        k: v
        for k, v in (
            ("lr", args.lr),
            ("mixer", args.mixer),
            ("mixer_state_transform", args.state_transform),
            ("target_update_episodes", args.target_update_episodes),
            ("total_env_steps", args.steps),
        )
        if v is not None
    }
    cfg = dataclasses.replace(cfg, **changes)
    # train() returns no learner: reload the trained net from the checkpoint it leaves in its run dir
    with tempfile.TemporaryDirectory() as tmp:
        res = train(cfg, run_dir=tmp)
        ck = load_checkpoint(f"{tmp}/checkpoint")
        adapter = make_adapter(cfg)
        _, _, state = adapter.reset(0)
        learner = Learner(
            cfg,
            adapter.n_agents,
            adapter.obs_dim,
            adapter.n_actions,
            state.shape[0],
            gen=Seeder(0).torch("x"),
        )
        learner.net.load_state_dict({k[4:]: v for k, v in ck.tensors.items() if k.startswith("net.")})
    dist, qtot, qstate = greedy_drift(cfg, learner)
    print(
        f"{args.method} seed={args.seed} {changes} final={res.final_return:.1f} "
        f"q_overestimation={res.q_overestimation:.2f} curve={[round(v) for _, v in res.curve]} "
        f"greedy: |pos| at T={dist:.2f} Q_tot={qtot:.2f} state-only Q_tot={qstate:.2f}"
    )


if __name__ == "__main__":
    main()
