import pytest
from paperkit import final_values, reproduce

from rlx2.cli import main
from rlx2.experiments import EXPERIMENTS


def test_smoke_preset_runs_every_cell_and_records_flops(tmp_path):
    records = reproduce(EXPERIMENTS, preset="smoke", out=tmp_path, log=lambda s: None)
    finals = final_values(records, "final_return")
    assert set(finals) == {"dense", "rlx2", "rigl", "ss", "rlx2-nobuf", "rlx2-nonstep", "rlx2-floor20pct"}
    flops = final_values([r for r in records if r.experiment == "td3"], "train_flops_rel")
    assert flops["dense"][0] == pytest.approx(1.0)
    assert 0.05 < flops["rlx2"][0] < 0.5 and 0.05 < flops["ss"][0] < 0.5


def test_cli_rejects_bad_sparsity(capsys):
    with pytest.raises(SystemExit) as e:
        main_args(["train", "--actor-sparsity", "1.5"])
    assert e.value.code == 2
    assert "actor_sparsity" in capsys.readouterr().err


def main_args(args):
    import sys

    old = sys.argv
    sys.argv = ["rlx2", *args]
    try:
        main()
    finally:
        sys.argv = old


def test_hopper_cells_use_the_papers_hopper_sparsities(tmp_path):
    exp = next(e for e in EXPERIMENTS if e.name == "td3_hopper")
    finals = {}
    for method in ("dense", "rlx2"):
        recs = exp.run(method=method, seed=0, preset="smoke", out_dir=tmp_path / method)
        finals[method] = {r.metric: r.value for r in recs if r.step is None}
    assert finals["dense"]["infer_flops_rel"] == pytest.approx(1.0)
    # 98% actor sparsity (ER keeps small layers denser): far below the 0.10x of the 90% HalfCheetah setting
    assert finals["rlx2"]["infer_flops_rel"] < 0.06


def test_mech_schedules_key_the_switch_to_env_steps():
    from rlx2.config import Config
    from rlx2.experiments import PRESETS, preset_config

    cfg = preset_config("rlx2", "hc-mech", 0)
    assert cfg.nstep_start_step == 60_000 and cfg.nstep_delay_iterations == 60_000 - cfg.start_steps
    assert cfg.buffer_min == 3_300 and cfg.total_steps == 100_000  # the paper's 1e5 of 3M = 3.3% of the run
    assert (
        preset_config("rlx2", "hopper-mech", 0).nstep_delay_iterations
        == 70_000 - PRESETS["hopper"]["start_steps"]
    )
    assert Config(delay_nstep=123).nstep_delay_iterations == 123  # without the env-step switch: iterations
    assert Config(nstep_start_step=10, start_steps=100).nstep_delay_iterations == 0
    with pytest.raises(ValueError, match="nstep_start_step"):
        Config(nstep_start_step=-1)
    # the buffer-floor arm is td3_mech's RLx2 with only the floor raised
    floor = preset_config("rlx2-floor20pct", "hc-mech", 0)
    assert {k for k, v in vars(floor).items() if vars(cfg)[k] != v} == {
        "buffer_min"
    } and floor.buffer_min == 20_000
    # and on Hopper (td3_hopper_mech) the same arm against that experiment's RLx2
    hopper, hopper_floor = (
        preset_config("rlx2", "hopper-mech", 0),
        preset_config("rlx2-floor20pct", "hopper-mech", 0),
    )
    assert {k for k, v in vars(hopper_floor).items() if vars(hopper)[k] != v} == {"buffer_min"}
    assert hopper_floor.buffer_min == 20_000 and hopper_floor.env_id == "Hopper-v5"


def test_unknown_env_id_is_one_line_naming_it(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main_args = ["train", "--env-id", "NoSuchEnv-v9", "--total-steps", "10"]
        import sys

        old = sys.argv
        sys.argv = ["rlx2", *main_args]
        try:
            main()
        finally:
            sys.argv = old
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("rlx2: error: env_id 'NoSuchEnv-v9'")
        and "pprint_registry" in err
        and "Traceback" not in err
    )
