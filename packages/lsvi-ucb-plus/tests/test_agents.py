import dataclasses
import math

import numpy as np
import pytest
from paperkit import Seeder

from lsvi_ucb_plus import Config, evaluate, train
from lsvi_ucb_plus.train import make_instance, make_learner, random_policy_regret, run_episodes


def test_rare_switching_count_obeys_the_determinant_doubling_bound():
    cfg = Config(instance="lowrank", d=3, horizon=3, n_states=6, n_actions=3, episodes=400, bonus_scale=0.01)
    mdp = make_instance(cfg, Seeder(1).numpy("instance"))
    learner = make_learner(cfg, mdp)
    run_episodes(mdp, learner, cfg.episodes, Seeder(1).numpy("env"))
    d, H, lam = mdp.dim, mdp.horizon, learner.c.lam
    w_max = 1.0 / H  # every σ̂ >= √H
    per_step = d * math.log(1 + cfg.episodes * w_max / (d * lam)) / math.log(2)
    assert 1 <= learner.switches <= H * per_step + 1
    assert learner.switches < cfg.episodes / 4


def test_optimistic_q_is_non_increasing_and_capped():
    cfg = Config(instance="hard", d=3, horizon=3, episodes=300, hard_delta=0.05, bonus_scale=0.03)
    mdp = make_instance(cfg, Seeder(0).numpy("instance"))
    learner = make_learner(cfg, mdp)
    rng = Seeder(0).numpy("env")
    prev = learner.q_hat.copy()
    for k in range(1, 60):
        run_episodes(mdp, learner, k, rng, start=k - 1, regret=np.zeros(k))
        assert np.all(learner.q_hat <= prev + 1e-12)
        assert learner.q_hat.max() <= mdp.horizon
        prev = learner.q_hat.copy()


@pytest.mark.parametrize("algo", ["lsvi-ucb-plus", "lsvi-ucb"])
def test_learners_beat_the_random_policy_on_the_hard_instance(algo):
    cfg = Config(
        algo=algo,
        instance="hard",
        d=3,
        horizon=3,
        episodes=1500,
        hard_delta=0.08,
        bonus_scale=0.03,
        c_thr=1.0,
    )
    res = train(cfg)
    mdp = make_instance(cfg, Seeder(cfg.seed).numpy("instance"))
    assert res.final_regret < 0.5 * random_policy_regret(mdp, cfg.episodes)
    # learning, not just a lucky start: the late episodes are better than the early ones
    assert res.regret[-300:].mean() < res.regret[:300].mean()


def test_learners_beat_the_random_policy_on_the_lowrank_instance():
    for algo in ("lsvi-ucb-plus", "lsvi-ucb"):
        cfg = Config(
            algo=algo,
            instance="lowrank",
            d=4,
            horizon=5,
            n_states=10,
            n_actions=5,
            episodes=400,
            bonus_scale=0.003,
        )
        res = train(cfg)
        mdp = make_instance(cfg, Seeder(cfg.seed).numpy("instance"))
        assert res.final_regret < 0.5 * random_policy_regret(mdp, cfg.episodes)


def test_bring_your_own_mdp(rng):
    from lsvi_ucb_plus import random_lowrank_mdp

    mdp = random_lowrank_mdp(8, 4, 3, 4, rng)
    res = train(Config(instance="lowrank", episodes=50, horizon=4, d=3), mdp=mdp)
    assert res.regret.shape == (50,) and np.all(res.regret >= -1e-9)


@pytest.mark.parametrize("algo", ["lsvi-ucb-plus", "lsvi-ucb"])
def test_resume_is_bit_exact(tmp_path, algo):
    cfg = Config(
        algo=algo, instance="hard", d=3, horizon=3, episodes=120, hard_delta=0.05, checkpoint_every=60
    )
    full = train(cfg, run_dir=tmp_path / "full")
    train(cfg, run_dir=tmp_path / "cut", stop_after=60)
    resumed = train(cfg, run_dir=tmp_path / "cut", resume=True)
    np.testing.assert_array_equal(full.regret, resumed.regret)
    assert full.switches == resumed.switches
    report = evaluate(cfg, tmp_path / "cut")
    assert report["episodes"] == 120 and report["suboptimality"] >= -1e-12
    assert report["cumulative_regret"] == pytest.approx(full.final_regret)


def test_checkpoint_from_another_config_is_refused(tmp_path):
    cfg = Config(instance="hard", d=3, horizon=3, episodes=40, checkpoint_every=20)
    train(cfg, run_dir=tmp_path, stop_after=20)
    with pytest.raises(ValueError, match="different config"):
        train(dataclasses.replace(cfg, bonus_scale=0.5), run_dir=tmp_path, resume=True)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"algo": "ucb"}, "algo"),
        ({"episodes": 0}, "episodes"),
        ({"horizon": 0}, "horizon"),
        ({"delta": 1.0}, "delta"),
        ({"hard_delta": 0.5}, "hard_delta"),
        ({"bonus_scale": -1.0}, "bonus_scale"),
        ({"c_thr": 0.0}, "c_thr"),
        ({"sigma_small": -1.0}, "sigma_small"),
        ({"radii": "huge"}, "radii"),
        ({"instance": "hard", "d": 1}, "d"),
    ],
)
def test_bad_config_is_refused(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Config(**kwargs)


def test_checkpoint_every_needs_a_run_dir():
    with pytest.raises(ValueError, match="run_dir"):
        train(Config(episodes=10, checkpoint_every=5))


@pytest.mark.parametrize(
    "overrides",
    [
        {"pessimism_refresh": "on_switch"},
        {"running_min": False},
        {"radii": "paper"},
        {"algo": "lsvi-ucb-plus-noweights", "fixed_sigma": 4.0},
        {"c_thr": 1.0, "sigma_big": 2.0, "c_e": 1.0, "lam": 0.5},
        {"sigma_small": 1.0},
    ],
)
def test_config_options_run_and_give_valid_regret(overrides):
    cfg = Config(instance="lowrank", d=3, horizon=3, n_states=6, n_actions=3, episodes=60, **overrides)
    res = train(cfg)
    mdp = make_instance(cfg, Seeder(cfg.seed).numpy("instance"))
    assert np.all(res.regret >= -1e-9)
    assert np.all(res.regret <= mdp.horizon)


def test_big_floor_fraction_tracks_the_floor_threshold():
    # c_thr is compared with a norm <= ||φ||/(σ̃√λ); a huge threshold never floors at ς_big, a tiny one always does
    base = Config(instance="hard", d=3, horizon=3, episodes=60, hard_delta=0.05)
    assert train(dataclasses.replace(base, c_thr=1e6)).big_floor_fraction == 0.0
    assert train(dataclasses.replace(base, c_thr=1e-9)).big_floor_fraction == 1.0
    mid = train(base).big_floor_fraction
    assert 0.0 <= mid <= 1.0
    assert math.isnan(train(dataclasses.replace(base, algo="lsvi-ucb")).big_floor_fraction)
