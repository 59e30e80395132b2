"""Where dense TD3's learning curve leaves its steep phase, from shipped records: the n-step switch's condition.

RLx2 switches to multi-step targets at 300k of 3M iterations, when the TD3 policy is already mature; multi-step
returns from a fast-changing policy are strongly off-policy. Scaling that switch by the run's fraction (10%)
puts it at 15k env steps of a 100k run, while dense TD3 is still near its starting return. This script finds,
per environment, the first evaluation step at which the seed-mean dense curve reaches ``--level`` (default
75%) of the way from its first to its final value (final = mean of the last 3 evaluations):

    python benchmarks/steep_phase.py evidence/paper-100k --experiment td3 td3_hopper
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np
from paperkit.evidence import load_folder


def steep_phase_end(curve: dict[int, float], level: float, final_window: int = 3) -> int | None:
    """First step whose value has covered ``level`` of the rise from the first to the final value."""
    steps = sorted(curve)
    start, final = curve[steps[0]], float(np.mean([curve[s] for s in steps[-final_window:]]))
    if final <= start:
        return None  # no rise: the curve has no steep phase within the run
    target = start + level * (final - start)
    return next(s for s in steps if curve[s] >= target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--experiment", nargs="+", default=["td3", "td3_hopper"])
    parser.add_argument("--method", default="dense")
    parser.add_argument("--level", type=float, default=0.75)
    args = parser.parse_args()
    records, _ = load_folder(args.folder)
    for exp in args.experiment:
        by_seed: dict[int, dict[int, float]] = defaultdict(dict)
        for r in records:
            if (
                r.experiment == exp
                and r.method == args.method
                and r.metric == "eval_return"
                and r.step is not None
            ):
                by_seed[r.seed][r.step] = r.value
        if not by_seed:
            print(f"{exp}: no {args.method} eval_return records")
            continue
        steps = sorted(set.intersection(*(set(c) for c in by_seed.values())))
        mean = {s: float(np.mean([c[s] for c in by_seed.values()])) for s in steps}
        per_seed = {seed: steep_phase_end(c, args.level) for seed, c in sorted(by_seed.items())}
        print(
            f"{exp}: {args.method}, {len(by_seed)} seeds; seed-mean curve reaches {args.level:.0%} of its rise at "
            f"step {steep_phase_end(mean, args.level)} (per seed: {per_seed}); "
            f"first {mean[steps[0]]:.0f}, final {np.mean([mean[s] for s in steps[-3:]]):.0f}"
        )


if __name__ == "__main__":
    main()
