import dataclasses
import subprocess
import sys

import pytest
import torch
from paperkit import read_metrics

from gflownet_losses.config import Config
from gflownet_losses.experiments import EXPERIMENTS
from gflownet_losses.train import evaluate, train


def test_learning_reduces_l1_well_below_start():
    cfg = Config(
        height=8, n_trajectories=3000, eval_every=500, objective="db", loss="linex1", grad_clip=10.0, seed=1
    )
    res = train(cfg)
    start, final = res.curve[0][1], res.final_l1
    assert start > 1.5  # the untrained policy is far from the target
    assert final < 0.6 * start
    assert res.modes_found == res.n_modes


def test_bitseq_run_records_modes_and_spearman():
    cfg = Config(
        env="bitseq",
        seq_len=8,
        word_len=2,
        n_modes=2,
        mode_radius=1,
        learned_pb=False,
        n_trajectories=64,
        batch_size=16,
        hidden=16,
        test_per_mode=4,
        n_backward=2,
    )
    res = train(cfg)
    assert 0 <= res.modes_found <= 2 and -1 <= res.spearman <= 1


def test_resume_is_bit_exact(tmp_path):
    base = dict(
        height=5, n_trajectories=160, batch_size=16, eval_every=80, hidden=32, objective="subtb", loss="cosh"
    )
    full = train(Config(**base, run_dir=str(tmp_path / "a"), checkpoint_every=5))
    cfg_b = Config(**base, run_dir=str(tmp_path / "b"), checkpoint_every=5)
    train(cfg_b, stop_after_updates=5)
    resumed = train(cfg_b, resume=True)
    for (k, v), (_, w) in zip(full.model.state_dict().items(), resumed.model.state_dict().items()):
        assert torch.equal(v, w), k
    assert full.curve == resumed.curve
    assert evaluate(cfg_b)["l1"] == pytest.approx(full.final_l1, abs=1e-9)


def test_resumed_run_writes_the_uninterrupted_metrics_rows(tmp_path):
    """Issue 23: rows are logged by trajectories, checkpoints count updates. Stopped after 7 updates (rows up to
    96 trajectories written, last checkpoint at update 5 = 80 trajectories) and resumed, metrics.jsonl must
    read exactly as the uninterrupted run's: no row logged before the checkpoint dropped, none doubled."""
    base = dict(height=4, n_trajectories=192, batch_size=16, eval_every=32, hidden=16, checkpoint_every=5)
    train(Config(**base, run_dir=str(tmp_path / "a")))
    cfg_b = Config(**base, run_dir=str(tmp_path / "b"))
    train(cfg_b, stop_after_updates=7)
    assert [r["step"] for r in read_metrics(cfg_b.run_dir)] == [0, 32, 64, 96]
    train(cfg_b, resume=True)
    full, resumed = read_metrics(tmp_path / "a"), read_metrics(tmp_path / "b")
    assert [r["step"] for r in full] == list(range(0, 193, 32))
    assert resumed == full


@pytest.mark.parametrize(
    "field,value",
    [
        ("height", 1),
        ("loss", "huber"),
        ("objective", "fm"),
        ("r1", -1.0),
        ("batch_size", 0),
        ("seq_len", 10),
        ("epsilon", 2.0),
    ],
)
def test_config_rejects_bad_values(field, value):
    with pytest.raises(ValueError, match=field.split("_")[0]):
        Config(**{field: value})


def test_checkpoint_needs_run_dir():
    with pytest.raises(ValueError, match="run_dir"):
        dataclasses.replace(Config(), checkpoint_every=5)


def test_smoke_preset_cells_return_headline_records(tmp_path):
    for exp in EXPERIMENTS:
        recs = exp.run(method=exp.proposed, seed=0, preset="smoke", out_dir=tmp_path / exp.name)
        assert any(r.metric == exp.metric for r in recs)
        if exp.curve_metric:
            assert len({r.step for r in recs if r.metric == exp.curve_metric}) >= 2
        if exp.name in (
            "hypergrid-db",
            "hypergrid-subtb",
        ):  # the smoke run already learns: L1 well below its start
            l1 = sorted((r.step, r.value) for r in recs if r.metric == "l1")
            assert l1[-1][1] < 0.75 * l1[0][1]


def test_cli_bad_input_is_a_clean_error():
    out = subprocess.run(
        [sys.executable, "-m", "gflownet_losses", "train", "--height", "1"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "height" in out.stderr and "Traceback" not in out.stderr
