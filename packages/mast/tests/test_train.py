"""End to end: config validation, masks through training, FLOPs, resume, learning, the smoke preset."""

import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from paperkit import Seeder

from mast.config import Config
from mast.envs import ParallelEnvAdapter, make_env
from mast.experiments import EXPERIMENTS, make_config
from mast.learner import Learner, to_tensors
from mast.replay import DualReplay, episode_shapes
from mast.train import make_adapter, run_episode, train, value_bias

TINY = dict(
    total_env_steps=200,
    batch_size=4,
    buffer_size=40,
    eval_every_steps=100,
    eval_episodes=2,
    topology_interval_episodes=2,
    on_buffer_size=4,
    on_batch=2,
    target_update_episodes=3,
    eps_anneal_steps=150,
    lambda_switch_steps=100,
    max_cycles=10,
    rnn_hidden=16,
    mixer_embed=8,
    hypernet_hidden=16,
)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sparsity", 1.0),
        ("sparsity", -0.2),
        ("topology_interval_episodes", 0),
        ("sm_omega", 0.0),
        ("sm_omega", -1.0),
        ("eps_start", 1.5),
        ("lambda_late", 2.0),
        ("env", "nope"),
        ("on_batch", 32),
    ],
)
def test_bad_config_raises_naming_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        Config(**{field: value})


def test_cli_reports_bad_input_cleanly():
    r = subprocess.run(
        [sys.executable, "-m", "mast", "train", "--sparsity", "1.0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 2
    assert "sparsity" in r.stderr and "Traceback" not in r.stderr


def test_masks_survive_updates_and_target_copies():
    cfg = Config(**TINY, topology="rigl", sparsity=0.9)
    adapter = make_adapter(cfg)
    _, _, state = adapter.reset(0)
    learner = Learner(
        cfg, adapter.n_agents, adapter.obs_dim, adapter.n_actions, state.shape[0], gen=Seeder(0).torch("i")
    )
    topo = learner.topology
    counts = topo.active_counts()
    buf = DualReplay(
        20, 4, episode_shapes(adapter.n_agents, adapter.obs_dim, adapter.n_actions, state.shape[0], 10)
    )
    rng = np.random.default_rng(0)
    for i in range(6):
        buf.push(run_episode(adapter, learner, env_seed=i, eps=1.0, rng=rng, reward_scale=0.1)[0])
    n_topology = 0
    for _ in range(7):
        batch, _ = buf.sample(4, 2, rng)
        info = learner.train_step(
            to_tensors(batch), 0.6, total_updates=100, gen=torch.Generator().manual_seed(0)
        )
        n_topology += info.topology_update
        assert topo.active_counts() == counts
        for n, p in topo.params.items():
            assert torch.count_nonzero(p.detach()[~topo.masks[n]]) == 0
    assert n_topology == 3  # updates 2, 4, 6
    learner.update_target()
    tparams = dict(learner.target.named_parameters())
    for n in topo.params:
        assert torch.count_nonzero(tparams[n].detach()[~topo.masks[n]]) == 0
    # FLOPs counted from the weights: 90% sparsity gives roughly a tenth of the dense agent forward
    probe = to_tensors(
        {
            k: np.zeros((1, *s), dt)
            for k, (s, dt) in episode_shapes(
                adapter.n_agents, adapter.obs_dim, adapter.n_actions, state.shape[0], 10
            ).items()
        }
    )
    agents, mixer = learner.forward_flops(probe)
    assert 0.03 < agents.sparse / agents.dense < 0.2
    assert 0.03 < mixer.sparse / mixer.dense < 0.25


def test_resume_is_bit_exact(tmp_path):
    cfg = Config(**{**TINY, "total_env_steps": 160}, topology="rigl", sparsity=0.9)
    full = train(cfg, run_dir=tmp_path / "full")
    part = train(cfg, run_dir=tmp_path / "part", stop_after_episodes=8)
    assert part.episodes == 8
    rest = train(cfg, run_dir=tmp_path / "part", resume=True)
    assert rest.curve == full.curve
    assert rest.updates == full.updates and rest.topology_updates == full.topology_updates
    from paperkit import load_checkpoint

    a = load_checkpoint(tmp_path / "full" / "checkpoint").tensors
    b = load_checkpoint(tmp_path / "part" / "checkpoint").tensors
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def test_resume_with_other_config_is_refused(tmp_path):
    cfg = Config(**TINY, topology="rigl", sparsity=0.9)
    train(cfg, run_dir=tmp_path, stop_after_episodes=3)
    with pytest.raises(ValueError, match="different config"):
        train(dataclasses.replace(cfg, sparsity=0.8), run_dir=tmp_path, resume=True)


def test_smoke_preset_cells_return_records(tmp_path):
    exp = EXPERIMENTS[0]
    recs = exp.run(method="mast", seed=0, preset="smoke", out_dir=tmp_path)
    metrics = {r.metric for r in recs}
    assert {
        "final_return",
        "return",
        "train_flops_rel",
        "infer_flops_rel",
        "q_overestimation",
        "value_bias",
    } <= metrics
    flops = next(r.value for r in recs if r.metric == "train_flops_rel")
    infer = next(r.value for r in recs if r.metric == "infer_flops_rel")
    assert 0.05 < infer < 0.2  # 90% sparse agent nets
    # smoke grows connections every 2nd update, each with a dense backward: more than inference, < dense
    assert infer < flops < 1.0
    assert make_config("dense", 0, "smoke").topology == "dense"


def test_value_bias_of_a_zero_value_net_is_minus_the_long_greedy_return():
    # all-zero nets: Q_tot ≡ 0 and the greedy action is the no-op, so the bias is −(discounted no-op return)
    cfg = Config(**TINY, topology="dense", sparsity=0.0, gamma=0.9)
    adapter = make_adapter(cfg)
    _, _, state = adapter.reset(0)
    learner = Learner(
        cfg, adapter.n_agents, adapter.obs_dim, adapter.n_actions, state.shape[0], gen=Seeder(0).torch("i")
    )
    with torch.no_grad():
        for p in learner.net.parameters():
            p.zero_()
    horizon = math.ceil(math.log(0.05) / math.log(0.9))  # 29 steps: longer than the 10-step training episodes
    expected = []
    for i in range(2):
        env = make_env(cfg.env, n_agents=cfg.n_agents, max_cycles=horizon)()
        long = ParallelEnvAdapter(env, episode_limit=horizon)
        long.reset(7 + i)
        rewards = [long.step(np.zeros(3, dtype=np.int64)).reward for _ in range(horizon)]
        expected.append(-sum(r * cfg.reward_scale * 0.9**t for t, r in enumerate(rewards)))
    assert value_bias(cfg, learner, episodes=2, seed=7) == pytest.approx(np.mean(expected), rel=1e-5)


def test_spread_long_changes_only_the_budget_and_the_lambda_switch():
    # the longer run must differ from the quick preset only where stated, or its comparison with quick is moot
    quick = dataclasses.asdict(make_config("mast", 1, "quick"))
    long = dataclasses.asdict(make_config("mast", 1, "quick", "spread_long"))
    changed = {k for k in quick if quick[k] != long[k]}
    assert changed == {"total_env_steps", "lambda_switch_steps"}
    assert long["lambda_switch_steps"] == long["total_env_steps"] // 10
    assert make_config("dense", 0, "smoke", "spread_long") == make_config("dense", 0, "smoke")
    with pytest.raises(ValueError, match="unknown method"):
        make_config("nope", 0, "quick", "spread_long")


class _Killed(Exception):
    pass


def test_a_kill_just_after_an_evaluation_row_does_not_duplicate_it(tmp_path, monkeypatch):
    """Issue 23 regression: an evaluation due at a checkpoint's step used to run after that checkpoint, so a
    kill right after its row left a row that the resumed run (which keeps rows <= the checkpoint's step)
    logged a second time. The evaluation now runs before the checkpoint."""
    import sys

    from paperkit import MetricsLogger

    mast_train = sys.modules["mast.train"]  # the module (mast.train is also the name of the function)

    cfg = Config(**TINY, topology="rigl", sparsity=0.9, checkpoint_every_episodes=1)
    train(cfg, run_dir=tmp_path / "full")

    class KilledAfterFirstEvalRow(MetricsLogger):
        def log(self, step, scalars):
            super().log(step, scalars)
            if step > 0 and "eval_return" in scalars:
                raise _Killed  # as a SIGKILL right after the row reached the file

    monkeypatch.setattr(mast_train, "MetricsLogger", KilledAfterFirstEvalRow)
    with pytest.raises(_Killed):
        train(cfg, run_dir=tmp_path / "part")
    monkeypatch.setattr(mast_train, "MetricsLogger", MetricsLogger)
    train(cfg, run_dir=tmp_path / "part", resume=True)
    full, part = ((tmp_path / d / "metrics.jsonl").read_text().splitlines() for d in ("full", "part"))
    assert part == full
