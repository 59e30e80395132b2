"""A toy paper package, installed for the test session only through a dist-info folder on the path, so bench
finds it exactly as it finds real packages: through the `paperkit.experiments` entry point."""

from __future__ import annotations

import importlib
import shutil
import textwrap

import pytest
from paperkit import discover
from paperkit.evidence import ship

from bench.grid import build_grid, write_manifest
from bench.runner import run_cells

TOY_MODULE = """
from paperkit import Claim, Experiment, ResultRecord

def run_cell(*, method, seed, preset, out_dir):
    if method == "crash":
        raise RuntimeError("this cell always fails")
    base = {"good": 1.0, "bad": 3.0, "dense": 2.0}[method]
    recs = [ResultRecord("toybench", "regret", method, seed, "regret", base * t + seed, step=t) for t in (1, 10, 100)]
    recs.append(ResultRecord("toybench", "regret", method, seed, "flops_rel", 1.0 if method == "dense" else 0.2))
    return recs

EXPERIMENTS = [
    Experiment(package="toybench", name="regret", description="toy regret", methods=("good", "bad", "dense", "crash"),
               proposed="good", metric="regret", higher_is_better=False, run=run_cell,
               seconds={"smoke": 0.5, "quick": 1.0, "paper": 2.0}, seeds={"smoke": 2, "quick": 3, "paper": 4},
               log_log=True, flops_metric="flops_rel", claim="good beats bad"),
]

def run_slow(*, method, seed, preset, out_dir):
    import os, time
    time.sleep(float(os.environ.get("TOYBENCH_SLEEP", "0")))  # set on a test cluster's nodes
    return [ResultRecord("toybench", "slowexp", method, seed, "regret", 1.0 + seed, step=t) for t in (1, 10, 100)]

EXPERIMENTS.append(
    Experiment(package="toybench", name="slowexp", description="a cell that takes a while", methods=("slow",),
               proposed="slow", metric="regret", higher_is_better=False, run=run_slow,
               seconds={"smoke": 0.5, "quick": 1.0, "paper": 2.0}, seeds={"smoke": 1, "quick": 1, "paper": 1})
)

CLAIMS = [
    Claim(id="toybench/headroom", statement="dense beats bad", experiment="regret", evidence="quick",
          test="better", method="dense", baseline="bad", min_seeds=3, headroom=True, command="toy run"),
    Claim(id="toybench/beats-bad", statement="good beats bad", experiment="regret", evidence="quick",
          test="better", baseline="bad", min_seeds=3, requires="toybench/headroom", command="toy run"),
    Claim(id="toybench/linear", statement="regret grows linearly", experiment="regret", evidence="quick",
          test="slope", slope_range=(0.9, 1.1), x_range=(10, 100), min_seeds=3, command="toy run"),
    Claim(id="toybench/matches-dense", statement="good within 10% of dense", experiment="regret",
          evidence="quick", test="within", baseline="dense", threshold=1.1, command="toy run"),
    Claim(id="toybench/paper-scale", statement="good beats bad at paper scale", experiment="regret",
          evidence="paper", test="better", baseline="bad", command="toy run --paper"),
]
"""


@pytest.fixture(scope="session")
def toy_site(tmp_path_factory):
    # One folder for the whole session: the local runner's forkserver is started once per process and keeps
    # the sys.path it started with.
    return tmp_path_factory.mktemp("site")


@pytest.fixture
def toy_package(toy_site, monkeypatch):
    site = toy_site
    (site / "toybench_pkg.py").write_text(textwrap.dedent(TOY_MODULE))
    dist = site / "toybench-0.1.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toybench\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[paperkit.experiments]\ntoybench = toybench_pkg:EXPERIMENTS\n")
    (site / "pyproject.toml").write_text(
        '[project]\nname = "toybench"\n'
    )  # a source checkout: evidence/ beside it
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", str(site))
    importlib.invalidate_caches()
    return site


@pytest.fixture
def toy_evidence(toy_package, tmp_path):
    """Three seeds of the toy experiment, shipped as the package's `quick` evidence."""
    exp = discover()["toybench"][0]
    run = tmp_path / "evidence-run"
    write_manifest(run, [exp], preset="quick")
    cells = [c for c in build_grid([exp], preset="quick", seeds=3, root=run) if c.method != "crash"]
    run_cells(cells, workers=2, log=lambda s: None)
    evidence = toy_package / "evidence"
    ship(run, evidence / "quick", preset="quick", command="toy run")
    yield evidence
    shutil.rmtree(evidence)
