"""The accelerator script (benchmarks/sd_scale.py) runs end to end on the CPU at tiny size, and its phase
deadlines cut a run short while still writing the results file."""

import importlib.util
import json
import math
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "sd_scale.py"


@pytest.fixture(scope="module")
def sd_scale():
    spec = importlib.util.spec_from_file_location("sd_scale", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_run_writes_every_figure(sd_scale, tmp_path):
    res = sd_scale.run(tmp_path, budget=600.0, tiny=True, device_name="cpu", repeats=1)
    assert json.loads((tmp_path / "lcm_sd_scale.json").read_text())["phases"] == res["phases"]
    build, lcd, sample = (res["phases"][k] for k in ("build", "lcd", "sample"))
    assert [build["status"], lcd["status"], sample["status"]] == ["done"] * 3
    assert 0 < build["lora_params_m"] < build["unet_params_m"]
    assert lcd["steps_timed"] >= 1 and lcd["steps_per_s"] > 0
    assert all(math.isfinite(v) for v in lcd["loss_first_last"])
    for key in ("lcm4_unmerged_s", "lcm4_merged_s", "ddim_cfg_s", "speedup_merged"):
        assert sample[key] > 0


def test_phase_deadlines_stop_the_run_and_keep_the_file(sd_scale, tmp_path):
    res = sd_scale.run(tmp_path, budget=0.5, tiny=True, device_name="cpu", repeats=1)
    assert res["phases"]["build"]["status"] == "done"  # the build cannot be interrupted; the rest is cut
    assert res["phases"]["lcd"]["status"] == "deadline" and res["phases"]["sample"]["status"] == "deadline"
    assert json.loads((tmp_path / "lcm_sd_scale.json").read_text())["phases"]["lcd"]["status"] == "deadline"
