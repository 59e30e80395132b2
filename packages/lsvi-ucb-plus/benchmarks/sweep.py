"""Held-out sensitivity sweep: mean ± s.e. of the final exact regret of several config variants.

Used for the README's tuning/diagnosis figures (seeds 100-103, which no reproduction uses). Example:

uv run --package lsvi-ucb-plus python packages/lsvi-ucb-plus/benchmarks/sweep.py \
    "instance='hard',d=4,horizon=4,episodes=3000,hard_delta=0.04" "range(100,104)" \
    "algo='lsvi-ucb',bonus_scale=0.03" "bonus_scale=0.03" "bonus_scale=0.03,c_thr=0.5"

Each variant is a comma-separated list of Config keyword arguments (Python literals) added to the base.
"""

import argparse
import ast

import numpy as np

from lsvi_ucb_plus import Config, train


def parse_kwargs(text: str) -> dict:
    """'a=1,b=\\'x\\'' -> {'a': 1, 'b': 'x'} (literals and simple arithmetic only, no calls)."""
    call = ast.parse(f"f({text})", mode="eval").body
    return {
        kw.arg: eval(compile(ast.Expression(kw.value), "<kw>", "eval"), {"__builtins__": {}})
        for kw in call.keywords
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("base", help="Config keyword arguments shared by all variants")
    parser.add_argument("seeds", help="a Python range or list, e.g. 'range(100,104)'")
    parser.add_argument("variants", nargs="+")
    args = parser.parse_args()
    base = parse_kwargs(args.base)
    seeds = list(eval(args.seeds, {"__builtins__": {}, "range": range}))
    for variant in args.variants:
        kw = {**base, **parse_kwargs(variant)}
        results = [train(Config(**kw, seed=s)) for s in seeds]
        final = np.array([r.final_regret for r in results])
        floor = (
            np.nanmean([r.big_floor_fraction for r in results])
            if "lsvi-ucb'" not in variant
            else float("nan")
        )
        print(
            f"{variant:50s} regret {final.mean():7.1f} ± {final.std(ddof=1) / np.sqrt(len(final)):5.1f}"
            f"  switches {np.mean([r.switches for r in results]):6.1f}  big-floor share {floor:.2f}",
            flush=True,
        )
