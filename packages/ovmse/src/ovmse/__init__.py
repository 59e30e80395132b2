"""OVMSE: offline-to-online cooperative MARL with Offline Value function Memory and Sequential Exploration
(Zhong et al., AAMAS 2025), on PettingZoo Parallel environments."""

from ovmse.config import Config
from ovmse.data import EpisodeDataset, load_dataset, save_dataset
from ovmse.envs import ParallelEnvAdapter, make_env
from ovmse.exploration import deviators, explore_actions
from ovmse.learner import Learner, frozen_copy
from ovmse.targets import (
    cfcql_penalty,
    lambda_returns,
    memory_weight,
    offline_bootstrap_values,
    ovm_target,
    select_medium_snapshot,
)
from ovmse.train import (
    Result,
    collect_dataset,
    load_offline,
    pretrain,
    save_offline,
    train,
    train_behaviour,
    train_offline,
    train_online,
)

__version__ = "0.1.0"

__all__ = [
    "Config",
    "EpisodeDataset",
    "Learner",
    "ParallelEnvAdapter",
    "Result",
    "__version__",
    "cfcql_penalty",
    "collect_dataset",
    "deviators",
    "explore_actions",
    "frozen_copy",
    "lambda_returns",
    "load_dataset",
    "load_offline",
    "make_env",
    "memory_weight",
    "offline_bootstrap_values",
    "ovm_target",
    "pretrain",
    "save_dataset",
    "save_offline",
    "select_medium_snapshot",
    "train",
    "train_behaviour",
    "train_offline",
    "train_online",
]
