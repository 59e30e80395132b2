import json
import os
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]
REPO = PKG.parents[1]


def test_device_script_runs_at_tiny_size_from_the_source_tree(tmp_path):
    """Issue 28: the one-shot device script, run as on the device (sources on PYTHONPATH), writes a few
    small files with both methods' curves, counted FLOPs and tokens/s."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO / "shared" / "src"), str(PKG / "src")])}  # fmt: skip
    cmd = [sys.executable, str(PKG / "benchmarks" / "gpt2_small.py"), "--out", str(out), "--tiny",
           "--budget", "120", "--max-iters", "40", "--data-dir", str(tmp_path / "corpus")]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    files = sorted(p.name for p in out.iterdir())
    assert files == ["curves.csv", "log.txt", "summary.json"]
    assert all((out / f).stat().st_size < 1_000_000 for f in files)  # only small files come back
    summary = json.loads((out / "summary.json").read_text())
    dense, mst = summary["rows"]
    assert (dense["method"], mst["method"]) == ("dense", "mst")
    assert dense["iters_done"] == mst["iters_done"] == summary["iters"] == 40  # the same token budget
    assert dense["train_flops_rel"] == 1.0 and 0.2 < mst["train_flops_rel"] < 0.8
    assert mst["train_flops_rel"] == mst["planned_flops_rel"]
    assert mst["max_sparsity"] > 0.85 and mst["final_sparsity"] == 0.0
    assert all(r["tokens_per_second"] > 0 and len(r["val_curve"]) == 8 for r in (dense, mst))
    assert len((out / "curves.csv").read_text().splitlines()) == 1 + 16
