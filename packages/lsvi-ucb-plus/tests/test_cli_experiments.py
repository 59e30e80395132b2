import pytest
from paperkit.regret import tail_loglog_slope

from lsvi_ucb_plus.cli import main
from lsvi_ucb_plus.experiments import EXPERIMENTS


def test_loglog_slope_recovers_an_exponent():
    steps = [10, 20, 40, 80, 160, 320]
    assert tail_loglog_slope(steps, [3 * s**0.5 for s in steps]) == pytest.approx(0.5)


def test_cli_train_prints_the_regret(capsys):
    main_args = ["train", "--episodes", "30", "--d", "3", "--horizon", "3"]
    import sys

    old = sys.argv
    sys.argv = ["lsvi-ucb-plus", *main_args]
    try:
        main()
    finally:
        sys.argv = old
    assert "cumulative regret" in capsys.readouterr().out


def test_cli_bad_value_exits_with_code_2(capsys):
    import sys

    old = sys.argv
    sys.argv = ["lsvi-ucb-plus", "train", "--episodes", "0"]
    try:
        with pytest.raises(SystemExit) as e:
            main()
    finally:
        sys.argv = old
    assert e.value.code == 2
    assert "episodes" in capsys.readouterr().err


def test_smoke_cells_beat_the_random_policy(tmp_path):
    """Every learner of the low-rank smoke cell is well below the random policy's exact regret."""
    from paperkit import Seeder

    from lsvi_ucb_plus.experiments import C_LOWRANK, K_LOWRANK
    from lsvi_ucb_plus.train import Config, make_instance, random_policy_regret

    exp = next(e for e in EXPERIMENTS if e.name == "lowrank")
    base = Config(
        instance="lowrank",
        d=6,
        horizon=10,
        n_states=20,
        n_actions=10,
        episodes=K_LOWRANK["smoke"],
        bonus_scale=C_LOWRANK,
    )
    random_regret = random_policy_regret(make_instance(base, Seeder(0).numpy("instance")), base.episodes)
    for method in exp.methods:
        recs = exp.run(method=method, seed=0, preset="smoke", out_dir=tmp_path / method)
        final = max((r for r in recs if r.metric == exp.metric), key=lambda r: r.step)
        assert final.step == base.episodes
        assert final.value < 0.8 * random_regret, method


def test_every_experiment_has_a_runnable_smoke_cell(tmp_path):
    for exp in EXPERIMENTS:
        recs = exp.run(method=exp.proposed, seed=0, preset="smoke", out_dir=tmp_path / exp.name)
        assert any(r.metric == exp.metric for r in recs)


def test_claims_fit_the_experiments():
    from paperkit import check_claims

    from lsvi_ucb_plus.experiments import CLAIMS

    check_claims(CLAIMS, EXPERIMENTS)
    assert any(c.headroom for c in CLAIMS)
