"""The seed-vectorised learners against the per-seed ones (seed by seed), and the lower-bound instances."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rs_disrl.confidence import extreme_expectation, optimistic_expectation
from rs_disrl.config import TrainConfig
from rs_disrl.experiments import CLAIMS, EXPERIMENTS, run_batched
from rs_disrl.instances import erm_lb_centre, instance_cvar_lb, instance_erm_lb
from rs_disrl.risk import cvar, entropic
from rs_disrl.train import train
from rs_disrl.vectorised import train_seeds

CASES = [
    dict(instance="Z", method="rs-disrl-v"),
    dict(instance="Z", method="rs-disrl-v-nobonus"),
    dict(instance="Z", method="rs-disrl-m"),
    dict(instance="Z", method="rs-disrl-m-nobonus"),
    dict(instance="Z", method="lsvi-ucb"),
    dict(instance="Z", method="random"),
    dict(instance="Z", method="rs-disrl-m", risk="entropic", gamma=-1.0),
    dict(instance="G", method="markov-cvar", tau=0.6, bonus_scale=1.0),
    dict(instance="G", method="rs-disrl-v", tau=0.6, bonus_scale=1.0),
    dict(instance="cvar-lb", method="rs-disrl-v", tau=0.1, gap=0.1, bonus_scale=0.3),
    dict(instance="erm-lb", method="rs-disrl-m", risk="entropic", gamma=2.0, gap=0.2),
]


@pytest.mark.parametrize(
    "case", CASES, ids=lambda c: f"{c['instance']}-{c['method']}-{c.get('risk', 'cvar')}"
)
def test_vectorised_equals_per_seed_runs(case):
    cfg = TrainConfig(episodes=30, **case)
    seeds = [0, 3, 7]
    batch = train_seeds(cfg, seeds)
    for s, res in zip(seeds, batch, strict=True):
        ref = train(dataclasses.replace(cfg, seed=s))
        np.testing.assert_array_equal(res.regret, ref.regret)
        np.testing.assert_array_equal(res.budgets, ref.budgets)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.booleans())
def test_batched_extreme_expectation_equals_one_problem_at_a_time(seed, minimize):
    rng = np.random.default_rng(seed)
    N, P, V, O = 3, 4, 5, 6
    p = rng.dirichlet(np.ones(O), size=(N, P))
    eps = rng.uniform(0, 2.5, size=(N, P))
    v = rng.normal(size=(N, V, O))
    batched = extreme_expectation(p, eps, v, minimize=minimize)
    for n in range(N):
        one = optimistic_expectation(p[n], eps[n], v[n], minimize=minimize)
        np.testing.assert_allclose(batched[n], one, rtol=0, atol=1e-12)


@pytest.mark.parametrize("tau", [0.05, 0.2, 0.7])
def test_cvar_lower_bound_gap_does_not_depend_on_tau(tau):
    mdp = instance_cvar_lb(tau, gap=0.1)
    law = mdp.kernel[0, 0, :, 0]  # [A, M]
    values = [cvar(mdp.atoms, law[a], tau) for a in range(2)]
    assert values == pytest.approx([0.4, 0.6], abs=1e-12)


@pytest.mark.parametrize("gamma", [-4.0, -1.0, 0.5, 3.0])
def test_entropic_lower_bound_gap_does_not_depend_on_gamma(gamma):
    mdp = instance_erm_lb(gamma, gap=0.2)
    law = mdp.kernel[0, 0, :, 0]
    values = [entropic(mdp.atoms, law[a], gamma) for a in range(2)]
    c = erm_lb_centre(gamma)
    assert values == pytest.approx([c - 0.1, c + 0.1], abs=1e-12)


def test_claims_fit_the_experiments():
    from paperkit.claims import check_claims

    check_claims(CLAIMS, EXPERIMENTS)


def test_batched_cells_write_the_records_of_single_cells(tmp_path):
    from paperkit.records import read_records

    exp = next(e for e in EXPERIMENTS if e.name == "tau-lb")
    # seed 1 alone first, then seeds 0-1: the second call runs only seed 0, and both equal single runs
    run_batched(exp, "smoke", [1], tmp_path, ("tau=0.1",))
    run_batched(exp, "smoke", [0, 1], tmp_path, ("tau=0.1",))
    strip = lambda rs: [(r.metric, r.step, r.value) for r in rs if r.metric != "cell_seconds"]  # noqa: E731
    for seed in (0, 1):
        got = read_records(
            tmp_path / "smoke" / "rs-disrl" / "tau-lb" / "tau=0.1" / f"seed{seed}" / "records.jsonl"
        )
        want = exp.run(method="tau=0.1", seed=seed, preset="smoke", out_dir=tmp_path / "single")
        assert strip(got) == strip(want)
