import statistics

from paperkit import read_records, run_cell

from uniinf.experiments import EXPERIMENTS


def test_smoke_uniinf_beats_robust_ucb_on_the_ucb_killer(tmp_path):
    exp = next(e for e in EXPERIMENTS if e.name == "e2_ucb_killer")
    finals = {}
    for method in ("uniinf", "robust_ucb"):
        vals = []
        for seed in range(exp.seeds["smoke"]):
            records = run_cell(
                exp, method=method, seed=seed, preset="smoke", out_dir=tmp_path / method / str(seed)
            )
            vals.append(next(r.value for r in records if r.metric == "regret" and r.step is None))
            curve = [r for r in records if r.metric == "regret" and r.step is not None]
            assert len(curve) >= 5 and all(r.step > 0 for r in curve)
        finals[method] = statistics.median(vals)
    assert finals["uniinf"] < finals["robust_ucb"] - 50, finals


def test_every_experiment_cell_returns_headline_and_slopes(tmp_path):
    for exp in EXPERIMENTS:
        if exp.name == "e2_ucb_killer":
            continue
        records = run_cell(exp, method="uniinf", seed=0, preset="smoke", out_dir=tmp_path / exp.name)
        metrics = {r.metric for r in records}
        assert "regret" in metrics
        if exp.name == "e4_minimax":
            assert {"slope/p1.3", "slope/p1.6", "slope/p2.5", "scale_slope/p1.6"} <= metrics


def _values(records):
    return [(r.metric, r.step, r.value) for r in records if r.metric != "cell_seconds"]


def test_seed_vectorised_batch_equals_the_per_seed_cells_seed_by_seed(tmp_path):
    """``uniinf batch`` plays all seeds as rows of one batch; every seed's records must equal its own cell's."""
    from uniinf.experiments import batch_records, run_batched

    for exp in EXPERIMENTS:
        method = "htinf" if exp.name == "e6_lower_bound" else "uniinf"
        batched = batch_records(exp.name, method, [0, 1, 2], "smoke")
        for seed in (0, 2):
            alone = exp.run(method=method, seed=seed, preset="smoke", out_dir=tmp_path)
            assert _values(batched[seed]) == _values(alone), (exp.name, seed)
    exp = next(e for e in EXPERIMENTS if e.name == "e6_lower_bound")
    run_batched(exp, "smoke", [0, 1], tmp_path, ("uniinf",))
    cell = tmp_path / "smoke" / "uniinf" / exp.name / "uniinf"
    first = (cell / "seed0" / "records.jsonl").read_bytes()
    run_batched(exp, "smoke", [0, 1, 2], tmp_path, ("uniinf",))  # finished cells are skipped: seed 2 runs
    assert (cell / "seed0" / "records.jsonl").read_bytes() == first
    assert _values(read_records(cell / "seed2" / "records.jsonl")) == _values(
        exp.run(method="uniinf", seed=2, preset="smoke", out_dir=tmp_path / "alone")
    )
    assert run_batched(exp, "smoke", [0, 1, 2], tmp_path, ("uniinf",)) == 0.0


def test_gap_and_lower_bound_records(tmp_path):
    from uniinf.experiments import GAP_GRID, GAP_STEP, GAP_TAILS, LB_ALPHAS, LB_HORIZONS, batch_records

    recs = batch_records("e5_gap_scaling", "uniinf", [0], "smoke")[0]
    for p in GAP_TAILS:
        late = {r.step: r.value for r in recs if r.metric == f"late_regret/p{p}"}
        assert sorted(late) == [round(GAP_STEP * g) for g in GAP_GRID]
        share = [r.value for r in recs if r.metric == f"late_best_share/p{p}"]
        assert all(0.0 <= v <= 1.0 for v in share)
    recs = batch_records("e6_lower_bound", "uniinf", [0], "smoke")[0]
    for a in LB_ALPHAS:
        frac = {r.step: r.value for r in recs if r.metric == f"regret_fraction/a{a}"}
        assert sorted(frac) == list(LB_HORIZONS["smoke"])
        assert all(0.0 < v <= 1.0 + 1e-9 for v in frac.values())
