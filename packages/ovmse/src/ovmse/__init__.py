"""OVMSE: offline-to-online cooperative MARL with Offline Value function Memory and Sequential Exploration
(Zhong et al., AAMAS 2025), on PettingZoo Parallel environments."""

from ovmse.config import Config
from ovmse.data import EpisodeBuffer, EpisodeDataset, episode_shapes, load_dataset, save_dataset
from ovmse.envs import EnvFactory, ParallelEnvAdapter, StepResult, env_factory, make_env, parse_env_kwargs
from ovmse.exploration import deviators, explore_actions
from ovmse.learner import Learner, NonFiniteError, frozen_copy, mean_q_tot, to_tensors
from ovmse.targets import (
    cfcql_penalty,
    lambda_returns,
    memory_weight,
    offline_bootstrap_values,
    ovm_target,
    select_medium_snapshot,
)
from ovmse.train import (
    OnlineResult,
    Result,
    RolloutStats,
    collect_dataset,
    evaluate,
    load_offline,
    make_adapters,
    online_loop,
    pretrain,
    rollout,
    save_offline,
    train,
    train_behaviour,
    train_offline,
    train_online,
)

__version__ = "0.1.0"

__all__ = [
    "Config",
    "EnvFactory",
    "EpisodeBuffer",
    "EpisodeDataset",
    "Learner",
    "NonFiniteError",
    "OnlineResult",
    "ParallelEnvAdapter",
    "Result",
    "RolloutStats",
    "StepResult",
    "__version__",
    "cfcql_penalty",
    "collect_dataset",
    "deviators",
    "env_factory",
    "episode_shapes",
    "evaluate",
    "explore_actions",
    "frozen_copy",
    "lambda_returns",
    "load_dataset",
    "load_offline",
    "make_adapters",
    "make_env",
    "mean_q_tot",
    "memory_weight",
    "offline_bootstrap_values",
    "online_loop",
    "ovm_target",
    "parse_env_kwargs",
    "pretrain",
    "rollout",
    "save_dataset",
    "save_offline",
    "select_medium_snapshot",
    "to_tensors",
    "train",
    "train_behaviour",
    "train_offline",
    "train_online",
]
