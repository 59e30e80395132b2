"""Shipped evidence: the records of every run a README cites, kept in the package, with a manifest.

Layout (the same one ``bench run`` and ``<package> reproduce`` write, so a run folder can be shipped as is)::

    packages/<name>/evidence/<folder>/manifest.json
    packages/<name>/evidence/<folder>/<package>/<experiment>/<method>/seed<k>/records.jsonl

``<folder>`` is a preset or plan name (``quick``, ``paper-100k``). The manifest lists each shipping run:
command, commit, date, machine, wall time and the cells' own (CPU) seconds.

    python -m paperkit.evidence ship RUN_DIR packages/<name>/evidence/<folder> --preset quick --command "..."
    python -m paperkit.evidence check packages/<name>/evidence
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from paperkit.atomic import atomic_write_json
from paperkit.claims import Claim
from paperkit.experiments import ENTRY_POINT_GROUP
from paperkit.records import ResultRecord, read_records

MANIFEST = "manifest.json"


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def _commit(cwd: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True, timeout=10
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def ship(
    run_dir: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    preset: str,
    command: str,
    wall_seconds: float | None = None,
    note: str = "",
    replace: bool = False,
) -> dict[str, Any]:
    """Copy every ``records.jsonl`` under ``run_dir`` to the same relative path under ``dest`` (each checked
    readable first) and add this run to ``dest/manifest.json``. Returns the manifest.

    Shipping is incremental: a cell already in ``dest`` with the same bytes is skipped (and not counted again),
    so a folder whose cells finish one by one can be shipped as they do. A cell whose records differ from the
    shipped ones is refused before anything is copied, unless ``replace``."""
    src, dest = Path(run_dir), Path(dest)
    if not src.is_dir():
        raise ValueError(f"run folder {src} does not exist")
    files = sorted(src.rglob("records.jsonl"))
    if not files:
        raise ValueError(f"no records.jsonl under {src}")
    new_files: list[tuple[Path, Path]] = []  # (source, target) of each cell to copy
    changed: list[str] = []
    cell_seconds = 0.0
    for f in files:
        records = read_records(f)  # a damaged file stops the shipping before anything is copied
        target = dest / f.relative_to(src)
        if target.is_file():
            if target.read_bytes() == f.read_bytes():
                continue
            changed.append(str(f.relative_to(src).parent))
        new_files.append((f, target))
        cell_seconds += sum(r.value for r in records if r.metric == "cell_seconds")
    if changed and not replace:
        raise ValueError(
            f"{len(changed)} cell(s) already shipped to {dest} with other records (e.g. {changed[0]}); "
            "pass --replace to overwrite them"
        )
    if not new_files:
        raise ValueError(f"nothing new to ship: all {len(files)} cells under {src} are already in {dest}")
    for f, target in new_files:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    manifest = read_manifest(dest)
    run = {
        "command": command,
        "commit": _commit(Path.cwd()),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": _machine(),
        "python": platform.python_version(),
        "cells": len(new_files),
        "cell_seconds": round(cell_seconds, 1),
        "wall_seconds": None if wall_seconds is None else round(float(wall_seconds), 1),
    }
    if note:
        run["note"] = note
    if changed:
        run["replaced"] = changed
    manifest["preset"] = preset
    manifest["runs"] = [*manifest.get("runs", []), run]
    manifest["cells"] = len(list(dest.rglob("records.jsonl")))
    atomic_write_json(dest / MANIFEST, manifest)
    return manifest


def load_folder(
    folder: str | os.PathLike[str], *, damaged: list[str] | None = None
) -> tuple[list[ResultRecord], dict[str, Any]]:
    """Records and manifest of one evidence folder (or any run folder). A damaged records file raises, unless
    ``damaged`` is given: then its error is appended there and the file left out."""
    folder = Path(folder)
    records: list[ResultRecord] = []
    for p in sorted(folder.rglob("records.jsonl")):
        try:
            records += read_records(p)
        except ValueError as e:
            if damaged is None:
                raise
            damaged.append(str(e))
    return records, read_manifest(folder)


def check_folder(root: str | os.PathLike[str]) -> list[str]:
    """Problems with a package's evidence root: folders without a manifest, unreadable records."""
    problems = []
    root = Path(root)
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if not (folder / MANIFEST).is_file():
            problems.append(f"{folder}: no {MANIFEST}")
        for f in sorted(folder.rglob("records.jsonl")):
            try:
                read_records(f)
            except (ValueError, OSError) as e:
                problems.append(str(e))
    return problems


def package_root(module: str) -> Path | None:
    """The source checkout folder (the one with pyproject.toml) of an installed module, or None for a wheel."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    for parent in Path(spec.origin).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
        if parent.name in ("site-packages", "dist-packages"):
            return None
    return None


def discover_claims(*, errors: dict[str, str] | None = None) -> dict[str, tuple[list[Claim], Path | None]]:
    """package -> (its CLAIMS, its evidence folder or None), from the ``paperkit.experiments`` entry points:
    ``CLAIMS`` lives in the same module as ``EXPERIMENTS``."""
    found: dict[str, tuple[list[Claim], Path | None]] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            module = importlib.import_module(ep.module)
            claims = list(getattr(module, "CLAIMS", []))
        except Exception as e:
            if errors is None:
                raise
            errors[ep.name] = f"{type(e).__name__}: {e}"
            continue
        root = package_root(ep.module)
        found[ep.name] = (claims, None if root is None else root / "evidence")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m paperkit.evidence", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser(
        "ship", help="copy a run folder's records into an evidence folder, add to its manifest"
    )
    s.add_argument("run_dir", type=Path)
    s.add_argument("dest", type=Path)
    s.add_argument("--preset", required=True)
    s.add_argument("--command", required=True, help="the command that produced the run")
    s.add_argument("--wall-seconds", type=float, default=None)
    s.add_argument("--note", default="")
    s.add_argument("--replace", action="store_true", help="overwrite shipped cells whose records differ")
    c = sub.add_parser("check", help="check a package's evidence root (manifests present, records readable)")
    c.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.cmd == "ship":
            m = ship(
                args.run_dir,
                args.dest,
                preset=args.preset,
                command=args.command,
                wall_seconds=args.wall_seconds,
                note=args.note,
                replace=args.replace,
            )
            print(
                f"{args.dest}: {m['runs'][-1]['cells']} new cell(s); {m['cells']} cells, {len(m['runs'])} run(s) in {MANIFEST}"
            )
            return 0
        problems = check_folder(args.root)
        for p in problems:
            print(p)
        print(f"{args.root}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        return 1 if problems else 0
    except (ValueError, OSError) as e:
        print(f"paperkit.evidence: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
