"""Speed race against torchgfn 2.4.1: the same TB training loop, both from scratch, alternating, one thread.

Setting (issue 27): HyperGrid D=2, H=20 with the paper's rewards (R0=1e-4, R1=-9.9e-5, R2=1-1e-6), TB with the
half-squared loss, an MLP 2x256 (leaky ReLU) trunk shared by P_F and a learned P_B, Adam lr 1e-3 (log Z 0.1),
batch 64, on-policy. One update = sample a batch + TB loss + backward + Adam step; nothing else in the loop.
Each repetition runs both libraries, each in a fresh one-thread process, from a freshly initialised network,
in alternating order (rep 0: ours first, rep 1: torchgfn first, ...). The figure is trajectories per
CPU-second of the timed updates (the first ``--warmup`` updates of each run are trained but not timed).

torchgfn pins numpy < 2, so it lives in its own venv, which this script drives as a subprocess:

    uv venv /tmp/gfn-peer --python 3.11
    uv pip install --python /tmp/gfn-peer/bin/python torchgfn==2.4.1 torch==<the workspace's torch version>
    .venv/bin/python packages/gflownet-losses/benchmarks/race_torchgfn.py --peer-python /tmp/gfn-peer/bin/python

The same file is the worker of both sides (``--worker ours|torchgfn``); the torchgfn worker imports only
torch and gfn. Prints one line per run, then the median ratio and its spread over the repetitions, and with
``--json PATH`` writes every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

REWARD = {"R0": 1e-4, "R1": -9.9e-5, "R2": 1 - 1e-6}


def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)


def _timed_loop(update, updates: int, warmup: int) -> dict:
    """Run ``update()`` (which returns the batch's total transitions) ``warmup + updates`` times; time the rest."""
    for _ in range(warmup):
        update()
    steps = 0
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(updates):
        steps += update()
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    return {"cpu_s": cpu, "wall_s": wall, "transitions": steps}


def worker_ours(args) -> dict:
    import torch

    from gflownet_losses import GFlowNetModel, HyperGrid, gflownet_loss, make_loss, sample_trajectories

    _one_thread()
    env = HyperGrid(args.ndim, args.height, REWARD["R0"], REWARD["R1"], REWARD["R2"])
    model = GFlowNetModel(env, args.hidden, 2, generator=torch.Generator().manual_seed(args.seed))
    opt = torch.optim.Adam(
        [{"params": model.trunk_parameters(), "lr": 1e-3}, {"params": [model.log_z], "lr": 0.1}]
    )
    loss_fn = make_loss("quadratic")
    gen = torch.Generator().manual_seed(args.seed + 1)

    def update() -> int:
        traj = sample_trajectories(env, model, args.batch, gen)
        loss = gflownet_loss("tb", traj, loss_fn, model.log_z)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return int(traj.lengths.sum())

    return _timed_loop(update, args.updates, args.warmup)


def worker_torchgfn(args) -> dict:
    import torch
    from gfn.estimators import DiscretePolicyEstimator
    from gfn.gflownet import TBGFlowNet
    from gfn.gflownet.losses import HalfSquaredLoss
    from gfn.gym import HyperGrid
    from gfn.preprocessors import KHotPreprocessor
    from gfn.samplers import Sampler
    from gfn.utils.modules import MLP

    _one_thread()
    torch.manual_seed(args.seed)  # torchgfn samples from the global generator
    env = HyperGrid(
        ndim=args.ndim,
        height=args.height,
        reward_fn_str="original",
        reward_fn_kwargs=dict(REWARD),
        validate_modes=False,
    )
    pre = KHotPreprocessor(height=args.height, ndim=args.ndim)
    module_pf = MLP(pre.output_dim, env.n_actions, hidden_dim=args.hidden, activation_fn="leaky_relu")
    module_pb = MLP(
        pre.output_dim,
        env.n_actions - 1,
        hidden_dim=args.hidden,
        activation_fn="leaky_relu",
        trunk=module_pf.trunk,
    )
    pf = DiscretePolicyEstimator(module_pf, env.n_actions, preprocessor=pre, is_backward=False)
    pb = DiscretePolicyEstimator(module_pb, env.n_actions, preprocessor=pre, is_backward=True)
    gfn = TBGFlowNet(pf=pf, pb=pb, init_logZ=0.0, loss_fn=HalfSquaredLoss())
    sampler = Sampler(estimator=pf)
    opt = torch.optim.Adam(gfn.pf_pb_parameters(), lr=1e-3)
    opt.add_param_group({"params": gfn.logz_parameters(), "lr": 0.1})

    def update() -> int:
        traj = sampler.sample_trajectories(env, n=args.batch, save_logprobs=True)
        loss = gfn.loss(env, traj, recalculate_all_logprobs=False)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return int(traj.terminating_idx.sum())  # transitions per trajectory, exit included

    return _timed_loop(update, args.updates, args.warmup)


def run_side(side: str, python: str, args) -> dict:
    cmd = [python, os.path.abspath(__file__), "--worker", side]
    for k in ("updates", "warmup", "batch", "height", "ndim", "hidden", "seed"):
        cmd += [f"--{k}", str(getattr(args, k))]
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    n = args.updates * args.batch
    res.update(
        side=side,
        traj_per_cpu_s=n / res["cpu_s"],
        traj_per_wall_s=n / res["wall_s"],
        mean_length=res["transitions"] / n,
    )
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", choices=("ours", "torchgfn"), help=argparse.SUPPRESS)
    p.add_argument("--peer-python", default="/tmp/gfn-peer/bin/python", help="python of the torchgfn venv")
    p.add_argument("--reps", type=int, default=5, help="repetitions (each runs both sides once)")
    p.add_argument("--updates", type=int, default=300, help="timed updates per run")
    p.add_argument("--warmup", type=int, default=20, help="untimed updates before the timed ones")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--height", type=int, default=20)
    p.add_argument("--ndim", type=int, default=2)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default="", help="write every figure here")
    args = p.parse_args()
    if args.worker:
        res = (worker_ours if args.worker == "ours" else worker_torchgfn)(args)
        print(json.dumps(res))
        return
    if args.reps < 3:
        p.error(f"--reps must be >= 3 for a median and a spread, got {args.reps}")
    peer_version = subprocess.run(
        [
            args.peer_python,
            "-c",
            "import gfn, torch, numpy; print(gfn.__version__, torch.__version__, numpy.__version__)",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    import torch

    print(
        f"HyperGrid {args.height}^{args.ndim}, TB (half-squared), MLP {args.hidden}x2, batch {args.batch}, one thread; "
        f"{args.warmup} untimed + {args.updates} timed updates per run, from scratch, {args.reps} reps alternating"
    )
    print(
        f"ours: torch {torch.__version__}; torchgfn {peer_version[0]} (torch {peer_version[1]}, numpy {peer_version[2]})"
    )
    print(f"{'rep':>3} {'side':<9} {'traj/CPU-s':>10} {'traj/wall-s':>11} {'mean len':>8}")
    runs, ratios = [], []
    for rep in range(args.reps):
        order = ("ours", "torchgfn") if rep % 2 == 0 else ("torchgfn", "ours")
        got = {}
        for side in order:
            python = sys.executable if side == "ours" else args.peer_python
            r = run_side(side, python, argparse.Namespace(**{**vars(args), "seed": args.seed + rep}))
            r["rep"] = rep
            runs.append(r)
            got[side] = r
            print(
                f"{rep:>3} {side:<9} {r['traj_per_cpu_s']:>10.0f} {r['traj_per_wall_s']:>11.0f} {r['mean_length']:>8.2f}"
            )
        ratios.append(got["ours"]["traj_per_cpu_s"] / got["torchgfn"]["traj_per_cpu_s"])
    med = statistics.median(ratios)
    print(
        f"ours / torchgfn (traj per CPU-second, paired by rep): median {med:.2f}x, "
        f"min {min(ratios):.2f}x, max {max(ratios):.2f}x over {len(ratios)} reps "
        f"[{', '.join(f'{r:.2f}' for r in ratios)}]"
    )
    for side in ("ours", "torchgfn"):
        rates = [r["traj_per_cpu_s"] for r in runs if r["side"] == side]
        lens = [r["mean_length"] for r in runs if r["side"] == side]
        print(
            f"{side}: median {statistics.median(rates):.0f} traj/CPU-s (min {min(rates):.0f}, max {max(rates):.0f}); "
            f"mean trajectory length {statistics.mean(lens):.2f}"
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "settings": {k: v for k, v in vars(args).items() if k not in ("worker", "json")},
                    "torchgfn": peer_version[0],
                    "torch_ours": torch.__version__,
                    "torch_peer": peer_version[1],
                    "machine": platform.processor() or platform.machine(),
                    "runs": runs,
                    "ratios": ratios,
                    "median_ratio": med,
                },
                fh,
                indent=1,
            )


if __name__ == "__main__":
    main()
