"""Trajectory sampling, vectorised over the batch: one network call per step for all live trajectories.

The walk runs without autograd (μ is held fixed, Theorem 4.1: no gradient through sampling) and keeps, for
every state it visits, the features and each linear layer's output. The visited states s_0 .. s_{L-1} of
every trajectory are exactly the states the objectives need, so :meth:`GFlowNetModel.replay` turns those
cached outputs into log P_F, log P_B and log F with gradients: no second forward pass through the trunk, and
one batched backward pass instead of one per step.
"""

from __future__ import annotations

import dataclasses

import torch

from gflownet_losses.envs import DAGEnv
from gflownet_losses.policies import MASKED, GFlowNetModel


@dataclasses.dataclass
class Trajectories:
    """A batch of complete trajectories, time-major and padded after each one's exit.

    ``log_pf[t]``: log P_F(a_t | s_t); ``log_pb[t]``: log P_B(s_t | s_{t+1}) (0 for the exit step);
    ``log_flow_ext[t]``: log F(s_t) for t < length and log R(x) at t = length (the flow into the sink).
    """

    log_pf: torch.Tensor  # (T, n)
    log_pb: torch.Tensor  # (T, n)
    log_flow_ext: torch.Tensor  # (T + 1, n)
    lengths: torch.Tensor  # (n,) transitions, exit included
    terminal: torch.Tensor  # (n, state_dim) sampled objects x
    log_reward: torch.Tensor  # (n,)

    @property
    def step_mask(self) -> torch.Tensor:
        """(T, n) True on real transitions."""
        t = torch.arange(self.log_pf.shape[0]).unsqueeze(1)
        return t < self.lengths.unsqueeze(0)


def sample_actions(probs: torch.Tensor, race: torch.Tensor) -> torch.Tensor:
    """One action per row of ``probs`` (rows sum to 1; zero-probability actions are never drawn).

    The exponential race: with ``race`` i.i.d. Exp(1) of the same shape, argmax_a p_a / E_a is a with
    probability p_a (the draw torch.multinomial makes). The sampler draws every step's ``race`` at once.
    """
    return (probs / race).argmax(-1)


def sample_trajectories(
    env: DAGEnv,
    model: GFlowNetModel,
    n: int,
    generator: torch.Generator,
    epsilon: float = 0.0,
) -> Trajectories:
    """Sample ``n`` trajectories from P_F (mixed with ε·uniform over valid actions for exploration).

    Step t runs the network on the states of the trajectories still live at t and samples their actions.
    The log-probabilities and flows of the result carry gradients when the caller's grad mode is on.
    """
    live = torch.arange(n)  # which trajectories the rows of ``s`` belong to
    s = env.initial_states(n)
    prev_action = torch.zeros(n, dtype=torch.long)  # the action that led to each live state (unused at s0)
    live_rows, s_rows, fmask_rows, act_rows, in_rows, caches = [], [], [], [], [], []
    race = torch.empty(env.max_length, n, env.n_actions).exponential_(generator=generator)
    with torch.no_grad():
        for t in range(env.max_length):
            logits, cache = model.walk_step(s)
            fmask = env.forward_mask(s)
            probs = torch.softmax(torch.where(fmask, logits, MASKED), dim=-1)
            if epsilon > 0:
                valid = fmask.to(probs.dtype)
                probs = (1 - epsilon) * probs + epsilon * valid / valid.sum(-1, keepdim=True)
            a = sample_actions(probs, race[t, : len(s)])
            live_rows.append(live)
            s_rows.append(s)
            fmask_rows.append(fmask)
            act_rows.append(a)
            in_rows.append(prev_action)
            caches.append(cache)
            stay = torch.nonzero(a != env.exit_action).squeeze(1)
            if len(stay) == 0:
                break
            live, prev_action = live[stay], a[stay]
            s = env.step(s[stay], prev_action)
    # one row per visited state s_t (t < length) of every trajectory, sorted by (t, trajectory)
    t_len = len(live_rows)
    traj = torch.cat(live_rows)
    step = torch.repeat_interleave(torch.arange(t_len), torch.tensor([len(r) for r in live_rows]))
    pos = step * n + traj
    states, acts = torch.cat(s_rows), torch.cat(act_rows)
    lengths = torch.bincount(traj, minlength=n)
    exit_rows = torch.nonzero(acts == env.exit_action).squeeze(1)
    terminal = torch.empty_like(s_rows[0])
    terminal[traj[exit_rows]] = states[exit_rows]
    logits, h = model.replay([torch.cat(parts) for parts in zip(*caches)])
    log_pf_all, log_pb_all, flow_rows = model.heads(logits, h, states, torch.cat(fmask_rows))
    pf_rows = log_pf_all.gather(1, acts.unsqueeze(1)).squeeze(1)
    # P_B(s_{t-1} | s_t), read at s_t through the action that led there; rows at s0 have no parent
    pb_rows = torch.where(step > 0, log_pb_all.gather(1, torch.cat(in_rows).unsqueeze(1)).squeeze(1), 0.0)
    size = (t_len + 1) * n
    log_pf = pf_rows.new_zeros(size).index_put((pos,), pf_rows).reshape(t_len + 1, n)[:-1]
    # log_pb[t] = log P_B(s_t | s_{t+1}); 0 on the exit step (the sink has one parent)
    log_pb = pb_rows.new_zeros(size).index_put((pos,), pb_rows).reshape(t_len + 1, n)[1:]
    log_reward = env.log_reward(terminal)
    flow = flow_rows.new_zeros(size).index_put((pos,), flow_rows).reshape(t_len + 1, n)
    steps_ext = torch.arange(t_len + 1).unsqueeze(1)
    log_flow_ext = torch.where(steps_ext == lengths.unsqueeze(0), log_reward.unsqueeze(0), flow)
    return Trajectories(log_pf, log_pb, log_flow_ext, lengths, terminal, log_reward)
