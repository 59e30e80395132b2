"""The frozen memory, offline checkpoints, config errors, the smoke cell and a learning check."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import torch
from paperkit import Seeder, set_threads

from ovmse.config import Config
from ovmse.experiments import EXPERIMENTS
from ovmse.learner import frozen_copy, to_tensors
from ovmse.train import (
    collect_dataset,
    evaluate,
    load_offline,
    make_adapters,
    new_learner,
    save_offline,
    train_behaviour,
    train_online,
)

SMALL = dict(
    max_cycles=5,
    num_envs=2,
    rnn_hidden=8,
    mixer_embed=4,
    hypernet_hidden=8,
    batch_size=4,
    dataset_episodes=6,
    offline_updates=2,
    eval_episodes=1,
    target_update_episodes=7,
)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("eps_start", 1.5),
        ("eps_end", -0.1),
        ("dataset_eps", 2.0),
        ("se_mode", "all"),
        ("ovm_form", "x"),
        ("memory_start", 1.2),
        ("num_envs", 0),
        ("behaviour_reference", "best"),
        ("behaviour_min_frac", 1.5),
        ("behaviour_steps", 0),
    ],
)
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        Config(**{field: value})


def test_cli_bad_epsilon_is_a_clean_error():
    r = subprocess.run(
        [sys.executable, "-m", "ovmse", "train", "--eps-start", "1.5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 2 and "eps_start" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("form", ["blend_max", "offline_bootstrap"])
def test_memory_gets_no_gradients_and_never_changes(form):
    cfg = Config(**SMALL, ovm_form=form)
    seeder = Seeder(0)
    learner = new_learner(cfg, seeder, "a")
    memory = frozen_copy(new_learner(cfg, seeder, "b").net)
    before = {k: v.clone() for k, v in memory.state_dict().items()}
    ds = collect_dataset(cfg, learner.net, seeder)
    rng = np.random.default_rng(0)
    for _ in range(100):
        learner.update(to_tensors(ds.sample(4, rng)), memory=memory, memory_weight=0.7, ovm_form=form)
    assert all(p.grad is None and not p.requires_grad for p in memory.parameters())
    for k, v in memory.state_dict().items():
        assert torch.equal(v, before[k])


def test_offline_bootstrap_weight_one_is_r_plus_offline_value():
    cfg = Config(**SMALL, td_lambda=0.0, ovm_form="offline_bootstrap")
    seeder = Seeder(1)
    learner = new_learner(cfg, seeder, "a")
    memory = frozen_copy(new_learner(cfg, seeder, "b").net)
    batch = to_tensors(collect_dataset(cfg, learner.net, seeder).sample(3, np.random.default_rng(0)))
    qs = learner.net.agents(batch["obs"])
    y = learner.targets(batch, qs, memory=memory, memory_weight=1.0, ovm_form="offline_bootstrap")
    with torch.no_grad():
        mq = memory.agents(batch["obs"])[:, 1:]
        a = mq.masked_fill(~batch["avail"][:, 1:], -torch.inf).argmax(-1, keepdim=True)
        v_off = memory.mixer(mq.gather(-1, a).squeeze(-1), batch["state"][:, 1:])
    want = (batch["reward"] + cfg.gamma * (1 - batch["terminated"]) * v_off) * batch["filled"]
    assert torch.allclose(y, want, atol=1e-6)


def test_offline_checkpoint_round_trip_and_fine_tune_starts_from_it(tmp_path):
    cfg = Config(**SMALL)
    learner = new_learner(cfg, Seeder(0), "a")
    save_offline(tmp_path / "off", cfg, learner, {"offline_return": -1.0})
    memory, info = load_offline(tmp_path / "off", cfg)
    assert info["offline_return"] == -1.0
    for k, v in learner.net.state_dict().items():
        assert torch.equal(memory.state_dict()[k], v)
    with pytest.raises(ValueError, match="different config"):
        load_offline(tmp_path / "off", dataclasses.replace(cfg, rnn_hidden=16))
    res = train_online(dataclasses.replace(cfg, online_steps=0), memory, Seeder(0))
    from ovmse.train import evaluate

    r_off = evaluate(cfg, make_adapters(cfg, 2), memory, episodes=1, seed=Seeder(0).int("eval") % 2**31)
    assert res.initial_return == pytest.approx(r_off)  # t = 0 of fine-tuning is the offline policy


def test_smoke_cell_records(tmp_path):
    out = tmp_path / "ovmse" / "spread3_o2o" / "ovmse" / "seed0"
    recs = EXPERIMENTS[0].run(method="ovmse", seed=0, preset="smoke", out_dir=out)
    metrics = {r.metric for r in recs}
    assert {"auc_return", "return", "final_return", "multi_deviator_fraction", "q_drift"} <= metrics
    dirs = sorted(p.name.split("-")[0] for p in (tmp_path / "ovmse" / "_pretrain").iterdir())
    assert dirs == ["data", "offline"]
    assert not (out / "online_checkpoint").exists()  # removed once the cell's records exist


def test_qmix_learns_single_agent_spread_above_random():
    set_threads(1)
    cfg = Config(
        n_agents=1,
        max_cycles=25,
        online_steps=5000,
        eval_every_steps=5000,
        eval_episodes=20,
        batch_size=16,
        init="scratch",
        ovm=False,
        se_mode="egreedy",
        eps_start=1.0,
        eps_anneal_steps=2500,
        target_update_episodes=20,
        reward_scale=1.0,
        lr=5e-4,
        rnn_hidden=32,
        optimizer="rmsprop",
        num_envs=1,
        updates_per_round=1,
    )
    res = train_online(cfg, None, Seeder(0))
    adapters = make_adapters(cfg, 1)
    rng = np.random.default_rng(5)
    rand = []
    for i in range(40):
        _, avail, _ = adapters[0].reset(500 + i)
        total, done = 0.0, False
        while not done:
            out = adapters[0].step(np.array([rng.choice(np.flatnonzero(a)) for a in avail]))
            total += out.reward
            avail, done = out.avail, out.terminated or out.truncated
        rand.append(total)
    # a uniformly random policy scores about -15 here (s.e. about 1 over 40 episodes)
    assert res.final_return > res.initial_return + 3.0
    assert res.final_return > float(np.mean(rand)) + 3.0


@pytest.mark.parametrize("method", ["ovmse", "ft_cql"])
def test_online_resume_is_bit_exact(tmp_path, method):
    """2n steps in one go == n steps, stop, resume from the checkpoint in a fresh call, n more steps."""
    from paperkit import load_checkpoint

    from ovmse.experiments import METHODS

    cfg = Config(
        **{**SMALL, "dataset_episodes": 8},
        online_steps=80,
        eval_every_steps=30,
        buffer_size=12,  # small enough that the FIFO wraps before the stop
        memory_anneal_steps=60,
        eps_anneal_steps=50,
        cql_alpha=1.0,
        **METHODS[method],
    )
    seeder = Seeder(3)
    memory = frozen_copy(new_learner(cfg, seeder, "m").net)
    data = collect_dataset(cfg, memory, seeder)

    def run(path, **kw):
        return train_online(cfg, memory, Seeder(3), data, checkpoint=path, **kw)

    straight = run(tmp_path / "a", checkpoint_every=20)
    part = run(tmp_path / "b", stop_at=40)
    assert 40 <= part.env_steps < cfg.online_steps
    assert load_checkpoint(tmp_path / "b", config=cfg).step == part.env_steps
    resumed = run(tmp_path / "b")
    assert resumed.env_steps == straight.env_steps == cfg.online_steps
    assert resumed.curve == straight.curve and resumed.drift == straight.drift
    assert resumed.updates == straight.updates
    assert resumed.multi_deviator_fraction == straight.multi_deviator_fraction
    a, b = load_checkpoint(tmp_path / "a", config=cfg), load_checkpoint(tmp_path / "b", config=cfg)
    assert a.tensors.keys() == b.tensors.keys() and a.arrays.keys() == b.arrays.keys()
    assert all(torch.equal(a.tensors[k], b.tensors[k]) for k in a.tensors)
    assert all(np.array_equal(a.arrays[k], b.arrays[k]) for k in a.arrays)
    opt_a, opt_b = a.objects["optimizer"]["state"], b.objects["optimizer"]["state"]
    assert all(torch.equal(opt_a[i][k], opt_b[i][k]) for i in opt_a for k in opt_a[i])
    assert a.state["rngs"] == b.state["rngs"]
    # a finished run resumes to the same result without training further
    again = run(tmp_path / "b")
    assert again.curve == straight.curve and again.updates == straight.updates
    # and a checkpoint of another config is refused, naming the field
    with pytest.raises(ValueError, match="eps_start"):
        train_online(
            dataclasses.replace(cfg, eps_start=0.5), memory, Seeder(3), data, checkpoint=tmp_path / "b"
        )


@pytest.mark.parametrize("reference", ["random", "first"])
def test_behaviour_keeps_a_trained_snapshot(reference):
    cfg = Config(**SMALL, behaviour_steps=60, eval_every_steps=20, behaviour_reference=reference)
    learner, info = train_behaviour(cfg, Seeder(3))
    assert info["behaviour_pick_step"] >= max(1, 0.25 * cfg.behaviour_steps)
    if reference == "first":
        assert info["behaviour_reference"] == info["behaviour_first"]
    # the kept weights are those of the reported snapshot: re-evaluating them gives its return
    ret = evaluate(
        cfg,
        make_adapters(cfg, cfg.num_envs),
        learner.net,
        episodes=cfg.eval_episodes,
        seed=Seeder(3).int("eval") % 2**31,
    )
    assert ret == pytest.approx(info["behaviour_pick"])


def test_seeds_share_one_dataset_through_data_seed(tmp_path):
    from ovmse.experiments import make_config
    from ovmse.train import pretrain

    set_threads(1)
    cfgs = [make_config("ovmse", seed, "smoke", data_seed=0) for seed in (0, 1)]
    (m0, d0, i0), (m1, d1, i1) = (pretrain(c, tmp_path) for c in cfgs)
    names = sorted(p.name.split("-")[0] for p in tmp_path.iterdir())
    assert names == ["data", "offline", "offline"]  # one behaviour run + dataset, one θ_off per seed
    assert all(np.array_equal(d0.arrays[k], d1.arrays[k]) for k in d0.arrays)
    assert i0["dataset_return"] == i1["dataset_return"] and i0["behaviour_pick"] == i1["behaviour_pick"]
    assert any(not torch.equal(a, b) for a, b in zip(m0.state_dict().values(), m1.state_dict().values()))
    # data_seed = -1: each seed its own dataset
    own = pretrain(make_config("ovmse", 1, "smoke"), tmp_path)[1]
    assert not np.array_equal(own.arrays["actions"], d1.arrays["actions"])
    # a second call reads the cache: the same θ_off
    again = pretrain(cfgs[1], tmp_path)[0]
    assert all(torch.equal(a, b) for a, b in zip(m1.state_dict().values(), again.state_dict().values()))
