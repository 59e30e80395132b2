import numpy as np
import pytest

from uniinf import BanditEnvironment, Recorder, RunConfig, instances, play, train
from uniinf.cli import main
from uniinf.policy import Policy


class UniformPolicy(Policy):
    """A user-defined policy through the public interface: plays uniformly at random."""

    def _probabilities(self):
        return np.full((self.n_rows, self.n_arms), 1.0 / self.n_arms)

    def _learn(self, arms, losses):
        pass


def test_uniinf_learns_where_uniform_play_does_not():
    T, rows = 4000, 8
    inst = [instances.stochastic(5, 0.4, T, tail=1.6)] * rows
    env = BanditEnvironment(inst, range(rows))
    uniform = play(UniformPolicy(rows, 5), env, Recorder(env, [T]))
    learned = train(RunConfig(policy="uniinf", instance="stochastic", gap=0.4, horizon=T, seeds=rows))
    # uniform play has regret (4/5) * 0.4 * T = 1280; uniINF must do far better on every seed
    np.testing.assert_allclose(uniform.final_regret, 0.8 * 0.4 * T)
    assert max(learned.final_regret) < 0.35 * 1280


def test_a_gap_above_one_is_a_valid_instance():
    """Issue 23: losses are unbounded (mean + 0.5 * heavy-tailed noise), not in [0, 1], so --gap 1.5 is a
    meaningful instance: accepted, played, and learned (regret far below uniform play's (4/5) * 1.5 * T)."""
    T = 2000
    res = train(RunConfig(policy="uniinf", instance="stochastic", gap=1.5, horizon=T, seeds=4))
    assert 0 < max(res.final_regret) < 0.35 * 0.8 * 1.5 * T
    with pytest.raises(ValueError, match="gap"):
        RunConfig(gap=0.0)


def test_resume_is_bit_exact(tmp_path):
    for policy in ("uniinf", "robust_ucb", "htinf"):
        cfg = RunConfig(policy=policy, instance="ucb_killer", horizon=1024, seeds=3, checkpoint_every=256)
        full = train(cfg, run_dir=tmp_path / f"{policy}-full")
        partial = train(cfg, run_dir=tmp_path / f"{policy}-resumed", stop_after=512)
        assert not partial.finished and partial.rounds_done == 512
        resumed = train(cfg, run_dir=tmp_path / f"{policy}-resumed")
        assert resumed.finished
        assert resumed.final_regret == full.final_regret
        assert resumed.regret_curve == full.regret_curve
        assert resumed.final_scale == full.final_scale


def test_checkpoint_from_other_config_is_refused(tmp_path):
    cfg = RunConfig(horizon=1024, seeds=2, checkpoint_every=256)
    train(cfg, run_dir=tmp_path, stop_after=256)
    with pytest.raises(ValueError, match="different config"):
        train(RunConfig(horizon=1024, seeds=2, checkpoint_every=256, gap=0.3), run_dir=tmp_path)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n_arms", 1),
        ("horizon", 1),
        ("tail", 1.0),
        ("gap", float("nan")),
        ("policy", "exp3"),
        ("checkpoint_every", 100),
        ("seeds", 0),
    ],
)
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        RunConfig(**{field: value})


def test_cli_reports_bad_input_without_traceback(capsys):
    with pytest.raises(SystemExit) as exc:
        main_args = ["train", "--n-arms", "1"]
        import sys

        old = sys.argv
        sys.argv = ["uniinf", *main_args]
        try:
            main()
        finally:
            sys.argv = old
    assert exc.value.code == 2
    assert "n_arms" in capsys.readouterr().err


def test_a_row_gives_the_same_numbers_alone_or_in_a_batch():
    # the paperkit cells (one seed) and `uniinf study` (all seeds in one batch) must agree exactly
    from uniinf import run_rows

    for k in (3, 10):
        a = instances.stochastic(k, 0.2, 700, tail=1.3)
        b = instances.stochastic(k, 0.1, 700, tail=2.5)
        for policy in ("uniinf", "htinf", "tsallis_inf", "robust_ucb"):
            batch = run_rows(policy, [b, a, a], [1, 2, 3], steps=[100, 700])
            alone = run_rows(policy, [a], [2], steps=[100, 700])
            assert batch.final_regret[1] == alone.final_regret[0], (policy, k)
            assert np.array_equal(batch.regret[1], alone.regret[0])
