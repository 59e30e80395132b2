import numpy as np
import pytest
import torch
import torch.nn.functional as F
from paperkit import Seeder

from rlx2.agents import make_agent
from rlx2.buffer import ReplayBuffer
from rlx2.config import Config
from rlx2.networks import FastLinear
from rlx2.sparse import adam_step


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("needs", [(True, True), (False, True), (True, False)])
def test_fast_linear_matches_f_linear_forward_and_backward(needs, relu):
    g = torch.Generator().manual_seed(0)
    lin = FastLinear(23, 64, relu=relu)
    with torch.no_grad():
        lin.weight.copy_(torch.randn(64, 23, generator=g))
    lin.weight.requires_grad_(needs[1])
    x = torch.randn(256, 23, generator=g).requires_grad_(needs[0])
    up = torch.randn(256, 64, generator=g)
    out = lin(x)
    (out * up).sum().backward()
    x2 = x.detach().clone().requires_grad_(needs[0])
    w2 = lin.weight.detach().clone().requires_grad_(needs[1])
    b2 = lin.bias.detach().clone().requires_grad_(True)
    ref = F.linear(x2, w2, b2)
    if relu:
        ref = F.relu(ref)
        assert (out == 0).any() and (out > 0).any()  # the ReLU's gradient mask is exercised
    (ref * up).sum().backward()
    assert torch.allclose(out, ref, atol=1e-4, rtol=1e-5)
    assert torch.allclose(lin.bias.grad, b2.grad, atol=1e-3, rtol=1e-5)
    if needs[0]:
        assert torch.allclose(x.grad, x2.grad, atol=1e-3, rtol=1e-5)
    if needs[1]:
        assert torch.allclose(lin.weight.grad, w2.grad, atol=1e-3, rtol=1e-5)
    else:
        assert lin.weight.grad is None


def test_fast_and_plain_kernels_train_alike():
    """The oneDNN/fused-Adam path computes the same TD3 update as plain PyTorch (up to float rounding)."""
    rng = np.random.default_rng(0)
    buf = ReplayBuffer(2_000, 3, 1)
    for i in range(2_000):
        o = rng.normal(size=3).astype(np.float32)
        a = rng.uniform(-1, 1, 1).astype(np.float32)
        buf.add(o, a, a, float(o[0] * a[0]), rng.normal(size=3).astype(np.float32), False, i % 200 == 199)
    low, high = np.array([-1.0], np.float32), np.array([1.0], np.float32)
    agents = [
        make_agent(
            Config(env_id="Pendulum-v1", hidden=64, delta_t=5, fast_kernels=f), 3, 1, low, high, Seeder(0)
        )
        for f in (True, False)
    ]
    batches = [buf.sample_nstep(64, 3, 0.99, np.random.default_rng(k)) for k in range(12)]
    for agent in agents:
        for b in batches:
            agent.update(b)
    fast, plain = agents
    for m_fast, m_plain in zip(fast.critic_masks.masks, plain.critic_masks.masks):
        assert torch.equal(m_fast, m_plain)  # same topology moves
    for p, q in zip(fast.critic.parameters(), plain.critic.parameters()):
        assert torch.allclose(p, q, atol=1e-5)
    assert fast.topology_updates == plain.topology_updates > 0


@pytest.mark.parametrize("fused", [True, False])
def test_direct_adam_step_is_bit_identical_to_optimizer_step(fused):
    g = torch.Generator().manual_seed(1)
    shapes = [(32, 7), (32,), (1, 32)]
    a = [torch.nn.Parameter(torch.randn(*s, generator=g)) for s in shapes]
    b = [torch.nn.Parameter(p.detach().clone()) for p in a]
    opt_a = torch.optim.Adam(a, lr=1e-2, fused=fused or None)
    opt_b = torch.optim.Adam(b, lr=1e-2, fused=fused or None)
    for _ in range(6):
        grads = [torch.randn(*s, generator=g) for s in shapes]
        for p, q, gr in zip(a, b, grads):
            p.grad, q.grad = gr.clone(), gr.clone()
        opt_a.step()
        adam_step(opt_b)
    for p, q in zip(a, b):
        assert torch.equal(p, q)
        assert torch.equal(opt_a.state[p]["exp_avg_sq"], opt_b.state[q]["exp_avg_sq"])
        assert torch.equal(opt_a.state[p]["step"], opt_b.state[q]["step"])
