"""The fast sampler (no-grad walk + cached-activation replay) against a plain reference: same trajectories,
same log-probabilities and flows, and the same gradients for every objective and loss."""

import numpy as np
import pytest
import torch

from gflownet_losses.envs import BitSequence, HyperGrid
from gflownet_losses.objectives import gflownet_loss
from gflownet_losses.policies import GFlowNetModel
from gflownet_losses.regression import make_loss
from gflownet_losses.sampler import Trajectories, sample_actions, sample_trajectories


def reference_sample(env, model, n, generator, epsilon=0.0) -> Trajectories:
    """One trajectory step at a time per batch, then one autograd forward pass of ``model`` over every
    visited state, padded layout built by hand (the straightforward implementation)."""
    race = torch.empty(env.max_length, n, env.n_actions).exponential_(generator=generator)
    states = env.initial_states(n)
    done = torch.zeros(n, dtype=torch.bool)
    visited, actions = [states.clone()], []
    with torch.no_grad():
        for t in range(env.max_length):
            live = torch.nonzero(~done).squeeze(1)
            if len(live) == 0:
                break
            probs = model(states[live])[0].exp()
            if epsilon > 0:
                valid = env.forward_mask(states[live]).to(probs.dtype)
                probs = (1 - epsilon) * probs + epsilon * valid / valid.sum(-1, keepdim=True)
            a = sample_actions(probs, race[t, : len(live)])
            act = torch.full((n,), env.exit_action)
            act[live] = a
            moving = live[a != env.exit_action]
            states = states.clone()
            states[moving] = env.step(states[moving], act[moving])
            done[live[a == env.exit_action]] = True
            visited.append(states.clone())
            actions.append(act)
    T = len(actions)
    log_pf_all, log_pb_all, flow_all = model(torch.stack(visited).reshape((T + 1) * n, -1))
    log_pf_all = log_pf_all.reshape(T + 1, n, -1)
    log_pb_all = log_pb_all.reshape(T + 1, n, -1)
    flow_all = flow_all.reshape(T + 1, n)
    lengths = torch.zeros(n, dtype=torch.long)
    log_pf = torch.zeros(T, n)
    log_pb = torch.zeros(T, n)
    log_flow = torch.zeros(T + 1, n)
    log_reward = env.log_reward(states)
    for b in range(n):
        L = next(t for t in range(T) if actions[t][b] == env.exit_action) + 1
        lengths[b] = L
        for t in range(L):
            log_pf[t, b] = log_pf_all[t, b, actions[t][b]]
            log_flow[t, b] = flow_all[t, b]
            if t < L - 1:
                log_pb[t, b] = log_pb_all[t + 1, b, actions[t][b]]
        log_flow[L, b] = log_reward[b]
    return Trajectories(log_pf, log_pb, log_flow, lengths, states, log_reward)


def _envs():
    modes = BitSequence.random_modes(np.random.default_rng(0), 3, 8)
    return [(HyperGrid(2, 6), True), (HyperGrid(3, 3), True), (BitSequence(8, 2, modes, 4.0), False)]


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("epsilon", [0.0, 0.3])
def test_fast_sampler_equals_reference(case, epsilon):
    env, learned_pb = _envs()[case]
    model = GFlowNetModel(env, 32, 2, learned_pb=learned_pb, generator=torch.Generator().manual_seed(case))
    fast = sample_trajectories(env, model, 24, torch.Generator().manual_seed(7), epsilon)
    ref = reference_sample(env, model, 24, torch.Generator().manual_seed(7), epsilon)
    assert torch.equal(fast.lengths, ref.lengths) and torch.equal(fast.terminal, ref.terminal)
    for field in ("log_pf", "log_pb", "log_flow_ext", "log_reward"):
        torch.testing.assert_close(getattr(fast, field), getattr(ref, field), rtol=1e-5, atol=1e-5)
    params = list(model.parameters())
    for objective in ("tb", "db", "subtb"):
        for loss in ("quadratic", "linex1", "cosh"):
            g_fast = torch.autograd.grad(
                gflownet_loss(objective, fast, make_loss(loss), model.log_z),
                params,
                allow_unused=True,
                retain_graph=True,
            )
            g_ref = torch.autograd.grad(
                gflownet_loss(objective, ref, make_loss(loss), model.log_z),
                params,
                allow_unused=True,
                retain_graph=True,
            )
            for a, b in zip(g_fast, g_ref):
                assert (a is None) == (b is None)
                if a is not None:
                    torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-5)  # float32 summation order


def test_sample_actions_frequencies_match_probabilities():
    probs = torch.tensor([[0.1, 0.0, 0.6, 0.3]]).expand(40_000, 4)
    race = torch.empty(40_000, 4).exponential_(generator=torch.Generator().manual_seed(0))
    a = sample_actions(probs, race)
    freq = torch.bincount(a, minlength=4).double() / len(a)
    assert freq[1] == 0  # a zero-probability action is never drawn
    torch.testing.assert_close(freq, probs[0].double(), atol=0.01, rtol=0)


def test_sampler_without_grad_builds_no_graph():
    env = HyperGrid(2, 5)
    model = GFlowNetModel(env, 16, 1, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        tr = sample_trajectories(env, model, 8, torch.Generator().manual_seed(1))
    assert not tr.log_pf.requires_grad
    tr = sample_trajectories(env, model, 8, torch.Generator().manual_seed(1))
    assert tr.log_pf.requires_grad and tr.log_flow_ext.requires_grad
