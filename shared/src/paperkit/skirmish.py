"""Skirmish: a small SMAC-like PettingZoo ``ParallelEnv`` with what MPE lacks (tests and a worked example).

``n_agents`` allies fight ``n_enemies`` scripted enemies. Every step each live ally picks an action:
0 = no-op, 1..n_enemies = attack that enemy (1 damage), and ``agent_0`` alone has one more, heal (the
weakest wounded ally gets +1 hp). ``info[agent]["action_mask"]`` marks attacks on dead enemies and a heal
with nobody wounded unavailable; an unavailable action acts as a no-op. Then every live enemy hits a
random live ally with probability ``enemy_hit``. So:

- agents **die at different times** (terminated, then gone from ``env.agents``),
- episodes **end early**: every ally terminates when all enemies are dead (a win, +``win_bonus`` each) or
  all allies are dead; only a draw reaches the time limit ``max_cycles`` (truncation),
- observations are **heterogeneous**: ``agent_0`` also sees every ally's hp,
- ``state()`` exists unless ``with_state=False`` (it then raises ``NotImplementedError``).

Rewards: each ally gets its own damage dealt plus ``kill_bonus`` per kill.
Use it as ``--env paperkit.skirmish`` from a MARL package's CLI (mast, ovmse) or
``train(cfg, env=paperkit.skirmish.parallel_env)``. Needs ``paperkit[pettingzoo]``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv


class Skirmish(ParallelEnv):
    metadata: ClassVar[dict[str, Any]] = {
        "name": "skirmish_v0",
        "render_modes": [],
        "is_parallelizable": True,
    }

    def __init__(
        self,
        n_agents: int = 3,
        n_enemies: int = 2,
        max_cycles: int = 30,
        *,
        agent_hp: int = 3,
        enemy_hp: int = 4,
        enemy_hit: float = 0.5,
        kill_bonus: float = 2.0,
        win_bonus: float = 5.0,
        with_state: bool = True,
        render_mode: str | None = None,
    ):
        if n_agents < 1 or n_enemies < 1 or max_cycles < 1 or agent_hp < 1 or enemy_hp < 1:
            raise ValueError("n_agents, n_enemies, max_cycles, agent_hp and enemy_hp must be >= 1")
        self.n_enemies, self.max_cycles = n_enemies, max_cycles
        self.agent_hp, self.enemy_hp, self.enemy_hit = agent_hp, enemy_hp, enemy_hit
        self.kill_bonus, self.win_bonus, self.with_state = kill_bonus, win_bonus, with_state
        self.render_mode = render_mode
        self.possible_agents = [f"agent_{i}" for i in range(n_agents)]
        self.agents: list[str] = []
        n_obs = {a: 2 + n_enemies + (n_agents if i == 0 else 0) for i, a in enumerate(self.possible_agents)}
        n_act = {a: 1 + n_enemies + (1 if i == 0 else 0) for i, a in enumerate(self.possible_agents)}
        self._obs_spaces = {a: spaces.Box(0.0, 1.0, (n_obs[a],), np.float32) for a in self.possible_agents}
        self._act_spaces = {a: spaces.Discrete(n_act[a]) for a in self.possible_agents}
        self._rng = np.random.default_rng(0)
        self._hp = np.zeros(n_agents)
        self._ehp = np.zeros(n_enemies)
        self._t = 0

    def observation_space(self, agent: str) -> spaces.Box:
        return self._obs_spaces[agent]

    def action_space(self, agent: str) -> spaces.Discrete:
        return self._act_spaces[agent]

    def state(self) -> np.ndarray:
        if not self.with_state:
            raise NotImplementedError("Skirmish(with_state=False) has no global state")
        return np.concatenate(
            [self._hp / self.agent_hp, self._ehp / self.enemy_hp, [self._t / self.max_cycles]]
        ).astype(np.float32)

    def _mask(self, agent: str) -> np.ndarray:
        i = self.possible_agents.index(agent)
        mask = np.zeros(self._act_spaces[agent].n, np.int8)
        mask[0] = 1
        mask[1 : 1 + self.n_enemies] = self._ehp > 0
        if i == 0:
            mask[-1] = bool(((self._hp > 0) & (self._hp < self.agent_hp)).any())
        return mask

    def _obs(self, agent: str) -> np.ndarray:
        i = self.possible_agents.index(agent)
        own = [self._hp[i] / self.agent_hp, self._t / self.max_cycles]
        extra = list(self._hp / self.agent_hp) if i == 0 else []
        return np.array([*own, *(self._ehp / self.enemy_hp), *extra], np.float32)

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.agents = list(self.possible_agents)
        self._hp = np.full(len(self.possible_agents), float(self.agent_hp))
        self._ehp = np.full(self.n_enemies, float(self.enemy_hp))
        self._t = 0
        return {a: self._obs(a) for a in self.agents}, {
            a: {"action_mask": self._mask(a)} for a in self.agents
        }

    def step(self, actions: dict[str, Any]):
        acting = list(self.agents)
        rewards = dict.fromkeys(acting, 0.0)
        for a in acting:
            act = int(actions.get(a, 0))
            if not 0 <= act < self._act_spaces[a].n or not self._mask(a)[act]:
                continue  # unavailable actions are no-ops
            if 1 <= act <= self.n_enemies:
                j = act - 1
                if self._ehp[j] > 0:
                    self._ehp[j] -= 1
                    rewards[a] += 1.0 + (self.kill_bonus if self._ehp[j] == 0 else 0.0)
            elif act == self.n_enemies + 1:  # agent_0's heal
                wounded = [k for k in range(len(self._hp)) if 0 < self._hp[k] < self.agent_hp]
                if wounded:
                    self._hp[min(wounded, key=lambda k: self._hp[k])] += 1
        for _ in range(int((self._ehp > 0).sum())):
            alive = np.flatnonzero(self._hp > 0)
            if len(alive) and self._rng.random() < self.enemy_hit:
                self._hp[self._rng.choice(alive)] -= 1
        self._t += 1
        won = not (self._ehp > 0).any()
        lost = not (self._hp > 0).any()
        if won:
            for a in acting:
                rewards[a] += self.win_bonus
        over = won or lost
        terms = {a: over or self._hp[self.possible_agents.index(a)] <= 0 for a in acting}
        truncs = {a: not terms[a] and self._t >= self.max_cycles for a in acting}
        obs = {a: self._obs(a) for a in acting}
        infos = {a: {"action_mask": self._mask(a)} for a in acting}
        self.agents = [a for a in acting if not (terms[a] or truncs[a])]
        return obs, rewards, terms, truncs, infos


def parallel_env(**kwargs: Any) -> Skirmish:
    """``Skirmish(**kwargs)``: the PettingZoo module convention, so ``--env paperkit.skirmish`` works."""
    return Skirmish(**kwargs)
