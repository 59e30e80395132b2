import sys

import numpy as np
import pytest
from paperkit import read_records, run_cell

from umo2 import RunConfig, Simulator, load_topology, simulate, train
from umo2.cli import main
from umo2.experiments import EXPERIMENTS


def test_stationary_instance_oracle_and_umo2_keep_backlog_bounded():
    # stationary: one capacity block longer than the run, one utility weight
    for algo in ("oracle", "umo2"):
        short = RunConfig(algorithm=algo, horizon=1500, seeds=3, block_base=1e9, utility_block_base=1e9)
        long = RunConfig(algorithm=algo, horizon=6000, seeds=3, block_base=1e9, utility_block_base=1e9)
        a, b = train(short), train(long)
        # backlog does not grow linearly: 4x the horizon, far less than 4x the final backlog
        assert np.median(b.final_backlog) < 2.0 * max(np.median(a.final_backlog), 5.0), (
            algo,
            a.final_backlog,
            b.final_backlog,
        )
        assert max(b.final_backlog) < 100


def test_umo2_learns_good_modes_and_beats_random_on_utility():
    umo = train(RunConfig(algorithm="umo2", horizon=4000, seeds=3))
    rnd = train(RunConfig(algorithm="random", horizon=4000, seeds=3))
    assert min(umo.good_mode) > 0.65 > max(rnd.good_mode)
    assert np.median(umo.gap) < np.median(rnd.gap) - 0.1


def test_batched_rows_equal_single_runs():
    topo = load_topology("line3")
    cfg = RunConfig(algorithm="umo2", topology="line3", horizon=800)
    batch = simulate(topo, cfg, [800, 300, 800], [4, 4, 5])
    alone = simulate(topo, cfg, [800], [5])
    assert batch.gap[2] == alone.gap[0] and batch.avg_backlog[2] == alone.avg_backlog[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("horizon", 1),
        ("seeds", 0),
        ("algorithm", "greedy"),
        ("packet_success", 0.0),
        ("slack", -1.0),
        ("topology", ""),
    ],
)
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        RunConfig(**{field: value})


def test_cli_rejects_unknown_topology(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["umo2", "train", "--topology", "nowhere.json", "--horizon", "10"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    assert "nowhere.json" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()  # refused before a run folder was made


def test_smoke_cells_return_headline_records(tmp_path):
    for exp in EXPERIMENTS:
        records = run_cell(exp, method="umo2", seed=0, preset="smoke", out_dir=tmp_path / exp.name)
        assert any(r.metric == "gap" and r.step is None for r in records)
        assert sorted(r.step for r in records if r.metric == "gap" and r.step is not None) == [300, 1000]


def test_interrupted_study_resumes_from_its_cache(tmp_path, monkeypatch):
    from umo2 import experiments

    first = experiments.study("smoke", 1, tmp_path / "docs", tmp_path / "cache")
    assert len(list((tmp_path / "cache").iterdir())) == 2 * len(experiments.ALGORITHMS)

    def no_play(*args, **kwargs):
        raise AssertionError("a cached batch was recomputed")

    monkeypatch.setattr(experiments, "play", no_play)
    assert experiments.study("smoke", 1, tmp_path / "docs", tmp_path / "cache") == first


@pytest.mark.parametrize("algorithm", ["umo2", "fixed_rate", "stale", "single_hop", "oracle"])
def test_learners_see_only_the_played_modes_capacity(algorithm, monkeypatch):
    # run once and record the modes played; rerun with every *unplayed* mode's capacity replaced by garbage:
    # a bandit learner must play exactly the same (the oracle, which reads all modes, must not)
    from umo2.schedule import Schedule

    topo = load_topology("diamond")
    cfg = RunConfig(algorithm=algorithm, horizon=600)

    def run() -> tuple[list, np.ndarray]:
        sim = Simulator(topo, cfg, [600, 600], [0, 1])
        played = []
        if sim.scheduler is not None:
            choose = sim.scheduler.choose

            def spy(W, u):
                modes = choose(W, u)
                played.append(modes.copy())
                return modes

            sim.scheduler.choose = spy
        sim.run()
        return played, sim.Q

    played, Q = run()
    if algorithm == "oracle":
        played = [np.zeros((2, topo.n_links), dtype=np.int64)] * 600  # pretend mode 0 was played
    real = Schedule.capacities

    def leaky(self, t):
        caps = real(self, t).copy()
        keep = np.zeros(caps.shape, dtype=bool)
        r, l = np.indices(played[t - 1].shape)
        keep[r, l, played[t - 1]] = True
        return np.where(keep, caps, np.random.default_rng(t).uniform(0, 5, caps.shape))

    monkeypatch.setattr(Schedule, "capacities", leaky)
    played2, Q2 = run()
    if algorithm == "oracle":
        assert not np.array_equal(Q, Q2)
    else:
        assert all(np.array_equal(a, b) for a, b in zip(played, played2, strict=True))
        np.testing.assert_array_equal(Q, Q2)


def test_seed_vectorised_batch_equals_the_per_seed_cells_seed_by_seed(tmp_path):
    """``umo2 batch`` plays all seeds as rows of one batch; every seed's records must equal its own cell's."""
    from umo2.experiments import batch_records, run_batched, tables

    def values(records):
        return [(r.metric, r.step, r.value) for r in records if r.metric != "cell_seconds"]

    for exp in EXPERIMENTS:
        method = "no_residual_feedback" if exp.name.endswith("_ablation") else "fixed_rate"
        topology = exp.name.removesuffix("_ablation")
        batched = batch_records(exp.name, topology, method, [0, 1, 2], "smoke")
        for seed in (0, 2):
            alone = exp.run(method=method, seed=seed, preset="smoke", out_dir=tmp_path)
            assert values(batched[seed]) == values(alone), (exp.name, seed)
    exp = EXPERIMENTS[0]
    run_batched(exp, "smoke", [0, 1], tmp_path, ("umo2",))
    cell = tmp_path / "smoke" / "umo2" / exp.name / "umo2"
    first = (cell / "seed0" / "records.jsonl").read_bytes()
    run_batched(exp, "smoke", [0, 1, 2], tmp_path, ("umo2",))  # finished cells are skipped: seed 2 runs
    assert (cell / "seed0" / "records.jsonl").read_bytes() == first
    assert values(read_records(cell / "seed2" / "records.jsonl")) == values(
        exp.run(method="umo2", seed=2, preset="smoke", out_dir=tmp_path / "alone")
    )
    assert run_batched(exp, "smoke", [0, 1, 2], tmp_path, ("umo2",)) == 0.0
    text = tables(tmp_path / "smoke")
    assert "#### diamond (3 seeds)" in text and "| umo2 |" in text
