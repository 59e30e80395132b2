"""Issue 30's measurement: the two-rank gloo test's ``torchrun`` command in a loop, beside busy-loop load.

    python benchmarks/gloo_loop.py --runs 50 --load 1

Each run is ``tests/test_train.py::test_two_gloo_ranks_match_one_process``'s two-rank command on a small
stdlib corpus; a run fails when torchrun exits non-zero (the abort was rank 1's SIGABRT, ``terminate
called without an active exception``). Prints one line per run and the count; keeps the logs of failures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from mst.data import build_corpus, stdlib_dir

ARGS = ["--max-iters", "20", "--n-layer", "1", "--n-head", "2", "--d-model", "32", "--block-size", "32",
        "--seq-len", "32", "--batch-size", "8", "--delta", "2", "--eval-interval", "10", "--eval-batches", "2",
        "--warmup-iters", "2"]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--load", type=int, default=1, help="busy-loop processes beside the runs")
    ap.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="gloo-loop-")))
    args = ap.parse_args()
    corpus = args.out / "corpus"
    build_corpus([stdlib_dir() / "json", stdlib_dir() / "email"], corpus, max_bytes=300_000)
    load = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    fails = 0
    try:
        for i in range(args.runs):
            run = args.out / f"run{i}"
            p = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
                                "2", "-m", "mst", "train", "--data-dir", str(corpus), *ARGS, "--run-dir",
                                str(run)], env=env, capture_output=True, text=True)  # fmt: skip
            if p.returncode:
                fails += 1
                (args.out / f"fail{i}.log").write_text(p.stdout + p.stderr)
            print(f"run {i + 1}: rc={p.returncode}", flush=True)
    finally:
        for q in load:
            q.kill()
    print(f"{fails} of {args.runs} runs failed (logs of failures in {args.out})")


if __name__ == "__main__":
    main()
