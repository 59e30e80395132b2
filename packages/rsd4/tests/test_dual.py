import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsd4.dual import DualState, dual_step, mixture_weights


def _step(lam, energy, e0=10.0, lr=0.5, **kw):
    state = DualState.start(lam, 1)
    return dual_step(state, np.array([energy]), np.array([e0]), lr, **kw)[1][0]


def test_dual_variable_moves_toward_the_constraint():
    assert _step(1.0, energy=12.0) == pytest.approx(1.1)  # over budget: energy gets dearer
    assert _step(1.0, energy=8.0) == pytest.approx(0.9)  # under budget: cheaper
    assert _step(0.05, energy=0.0) == 0.0  # projected onto λ >= 0


@settings(max_examples=50, deadline=None)
@given(
    lam=st.floats(0, 5),
    energy=st.floats(0, 100),
    decay=st.floats(0, 1),
    kp=st.floats(0, 2),
    ema=st.floats(0, 0.99),
    steps=st.integers(0, 50),
)
def test_dual_step_is_projected_and_points_toward_the_budget(lam, energy, decay, kp, ema, steps):
    e0 = np.array([10.0])
    state = DualState(np.array([lam]), np.array([energy]), steps)  # running average already at `energy`
    new, out = dual_step(state, np.array([energy]), e0, 0.3, decay, kp, ema)
    assert (out >= 0).all() and (new.integral >= 0).all()
    if energy > 10.0:
        assert out[0] >= lam and new.integral[0] >= lam
    elif energy < 10.0:
        assert new.integral[0] <= lam
    assert new.steps == steps + 1


def test_decay_shrinks_the_step_and_ema_averages():
    s = DualState(np.array([1.0]), np.array([np.nan]), 99)
    _, lam = dual_step(s, np.array([20.0]), np.array([10.0]), 0.5, decay=0.5)
    assert lam[0] == pytest.approx(1.0 + 0.5 / 10.0)  # η_99 = η_0 / sqrt(100)
    s = DualState(np.array([1.0]), np.array([10.0]), 0)
    new, _ = dual_step(s, np.array([20.0]), np.array([10.0]), 0.5, ema=0.75)
    assert new.energy_avg[0] == pytest.approx(12.5)


def test_nodes_have_independent_multipliers():
    s = DualState.start(1.0, 2)
    _, lam = dual_step(s, np.array([12.0, 8.0]), np.array([10.0, 10.0]), 0.5)
    np.testing.assert_allclose(lam, [1.1, 0.9])


def _closed_loop(rng, k_steps, lr, decay, kp, ema):
    """A toy primal: the policy's energy answers λ with a lag and evaluation noise,
    E(λ) = 40·exp(−λ/0.2); the budget E_0 = 20 needs λ* = 0.2·ln 2."""
    state, lam, e_pol = DualState.start(0.05, 1), np.array([0.05]), 40.0
    e0 = np.array([20.0])
    history = []
    for _ in range(k_steps):
        e_pol = 0.5 * e_pol + 0.5 * 40.0 * np.exp(-lam[0] / 0.2)  # the policy catches up half-way
        measured = e_pol * (1 + 0.15 * rng.standard_normal())
        state, lam = dual_step(state, np.array([measured]), e0, lr, decay, kp, ema)
        history.append(e_pol / 20.0)
    return np.array(history)


def test_stabilised_dual_loop_settles_on_a_lagged_noisy_toy_primal():
    plain, stable = [], []
    for seed in range(5):
        plain.append(_closed_loop(np.random.default_rng(seed), 60, 0.5, 0.0, 0.0, 0.0)[-20:])
        stable.append(_closed_loop(np.random.default_rng(seed), 60, 0.5, 0.5, 0.0, 0.5)[-20:])
    plain, stable = np.array(plain), np.array(stable)
    assert abs(stable.mean() - 1) < 0.05  # ends at the budget on average
    assert np.abs(stable - 1).mean() < np.abs(plain - 1).mean()  # and wanders less than the plain step


@settings(max_examples=60, deadline=None)
@given(
    pts=st.lists(st.tuples(st.floats(0, 10), st.floats(0, 20)), min_size=1, max_size=8),
    e0=st.floats(1, 15),
)
def test_mixture_is_the_best_randomised_policy_within_budget(pts, e0):
    t, e = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    w = mixture_weights(t, e, e0)
    assert abs(sum(w.values()) - 1) < 1e-9 and all(v >= 0 for v in w.values()) and len(w) <= 2
    energy = sum(v * e[k] for k, v in w.items())
    value = sum(v * t[k] for k, v in w.items())
    if (e <= e0).any():
        assert energy <= e0 + 1e-9
        assert value >= t[e <= e0].max() - 1e-9  # never worse than the best single iterate within budget
        # brute force over pairs on a grid: nothing within budget beats the chosen mixture
        for i in range(len(t)):
            for j in range(len(t)):
                for a in np.linspace(0, 1, 11):
                    if a * e[i] + (1 - a) * e[j] <= e0:
                        assert a * t[i] + (1 - a) * t[j] <= value + 1e-9
    else:
        assert w == {int(np.argmin(e)): 1.0}


def test_mixture_straddles_the_budget():
    w = mixture_weights(np.array([4.0, 6.0]), np.array([8.0, 12.0]), 10.0)
    assert w == pytest.approx({0: 0.5, 1: 0.5})
