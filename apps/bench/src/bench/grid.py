"""The grid of cells (package, experiment, method, seed) and the manifest a run folder carries."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from paperkit import Experiment, atomic_write_json, read_records
from paperkit.experiments import cell_dir

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = 1
# What the report needs to know of each experiment, so it renders without the packages installed.
EXPERIMENT_FIELDS = (
    "package", "name", "description", "methods", "proposed", "metric", "higher_is_better",
    "curve_metric", "log_log", "flops_metric", "claim", "x_label",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Cell:
    package: str
    experiment: str
    method: str
    seed: int
    preset: str
    out_dir: Path
    expected_seconds: float

    @property
    def label(self) -> str:
        return f"{self.package}/{self.experiment}/{self.method}/s{self.seed}"

    @property
    def done(self) -> bool:
        """Finished: its records file reads back whole (a damaged or truncated one means: run it again)."""
        path = self.out_dir / "records.jsonl"
        if not path.is_file():
            return False
        try:
            records = read_records(path)
        except (ValueError, OSError):
            return False
        return any(r.metric == "cell_seconds" for r in records)  # run_cell writes it last

    def argv(self) -> list[str]:
        """Arguments of ``python -m paperkit.cell``."""
        return [self.package, self.experiment, self.method, str(self.seed), self.preset, str(self.out_dir)]


def build_grid(
    experiments: Sequence[Experiment], *, preset: str, seeds: int | None, root: Path
) -> list[Cell]:
    cells = []
    for exp in experiments:
        n = seeds if seeds is not None else exp.seeds[preset]
        for method in exp.methods:
            for seed in range(n):
                cells.append(
                    Cell(
                        exp.package,
                        exp.name,
                        method,
                        seed,
                        preset,
                        cell_dir(root, exp, method, seed),
                        exp.seconds[preset],
                    )
                )
    return cells


def experiment_meta(exp: Experiment) -> dict[str, Any]:
    return {f: (list(v) if isinstance(v := getattr(exp, f), tuple) else v) for f in EXPERIMENT_FIELDS}


def write_manifest(root: Path, experiments: Sequence[Experiment], *, preset: str) -> None:
    """Merge these experiments into the run folder's manifest (runs can add packages incrementally)."""
    path = Path(root) / MANIFEST
    manifest: dict[str, Any] = (
        read_manifest(root)
        if path.exists()
        else {"schema": MANIFEST_SCHEMA, "preset": preset, "experiments": {}}
    )
    if manifest.get("preset") != preset:
        raise ValueError(
            f"{root} holds a {manifest.get('preset')!r} run; use another --out for preset {preset!r}"
        )
    for exp in experiments:
        manifest["experiments"][exp.key] = experiment_meta(exp)
    atomic_write_json(path, manifest)


def read_manifest(root: Path) -> dict[str, Any]:
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise ValueError(f"{root} is not a bench run folder (no {MANIFEST}); run `bench run` first")
    manifest = json.loads(path.read_text())
    schema = manifest.get("schema", 0)
    if schema > MANIFEST_SCHEMA:
        raise ValueError(
            f"{root} was written by a newer bench (manifest schema {schema} > {MANIFEST_SCHEMA}); upgrade bench to read it"
        )
    return manifest
