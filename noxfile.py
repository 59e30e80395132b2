"""Project tasks: `uv run nox` runs lint and every package's tests, each package in its own venv.

Each test session installs exactly one workspace member with `uv sync --locked --package NAME` into a fresh
venv, so an import the package does not declare fails there even if a sibling would provide it.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "tests", "cross_package"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent


def _members() -> dict[str, Path]:
    """Workspace member name -> directory (paperkit, packages/*, apps/*)."""
    dirs = [ROOT / "shared", *sorted((ROOT / "packages").glob("*")), *sorted((ROOT / "apps").glob("*"))]
    out = {}
    for d in dirs:
        pyproject = d / "pyproject.toml"
        if pyproject.is_file():
            out[tomllib.loads(pyproject.read_text())["project"]["name"]] = d
    return out


MEMBERS = _members()


def _sync(session: nox.Session, *args: str) -> None:
    session.run_install(
        "uv",
        "sync",
        "--locked",
        *args,
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        external=True,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    _sync(session, "--only-group", "dev")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
@nox.parametrize("package", list(MEMBERS))
def tests(session: nox.Session, package: str) -> None:
    """One member's tests, in a venv that holds only that member and its declared dependencies."""
    _sync(session, "--package", package)
    session.chdir(MEMBERS[package])
    workers = os.environ.get("PYTEST_WORKERS", "2")
    session.run("python", "-m", "pytest", "-q", "-n", workers, "-p", "no:cacheprovider", *session.posargs)


@nox.session
def cross_package(session: nox.Session) -> None:
    """Every package installed in one venv: their claims are well formed and the READMEs' scoreboard blocks
    (root and per package) equal what the shipped evidence says (`bench scoreboard --write-readmes` rewrites
    them); every CLI answers bad input with one line (tests/test_cli_errors.py)."""
    _sync(session, "--all-packages", "--group", "dev")
    session.run("bench", "scoreboard", "--check-readmes")
    workers = os.environ.get("PYTEST_WORKERS", "2")
    session.run("python", "-m", "pytest", "-q", "-n", workers, "-p", "no:cacheprovider", "tests")


@nox.session(default=False)
def race(session: nox.Session) -> None:
    """gflownet-losses against torchgfn 2.4.1 trained from scratch, same settings, alternating, in the same run.
    torchgfn pins numpy < 2, so it gets a venv of its own with the workspace's torch version:
    `uv run nox -s race [-- --reps 5 --updates 800]` (not in the default sessions: minutes of CPU)."""
    _sync(session, "--package", "gflownet-losses")
    torch_version = session.run(
        "python", "-c", "import torch; print(torch.__version__.split('+')[0])", silent=True
    )
    peer = Path(session.create_tmp()) / "gfn-peer"
    session.run("uv", "venv", "-q", "--clear", str(peer), "--python", "3.11", external=True)
    session.run(
        "uv", "pip", "install", "-q", "--python", str(peer / "bin" / "python"), "torchgfn==2.4.1",
        f"torch=={str(torch_version).strip()}", external=True,
    )  # fmt: skip
    session.run(
        "python", "packages/gflownet-losses/benchmarks/race_torchgfn.py", "--peer-python",
        str(peer / "bin" / "python"), *(session.posargs or ["--reps", "3", "--updates", "800"]),
    )  # fmt: skip


@nox.session
def types(session: nox.Session) -> None:
    """mypy over paperkit and the apps (the shared code every package relies on)."""
    _sync(session, "--all-packages", "--group", "dev")
    session.run(
        "mypy", "shared/src", *[str(d / "src") for n, d in MEMBERS.items() if d.parent.name == "apps"]
    )


@nox.session
def build(session: nox.Session) -> None:
    """Build every wheel, install each alone in a clean venv, import it, and run a paper package's smoke
    reproduction from the installed wheel (`nox -s build -- uniinf` for one package)."""
    dist = ROOT / "dist"
    session.run("uv", "build", "--all-packages", "--wheel", "-o", str(dist), "-q", external=True)
    for name in session.posargs or list(MEMBERS):
        module = name.replace("-", "_")
        tmp = Path(session.create_tmp())
        venv = tmp / f"venv-{name}"
        session.run("uv", "venv", "-q", "--clear", str(venv), external=True)
        py = str(venv / "bin" / "python")
        wheel = next(dist.glob(f"{module}-*.whl"))
        session.run(
            "uv", "pip", "install", "-q", "--python", py, "--find-links", str(dist), str(wheel), external=True
        )
        session.run(py, "-c", f"import {module}; print({module}.__name__, 'imports')", external=True)
        if MEMBERS[name].parent.name == "packages":
            session.run(
                str(venv / "bin" / name), "reproduce", "--preset", "smoke", "--out", str(tmp / f"smoke-{name}"),
                external=True,
            )  # fmt: skip
