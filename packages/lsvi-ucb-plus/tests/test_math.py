import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lsvi_ucb_plus import WeightedRidge, lsvi_ucb_beta, plus_constants
from lsvi_ucb_plus.variance import (
    covering_slack,
    floor_level,
    gap_variance_bound,
    optimism_offset,
    sigma_hat,
    sigma_tilde,
    variance_estimate,
)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 60), refresh=st.sampled_from([0, 7]))
def test_weighted_ridge_equals_the_direct_solution(seed, n, refresh):
    g = np.random.default_rng(seed)
    d, S, lam = 3, 5, 0.05
    X = g.normal(size=(n, d)) / 2
    w = g.uniform(0.01, 2.0, size=n)
    nxt = g.integers(0, S, size=n)
    V = g.uniform(0, 4, size=S)
    ridge = WeightedRidge(d, S, lam, refresh_every=refresh)
    for x, wi, s in zip(X, w, nxt):
        ridge.add(x, float(wi), int(s))
    gram = lam * np.eye(d) + (X * w[:, None]).T @ X
    theta = np.linalg.solve(gram, (X * w[:, None]).T @ V[nxt])
    np.testing.assert_allclose(ridge.gram, gram, atol=1e-10)
    np.testing.assert_allclose(ridge.predict_weights(V), theta, rtol=1e-6, atol=1e-8)
    assert ridge.logdet == pytest.approx(np.linalg.slogdet(gram)[1], abs=1e-6)
    np.testing.assert_allclose(
        ridge.norms(X), np.sqrt(np.einsum("ni,ij,nj->n", X, np.linalg.inv(gram), X)), rtol=1e-6
    )


def test_variance_estimate_clips_moments_before_combining():
    H = 4
    assert variance_estimate(2.0, 5.0, H) == pytest.approx(1.0)
    assert variance_estimate(-1.0, 3.0, H) == pytest.approx(3.0)  # first moment clipped to 0
    assert variance_estimate(5.0, 100.0, H) == pytest.approx(0.0)  # 16 - 4²
    assert variance_estimate(1.0, -2.0, H) == pytest.approx(-1.0)  # second clipped to 0, can be negative


@settings(max_examples=100, deadline=None)
@given(
    norm=st.floats(0, 10),
    gap=st.floats(-5, 5),
    var=st.floats(-16, 16),
    H=st.integers(1, 10),
    c_e=st.floats(0.1, 100),
)
def test_sigma_bounds(norm, gap, var, H, c_e):
    U = optimism_offset(norm, gap, 1.0, 0.5, 0.5, H)
    E = gap_variance_bound(norm, gap, 0.5, 0.5, H, 0.01, 100)
    assert 0 <= U <= 2 * H**2
    assert E <= H**2
    s_tilde = sigma_tilde(var, U, E, c_e, H)
    assert s_tilde >= math.sqrt(H) - 1e-12
    s_hat = sigma_hat(var, U, E, c_e, math.sqrt(H))
    assert s_hat >= math.sqrt(H) - 1e-12
    assert s_hat**2 >= c_e * E - 1e-9
    assert sigma_hat(var, U, E, c_e, 100.0) == pytest.approx(max(100.0, s_hat))


def test_floor_switches_at_the_threshold():
    assert floor_level(0.1, 0.1, 9, 50.0) == pytest.approx(3.0)
    assert floor_level(0.11, 0.1, 9, 50.0) == pytest.approx(50.0)
    # the well-covered floor is an option; the paper's √H is the default
    assert floor_level(0.1, 0.1, 9, 50.0, sigma_small=1.5) == pytest.approx(1.5)
    assert floor_level(0.2, 0.1, 9, 50.0, sigma_small=1.5) == pytest.approx(50.0)


def test_gap_bound_slack_is_the_covering_resolution():
    # Lemma C.17 eq. (30): with no gap and no width, E = H·ζ with ζ = H√λ/K (not H·sqrt(λ/K))
    H, lam, K = 4, 0.04, 1000
    assert covering_slack(H, lam, K) == pytest.approx(4 * 0.2 / 1000)
    assert gap_variance_bound(0.0, 0.0, 1.0, 1.0, H, lam, K) == pytest.approx(H * 4 * 0.2 / 1000)
    # E grows by H per unit of gap and is capped at H²
    assert gap_variance_bound(0.0, 1.0, 1.0, 1.0, H, lam, K) == pytest.approx(H * (1.0 + 0.0008))
    assert gap_variance_bound(10.0, 5.0, 1.0, 1.0, H, lam, K) == H**2


def test_radii_scale_as_stated():
    a = plus_constants(4, 5, 1000, 0.1, scale=1.0)
    b = plus_constants(16, 5, 1000, 0.1, scale=1.0)
    assert b.beta_hat / a.beta_hat == pytest.approx(2.0)  # √d
    assert b.beta_bar / a.beta_bar == pytest.approx(2.0)
    assert a.lam == pytest.approx(1 / (25 * 2))
    assert lsvi_ucb_beta(8, 5, 1000, 0.1) / lsvi_ucb_beta(4, 5, 1000, 0.1) > 2.0  # d·sqrt(log d)
    paper = plus_constants(4, 5, 1000, 0.1, radii="paper")
    assert paper.c_e == 4**3 * 5 and paper.beta_hat > a.beta_hat
    with pytest.raises(ValueError, match="radii"):
        plus_constants(4, 5, 1000, 0.1, radii="loose")


def test_floor_rules_keep_the_papers_coupling():
    # Lemma C.14 needs ς_big/σ̃ <= ς_big/√H = 1/sqrt(c_thr): every preset pair satisfies c_thr·ς_big²/H = 1
    d, H = 5, 4
    for rule, (thr, big) in {
        "box": (1 / (H**3 * d**5), H**2 * d**2.5),
        "remark": (1 / (H * d**3), H * d**1.5),
        "radii": (1 / (H * d), H * math.sqrt(d)),
    }.items():
        c = plus_constants(d, H, 1000, 0.1, floor_rule=rule)
        assert c.c_thr == pytest.approx(thr) and c.sigma_big == pytest.approx(big)
        assert c.c_thr * c.sigma_big**2 / H == pytest.approx(1.0)
    assert plus_constants(d, H, 1000, 0.1, floor_rule="remark", c_thr=0.5).c_thr == 0.5
    with pytest.raises(ValueError, match="floor_rule"):
        plus_constants(d, H, 1000, 0.1, floor_rule="bogus")
