"""Issue 22: any PettingZoo ParallelEnv through the front door (every phase), and no NaN from early ends.

The Skirmish env (``ovmse.skirmish``) has action masks, agents that die at different times, episodes that
end early (padded steps with no available action) and heterogeneous observation/action sizes.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from paperkit import Seeder, load_checkpoint

from ovmse import Config, NonFiniteError, env_factory, train
from ovmse.envs import ParallelEnvAdapter
from ovmse.learner import Learner, to_tensors
from ovmse.networks import QMixer
from ovmse.skirmish import Skirmish, parallel_env
from ovmse.targets import cfcql_penalty, lambda_returns
from ovmse.train import rollout, train_online

SMALL = dict(
    max_cycles=20,
    num_envs=2,
    rnn_hidden=8,
    mixer_embed=4,
    hypernet_hidden=8,
    batch_size=4,
    dataset_episodes=8,
    offline_updates=4,
    eval_episodes=2,
    eval_every_steps=60,
    target_update_episodes=7,
    behaviour_steps=120,
    online_steps=120,
    eps_anneal_steps=60,
    memory_anneal_steps=60,
)


def _finite(module: torch.nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in module.parameters())


@pytest.mark.parametrize("with_state", [True, False])
def test_skirmish_passes_the_pettingzoo_parallel_api_test(with_state):
    with warnings.catch_warnings():  # pettingzoo.test imports deprecated classic envs
        warnings.simplefilter("ignore", DeprecationWarning)
        from pettingzoo.test import parallel_api_test
    parallel_api_test(Skirmish(with_state=with_state), num_cycles=200)


def test_early_episode_ends_give_a_finite_cfcql_penalty_and_loss():
    """Regression (issue 22): at padded steps after an episode's end no action is available; the CFCQL
    penalty's LSE there was −∞ and × filled made it NaN, so the reported offline loss was NaN."""
    cfg = Config(**SMALL)
    ads = [ParallelEnvAdapter(Skirmish(), episode_limit=cfg.max_cycles) for _ in range(4)]
    _, _, state = ads[0].reset(0)
    a0 = ads[0]
    learner = Learner(cfg, a0.n_agents, a0.obs_dim, a0.n_actions, state.shape[0], gen=Seeder(0).torch("i"))
    eps, _ = rollout(
        ads,
        [0, 1, 2, 3],
        learner.net,
        eps=1.0,
        se_mode="egreedy",
        clock=0,
        rng=np.random.default_rng(0),
        reward_scale=0.1,
    )
    batch = to_tensors({k: np.stack([e[k] for e in eps]) for k in eps[0]})
    assert (batch["filled"].sum(1) < cfg.max_cycles).all()  # every episode ended early
    for _ in range(3):
        st = learner.update(batch, cql_alpha=5.0)
        assert np.isfinite([st.loss, st.td_loss, st.cql_penalty, st.q_tot_mean, st.target_mean]).all()
    assert _finite(learner.net)


def test_cfcql_penalty_of_a_padded_step_is_zero_with_finite_gradients():
    gen = torch.Generator().manual_seed(0)
    mixer = QMixer(2, 3, 4, 8, generator=gen)
    qs = torch.randn(1, 2, 2, 3, generator=gen, requires_grad=True)
    actions = torch.tensor([[[0, 2], [0, 0]]])
    avail = torch.tensor([[[[True, True, True], [True, False, True]], [[False] * 3, [False] * 3]]])
    pen = cfcql_penalty(qs, actions, avail, torch.zeros(1, 2, 3), mixer)
    assert pen[0, 1] == 0 and torch.isfinite(pen).all() and pen[0, 0] >= -1e-6
    pen.sum().backward()
    assert torch.isfinite(qs.grad).all() and (qs.grad[0, 1] == 0).all()


def test_lambda_returns_ignore_non_finite_values_at_padded_steps():
    g = lambda_returns(
        torch.tensor([[1.0, 0.0]]),
        torch.tensor([[1.0, 0.0]]),
        torch.tensor([[1.0, 0.0]]),
        torch.tensor([[3.0, float("nan")]]),
        gamma=0.9,
        lam=0.6,
    )
    assert torch.equal(g, torch.tensor([[1.0, 0.0]]))


def test_whole_pipeline_on_a_factory_and_on_an_import_path():
    res = train(Config(**SMALL), env=lambda: parallel_env(n_agents=3, n_enemies=2))
    assert np.isfinite(list(res.pretrain.values())).all()
    assert np.isfinite([r for _, r in res.online.curve]).all() and res.online.updates > 0
    res2 = train(Config(**SMALL, env="ovmse.skirmish:Skirmish", env_kwargs="with_state=False, n_agents=2"))
    assert np.isfinite(res2.pretrain["offline_cql_penalty"]) and res2.online.updates > 0


def test_a_factory_cannot_be_cached_and_bad_env_specs_are_refused(tmp_path):
    with pytest.raises(ValueError, match="cache"):
        train(Config(**SMALL), env=parallel_env, cache=tmp_path)
    for bad in ("nope", "pkg.mod:"):
        with pytest.raises(ValueError, match="env"):
            Config(env=bad)
    with pytest.raises(ValueError, match="env_kwargs"):
        Config(env="ovmse.skirmish", env_kwargs="5")
    with pytest.raises(ValueError, match="cannot import"):
        env_factory("no_such_package_xyz.envs")


def test_continuous_actions_get_a_clear_error():
    with pytest.raises(ValueError, match=r"non-discrete action space.*continuous_actions=False"):
        train(Config(**SMALL, env="mpe2.simple_reference_v3", env_kwargs="continuous_actions=True"))


class _Exploding(Skirmish):
    """Rewards blow up (1e30: the squared TD error overflows) after the 12th reset."""

    resets = 0

    def reset(self, seed=None, options=None):
        self.resets += 1
        return super().reset(seed=seed, options=options)

    def step(self, actions):
        obs, rew, term, trunc, info = super().step(actions)
        if self.resets > 12:
            rew = dict.fromkeys(rew, 1e30)
        return obs, rew, term, trunc, info


def test_non_finite_loss_stops_with_step_and_quantity_and_keeps_the_last_checkpoint(tmp_path):
    cfg = Config(**{**SMALL, "online_steps": 3000}, init="scratch", ovm=False)
    with pytest.raises(NonFiniteError, match=r"non-finite TD loss .* at online env step \d+ \(update \d+\)"):
        train_online(cfg, None, Seeder(0), checkpoint=tmp_path, checkpoint_every=1, env=_Exploding)
    ck = load_checkpoint(tmp_path, config=cfg)
    assert ck.step > 0
    assert all(bool(torch.isfinite(v).all()) for k, v in ck.tensors.items() if k.startswith("net."))


def test_cli_trains_on_envs_given_by_import_path():
    small = [f"--{k.replace('_', '-')}={v}" for k, v in SMALL.items()]
    for env_args in (
        ["--env", "mpe2.simple_reference_v3", "--env-kwargs", "local_ratio=0.3", "--max-cycles", "25"],
    ):
        r = subprocess.run(
            [sys.executable, "-m", "ovmse", "train", *small, *env_args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 0, r.stderr
        assert "online: initial=" in r.stdout and "nan" not in r.stdout
