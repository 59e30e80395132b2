"""Deterministic policy-gradient agents on per-user episodes: RSD4 and its ablations TD3, SD3 and RTD3.

One class, three switches (the paper's components):

| agent | recurrent (LSTM) | double actors + softmax operator (SD3) | delayed policy updates |
|-------|------------------|-----------------------------------------|------------------------|
| TD3   | no               | no (clipped double-Q target)            | yes                    |
| SD3   | no               | yes                                     | yes                    |
| RTD3  | yes              | no                                      | yes                    |
| RSD4  | yes              | yes                                     | yes                    |

Training always uses whole episodes from t = 0 with a zero initial LSTM state, so the stored initial state
of every sequence is zero (the released code stores it explicitly; for whole episodes the two coincide).
"""

from __future__ import annotations

import copy
import dataclasses

import torch

from rsd4.networks import Actor, Critic


def softmax_operator(q: torch.Tensor, beta: float, log_pdf: torch.Tensor | None = None) -> torch.Tensor:
    """Σ_m w_m Q_m / Σ_m w_m over dim 0, w_m = exp(β (Q_m − max Q)) [/ pdf(ε_m) if ``log_pdf`` is given].

    β → 0 gives the mean over the noisy actions, β → ∞ the max (TD3-like).
    """
    z = beta * (q - q.max(0, keepdim=True).values)
    if log_pdf is not None:
        z = z - log_pdf
        z = z - z.max(0, keepdim=True).values
    w = torch.exp(z)
    return (w * q).sum(0) / w.sum(0)


def soft_update(target: torch.nn.Module, source: torch.nn.Module, tau: float) -> None:
    with torch.no_grad():
        for t, s in zip(target.parameters(), source.parameters()):
            t.lerp_(s, tau)


@dataclasses.dataclass(frozen=True)
class AgentSpec:
    recurrent: bool
    double_actor: bool  # SD3: two actors, per-critic targets with the softmax operator
    hidden: int = 32
    lr_actor: float = 3e-3
    lr_critic: float = 3e-3
    weight_decay: float = 0.1
    gamma: float = 0.99
    tau: float = 0.05
    policy_freq: int = 2
    beta: float = 0.01
    n_noise: int = 10
    importance_sampling: bool = False
    policy_noise: float = 0.2
    noise_clip: float = 0.5
    expl_noise: float = 0.1


class Agent:
    def __init__(self, obs_dim: int, act_dim: int, spec: AgentSpec, generator: torch.Generator):
        self.spec, self.obs_dim, self.act_dim = spec, obs_dim, act_dim
        n_actors = 2 if spec.double_actor else 1
        self.actors = [
            Actor(obs_dim, act_dim, spec.hidden, spec.recurrent, generator) for _ in range(n_actors)
        ]
        self.critics = [Critic(obs_dim, act_dim, spec.hidden, spec.recurrent, generator) for _ in range(2)]
        self.actor_targets = [copy.deepcopy(a) for a in self.actors]
        self.critic_targets = [copy.deepcopy(c) for c in self.critics]
        wd = spec.weight_decay
        self.actor_opts = [
            torch.optim.Adam(a.parameters(), lr=spec.lr_actor, weight_decay=wd) for a in self.actors
        ]
        self.critic_opts = [
            torch.optim.Adam(c.parameters(), lr=spec.lr_critic, weight_decay=wd) for c in self.critics
        ]
        self.updates = 0

    # ---- acting -------------------------------------------------------------------------------------------
    def initial_state(self, rows: int) -> dict:
        h = self.spec.hidden
        z = lambda: (torch.zeros(1, rows, h), torch.zeros(1, rows, h))  # noqa: E731
        return {"actor": z(), "critics": [z(), z()]} if self.spec.recurrent else {}

    @torch.no_grad()
    def act(self, obs: torch.Tensor, prev_act: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """Greedy actions for rows (R, obs_dim); with two actors run the one whose own critic rates it higher."""
        o, p = obs[:, None], prev_act[:, None]
        in_state = state.get("actor")
        outs = [a(o, p, in_state) for a in self.actors]
        crit_states, crit_mems = [], []
        for i, c in enumerate(self.critics):
            mem, cs = c.features(o, p, state["critics"][i] if self.spec.recurrent else None)
            crit_states.append(cs)
            crit_mems.append(mem)
        new_actor = None
        if len(outs) == 1:
            action, new_actor = outs[0]
        else:
            q = [self.critics[i].head(o, outs[i][0], crit_mems[i]) for i in range(2)]
            pick1 = (q[0] >= q[1])[:, 0]
            action = torch.where(pick1[:, None, None], outs[0][0], outs[1][0])
            if self.spec.recurrent:
                new_actor = tuple(
                    torch.where(pick1[None, :, None], s1, s2) for s1, s2 in zip(outs[0][1], outs[1][1])
                )
        new_state = {"actor": new_actor, "critics": crit_states} if self.spec.recurrent else {}
        return action[:, 0], new_state

    # ---- learning -----------------------------------------------------------------------------------------
    def update(
        self,
        batch: dict[str, torch.Tensor],
        generator: torch.Generator,
        batch2: dict[str, torch.Tensor] | None = None,
    ) -> dict[str, float]:
        """One round on batches of whole per-user episodes: obs (B, T+1, D), act (B, T, A), rew (B, T).

        With two actors (SD3, RSD4), ``batch2`` (if given) is the batch of the second (critic, actor) pair,
        as in the released code, where each pair's update samples its own batch; without it both pairs use
        ``batch``. TD3 and RTD3 update both critics on ``batch`` (one clipped double-Q target).
        """
        s = self.spec
        pair_batches = [batch, batch2 if (batch2 is not None and s.double_actor) else batch]
        data = []  # per distinct batch: obs, act, rew, prev_full, not_last
        for k, bt in enumerate(pair_batches):
            if k == 1 and bt is pair_batches[0]:
                data.append(data[0])
                continue
            obs, act, rew = bt["obs"], bt["act"], bt["rew"]
            b, t_len, a_dim = act.shape
            prev_full = torch.cat([torch.zeros(b, 1, a_dim), act], 1)  # a_{t-1} at o_t, t = 0..T
            not_last = torch.ones(b, t_len)
            not_last[:, -1] = 0.0  # the finite horizon ends the episode
            data.append((obs, act, rew, prev_full, not_last))
        with torch.no_grad():
            next_mems_of: dict[int, list] = {}
            targets = []
            for i in range(len(self.actors) if s.double_actor else 1):
                obs, act, rew, prev_full, not_last = data[i]
                key = id(pair_batches[i])
                if key not in next_mems_of:
                    t_mems = [c.features(obs, prev_full)[0] for c in self.critic_targets]
                    next_mems_of[key] = [None if m is None else m[:, 1:] for m in t_mems]
                next_mems = next_mems_of[key]
                next_obs = obs[:, 1:]
                a_next = self.actor_targets[i](obs, prev_full)[0][:, 1:]
                if s.double_actor:  # softmax operator over M noisy target actions
                    eps = s.policy_noise * torch.randn((s.n_noise, *a_next.shape), generator=generator)
                    a_m = (a_next.unsqueeze(0) + eps).clamp(-1, 1)
                    obs_m = next_obs.unsqueeze(0).expand(s.n_noise, *next_obs.shape)
                    mem_m = [
                        None if m is None else m.unsqueeze(0).expand(s.n_noise, *m.shape) for m in next_mems
                    ]
                    q_m = torch.minimum(
                        self.critic_targets[0].head(obs_m, a_m, mem_m[0]),
                        self.critic_targets[1].head(obs_m, a_m, mem_m[1]),
                    )
                    log_pdf = None
                    if s.importance_sampling:
                        log_pdf = (-0.5 * (eps / s.policy_noise) ** 2).sum(-1)
                    v = softmax_operator(q_m, s.beta, log_pdf)
                else:  # TD3: clipped noise, min of the twin target critics
                    eps = (s.policy_noise * torch.randn(a_next.shape, generator=generator)).clamp(
                        -s.noise_clip, s.noise_clip
                    )
                    a_n = (a_next + eps).clamp(-1, 1)
                    v = torch.minimum(
                        self.critic_targets[0].head(next_obs, a_n, next_mems[0]),
                        self.critic_targets[1].head(next_obs, a_n, next_mems[1]),
                    )
                targets.append(rew + s.gamma * not_last * v)
        info = {}
        for i in range(2):
            obs, act, _, prev_full, _ = data[i]
            y = targets[i] if s.double_actor else targets[0]
            mem = self.critics[i].features(obs, prev_full)[0]
            q = self.critics[i].head(obs[:, :-1], act, None if mem is None else mem[:, :-1])
            loss = torch.mean((q - y) ** 2)
            self.critic_opts[i].zero_grad(set_to_none=True)
            loss.backward()
            self.critic_opts[i].step()
            info[f"critic{i + 1}_loss"] = loss.item()
        self.updates += 1
        if self.updates % s.policy_freq == 0:
            for i, actor in enumerate(self.actors):
                obs, _, _, prev_full, _ = data[i]
                critic = self.critics[i]
                with torch.no_grad():
                    mem = critic.features(obs, prev_full)[0]
                a_pi = actor(obs[:, :-1], prev_full[:, :-1])[0]
                q = critic.head(obs[:, :-1], a_pi, None if mem is None else mem[:, :-1])
                loss = -q.mean()
                self.actor_opts[i].zero_grad(set_to_none=True)
                loss.backward()
                self.actor_opts[i].step()
                info[f"actor{i + 1}_loss"] = loss.item()
            for net, tgt in zip(self.actors + self.critics, self.actor_targets + self.critic_targets):
                soft_update(tgt, net, s.tau)
        return info

    @torch.no_grad()
    def q_values(self, obs: torch.Tensor, act: torch.Tensor) -> torch.Tensor:
        """Q1(o_t, a_t) along whole episodes (for the over-estimation check)."""
        b, _, a_dim = act.shape
        prev_full = torch.cat([torch.zeros(b, 1, a_dim), act], 1)
        mem = self.critics[0].features(obs, prev_full)[0]
        return self.critics[0].head(obs[:, :-1], act, None if mem is None else mem[:, :-1])

    # ---- checkpoints --------------------------------------------------------------------------------------
    def modules(self) -> dict[str, torch.nn.Module]:
        out = {}
        for i, m in enumerate(self.actors):
            out[f"actor{i}"], out[f"actor_target{i}"] = m, self.actor_targets[i]
        for i, m in enumerate(self.critics):
            out[f"critic{i}"], out[f"critic_target{i}"] = m, self.critic_targets[i]
        return out

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        out = {f"actor_opt{i}": o for i, o in enumerate(self.actor_opts)}
        out.update({f"critic_opt{i}": o for i, o in enumerate(self.critic_opts)})
        return out
