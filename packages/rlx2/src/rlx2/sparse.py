"""Sparse layers: Erdős–Rényi density allocation, masks, RigL/SET drop-and-grow, FLOPs from masks.

A :class:`MaskedLayers` owns the boolean masks of a list of ``nn.Linear`` weights (biases stay dense).
The training loop keeps the weights exactly sparse by masking gradients before every optimizer step
and re-masking the weights after it; a topology update replaces the optimizer step of its iteration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn


def er_densities(shapes: Sequence[tuple[int, int]], density: float) -> list[float]:
    """Per-layer densities ``eps * (I + O) / (I * O)`` whose weighted mean is ``density``.

    ``shapes`` are ``(out_features, in_features)``. A layer whose density would exceed 1 is made dense
    and the scale ``eps`` is solved again over the remaining layers, until every density is <= 1.
    """
    if not 0.0 < density <= 1.0:
        raise ValueError(f"density must be in (0, 1], got {density!r}")
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
        dense.add(max(over, key=lambda l: raw[l]))  # the most over-budget layer first, then re-solve
    return [1.0 if l in dense else eps * raw[l] for l in range(len(shapes))]


def cosine_drop_fraction(step: int, zeta0: float, t_end: int) -> float:
    """RigL's annealed drop fraction ``zeta0/2 * (1 + cos(pi t / T_end))``; 0 from ``T_end`` on."""
    if step >= t_end:
        return 0.0
    return 0.5 * zeta0 * (1.0 + math.cos(math.pi * step / t_end))


def drop_and_grow(
    weight: torch.Tensor,
    mask: torch.Tensor,
    n_swap: int,
    grow_score: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop the ``n_swap`` active weights of smallest |w|; grow the ``n_swap`` positions of largest
    ``grow_score`` among those not kept. Returns ``(new_mask, new_weight)``.

    ``grow_score`` is |dense gradient| for RigL (pass random scores for SET). A just-dropped position may
    be regrown and keeps its old value; every genuinely new connection starts at 0.
    """
    flat_w, flat_m = weight.reshape(-1), mask.reshape(-1)
    n_active = int(flat_m.sum())
    if not 0 <= n_swap <= n_active:
        raise ValueError(f"n_swap must be in [0, {n_active}], got {n_swap}")
    if n_swap == 0:
        return mask.clone(), weight.clone()
    # drop: inactive positions get +inf so they are never "smallest active"
    drop_score = torch.where(flat_m, flat_w.abs(), torch.full_like(flat_w, math.inf))
    dropped = torch.topk(drop_score, n_swap, largest=False).indices
    kept = flat_m.clone()
    kept[dropped] = False
    # grow: kept positions get -inf so they are never chosen again
    score = torch.where(
        kept, torch.full_like(flat_w, -math.inf), grow_score.reshape(-1).abs().to(flat_w.dtype)
    )
    grown = torch.topk(score, n_swap).indices
    new_mask = kept.clone()
    new_mask[grown] = True
    new_weight = torch.where(new_mask & flat_m, flat_w, torch.zeros_like(flat_w))
    return new_mask.view_as(mask), new_weight.view_as(weight)


class MaskedLayers:
    """Masks for a group of linear layers sharing one global density (one ER pool)."""

    def __init__(self, layers: Sequence[nn.Linear], sparsity: float):
        if not 0.0 <= sparsity < 1.0:
            raise ValueError(f"sparsity must be in [0, 1), got {sparsity!r}")
        self.layers = list(layers)
        self.sparsity = sparsity
        shapes = [tuple(l.weight.shape) for l in self.layers]
        self.densities = er_densities(shapes, 1.0 - sparsity)  # type: ignore[arg-type]
        self.masks: list[torch.Tensor] = []
        with torch.no_grad():
            for layer, d in zip(self.layers, self.densities):
                w = layer.weight
                k = round(d * w.numel())
                mask = torch.zeros(w.numel(), dtype=torch.bool)
                mask[torch.topk(w.abs().reshape(-1), k).indices] = True  # random init => a random mask
                self.masks.append(mask.view_as(w))
        self.is_dense = all(bool(m.all()) for m in self.masks)
        # only layers with density < 1 are ever masked (ER can leave small layers dense)
        self.sparse_idx = [i for i, d in enumerate(self.densities) if d < 1.0]
        self._refresh()
        self.apply_to_weights()

    def _refresh(self) -> None:
        """Float copies of the sparse layers' masks, for fused (``torch._foreach_*``) multiplies."""
        self.fmasks = [self.masks[i].to(torch.float32) for i in self.sparse_idx]
        self._weights = [self.layers[i].weight for i in self.sparse_idx]
        self._target_stale = True  # the masks changed: a target copy must be masked again

    # --- keeping weights exact -------------------------------------------------------------------------
    @torch.no_grad()
    def apply_to_weights(self, layers: Sequence[nn.Linear] | None = None) -> None:
        """Zero the masked weights of these layers (default: the online layers; pass target layers too)."""
        if not self.sparse_idx:
            return
        weights = self._weights if layers is None else [layers[i].weight for i in self.sparse_idx]
        torch._foreach_mul_(weights, self.fmasks)

    def sync_target(self, layers: Sequence[nn.Linear]) -> None:
        """Give a soft-updated target copy the online topology.

        Only needed after the masks changed: between changes the online weights are exactly zero off the
        mask, so a soft update (a lerp of zeros towards zeros) keeps the target exactly zero there too.
        Same result as masking after every soft update, without its ~10 multiplies per update.
        """
        if self._target_stale:
            self.apply_to_weights(layers)
            self._target_stale = False

    @torch.no_grad()
    def mask_grads(self) -> None:
        if not self.sparse_idx:
            return
        grads = [w.grad for w in self._weights]
        if any(g is None for g in grads):
            for g, m in zip(grads, self.fmasks):
                if g is not None:
                    g.mul_(m)
            return
        torch._foreach_mul_(grads, self.fmasks)

    # --- topology evolution -----------------------------------------------------------------------------
    @torch.no_grad()
    def update_topology(self, drop_fraction: float, grow: str, generator: torch.Generator) -> int:
        """Drop/grow in every sparse layer from the current (unmasked, dense) ``weight.grad``.

        ``grow``: ``"gradient"`` (RigL) or ``"random"`` (SET). Returns the number of connections moved.
        """
        moved = 0
        for i, (layer, mask) in enumerate(zip(self.layers, self.masks)):
            if self.densities[i] >= 1.0:
                continue
            n_swap = math.floor(drop_fraction * int(mask.sum()))
            if grow == "gradient":
                if layer.weight.grad is None:
                    raise RuntimeError("gradient growth needs weight.grad from a backward pass")
                score = layer.weight.grad
            else:
                score = torch.rand(mask.shape, generator=generator)
            new_mask, new_weight = drop_and_grow(layer.weight, mask, n_swap, score)
            layer.weight.copy_(new_weight)
            self.masks[i] = new_mask
            moved += n_swap
        self._refresh()
        return moved

    # --- accounting -------------------------------------------------------------------------------------
    def layer_densities(self) -> list[float]:
        return [float(m.float().mean()) for m in self.masks]

    def nnz(self) -> int:
        return sum(int(m.sum()) for m in self.masks)

    def numel(self) -> int:
        return sum(m.numel() for m in self.masks)

    def forward_flops(self) -> float:
        """Multiply-adds x 2 of one forward pass of one sample through these layers, from the masks."""
        return 2.0 * self.nnz()

    def dense_forward_flops(self) -> float:
        return 2.0 * self.numel()

    def state(self, prefix: str) -> dict[str, torch.Tensor]:
        return {f"{prefix}.{i}": m for i, m in enumerate(self.masks)}

    def load_state(self, tensors: dict[str, torch.Tensor], prefix: str) -> None:
        self.masks = [tensors[f"{prefix}.{i}"].to(torch.bool).clone() for i in range(len(self.masks))]
        self._refresh()


@torch.no_grad()
def soft_update(target: Sequence[torch.Tensor], online: Sequence[torch.Tensor], tau: float) -> None:
    """Polyak averaging ``target <- tau * online + (1 - tau) * target`` of two parameter lists (one fused call)."""
    torch._foreach_lerp_(list(target), list(online), tau)


class TopologySchedule:
    """Counts iterations of one network and says when a mask update is due (every ``delta_t`` < ``t_end``)."""

    def __init__(self, delta_t: int, t_end: int, zeta0: float):
        self.delta_t, self.t_end, self.zeta0 = delta_t, max(t_end, 1), zeta0
        self.step = 0

    def tick(self) -> bool:
        self.step += 1
        return self.step % self.delta_t == 0 and self.step < self.t_end

    def drop_fraction(self) -> float:
        return cosine_drop_fraction(self.step, self.zeta0, self.t_end)


def sparse_step(
    loss: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    masked: MaskedLayers,
    schedule: TopologySchedule | None,
    grow: str,
    generator: torch.Generator,
    reset_optimizer_state: bool = False,
) -> bool:
    """One training iteration of a sparse network. Returns True if it was a topology update.

    The backward pass leaves the *dense* gradient in ``weight.grad``; on an update iteration it drives
    the growth and the optimizer step is skipped, otherwise the gradient is masked, the optimizer steps
    and the weights are re-masked (Adam would otherwise revive pruned weights through its moments).
    """
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    due = schedule is not None and schedule.tick() and not masked.is_dense
    if due:
        assert schedule is not None
        old = [m.clone() for m in masked.masks]
        masked.update_topology(schedule.drop_fraction(), grow, generator)
        if reset_optimizer_state:
            _zero_moments(optimizer, masked, old)
        return True
    masked.mask_grads()
    adam_step(optimizer)
    masked.apply_to_weights()
    return False


def adam_step(optimizer: torch.optim.Optimizer) -> None:
    """``optimizer.step()``; for a fused CPU Adam whose state exists, the same kernel call without the
    Python bookkeeping around it (hooks, profiler scope, state checks: ~80 us per step, ~2 % of an update).

    Same maths as ``torch.optim.adam._fused_adam``: increment every step counter, then one fused kernel.
    """
    group = optimizer.param_groups[0]
    params = group["params"]
    state = optimizer.state
    direct = (
        isinstance(optimizer, torch.optim.Adam)
        and len(optimizer.param_groups) == 1
        and group["fused"]
        and not (group["amsgrad"] or group["maximize"] or group["decoupled_weight_decay"])
        and not isinstance(group["lr"], torch.Tensor)
        and not (optimizer._optimizer_step_pre_hooks or optimizer._optimizer_step_post_hooks)
        and len(state) == len(params)
        and all(p.grad is not None for p in params)
    )
    if not direct:
        optimizer.step()  # first step (creates the state), or anything unusual
        return
    sts = [state[p] for p in params]
    steps = [s["step"] for s in sts]
    beta1, beta2 = group["betas"]
    torch._foreach_add_(steps, 1)
    torch._fused_adam_(
        params, [p.grad for p in params], [s["exp_avg"] for s in sts], [s["exp_avg_sq"] for s in sts], [],
        steps, amsgrad=False, lr=group["lr"], beta1=beta1, beta2=beta2, weight_decay=group["weight_decay"],
        eps=group["eps"], maximize=False, grad_scale=None, found_inf=None,
    )  # fmt: skip


@torch.no_grad()
def _zero_moments(optimizer: torch.optim.Optimizer, masked: MaskedLayers, old: list[torch.Tensor]) -> None:
    for layer, before, after in zip(masked.layers, old, masked.masks):
        state = optimizer.state.get(layer.weight, {})
        changed = before ^ after
        for key in ("exp_avg", "exp_avg_sq"):
            if key in state:
                state[key].masked_fill_(changed, 0.0)


def init_linear_(layer: nn.Linear, generator: torch.Generator, scheme: str = "default") -> None:
    """Initialise a linear layer from a given generator.

    ``default``: PyTorch's ``U(-1/sqrt(in), 1/sqrt(in))`` for weights and biases (the TD3 reference);
    ``orthogonal``: orthogonal weights and zero biases (pytorch_sac, the SAC reference).
    """
    if scheme == "orthogonal":
        nn.init.orthogonal_(layer.weight, generator=generator)
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
        return
    bound = 1.0 / math.sqrt(layer.in_features)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        if layer.bias is not None:
            layer.bias.uniform_(-bound, bound, generator=generator)
