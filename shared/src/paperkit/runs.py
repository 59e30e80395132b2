"""Run folders and scalar logging.

``runs/<package>/<experiment>/<YYYYmmdd-HHMMSS>-s<seed>/`` holds ``config.json``, ``metrics.jsonl`` (one JSON
object per logged step) and, if asked for and installed, TensorBoard event files.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from paperkit.atomic import atomic_write_json, atomic_write_text
from paperkit.config import config_hash, config_to_dict


def check_output_dir(path: str | os.PathLike[str], *, name: str = "output folder") -> Path:
    """Refuse, before any work, an output folder that cannot be written: one that is a file, or sits under a
    file, or whose nearest existing folder is not writable. Raises ValueError naming the path."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name} {path} is a file, not a folder")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise ValueError(f"{name} {path} cannot be created: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {path} is not writable ({existing} refuses writes)")
    return path


def make_run_dir(
    package: str, experiment: str, seed: int, *, root: str | os.PathLike[str] = "runs", config: Any = None
) -> Path:
    """Create a fresh run folder (and write ``config.json`` into it if a config is given)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(root) / package / experiment
    path = base / f"{stamp}-s{seed}"
    n = 1
    while path.exists():  # two runs in the same second
        n += 1
        path = base / f"{stamp}-s{seed}-{n}"
    path.mkdir(parents=True)
    if config is not None:
        write_config(path, config)
    return path


def write_config(run_dir: str | os.PathLike[str], config: Any) -> None:
    d = config_to_dict(config)
    atomic_write_json(Path(run_dir) / "config.json", {"config": d, "config_hash": config_hash(d)})


class MetricsLogger:
    """Appends scalars to ``metrics.jsonl`` (and TensorBoard when ``tensorboard=True``).

    On resume pass ``resume_step``: rows logged after that step by the interrupted run are dropped, so the
    file reads as if the run had never stopped.
    """

    def __init__(
        self, run_dir: str | os.PathLike[str], *, tensorboard: bool = False, resume_step: int | None = None
    ):
        self.path = Path(run_dir) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume_step is not None and self.path.exists():
            keep = [ln for ln in self.path.read_text().splitlines() if _row_step(ln) <= resume_step]
            atomic_write_text(self.path, "".join(ln + "\n" for ln in keep))
        self._file = open(self.path, "a")  # noqa: SIM115 - closed in close()
        self._tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as e:
                raise ImportError(
                    "tensorboard=True needs torch and tensorboard (pip install paperkit[tensorboard])"
                ) from e
            self._tb = SummaryWriter(log_dir=str(self.path.parent))

    def log(self, step: int, scalars: Mapping[str, float]) -> None:
        row = {"step": int(step), **{k: float(v) for k, v in scalars.items()}}
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        if self._tb is not None:
            for k, v in scalars.items():
                self._tb.add_scalar(k, float(v), int(step))

    def close(self) -> None:
        self._file.close()
        if self._tb is not None:
            self._tb.close()

    def __enter__(self) -> MetricsLogger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_metrics(run_dir: str | os.PathLike[str]) -> list[dict[str, float]]:
    path = Path(run_dir) / "metrics.jsonl"
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]


def _row_step(line: str) -> float:
    try:
        return float(json.loads(line)["step"])
    except (json.JSONDecodeError, KeyError, TypeError):
        return float("inf")  # a torn last line from a crash: drop it
