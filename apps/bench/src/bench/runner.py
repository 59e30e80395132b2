"""Run cells, each in its own single-threaded process, on local processes or Ray.

Locally each cell is forked from a multiprocessing forkserver that imported the packages once, so a cell
is still a fresh process of its own but does not pay for importing torch & co. again. On Ray the same
happens inside long-lived actors, one per worker CPU, on whichever nodes Ray picks, and every cell's files
travel back to the driver, the only writer of the run folder (`bench.ray_backend`).

A cell is done when its ``records.jsonl`` exists (paperkit writes it atomically at the very end), so a rerun
skips finished cells and an interrupted run loses at most the cells in flight. A failing cell leaves
``error.json`` and ``cell.log`` in its folder and never stops the others.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import json
import multiprocessing
import multiprocessing.connection
import os
import subprocess
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from paperkit import atomic_write_json, progress, read_records
from paperkit.experiments import ENTRY_POINT_GROUP, main_cell

from bench.grid import Cell

# Under `uv run`, Ray would otherwise rebuild a uv environment for each worker from the working directory;
# the workers share this interpreter's environment instead. Read by Ray at import, so set it before.
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")

_ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "RAY_DEDUP_LOGS": "0",
}
BACKENDS = ("local", "ray")


@dataclasses.dataclass(frozen=True)
class CellOutcome:
    label: str
    ok: bool
    process_seconds: float
    cell_seconds: float | None  # the cell's own time, as measured inside it
    error: str | None = None
    node: str | None = None  # where it ran (Ray backend)


class WarmLauncher:
    """Forks every cell from one server process that has imported the given modules (stdlib forkserver)."""

    def __init__(self, packages: Sequence[str], *, import_main: bool = True):
        # import_main=False: cells do not re-import this process's main script (inside a Ray actor that is
        # Ray's worker script, and importing it again cost each cell ~1.5 s)
        self.import_main = import_main
        modules = {ep.name: ep.module for ep in entry_points(group=ENTRY_POINT_GROUP)}
        self.context = multiprocessing.get_context("forkserver")
        # A module that fails to import here is skipped by the forkserver and fails inside its cell instead.
        # Before Python 3.13 the forkserver ignores "__main__" in its preload list (CPython gh-126631), so each
        # forked cell re-runs the parent's main script; preloading what that script imports (the bench CLI)
        # makes the re-run free. Measured: 0.5-0.9 s less per cell on this 2-core machine.
        preload = ["__main__", "bench.cli", "paperkit.experiments"]
        preload += [modules[p] for p in packages if p in modules]
        self.context.set_forkserver_preload([*preload, "bench.warm"])
        self._lock = threading.Lock()

    def run(self, cell: Cell, log_path: Path, timeout: float | None) -> int | str:
        proc = self.context.Process(target=_cell_child, args=(cell.argv(), str(log_path)), daemon=True)
        # Starting a process polls every other live child (multiprocessing's _cleanup), and a forkserver
        # child's exit status can be read from its pipe only once: a poll racing another thread's join takes
        # the status, and the loser sees EOF and reports 255 for a cell that succeeded (9% of 400 trivial
        # children with 4 threads). So every start and every status read happen under one lock; the long wait
        # for the child to finish does not.
        with self._lock, _no_main(not self.import_main):
            proc.start()
        finished = multiprocessing.connection.wait([proc.sentinel], timeout)
        with self._lock:
            if not finished:
                proc.kill()
            proc.join()
        if not finished:
            return f"timeout after {timeout} s"
        return proc.exitcode if proc.exitcode is not None else "no exit status"


@contextlib.contextmanager
def _no_main(active: bool) -> Iterator[None]:
    """Hide ``__main__`` while a child starts, so multiprocessing does not import it again in the child."""
    if not active:
        yield
        return
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def thread_lock_for_tqdm() -> None:
    """Give tqdm a thread lock instead of the multiprocessing lock it creates on first use.

    A cell child ends with ``os._exit`` (no finalizers), so a semaphore that tqdm registered with the resource
    tracker is never unregistered, and the whole run ended with "resource_tracker: There appear to be N leaked
    semaphore objects" (one per cell that showed a bar, e.g. diffusers' pipelines). A cell's bars are written
    by one process, so a thread lock is all they need."""
    import tqdm

    tqdm.tqdm.set_lock(threading.RLock())


def _cell_child(argv: list[str], log_path: str) -> None:
    thread_lock_for_tqdm()
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    code = 1
    try:
        code = main_cell(argv)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _run_fresh(cell: Cell, log_path: Path, timeout: float | None, python: str) -> int | str:
    env = {**os.environ, **_ONE_THREAD}
    with open(log_path, "w") as log:
        try:
            return subprocess.run(
                [python, "-m", "paperkit.cell", *cell.argv()],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=timeout,
            ).returncode
        except subprocess.TimeoutExpired:
            return f"timeout after {timeout} s"


def execute_cell(
    cell: Cell,
    python: str = sys.executable,
    timeout: float | None = None,
    launcher: WarmLauncher | None = None,
) -> CellOutcome:
    """Run one cell in a process of its own (forked by ``launcher``, else a fresh interpreter); record its
    log, its timing, and any error."""
    cell.out_dir.mkdir(parents=True, exist_ok=True)
    (cell.out_dir / "error.json").unlink(missing_ok=True)
    log_path = cell.out_dir / "cell.log"
    t0 = time.perf_counter()
    if launcher is not None:
        returncode = launcher.run(cell, log_path, timeout)
    else:
        returncode = _run_fresh(cell, log_path, timeout, python)
    return record_outcome(cell, returncode, time.perf_counter() - t0)


def record_outcome(cell: Cell, returncode: int | str, seconds: float, node: str | None = None) -> CellOutcome:
    """The outcome of a finished cell from its folder; writes error.json (on failure) and process.json."""
    log_path = cell.out_dir / "cell.log"
    if returncode == 0 and cell.done:
        own = [r.value for r in read_records(cell.out_dir / "records.jsonl") if r.metric == "cell_seconds"]
        outcome = CellOutcome(cell.label, True, seconds, own[0] if own else None, node=node)
    else:
        tail = log_path.read_text(errors="replace").splitlines()[-30:] if log_path.exists() else []
        error = f"exit status {returncode}: " + (tail[-1] if tail else "no output")
        atomic_write_json(
            cell.out_dir / "error.json", {"returncode": returncode, "seconds": seconds, "log_tail": tail}
        )
        outcome = CellOutcome(cell.label, False, seconds, None, error, node=node)
    atomic_write_json(cell.out_dir / "process.json", dataclasses.asdict(outcome))
    return outcome


@dataclasses.dataclass
class RunSummary:
    wall_seconds: float
    workers: int
    skipped: int
    outcomes: list[CellOutcome]

    @property
    def failed(self) -> list[CellOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def overhead(self) -> dict[str, float]:
        """Runner overhead relative to the cells' own time (process start + imports, and scheduling)."""
        ok = [o for o in self.outcomes if o.ok and o.cell_seconds is not None]
        own = sum(o.cell_seconds for o in ok)  # type: ignore[misc]
        process = sum(o.process_seconds for o in ok)
        busy = sum(o.process_seconds for o in self.outcomes)
        return {
            "cells_own_seconds": own,
            "process_seconds": process,
            "process_overhead": (process - own) / own if own > 0 else float("nan"),
            "scheduling_overhead": (self.wall_seconds * self.workers - busy) / busy
            if busy > 0
            else float("nan"),
        }


def run_cells(
    cells: Sequence[Cell],
    *,
    workers: int = 1,
    backend: str = "local",
    ray_address: str | None = None,
    timeout: float | None = None,
    log: Callable[[str], None] = print,
    artifact_uri: str | None = None,
    max_return_bytes: int | None = None,
) -> RunSummary:
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; valid: {list(BACKENDS)}")
    pending = [c for c in cells if not c.done]
    skipped = len(cells) - len(pending)
    expected = sum(c.expected_seconds for c in pending) / workers
    log(f"{len(cells)} cells: {skipped} already done, {len(pending)} to run on {workers} {backend} worker(s), "
        f"expected about {expected / 60:.1f} min")  # fmt: skip
    t0 = time.perf_counter()
    if backend == "local":
        outcomes = _run_local(pending, workers=workers, timeout=timeout, ray_address=None)
    else:
        outcomes = _run_ray(
            pending,
            workers=workers,
            timeout=timeout,
            ray_address=ray_address,
            artifact_uri=artifact_uri,
            max_return_bytes=max_return_bytes,
        )
    summary = RunSummary(time.perf_counter() - t0, workers, skipped, outcomes)
    for o in summary.failed:
        log(f"FAILED {o.label}: {o.error}")
    return summary


def _progress_loop(total: int, results: Any, *, running: Callable[[], int]) -> list[CellOutcome]:
    outcomes: list[CellOutcome] = []
    with progress(total=total, desc="cells", unit="cell") as bar:
        for outcome in results:
            outcomes.append(outcome)
            failed = sum(not o.ok for o in outcomes)
            bar.set_postfix(running=running(), failed=failed, refresh=False)
            bar.update(1)
    return outcomes


def _run_local(
    cells: Sequence[Cell], *, workers: int, timeout: float | None, ray_address: str | None
) -> list[CellOutcome]:
    if not cells:
        return []
    os.environ.update(_ONE_THREAD)  # inherited by the forkserver and every cell
    launcher = WarmLauncher(sorted({c.package for c in cells}))
    # Threads only wait on child processes; the work happens in the children.
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(execute_cell, c, sys.executable, timeout, launcher) for c in cells]
        done = concurrent.futures.as_completed(futures)
        return _progress_loop(
            len(futures), (f.result() for f in done), running=lambda: sum(f.running() for f in futures)
        )


def _run_ray(
    cells: Sequence[Cell],
    *,
    workers: int,
    timeout: float | None,
    ray_address: str | None,
    artifact_uri: str | None = None,
    max_return_bytes: int | None = None,
) -> list[CellOutcome]:
    """Cells on Ray actors (bench.ray_backend): each result travels home and only this process writes it."""
    try:
        import ray
        from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError
    except ImportError as e:
        raise ValueError("--backend ray needs Ray: install bench[ray]") from e
    from bench.ray_backend import (
        ATTEMPTS,
        MAX_RETURN_BYTES,
        CellWorker,
        init_ray,
        package_versions,
        write_home,
    )

    if not cells:
        return []
    started_here = init_ray(ray, ray_address, workers)
    packages = sorted({c.package for c in cells})
    versions = package_versions(packages)
    limit = MAX_RETURN_BYTES if max_return_bytes is None else max_return_bytes
    actor_cls = ray.remote(num_cpus=1, max_restarts=0)(CellWorker)
    lost = (RayActorError, ActorDiedError, ActorUnavailableError)

    def new_actor() -> Any:
        actor = actor_cls.remote(packages, versions, artifact_uri)
        try:
            ray.get(actor.where.remote())  # type: ignore[attr-defined]  # the first call raises the node's import/version error, if any
        except lost as e:
            cause = getattr(e, "cause", None) or e
            raise ValueError(f"a Ray worker could not start: {str(cause).splitlines()[-1]}") from None
        return actor

    try:
        actors = [new_actor() for _ in range(min(workers, len(cells)))]
        queue = list(cells)
        attempts = dict.fromkeys((c.label for c in cells), 0)
        in_flight: dict[Any, tuple[Any, Cell]] = {}

        def submit(actor: Any) -> None:
            cell = queue.pop(0)
            attempts[cell.label] += 1
            in_flight[actor.run.remote(cell, timeout, limit)] = (actor, cell)

        for actor in actors:
            if queue:
                submit(actor)

        def results():
            while in_flight:
                ready, _ = ray.wait(list(in_flight), num_returns=1)
                actor, cell = in_flight.pop(ready[0])
                try:
                    result = ray.get(ready[0])
                except lost:  # the node (or the actor) died mid-cell: a fresh actor runs the cell again
                    if attempts[cell.label] < ATTEMPTS:
                        queue.insert(0, cell)
                    else:
                        yield _lost_cell(cell, attempts[cell.label])
                    actor = new_actor()
                else:
                    (cell.out_dir / "error.json").unlink(missing_ok=True)
                    write_home(cell, result)
                    yield record_outcome(cell, result.returncode, result.seconds, node=result.node)
                if queue:
                    submit(actor)

        return _progress_loop(len(cells), results(), running=lambda: len(in_flight))
    finally:
        if started_here:
            ray.shutdown()


def _lost_cell(cell: Cell, attempts: int) -> CellOutcome:
    cell.out_dir.mkdir(parents=True, exist_ok=True)
    return record_outcome(cell, f"worker lost {attempts} times", 0.0)


def write_run_log(root: Path, summary: RunSummary, argv: Sequence[str]) -> None:
    """Append this invocation's timing to ``runs.jsonl`` in the run folder."""
    row = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "argv": list(argv),
        "wall_seconds": summary.wall_seconds,
        "workers": summary.workers,
        "ran": len(summary.outcomes),
        "skipped": summary.skipped,
        "failed": [o.label for o in summary.failed],
        **summary.overhead(),
    }
    with open(Path(root) / "runs.jsonl", "a") as f:
        f.write(json.dumps(row) + "\n")
