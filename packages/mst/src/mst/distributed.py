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
        dist.init_process_group(backend="nccl" if device == "cuda" else "gloo")
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


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
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
