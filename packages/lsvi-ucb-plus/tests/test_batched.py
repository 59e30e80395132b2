"""The seed-vectorised learners play, seed by seed, exactly what the per-seed learners play."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paperkit import read_records

from lsvi_ucb_plus import Config, train
from lsvi_ucb_plus.agents import greedy_first
from lsvi_ucb_plus.batched import run_rows, run_seeds
from lsvi_ucb_plus.experiments import EXPERIMENTS, method_config, run_batched

HARD = Config(instance="hard", d=3, horizon=3, episodes=150, hard_delta=0.05, bonus_scale=0.1)
LOWRANK = Config(instance="lowrank", d=3, horizon=4, n_states=6, n_actions=4, episodes=120, bonus_scale=0.01)


def _assert_rows_match(cfgs):
    out = run_rows(cfgs)
    for b, cfg in enumerate(cfgs):
        ref = train(cfg)
        np.testing.assert_allclose(out["regret"][b], ref.regret, rtol=0, atol=1e-9, err_msg=str(cfg))
        assert out["switches"][b] == ref.switches
        np.testing.assert_equal(out["big_floor_fraction"][b], ref.big_floor_fraction)


@pytest.mark.parametrize("base", [HARD, LOWRANK], ids=["hard", "lowrank"])
def test_mixed_plus_rows_match_the_per_seed_learner(base):
    """One batch with several seeds, bonus scales and every LSVI-UCB+ option equals train() row by row."""
    methods = [
        "lsvi-ucb-plus",
        "lsvi-ucb-plus-noweights",
        "lsvi-ucb-plus-noswitch",
        "lsvi-ucb-plus-norunmin",
        "lsvi-ucb-plus-cthr1",
        "lsvi-ucb-plus-remark74",
    ]
    cfgs = [method_config(base, m, seed) for m in methods for seed in (0, 3)]
    cfgs.append(dataclasses.replace(base, bonus_scale=0.03, seed=5))
    _assert_rows_match(cfgs)


def test_lsvi_ucb_rows_match_the_per_seed_learner():
    cfgs = [
        dataclasses.replace(HARD, algo="lsvi-ucb", bonus_scale=c, seed=s) for c in (0.03, 0.1) for s in (0, 1)
    ]
    _assert_rows_match(cfgs)


def test_a_row_does_not_depend_on_its_batch():
    alone = run_seeds(HARD, [2])["regret"][0]
    together = run_seeds(HARD, [0, 1, 2, 3])["regret"][2]
    np.testing.assert_array_equal(alone, together)


def test_rows_of_different_families_are_refused():
    with pytest.raises(ValueError, match="LSVI-UCB"):
        run_rows([HARD, dataclasses.replace(HARD, algo="lsvi-ucb")])


def test_batched_cells_write_the_records_of_single_cells(tmp_path):
    exp = next(e for e in EXPERIMENTS if e.name == "hard-large-k")
    run_batched(exp, "smoke", [0, 1], tmp_path, ("lsvi-ucb-plus", "lsvi-ucb"))
    for method in ("lsvi-ucb-plus", "lsvi-ucb"):
        batched = read_records(
            tmp_path / "smoke" / "lsvi-ucb-plus" / exp.name / method / "seed1" / "records.jsonl"
        )
        single = exp.run(method=method, seed=1, preset="smoke", out_dir=tmp_path / "single" / method)
        pick = {(r.metric, r.step): r.value for r in batched if r.metric != "cell_seconds"}
        assert pick == {(r.metric, r.step): r.value for r in single}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=6), st.floats(-1e-12, 1e-12))
def test_greedy_first_takes_the_first_action_within_the_tolerance(values, jitter):
    q = np.array(values, dtype=float)
    q[-1] += jitter  # round-off on a tied action never changes the choice
    best = int(np.flatnonzero(np.array(values) == max(values))[0])
    assert greedy_first(q) == best
