"""How good is the behaviour QMIX? Greedy return of online QMIX from scratch every EVAL steps, next to a
uniform-random policy's return on the same evaluation episodes.

python packages/ovmse/benchmarks/diagnose_behaviour.py --n-agents 3 --steps 16000 --seed 0 [--state-transform none]
python packages/ovmse/benchmarks/diagnose_behaviour.py --env simple_speaker_listener --steps 40000   # another task
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from paperkit import Seeder, set_threads

from ovmse.config import Config
from ovmse.train import evaluate, make_adapters, new_learner, online_loop


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--env", default="simple_spread", help="simple_spread, simple_speaker_listener or an import path"
    )
    p.add_argument("--n-agents", type=int, default=3)
    p.add_argument("--steps", type=int, default=16_000)
    p.add_argument("--eval-every", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--state-transform", default="tanh")
    p.add_argument("--target-update", type=int, default=50)
    p.add_argument("--updates-per-round", type=int, default=4, help="updates per round of 4 episodes")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--eps-frac", type=float, default=0.5, help="ε 1 -> 0.05 over this fraction of the run")
    args = p.parse_args()
    set_threads(1)
    cfg = Config(
        env=args.env,
        n_agents=args.n_agents,
        seed=args.seed,
        eval_every_steps=args.eval_every,
        eval_episodes=8,
        target_update_episodes=args.target_update,
        mixer_state_transform=args.state_transform,
        se_base="current",
        updates_per_round=args.updates_per_round,
        lr=args.lr,
    )
    seeder = Seeder(cfg.seed)
    learner = new_learner(cfg, seeder, "behaviour-init")
    cpu = time.process_time()
    res = online_loop(
        dataclasses.replace(cfg),
        learner,
        steps=args.steps,
        eps_start=1.0,
        eps_end=0.05,
        eps_anneal=max(1, int(args.eps_frac * args.steps)),
        se_mode="egreedy",
        seeder=seeder,
        stream="behaviour",
    )
    rand = evaluate(
        cfg,
        make_adapters(cfg, cfg.num_envs),
        learner.net,
        episodes=cfg.eval_episodes,
        seed=seeder.int("eval") % 2**31,
        eps=1.0,
        rng=seeder.numpy("behaviour-random-eval"),
    )
    print(
        f"{args.env} N={args.n_agents} seed={args.seed} transform={args.state_transform} "
        f"updates_per_round={args.updates_per_round} lr={args.lr} random={rand:.1f}"
    )
    print(" ".join(f"{s}:{r:.1f}" for s, r in res.curve))
    print(f"cpu_seconds={time.process_time() - cpu:.0f}")


if __name__ == "__main__":
    main()
