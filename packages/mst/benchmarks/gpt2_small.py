"""GPT-2 small, dense vs MST, in one prepared run that fits a 6-minute device slot (issue 28, mst half).

On the device (no network, nothing kept afterwards, only a few small files come back)::

    PYTHONUNBUFFERED=1 PYTHONPATH=shared/src:packages/mst/src \
        timeout 390 python packages/mst/benchmarks/gpt2_small.py --out "$OUT"

On CPU, at tiny size (what ``tests/test_gpt2_small_script.py`` runs so the script cannot rot)::

    python benchmarks/gpt2_small.py --out /tmp/gpt2-tiny --tiny --budget 20

Phases, each with a hard deadline measured from the script's start (``--budget`` seconds in all, default
330, so that with interpreter start-up a run ends inside 6 minutes and a failed first try leaves room for
a second):

1. setup (<= 12 % of the budget): the corpus from this machine's Python standard library (built under
   ``/tmp``, never under ``$OUT``), then a probe: a few dense iterations that measure the iteration rate;
2. the token budget: ``iters = rate x (per-method time) x 0.8``, the same for dense and MST (MST masks dense
   kernels, so it runs at dense speed; its DST steps and HSA masks are inside the 20 % margin);
3. dense, then ``mst``, each stopped by its own deadline should the estimate be wrong (a stopped run is
   reported as such, with the iterations it did).

No checkpoints. Everything lands in ``$OUT`` as at most four files: ``summary.json`` (device, config,
rates, counted FLOPs, tokens/s, final losses, curves), ``curves.csv``, ``log.txt`` (this output) and,
on failure, ``error.txt``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import platform
import sys
import time
import traceback
from pathlib import Path

import torch
from paperkit import set_threads

from mst.experiments import GPT2_SMALL, gpt2_config
from mst.train import dense_train_flops, ensure_corpus, planned_flops_rel, train

# a CPU stand-in of the same shape of run, small enough for a test
TINY = dict(n_layer=2, n_head=2, d_model=32, block_size=64, seq_len=64, batch_size=4, delta=5, hsa_window=8,
            warmup_iters=2, eval_batches=2, device="cpu", dtype="float32", max_bytes=400_000)  # fmt: skip
SAFETY = 0.8  # of each method's time slot spent on planned iterations
EVALS = 8  # evaluations per run


class Tee:
    """Print to stdout and keep a copy for ``log.txt``."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, msg: str) -> None:
        print(msg, flush=True)
        self.lines.append(msg)


def device_name(device: str) -> str:
    if device == "cuda" and torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"CPU ({platform.processor() or platform.machine()})"


def base_config(args: argparse.Namespace, method: str, max_iters: int):
    extra = {**(TINY if args.tiny else {}), "data_dir": str(args.data_dir)}
    return gpt2_config(method, seed=args.seed, **extra, max_iters=max_iters, run_dir="",
                      eval_interval=max(1, max_iters // EVALS), checkpoint_every=0)  # fmt: skip


def run(args: argparse.Namespace, log: Tee) -> dict:
    t0 = time.monotonic()
    budget = args.budget
    deadline = {"setup": t0 + 0.12 * budget, "dense": t0 + 0.56 * budget, "mst": t0 + budget}
    device = "cpu" if args.tiny else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("no CUDA device: run with --tiny for the CPU check")
    out: dict = {"device": device_name(device), "torch": torch.__version__, "python": platform.python_version(),
                 "budget_seconds": budget, "tiny": args.tiny, "command": " ".join(sys.argv)}  # fmt: skip
    log(f"device: {out['device']}; torch {out['torch']}; budget {budget:.0f} s")

    # 1. setup: corpus, then the iteration rate of dense training
    probe = base_config(args, "dense", args.probe_iters)
    ensure_corpus(probe)
    log(f"corpus ready in {time.monotonic() - t0:.1f} s ({args.data_dir})")
    res = train(
        dataclasses.replace(probe, eval_batches=1, eval_interval=probe.max_iters), deadline=deadline["setup"]
    )
    rate = res.iters_done / max(res.train_seconds, 1e-9)  # includes the first, slow iterations: conservative
    out["probe"] = {"iters": res.iters_done, "train_seconds": res.train_seconds, "iters_per_second": rate}
    log(f"probe: {res.iters_done} dense iterations in {res.train_seconds:.2f} s -> {rate:.2f} it/s")

    # 2. the shared token budget
    slot = (deadline["dense"] - time.monotonic()) * SAFETY
    iters = max(2 * EVALS, int(rate * slot / (1 + 1 / EVALS)))  # evaluation takes ~1/EVALS of the time
    if args.max_iters:
        iters = min(iters, args.max_iters)
    out["iters"] = iters
    ref = dense_train_flops(base_config(args, "dense", iters))
    log(f"token budget: {iters} iterations x {probe.batch_size} x {probe.seq_len} tokens for each method")

    # 3. dense, then MST, each under its own deadline
    rows = []
    for method in ("dense", "mst"):
        cfg = base_config(args, method, iters)
        planned = planned_flops_rel(cfg)
        log(
            f"{method}: {cfg.n_layer} layers, d = {cfg.d_model}, {cfg.dtype}, planned FLOPs {planned:.3f}x dense"
        )
        res = train(cfg, deadline=deadline[method])
        tokens = res.iters_done * cfg.batch_size * cfg.seq_len
        row = {"method": method, "iters_planned": iters, "iters_done": res.iters_done,
               "stopped_by_deadline": res.iters_done < iters, "final_val_loss": res.final_val_loss,
               "val_curve": res.val_curve, "train_flops": res.train_flops, "train_flops_rel": res.train_flops / ref,
               "planned_flops_rel": planned, "final_sparsity": res.final_sparsity,
               "train_seconds": res.train_seconds, "eval_seconds": res.eval_seconds,
               "tokens_per_second": tokens / max(res.train_seconds, 1e-9),
               "max_sparsity": max((s for _, s in res.sparsity_trace), default=0.0),
               "config": dataclasses.asdict(cfg)}  # fmt: skip
        if device == "cuda":
            row["peak_memory_gib"] = torch.cuda.max_memory_allocated() / 2**30
            torch.cuda.reset_peak_memory_stats()
        rows.append(row)
        log(f"{method}: val loss {res.final_val_loss:.4f} after {res.iters_done}/{iters} iterations, "
            f"{row['tokens_per_second']:.0f} tokens/s, {row['train_flops_rel']:.3f}x dense FLOPs, "
            f"{time.monotonic() - t0:.0f} s since start")  # fmt: skip
    out["rows"] = rows
    d, m = rows
    out["mst_vs_dense"] = {"loss_ratio": m["final_val_loss"] / d["final_val_loss"],
                           "tokens_per_second_ratio": m["tokens_per_second"] / d["tokens_per_second"],
                           "flops_rel": m["train_flops_rel"]}  # fmt: skip
    log(f"MST / dense: loss x{out['mst_vs_dense']['loss_ratio']:.4f}, speed "
        f"x{out['mst_vs_dense']['tokens_per_second_ratio']:.3f}, FLOPs {m['train_flops_rel']:.3f}x")  # fmt: skip
    out["wall_seconds"] = time.monotonic() - t0
    return out


def write_outputs(dest: Path, out: dict, log: Tee) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "summary.json").write_text(json.dumps(out, indent=1, default=str))
    with (dest / "curves.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["method", "iteration", "val_loss"])
        for row in out.get("rows", []):
            w.writerows([row["method"], it, v] for it, v in row["val_curve"])
    (dest / "log.txt").write_text("\n".join(log.lines) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="the folder that comes back ($OUT)")
    p.add_argument("--budget", type=float, default=330.0, help="seconds for all phases (hard deadlines)")
    p.add_argument("--tiny", action="store_true", help="CPU check: a 2-layer d = 32 model, small corpus")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--probe-iters", type=int, default=12)
    p.add_argument("--max-iters", type=int, default=0, help="cap on the sized iterations (0 = none)")
    p.add_argument("--data-dir", type=Path, default=Path("/tmp/mst-gpt2-corpus"))
    args = p.parse_args()
    set_threads(1 if args.tiny else 8)
    log = Tee()
    log(f"GPT-2 small preset: {GPT2_SMALL['n_layer']} layers, d = {GPT2_SMALL['d_model']}, "
        f"{GPT2_SMALL['batch_size']} x {GPT2_SMALL['seq_len']} tokens per iteration, bf16 autocast")  # fmt: skip
    out: dict = {}
    try:
        out = run(args, log)
    except Exception:
        out["error"] = traceback.format_exc()
        log(out["error"])
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "error.txt").write_text(out["error"])
        write_outputs(args.out, out, log)
        raise SystemExit(1) from None
    write_outputs(args.out, out, log)


if __name__ == "__main__":
    main()
