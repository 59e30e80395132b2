"""Agent utility networks (per-agent or shared, recurrent) and the QMIX / VDN mixers.

Per-agent networks are *banks*: one weight tensor ``[n_agents, out, in]`` per layer, applied with a batched
matmul, so each agent has its own parameters and its own sparse mask while one tensor holds them all
(the sparse module can then allocate budget globally across agents or per agent).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class AgentLinear(nn.Module):
    """``n_banks`` independent linear maps; ``n_banks == 1`` shares one map across agents.

    Input ``[B, n_agents, in]`` -> output ``[B, n_agents, out]``.
    """

    def __init__(self, n_banks: int, in_features: int, out_features: int, *, generator: torch.Generator):
        super().__init__()
        bound = 1.0 / math.sqrt(in_features)  # nn.Linear's default init range
        w = torch.empty(n_banks, out_features, in_features).uniform_(-bound, bound, generator=generator)
        b = torch.empty(n_banks, out_features).uniform_(-bound, bound, generator=generator)
        self.weight = nn.Parameter(w)
        self.bias = nn.Parameter(b)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.weight.shape[0] == 1:  # shared: one big matmul
            return x @ self.weight[0].T + self.bias[0]
        y = torch.bmm(x.transpose(0, 1), self.weight.transpose(1, 2))  # [n, B, out]
        return y.transpose(0, 1) + self.bias


class AgentGRUCell(nn.Module):
    """A GRU cell made of two (sparsifiable) linear banks: input->gates and hidden->gates."""

    def __init__(self, n_banks: int, in_features: int, hidden: int, *, generator: torch.Generator):
        super().__init__()
        self.hidden = hidden
        self.ih = AgentLinear(n_banks, in_features, 3 * hidden, generator=generator)
        self.hh = AgentLinear(n_banks, hidden, 3 * hidden, generator=generator)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        gi = self.ih(x)
        gh = self.hh(h)
        i_r, i_z, i_n = gi.chunk(3, dim=-1)
        h_r, h_z, h_n = gh.chunk(3, dim=-1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        return (1.0 - z) * n + z * h


class RNNAgents(nn.Module):
    """fc(obs [+ one-hot id]) -> ReLU -> GRU -> fc(|A|), for all agents at once."""

    def __init__(
        self,
        n_agents: int,
        obs_dim: int,
        n_actions: int,
        hidden: int,
        *,
        shared: bool,
        agent_id: bool,
        generator: torch.Generator,
    ):
        super().__init__()
        self.n_agents = n_agents
        self.hidden = hidden
        self.agent_id = agent_id
        banks = 1 if shared else n_agents
        in_dim = obs_dim + (n_agents if agent_id else 0)
        self.fc1 = AgentLinear(banks, in_dim, hidden, generator=generator)
        self.rnn = AgentGRUCell(banks, hidden, hidden, generator=generator)
        self.fc2 = AgentLinear(banks, hidden, n_actions, generator=generator)

    def initial_hidden(self, batch: int) -> torch.Tensor:
        return torch.zeros(batch, self.n_agents, self.hidden)

    def step(self, obs: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """obs ``[B, n, obs_dim]``, h ``[B, n, H]`` -> (Q ``[B, n, A]``, h')."""
        if self.agent_id:
            ids = torch.eye(self.n_agents).expand(obs.shape[0], -1, -1)
            obs = torch.cat([obs, ids], dim=-1)
        x = F.relu(self.fc1(obs))
        h = self.rnn(x, h)
        return self.fc2(h), h

    def forward(self, obs_seq: torch.Tensor) -> torch.Tensor:
        """Unroll over a batch of episodes: ``[B, T, n, obs_dim]`` -> ``[B, T, n, A]``."""
        h = self.initial_hidden(obs_seq.shape[0])
        qs = []
        for t in range(obs_seq.shape[1]):
            q, h = self.step(obs_seq[:, t], h)
            qs.append(q)
        return torch.stack(qs, dim=1)


def linear(in_features: int, out_features: int, generator: torch.Generator) -> nn.Linear:
    """nn.Linear with its default init range, drawn from ``generator`` (no global RNG)."""
    layer = torch.nn.utils.skip_init(nn.Linear, in_features, out_features)
    bound = 1.0 / math.sqrt(in_features)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


class QMixer(nn.Module):
    """QMIX: hypernetworks map the state to non-negative mixing weights (monotone in every agent's Q).

    ``state_transform="tanh"`` feeds tanh(state) to the hypernetworks. The state-only part of Q_tot
    (b1(s)·|w2(s)| + V(s)) grows without bound in an unbounded state such as MPE's absolute positions, so
    off the visited states the target mixer extrapolates upward and greedy agents learn to drift there
    (bootstrapping at the time limit feeds it back). SMAC's state is normalised, so pymarl has no such step.
    """

    def __init__(
        self,
        n_agents: int,
        state_dim: int,
        embed: int,
        hypernet_hidden: int,
        *,
        generator: torch.Generator,
        state_transform: str = "tanh",
    ):
        super().__init__()
        if state_transform not in ("none", "tanh"):
            raise ValueError(f"state_transform must be 'none' or 'tanh', got {state_transform!r}")
        g = generator
        self.n_agents = n_agents
        self.embed = embed
        self.state_transform = state_transform
        self.hyper_w1 = nn.Sequential(
            linear(state_dim, hypernet_hidden, g), nn.ReLU(), linear(hypernet_hidden, embed * n_agents, g)
        )
        self.hyper_w2 = nn.Sequential(
            linear(state_dim, hypernet_hidden, g), nn.ReLU(), linear(hypernet_hidden, embed, g)
        )
        self.hyper_b1 = linear(state_dim, embed, g)
        self.hyper_v = nn.Sequential(linear(state_dim, embed, g), nn.ReLU(), linear(embed, 1, g))

    def forward(self, agent_qs: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        """agent_qs ``[..., n]``, state ``[..., S]`` -> Q_tot ``[...]``."""
        lead = agent_qs.shape[:-1]
        qs = agent_qs.reshape(-1, 1, self.n_agents)
        s = state.reshape(-1, state.shape[-1])
        if self.state_transform == "tanh":
            s = torch.tanh(s)
        w1 = self.hyper_w1(s).abs().view(-1, self.n_agents, self.embed)
        b1 = self.hyper_b1(s).view(-1, 1, self.embed)
        hidden = F.elu(torch.bmm(qs, w1) + b1)
        w2 = self.hyper_w2(s).abs().view(-1, self.embed, 1)
        v = self.hyper_v(s).view(-1, 1, 1)
        return (torch.bmm(hidden, w2) + v).view(lead)


class VDNMixer(nn.Module):
    """VDN: Q_tot is the sum of the agents' utilities."""

    def forward(self, agent_qs: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        return agent_qs.sum(dim=-1)


class ValueDecomposition(nn.Module):
    """The learner's networks as one module (agents + mixer), so one sparse topology covers them all."""

    def __init__(self, agents: RNNAgents, mixer: nn.Module):
        super().__init__()
        self.agents = agents
        self.mixer = mixer
