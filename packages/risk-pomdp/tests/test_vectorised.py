"""The seed-vectorised learners against the per-seed ones (seed by seed), the best memoryless policy against
brute force, and the lower-bound instance."""

import dataclasses
import itertools

import numpy as np
import pytest

from risk_pomdp.config import TrainConfig
from risk_pomdp.evaluation import best_memoryless, entropic_value
from risk_pomdp.experiments import CLAIMS, EXPERIMENTS, run_batched
from risk_pomdp.instances import erm_lb_centre, erm_lb_pomdp, random_pomdp
from risk_pomdp.train import train
from risk_pomdp.vectorised import train_seeds

CASES = [
    dict(instance="paper-pomdp", method="bvvi", gamma=1.0),
    dict(instance="paper-mdp", method="bvvi", gamma=-1.0),
    dict(instance="contrast", method="bvvi", gamma=-1.0, bonus_scale=0.1),
    dict(instance="contrast", method="bvvi-nobonus", gamma=1.0),
    dict(instance="contrast", method="bvvi-risk-neutral", gamma=-1.0, bonus_scale=0.1),
    dict(instance="paper-pomdp", method="rsvi2", gamma=1.0, bonus_scale=0.1),
    dict(instance="contrast", method="rsvi2", gamma=-1.0),
    dict(instance="erm-lb", method="bvvi", gamma=3.0, bonus_scale=0.03),
    dict(instance="erm-lb", method="bvvi", gamma=-2.0, bonus_scale=0.03, bonus_in_q=True),
    dict(instance="paper-pomdp", method="memoryless", gamma=1.0),
    dict(instance="contrast", method="oracle", gamma=0.5),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['instance']}-{c['method']}-{c['gamma']}")
def test_vectorised_equals_per_seed_runs(case):
    cfg = TrainConfig(episodes=30, **case)
    seeds = [0, 3, 7]
    for s, res in zip(seeds, train_seeds(cfg, seeds), strict=True):
        ref = train(dataclasses.replace(cfg, seed=s))
        np.testing.assert_array_equal(res.regret, ref.regret)
        np.testing.assert_array_equal(res.returns, ref.returns)


def test_vectorised_random_has_the_per_seed_regret():
    cfg = TrainConfig(instance="contrast", method="random", gamma=-1.0, episodes=20)
    for s, res in zip([0, 1], train_seeds(cfg, [0, 1]), strict=True):
        np.testing.assert_array_equal(res.regret, train(dataclasses.replace(cfg, seed=s)).regret)


@pytest.mark.parametrize("gamma", [-1.5, 0.7])
def test_best_memoryless_matches_brute_force(gamma):
    pomdp = random_pomdp(np.random.default_rng(4), S=2, A=2, O=2, H=2)
    best = -np.inf
    for flat in itertools.product(range(2), repeat=4):
        table = np.array(flat).reshape(2, 2)  # [H, O]
        policy = [table[h][np.arange(pomdp.n_histories(h)) % 2] for h in range(2)]
        best = max(best, entropic_value(pomdp, policy, gamma))
    value, policy = best_memoryless(pomdp, gamma)
    assert value == pytest.approx(best, abs=1e-12)
    assert entropic_value(pomdp, policy, gamma) == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize("gamma", [-4.0, -1.0, 1.0, 4.0])
def test_lower_bound_arms_have_the_stated_entropic_values(gamma):
    pomdp = erm_lb_pomdp(gamma, gap=0.2)
    c = erm_lb_centre(gamma)
    for a, want in enumerate((c - 0.1, c + 0.1)):
        policy = [np.full(pomdp.n_histories(h), a) for h in range(pomdp.H)]
        assert entropic_value(pomdp, policy, gamma) == pytest.approx(want, abs=1e-12)


def test_claims_fit_the_experiments():
    from paperkit.claims import check_claims

    check_claims(CLAIMS, EXPERIMENTS)


def test_batched_cells_write_the_records_of_single_cells(tmp_path):
    from paperkit.records import read_records

    exp = next(e for e in EXPERIMENTS if e.name == "risk-contrast")
    # seed 1 alone first, then seeds 0-1: the second call runs only seed 0, and both equal single runs
    run_batched(exp, "smoke", [1], tmp_path, ("bvvi",))
    run_batched(exp, "smoke", [0, 1], tmp_path, ("bvvi",))
    strip = lambda rs: [(r.metric, r.step, r.value) for r in rs if r.metric != "cell_seconds"]  # noqa: E731
    for seed in (0, 1):
        got = read_records(
            tmp_path / "smoke" / "risk-pomdp" / "risk-contrast" / "bvvi" / f"seed{seed}" / "records.jsonl"
        )
        want = exp.run(method="bvvi", seed=seed, preset="smoke", out_dir=tmp_path / "single")
        assert strip(got) == strip(want)
