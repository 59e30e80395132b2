"""The reproduction contract between paper packages and apps.

A package advertises its reproductions through the entry point group ``paperkit.experiments``::

    [project.entry-points."paperkit.experiments"]
    uniinf = "uniinf.experiments:EXPERIMENTS"      # a list of Experiment

An app finds them with :func:`discover` and runs one *cell* (experiment, method, seed, preset) with
:func:`run_cell`, in its own process if it likes (``python -m paperkit.cell``). A cell returns
:class:`~paperkit.records.ResultRecord` s; apps read only those records, never the package's internals.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, Protocol

from paperkit.records import ResultRecord, read_records, write_records
from paperkit.runtime import set_threads

ENTRY_POINT_GROUP = "paperkit.experiments"
PRESETS = ("smoke", "quick", "paper")


class CellFn(Protocol):
    def __call__(self, *, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]: ...


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One reproduction: a grid of methods × seeds at a preset, summarised by one headline metric."""

    package: str
    name: str
    description: str
    methods: tuple[str, ...]
    proposed: str  # the paper's method; the others are its baselines
    metric: str  # headline metric (final value per cell) compared across methods
    higher_is_better: bool
    run: CellFn
    seconds: Mapping[str, float]  # expected seconds of one cell, per preset (2 cores, 1 thread per cell)
    seeds: Mapping[str, int] = dataclasses.field(
        default_factory=lambda: {"smoke": 2, "quick": 5, "paper": 10}
    )
    curve_metric: str | None = None  # logged at several steps: learning/regret curves
    log_log: bool = False  # plot curves on log-log axes (regret vs T)
    flops_metric: str | None = None  # relative training FLOPs, for the sparse frontier
    claim: str = ""  # the paper's qualitative claim this experiment checks
    x_label: str = "step"  # what a curve record's step counts: "env steps", "episodes", "trajectories", ...

    def __post_init__(self) -> None:
        if self.proposed not in self.methods:
            raise ValueError(
                f"{self.package}/{self.name}: proposed method {self.proposed!r} not in {self.methods}"
            )
        missing = set(PRESETS) - set(self.seconds)
        if missing:
            raise ValueError(f"{self.package}/{self.name}: no expected seconds for presets {sorted(missing)}")

    @property
    def key(self) -> str:
        return f"{self.package}/{self.name}"


def _load(ep: EntryPoint) -> list[Experiment]:
    obj = ep.load()
    return list(obj() if callable(obj) else obj)


def discover(*, errors: dict[str, str] | None = None) -> dict[str, list[Experiment]]:
    """Every installed package's experiments, by package name (from the entry point group).

    A package whose entry point fails to load raises, unless ``errors`` is given: then its error message is
    stored there under the package name and the others are still returned.
    """
    found: dict[str, list[Experiment]] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            found[ep.name] = _load(ep)
        except Exception as e:
            if errors is None:
                raise
            errors[ep.name] = f"{type(e).__name__}: {e}"
    return found


def find_experiment(package: str, name: str) -> Experiment:
    """Load one package's entry point only (a broken sibling does not matter) and find the experiment."""
    eps = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if package not in eps:
        raise ValueError(f"unknown package {package!r}; installed: {sorted(eps)}")
    by_name = {e.name: e for e in _load(eps[package])}
    if name not in by_name:
        raise ValueError(f"unknown experiment {name!r} of {package}; it has: {sorted(by_name)}")
    return by_name[name]


def cell_dir(root: Path, exp: Experiment, method: str, seed: int) -> Path:
    return Path(root) / exp.package / exp.name / method / f"seed{seed}"


def run_cell(
    exp: Experiment, *, method: str, seed: int, preset: str, out_dir: Path, threads: int = 1
) -> list[ResultRecord]:
    """Run one cell and write its records atomically to ``out_dir/records.jsonl``."""
    if method not in exp.methods:
        raise ValueError(f"unknown method {method!r} for {exp.key}; valid: {list(exp.methods)}")
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; valid: {list(PRESETS)}")
    set_threads(threads)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    records = list(exp.run(method=method, seed=seed, preset=preset, out_dir=out_dir))
    seconds = time.perf_counter() - t0
    if not any(r.metric == exp.metric for r in records):
        raise RuntimeError(f"{exp.key} cell ({method}, seed {seed}) returned no {exp.metric!r} record")
    records.append(ResultRecord(exp.package, exp.name, method, seed, "cell_seconds", seconds))
    write_records(out_dir / "records.jsonl", records)
    return records


def run_batched(
    exp: Experiment,
    preset: str,
    seeds: Sequence[int],
    out: Path,
    methods: Sequence[str] | None = None,
    *,
    rows: Callable[[str, int, str], list[Any]],
    play: Callable[[list[Any]], Sequence[Any]],
    records: Callable[[str, int, list[Any], Sequence[Any]], list[ResultRecord]],
    write_config: Callable[[Path, list[Any]], None] | None = None,
) -> float:
    """Every (method, seed) cell of ``exp`` not yet in ``out/<preset>``, played together: ``rows(method, seed,
    preset)`` gives a cell's configs, ``play`` runs the configs of all cells in one call (a package's
    seed-vectorised batches) and returns one result per config in order, and ``records(method, seed, configs,
    results)`` makes the cell's records. Each cell's records, with ``cell_seconds`` (the batch's seconds shared
    evenly), are written where ``reproduce`` writes them, so ``reproduce`` and ``bench run`` skip those cells.
    Returns the seconds ``play`` took (0 when every cell was done)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; valid: {list(PRESETS)}")
    unknown = [m for m in methods or () if m not in exp.methods]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown} for {exp.key}; valid: {list(exp.methods)}")
    todo = []
    for method in methods or exp.methods:
        for seed in seeds:
            d = cell_dir(Path(out) / preset, exp, method, seed)
            if not (d / "records.jsonl").exists():
                todo.append((method, seed, d, rows(method, seed, preset)))
    if not todo:
        return 0.0
    t0 = time.perf_counter()
    results = list(play([c for *_, cfgs in todo for c in cfgs]))
    seconds = time.perf_counter() - t0
    pos = 0
    for method, seed, d, cfgs in todo:
        recs = records(method, seed, cfgs, results[pos : pos + len(cfgs)])
        pos += len(cfgs)
        recs.append(ResultRecord(exp.package, exp.name, method, seed, "cell_seconds", seconds / len(todo)))
        d.mkdir(parents=True, exist_ok=True)
        if write_config is not None:
            write_config(d, cfgs)
        write_records(d / "records.jsonl", recs)
    return seconds


def play_by_seed(train_seeds: Callable[[Any, list[int]], Sequence[Any]]) -> Callable[[list[Any]], list[Any]]:
    """A ``play`` for :func:`run_batched` from a seed-vectorised trainer ``train_seeds(config, seeds)`` (one
    result per seed, equal to a run of that seed alone): configs (dataclasses with a ``seed`` field) that
    differ only in their seed run as one batch."""

    def play(configs: list[Any]) -> list[Any]:
        groups: dict[str, list[int]] = {}
        for i, c in enumerate(configs):
            groups.setdefault(repr(dataclasses.replace(c, seed=0)), []).append(i)
        results: list[Any] = [None] * len(configs)
        for idx in groups.values():
            batch = train_seeds(configs[idx[0]], [configs[i].seed for i in idx])
            for i, res in zip(idx, batch, strict=True):
                results[i] = res
        return results

    return play


def final_values(records: Sequence[ResultRecord], metric: str) -> dict[str, dict[int, float]]:
    """method -> seed -> final value of ``metric``: a record without a step (the cell's explicit final
    value) if there is one, else the record with the largest step."""
    best: dict[tuple[str, int], tuple[float, float]] = {}
    for r in records:
        if r.metric != metric:
            continue
        step = math.inf if r.step is None else r.step
        key = (r.method, r.seed)
        if key not in best or step >= best[key][0]:
            best[key] = (step, r.value)
    out: dict[str, dict[int, float]] = {}
    for (method, seed), (_, value) in best.items():
        out.setdefault(method, {})[seed] = value
    return out


def reproduce(
    experiments: Sequence[Experiment],
    *,
    preset: str = "smoke",
    seeds: int | None = None,
    out: Path = Path("runs/reproduce"),
    log: Callable[[str], None] = print,
) -> list[ResultRecord]:
    """Run every (experiment, method, seed) cell in this process, skipping cells already done, and print
    each experiment's headline table (median and quartiles over seeds)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; valid: {list(PRESETS)}")
    if seeds is not None and seeds < 1:
        raise ValueError(f"seeds must be >= 1, got {seeds}")
    out = Path(out) / preset
    all_records: list[ResultRecord] = []
    for exp in experiments:
        n_seeds = seeds if seeds is not None else exp.seeds[preset]
        records: list[ResultRecord] = []
        for method in exp.methods:
            for seed in range(n_seeds):
                d = cell_dir(out, exp, method, seed)
                if (d / "records.jsonl").exists():
                    records += read_records(d / "records.jsonl")
                    continue
                log(f"[{exp.key}] {method} seed {seed} ...")
                records += run_cell(exp, method=method, seed=seed, preset=preset, out_dir=d)
        log(summary_table(exp, records))
        all_records += records
    return all_records


def summary_table(exp: Experiment, records: Sequence[ResultRecord]) -> str:
    """A markdown table of the headline metric: median [q25, q75] and mean over seeds, per method."""
    finals = final_values(records, exp.metric)
    arrow = "higher is better" if exp.higher_is_better else "lower is better"
    lines = [
        f"\n{exp.key}: {exp.metric} ({arrow})",
        "",
        "| method | seeds | median | q25 | q75 | mean |",
        "|---|---|---|---|---|---|",
    ]
    for method in exp.methods:
        vals = sorted(finals.get(method, {}).values())
        if not vals:
            continue
        q = statistics.quantiles(vals, n=4, method="inclusive") if len(vals) > 1 else [vals[0]] * 3
        tag = " (paper)" if method == exp.proposed else ""
        lines.append(
            f"| {method}{tag} | {len(vals)} | {q[1]:.4g} | {q[0]:.4g} | {q[2]:.4g} | {statistics.fmean(vals):.4g} |"
        )
    return "\n".join(lines)


def main_cell(argv: Sequence[str] | None = None) -> int:
    """``python -m paperkit.cell PACKAGE EXPERIMENT METHOD SEED PRESET OUT_DIR``: run one cell."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 6:
        print("usage: python -m paperkit.cell PACKAGE EXPERIMENT METHOD SEED PRESET OUT_DIR", file=sys.stderr)
        return 2
    package, name, method, seed, preset, out_dir = args
    try:
        exp = find_experiment(package, name)
        run_cell(exp, method=method, seed=int(seed), preset=preset, out_dir=Path(out_dir))
    except ValueError as e:
        print(f"paperkit.cell: error: {e}", file=sys.stderr)
        return 2
    return 0
