"""Forward/backward policies and state flows: one MLP trunk with three heads (as in the paper's hypergrid code).

``P_F(·|s)`` over ``n_actions`` (exit included), ``P_B(·|s)`` over ``n_actions - 1`` parents (learned, or fixed
uniform over the valid parents), ``log F(s)`` for DB/SubTB, and a scalar ``log Z`` for TB.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn
from torch.nn import functional as F

from gflownet_losses.envs import DAGEnv

MASKED = -1e9  # finite, so fully masked rows (P_B at s0) stay NaN-free


class GFlowNetModel(nn.Module):
    def __init__(
        self, env: DAGEnv, hidden: int = 256, layers: int = 2, learned_pb: bool = True, generator=None
    ):
        super().__init__()
        self.env = env
        dims = [env.feature_dim] + [hidden] * layers
        trunk: list[nn.Module] = []
        for d_in, d_out in itertools.pairwise(dims):
            trunk += [nn.Linear(d_in, d_out), nn.LeakyReLU()]
        self.trunk = nn.Sequential(*trunk)
        self.pf_head = nn.Linear(dims[-1], env.n_actions)
        self.pb_head = nn.Linear(dims[-1], env.n_actions - 1) if learned_pb else None
        self.flow_head = nn.Linear(dims[-1], 1)
        self.log_z = nn.Parameter(torch.zeros(()))
        if generator is not None:  # seeded init without touching the global RNG
            with torch.no_grad():
                for p in self.parameters():
                    if p.dim() == 2:
                        bound = 1.0 / math.sqrt(p.shape[1])
                        p.uniform_(-bound, bound, generator=generator)
                    elif p is not self.log_z:
                        p.uniform_(-0.01, 0.01, generator=generator)

    def forward(self, states: torch.Tensor):
        """(log P_F(·|s), log P_B(·|s), log F(s)) for a batch of states, masks applied."""
        h = self.embed(states)
        return self.heads(self.pf_head(h), h, states)

    def embed(self, states: torch.Tensor) -> torch.Tensor:
        """The shared trunk's output h(s)."""
        return self.trunk(self.env.features(states))

    @torch.no_grad()
    def walk_step(self, states: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """P_F logits at ``states`` without autograd, plus the features and every linear layer's output.

        The sampler keeps these per step and :meth:`replay` turns their concatenation into the same outputs
        with gradients, so the states the walk visited need no second forward pass.
        """
        x = self.env.features(states)
        cache = [x]
        for layer in self.trunk:  # the functional calls skip nn.Module's per-call hooks
            if isinstance(layer, nn.Linear):
                x = F.linear(x, layer.weight, layer.bias)
                cache.append(x)
            elif isinstance(layer, nn.LeakyReLU):
                x = F.leaky_relu(x, layer.negative_slope)
            else:
                x = layer(x)
        logits = F.linear(x, self.pf_head.weight, self.pf_head.bias)
        return logits, [*cache, logits]

    def replay(self, cache: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """(P_F logits, h) of the walk's states from its concatenated :meth:`walk_step` caches, differentiable
        in the parameters: every linear layer returns its cached output and back-propagates exactly as
        ``F.linear`` would (gradient w.r.t. input, weight and bias)."""
        x, i = cache[0], 1
        for layer in self.trunk:
            if isinstance(layer, nn.Linear):
                x = _CachedLinear.apply(x, layer.weight, layer.bias, cache[i])
                i += 1
            else:
                x = layer(x)
        logits = _CachedLinear.apply(x, self.pf_head.weight, self.pf_head.bias, cache[i])
        return logits, x

    def heads(
        self,
        pf_logits: torch.Tensor,
        h: torch.Tensor,
        states: torch.Tensor,
        forward_mask: torch.Tensor | None = None,
    ):
        """(log P_F, log P_B, log F) from the P_F logits and trunk output ``h`` of ``states``."""
        fmask = self.env.forward_mask(states) if forward_mask is None else forward_mask
        log_pf = torch.log_softmax(pf_logits.masked_fill(~fmask, MASKED), dim=-1)
        bmask = self.env.backward_mask(states)
        if self.pb_head is None:
            log_pb = uniform_log_pb(bmask)
        else:
            log_pb = torch.log_softmax(self.pb_head(h).masked_fill(~bmask, MASKED), dim=-1)
        return log_pf, log_pb, self.flow_head(h).squeeze(-1)

    def log_pf(self, states: torch.Tensor) -> torch.Tensor:
        """log P_F(·|s) only."""
        logits = self.pf_head(self.embed(states))
        return torch.log_softmax(logits.masked_fill(~self.env.forward_mask(states), MASKED), dim=-1)

    def trunk_parameters(self):
        return [p for n, p in self.named_parameters() if n != "log_z"]


def uniform_log_pb(bmask: torch.Tensor) -> torch.Tensor:
    n_parents = bmask.sum(-1, keepdim=True).clamp(min=1)
    return torch.where(
        bmask, -torch.log(n_parents.to(torch.float32)), torch.full_like(bmask, MASKED, dtype=torch.float32)
    )


class _CachedLinear(torch.autograd.Function):
    """y = x Wᵀ + b whose value the no-grad walk already computed: forward returns the cached ``y``, backward
    is that of a linear layer (exact: the gradient depends only on x, W and the incoming gradient)."""

    @staticmethod
    def forward(ctx, x, weight, bias, y):
        ctx.save_for_backward(x, weight)
        return y.view_as(y)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad_x = grad @ weight if ctx.needs_input_grad[0] else None
        return grad_x, grad.t() @ x, grad.sum(0), None
