"""`bench list | run | report`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from paperkit import PRESETS, Experiment, discover
from paperkit.cli import run_cli
from paperkit.runs import check_output_dir

from bench.grid import build_grid, write_manifest
from bench.report import SMOKE_NOTE, build_report
from bench.runner import run_cells, write_run_log
from bench.scoreboard import collect, scoreboard_command, to_text
from bench.suites import SUITES, resolve_targets

DEFAULT_ROOT = Path("runs/bench")


def _discover() -> dict[str, list[Experiment]]:
    """Installed packages' experiments; a package that fails to load is reported and left out."""
    errors: dict[str, str] = {}
    found = discover(errors=errors)
    for package, error in errors.items():
        print(f"warning: package {package} could not be loaded and is left out: {error}", file=sys.stderr)
    return found


def list_command() -> None:
    """List every reproduction the installed packages advertise, with presets and expected run time."""
    found = _discover()
    if not found:
        print("no paper packages installed (none advertise the 'paperkit.experiments' entry point)")
        return
    print("expected time in cell-minutes (the sum over cells; wall time is about that / --workers)")
    for package, exps in found.items():
        print(package)
        for e in exps:
            times = ", ".join(
                f"{p}: {e.seeds[p] * len(e.methods)} cells ~{e.seeds[p] * len(e.methods) * e.seconds[p] / 60:.1f} cell-min"
                for p in PRESETS
            )
            print(f"  {e.name:24s} methods={','.join(e.methods)} (paper: {e.proposed})")
            print(f"  {'':24s} {e.metric} ({'higher' if e.higher_is_better else 'lower'} is better); {times}")
    print("suites: all, " + ", ".join(f"{k} ({', '.join(v)})" for k, v in SUITES.items()))


def run_command(
    targets: tuple[str, ...] = ("all",),
    /,
    preset: Literal["smoke", "quick", "paper"] = "smoke",
    seeds: int | None = None,
    workers: int = 1,
    backend: Literal["local", "ray"] = "local",
    address: str | None = None,
    out: Path | None = None,
    timeout: float | None = None,
    artifact_uri: str | None = None,
) -> None:
    """Run the (package, experiment, method, seed) grid; finished cells are skipped, failures recorded.

    Args:
        targets: packages and/or suites (all, bandits, theory, sparse, marl, games, generative).
        preset: smoke (< 60 s per package), quick (< 10 min per package), paper (full scaled-down plan).
        seeds: seeds per (experiment, method); default: each experiment's own for the preset.
        workers: cells run at once, each in its own single-threaded process.
        backend: local processes, or Ray tasks (one CPU each; pip install bench[ray]).
        address: Ray cluster address (default: start a local Ray instance).
        out: run folder (default runs/bench/<preset>).
        timeout: seconds after which a cell is killed and recorded as failed.
        artifact_uri: Ray backend: where cells' large files (checkpoints) go, a path every node can write or an
            fsspec URI; by default they are left out of the return path and listed in artifacts.json.
    """
    if seeds is not None and seeds < 1:
        raise ValueError(f"--seeds must be >= 1, got {seeds}")
    if workers < 1:
        raise ValueError(f"--workers must be >= 1, got {workers}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"--timeout must be > 0 seconds, got {timeout}")
    if address is not None and backend != "ray":
        raise ValueError("--address is for --backend ray")
    root = out or DEFAULT_ROOT / preset
    check_output_dir(root, name="--out")
    found = _discover()
    packages = resolve_targets(targets, found)
    experiments = [e for p in packages for e in found[p]]
    root.mkdir(parents=True, exist_ok=True)
    write_manifest(root, experiments, preset=preset)
    cells = build_grid(experiments, preset=preset, seeds=seeds, root=root)
    summary = run_cells(
        cells,
        workers=workers,
        backend=backend,
        ray_address=address,
        timeout=timeout,
        artifact_uri=artifact_uri,
    )
    write_run_log(root, summary, sys.argv)
    o = summary.overhead()
    print(
        f"ran {len(summary.outcomes)} cells ({len(summary.failed)} failed, {summary.skipped} skipped) in "
        f"{summary.wall_seconds:.1f} s on {workers} worker(s); cells' own time {o['cells_own_seconds']:.1f} s; "
        f"process start + imports {100 * o['process_overhead']:.1f}%, scheduling {100 * o['scheduling_overhead']:.1f}% "
        "of it"
    )
    if preset == "smoke":
        print(SMOKE_NOTE)
    print(f"results in {root}; next: bench report {root}")


def report_command(run_dir: Path | None = None, /, reps: int = 1000, workers: int = 2) -> None:
    """Aggregate a run folder into report.md, summary.json and plots/ (default: the newest under runs/bench).

    Args:
        run_dir: a folder written by `bench run`.
        reps: bootstrap resamples per confidence interval.
        workers: processes sharing the bootstrap work (one experiment each at a time).
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if reps < 10:
        raise ValueError(f"reps must be >= 10, got {reps}")
    if run_dir is None:
        candidates = sorted(DEFAULT_ROOT.glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
        if not candidates:
            raise ValueError(f"no run folder under {DEFAULT_ROOT}; run `bench run` first or pass RUN_DIR")
        run_dir = candidates[-1].parent
    summary = build_report(run_dir, reps=reps, workers=workers)
    print(f"wrote {run_dir / 'report.md'} and report.html ({len(summary['experiments'])} experiments)")
    if summary.get("preset") == "smoke":
        print(SMOKE_NOTE)
    # The main job ends with what a newcomer came for: which papers' claims hold, from the shipped evidence.
    results, warn = collect()
    for w in warn:
        print(f"warning: {w}", file=sys.stderr)
    print("\nScoreboard of the shipped evidence (bench scoreboard; --markdown / --json for tables):")
    print(to_text(results))


def main() -> None:
    run_cli(
        {
            "list": list_command,
            "run": run_command,
            "report": report_command,
            "scoreboard": scoreboard_command,
        },
        prog="bench",
    )
