"""UMO2-style adversarial network optimisation under bandit feedback in multi-hop networks.

Dai & Huang, SIGMETRICS 2025 (arXiv:2408.16215). The learners are stand-ins reconstructed from the abstract
and secondary digests (see the README's fidelity notes).
"""

from umo2.config import ALGORITHMS, RunConfig
from umo2.learners import BanditAdmission, GreedyStale, ModeLearner, OracleAdmission, RandomModes
from umo2.network import Topology, differential_backlog, load_topology, parse_topology, queue_step
from umo2.reference import max_utility_admission
from umo2.schedule import Schedule, block_starts, utility
from umo2.simulate import Simulator, Trace, simulate, tuned_parameters
from umo2.train import Result, evaluate, train

__version__ = "0.1.0"

__all__ = [
    "ALGORITHMS",
    "BanditAdmission",
    "GreedyStale",
    "ModeLearner",
    "OracleAdmission",
    "RandomModes",
    "Result",
    "RunConfig",
    "Schedule",
    "Simulator",
    "Topology",
    "Trace",
    "__version__",
    "block_starts",
    "differential_backlog",
    "evaluate",
    "load_topology",
    "max_utility_admission",
    "parse_topology",
    "queue_step",
    "simulate",
    "train",
    "tuned_parameters",
    "utility",
]
