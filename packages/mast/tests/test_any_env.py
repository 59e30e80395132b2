"""Issue 22: any PettingZoo ParallelEnv through the front door, and no NaN from early episode ends.

The Skirmish env (``mast.skirmish``) has action masks, agents that die at different times, episodes that
end early (padded steps with no available action) and heterogeneous observation/action sizes.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from paperkit import Seeder, load_checkpoint

from mast import Config, NonFiniteError, env_factory, parse_env_kwargs, train
from mast.envs import ParallelEnvAdapter
from mast.learner import Learner, to_tensors
from mast.replay import DualReplay, episode_shapes
from mast.returns import lambda_returns
from mast.skirmish import Skirmish, parallel_env
from mast.soft_mellowmax import masked_max, soft_mellowmax
from mast.train import run_episode

SMALL = dict(
    total_env_steps=240,
    batch_size=4,
    buffer_size=40,
    eval_every_steps=120,
    eval_episodes=2,
    topology_interval_episodes=2,
    on_buffer_size=4,
    on_batch=2,
    target_update_episodes=3,
    eps_anneal_steps=150,
    lambda_switch_steps=60,
    max_cycles=20,
    rnn_hidden=16,
    mixer_embed=8,
    hypernet_hidden=16,
)


def _params_finite(module: torch.nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


@pytest.mark.parametrize("with_state", [True, False])
def test_skirmish_passes_the_pettingzoo_parallel_api_test(with_state):
    with warnings.catch_warnings():  # pettingzoo.test imports deprecated classic envs
        warnings.simplefilter("ignore", DeprecationWarning)
        from pettingzoo.test import parallel_api_test
    parallel_api_test(Skirmish(with_state=with_state), num_cycles=200)


def test_skirmish_has_what_mpe_lacks():
    ad = ParallelEnvAdapter(Skirmish(), episode_limit=20)
    assert ad.obs_sizes == [7, 4, 4] and ad.action_sizes == [4, 3, 3]  # heterogeneous, padded to the max
    _, avail, _ = ad.reset(0)
    assert avail[0].tolist() == [True, True, True, False]  # heal masked (nobody wounded)
    assert avail[1].tolist() == [True, True, True, False]  # agent_1 has no 4th action
    lengths, deaths = [], 0
    for seed in range(10):
        ad.reset(seed)
        steps = 0
        while steps < 20:
            res = ad.step(np.zeros(3, int))  # no-ops: the enemies win
            steps += 1
            deaths = max(deaths, int((res.avail[:, 1:] == 0).all(-1).sum()))
            if res.terminated or res.truncated:
                break
        lengths.append(steps)
        assert res.terminated
    assert max(lengths) < 20 and deaths >= 1


@pytest.mark.parametrize("bootstrap", ["soft_mellowmax", "max", "double_q"])
def test_early_episode_ends_give_finite_loss_and_weights(bootstrap):
    """Regression (issue 22): padded steps after an episode's end have no available action; Soft Mellowmax
    over such a row was LSE(−∞) − LSE(−∞) = NaN, kept by the × filled mask, and every weight went NaN."""
    cfg = Config(**SMALL, topology="rigl", sparsity=0.9, bootstrap=bootstrap)
    ad = ParallelEnvAdapter(Skirmish(), episode_limit=cfg.max_cycles)
    _, _, state = ad.reset(0)
    learner = Learner(cfg, ad.n_agents, ad.obs_dim, ad.n_actions, state.shape[0], gen=Seeder(0).torch("i"))
    shapes = episode_shapes(ad.n_agents, ad.obs_dim, ad.n_actions, state.shape[0], cfg.max_cycles)
    buf = DualReplay(20, 0, shapes)
    rng = np.random.default_rng(0)
    for i in range(8):
        ep, _, length = run_episode(ad, learner, env_seed=i, eps=1.0, rng=rng, reward_scale=0.1)
        assert length < cfg.max_cycles  # every episode ends early: padded steps follow
        buf.push(ep)
    batch, _ = buf.sample(8, 0, rng)
    loss, stats = learner.loss(to_tensors(batch), lam=0.6)
    assert torch.isfinite(loss) and all(np.isfinite(v) for v in stats.values())
    for _ in range(4):
        info = learner.train_step(to_tensors(batch), 0.6, total_updates=10, gen=torch.Generator())
        assert np.isfinite(info.loss)
    assert _params_finite(learner.net)


def test_soft_mellowmax_and_max_of_an_empty_row_are_zero_with_finite_gradients():
    q = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    avail = torch.tensor([[True, False, True], [False, False, False]])
    sm = soft_mellowmax(q, omega=10.0, alpha=1.0, avail=avail)
    mx = masked_max(q, avail)
    assert sm[1] == 0 and mx[1] == 0 and mx[0] == 3.0
    assert 1.0 < float(sm[0].detach()) <= 3.0
    (sm.sum() + mx.sum()).backward()
    assert torch.isfinite(q.grad).all() and (q.grad[1] == 0).all() and q.grad[0, 1] == 0


def test_lambda_returns_ignore_non_finite_values_at_padded_steps():
    rewards = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
    filled = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
    terminated = torch.tensor([[0.0, 1.0, 0.0, 0.0]])
    nxt = torch.tensor([[2.0, 5.0, float("nan"), -float("inf")]])
    g = lambda_returns(rewards, terminated, filled, nxt, gamma=0.5, lam=0.5)
    assert torch.equal(g, torch.tensor([[1.0 + 0.5 * (0.5 * 2.0 + 0.5 * 1.0), 1.0, 0.0, 0.0]]))


def test_train_on_a_factory_and_on_an_import_path():
    res = train(Config(**SMALL), env=lambda: parallel_env(n_agents=3, n_enemies=2))
    assert np.isfinite(res.final_return) and np.isfinite(res.action_gap) and np.isfinite(res.value_bias)
    assert res.updates > 0
    # the same env through an import path with keyword arguments, without a global state
    res2 = train(Config(**SMALL, env="mast.skirmish:Skirmish", env_kwargs="with_state=False, n_enemies=3"))
    assert np.isfinite(res2.final_return) and res2.updates > 0


def test_env_specs_and_kwargs_are_validated():
    assert parse_env_kwargs("N=5, local_ratio=0.5, name='x'") == {"N": 5, "local_ratio": 0.5, "name": "x"}
    for bad in ("5", "N=foo()", "**x"):
        with pytest.raises(ValueError, match="env_kwargs"):
            Config(env="mast.skirmish", env_kwargs=bad)
    for bad in ("nope", "a b", "pkg.mod:"):
        with pytest.raises(ValueError, match="env"):
            Config(env=bad)
    with pytest.raises(ValueError, match="cannot import"):
        env_factory("no_such_package_xyz.envs")
    with pytest.raises(ValueError, match="no callable"):
        env_factory("mast.skirmish:nothing_here")


def test_continuous_actions_get_a_clear_error():
    with pytest.raises(ValueError, match=r"non-discrete action space.*continuous_actions=False"):
        train(Config(**SMALL, env="mpe2.simple_reference_v3", env_kwargs="continuous_actions=True"))


class _Exploding(Skirmish):
    """Rewards blow up (1e30: the squared TD error overflows) from the 6th episode on."""

    resets = 0

    def reset(self, seed=None, options=None):
        self.resets += 1
        return super().reset(seed=seed, options=options)

    def step(self, actions):
        obs, rew, term, trunc, info = super().step(actions)
        if self.resets > 6:
            rew = dict.fromkeys(rew, 1e30)
        return obs, rew, term, trunc, info


def test_non_finite_loss_stops_with_step_and_quantity_and_keeps_the_last_checkpoint(tmp_path):
    cfg = Config(**{**SMALL, "total_env_steps": 2000}, checkpoint_every_episodes=1)
    with pytest.raises(NonFiniteError, match=r"non-finite TD loss .* at update \d+ \(env step \d+\)"):
        train(cfg, env=_Exploding, run_dir=tmp_path)
    ck = load_checkpoint(tmp_path / "checkpoint", config=cfg)
    assert ck.step > 0
    assert all(bool(torch.isfinite(v).all()) for k, v in ck.tensors.items() if k.startswith("net."))


def test_cli_trains_on_envs_given_by_import_path():
    small = [f"--{k.replace('_', '-')}={v}" for k, v in SMALL.items() if k != "max_cycles"]
    for env_args in (
        ["--env", "mpe2.simple_reference_v3", "--env-kwargs", "local_ratio=0.3", "--max-cycles", "25"],
    ):
        r = subprocess.run(
            [sys.executable, "-m", "mast", "train", *small, *env_args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 0, r.stderr
        assert "final_return=" in r.stdout and "nan" not in r.stdout.split("value_bias")[0]
