"""The QMIX mixer: monotone in every agent's utility, and the state squashing that keeps its state-only
part bounded on an unbounded state (the cause of the dense-QMIX drift on MPE, see the README)."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mast.config import Config
from mast.networks import QMixer


def mixer(transform: str, seed: int = 0) -> QMixer:
    return QMixer(3, 6, 8, 16, generator=torch.Generator().manual_seed(seed), state_transform=transform)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), transform=st.sampled_from(["none", "tanh"]))
def test_qmix_is_monotone_in_every_agent_utility(seed, transform):
    g = torch.Generator().manual_seed(seed)
    m = mixer(transform, seed)
    qs = (3 * torch.randn(64, 3, generator=g)).requires_grad_(True)
    state = 4 * torch.randn(64, 6, generator=g)
    (grad,) = torch.autograd.grad(m(qs, state).sum(), qs)
    assert (grad >= 0).all()


def test_tanh_bounds_the_state_only_part_of_q_tot_and_raw_state_does_not():
    s = torch.randn(32, 6, generator=torch.Generator().manual_seed(1))
    zeros = torch.zeros(32, 3)
    with torch.no_grad():
        raw = [mixer("none")(zeros, c * s).abs().max().item() for c in (100.0, 1000.0)]
        squashed = [mixer("tanh")(zeros, c * s) for c in (1e3, 1e5)]
    # raw hypernet inputs: b1(s)·|w2(s)| is quadratic in s, so Q_tot(0, s) grows without bound
    assert raw[1] > 20 * raw[0]
    # squashed: saturated, the value no longer changes with the scale of the state
    assert torch.allclose(squashed[0], squashed[1], atol=1e-4)
    assert squashed[1].abs().max() < 10.0


def test_bad_state_transform_is_refused():
    with pytest.raises(ValueError, match="mixer_state_transform"):
        Config(mixer_state_transform="sigmoid")
    with pytest.raises(ValueError, match="state_transform"):
        mixer("sigmoid")
