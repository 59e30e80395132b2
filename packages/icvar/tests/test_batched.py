"""The seed-vectorised ICVaR-L plays, row by row, exactly what the per-seed ICVaR-L plays."""

import numpy as np
import pytest
from paperkit import read_records

from icvar import train
from icvar.batched import run_rows, run_seeds
from icvar.experiments import EXPERIMENTS, base_config, gap_matched_config, run_batched
from icvar.instances import action_gap, gap_matched_split


def test_mixed_rows_match_the_per_seed_learner():
    """Seeds, α, the bonus (icvar-l and icvar-l-nobonus) and the true kernel (split) differ across rows."""
    cfgs = [
        base_config(algo=a, alpha=al, episodes=25, seed=s, n_satellites=2)
        for a in ("icvar-l", "icvar-l-nobonus")
        for al in (0.3, 0.15)
        for s in (0, 1)
    ]
    cfgs.append(base_config(algo="icvar-l", alpha=0.5, split=0.3, episodes=25, seed=7, n_satellites=2))
    out = run_rows(cfgs)
    for b, cfg in enumerate(cfgs):
        np.testing.assert_allclose(out["regret"][b], train(cfg).regret, rtol=0, atol=1e-12, err_msg=str(cfg))


def test_gap_matched_rows_match_the_per_seed_learner():
    cfgs = [
        gap_matched_config(m, a, 40, s)
        for m in ("icvar-l", "icvar-l-nobonus")
        for a in (0.2, 0.8)
        for s in (3,)
    ]
    out = run_rows(cfgs)
    for b, cfg in enumerate(cfgs):
        np.testing.assert_allclose(out["regret"][b], train(cfg).regret, rtol=0, atol=1e-12)


def test_a_row_does_not_depend_on_its_batch():
    cfg = base_config(algo="icvar-l", alpha=0.3, episodes=20, n_satellites=2)
    np.testing.assert_array_equal(run_seeds(cfg, [2])["regret"][0], run_seeds(cfg, [0, 1, 2])["regret"][2])


def test_other_learners_and_other_features_are_refused():
    with pytest.raises(ValueError, match="icvar-l"):
        run_rows([base_config(algo="icvar-vi", episodes=5)])
    with pytest.raises(ValueError, match="features"):
        run_rows([base_config(episodes=5), base_config(episodes=5, p_high=0.5)])


@pytest.mark.parametrize("alpha", [0.1, 0.35, 0.8])
def test_gap_matched_split_sets_the_gap_and_fixes_p_over_alpha(alpha):
    split = gap_matched_split(alpha, 0.2, horizon=4, p_high=0.5)
    assert action_gap(alpha, 1, 2, 4, 0.5, split) == pytest.approx(0.2, abs=1e-9)
    # the ICVaR values depend on α only through p/α: the same κ = p/α at every α
    ref = gap_matched_split(0.5, 0.2, horizon=4, p_high=0.5) * 0.5 / 0.5
    assert split * 0.5 / alpha == pytest.approx(ref, rel=1e-6)


def test_batched_cells_write_the_records_of_single_cells(tmp_path):
    exp = next(e for e in EXPERIMENTS if e.name == "gap-matched-alpha")
    run_batched(exp, "smoke", [0, 1], tmp_path)
    for method in exp.methods:
        path = tmp_path / "smoke" / "icvar" / exp.name / method / "seed1" / "records.jsonl"
        batched = {(r.metric, r.step): r.value for r in read_records(path) if r.metric != "cell_seconds"}
        single = exp.run(method=method, seed=1, preset="smoke", out_dir=tmp_path / "single" / method)
        assert batched == {(r.metric, r.step): r.value for r in single}
