"""The value-decomposition learner (QMIX / VDN) with MAST's targets and sparse topology.

One update: unroll the online and target agent nets over a batch of padded episodes, mix the chosen
utilities into Q_tot, build TD(λ) targets from per-agent next-state values (double-Q, max or Soft
Mellowmax) passed through the *target* mixer, and regress with a padding-masked MSE. When a topology
update is due, the dense gradient of that same loss drives RigL's growth and the optimizer step is skipped.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from mast.config import Config
from mast.flops import FlopCount, count_flops
from mast.networks import QMixer, RNNAgents, ValueDecomposition, VDNMixer
from mast.returns import lambda_returns
from mast.soft_mellowmax import masked_max, masked_mean, soft_mellowmax
from mast.sparse import SparseTopology, cosine_drop_fraction


def next_agent_values(
    target_qs: torch.Tensor,
    online_qs: torch.Tensor,
    avail: torch.Tensor,
    *,
    bootstrap: str,
    omega: float = 10.0,
    alpha: float = 1.0,
) -> torch.Tensor:
    """Per-agent bootstrap values ``[..., n]`` from target utilities ``[..., n, A]``.

    double_q: target utility of the online net's greedy action; max: target max; soft_mellowmax: sm_ω of
    the target utilities (no argmax at all). All over available actions only.
    """
    if bootstrap == "double_q":
        greedy = online_qs.masked_fill(~avail, -torch.inf).argmax(dim=-1, keepdim=True)
        return target_qs.gather(-1, greedy).squeeze(-1)
    if bootstrap == "max":
        return masked_max(target_qs, avail)
    if bootstrap == "soft_mellowmax":
        return soft_mellowmax(target_qs, omega, alpha, avail)
    raise ValueError(f"bootstrap must be double_q, max or soft_mellowmax, got {bootstrap!r}")


class NonFiniteError(FloatingPointError):
    """Training produced a non-finite loss or gradient; raised before the weights are touched."""


def masked_mean_steps(x: torch.Tensor, filled: torch.Tensor) -> torch.Tensor:
    """Mean of ``x`` over the filled steps (padded steps selected out with ``torch.where``, not × 0)."""
    keep = filled > 0
    return torch.where(keep, x, torch.zeros_like(x)).sum() / keep.sum().clamp(min=1)


def masked_td_loss(q_tot: torch.Tensor, targets: torch.Tensor, filled: torch.Tensor) -> torch.Tensor:
    """Σ_t m_t (Q_tot − y_t)² / Σ_t m_t over the filled steps of the batch.

    The error is selected *before* squaring, so a non-finite target at a padded step gives neither a
    non-finite loss nor a non-finite gradient (the gradient of ``where`` is 0 there, not 0 · NaN)."""
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
class UpdateInfo:
    loss: float
    q_tot_mean: float
    target_mean: float
    action_gap: float  # mean (max − mean) of target utilities: the scale Soft Mellowmax acts on
    topology_update: bool


def build_networks(
    cfg: Config, n_agents: int, obs_dim: int, n_actions: int, state_dim: int, gen: torch.Generator
):
    agents = RNNAgents(
        n_agents,
        obs_dim,
        n_actions,
        cfg.rnn_hidden,
        shared=cfg.shared_agent_params,
        agent_id=cfg.shared_agent_params,
        generator=gen,
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


class Learner:
    """Networks, target networks, optimizer and (optionally) the sparse topology of one run."""

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
        self.topology: SparseTopology | None = None
        if cfg.sparse:
            per_slice = (
                []
                if cfg.global_topk_across_agents or cfg.shared_agent_params
                else [n for n, p in self.net.named_parameters() if n.startswith("agents.") and p.ndim == 3]
            )
            self.topology = SparseTopology(
                self.net, cfg.sparsity, generator=gen, per_slice=per_slice, allocation=cfg.allocation
            )
        self.target = copy.deepcopy(self.net)
        for p in self.target.parameters():
            p.requires_grad_(False)
        self.optimizer = torch.optim.RMSprop(
            self.net.parameters(), lr=cfg.lr, alpha=cfg.rms_alpha, eps=cfg.rms_eps
        )
        self.updates = 0
        self.topology_updates = 0

    def update_target(self) -> None:
        """Hard copy; the target inherits the online masks because masked weights are exactly zero."""
        self.target.load_state_dict(self.net.state_dict())

    def loss(self, batch: dict[str, torch.Tensor], lam: float) -> tuple[torch.Tensor, dict[str, float]]:
        cfg = self.cfg
        obs, avail, state = batch["obs"], batch["avail"], batch["state"]
        actions, filled = batch["actions"], batch["filled"]
        qs = self.net.agents(obs)  # [B, T+1, n, A]
        chosen = qs[:, :-1].gather(-1, actions.unsqueeze(-1)).squeeze(-1)  # [B, T, n]
        q_tot = self.net.mixer(chosen, state[:, :-1])  # [B, T]
        with torch.no_grad():
            tq = self.target.agents(obs)[:, 1:]
            v_agents = next_agent_values(
                tq,
                qs.detach()[:, 1:],
                avail[:, 1:],
                bootstrap=cfg.bootstrap,
                omega=cfg.sm_omega,
                alpha=cfg.sm_alpha,
            )
            v_next = self.target.mixer(v_agents, state[:, 1:])
            targets = lambda_returns(batch["reward"], batch["terminated"], filled, v_next, cfg.gamma, lam)
            # per-agent (max − mean) of the target utilities, averaged over the filled steps
            gaps = masked_max(tq, avail[:, 1:]) - masked_mean(tq, avail[:, 1:])  # [B, T, n]
            gap = masked_mean_steps(gaps.mean(-1), filled)
        loss = masked_td_loss(q_tot, targets, filled)
        stats = {
            "q_tot_mean": float(masked_mean_steps(q_tot.detach(), filled)),
            "target_mean": float(masked_mean_steps(targets, filled)),
            "action_gap": float(gap),
        }
        return loss, stats

    def topology_due(self, total_updates: int) -> bool:
        cfg = self.cfg
        if self.topology is None or cfg.topology == "static":
            return False
        end = int(cfg.topology_end_fraction * total_updates)
        return self.updates > 0 and self.updates % cfg.topology_interval_episodes == 0 and self.updates < end

    def train_step(
        self,
        batch: dict[str, torch.Tensor],
        lam: float,
        *,
        total_updates: int,
        gen: torch.Generator,
        step: int | None = None,
    ) -> UpdateInfo:
        """One update. A non-finite loss or gradient norm raises :class:`NonFiniteError` (naming the
        update, env ``step`` and quantity) before any weight, mask or optimizer state changes."""
        cfg = self.cfg
        where = f"update {self.updates}" + (f" (env step {step})" if step is not None else "")
        loss, stats = self.loss(batch, lam)
        check_finite(loss, "TD loss", where)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad for p in self.net.parameters() if p.grad is not None]
        check_finite(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])), "gradient norm", where)
        do_topology = self.topology_due(total_updates)
        if do_topology:
            assert self.topology is not None
            end = int(cfg.topology_end_fraction * total_updates)
            frac = cosine_drop_fraction(self.updates, end, cfg.drop_fraction)
            grads = {
                n: p.grad.detach().clone() for n, p in self.topology.params.items() if p.grad is not None
            }
            grow = "gradient" if cfg.topology == "rigl" else "random"
            self.topology.update(frac, grow=grow, dense_grads=grads, generator=gen)
            self.topology.mask_optimizer_state(self.optimizer)
            self.topology_updates += 1
        else:
            if self.topology is not None:
                self.topology.mask_grads()
            nn.utils.clip_grad_norm_(self.net.parameters(), cfg.grad_clip)
            self.optimizer.step()
            if self.topology is not None:
                self.topology.apply()
        self.optimizer.zero_grad(set_to_none=True)
        self.updates += 1
        return UpdateInfo(
            float(loss.detach()), stats["q_tot_mean"], stats["target_mean"], stats["action_gap"], do_topology
        )

    # -- FLOPs ---------------------------------------------------------------------------------------------
    def forward_flops(self, probe: dict[str, torch.Tensor]) -> tuple[FlopCount, FlopCount]:
        """(agents, mixer) forward FLOPs on ``probe`` (one episode batch), from the actual weights."""
        agents = count_flops(self.net.agents, lambda: self.net.agents(probe["obs"]))
        n = probe["actions"].shape[-1]
        qs = torch.zeros(*probe["actions"].shape[:2], n)
        mixer = count_flops(self.net.mixer, lambda: self.net.mixer(qs, probe["state"][:, :-1]))
        return agents, mixer


def to_tensors(batch: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in batch.items()}
