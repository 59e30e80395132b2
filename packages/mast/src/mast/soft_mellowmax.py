"""The Soft Mellowmax operator (Gan et al., 2021) used by MAST in place of the bootstrap max.

sm_ω(x) = (1/ω) log Σ_i softmax(αx)_i e^{ωx_i} = (1/ω) [LSE((α+ω)x) − LSE(αx)],
computed in log-sum-exp form over the *available* actions only (a naive softmax·exp overflows for ω ≥ 10).

A row with no available action (a padded step after an episode's end) is defined as 0 and is computed on
a stand-in row with every action available, so neither the value nor its gradient is NaN (LSE(−∞) − LSE(−∞)
would be). Callers mask such steps out with ``torch.where``.
"""

from __future__ import annotations

import torch


def soft_mellowmax(
    q: torch.Tensor, omega: float, alpha: float = 1.0, avail: torch.Tensor | None = None
) -> torch.Tensor:
    """Soft Mellowmax over the last dim of ``q``; ``avail`` (bool, same shape) masks unavailable actions.

    Lies between mellowmax (α = 0) and max; tends to max as ω → ∞; shift-equivariant; scale-dependent.
    """
    if not omega > 0:
        raise ValueError(f"omega must be > 0, got {omega!r}")
    if not alpha >= 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    if avail is None:
        return (torch.logsumexp((alpha + omega) * q, dim=-1) - torch.logsumexp(alpha * q, dim=-1)) / omega
    avail, empty = _nonempty(avail)
    q = q.masked_fill(~avail, -torch.inf)
    sm = (torch.logsumexp((alpha + omega) * q, dim=-1) - torch.logsumexp(alpha * q, dim=-1)) / omega
    return torch.where(empty, torch.zeros_like(sm), sm)


def masked_max(q: torch.Tensor, avail: torch.Tensor | None = None) -> torch.Tensor:
    """Max over the available actions; 0 for a row with none (see the module docstring)."""
    if avail is None:
        return q.max(dim=-1).values
    avail, empty = _nonempty(avail)
    m = q.masked_fill(~avail, -torch.inf).max(dim=-1).values
    return torch.where(empty, torch.zeros_like(m), m)


def masked_mean(q: torch.Tensor, avail: torch.Tensor) -> torch.Tensor:
    """Mean over the available actions; 0 for a row with none."""
    avail, empty = _nonempty(avail)
    m = torch.where(avail, q, torch.zeros_like(q)).sum(-1) / avail.sum(-1)
    return torch.where(empty, torch.zeros_like(m), m)


def _nonempty(avail: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(avail with empty rows made all-True, the empty-row flags ``[...]``)."""
    empty = ~avail.any(dim=-1)
    return avail | empty.unsqueeze(-1), empty
