import numpy as np
import pytest

from uniinf import BanditEnvironment, Instance, draw_noise, instances, noise_moment


def test_rows_are_independent_of_batch_composition():
    a = instances.stochastic(4, 0.2, 600)
    b = instances.ucb_killer(600, tail=1.3)
    c = instances.minimax(4, 600, tail=2.5)
    alone = BanditEnvironment([a], [7])
    batch = BanditEnvironment([c, a, a], [3, 7, 8])
    for t in range(1, 601):
        np.testing.assert_array_equal(alone.losses(t)[0], batch.losses(t)[1])
        assert alone.uniforms(t)[0] == batch.uniforms(t)[1]
    assert not np.array_equal(batch.losses(600)[1], batch.losses(600)[2])  # different seeds differ
    del b


def test_fast_pareto_path_matches_draw_noise():
    a = instances.stochastic(3, 0.2, 600, tail=1.3)
    g = Instance((0.0, 0.1, 0.1), 600, noise="gaussian")
    fast = BanditEnvironment([a, a], [5, 6])  # all Pareto: vectorised path
    slow = BanditEnvironment([g, a], [0, 5])  # mixed: per-row draw_noise path
    for t in range(1, 601):
        np.testing.assert_array_equal(fast.losses(t)[0], slow.losses(t)[1])
        assert fast.uniforms(t)[0] == slow.uniforms(t)[1]


def test_rounds_must_be_visited_in_order():
    env = BanditEnvironment([instances.stochastic(3, 0.1, 1000)], [0])
    env.losses(1)
    with pytest.raises(ValueError, match="in order"):
        env.losses(400)


def test_pareto_noise_tail():
    rng = np.random.default_rng(0)
    z = draw_noise(rng, "pareto", 1.6, (400_000,))
    # |Z| = U^(-1/p): P(|Z| > x) = x^(-p) for x >= 1, and symmetric signs
    assert np.abs(z).min() >= 1.0
    for x in (2.0, 10.0):
        assert np.mean(np.abs(z) > x) == pytest.approx(x**-1.6, rel=0.03)
    assert np.mean(z > 0) == pytest.approx(0.5, abs=0.005)
    assert noise_moment("pareto", 1.6, 1.0) == pytest.approx(1.6 / 0.6)
    assert np.mean(np.abs(z)) == pytest.approx(1.6 / 0.6, rel=0.1)
    assert noise_moment("pareto", 1.6, 1.6) == np.inf


def test_student_t_moment_formula():
    rng = np.random.default_rng(1)
    z = draw_noise(rng, "student_t", 5.0, (400_000,))
    assert np.mean(z**2) == pytest.approx(noise_moment("student_t", 5.0, 2.0), rel=0.05)  # = 5/3
    assert noise_moment("student_t", 5.0, 2.0) == pytest.approx(5 / 3)
    assert noise_moment("gaussian", 1.0, 2.0) == pytest.approx(1.0)


def test_assumption1_holds_numerically_for_the_best_arm():
    # E[l 1{|l| > M}] >= 0 on an M-grid for the best arm (mean 0 and 0.5) under symmetric noise
    rng = np.random.default_rng(2)
    z = draw_noise(rng, "pareto", 1.6, (2_000_000,))
    z = np.concatenate([z, -z])  # exact symmetrisation: removes sampling asymmetry
    for mean in (0.0, 0.5):
        loss = mean + 0.5 * z
        for M in (0.0, 0.5, 1.0, 5.0, 50.0):
            assert np.mean(loss * (np.abs(loss) > M)) >= -1e-12


def test_instances_best_arm_and_means():
    killer = instances.ucb_killer(900)
    assert killer.best_arm() == 1  # arm B (0.5 always) beats A (0 then 1 after T/3)
    env = BanditEnvironment([killer], [0])
    assert env.means(300)[0].tolist() == [0.0, 0.5]
    assert env.means(301)[0].tolist() == [1.0, 0.5]
    sc = BanditEnvironment([instances.stochastically_constrained(3, 0.2, 500)], [0])
    gaps = sc.means(123)[0] - sc.means(123)[0, 0]
    np.testing.assert_allclose(gaps, [0.0, 0.2, 0.2])


def test_bad_instances_raise():
    with pytest.raises(ValueError, match="K >= 2"):
        Instance((0.0,), 100)
    with pytest.raises(ValueError, match="tail"):
        Instance((0.0, 1.0), 100, tail=1.0)
    with pytest.raises(ValueError, match="finite"):
        Instance((0.0, float("nan")), 100)
    with pytest.raises(ValueError, match="same number of arms"):
        BanditEnvironment([instances.stochastic(3, 0.1, 10), instances.stochastic(4, 0.1, 10)], [0, 1])


def test_lower_bound_family_two_point_losses():
    from uniinf import instances as I
    from uniinf.environment import BanditEnvironment

    inst = I.lower_bound(5, 20_000, alpha=1.6, m=1.0, eta=0.5)
    big, gamma = inst.scale, inst.base[1] / inst.scale
    assert np.isclose(gamma * big**1.6, 1.0)  # E l^alpha = sigma^alpha = 1 for the suboptimal arms
    assert np.isclose(inst.sigma(1.6), 1.0) and inst.best_arm() == 0
    assert np.isclose(inst.base[1] - inst.base[0], 0.5 * gamma * big)
    env = BanditEnvironment([inst] * 4, range(4))
    losses = np.stack([env.losses(t) for t in range(1, 20_001)])
    assert set(np.unique(np.round(losses, 9))) <= {0.0, round(big, 9)}  # two points, non-negative
    freq = (losses > 0).mean(axis=(0, 1))
    assert abs(freq[1:].mean() - gamma) < 4 * np.sqrt(gamma / losses[..., 1:].size) + 1e-12
    with pytest.raises(ValueError, match="two_point"):
        Instance((0.0, 2.0), 100, "two_point", 1.5, 1.0)  # a mean above the big loss
