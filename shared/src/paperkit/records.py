"""Result records: the one schema every package writes and every app reads.

A record is one scalar: ``(package, experiment, method, seed, metric, value, step, config_hash)``.
Records are JSON lines, so apps aggregate any package without importing it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from paperkit.atomic import atomic_write_text

SCHEMA_VERSION = 1


@dataclasses.dataclass(frozen=True)
class ResultRecord:
    package: str
    experiment: str
    method: str
    seed: int
    metric: str
    value: float
    step: int | None = None
    config_hash: str = ""
    schema: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        for name in ("package", "experiment", "method", "metric"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"ResultRecord.{name} must be a non-empty str, got {getattr(self, name)!r}")
        if not isinstance(self.value, int | float) or isinstance(self.value, bool):
            raise ValueError(f"ResultRecord.value must be a number, got {self.value!r} for {self.metric}")

    def to_json(self) -> str:
        d = dataclasses.asdict(self)
        d["value"] = float(self.value) if math.isfinite(self.value) else str(self.value)
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ResultRecord:
        schema = int(d.get("schema", 1))
        if schema > SCHEMA_VERSION:
            raise ValueError(
                f"result record has schema {schema}, newer than this paperkit's {SCHEMA_VERSION}: "
                "upgrade paperkit to read it"
            )
        d = dict(d)
        d["value"] = float(d["value"])
        return cls(**d)


def write_records(path: str | os.PathLike[str], records: Iterable[ResultRecord]) -> Path:
    """Write all records of one cell at once, atomically (a crash leaves the old file or none)."""
    text = "".join(r.to_json() + "\n" for r in records)
    atomic_write_text(path, text)
    return Path(path)


def read_records(path: str | os.PathLike[str]) -> list[ResultRecord]:
    out = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.append(ResultRecord.from_dict(json.loads(line)))
            except (json.JSONDecodeError, TypeError, KeyError) as e:
                raise ValueError(f"{path}:{lineno}: not a result record ({e})") from e
    return out


def folder_records(root: str | os.PathLike[str]) -> list[ResultRecord]:
    """Every record of every ``records.jsonl`` under ``root`` (a ``reproduce`` or bench output), in path order."""
    return [r for path in sorted(Path(root).rglob("records.jsonl")) for r in read_records(path)]
