"""Dynamic sparse training with a time-varying target: ER allocation, the three-phase sparsity schedule,
and the DST step with Mixed-Growing (MG) topology evolution.

A DST step in layer ``l`` with ``n`` active weights and target ``t`` active weights removes
``Delta = n - t`` net connections: it drops ``max(floor(zeta n), Delta)`` and grows ``drop - Delta``, so a
target change lands in full at the first DST step after it (during restoration Delta < 0: more is grown
than dropped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

GROWTH = ("mixed", "gradient", "random")
RESTORE_SHAPES = ("cubic", "reverse")


def er_densities(shapes: Sequence[tuple[int, int]], density: float) -> list[float]:
    """Per-layer densities ``eps (I + O) / (I O)`` whose size-weighted mean is ``density``; a layer that would
    exceed 1 is made dense and ``eps`` re-solved over the rest (most over-budget layer first)."""
    if not 0.0 <= density <= 1.0:
        raise ValueError(f"density must be in [0, 1], got {density!r}")
    sizes = [o * i for o, i in shapes]
    raw = [(o + i) / (o * i) for o, i in shapes]
    dense: set[int] = set()
    while True:
        free = [l for l in range(len(shapes)) if l not in dense]
        budget = density * sum(sizes) - sum(sizes[l] for l in dense)
        eps = budget / sum(raw[l] * sizes[l] for l in free) if free else 0.0
        over = [l for l in free if eps * raw[l] > 1.0]
        if not over:
            break
        dense.add(max(over, key=lambda l: raw[l]))
    return [1.0 if l in dense else eps * raw[l] for l in range(len(shapes))]


def sparsity_schedule(
    t: int,
    *,
    s_max: float,
    warmup_end: int,
    restore_start: int,
    restore_end: int,
    shape: str = "cubic",
    restore_shape: str = "cubic",
    warmup_start: int = 0,
) -> float:
    """Sparsity Variation: warm-up 0 -> ``s_max``, hold, restoration ``s_max`` -> 0.

    ``cubic`` (the paper's ramps): the gradual-pruning form of Zhu & Gupta,
    ``s_f + (s_i - s_f)(1 - u)^3`` with ``u`` the phase's elapsed fraction, in both ramps: warm-up
    ``s_max (1 - (1 - t/L_w)^3)`` on ``[0, warmup_end]``. The restoration ramp on
    ``[restore_start, restore_end]`` is ``restore_shape``:

    - ``cubic``: the same formula from ``s_i = s_max`` to ``s_f = 0``, ``s_max (1 - u)^3``; like the
      warm-up, the change is fastest at the start of the phase (most connections return early);
    - ``reverse``: the warm-up curve played backwards, ``s_max (1 - u^3)``; most connections return
      only near ``restore_end``.

    Dense from ``restore_end`` on. ``staircase`` (the official code's one-key schedule): ``s_max`` from
    iteration 0 to ``restore_start``, then 0. With ``restore_start >= restore_end`` there is no
    restoration: ``s_max`` is held to the end. Before ``warmup_start`` (pruning delayed past the unigram
    plateau) the target is 0 and the warm-up ramp runs on ``[warmup_start, warmup_end]``.
    """
    if restore_shape not in RESTORE_SHAPES:
        raise ValueError(f"restore_shape must be one of {list(RESTORE_SHAPES)}, got {restore_shape!r}")
    no_restore = restore_start >= restore_end
    if t < warmup_start:
        return 0.0
    if shape == "staircase":
        return s_max if (no_restore or t < restore_start) else 0.0
    if t < warmup_end:
        return s_max * (1.0 - (1.0 - (t - warmup_start) / (warmup_end - warmup_start)) ** 3)
    if no_restore or t <= restore_start:
        return s_max
    if t >= restore_end:
        return 0.0
    u = (t - restore_start) / (restore_end - restore_start)
    return s_max * ((1.0 - u) ** 3 if restore_shape == "cubic" else 1.0 - u**3)


def cosine_drop_fraction(t: int, zeta: float, t_end: int) -> float:
    """``zeta/2 (1 + cos(pi t / t_end))``, 0 from ``t_end`` on."""
    return 0.0 if t >= t_end else 0.5 * zeta * (1.0 + math.cos(math.pi * t / t_end))


def dst_counts(n_active: int, n_target: int, drop_fraction: float) -> tuple[int, int]:
    """``(n_drop, n_grow)`` with ``n_grow - n_drop = n_target - n_active``."""
    delta = n_active - n_target
    n_drop = max(math.floor(drop_fraction * n_active), delta)
    return n_drop, n_drop - delta


def mixed_drop_grow(
    weight: torch.Tensor,
    mask: torch.Tensor,
    dense_grad: torch.Tensor,
    n_drop: int,
    n_grow: int,
    growth: str,
    grad_ratio: float,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Drop the ``n_drop`` smallest-|w| active weights, then grow ``n_grow`` among positions not kept.

    ``mixed`` (MG): ``floor(grad_ratio / (1 + grad_ratio) * n_grow)`` by largest |dense gradient|, the rest
    uniformly at random among positions neither kept nor gradient-grown. ``gradient``: all by |gradient|
    (RigL); ``random``: all at random (SET). Positions that were inactive before start at 0.
    Returns ``(new_mask, new_weight, n_grown_by_gradient)``.
    """
    w, m = weight.reshape(-1), mask.reshape(-1)
    kept = m.clone()
    if n_drop:
        score = torch.where(m, w.abs().float(), torch.full_like(w, math.inf, dtype=torch.float32))
        kept[torch.topk(score, n_drop, largest=False).indices] = False
    n_grad = {"mixed": math.floor(grad_ratio / (1.0 + grad_ratio) * n_grow), "gradient": n_grow, "random": 0}[
        growth
    ]
    new = kept.clone()
    if n_grad:
        g = torch.where(
            kept, torch.full_like(w, -math.inf, dtype=torch.float32), dense_grad.reshape(-1).abs().float()
        )
        new[torch.topk(g, n_grad).indices] = True
    n_rand = n_grow - n_grad
    if n_rand:
        r = torch.rand(w.shape, generator=generator).to(w.device)  # drawn on the CPU generator
        r = torch.where(new, torch.full_like(r, -1.0), r)  # only positions neither kept nor just grown
        new[torch.topk(r, n_rand).indices] = True
    new_w = torch.where(new & m, w, torch.zeros_like(w))
    return new.view_as(mask), new_w.view_as(weight), n_grad


class SparseLinears:
    """Masks of the sparse weights (every block ``nn.Linear`` and the tied ``lm_head``); one ER pool."""

    def __init__(self, weights: Sequence[nn.Parameter], names: Sequence[str]):
        self.weights = list(weights)
        self.names = list(names)
        self.masks = [torch.ones_like(w, dtype=torch.bool) for w in self.weights]  # warm-up starts dense
        self.shapes = [tuple(w.shape) for w in self.weights]

    def targets(self, sparsity: float) -> list[int]:
        """Active-weight counts of each layer at global ``sparsity`` (ER allocation)."""
        dens = er_densities(self.shapes, 1.0 - sparsity)  # type: ignore[arg-type]
        return [round(d * w.numel()) for d, w in zip(dens, self.weights)]

    @torch.no_grad()
    def dst_step(
        self,
        sparsity: float,
        drop_fraction: float,
        growth: str,
        grad_ratio: float,
        generator: torch.Generator,
    ) -> dict[str, int]:
        """One topology update towards ``sparsity`` from the dense gradients left in ``weight.grad``."""
        stats = {"dropped": 0, "grown": 0, "grown_by_gradient": 0}
        for i, (w, target) in enumerate(zip(self.weights, self.targets(sparsity))):
            n_active = int(self.masks[i].sum())
            n_drop, n_grow = dst_counts(n_active, target, drop_fraction)
            if n_drop == 0 and n_grow == 0:
                continue
            if w.grad is None and growth != "random":
                raise RuntimeError("gradient growth needs the dense weight.grad of a backward pass")
            grad = w.grad if w.grad is not None else torch.zeros_like(w)
            self.masks[i], new_w, n_grad = mixed_drop_grow(w, self.masks[i], grad, n_drop, n_grow, growth,
                                                           grad_ratio, generator)  # fmt: skip
            w.copy_(new_w)
            stats["dropped"] += n_drop
            stats["grown"] += n_grow
            stats["grown_by_gradient"] += n_grad
        return stats

    @torch.no_grad()
    def apply(self) -> None:
        for w, m in zip(self.weights, self.masks):
            w.mul_(m)

    @torch.no_grad()
    def mask_grads(self) -> None:
        for w, m in zip(self.weights, self.masks):
            if w.grad is not None:
                w.grad.mul_(m)

    def densities(self) -> list[float]:
        return [float(m.float().mean()) for m in self.masks]

    def active(self) -> list[int]:
        return [int(m.sum()) for m in self.masks]

    def sparsity(self) -> float:
        return 1.0 - sum(self.active()) / sum(m.numel() for m in self.masks)
