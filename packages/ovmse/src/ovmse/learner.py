"""The value-decomposition learner: shared recurrent agents (+ agent id), QMIX/VDN mixer, double-Q TD(λ)
targets over padded episodes, target networks, action masks; with the CFCQL penalty (offline) and the
offline value function memory (online)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ovmse.config import Config
from ovmse.networks import QMixer, RNNAgents, ValueDecomposition, VDNMixer
from ovmse.targets import cfcql_penalty, lambda_returns, offline_bootstrap_values, ovm_target


def build_networks(
    cfg: Config, n_agents: int, obs_dim: int, n_actions: int, state_dim: int, gen: torch.Generator
) -> ValueDecomposition:
    agents = RNNAgents(
        n_agents, obs_dim, n_actions, cfg.rnn_hidden, shared=True, agent_id=True, generator=gen
    )
    mixer: nn.Module
    if cfg.mixer == "qmix":
        mixer = QMixer(
            n_agents,
            state_dim,
            cfg.mixer_embed,
            cfg.hypernet_hidden,
            generator=gen,
            state_transform=cfg.mixer_state_transform,
        )
    else:
        mixer = VDNMixer()
    return ValueDecomposition(agents, mixer)


def frozen_copy(net: ValueDecomposition) -> ValueDecomposition:
    """The offline memory θ_off: a copy that never receives gradients."""
    mem = copy.deepcopy(net)
    for p in mem.parameters():
        p.requires_grad_(False)
    return mem.eval()


def greedy(qs: torch.Tensor, avail: torch.Tensor) -> torch.Tensor:
    return qs.masked_fill(~avail, -torch.inf).argmax(dim=-1, keepdim=True)


class NonFiniteError(FloatingPointError):
    """Training produced a non-finite loss or gradient; raised before the weights are touched."""


def masked_mean_steps(x: torch.Tensor, filled: torch.Tensor) -> torch.Tensor:
    """Mean of ``x`` over the filled steps (padded steps selected out with ``torch.where``, not × 0)."""
    keep = filled > 0
    return torch.where(keep, x, torch.zeros_like(x)).sum() / keep.sum().clamp(min=1)


def masked_td_loss(q_tot: torch.Tensor, targets: torch.Tensor, filled: torch.Tensor) -> torch.Tensor:
    """Mean squared TD error over the filled steps; the error is selected *before* squaring, so a
    non-finite target at a padded step gives neither a non-finite loss nor a non-finite gradient."""
    keep = filled > 0
    err = torch.where(keep, q_tot - targets.detach(), torch.zeros_like(q_tot))
    return (err**2).sum() / keep.sum().clamp(min=1)


def check_finite(value: torch.Tensor, quantity: str, where: str) -> None:
    """Raise :class:`NonFiniteError` naming the quantity and the step if ``value`` is not finite."""
    if not bool(torch.isfinite(value).all()):
        raise NonFiniteError(
            f"non-finite {quantity} ({float(value.detach().reshape(-1)[0])}) at {where}; training stopped "
            "before this update was applied (the last checkpoint is unchanged)"
        )


@dataclass
class UpdateStats:
    loss: float
    td_loss: float
    cql_penalty: float
    q_tot_mean: float
    target_mean: float


class Learner:
    def __init__(
        self,
        cfg: Config,
        n_agents: int,
        obs_dim: int,
        n_actions: int,
        state_dim: int,
        *,
        gen: torch.Generator,
    ):
        self.cfg = cfg
        self.net = build_networks(cfg, n_agents, obs_dim, n_actions, state_dim, gen)
        self.target = frozen_copy(self.net)
        self.optimizer = self._make_optimizer()
        self.updates = 0

    def _make_optimizer(self) -> torch.optim.Optimizer:
        if self.cfg.optimizer == "adam":
            return torch.optim.Adam(self.net.parameters(), lr=self.cfg.lr)
        return torch.optim.RMSprop(self.net.parameters(), lr=self.cfg.lr, alpha=0.99, eps=1e-5)

    def load_weights(self, net: ValueDecomposition) -> None:
        """θ, θ⁻ ← ``net``'s weights, with a fresh optimizer."""
        self.net.load_state_dict(net.state_dict())
        self.update_target()
        self.optimizer = self._make_optimizer()
        self.updates = 0

    def update_target(self) -> None:
        self.target.load_state_dict(self.net.state_dict())

    def targets(
        self,
        batch: dict[str, torch.Tensor],
        online_qs: torch.Tensor,
        *,
        memory: ValueDecomposition | None = None,
        memory_weight: float = 0.0,
        ovm_form: str = "blend_max",
    ) -> torch.Tensor:
        """Double-Q TD(λ) targets, with the offline memory folded in when given."""
        cfg = self.cfg
        obs, avail, state, actions = batch["obs"], batch["avail"], batch["state"], batch["actions"]
        with torch.no_grad():
            tq = self.target.agents(obs)[:, 1:]
            a_next = greedy(online_qs.detach()[:, 1:], avail[:, 1:])
            v_next = self.target.mixer(tq.gather(-1, a_next).squeeze(-1), state[:, 1:])
            mq = memory.agents(obs) if memory is not None else None
            if memory is not None and ovm_form == "offline_bootstrap":
                a_off = greedy(mq[:, 1:], avail[:, 1:])
                v_off = memory.mixer(mq[:, 1:].gather(-1, a_off).squeeze(-1), state[:, 1:])
                v_next = offline_bootstrap_values(v_next, v_off, memory_weight)
            y = lambda_returns(
                batch["reward"], batch["terminated"], batch["filled"], v_next, cfg.gamma, cfg.td_lambda
            )
            if memory is not None and ovm_form != "offline_bootstrap":
                q_off = memory.mixer(mq[:, :-1].gather(-1, actions.unsqueeze(-1)).squeeze(-1), state[:, :-1])
                y = ovm_target(y, q_off, memory_weight, ovm_form)
        return y

    def update(
        self,
        batch: dict[str, torch.Tensor],
        *,
        cql_alpha: float = 0.0,
        memory: ValueDecomposition | None = None,
        memory_weight: float = 0.0,
        ovm_form: str = "blend_max",
        where: str | None = None,
    ) -> UpdateStats:
        """One gradient step. A non-finite loss, TD loss, CFCQL penalty or gradient norm raises
        :class:`NonFiniteError` (naming the quantity and ``where``, e.g. "online env step 400") before
        any weight or optimizer state changes."""
        where = where or f"update {self.updates}"
        obs, avail, state, actions, filled = (
            batch[k] for k in ("obs", "avail", "state", "actions", "filled")
        )
        qs = self.net.agents(obs)
        chosen = qs[:, :-1].gather(-1, actions.unsqueeze(-1)).squeeze(-1)
        q_tot = self.net.mixer(chosen, state[:, :-1])
        y = self.targets(batch, qs, memory=memory, memory_weight=memory_weight, ovm_form=ovm_form)
        td = masked_td_loss(q_tot, y, filled)
        check_finite(td, "TD loss", where)
        loss = td
        pen_mean = torch.zeros(())
        if cql_alpha > 0:
            pen = cfcql_penalty(qs[:, :-1], actions, avail[:, :-1], state[:, :-1], self.net.mixer)
            pen_mean = masked_mean_steps(pen, filled)
            check_finite(pen_mean, "CFCQL penalty", where)
            loss = td + cql_alpha * pen_mean
        check_finite(loss, "loss", where)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(self.net.parameters(), self.cfg.grad_clip)
        check_finite(norm, "gradient norm", where)
        self.optimizer.step()
        self.updates += 1
        if self.updates % self.cfg.target_update_episodes == 0:
            self.update_target()
        return UpdateStats(
            float(loss.detach()),
            float(td.detach()),
            float(pen_mean.detach()),
            float(masked_mean_steps(q_tot.detach(), filled)),
            float(masked_mean_steps(y, filled)),
        )


def to_tensors(batch: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in batch.items()}


@torch.no_grad()
def mean_q_tot(net: ValueDecomposition, batch: dict[str, torch.Tensor]) -> float:
    """Mean Q_tot(s, a) over the filled steps of a batch (the drift probe)."""
    qs = net.agents(batch["obs"])
    chosen = qs[:, :-1].gather(-1, batch["actions"].unsqueeze(-1)).squeeze(-1)
    q = net.mixer(chosen, batch["state"][:, :-1])
    return float(masked_mean_steps(q, batch["filled"]))
