"""paperkit.parallel_env and paperkit.skirmish (the MARL packages' shared env plumbing)."""

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import parallel_api_test

from paperkit.parallel_env import ParallelEnvAdapter, env_factory
from paperkit.skirmish import Skirmish


@pytest.mark.parametrize("with_state", [True, False])
def test_skirmish_passes_the_pettingzoo_parallel_api_test(with_state):
    parallel_api_test(Skirmish(with_state=with_state), num_cycles=200)


def test_adapter_pads_heterogeneous_agents_and_masks_the_dead():
    env = env_factory("paperkit.skirmish", kwargs="n_agents=3, n_enemies=2, enemy_hit=0.9")()
    adapter = ParallelEnvAdapter(env, episode_limit=40)
    obs, avail, _state = adapter.reset(seed=0)
    assert obs.shape[0] == avail.shape[0] == 3 and avail.shape[1] == max(adapter.action_sizes)
    ended = False
    rng = np.random.default_rng(0)
    for _ in range(40):
        actions = np.array([rng.choice(np.flatnonzero(row)) for row in avail])
        step = adapter.step(actions)
        avail = step.avail
        assert avail.any(axis=1).all()  # every row keeps an available action, the dead ones only the no-op
        if step.terminated or step.truncated:
            ended = True
            break
    assert ended
