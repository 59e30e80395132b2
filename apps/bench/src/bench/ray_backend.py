"""The Ray backend: cells run on any node of a cluster, and their results come home to the driver.

Each worker is a long-lived Ray actor (one CPU) that imports paperkit and the needed packages once and forks
every cell from its own warm forkserver, like the local backend. A cell runs in a node-local scratch folder
(``$BENCH_SCRATCH`` or the node's temp dir) with that node's own interpreter; the actor returns the cell's
files (records, log, metrics, small artefacts) and deletes the scratch folder. Only the driver writes into the
run folder, atomically, ``records.jsonl`` last, so a killed driver leaves whole cells or none, and a rerun runs
exactly the missing ones. Files above ``max_return_bytes`` (checkpoints) stay out of the return path: they are
copied to ``artifact_uri`` when one is given (a path every node can write, or an fsspec URI such as a bucket),
else left out and listed in the cell's ``artifacts.json``.

When a worker's node dies mid-cell, its actor is replaced (Ray places it on a live node) and the cell is run
again there; nothing of the lost attempt reached the run folder, so nothing is duplicated. A node that cannot
import a needed package, or has other versions than the driver, fails the run with one line naming both.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from paperkit import atomic_write_json
from paperkit.atomic import atomic_write_bytes

from bench.grid import Cell

MAX_RETURN_BYTES = 8 * 2**20
ATTEMPTS = 3


def package_versions(packages: Sequence[str]) -> dict[str, str]:
    """Installed versions of paperkit, bench and the given paper packages (``missing`` where absent)."""
    out = {}
    for name in ("paperkit", "bench", *packages):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    return out


@dataclasses.dataclass(frozen=True)
class CellResult:
    """What a worker sends home: the cell's exit status, its files (relative path -> bytes), and where it ran."""

    returncode: int | str
    seconds: float
    files: dict[str, bytes]
    left_out: dict[str, int]  # large files not returned: relative path -> bytes
    node: str
    scratch: str


class CellWorker:
    """One CPU's worth of cells on one node (wrapped by ``ray.remote`` in :func:`run_on_ray`)."""

    def __init__(self, packages: Sequence[str], driver_versions: dict[str, str], artifact_uri: str | None):
        here = package_versions(packages)
        bad = {k: (v, here.get(k)) for k, v in driver_versions.items() if here.get(k) != v}
        if bad:
            detail = ", ".join(f"{k} {node} (driver {drv})" for k, (drv, node) in sorted(bad.items()))
            raise RuntimeError(
                f"node {socket.gethostname()} ({sys.executable}) does not match the driver: {detail}; install the "
                "same versions on every node, or ship them with Ray's runtime_env (see the bench README)"
            )
        from bench.runner import _ONE_THREAD, WarmLauncher

        os.environ.update(_ONE_THREAD)
        self.launcher = WarmLauncher(list(packages), import_main=False)
        self.artifact_uri = artifact_uri
        self.node = f"{socket.gethostname()}:{os.getpid()}"
        base = os.environ.get("BENCH_SCRATCH") or tempfile.gettempdir()
        self.scratch_root = Path(base) / "bench-scratch"
        self.scratch_root.mkdir(parents=True, exist_ok=True)

    def where(self) -> dict[str, str]:
        import ray

        return {
            "node_id": ray.get_runtime_context().get_node_id(),
            "python": sys.executable,
            "python_version": platform.python_version(),
        }

    def run(self, cell: Cell, timeout: float | None, max_return_bytes: int) -> CellResult:
        scratch = Path(tempfile.mkdtemp(prefix="cell-", dir=self.scratch_root))
        local = dataclasses.replace(cell, out_dir=scratch)
        t0 = time.perf_counter()
        try:
            returncode = self.launcher.run(local, scratch / "cell.log", timeout)
            seconds = time.perf_counter() - t0
            files, left_out = {}, {}
            for path in sorted(p for p in scratch.rglob("*") if p.is_file()):
                rel = str(path.relative_to(scratch))
                size = path.stat().st_size
                if size <= max_return_bytes:
                    files[rel] = path.read_bytes()
                else:
                    left_out[rel] = size
                    if self.artifact_uri:
                        _copy_out(path, f"{self.artifact_uri.rstrip('/')}/{cell.label}/{rel}")
            return CellResult(returncode, seconds, files, left_out, self.node, str(scratch))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _copy_out(path: Path, uri: str) -> None:
    if "://" in uri and not uri.startswith("file://"):
        import fsspec  # a bucket or other remote store: fsspec with its protocol's package

        with fsspec.open(uri, "wb") as dst, open(path, "rb") as src:
            shutil.copyfileobj(src, dst)
        return
    target = Path(uri.removeprefix("file://"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)


def write_home(cell: Cell, result: CellResult) -> None:
    """The driver writes a returned cell into its run folder: every file atomically, records.jsonl last."""
    cell.out_dir.mkdir(parents=True, exist_ok=True)
    names = sorted(result.files, key=lambda n: n == "records.jsonl")
    for rel in names:
        atomic_write_bytes(cell.out_dir / rel, result.files[rel])
    if result.left_out:
        atomic_write_json(cell.out_dir / "artifacts.json", {"left_out_bytes": result.left_out})


def init_ray(ray: Any, ray_address: str | None, workers: int) -> bool:
    """Connect to a cluster (or start a local instance); True if this call started it."""
    if ray.is_initialized():
        return False
    # address="local" starts a fresh instance: without it Ray joins any cluster already running on this machine
    kwargs: dict[str, Any] = (
        {"address": ray_address} if ray_address else {"address": "local", "num_cpus": workers}
    )
    ray.init(include_dashboard=False, log_to_driver=False, **kwargs)
    return True
