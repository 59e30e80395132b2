import subprocess
import sys

import numpy as np
import pytest
import torch

from rlcfr.actor_critic import soft_update
from rlcfr.config import GameConfig, TrainConfig
from rlcfr.train import _init, _update, train

TINY = TrainConfig(
    game=GameConfig(stack_bb=(10.0, 11.0), max_raises=2, cfr_iterations=25),
    epochs=2,
    episodes_per_epoch=1,
    updates_per_epoch=6,
    batch_size=8,
    warmup_epochs=1,
)


def _params(module):
    return [p.detach().clone() for p in module.state_dict().values()]


def test_resume_is_bit_exact(tmp_path):
    straight = train(TINY)
    train(TINY, run_dir=tmp_path, stop_after=1)
    resumed = train(TINY, run_dir=tmp_path)
    assert straight.epoch_mean_reward == resumed.epoch_mean_reward
    for a, b in zip(_params(straight.actor), _params(resumed.actor)):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="different config"):
        train(TrainConfig(**{**TINY.__dict__, "lr": 1e-3}), run_dir=tmp_path)


def test_actor_critic_learns_a_bandit():
    """The learner on a synthetic one-step problem whose best action depends on the state: the trained
    actor must score far better than random actions (which get about -2.6 here)."""
    cfg = TrainConfig(updates_per_epoch=1500, batch_size=64, lr=1e-3, tau=0.05, reward_scale=1.0)
    st = _init(cfg)
    rng = np.random.default_rng(0)
    w = rng.normal(size=(32, 6)) / 4

    def best(s):
        return np.tanh(s @ w)

    n = 4000
    s = rng.uniform(-1, 1, size=(n, 32)).astype(np.float32)
    a = rng.uniform(-1, 1, size=(n, 6)).astype(np.float32)
    r = -((a - best(s)) ** 2).sum(1)
    for i in range(n):
        st.buffer.add(s[i], a[i], r[i])
    _update(cfg, st)
    test_s = rng.uniform(-1, 1, size=(500, 32)).astype(np.float32)
    with torch.no_grad():
        pi = st.actor(torch.from_numpy(test_s)).numpy()
    trained = -((pi - best(test_s)) ** 2).sum(1).mean()
    random = -((rng.uniform(-1, 1, size=pi.shape) - best(test_s)) ** 2).sum(1).mean()
    assert random < -2.0
    assert trained > -0.8


def test_soft_update():
    a, b = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    before = a.weight.detach().clone()
    soft_update(a, b, 0.25)
    torch.testing.assert_close(a.weight, 0.75 * before + 0.25 * b.weight)
    with pytest.raises(ValueError, match="tau"):
        soft_update(a, b, 0.0)


def test_cli_reports_bad_config():
    out = subprocess.run(
        [sys.executable, "-m", "rlcfr", "solve", "--stack-bb", "-3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and "stack_bb" in out.stderr


def test_smoke_cells(tmp_path):
    from paperkit import run_cell

    from rlcfr.experiments import EXPERIMENTS

    exp = next(e for e in EXPERIMENTS if e.name == "held_out_reward")
    for method in exp.methods:
        records = run_cell(
            exp, method=method, seed=0, preset="smoke", out_dir=tmp_path / exp.name / method / "s0"
        )
        assert any(r.metric == exp.metric and np.isfinite(r.value) for r in records)
