"""Run folders and scalar logging.

``runs/<package>/<experiment>/<YYYYmmdd-HHMMSS>-s<seed>/`` holds ``config.json``, ``metrics.jsonl`` (one JSON
object per logged step) and, if asked for and installed, TensorBoard event files.
"""

from __future__ import annotations

import json
import os
import sys
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


class RunProgress:
    """What a long run shows while it trains: a tqdm bar on a terminal (steps, rate, ETA, the latest scalars),
    else one line every ``PAPERKIT_LOG_SECONDS`` (default 30) seconds. ``PAPERKIT_PROGRESS=0`` silences it."""

    def __init__(self, *, total: int | None, desc: str, initial: int = 0):
        self.total, self.desc, self.initial = total, desc, initial
        self.enabled = os.environ.get("PAPERKIT_PROGRESS", "1") != "0"
        self.every = float(os.environ.get("PAPERKIT_LOG_SECONDS", "30"))
        self.bar: Any = None
        self.t0 = self.last = time.perf_counter()
        self.step = initial
        self.scalars: dict[str, float] = {}
        if self.enabled and sys.stderr.isatty() and not os.environ.get("CI"):
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=total, initial=initial, desc=desc, unit="step", dynamic_ncols=True, leave=True
            )

    def update(self, step: int, scalars: Mapping[str, float]) -> None:
        if not self.enabled:
            return
        self.scalars = {k: float(v) for k, v in list(scalars.items())[:4]}
        if self.bar is not None:
            self.bar.update(max(step - self.step, 0))
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in self.scalars.items()}, refresh=False)
        self.step = max(step, self.step)
        now = time.perf_counter()
        if self.bar is None and now - self.last >= self.every:
            self.last = now
            print(self.line(now), file=sys.stderr, flush=True)

    def line(self, now: float) -> str:
        rate = (self.step - self.initial) / max(now - self.t0, 1e-9)
        where = f"step {self.step}"
        if self.total:
            where += f"/{self.total} ({100 * self.step / self.total:.0f}%)"
            if rate > 0:
                where += f", eta {_duration((self.total - self.step) / rate)}"
        latest = ", ".join(f"{k}={v:.4g}" for k, v in self.scalars.items())
        return f"[{self.desc}] {where}, {rate:.3g} steps/s" + (f", {latest}" if latest else "")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled and self.step > self.initial:
            print(self.line(time.perf_counter()) + " (done)", file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
        if seconds >= 3600
        else f"{seconds // 60}m{seconds % 60:02d}s"
    )


def tensorboard_requested() -> bool:
    """``--tensorboard`` on a paperkit CLI (or ``PAPERKIT_TENSORBOARD=1``) turns TensorBoard on in every run."""
    return os.environ.get("PAPERKIT_TENSORBOARD", "") == "1"


class MetricsLogger:
    """Appends scalars to ``metrics.jsonl``, shows progress (:class:`RunProgress`), and writes TensorBoard
    scalars plus the run's config as a hyperparameter table when ``tensorboard=True`` (default: on when the CLI
    got ``--tensorboard``; needs ``paperkit[tensorboard]``).

    On resume pass ``resume_step``: rows logged after that step by the interrupted run are dropped, so the
    file reads as if the run had never stopped. ``total`` (in the same unit as the logged steps) gives the
    progress display a percentage and an ETA.
    """

    def __init__(
        self,
        run_dir: str | os.PathLike[str],
        *,
        tensorboard: bool | None = None,
        resume_step: int | None = None,
        total: int | None = None,
        desc: str | None = None,
    ):
        self.path = Path(run_dir) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume_step is not None and self.path.exists():
            keep = [ln for ln in self.path.read_text().splitlines() if _row_step(ln) <= resume_step]
            atomic_write_text(self.path, "".join(ln + "\n" for ln in keep))
        self._file = open(self.path, "a")  # noqa: SIM115 - closed in close()
        self._tb = None
        if tensorboard_requested() if tensorboard is None else tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as e:
                raise ImportError(
                    "tensorboard=True needs torch and tensorboard (pip install paperkit[tensorboard])"
                ) from e
            self._tb = SummaryWriter(log_dir=str(self.path.parent))
            config = self.path.parent / "config.json"
            if config.is_file():
                self._tb.add_text("config", _config_table(json.loads(config.read_text()).get("config", {})))
        desc = desc or f"{self.path.parent.parent.name}/{self.path.parent.name}"
        self._progress = RunProgress(total=total, desc=desc, initial=resume_step or 0)

    def log(self, step: int, scalars: Mapping[str, float]) -> None:
        row = {"step": int(step), **{k: float(v) for k, v in scalars.items()}}
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        if self._tb is not None:
            for k, v in scalars.items():
                self._tb.add_scalar(k, float(v), int(step))
        self._progress.update(int(step), scalars)

    def close(self) -> None:
        self._file.close()
        self._progress.close()
        if self._tb is not None:
            self._tb.close()

    def __enter__(self) -> MetricsLogger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _config_table(config: Mapping[str, Any]) -> str:
    """A config as the markdown table TensorBoard's text tab renders (its hyperparameters at a glance)."""
    rows = ["| field | value |", "|---|---|"]
    rows += [f"| {k} | {json.dumps(v)} |" for k, v in sorted(config.items())]
    return "\n".join(rows)


def read_metrics(run_dir: str | os.PathLike[str]) -> list[dict[str, float]]:
    path = Path(run_dir) / "metrics.jsonl"
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]


def _row_step(line: str) -> float:
    try:
        return float(json.loads(line)["step"])
    except (json.JSONDecodeError, KeyError, TypeError):
        return float("inf")  # a torn last line from a crash: drop it
