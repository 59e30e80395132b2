"""The PettingZoo adapter: what the learner sees after a time limit (bootstrap) vs a termination."""

from types import SimpleNamespace

import numpy as np

from mast.envs import ParallelEnvAdapter


class TwoAgentEnv:
    """Agent 'b' terminates after step 2; the episode is truncated after step 3. Obs = [step, agent index + 1]."""

    possible_agents = ("a", "b")

    def observation_space(self, agent):
        return SimpleNamespace(shape=(2,))  # what the adapter reads of a Box

    def action_space(self, agent):
        return SimpleNamespace(n=3)  # of a Discrete

    def state(self):
        return np.array([self.t], np.float32)

    def _obs(self, agents):
        return {x: np.array([self.t, self.possible_agents.index(x) + 1], np.float32) for x in agents}

    def reset(self, seed=None):
        self.t = 0
        self.agents = list(self.possible_agents)
        return self._obs(self.agents), {x: {} for x in self.agents}

    def step(self, actions):
        self.t += 1
        acting = list(actions)
        term = {x: x == "b" and self.t == 2 for x in acting}
        trunc = {x: self.t == 3 for x in acting}
        self.agents = [x for x in acting if not (term[x] or trunc[x])]
        return self._obs(acting), dict.fromkeys(acting, -1.0), term, trunc, {x: {} for x in acting}


def test_truncation_keeps_final_obs_and_termination_hides_dead_agents():
    ad = ParallelEnvAdapter(TwoAgentEnv(), episode_limit=3)
    ad.reset(0)
    r1 = ad.step(np.array([1, 2]))
    assert r1.reward == -2.0 and not (r1.terminated or r1.truncated)
    r2 = ad.step(np.array([1, 2]))  # b terminates: zero obs, only the no-op left
    np.testing.assert_array_equal(r2.obs[1], [0.0, 0.0])
    np.testing.assert_array_equal(r2.avail[1], [True, False, False])
    r3 = ad.step(np.array([1, 0]))  # time limit: a's final observation is kept for the bootstrap
    assert r3.truncated and not r3.terminated
    np.testing.assert_array_equal(r3.obs[0], [3.0, 1.0])
    assert r3.avail[0].all()
    np.testing.assert_array_equal(r3.obs[1], [0.0, 0.0])
    assert r3.reward == -1.0  # only the acting agent's reward
