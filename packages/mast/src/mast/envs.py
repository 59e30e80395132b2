"""The PettingZoo plumbing (any Parallel env -> fixed-shape arrays; env factories from callables, the MPE2
shortcuts or import paths) is shared with the other MARL package and lives in ``paperkit.parallel_env``
(``paperkit[pettingzoo]``); this module keeps the names importable from ``mast.envs``."""

from paperkit.parallel_env import (
    ENV_NAMES,
    EnvFactory,
    ParallelEnvAdapter,
    StepResult,
    check_env_spec,
    env_factory,
    env_label,
    make_env,
    parse_env_kwargs,
)

__all__ = [
    "ENV_NAMES",
    "EnvFactory",
    "ParallelEnvAdapter",
    "StepResult",
    "check_env_spec",
    "env_factory",
    "env_label",
    "make_env",
    "parse_env_kwargs",
]
