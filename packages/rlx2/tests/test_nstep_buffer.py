import numpy as np
import pytest

from rlx2.buffer import ReplayBuffer, policy_distance
from rlx2.nstep import truncated_nstep

G = 0.9


def test_nstep_full_window_bootstraps_with_gamma_n():
    ret, last, boot, used = truncated_nstep(
        np.array([[1.0, 2.0, 3.0]]), np.zeros((1, 3)), np.zeros((1, 3)), G
    )
    assert ret[0] == pytest.approx(1 + G * 2 + G**2 * 3)
    assert last[0] == 2 and boot[0] == pytest.approx(G**3) and used.all()


def test_nstep_stops_at_termination_without_bootstrap():
    # a hand-made trajectory: the episode terminates at the second transition
    ret, last, boot, used = truncated_nstep(
        np.array([[1.0, 2.0, 100.0]]), np.array([[0, 1, 0]]), np.array([[0, 0, 0]]), G
    )
    assert ret[0] == pytest.approx(1 + G * 2)  # the reward after the end is not counted
    assert last[0] == 1 and boot[0] == 0.0
    assert used.tolist() == [[True, True, False]]


def test_nstep_stops_at_time_limit_and_bootstraps():
    ret, last, boot, _ = truncated_nstep(
        np.array([[1.0, 2.0, 100.0], [5.0, 0.0, 0.0]]), np.zeros((2, 3)), np.array([[0, 1, 0], [1, 0, 0]]), G
    )
    assert ret[0] == pytest.approx(1 + G * 2) and last[0] == 1 and boot[0] == pytest.approx(G**2)
    assert ret[1] == pytest.approx(5.0) and last[1] == 0 and boot[1] == pytest.approx(G)


def test_one_step_target_is_the_usual_td_target():
    ret, last, boot, _ = truncated_nstep(np.array([[2.0], [3.0]]), np.array([[0], [1]]), np.zeros((2, 1)), G)
    assert ret.tolist() == [2.0, 3.0] and last.tolist() == [0, 0]
    assert boot.tolist() == [pytest.approx(G), 0.0]


def _filled(n=50, cap=100):
    buf = ReplayBuffer(cap, obs_dim=2, act_dim=1)
    for i in range(n):
        buf.add([i, i], [0.0], [0.0], float(i), [i + 1, i + 1], False, i % 10 == 9)
    return buf


def test_buffer_samples_consecutive_transitions_and_wraps():
    buf = _filled(n=130, cap=100)
    assert buf.size == 100 and buf.left == 30
    batch = buf.sample(64, 3, np.random.default_rng(0))
    r = batch["reward"]
    assert r.shape == (64, 3)
    assert np.all(np.diff(r, axis=1) == 1) and r.min() >= 30


def test_policy_distance_formula():
    d = policy_distance(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]), np.array([2.0, 2.0]))
    assert d == pytest.approx(0.5 * (0.25 + 0) / 2)
    # the paper's Eq. 6 form: mean over samples of the L2 norm of the scaled difference
    d2 = policy_distance(np.array([[1.0, 0.0], [0.0, 0.0]]), np.zeros((2, 2)), np.array([2.0, 2.0]), "l2")
    assert d2 == pytest.approx((0.5 + 0.0) / 2)
    with pytest.raises(ValueError, match="form"):
        policy_distance(np.zeros((1, 2)), np.zeros((1, 2)), np.ones(2), "l1")


def test_buffer_shrinks_oldest_but_not_below_min():
    buf = _filled(n=50)
    assert buf.shrink(0.1, min_size=10) == 5 and buf.size == 45 and buf.oldest(1)["obs"][0, 0] == 5
    assert buf.shrink(0.9, min_size=40) == 5 and buf.size == 40


def test_dynamic_buffer_shrinks_when_policy_drifts():
    from paperkit import Seeder

    from rlx2.agents import make_agent
    from rlx2.config import Config
    from rlx2.train import _adjust_buffer

    cfg = Config(env_id="Pendulum-v1", hidden=16, buffer_min=10, distance_batch=20)
    agent = make_agent(cfg, 2, 1, np.array([-1.0], np.float32), np.array([1.0], np.float32), Seeder(0))
    buf = ReplayBuffer(100, obs_dim=2, act_dim=1)
    for i in range(50):
        obs = np.array([i, -i], np.float32) / 50
        # stored means far from the current policy (|diff| ~ 2 after scaling by a_max = 1)
        far = -np.sign(agent.mean_action(obs)) * 1.0
        buf.add(obs, far, far, 0.0, obs, False, False)
    _, size, d = _adjust_buffer(cfg, agent, buf, np.array([1.0], np.float32), 1000)
    assert d > cfg.distance_threshold and size == 45
    # stored means equal to the policy's: no drift, no shrink
    buf2 = ReplayBuffer(100, obs_dim=2, act_dim=1)
    for i in range(50):
        obs = np.array([i, -i], np.float32) / 50
        buf2.add(obs, [0.0], agent.mean_action(obs), 0.0, obs, False, False)
    _, size2, d2 = _adjust_buffer(cfg, agent, buf2, np.array([1.0], np.float32), 1000)
    assert d2 < 1e-10 and size2 == 50


def test_multi_step_switches_on_permanently_at_the_delay():
    from rlx2.nstep import current_nstep

    assert [current_nstep(it, 3, 4) for it in (1, 2, 3, 4, 5, 100)] == [1, 1, 1, 3, 3, 3]
    assert current_nstep(1, 3, 0) == 3  # no delay


def test_sampled_nstep_batch_matches_the_hand_computed_target():
    # rewards 0..49 in order; transition 9 is a time-limit end, 19 a termination
    buf = ReplayBuffer(100, obs_dim=2, act_dim=1)
    for i in range(50):
        buf.add([i, i], [0.0], [0.0], float(i), [i + 1, i + 1], i == 19, i == 9)
    b = buf.sample_nstep(200, 3, G, np.random.default_rng(0), intermediate=True)
    for k in range(200):
        s = int(b.obs[k, 0])
        ends = [j for j in range(s, s + 3) if j in (9, 19)]
        m = (ends[0] if ends else s + 2) - s
        assert b.ret[k].item() == pytest.approx(sum(G**j * (s + j) for j in range(m + 1)), rel=1e-5)
        assert b.boot_obs[k, 0].item() == s + m + 1
        assert b.boot[k].item() == pytest.approx(0.0 if s + m == 19 else G ** (m + 1))
        assert b.mid_used[k].tolist() == [float(j < m) for j in range(2)]
