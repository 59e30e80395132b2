"""The Ray backend on a real multi-node cluster started on this machine (a head without CPUs and two worker
nodes, each with its own scratch folder): results come home, only the driver writes the run folder, a rerun runs
only the missing cells, and a node lost mid-cell has that cell run again elsewhere, once."""

import json
import threading
import time

import pytest
from paperkit import discover

from bench.grid import build_grid, write_manifest
from bench.runner import run_cells


def _toy_cells(root, seeds, methods):
    exp = discover()["toybench"][0]
    write_manifest(root, [exp], preset="smoke")
    return [c for c in build_grid([exp], preset="smoke", seeds=seeds, root=root) if c.method in methods]


ray = pytest.importorskip("ray")


@pytest.fixture
def cluster(toy_package, tmp_path, monkeypatch):
    from ray.cluster_utils import Cluster

    monkeypatch.setenv("RAY_DEDUP_LOGS", "0")
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    nodes = []
    for i in range(2):
        scratch = tmp_path / f"scratch-node{i}"
        scratch.mkdir()
        env = {"BENCH_SCRATCH": str(scratch), "PYTHONPATH": str(toy_package), "TOYBENCH_SLEEP": "8"}
        nodes.append((c.add_node(num_cpus=1, env_vars=env), scratch))
    c.wait_for_nodes()
    ray.init(address=c.address, include_dashboard=False, log_to_driver=False)
    yield c, nodes
    ray.shutdown()
    c.shutdown()


def _files(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("records.jsonl"))}


def test_results_travel_home_identical_to_the_local_backend(cluster, tmp_path):
    _, nodes = cluster
    local_root, ray_root = tmp_path / "local", tmp_path / "ray"
    methods = {"good", "bad", "dense"}
    run_cells(_toy_cells(local_root, seeds=2, methods=methods), workers=2, log=lambda s: None)
    summary = run_cells(
        _toy_cells(ray_root, seeds=2, methods=methods), workers=2, backend="ray", log=lambda s: None
    )
    assert all(o.ok for o in summary.outcomes) and len(summary.outcomes) == 6
    assert len({o.node for o in summary.outcomes}) == 2  # both worker nodes ran cells
    ours = _files(ray_root)
    theirs = _files(local_root)
    strip = lambda b: [{k: v for k, v in json.loads(ln).items()} for ln in b.decode().splitlines()]  # noqa: E731
    assert ours.keys() == theirs.keys()
    for key in ours:  # same records but the cell's own timing
        a = [r for r in strip(ours[key]) if r["metric"] != "cell_seconds"]
        b = [r for r in strip(theirs[key]) if r["metric"] != "cell_seconds"]
        assert a == b
    assert (ray_root / "toybench/regret/good/seed0/cell.log").is_file()
    for _, scratch in nodes:  # the workers wrote only into their own scratch, and cleaned it up
        assert not list((scratch / "bench-scratch").glob("cell-*"))
    # a rerun (as after a killed driver) runs only what is missing
    (ray_root / "toybench/regret/bad/seed1/records.jsonl").unlink()
    again = run_cells(
        _toy_cells(ray_root, seeds=2, methods=methods), workers=2, backend="ray", log=lambda s: None
    )
    assert again.skipped == 5 and [o.label for o in again.outcomes] == ["toybench/regret/bad/s1"]


def test_a_node_lost_mid_cell_has_its_cell_run_again_elsewhere(cluster, tmp_path, monkeypatch):
    c, nodes = cluster
    root = tmp_path / "run"
    slow = discover()["toybench"][1]
    write_manifest(root, [slow], preset="smoke")
    cells = build_grid([slow], preset="smoke", seeds=1, root=root)
    killed = []

    def kill_a_busy_node():
        # wait (actors start slowly on a loaded machine) until the slow cell (8 s) is running on a node
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for node, scratch in nodes:
                if list((scratch / "bench-scratch").glob("cell-*/cell.log")):
                    time.sleep(1)  # well inside the cell
                    c.remove_node(node, allow_graceful=False)
                    killed.append(scratch)
                    return
            time.sleep(0.2)

    t = threading.Thread(target=kill_a_busy_node)
    t.start()
    summary = run_cells(cells, workers=1, backend="ray", log=lambda s: None)
    t.join()
    assert killed, "no node was busy with the cell"
    assert [o.ok for o in summary.outcomes] == [True]
    records = [
        json.loads(ln) for ln in (root / "toybench/slowexp/slow/seed0/records.jsonl").read_text().splitlines()
    ]
    assert [r["step"] for r in records if r["metric"] == "regret"] == [
        1,
        10,
        100,
    ]  # one run's records, not two
    assert summary.outcomes[0].node is not None
