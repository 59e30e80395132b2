"""The generic training loop: its metrics.jsonl after an interruption and resume."""

import itertools

import torch
from paperkit import read_metrics

from lcm_lora.training import fit


def _fit(run_dir, stop_after=None):
    p = torch.nn.Parameter(torch.zeros(3))
    target = torch.tensor([1.0, -2.0, 3.0])
    return fit(
        [p], lambda _: ((p - target) ** 2).sum(), itertools.repeat(None), steps=8, lr=0.1,
        config={"case": "window"}, generators={}, run_dir=run_dir, checkpoint_every=3, stop_after=stop_after,
        log_every=4,
    )  # fmt: skip


def test_resumed_run_logs_the_uninterrupted_loss_windows(tmp_path):
    """Issue 23: a run stopped after step 5 (checkpointed there) and resumed logs, at step 8, the mean loss of
    steps 5-8 as the uninterrupted run does, not the mean of the steps since the resume (6-8)."""
    _fit(tmp_path / "a")
    _fit(tmp_path / "b", stop_after=5)
    resumed = _fit(tmp_path / "b")
    assert resumed.start_step == 5
    full = read_metrics(tmp_path / "a")
    assert [r["step"] for r in full] == [4, 8]
    assert read_metrics(tmp_path / "b") == full
