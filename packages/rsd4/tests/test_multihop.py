import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsd4.config import Config
from rsd4.env import SchedulerCore, SystemParams, draw_system
from rsd4.multihop import MultiHopCore, MultiHopParams, draw_multihop_system, multihop_transition
from rsd4.rollout import run_episodes, summarize
from rsd4.train import train


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_users=st.integers(1, 4),
    n_hops=st.integers(1, 4),
    extra=st.integers(0, 3),
    merge=st.sampled_from(["path", "none"]),
)
def test_packets_only_leave_by_end_to_end_delivery_or_deadline(seed, n_users, n_hops, extra, merge):
    rng = np.random.default_rng(seed)
    tau_max = max(1, n_hops - 1) + extra
    core = MultiHopCore(draw_multihop_system(rng, n_users, n_hops, tau_max, 3), tau_max, 3, merge)
    core.reset(3, rng)
    inflow = core.queues.sum((1, 2, 3)).astype(np.int64)
    outflow = np.zeros(3, dtype=np.int64)
    for _ in range(25):
        out = core.step(rng.uniform(0, 1, (3, core.n_rows, core.act_dim)), rng)
        inflow += out["arrivals"].sum(1)
        outflow += out["dropped"].sum(1)
        # end-to-end deliveries, each counted once (on the last-node row when rows are per node)
        delivered = out["delivered"].reshape(3, n_users, -1)[..., -1]
        outflow += delivered.sum(1)
        assert (core.queues >= 0).all()
        assert (core.queues[:, ~core.slot_mask] == 0).all()  # nothing past τ_n at any node
        np.testing.assert_array_equal(inflow, outflow + core.queues.sum((1, 2, 3)))
        np.testing.assert_allclose(out["energy_node"].sum((1, 2)), out["energy"].sum(1))


def test_forwarding_moves_one_node_and_one_slot_of_life():
    q = np.zeros((1, 1, 3, 5), np.int64)
    q[0, 0, 0, 3] = 4  # node 0, 3 slots left
    q[0, 0, 1, 0] = 2  # node 1, last chance
    q[0, 0, 2, 2] = 1  # last node
    s = np.zeros_like(q)
    s[0, 0, 0, 3] = 3  # three of four forwarded
    s[0, 0, 1, 0] = 2  # forwarded at the last chance: they would reach node 2 expired
    s[0, 0, 2, 2] = 1  # delivered
    nxt, delivered, dropped = multihop_transition(q, s, np.array([[5]]), np.array([4]))
    assert delivered.tolist() == [[1]] and dropped.tolist() == [[2]]
    assert nxt[0, 0, 0, 2] == 1  # the one left behind ages at node 0
    assert nxt[0, 0, 1, 2] == 3  # the forwarded three: next node, one slot less
    assert nxt[0, 0, 0, 4] == 5  # arrivals enter node 0 at τ_n
    assert nxt.sum() == 1 + 3 + 5


@pytest.mark.parametrize("tau", [2, 4])
def test_end_to_end_deadline_drop_exactly_after_tau_plus_one_slots(tau):
    p = MultiHopParams(np.array([tau]), np.ones(1), np.zeros(1), np.ones((1, 2)), np.full((1, 2, 2, 2), 0.5))
    core = MultiHopCore(p, 4, 2, "path")
    rng = np.random.default_rng(0)
    core.reset(1, rng)
    core.queues[0, 0, 0, tau] = 5
    for step in range(1, tau + 2):
        out = core.step(np.zeros((1, 1, core.act_dim)), rng)  # zero energy: nobody moves
        assert out["dropped"].sum() == (5 if step == tau + 1 else 0)


def test_one_hop_system_equals_the_single_hop_simulator():
    sp = draw_system(np.random.default_rng(3), 3, 5, 4)
    mp = MultiHopParams(sp.deadlines, sp.weights, sp.rates, sp.distances[:, None], sp.channel_matrix[:, None])
    single, multi = SchedulerCore(sp, 5, 4), MultiHopCore(mp, 5, 4, "path")
    r1, r2 = np.random.default_rng(9), np.random.default_rng(9)
    single.reset(2, r1)
    multi.reset(2, r2)
    act = np.random.default_rng(1)
    for _ in range(20):
        e = act.uniform(0, 1, (2, 3, 6))
        o1, o2 = single.step(e, r1), multi.step(e, r2)
        for k in ("delivered", "energy", "dropped", "arrivals"):
            np.testing.assert_array_equal(o1[k], o2[k], err_msg=k)
        np.testing.assert_array_equal(single.queues, multi.queues[:, :, 0])


def test_node_level_merging_changes_the_agent_rows_not_the_system():
    params = draw_multihop_system(np.random.default_rng(0), 3, 2, 5, 4)
    path, per_node = MultiHopCore(params, 5, 4, "path"), MultiHopCore(params, 5, 4, "none")
    assert (path.n_rows, path.act_dim) == (3, 12) and (per_node.n_rows, per_node.act_dim) == (6, 6)
    r1, r2 = np.random.default_rng(4), np.random.default_rng(4)
    path.reset(2, r1)
    per_node.reset(2, r2)
    assert path.user_observations(True).shape == (2, 3, 1 + 12 + 2)
    assert per_node.user_observations(True).shape == (2, 6, 1 + 1 + 6 + 1)
    e = np.random.default_rng(1).uniform(0, 1, (2, 3, 12))
    for _ in range(10):
        o1, o2 = path.step(e, r1), per_node.step(e.reshape(2, 6, 6), r2)
        np.testing.assert_array_equal(path.queues, per_node.queues)
        np.testing.assert_allclose(o1["energy_node"].sum(1), o2["energy_node"].sum(1))


def test_merged_and_unmerged_rollouts_report_the_same_system_metrics():
    params = draw_multihop_system(np.random.default_rng(0), 3, 2, 5, 4)
    out = []
    for merge in ("path", "none"):
        core = MultiHopCore(params, 5, 4, merge)
        seq = run_episodes(
            core, lambda o, p, s, c: (np.zeros(p.shape), s), 2, 30, np.random.default_rng(5), True
        )
        out.append(summarize(seq, core.throughput_weights))
    for k in ("throughput", "energy", "drop_rate", "energy_node"):
        np.testing.assert_allclose(out[0][k], out[1][k], err_msg=k)


@pytest.mark.parametrize("merge", ["path", "none"])
def test_multihop_training_runs_with_one_multiplier_per_node(merge):
    cfg = Config(
        method="rsd4",
        n_users=2,
        n_hops=2,
        merge=merge,
        episodes=10,
        warmup_episodes=5,
        n_envs=5,
        episode_len=15,
        eval_every=5,
        dual_every=5,
        eval_episodes=2,
        dual_eval_episodes=2,
        hidden=8,
        batch_episodes=4,
        buffer_episodes=100,
    )
    res = train(cfg)
    assert len(res.lam_nodes) == 2 and len(res.energy_ratio_nodes) == 2
    assert np.isfinite(res.throughput) and np.isfinite(res.q_bias)


@pytest.mark.parametrize(
    "kw,match",
    [
        (dict(n_hops=0), "n_hops"),
        (dict(n_hops=4, tau_max=2), "n_hops"),
        (dict(merge="star"), "merge"),
        (dict(n_hops=2, method="greedy"), "greedy"),
        (dict(channel_stickiness=1.5), "channel_stickiness"),
    ],
)
def test_multihop_config_rejects_bad_values(kw, match):
    with pytest.raises(ValueError, match=match):
        Config(**kw)


def test_draw_multihop_rejects_a_deadline_range_too_short_for_the_path():
    with pytest.raises(ValueError, match="tau_max"):
        draw_multihop_system(np.random.default_rng(0), 2, 4, 2, 3)


def test_sticky_channel_keeps_its_state():
    p = draw_system(np.random.default_rng(0), 2, 3, 4, stickiness=0.9)
    assert (np.diagonal(p.channel_matrix, axis1=1, axis2=2) >= 0.9).all()
    np.testing.assert_allclose(p.channel_matrix.sum(-1), 1.0)
    base = draw_system(np.random.default_rng(0), 2, 3, 4)
    assert isinstance(base, SystemParams)
    np.testing.assert_array_equal(base.deadlines, p.deadlines)  # same draws, only the matrix differs


def test_multihop_smoke_cell_runs_the_unmerged_variant(tmp_path):
    from rsd4.experiments import EXPERIMENTS

    exp = next(e for e in EXPERIMENTS if e.name == "multihop")
    recs = exp.run(method="rsd4-nomerge", seed=0, preset="smoke", out_dir=tmp_path)
    assert any(r.metric == "throughput" and np.isfinite(r.value) for r in recs)
    assert '"merge": "none"' in (tmp_path / "result.json").read_text()
