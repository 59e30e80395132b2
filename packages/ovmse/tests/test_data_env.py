"""The PettingZoo wrapper and the dataset format: API test, round trip, clear errors, nothing overwritten."""

import numpy as np
import pytest
from paperkit import Seeder
from pettingzoo.test.parallel_test import parallel_api_test

from ovmse.config import Config
from ovmse.data import EpisodeDataset, load_dataset, save_dataset
from ovmse.envs import ParallelEnvAdapter, make_env
from ovmse.train import collect_dataset, new_learner, train_offline

SMALL = dict(
    max_cycles=5,
    num_envs=2,
    rnn_hidden=8,
    mixer_embed=4,
    hypernet_hidden=8,
    batch_size=2,
    dataset_episodes=3,
    offline_updates=2,
    eval_episodes=1,
)


def test_wrapped_env_passes_parallel_api_test():
    env = make_env("simple_spread", n_agents=3, max_cycles=10)()
    parallel_api_test(env, num_cycles=20)
    adapter = ParallelEnvAdapter(make_env("simple_speaker_listener", max_cycles=5)(), episode_limit=5)
    obs, avail, state = adapter.reset(0)
    assert state.ndim == 1 and state.shape[0] > 0
    assert obs.shape == (2, 11) and avail.shape == (2, 5)
    assert avail.sum(1).tolist() == [3, 5]  # the speaker has 3 actions, padded to 5 with masks


def _dataset(cfg):
    seeder = Seeder(0)
    return collect_dataset(cfg, new_learner(cfg, seeder, "x").net, seeder)


def test_dataset_round_trip_and_no_overwrite(tmp_path):
    cfg = Config(**SMALL)
    ds = _dataset(cfg)
    assert len(ds) == 3 and ds.transitions == 15
    save_dataset(tmp_path / "d", ds)
    back = load_dataset(tmp_path / "d")
    for k in ds.arrays:
        assert np.array_equal(ds.arrays[k], back.arrays[k])
    before = (tmp_path / "d" / "episodes.safetensors").read_bytes()
    with pytest.raises(ValueError, match="exists"):
        save_dataset(tmp_path / "d", _dataset(Config(**{**SMALL, "dataset_episodes": 2})))
    assert (tmp_path / "d" / "episodes.safetensors").read_bytes() == before


def test_dataset_from_other_env_refused():
    ds = _dataset(Config(**SMALL))
    with pytest.raises(ValueError, match="agents"):
        train_offline(Config(**{**SMALL, "n_agents": 4}), ds, Seeder(0))


def test_empty_or_broken_datasets_refused(tmp_path):
    ds = _dataset(Config(**SMALL))
    empty = {k: v[:0] for k, v in ds.arrays.items()}
    with pytest.raises(ValueError, match="empty"):
        EpisodeDataset(empty, ds.meta)
    bad = dict(ds.arrays)
    bad["avail"] = bad["avail"].copy()
    bad["avail"][:] = False
    bad["avail"][..., 0] = True
    bad["actions"] = np.full_like(bad["actions"], 1)
    with pytest.raises(ValueError, match="unavailable"):
        EpisodeDataset(bad, ds.meta)
    with pytest.raises(ValueError, match="no dataset"):
        load_dataset(tmp_path / "missing")


def test_time_limit_keeps_the_final_observation():
    # the learner bootstraps from the last observation at a time limit: it must not be blanked like a
    # dead agent's (one no-op action, zero observation)
    adapter = ParallelEnvAdapter(make_env("simple_spread", n_agents=3, max_cycles=3)(), episode_limit=3)
    adapter.reset(0)
    for _ in range(3):
        res = adapter.step(np.zeros(3, int))
    assert res.truncated and not res.terminated
    assert np.abs(res.obs).sum(1).min() > 0
    assert res.avail.all()
