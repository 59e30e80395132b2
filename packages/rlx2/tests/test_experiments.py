import pytest
from paperkit import final_values, reproduce

from rlx2.cli import main
from rlx2.experiments import EXPERIMENTS


def test_smoke_preset_runs_every_cell_and_records_flops(tmp_path):
    records = reproduce(EXPERIMENTS, preset="smoke", out=tmp_path, log=lambda s: None)
    finals = final_values(records, "final_return")
    assert set(finals) == {"dense", "rlx2", "rigl", "ss", "rlx2-nobuf", "rlx2-nonstep"}
    flops = final_values(records, "train_flops_rel")
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
