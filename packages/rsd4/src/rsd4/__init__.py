"""RSD4 (Hu et al., MobiHoc 2022): recurrent softmax delayed deep double DPG for delay-constrained scheduling."""

from rsd4.agent import Agent, AgentSpec, softmax_operator
from rsd4.config import Config
from rsd4.dual import DualState, dual_step
from rsd4.env import (
    SchedulerCore,
    SchedulingEnv,
    SystemParams,
    Traces,
    draw_system,
    load_traces,
    success_probability,
    transmit_shift_admit,
)
from rsd4.heuristics import calibrate, constant_policy, greedy_policy
from rsd4.multihop import MultiHopCore, MultiHopParams, draw_multihop_system, multihop_transition
from rsd4.train import Result, evaluate, train
from rsd4.transfer import Transfer, transfer_at_budget

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "AgentSpec",
    "Config",
    "DualState",
    "MultiHopCore",
    "MultiHopParams",
    "Result",
    "SchedulerCore",
    "SchedulingEnv",
    "SystemParams",
    "Traces",
    "Transfer",
    "calibrate",
    "constant_policy",
    "draw_multihop_system",
    "draw_system",
    "dual_step",
    "evaluate",
    "greedy_policy",
    "load_traces",
    "multihop_transition",
    "softmax_operator",
    "success_probability",
    "train",
    "transfer_at_budget",
    "transmit_shift_admit",
]
