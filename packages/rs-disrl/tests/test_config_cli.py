import itertools
import subprocess
import sys

import pytest
from paperkit import run_cell
from paperkit.regret import log_spaced_steps

from rs_disrl.config import TrainConfig
from rs_disrl.experiments import EXPERIMENTS


@pytest.mark.parametrize(
    ("field", "value"),
    [("tau", 0.0), ("tau", 1.2), ("episodes", 0), ("method", "ppo"), ("bonus_scale", -1.0), ("delta", 1.0)],
)
def test_bad_config_names_field(field, value):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**{field: value})


def test_bad_combinations():
    with pytest.raises(ValueError, match="gamma"):
        TrainConfig(risk="entropic", method="rs-disrl-m", gamma=0.0)
    with pytest.raises(ValueError, match="optimises CVaR"):
        TrainConfig(risk="entropic", method="rs-disrl-v")
    with pytest.raises(ValueError, match="run_dir"):
        TrainConfig(checkpoint_every=5)


def test_log_spaced_steps():
    steps = log_spaced_steps(2000)
    assert steps[0] == 1 and steps[-1] == 2000 and steps == sorted(set(steps))


def test_smoke_cell_returns_curve_and_headline(tmp_path):
    exp = next(e for e in EXPERIMENTS if e.name == "augmentation-instance-g")
    records = run_cell(exp, method="rs-disrl-m", seed=0, preset="smoke", out_dir=tmp_path)
    regret = [r for r in records if r.metric == "cumulative_regret"]
    assert [r.step for r in regret] == log_spaced_steps(100)
    assert all(
        b.value >= a.value - 1e-9 for a, b in itertools.pairwise(regret)
    )  # cumulative regret never drops

    from paperkit.regret import regret_svg, summarize

    table = summarize(tmp_path, experiments=EXPERIMENTS)
    assert "| rs-disrl-m | 1 | 100 |" in table
    assert regret_svg(tmp_path, exp.name, exp.methods).startswith("<svg")


def test_cli_reports_bad_input():
    out = subprocess.run(
        [sys.executable, "-m", "rs_disrl", "train", "--tau", "2.0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and "tau" in out.stderr
