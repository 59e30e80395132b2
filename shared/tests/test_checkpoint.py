"""Checkpoints round-trip, refuse foreign or corrupt files, and resume a training run bit-exactly."""

import dataclasses
import os

import numpy as np
import pytest
import torch

from paperkit import (
    MetricsLogger,
    Seeder,
    load_checkpoint,
    numpy_rng_state,
    read_metrics,
    restore_numpy_rng,
    save_checkpoint,
)


@dataclasses.dataclass(frozen=True)
class TinyCfg:
    seed: int = 0
    steps: int = 20
    lr: float = 0.05


def _train(cfg, ckpt_dir, run_dir, *, stop_at=None):
    """A tiny SGD loop with noise from both a torch and a numpy generator, checkpointing every 5 steps."""
    seeder = Seeder(cfg.seed)
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    with torch.no_grad():
        init = seeder.torch("init")
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=init) * 0.3)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    data_gen, np_rng, start = seeder.torch("data"), seeder.numpy("noise"), 0
    if (ckpt_dir / "state.json").exists():
        ck = load_checkpoint(ckpt_dir, config=cfg)
        net.load_state_dict({k[4:]: v for k, v in ck.tensors.items() if k.startswith("net.")})
        opt.load_state_dict(ck.objects["optimizer"])
        data_gen.set_state(ck.tensors["rng.data"])
        restore_numpy_rng(np_rng, ck.state["rng_noise"])
        start = ck.step
    with MetricsLogger(run_dir, resume_step=start if start else None) as log:
        for step in range(start, cfg.steps):
            x = torch.randn(16, 3, generator=data_gen)
            y = x.sum(1, keepdim=True) + float(np_rng.normal())
            loss = ((net(x) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            log.log(step + 1, {"loss": loss.item()})
            if (step + 1) % 5 == 0:
                tensors = {f"net.{k}": v for k, v in net.state_dict().items()} | {
                    "rng.data": data_gen.get_state()
                }
                save_checkpoint(
                    ckpt_dir,
                    config=cfg,
                    step=step + 1,
                    tensors=tensors,
                    objects={"optimizer": opt.state_dict()},
                    state={"rng_noise": numpy_rng_state(np_rng)},
                )
            if stop_at is not None and step + 1 == stop_at:
                return net
    return net


def test_resume_is_bit_exact(tmp_path):
    cfg = TinyCfg()
    straight = _train(cfg, tmp_path / "a", tmp_path / "ra")
    _train(cfg, tmp_path / "b", tmp_path / "rb", stop_at=12)  # dies after step 12; last checkpoint at 10
    resumed = _train(cfg, tmp_path / "b", tmp_path / "rb")
    for p, q in zip(straight.state_dict().values(), resumed.state_dict().values(), strict=True):
        assert torch.equal(p, q)
    assert read_metrics(tmp_path / "ra") == read_metrics(tmp_path / "rb")


def test_checkpoint_from_another_config_is_refused(tmp_path):
    save_checkpoint(tmp_path / "c", config=TinyCfg(lr=0.1), step=1, arrays={"a": np.zeros(3)})
    with pytest.raises(ValueError, match=r"different config \(fields that differ: \['lr'\]\)"):
        load_checkpoint(tmp_path / "c", config=TinyCfg(lr=0.2))
    assert load_checkpoint(tmp_path / "c", config=TinyCfg(lr=0.1)).arrays["a"].shape == (3,)


def test_corrupt_checkpoint_is_refused_with_a_clear_error(tmp_path):
    save_checkpoint(tmp_path / "c", config=TinyCfg(), step=1, tensors={"w": torch.ones(100)})
    weights = tmp_path / "c" / "tensors.safetensors"
    weights.write_bytes(weights.read_bytes()[:50])
    with pytest.raises(ValueError, match="is corrupt"):
        load_checkpoint(tmp_path / "c")
    (tmp_path / "c" / "state.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"corrupt: state\.json"):
        load_checkpoint(tmp_path / "c")
    with pytest.raises(ValueError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing")


def test_overwrite_keeps_one_complete_checkpoint(tmp_path):
    for step in (1, 2):
        save_checkpoint(tmp_path / "c", config=TinyCfg(), step=step, arrays={"a": np.full(2, step)})
    ck = load_checkpoint(tmp_path / "c")
    assert ck.step == 2 and ck.arrays["a"].tolist() == [2, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


def test_a_moved_run_folder_resumes_config_hash_ignores_output_paths(tmp_path):
    """Users copy runs to shared storage and rename experiments: the hash leaves output locations out."""
    import shutil

    from paperkit import config_hash

    a = {"lr": 0.1, "run_dir": str(tmp_path / "a")}
    b = {"lr": 0.1, "run_dir": str(tmp_path / "b")}
    assert config_hash(a) == config_hash(b) != config_hash({"lr": 0.2, "run_dir": str(tmp_path / "a")})
    save_checkpoint(tmp_path / "a" / "ckpt", config=a, step=3, arrays={"x": np.arange(3)})
    shutil.move(tmp_path / "a", tmp_path / "b")
    ckpt = load_checkpoint(tmp_path / "b" / "ckpt", config=b)
    assert ckpt.step == 3 and ckpt.arrays["x"].tolist() == [0, 1, 2]


def test_metrics_logger_prints_progress_lines_off_a_terminal(tmp_path, monkeypatch, capsys):
    from paperkit import MetricsLogger

    monkeypatch.setenv("PAPERKIT_LOG_SECONDS", "0")
    with MetricsLogger(tmp_path / "run", total=100, desc="toy") as log:
        log.log(10, {"loss": 0.5, "return": -3.0})
        log.log(50, {"loss": 0.25, "return": -1.0})
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("[toy] step 10/100 (10%), eta ") and "loss=0.5" in lines[0]
    assert lines[-1].startswith("[toy] step 50/100 (50%)") and lines[-1].endswith("(done)")
    monkeypatch.setenv("PAPERKIT_PROGRESS", "0")
    with MetricsLogger(tmp_path / "quiet") as log:
        log.log(1, {"loss": 1.0})
    assert capsys.readouterr().err == ""


@dataclasses.dataclass(frozen=True)
class _TBConfig:
    lr: float = 0.1
    hidden: int = 64


def test_tensorboard_gets_scalars_and_the_config_table(tmp_path, monkeypatch):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from paperkit import MetricsLogger, write_config
    from paperkit.cli import run_cli

    seen = []

    def train(lr: float = 0.1) -> None:
        seen.append(os.environ.get("PAPERKIT_TENSORBOARD"))

    monkeypatch.delenv("PAPERKIT_TENSORBOARD", raising=False)
    run_cli({"train": train}, prog="toy", args=["train", "--tensorboard"])
    assert seen == ["1"]  # the CLI flag turns TensorBoard on for every MetricsLogger of the run
    run = tmp_path / "run"
    run.mkdir()
    write_config(run, _TBConfig())
    with MetricsLogger(run) as log:
        log.log(1, {"loss": 2.0})
        log.log(2, {"loss": 1.0})
    acc = EventAccumulator(str(run), size_guidance={"tensors": 0, "scalars": 0}).Reload()
    assert [e.value for e in acc.Scalars("loss")] == [2.0, 1.0]
    assert "config/text_summary" in acc.Tags()["tensors"]
    assert (run / "metrics.jsonl").read_text().count("\n") == 2
