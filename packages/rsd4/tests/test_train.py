import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rsd4.config import Config
from rsd4.experiments import EXPERIMENTS
from rsd4.heuristics import budget, calibrate, constant_policy, energy_per_slot
from rsd4.train import constant_throughput_at_energy, evaluate, make_core, train

SMALL = dict(
    episodes=20,
    warmup_episodes=10,
    n_envs=5,
    episode_len=20,
    eval_every=10,
    dual_every=10,
    eval_episodes=3,
    dual_eval_episodes=3,
    hidden=8,
    buffer_episodes=200,
    batch_episodes=4,
)


def test_calibrated_heuristic_meets_the_budget():
    cfg = Config()
    core = make_core(cfg)
    e0 = budget(core, 0.5, 50, 1)
    knob = calibrate(constant_policy, core, e0, 50, 1)
    assert 0 < knob < 1
    assert (
        energy_per_slot(core, constant_policy(knob), 50, 1)
        <= e0
        < energy_per_slot(core, constant_policy(knob + 0.01), 50, 1)
    )


def test_matched_energy_baseline_reproduces_the_constant_heuristic():
    cfg = Config(method="constant", episode_len=30, eval_episodes=3)
    res = train(cfg)
    assert constant_throughput_at_energy(cfg, res.budget) == pytest.approx(res.throughput)
    assert constant_throughput_at_energy(cfg, 0.5 * res.budget) < res.throughput


def test_heuristics_run_and_report():
    for method in ("constant", "greedy"):
        res = train(Config(method=method, episode_len=30, eval_episodes=3))
        assert res.throughput > 0 and res.energy_ratio <= 1.1 and 0 <= res.drop_rate <= 1


def test_resume_is_bit_exact(tmp_path):
    # mixture_from=0.2: the iterates kept for the final mixture (one at episode 10) go through the checkpoint
    kw = dict(SMALL, mixture_from=0.2)
    full = train(Config(method="rsd4", **kw, run_dir=str(tmp_path / "a"), checkpoint_every=10))
    cfg = Config(method="rsd4", **kw, run_dir=str(tmp_path / "b"), checkpoint_every=10)
    train(cfg, stop_after_episodes=10)
    resumed = train(cfg, resume=True)
    for m_full, m_res in zip(full.agent.modules().values(), resumed.agent.modules().values()):
        for (k, v), (_, w) in zip(m_full.state_dict().items(), m_res.state_dict().items()):
            assert torch.equal(v, w), k
    assert full.throughput == resumed.throughput and full.curve == resumed.curve
    assert len(full.mixture) >= 1 and full.mixture == resumed.mixture
    assert evaluate(cfg)["throughput_expected"] == pytest.approx(full.throughput)


@pytest.mark.parametrize(
    "field,value",
    [("tau_max", 0), ("method", "ppo"), ("budget_fraction", 0.0), ("gamma", 1.5), ("n_users", 0)],
)
def test_config_rejects_bad_values(field, value):
    with pytest.raises(ValueError, match=field):
        Config(**{field: value})


def test_smoke_cells_return_headline_records(tmp_path):
    exp = EXPERIMENTS[0]
    for method in ("rsd4", "constant"):
        recs = exp.run(method=method, seed=0, preset="smoke", out_dir=tmp_path / method)
        assert any(r.metric == "throughput" and np.isfinite(r.value) for r in recs)


def test_cli_bad_input_is_a_clean_error():
    out = subprocess.run(
        [sys.executable, "-m", "rsd4", "train", "--tau-max", "0"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "tau_max" in out.stderr and "Traceback" not in out.stderr


def test_final_policy_last_is_the_final_iterate_and_mixture_is_a_distribution():
    last = train(Config(method="td3", **SMALL, final_policy="last"))
    assert last.mixture == [] and last.throughput == last.throughput_last
    mix = train(Config(method="td3", **SMALL, mixture_from=0.0))
    assert sum(w for _, w in mix.mixture) == pytest.approx(1.0)
    assert mix.throughput_last == pytest.approx(last.throughput)  # same run, same final iterate


def test_smoke_agent_answers_the_energy_price_where_a_random_policy_cannot():
    """End-to-end learning check at the smoke preset (fixed λ, no dual loop): with free energy RSD4 learns
    to spend far above the budget and to deliver more than a uniform-random policy; at a high price it
    spends below it. The random policy (≈1.09·E_0 here) fails both thresholds."""
    import dataclasses

    from paperkit import Seeder

    from rsd4.experiments import cell_config
    from rsd4.rollout import summarize
    from rsd4.train import evaluate_policy, random_policy

    base = cell_config("rsd4", 0, "smoke", False)
    free = train(dataclasses.replace(base, dual=False, lam_init=0.0, final_policy="last"))
    dear = train(dataclasses.replace(base, dual=False, lam_init=3.0, final_policy="last"))
    core = make_core(base)
    seq = evaluate_policy(
        base, core, random_policy(np.random.default_rng(1)), Seeder(0).int("eval"), base.eval_episodes
    )
    rnd = summarize(seq, core.throughput_weights)
    rnd_ratio = float(rnd["energy"].mean()) / free.budget
    assert not (rnd_ratio > 1.4 or rnd_ratio < 0.9)  # the thresholds separate learning from chance
    assert free.energy_ratio > 1.4 and free.throughput > float(rnd["throughput"].mean())
    assert dear.energy_ratio < 0.9


def test_saved_mixture_reloads_and_plays_like_the_in_memory_one(tmp_path):
    """`evaluate` plays the mixture `train` reported: reloaded members, probabilities and per-episode draws
    (same seed) give the same numbers as the in-memory mixture; `final_policy="last"` is unchanged."""
    from paperkit import Seeder

    from rsd4.rollout import summarize
    from rsd4.train import MIXTURE_DIR, dims, load_mixture, play_mixture

    cfg = Config(method="td3", **dict(SMALL, dual_every=5), mixture_from=0.0, run_dir=str(tmp_path / "m"))
    res = train(cfg)
    core = make_core(cfg)
    members, ck = load_mixture(tmp_path / "m" / MIXTURE_DIR, cfg, *dims(cfg, core))
    assert [w for w, _ in members] == [w for _, w in res.mixture] == [w for w, _ in res.members]
    assert ck.state["iterates"] == [ep for ep, _ in res.mixture]
    seed = Seeder(cfg.seed).int("eval")
    mem = play_mixture(cfg, core, res.members, seed, 6, Seeder(cfg.seed).numpy("mixture_draw"))
    got = play_mixture(cfg, core, members, seed, 6, Seeder(cfg.seed).numpy("mixture_draw"))
    for k in mem:
        np.testing.assert_array_equal(mem[k], got[k], err_msg=k)
    ev = evaluate(cfg)  # plays with the same "mixture_draw" stream on cfg.eval_episodes episodes
    mem_eval = play_mixture(
        cfg, core, res.members, seed, cfg.eval_episodes, Seeder(cfg.seed).numpy("mixture_draw")
    )
    assert ev["throughput"] == float(summarize(mem_eval, core.throughput_weights)["throughput"].mean())
    assert ev["throughput_expected"] == pytest.approx(res.throughput)
    assert ev["energy_expected"] == pytest.approx(res.energy)
    # final_policy="last" writes no mixture and evaluate replays the last iterate from the checkpoint
    last_cfg = Config(
        method="td3", **SMALL, final_policy="last", run_dir=str(tmp_path / "l"), checkpoint_every=10
    )
    last = train(last_cfg)
    assert not (tmp_path / "l" / MIXTURE_DIR).exists()
    assert evaluate(last_cfg)["throughput"] == pytest.approx(last.throughput)


def test_mixture_probability_round_trips_and_draws_per_episode(tmp_path):
    """Two distinct members at probability 0.3/0.7: the probability survives save/load exactly, and each
    played episode is exactly that episode of the member drawn for it."""
    from paperkit import Seeder

    from rsd4.agent import Agent
    from rsd4.train import (
        agent_policy,
        agent_spec,
        dims,
        evaluate_policy,
        load_mixture,
        play_mixture,
        save_mixture,
    )

    cfg = Config(method="td3", **SMALL)
    core = make_core(cfg)
    o_dim, a_dim = dims(cfg, core)
    agents = [Agent(o_dim, a_dim, agent_spec(cfg), Seeder(s).torch("init")) for s in (1, 2)]
    save_mixture(
        tmp_path / "mix", cfg, [(0.3, agents[0]), (0.7, agents[1])], [(5, 0.3), (20, 0.7)], 20, [0.5]
    )
    members, ck = load_mixture(tmp_path / "mix", cfg, o_dim, a_dim)
    assert [w for w, _ in members] == [0.3, 0.7] and ck.state["iterates"] == [5, 20] and ck.step == 20
    n, seed = 12, 3
    pick = np.random.default_rng(7).choice(2, size=n, p=[0.3, 0.7])
    assert 0 < pick.sum() < n  # both members are drawn, so the check below tells them apart
    pure = [evaluate_policy(cfg, core, agent_policy(a, cfg.obs_scale), seed, n) for a in agents]
    assert not np.array_equal(pure[0]["act"], pure[1]["act"])
    played = play_mixture(cfg, core, members, seed, n, np.random.default_rng(7))
    for i, j in enumerate(pick):
        np.testing.assert_array_equal(played["act"][i], pure[j]["act"][i])
        np.testing.assert_array_equal(played["delivered"][i], pure[j]["delivered"][i])
    with pytest.raises(ValueError, match="probabilities"):
        play_mixture(cfg, core, [(0.5, agents[0]), (0.2, agents[1])], seed, n, np.random.default_rng(7))


def test_learner_defaults_are_the_released_codes():
    """N updates per 100-slot episode on batches of 50 episodes, one batch per (critic, actor) pair."""
    cfg = Config()
    assert cfg.update_rate == cfg.n_users == 4 and cfg.batch_episodes == 50 and cfg.separate_batches
    assert Config(n_users=8).update_rate == 8 and Config(updates_per_episode=0.5).update_rate == 0.5
    with pytest.raises(ValueError, match="updates_per_episode"):
        Config(updates_per_episode=-1.0)


def test_update_count_follows_the_update_rate():
    res = train(Config(method="td3", **dict(SMALL, updates_per_episode=None)))
    light = train(Config(method="td3", **dict(SMALL, updates_per_episode=1.0)))
    # 10 episodes after the warm-up: 4 updates each by default (N = 4 users), 1 each with the light learner
    assert res.agent.updates == 40 and light.agent.updates == 10


def test_channel_heuristic_reads_the_current_or_the_previous_channel():
    from rsd4.heuristics import channel_policy

    core = make_core(Config(channel_stickiness=0.8))
    core.reset(2, np.random.default_rng(0))
    core.channels = np.array([[0, 3, 1, 2], [3, 0, 0, 1]])
    prev = np.zeros((2, core.n_users, 7))
    a_now, seen = channel_policy(0.6, 1, lag=0)(None, prev, None, core)
    assert np.array_equal(seen, core.channels)
    on = (a_now[..., 0] + 1) / 2
    np.testing.assert_allclose(on, 0.6 * (core.channels <= 1))
    a_lag, _ = channel_policy(0.6, 1, lag=1)(None, prev, np.zeros((2, 4), int) + 3, core)
    assert np.all(a_lag == -1.0)  # the previous channel (3) was bad everywhere: spend nothing
    a_first, _ = channel_policy(0.6, 1, lag=1)(None, prev, None, core)
    np.testing.assert_allclose((a_first + 1) / 2, 0.6)  # first slot: nothing seen yet, spend as constant


def test_headroom_cells_are_calibrated_and_seeing_the_channel_pays(tmp_path):
    exp = next(e for e in EXPERIMENTS if e.name == "headroom-sticky")
    out = {}
    for method in exp.methods:
        recs = exp.run(method=method, seed=0, preset="smoke", out_dir=tmp_path / method)
        out[method] = {r.metric: r.value for r in recs if r.step is None}
    for m in exp.methods:
        assert out[m]["energy_ratio"] < 1.15
    assert out["channel-now"]["throughput"] > out["constant"]["throughput"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), energy=st.floats(0.05, 1.0))
def test_channel_posterior_reads_the_successes_off_the_buffers_and_is_bayes(seed, energy):
    from rsd4.env import transmit_shift_admit
    from rsd4.heuristics import channel_posterior

    rng = np.random.default_rng(seed)
    deadlines = np.array([1, 3, 6, 4])
    queues = rng.integers(0, 5, (3, 4, 7)) * (np.arange(7)[None, :] <= deadlines[:, None])
    delivered = rng.binomial(queues, 0.4)
    arrivals = rng.integers(0, 4, (3, 4))
    after, _ = transmit_shift_admit(queues, delivered, arrivals, deadlines[None, :])
    prior = rng.dirichlet(np.ones(4), (3, 4))
    distances = np.array([1.0, 1.3, 1.7, 2.0])
    spent = np.full((3, 4), energy)
    post = channel_posterior(prior, queues, after, spent, deadlines, distances)
    np.testing.assert_allclose(post.sum(-1), 1.0)
    # by hand: binomial likelihood of the deliveries from entries 1..τ_n (entry 0's outcome is not observed)
    k = queues[..., 1:].sum(-1)
    s = delivered[..., 1:].sum(-1)
    p = np.tanh(energy / (distances[None, :, None] ** 3 * (np.arange(4) + 1.0)))
    lik = p ** s[..., None] * (1 - p) ** (k - s)[..., None]
    np.testing.assert_allclose(
        post, prior * lik / (prior * lik).sum(-1, keepdims=True), rtol=1e-6, atol=1e-12
    )
    # spending nothing teaches nothing
    np.testing.assert_allclose(
        channel_posterior(prior, queues, after, 0 * spent, deadlines, distances), prior
    )


def test_channel_filter_learns_the_channel_from_what_the_agent_sees():
    from rsd4.heuristics import filter_channel_policy

    core = make_core(Config(channel_stickiness=0.9, user_feature="params"))
    rng = np.random.default_rng(0)
    core.reset(50, rng)
    policy, state = filter_channel_policy(1.0, 0, probe=1.0), None
    prev = np.zeros((50, core.n_rows, core.act_dim))
    hit = []
    for t in range(60):
        a, state = policy(core.user_observations(False), prev, state, core)
        if t >= 10:  # the belief's probability of the channel actually in play
            hit.append(np.take_along_axis(state[0], core.channels[..., None], -1).mean())
        core.step((a + 1) / 2, rng)
    assert np.mean(hit) > 1.0 / core.n_channels + 0.05  # better than the uniform prior
    with pytest.raises(ValueError, match="probe"):
        filter_channel_policy(1.0, 0, probe=1.5)
