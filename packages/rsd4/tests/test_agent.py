import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rsd4.agent import Agent, AgentSpec, softmax_operator


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 1000), shift=st.floats(-50, 50))
def test_softmax_operator_limits_and_shift_invariance(seed, shift):
    q = torch.randn(20, 5, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    torch.testing.assert_close(softmax_operator(q, 0.0), q.mean(0))
    torch.testing.assert_close(softmax_operator(q, 1e6), q.max(0).values)
    torch.testing.assert_close(softmax_operator(q + shift, 0.7), softmax_operator(q, 0.7) + shift)
    v = softmax_operator(q, 0.7)
    assert (v <= q.max(0).values + 1e-12).all() and (v >= q.mean(0) - 1e-12).all()  # between mean and max


def test_softmax_importance_weights_divide_by_the_noise_pdf():
    q = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    log_pdf = torch.tensor([[0.0], [math.log(2.0)]], dtype=torch.float64)
    # weights exp(0)/1 and exp(0)/2 at beta=0
    assert softmax_operator(q, 0.0, log_pdf).item() == pytest.approx((1 * 1 + 2 * 0.5) / 1.5)


@pytest.mark.parametrize("recurrent,double", [(True, True), (True, False), (False, True), (False, False)])
def test_every_variant_fits_a_fixed_batch(recurrent, double):
    gen = torch.Generator().manual_seed(0)
    agent = Agent(
        5, 3, AgentSpec(recurrent=recurrent, double_actor=double, hidden=16, gamma=0.0, weight_decay=0.0), gen
    )
    batch = {"obs": torch.rand(8, 11, 5, generator=gen), "act": torch.rand(8, 10, 3, generator=gen) * 2 - 1}
    batch["rew"] = batch["act"].sum(-1)  # γ = 0: Q must learn r(o, a)
    first = agent.update(batch, gen)["critic1_loss"]
    for _ in range(150):
        last = agent.update(batch, gen)["critic1_loss"]
    assert last < 0.2 * first
    a, state = agent.act(torch.rand(6, 5), torch.zeros(6, 3), agent.initial_state(6))
    assert a.shape == (6, 3) and (a.abs() <= 1).all()
    assert (state != {}) == recurrent


def test_double_actor_executes_the_action_its_critic_prefers():
    gen = torch.Generator().manual_seed(3)
    agent = Agent(4, 2, AgentSpec(recurrent=True, double_actor=True, hidden=8), gen)
    obs, prev = torch.rand(32, 4, generator=gen), torch.zeros(32, 2)
    state = agent.initial_state(32)
    a, _ = agent.act(obs, prev, state)
    o, p = obs[:, None], prev[:, None]
    cand = [actor(o, p, state["actor"])[0] for actor in agent.actors]
    q = [agent.critics[i](o, cand[i], p, state["critics"][i])[0][:, 0] for i in range(2)]
    expect = torch.where((q[0] >= q[1])[:, None], cand[0][:, 0], cand[1][:, 0])
    torch.testing.assert_close(a, expect)
    assert not torch.equal(cand[0], cand[1])
    _ = np


def _batch(gen, b=6):
    out = {"obs": torch.rand(b, 9, 5, generator=gen), "act": torch.rand(b, 8, 3, generator=gen) * 2 - 1}
    out["rew"] = out["act"].sum(-1)
    return out


def _params(agent):
    return [p.detach().clone() for m in agent.modules().values() for p in m.parameters()]


@pytest.mark.parametrize("recurrent", [True, False])
def test_second_batch_goes_to_the_second_pair_only(recurrent):
    """The released code's train(): each (critic, actor) pair of SD3/RSD4 learns from its own batch. Passing
    the same batch twice is the shared-batch update; the first pair never sees the second batch."""
    spec = AgentSpec(recurrent=recurrent, double_actor=True, hidden=8, policy_freq=1)
    make = lambda: Agent(5, 3, spec, torch.Generator().manual_seed(0))  # noqa: E731
    b1, b2 = _batch(torch.Generator().manual_seed(1)), _batch(torch.Generator().manual_seed(2))
    shared, same, split = make(), make(), make()
    shared.update(b1, torch.Generator().manual_seed(3))
    same.update(b1, torch.Generator().manual_seed(3), b1)
    split.update(b1, torch.Generator().manual_seed(3), b2)
    for a, b in zip(_params(shared), _params(same)):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    names = list(shared.modules())
    for name, a, b in zip(names, shared.modules().values(), split.modules().values()):
        diff = any(not torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
        # pair 0 (actor0, critic0) learns from b1 in both agents: the same; pair 1 saw b2 instead
        assert diff == name.endswith("1"), name


def test_single_actor_agents_ignore_the_second_batch():
    spec = AgentSpec(recurrent=True, double_actor=False, hidden=8, policy_freq=1)
    a, b = (Agent(5, 3, spec, torch.Generator().manual_seed(0)) for _ in range(2))
    b1, b2 = _batch(torch.Generator().manual_seed(1)), _batch(torch.Generator().manual_seed(2))
    a.update(b1, torch.Generator().manual_seed(3))
    b.update(b1, torch.Generator().manual_seed(3), b2)
    for x, y in zip(_params(a), _params(b)):
        torch.testing.assert_close(x, y, rtol=0, atol=0)
