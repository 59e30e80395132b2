"""Actor and critic MLPs (s -> 256 -> 256 -> a; (s, a) -> 256 -> 256 -> 1, twin heads)."""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F
from torch import nn

from rlx2.sparse import init_linear_

LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0


def _onednn_linear(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
    """``x @ w.T + b`` through oneDNN (the op PyTorch's inductor uses for CPU linears)."""
    return torch.ops.mkldnn._linear_pointwise(x, w, b, "none", [], "")


def _onednn_available() -> bool:
    try:
        x = torch.ones(2, 3)
        return torch.allclose(_onednn_linear(x, torch.ones(4, 3), torch.zeros(4)), torch.full((2, 4), 3.0))
    except (AttributeError, RuntimeError, NotImplementedError):
        return False


ONEDNN = _onednn_available()


class _OneDNNLinear(torch.autograd.Function):
    """A linear layer (optionally followed by a ReLU) whose forward and backward matmuls all go through oneDNN.

    On CPUs where the default BLAS (MKL) does not take its fast path (e.g. AMD), oneDNN runs the
    256-wide matmuls of these MLPs 2-3x faster. The ReLU is oneDNN's fused post-op (one op and one autograd
    node fewer per hidden layer); its backward is the same ``threshold_backward`` that ``nn.ReLU`` uses.
    Gradients are computed only for inputs that need them.
    """

    @staticmethod
    def forward(ctx, x, w, b, relu: bool):
        out = torch.ops.mkldnn._linear_pointwise(x, w, b, "relu" if relu else "none", [], "")
        ctx.save_for_backward(x, w, out if relu else None)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w, out = ctx.saved_tensors
        # ReLU's gradient (zero where the output is 0); otherwise make e.g. the expanded grad of a mean dense
        g = torch.ops.aten.threshold_backward(g, out, 0) if out is not None else g.contiguous()
        need_x, need_w, need_b, _ = ctx.needs_input_grad
        gx = _onednn_linear(g, w.t(), None) if need_x else None  # g @ w
        gw = _onednn_linear(g.t(), x.t(), None) if need_w else None  # g.T @ x
        gb = g.sum(0) if need_b else None
        return gx, gw, gb, None


class FastLinear(nn.Linear):
    """``nn.Linear`` (same parameters and state dict) whose matmuls use oneDNN when it is available.

    ``relu=True`` applies the ReLU inside the same op (the MLP then holds a parameter-free ``nn.Identity``
    where the ``nn.ReLU`` was, so state-dict keys do not change).
    """

    def __init__(self, in_features: int, out_features: int, relu: bool = False):
        super().__init__(in_features, out_features)
        self.relu = relu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not ONEDNN or x.dim() != 2:
            y = F.linear(x, self.weight, self.bias)
            return F.relu(y) if self.relu else y
        return _OneDNNLinear.apply(x, self.weight, self.bias, self.relu)


def _mlp(
    sizes: list[int], generator: torch.Generator, fast: bool = True, init: str = "default"
) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        hidden = i < len(sizes) - 2
        lin = FastLinear(a, b, relu=hidden) if fast else nn.Linear(a, b)
        init_linear_(lin, generator, init)
        layers.append(lin)
        if hidden:
            layers.append(nn.Identity() if fast else nn.ReLU())  # fast: the ReLU is fused into the linear
    return nn.Sequential(*layers)


def linears(module: nn.Module) -> list[nn.Linear]:
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


class Actor(nn.Module):
    """Deterministic TD3 actor: ``scale * tanh(mlp(s)) + bias`` (bias = centre of the action box)."""

    def __init__(self, obs_dim: int, act_dim: int, hidden: int, scale, bias, generator: torch.Generator,
                 fast: bool = True, init: str = "default"):  # fmt: skip
        super().__init__()
        self.net = _mlp([obs_dim, hidden, hidden, act_dim], generator, fast, init)
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        self.register_buffer("bias", torch.as_tensor(bias, dtype=torch.float32))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.scale * torch.tanh(self.net(obs)) + self.bias


class GaussianActor(nn.Module):
    """SAC actor: a tanh-squashed Gaussian whose log-std is squashed into [-5, 2]."""

    def __init__(self, obs_dim: int, act_dim: int, hidden: int, scale, bias, generator: torch.Generator,
                 fast: bool = True, init: str = "default"):  # fmt: skip
        super().__init__()
        self.net = _mlp([obs_dim, hidden, hidden, 2 * act_dim], generator, fast, init)
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        self.register_buffer("bias", torch.as_tensor(bias, dtype=torch.float32))

    def _stats(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, log_std = self.net(obs).chunk(2, dim=-1)
        log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (torch.tanh(log_std) + 1.0)
        return mu, log_std

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """The deterministic (mean) action."""
        mu, _ = self._stats(obs)
        return self.scale * torch.tanh(mu) + self.bias

    def sample(self, obs: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A reparameterised action and its log-probability (with the tanh and scale corrections)."""
        mu, log_std = self._stats(obs)
        std = log_std.exp()
        eps = torch.randn(mu.shape, generator=generator)
        u = mu + std * eps
        log_prob = (-0.5 * eps.pow(2) - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        # log(1 - tanh(u)^2) in a stable form
        log_prob = log_prob - (2.0 * (math.log(2.0) - u - F.softplus(-2.0 * u))).sum(-1)
        log_prob = log_prob - torch.log(self.scale).sum()
        return self.scale * torch.tanh(u) + self.bias, log_prob


class TwinCritic(nn.Module):
    def __init__(
        self,
        obs_dim: int,
        act_dim: int,
        hidden: int,
        generator: torch.Generator,
        fast: bool = True,
        init: str = "default",
    ):
        super().__init__()
        self.q1 = _mlp([obs_dim + act_dim, hidden, hidden, 1], generator, fast, init)
        self.q2 = _mlp([obs_dim + act_dim, hidden, hidden, 1], generator, fast, init)

    def forward(self, obs: torch.Tensor, act: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.cat([obs, act], dim=-1)
        return self.q1(x).squeeze(-1), self.q2(x).squeeze(-1)

    def q1_only(self, obs: torch.Tensor, act: torch.Tensor) -> torch.Tensor:
        return self.q1(torch.cat([obs, act], dim=-1)).squeeze(-1)
