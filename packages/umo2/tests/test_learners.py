import numpy as np
import pytest

from umo2 import BanditAdmission, ModeLearner, Schedule, block_starts, load_topology, max_utility_admission
from umo2.learners import queue_rate, sample_modes


def test_block_lengths_grow_like_sqrt2():
    s = block_starts(10_000, 50)
    lengths = np.diff(s)
    assert s[0] == 1 and lengths[0] == 50 and lengths[2] == 100
    assert np.all(np.diff(lengths) >= 0)


def test_schedule_rows_independent_of_batch_and_one_good_mode_per_link():
    topo = load_topology("diamond")
    a = Schedule(topo, 2000, [3])
    b = Schedule(topo, 2000, [1, 3])
    for t in range(1, 2001):
        np.testing.assert_array_equal(a.capacities(t)[0], b.capacities(t)[1])
        np.testing.assert_array_equal(a.player_uniforms(t)[0], b.player_uniforms(t)[1])
    exp = a.expected_capacities(1500)[0]
    np.testing.assert_allclose(np.sort(exp, axis=1), np.tile([0.18, 0.9], (4, 1)))


def test_mode_learner_play_is_a_distribution_with_exploration_floor():
    learner = ModeLearner(3, 4, 2, explore=0.1, share=0.0)
    rng = np.random.default_rng(0)
    for _ in range(500):
        W = rng.exponential(100.0, (3, 4))  # unbounded, drastically varying weights
        modes = learner.choose(W, 1.0 - rng.random((3, 4)))
        p = learner.p
        np.testing.assert_allclose(p.sum(axis=2), 1.0)
        assert (p >= 0.1 / 2 - 1e-12).all()
        observed = np.where(modes == 1, 1.0, 0.2)
        learner.update(modes, W, observed, W > 0)
    assert (learner.p[:, :, 1] > 0.9).all()  # learned the good mode whatever the scale of W


def test_mode_learner_is_scale_free():
    rng = np.random.default_rng(1)
    runs = []
    for scale in (1.0, 1e4):
        learner = ModeLearner(2, 3, 2, explore=0.05, share=0.0)
        r = np.random.default_rng(2)
        for _ in range(200):
            W = scale * r.exponential(1.0, (2, 3))
            modes = learner.choose(W, 1.0 - r.random((2, 3)))
            learner.update(modes, W, np.where(modes == 0, 0.9, 0.3), W > 0)
        runs.append(learner.p.copy())
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-9)
    del rng


def test_sample_modes_inverse_cdf():
    p = np.array([[[0.25, 0.75], [1.0, 0.0]]])
    assert sample_modes(p, np.array([[0.2, 1.0]])).tolist() == [[0, 0]]
    assert sample_modes(p, np.array([[0.3, 0.5]])).tolist() == [[1, 0]]


@pytest.mark.parametrize("rate", ["instant", "cumulative"])
def test_bandit_admission_stays_feasible(rate):
    adm = BanditAdmission(4, 2, 1.5, V=np.full(4, 10.0), delta=np.full(4, 0.1), eta0=50.0, rate=rate)
    rng = np.random.default_rng(3)
    for _ in range(300):
        q = rng.exponential(50.0, (4, 2))
        lam = adm.choose(q, rng.standard_normal((4, 2)))
        assert (lam >= -1e-12).all() and (lam <= 1.5 + 1e-12).all()
        adm.update(np.log1p(lam).sum(1), q)


def test_reference_lp_matches_max_flow():
    diamond, line = load_topology("diamond"), load_topology("line3")
    # diamond: two disjoint paths of capacity 0.9 (minus slack 0.05 per link): max flow 1.7, capped at 1.5
    np.testing.assert_allclose(max_utility_admission(diamond, np.full(4, 0.9), 0.05), [1.5], atol=1e-6)
    np.testing.assert_allclose(
        max_utility_admission(diamond, np.array([0.9, 0.18, 0.9, 0.9]), 0.05), [0.85 + 0.13], atol=1e-6
    )
    np.testing.assert_allclose(
        max_utility_admission(line, np.array([0.9, 0.18, 0.9]), 0.05), [0.13], atol=1e-6
    )


def test_scale_memory_full_is_the_plain_cumulative_sum():
    rng = np.random.default_rng(4)
    full = ModeLearner(2, 3, 2, explore=0.1, share=0.01, scale_memory="full")
    disc = ModeLearner(2, 3, 2, explore=0.1, share=0.01)
    total = np.zeros((2, 3))
    for _ in range(50):
        W = rng.exponential(5.0, (2, 3)) * (rng.random((2, 3)) < 0.7)
        u = 1.0 - rng.random((2, 3))
        for lrn in (full, disc):
            modes = lrn.choose(W, u)
            lrn.update(modes, W, np.where(modes == 1, 1.0, 0.2), W > 0)
        total += W * W
    np.testing.assert_allclose(full.sum_sq, total)
    assert (disc.sum_sq < total).all()  # discounted at the fixed-share rate
    with pytest.raises(ValueError, match="scale_memory"):
        ModeLearner(1, 1, 2, explore=0.1, share=0.0, scale_memory="window")


def test_queue_rates_agree_on_steady_queues_and_differ_after_a_spike():
    steady = np.full(50, 7.0)
    spike = np.r_[np.full(10, 300.0), np.full(40, 7.0)]
    for lips in (steady, spike):
        t, lip_sq = len(lips), np.sum(lips**2)
        inst = queue_rate(2.0, lips[-1], t, lip_sq, "instant")
        cum = queue_rate(2.0, lips[-1], t, lip_sq, "cumulative")
        if lips is steady:
            np.testing.assert_allclose(inst, cum)  # 2 / (7 sqrt(50)) both
        else:
            assert cum < inst / 5  # remembers the spike: more cautious steps
