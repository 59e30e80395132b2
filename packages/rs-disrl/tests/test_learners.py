import numpy as np
import pytest

from rs_disrl.config import TrainConfig
from rs_disrl.instances import instance_g, instance_z
from rs_disrl.learner import rollout
from rs_disrl.linear_cvar import RSDisRLV, psi_features
from rs_disrl.model_based import RSDisRLM
from rs_disrl.reference import loop_plan
from rs_disrl.risk import RiskMeasure
from rs_disrl.train import train


def test_psi_is_vec_outer_product():
    phi = np.array([[[1.0, 2.0]]])
    assert psi_features(phi)[0, 0].tolist() == [1.0, 2.0, 2.0, 4.0]


@pytest.mark.parametrize("beta", [0.0, 0.7])
def test_vectorised_alg10_matches_loop_reference(beta):
    mdp = instance_z(horizon=3)
    learner = RSDisRLV(mdp, RiskMeasure("cvar", tau=0.3), episodes=50, beta=beta)
    rng = np.random.default_rng(0)
    transitions = []
    for _ in range(15):
        traj = rollout(mdp, learner.policy(), rng)
        learner.update(traj)
        transitions += [
            (h, int(traj.states[h]), int(traj.actions[h]), int(traj.states[h + 1]), int(traj.atoms[h]))
            for h in range(mdp.H)
        ]
    V_fast, act_fast = learner.plan()
    V_loop, act_loop = loop_plan(learner, transitions)
    assert V_fast == pytest.approx(V_loop, abs=1e-9)
    assert (act_fast == act_loop).mean() > 0.99  # exact ties may break either way at round-off


def test_exact_model_planning_recovers_optimum():
    # With a huge amount of exact data (counts = 1e6 * kernel) and no bonus, RS-DisRL-M's plan is optimal.
    from rs_disrl.dp import evaluate, optimal_value

    mdp, risk = instance_z(), RiskMeasure("cvar", tau=0.3)
    learner = RSDisRLM(mdp, risk, episodes=10, bonus_scale=0.0)
    learner.counts = 1e6 * mdp.kernel
    assert evaluate(mdp, learner.policy(), risk) == pytest.approx(optimal_value(mdp, risk)[0], abs=1e-9)


def test_optimistic_cvar_costs_lower_bound_the_truth():
    # Optimism: with the default confidence radius, the planned shortfall cost never exceeds the exact one.
    from rs_disrl.dp import cvar_costs

    mdp, risk = instance_z(), RiskMeasure("cvar", tau=0.3)
    learner = RSDisRLM(mdp, risk, episodes=200, bonus_scale=1.0)
    rng = np.random.default_rng(3)
    for _ in range(30):
        learner.update(rollout(mdp, learner.policy(), rng))
    V_opt, _ = learner.optimistic_costs()
    V_true, _ = cvar_costs(mdp)
    assert np.all(V_opt <= V_true + 1e-9)


def _mean_regret(method, instance="Z", risk="cvar", K=150, seeds=(0, 1), **kw):
    return np.mean(
        [
            train(
                TrainConfig(instance=instance, method=method, risk=risk, episodes=K, seed=s, **kw)
            ).regret.sum()
            for s in seeds
        ]
    )


def test_rs_disrl_v_learns_on_instance_z():
    random = _mean_regret("random")
    assert _mean_regret("rs-disrl-v") < 0.6 * random


@pytest.mark.parametrize("method", ["rs-disrl-m", "rs-disrl-v-nobonus", "rs-disrl-m-nobonus", "lsvi-ucb"])
def test_every_learner_beats_the_random_policy(method):
    assert _mean_regret(method, K=100) < 0.8 * _mean_regret("random", K=100)


def test_markov_cvar_beats_random_on_instance_g():
    kw = dict(instance="G", tau=0.6, bonus_scale=1.0, K=100)
    assert _mean_regret("markov-cvar", **kw) < 0.85 * _mean_regret("random", **kw)


def test_rs_disrl_m_learns_entropic():
    random = _mean_regret("random", risk="entropic", gamma=-1.0)
    assert _mean_regret("rs-disrl-m", risk="entropic", gamma=-1.0) < 0.6 * random


def test_augmentation_beats_markov_on_instance_g():
    K = 800
    aug = train(TrainConfig(instance="G", method="rs-disrl-m", tau=0.6, episodes=K, seed=0, bonus_scale=1.0))
    markov = train(
        TrainConfig(instance="G", method="markov-cvar", tau=0.6, episodes=K, seed=0, bonus_scale=1.0)
    )
    assert (
        markov.regret[-100:].mean() >= 1 / 12 - 1e-9
    )  # Markov policies can never do better than 1/12 per episode
    assert aug.regret[-100:].mean() < 0.02


def test_checkpoint_resume_is_bit_exact(tmp_path):
    cfg = TrainConfig(
        instance="Z", method="rs-disrl-v", episodes=40, checkpoint_every=20, run_dir=str(tmp_path / "a")
    )
    full = train(TrainConfig(instance="Z", method="rs-disrl-v", episodes=40))
    first = train(cfg, stop_after=20)
    assert first.regret.size == 20
    resumed = train(cfg)
    assert np.array_equal(resumed.regret, full.regret)
    other = TrainConfig(
        instance="Z", method="rs-disrl-v", episodes=40, tau=0.5, checkpoint_every=20, run_dir=cfg.run_dir
    )
    with pytest.raises(ValueError, match="different config"):
        train(other)


def test_user_mdp_gets_learner_and_exact_regret():
    mdp = instance_g()
    res = train(TrainConfig(method="rs-disrl-v", tau=0.6, episodes=30), mdp=mdp)
    assert res.rho_star == pytest.approx(-0.5833333333)
    assert np.all(res.regret >= -1e-9)


def test_run_dir_without_checkpoints_is_refused_not_ignored(tmp_path):
    """Issue 23: --run-dir alone ran and wrote nothing; it is refused with one line naming both flags."""
    import subprocess
    import sys

    with pytest.raises(
        ValueError, match=r"run_dir=.*checkpoint_every > 0 \(--run-dir with --checkpoint-every N\)"
    ):
        TrainConfig(run_dir=str(tmp_path / "run"))
    out = subprocess.run(
        [sys.executable, "-m", "rs_disrl", "train", "--episodes", "5", "--run-dir", str(tmp_path / "run")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "--run-dir" in out.stderr and "--checkpoint-every" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "run").exists()
