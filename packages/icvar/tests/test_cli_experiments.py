import sys

import pytest
from paperkit.regret import tail_loglog_slope

from icvar.cli import main
from icvar.experiments import EXPERIMENTS


def _run(args):
    old = sys.argv
    sys.argv = ["icvar", *args]
    try:
        main()
    finally:
        sys.argv = old


def test_cli_train_prints_the_regret(capsys):
    _run(["train", "--episodes", "10", "--alpha", "0.3"])
    assert "cumulative ICVaR regret" in capsys.readouterr().out


def test_cli_bad_alpha_exits_with_code_2(capsys):
    with pytest.raises(SystemExit) as e:
        _run(["train", "--alpha", "1.5"])
    assert e.value.code == 2
    assert "alpha" in capsys.readouterr().err


def test_loglog_slope_recovers_an_exponent():
    steps = [10, 20, 40, 80, 160]
    assert tail_loglog_slope(steps, [2 * s**0.5 for s in steps]) == pytest.approx(0.5)


def test_every_experiment_has_a_runnable_smoke_cell(tmp_path):
    for exp in EXPERIMENTS:
        recs = exp.run(method=exp.proposed, seed=0, preset="smoke", out_dir=tmp_path / exp.name)
        assert any(r.metric == exp.metric for r in recs)


def test_claims_fit_the_experiments():
    from paperkit import check_claims

    from icvar.experiments import CLAIMS

    check_claims(CLAIMS, EXPERIMENTS)
    assert any(c.headroom for c in CLAIMS)
