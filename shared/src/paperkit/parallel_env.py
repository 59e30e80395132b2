"""Any PettingZoo Parallel env -> fixed-shape arrays for value-decomposition learners (``paperkit[pettingzoo]``).

Env plumbing shared by the MARL packages (mast, ovmse); their learners stay in their packages.

Which env: ``env_factory`` turns what a user gives into a factory (a callable returning a fresh
``ParallelEnv``): a callable is used as is; ``"simple_spread"`` / ``"simple_speaker_listener"`` are the
built-in MPE2 shortcuts; any other string is an import path, ``"package.module"`` (its ``parallel_env``,
as every PettingZoo / MPE2 env module has) or ``"package.module:callable"``, called with ``env_kwargs``.

Per step the learner sees, for the fixed agent order ``env.possible_agents``:
  obs ``[n, obs_dim]`` (flattened, zero-padded to the largest agent), avail ``[n, n_actions]`` (an agent
  with fewer actions, or a dead agent, gets only its own / only action 0), the global state ``[state_dim]``
  (``env.state()`` when the env implements it, else the concatenated padded observations) and one team
  reward (sum or mean of the agents' rewards). Action masks given as ``obs["action_mask"]`` or
  ``info["action_mask"]`` are honoured.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

EnvFactory = Callable[[], Any]
"""A callable returning a fresh PettingZoo ``ParallelEnv`` (discrete actions)."""


@dataclass
class StepResult:
    obs: np.ndarray
    avail: np.ndarray
    state: np.ndarray
    reward: float
    terminated: bool  # the episode ended for real (no bootstrap)
    truncated: bool  # the episode hit a time limit (bootstrap)


class ParallelEnvAdapter:
    """Wraps a PettingZoo ParallelEnv (discrete actions) for the learner."""

    def __init__(self, env: Any, *, team_reward: str = "sum", state_source: str = "auto", episode_limit: int):
        if team_reward not in ("sum", "mean"):
            raise ValueError(f"team_reward must be 'sum' or 'mean', got {team_reward!r}")
        if state_source not in ("auto", "env", "concat_obs"):
            raise ValueError(f"state_source must be 'auto', 'env' or 'concat_obs', got {state_source!r}")
        self.env = env
        self.agents = list(env.possible_agents)
        self.n_agents = len(self.agents)
        self.team_reward = team_reward
        self.episode_limit = int(episode_limit)
        self.obs_sizes, self.action_sizes = [], []
        for a in self.agents:
            space = env.observation_space(a)
            if hasattr(space, "spaces") and "observation" in space.spaces:
                space = space.spaces["observation"]
            self.obs_sizes.append(int(np.prod(space.shape)))
            act = env.action_space(a)
            if not hasattr(act, "n"):
                raise ValueError(
                    f"agent {a!r} has a non-discrete action space {act}: value decomposition needs Discrete "
                    "actions (for MPE2 envs pass continuous_actions=False)"
                )
            self.action_sizes.append(int(act.n))
        self.obs_dim = max(self.obs_sizes)
        self.n_actions = max(self.action_sizes)
        if state_source == "auto":
            state_source = "env" if _has_state(env) else "concat_obs"
        self.state_source = state_source
        self._live: list[str] = []  # agents that still act
        self._seen: list[str] = []  # agents whose latest observation is valid (live, or just truncated)
        self._last_obs: dict[str, Any] = {}
        self._last_info: dict[str, Any] = {}
        self.state_dim = 0  # set on first reset

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        obs = np.zeros((self.n_agents, self.obs_dim), np.float32)
        avail = np.zeros((self.n_agents, self.n_actions), bool)
        for i, a in enumerate(self.agents):
            if a not in self._seen:
                avail[i, 0] = True  # dead agents: a single no-op
                continue
            o = self._last_obs[a]
            mask = None
            if isinstance(o, dict):
                mask = o.get("action_mask")
                o = o["observation"]
            mask = self._last_info.get(a, {}).get("action_mask", mask)
            obs[i, : self.obs_sizes[i]] = np.asarray(o, np.float32).ravel()
            if mask is None:
                avail[i, : self.action_sizes[i]] = True
            else:
                avail[i, : self.action_sizes[i]] = np.asarray(mask, bool)
                if not avail[i].any():
                    avail[i, 0] = True
        if self.state_source == "env":
            state = np.asarray(self.env.state(), np.float32).ravel()
        else:
            state = obs.ravel().copy()
        return obs, avail, state

    def reset(self, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._last_obs, self._last_info = self.env.reset(seed=int(seed))
        self._live = list(self.env.agents)
        self._seen = list(self._live)
        obs, avail, state = self._arrays()
        self.state_dim = state.shape[0]
        return obs, avail, state

    def step(self, actions: np.ndarray) -> StepResult:
        act = {a: int(actions[i]) for i, a in enumerate(self.agents) if a in self._live}
        obs, rew, term, trunc, info = self.env.step(act)
        rewards = [float(rew.get(a, 0.0)) for a in act]
        team = float(np.sum(rewards)) if self.team_reward == "sum" else float(np.mean(rewards))
        self._last_obs, self._last_info = obs, info
        self._live = [a for a in self.env.agents if not (term.get(a, False) or trunc.get(a, False))]
        # a truncated agent's final observation is what the time-limit bootstrap must see
        self._seen = [a for a in act if a in obs and not term.get(a, False)]
        o, avail, state = self._arrays()
        all_done = not self._live
        any_trunc = any(trunc.get(a, False) for a in act)
        terminated = all_done and not any_trunc
        truncated = all_done and any_trunc
        return StepResult(o, avail, state, team, terminated, truncated)


def _has_state(env: Any) -> bool:
    try:
        env.reset(seed=0)
        env.state()
    except (NotImplementedError, AttributeError):
        return False
    return True


ENV_NAMES = ("simple_spread", "simple_speaker_listener")
_IMPORT_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?$")


def check_env_spec(name: str, value: str) -> None:
    """Config check: a built-in name or an import path (``pkg.module`` or ``pkg.module:callable``)."""
    if value in ENV_NAMES:
        return
    if not isinstance(value, str) or not _IMPORT_PATH.match(value) or ("." not in value and ":" not in value):
        raise ValueError(
            f"{name} must be one of {ENV_NAMES} or an import path 'package.module' / 'package.module:callable' "
            f"returning a PettingZoo ParallelEnv, got {value!r}"
        )


def parse_env_kwargs(text: str) -> dict[str, Any]:
    """``"N=5, local_ratio=0.5, name='x'"`` -> ``{"N": 5, "local_ratio": 0.5, "name": "x"}`` (Python literals)."""
    if not text.strip():
        return {}
    try:
        call = ast.parse(f"f({text})", mode="eval").body
        if not isinstance(call, ast.Call) or call.args or any(k.arg is None for k in call.keywords):
            raise ValueError("only key=value pairs")
        return {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg is not None}
    except (SyntaxError, ValueError) as e:
        raise ValueError(
            f"env_kwargs must be comma-separated key=value pairs of Python literals, got {text!r} ({e})"
        ) from None


def _takes(fn: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def env_factory(
    spec: str | EnvFactory,
    *,
    n_agents: int = 3,
    max_cycles: int = 25,
    kwargs: Mapping[str, Any] | str | None = None,
) -> EnvFactory:
    """A factory of fresh envs from a callable (returned as is), a built-in name or an import path.

    An import path's callable gets ``kwargs`` plus ``max_cycles`` when it takes that keyword (or
    ``**kwargs``, as every MPE2 ``parallel_env`` does) and ``kwargs`` does not set it. ``n_agents`` is
    used by the built-in ``simple_spread`` only.
    """
    if callable(spec):
        return spec
    if spec in ENV_NAMES:
        return make_env(spec, n_agents=n_agents, max_cycles=max_cycles)
    check_env_spec("env", spec)
    kw = parse_env_kwargs(kwargs) if isinstance(kwargs, str) else dict(kwargs or {})
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ValueError(f"env {spec!r}: cannot import {module_name!r} ({e})") from None
    fn: Any = module
    for part in (attr or "parallel_env").split("."):
        fn = getattr(fn, part, None)
    if not callable(fn):
        raise ValueError(f"env {spec!r}: {module_name!r} has no callable {attr or 'parallel_env'!r}")
    if "max_cycles" not in kw and _takes(fn, "max_cycles"):
        kw["max_cycles"] = max_cycles

    def factory() -> Any:
        return fn(**kw)

    return factory


def env_label(spec: str | EnvFactory) -> str:
    """A readable name of the env (for dataset metadata and messages)."""
    if callable(spec):
        return f"{getattr(spec, '__module__', '?')}:{getattr(spec, '__qualname__', type(spec).__name__)}"
    return str(spec)


def make_env(name: str, *, n_agents: int = 3, max_cycles: int = 25) -> Callable[[], Any]:
    """A factory for one of the MPE2 tasks used in the reproductions (discrete actions)."""
    if name == "simple_spread":
        from mpe2 import simple_spread_v3

        return lambda: simple_spread_v3.parallel_env(
            N=n_agents, max_cycles=max_cycles, continuous_actions=False
        )
    if name == "simple_speaker_listener":
        from mpe2 import simple_speaker_listener_v4

        return lambda: simple_speaker_listener_v4.parallel_env(
            max_cycles=max_cycles, continuous_actions=False
        )
    raise ValueError(f"env must be one of {ENV_NAMES}, got {name!r}")
