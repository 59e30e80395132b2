"""MAST: value-based multi-agent RL with dynamic sparse training (Hu et al., NeurIPS 2024), on PettingZoo."""

from mast.config import Config
from mast.envs import EnvFactory, ParallelEnvAdapter, StepResult, env_factory, make_env, parse_env_kwargs
from mast.flops import FlopCount, count_flops
from mast.learner import Learner, NonFiniteError, masked_td_loss, next_agent_values, to_tensors
from mast.networks import AgentGRUCell, AgentLinear, QMixer, RNNAgents, VDNMixer
from mast.replay import DualReplay, EpisodeBuffer, episode_shapes
from mast.returns import hybrid_lambda, lambda_returns
from mast.soft_mellowmax import masked_max, soft_mellowmax
from mast.sparse import SparseTopology, cosine_drop_fraction, erdos_renyi_densities
from mast.train import (
    Result,
    epsilon_at,
    evaluate,
    evaluate_checkpoint,
    make_adapter,
    run_episode,
    select_actions,
    train,
    value_bias,
)

__version__ = "0.1.0"

__all__ = [
    "AgentGRUCell",
    "AgentLinear",
    "Config",
    "DualReplay",
    "EnvFactory",
    "EpisodeBuffer",
    "FlopCount",
    "Learner",
    "NonFiniteError",
    "ParallelEnvAdapter",
    "QMixer",
    "RNNAgents",
    "Result",
    "SparseTopology",
    "StepResult",
    "VDNMixer",
    "__version__",
    "cosine_drop_fraction",
    "count_flops",
    "env_factory",
    "episode_shapes",
    "epsilon_at",
    "erdos_renyi_densities",
    "evaluate",
    "evaluate_checkpoint",
    "hybrid_lambda",
    "lambda_returns",
    "make_adapter",
    "make_env",
    "masked_max",
    "masked_td_loss",
    "next_agent_values",
    "parse_env_kwargs",
    "run_episode",
    "select_actions",
    "soft_mellowmax",
    "to_tensors",
    "train",
    "value_bias",
]
