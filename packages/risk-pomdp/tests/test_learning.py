import subprocess
import sys

import numpy as np
import pytest
from paperkit import run_cell
from paperkit.regret import log_spaced_steps

from risk_pomdp.config import TrainConfig
from risk_pomdp.experiments import EXPERIMENTS
from risk_pomdp.instances import paper_pomdp
from risk_pomdp.rsvi2 import RSVI2
from risk_pomdp.train import train


def _regret(method, **kw):
    return train(TrainConfig(method=method, **kw)).regret.sum()


@pytest.mark.parametrize("gamma", [-1.0, 1.0])
def test_bvvi_learns_on_the_paper_pomdp(gamma):
    kw = dict(instance="paper-pomdp", gamma=gamma, episodes=150)
    assert _regret("bvvi", **kw) < 0.25 * _regret("random", **kw)


@pytest.mark.parametrize(
    ("method", "margin"), [("bvvi-nobonus", 0.25), ("bvvi-risk-neutral", 0.25), ("rsvi2", 0.85)]
)
def test_baselines_beat_random_on_the_paper_pomdp(method, margin):
    kw = dict(instance="paper-pomdp", gamma=1.0, episodes=150)
    assert _regret(method, **kw) < margin * _regret("random", **kw)


def test_oracle_has_zero_regret():
    res = train(TrainConfig(method="oracle", instance="contrast", gamma=0.5, episodes=20))
    assert np.abs(res.regret).max() < 1e-9


def test_rsvi2_on_observations_is_exact_in_the_mdp():
    # Plenty of exact data, no bonus: RSVI2's greedy observation policy is optimal when observation = state.
    mdp = paper_pomdp(observable=True)
    learner = RSVI2(mdp, 1.0, episodes=10, bonus_scale=0.0)
    rng = np.random.default_rng(0)
    from risk_pomdp.evaluation import entropic_value, optimal_plan
    from risk_pomdp.learners import rollout

    uniform = [np.full((mdp.n_histories(h), mdp.A), 0.5) for h in range(mdp.H)]
    for _ in range(3000):
        learner.update(rollout(mdp, uniform, rng))
    assert entropic_value(mdp, learner.policy(), 1.0) == pytest.approx(optimal_plan(mdp, 1.0).value, abs=1e-9)


def test_risk_neutral_planner_gambles_where_bvvi_plays_safe():
    # With well-estimated models (uniform exploration) and the small bonus: at gamma = -1 BVVI plays safe (optimal),
    # while the gamma -> 0 planner gambles, whose entropic value at gamma = -1 is worse by about 0.22.
    from risk_pomdp.bvvi import BVVI
    from risk_pomdp.evaluation import entropic_value, optimal_plan
    from risk_pomdp.instances import contrast_pomdp
    from risk_pomdp.learners import rollout

    pomdp = contrast_pomdp()
    bvvi = BVVI(pomdp, -1.0, episodes=1000, bonus_scale=0.01)
    neutral = BVVI(pomdp, -1.0, episodes=1000, bonus_scale=0.01, plan_gamma=1e-3)
    rng = np.random.default_rng(0)
    uniform = [np.full((pomdp.n_histories(h), pomdp.A), 0.5) for h in range(pomdp.H)]
    for _ in range(4000):
        traj = rollout(pomdp, uniform, rng)
        bvvi.update(traj)
        neutral.update(traj)
    j_star = optimal_plan(pomdp, -1.0).value
    assert entropic_value(pomdp, bvvi.policy(), -1.0) == pytest.approx(j_star, abs=1e-9)
    assert j_star - entropic_value(pomdp, neutral.policy(), -1.0) > 0.15


def test_checkpoint_resume_is_bit_exact(tmp_path):
    base = dict(instance="paper-pomdp", method="bvvi", episodes=30)
    full = train(TrainConfig(**base))
    cfg = TrainConfig(**base, checkpoint_every=15, run_dir=str(tmp_path / "run"))
    assert train(cfg, stop_after=15).regret.size == 15
    assert np.array_equal(train(cfg).regret, full.regret)
    with pytest.raises(ValueError, match="different config"):
        train(TrainConfig(**{**base, "gamma": 2.0}, checkpoint_every=15, run_dir=cfg.run_dir))


@pytest.mark.parametrize(
    ("field", "value"),
    [("gamma", 0.0), ("episodes", 0), ("method", "ppo"), ("delta", 0.0), ("bonus_scale", -1.0)],
)
def test_bad_config(field, value):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**{field: value})


def test_run_dir_without_checkpoints_is_refused_not_ignored(tmp_path):
    """Issue 23: --run-dir alone used to run and write nothing; it is refused with one line naming both flags."""
    with pytest.raises(
        ValueError, match=r"run_dir=.*checkpoint_every > 0 \(--run-dir with --checkpoint-every N\)"
    ):
        TrainConfig(run_dir=str(tmp_path / "run"))
    out = subprocess.run(
        [sys.executable, "-m", "risk_pomdp", "train", "--episodes", "5", "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "--run-dir" in out.stderr and "--checkpoint-every" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "run").exists()


def test_smoke_cell_records(tmp_path):
    exp = next(e for e in EXPERIMENTS if e.name == "paper-pomdp-vs-mdp")
    records = run_cell(exp, method="bvvi-mdp", seed=0, preset="smoke", out_dir=tmp_path)
    regret = [r for r in records if r.metric == "cumulative_regret"]
    assert [r.step for r in regret] == log_spaced_steps(100)

    from paperkit.regret import regret_svg, summarize

    table = summarize(tmp_path, experiments=EXPERIMENTS)
    assert "| bvvi-mdp | 1 | 100 |" in table
    assert regret_svg(tmp_path, exp.name, exp.methods).startswith("<svg")


def test_cli_bad_input():
    out = subprocess.run(
        [sys.executable, "-m", "risk_pomdp", "train", "--gamma", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and "gamma" in out.stderr
