"""Data parallelism through ``torch.distributed`` (launched by ``torchrun``; gloo on CPU, NCCL on GPU).

Every rank builds the same model from the same seed, draws the same *global* batch and trains on its own
slice, and gradients are averaged before anything reads them. DST steps therefore see identical dense
gradients and draw random growth from identically seeded generators, so masks stay identical on every
rank; :func:`check_same` verifies it after each DST step.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist


def init(device: str) -> tuple[int, int]:
    """``(rank, world_size)``; joins the process group when started by torchrun with more than one rank."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if device == "cuda" and torch.cuda.is_available():  # one GPU per rank; "cuda" = this rank's GPU
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    if world > 1 and not dist.is_initialized():
        join_group("nccl" if device == "cuda" else "gloo")
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def join_group(backend: str) -> None:
    """``init_process_group`` (env:// rendezvous), with torch's lazily imported modules loaded *first*.

    Why (issue 30: rank 1 aborting with ``terminate called without an active exception`` about once in a
    dozen runs on a loaded machine): AdamW's first ``step`` imports ``torch._dynamo``, which imports
    ``torch.distributed.fsdp``, whose ``ShardedGradScaler.__init__`` has the default argument
    ``process_group=dist.group.WORLD`` (torch/distributed/fsdp/sharded_grad_scaler.py). Imported after
    ``init_process_group``, that default captures the live world group and holds it (and ~10 references
    with it) for the life of the process, so ``destroy_process_group`` can no longer free it: the gloo
    worker and transport threads (``pt_gloo_runloop``, ``gloo_tcp_loop``) stay alive into interpreter
    finalization, where a thread still running at ``exit`` aborts the process, depending on thread timing
    (hence "under load"; the same abort as pytorch/pytorch#190489, a gloo group not destroyed before exit).
    Imported before the group exists, the default is ``None`` and ``shutdown`` really joins the threads;
    ``tests/test_train.py::test_shutdown_joins_the_gloo_threads`` checks it.
    """
    import torch._dynamo  # noqa: F401  (see above: must precede init_process_group)

    dist.init_process_group(backend=backend)


def active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def average_grads(params: list[torch.nn.Parameter]) -> None:
    """All-reduce the mean gradient, in one flat buffer."""
    if not active():
        return
    grads = [p.grad for p in params if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= dist.get_world_size()
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def mean(value: float) -> float:
    if not active():
        return value
    t = _comm(torch.tensor([value], dtype=torch.float64))
    dist.all_reduce(t)
    return float(t) / dist.get_world_size()


def check_same(masks: list[torch.Tensor]) -> None:
    """Raise if any rank's masks differ from rank 0's (a position-weighted checksum)."""
    if not active():
        return
    sig = torch.stack([(m.reshape(-1).double().cpu() * torch.arange(1, m.numel() + 1, dtype=torch.float64)).sum()
                       for m in masks])  # fmt: skip
    sig = _comm(sig)
    ref = sig.clone()
    dist.broadcast(ref, src=0)
    if not torch.equal(sig, ref):
        raise RuntimeError(f"rank {dist.get_rank()}: sparse masks diverged from rank 0")


def _comm(t: torch.Tensor) -> torch.Tensor:
    """NCCL reduces GPU tensors only; gloo takes CPU tensors."""
    return t.cuda() if dist.get_backend() == "nccl" else t


def barrier() -> None:
    if active():
        dist.barrier()


def shutdown() -> None:
    """Wait for every rank, then destroy the group (its gloo threads are joined here, not at exit)."""
    if dist.is_available() and dist.is_initialized():
        if dist.get_world_size() > 1:
            dist.barrier()  # no rank tears its connections down while a peer is still in a collective
        dist.destroy_process_group()
