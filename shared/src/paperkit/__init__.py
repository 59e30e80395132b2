"""paperkit: the concerns every paper package shares, written once.

- seeding: :class:`Seeder`, :func:`numpy_rng`, :func:`torch_generator`, :func:`derive_seed`
- configs: ``check_*`` validators, :func:`config_to_dict`, :func:`config_from_dict`, :func:`config_hash`
- files: :func:`atomic_write_json`, :func:`atomic_path`, :func:`atomic_dir`
- runs: :func:`make_run_dir`, :class:`MetricsLogger`
- checkpoints: :func:`save_checkpoint`, :func:`load_checkpoint`
- results: :class:`ResultRecord`, :func:`write_records`, :func:`read_records`
- runtime: :func:`set_threads`, :class:`StepTimer`, :func:`progress`
- reproductions: :class:`Experiment`, :func:`discover`, :func:`run_cell`, :func:`reproduce`
- claims: :class:`Claim`, :func:`evaluate_claim`, :func:`check_claims`; shipped evidence in ``paperkit.evidence``
- CLI (in ``paperkit.cli``, which imports tyro): :func:`run_cli`, :func:`reproduce_command`, ``Flat``
"""

from paperkit.atomic import atomic_dir, atomic_path, atomic_write_json, atomic_write_text
from paperkit.checkpoint import (
    Checkpoint,
    load_checkpoint,
    numpy_rng_state,
    restore_numpy_rng,
    save_checkpoint,
)
from paperkit.claims import VERDICTS, Claim, ClaimResult, check_claims, evaluate_claim
from paperkit.config import (
    check_choice,
    check_int_at_least,
    check_non_negative,
    check_positive,
    check_range,
    config_from_dict,
    config_hash,
    config_to_dict,
)
from paperkit.experiments import (
    PRESETS,
    Experiment,
    discover,
    final_values,
    reproduce,
    run_cell,
    summary_table,
)
from paperkit.records import SCHEMA_VERSION, ResultRecord, read_records, write_records
from paperkit.runs import MetricsLogger, make_run_dir, read_metrics, write_config
from paperkit.runtime import StepTimer, progress, set_threads
from paperkit.seeding import Seeder, derive_seed, numpy_rng, seed_sequence, torch_generator

__version__ = "0.1.0"

__all__ = [
    "PRESETS",
    "SCHEMA_VERSION",
    "VERDICTS",
    "Checkpoint",
    "Claim",
    "ClaimResult",
    "Experiment",
    "MetricsLogger",
    "ResultRecord",
    "Seeder",
    "StepTimer",
    "atomic_dir",
    "atomic_path",
    "atomic_write_json",
    "atomic_write_text",
    "check_choice",
    "check_claims",
    "check_int_at_least",
    "check_non_negative",
    "check_positive",
    "check_range",
    "config_from_dict",
    "config_hash",
    "config_to_dict",
    "derive_seed",
    "discover",
    "evaluate_claim",
    "final_values",
    "load_checkpoint",
    "make_run_dir",
    "numpy_rng",
    "numpy_rng_state",
    "progress",
    "read_metrics",
    "read_records",
    "reproduce",
    "restore_numpy_rng",
    "run_cell",
    "save_checkpoint",
    "seed_sequence",
    "set_threads",
    "summary_table",
    "torch_generator",
    "write_config",
    "write_records",
]
