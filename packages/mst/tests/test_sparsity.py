import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mst.attention import attention_pattern, kept_fraction
from mst.sparsity import SparseLinears, dst_counts, er_densities, mixed_drop_grow, sparsity_schedule


@settings(max_examples=50, deadline=None)
@given(
    shapes=st.lists(st.tuples(st.integers(1, 200), st.integers(1, 200)), min_size=1, max_size=6),
    density=st.floats(0.01, 1.0),
)
def test_er_hits_global_density(shapes, density):
    d = er_densities(shapes, density)
    sizes = np.array([o * i for o, i in shapes], float)
    assert max(d) <= 1 + 1e-12 and np.dot(d, sizes) / sizes.sum() == pytest.approx(density, rel=1e-9)


def test_er_at_90_percent_matches_the_brief_for_gpt2_small():
    # GPT-2 small: c_attn 768->2304, attn proj, c_fc, mlp proj (x12) and the tied lm_head 768->50304
    shapes = [(2304, 768), (768, 768), (3072, 768), (768, 3072)] * 12 + [(50304, 768)]
    d = er_densities(shapes, 0.1)
    assert [round(1 - x, 3) for x in d[:4]] == [0.892, 0.838, 0.899, 0.899]
    assert round(1 - d[-1], 3) == 0.918


@settings(max_examples=60, deadline=None)
@given(n_active=st.integers(0, 500), target=st.integers(0, 500), frac=st.floats(0, 1))
def test_grow_minus_drop_is_minus_delta(n_active, target, frac):
    n_drop, n_grow = dst_counts(n_active, target, frac)
    assert n_grow - n_drop == target - n_active
    assert 0 <= n_drop <= n_active and n_grow >= 0


@pytest.mark.parametrize("growth,ratio", [("mixed", 3.0), ("gradient", 3.0), ("random", 3.0)])
def test_mixed_growth_split_zero_init_and_exact_count(growth, ratio):
    g = torch.Generator().manual_seed(0)
    w = torch.randn(40, 50, generator=g)
    mask = torch.rand(40, 50, generator=g) < 0.3
    w = w * mask
    grad = torch.randn(40, 50, generator=g)
    n_active = int(mask.sum())
    n_drop, n_grow = dst_counts(n_active, n_active - 37, 0.2)  # net removal of 37
    new_mask, new_w, n_grad = mixed_drop_grow(w, mask, grad, n_drop, n_grow, growth, ratio, g)
    assert int(new_mask.sum()) == n_active - 37
    expect = {"mixed": math.floor(0.75 * n_grow), "gradient": n_grow, "random": 0}[growth]
    assert n_grad == expect
    assert torch.all(new_w[new_mask & ~mask] == 0) and torch.all(new_w[~new_mask] == 0)
    # the gradient-grown positions are the largest-|grad| among the not-kept ones
    if growth == "gradient":
        born = new_mask & ~mask
        assert grad.abs()[born].min() >= grad.abs()[~new_mask & ~mask].max()


def test_dst_step_hits_er_targets_exactly_every_step():
    g = torch.Generator().manual_seed(1)
    weights = [
        torch.nn.Parameter(torch.randn(64, 32, generator=g)),
        torch.nn.Parameter(torch.randn(16, 64, generator=g)),
    ]
    sp = SparseLinears(weights, ["a", "b"])
    for s in (0.3, 0.9, 0.9, 0.5, 0.0):
        for w in weights:
            w.grad = torch.randn(w.shape, generator=g)
        sp.dst_step(s, 0.3, "mixed", 3.0, g)
        assert sp.active() == sp.targets(s)
        for w, m in zip(weights, sp.masks):
            assert torch.all(w[~m] == 0)
    assert sp.sparsity() == 0.0  # restoration ends dense


@pytest.mark.parametrize("restore_shape", ["cubic", "reverse"])
def test_schedule_shape(restore_shape):
    kw = dict(s_max=0.9, warmup_end=150, restore_start=800, restore_end=1000, restore_shape=restore_shape)
    s = [sparsity_schedule(t, **kw) for t in range(1001)]
    assert s[0] == 0 and s[150] == pytest.approx(0.9) and s[1000] == 0
    assert np.all(np.diff(s[:151]) >= 0)  # warm-up rises
    assert all(x == pytest.approx(0.9) for x in s[150:801])  # hold
    assert np.all(np.diff(s[800:]) <= 0)  # restoration falls
    assert s[75] == pytest.approx(0.9 * 7 / 8)  # cubic warm-up: fast at first, 7/8 of the way at mid-phase
    # restoration at mid-phase: Zhu-Gupta cubic is 7/8 of the way back (s_max/8); the reversed ramp only 1/8
    assert s[900] == pytest.approx(0.9 / 8 if restore_shape == "cubic" else 0.9 * 7 / 8)
    no_restore = dict(kw, restore_start=1000)
    assert sparsity_schedule(1000, **no_restore) == pytest.approx(0.9)
    assert sparsity_schedule(0, **kw, shape="staircase") == 0.9
    assert sparsity_schedule(800, **kw, shape="staircase") == 0.0


@settings(max_examples=30, deadline=None)
@given(start=st.integers(0, 300), length=st.integers(1, 200), t=st.integers(0, 1000))
def test_delayed_warmup_is_the_warmup_shifted(start, length, t):
    """Pruning delayed to ``warmup_start`` (mst_late): dense before it, then the same ramp, shifted."""
    kw = dict(s_max=0.9, restore_start=800, restore_end=1000)
    late = sparsity_schedule(t, warmup_start=start, warmup_end=start + length, **kw)
    if t < start:
        assert late == 0.0
    elif t < 800:
        assert late == pytest.approx(sparsity_schedule(t - start, warmup_end=length, **kw))


def test_schedule_rejects_unknown_restore_shape():
    with pytest.raises(ValueError, match="restore_shape"):
        sparsity_schedule(0, s_max=0.9, warmup_end=1, restore_start=2, restore_end=3, restore_shape="linear")


@settings(max_examples=25, deadline=None)
@given(
    shapes=st.lists(st.tuples(st.integers(2, 40), st.integers(2, 40)), min_size=1, max_size=4),
    targets=st.lists(st.floats(0.0, 0.97), min_size=1, max_size=5),
    frac=st.floats(0.0, 0.5),
    growth=st.sampled_from(["mixed", "gradient", "random"]),
    seed=st.integers(0, 2**16),
)
def test_dst_steps_hit_targets_and_move_masks_by_minus_delta(shapes, targets, frac, growth, seed):
    """After every DST step each layer holds exactly its ER target; counted on the masks themselves,
    grown - dropped = target - active (= -Delta); inactive weights are 0 and newborn weights start at 0."""
    g = torch.Generator().manual_seed(seed)
    weights = [torch.nn.Parameter(torch.randn(o, i, generator=g)) for o, i in shapes]
    sp = SparseLinears(weights, [str(k) for k in range(len(weights))])
    for s in [*targets, 0.0]:  # the sequence ends dense, as restoration does
        for w in weights:
            w.grad = torch.randn(w.shape, generator=g)
        before = [m.clone() for m in sp.masks]
        old_w = [w.detach().clone() for w in weights]
        want = sp.targets(s)
        sp.dst_step(s, frac, growth, 3.0, g)
        assert sp.active() == want
        for w, m, b, ow, t in zip(weights, sp.masks, before, old_w, want):
            grown, dropped = int((m & ~b).sum()), int((b & ~m).sum())
            assert grown - dropped == t - int(b.sum())
            assert torch.all(w[~m] == 0) and torch.all(w[m & ~b] == 0)
            assert torch.equal(w[m & b], ow[m & b])  # surviving weights are untouched
    assert sp.sparsity() == 0.0


@pytest.mark.parametrize(
    "mode,kept", [("local", 0.234), ("strided", 0.009), ("sparse", 0.241), ("fixed", 0.133)]
)
def test_attention_kept_fractions_at_T1024_W128(mode, kept):
    assert kept_fraction(mode, 1024, 128) == pytest.approx(kept, abs=5e-4)


def test_attention_patterns_are_causal_and_keep_the_diagonal():
    for mode in ("none", "local", "strided", "sparse", "fixed"):
        p = attention_pattern(mode, 64, 8)
        assert not torch.triu(p, diagonal=1).any()
        assert p.diagonal().all()  # every query sees itself: no empty softmax row


def test_bad_attention_mode():
    with pytest.raises(ValueError, match="attention mode"):
        attention_pattern("dilated", 8, 2)
