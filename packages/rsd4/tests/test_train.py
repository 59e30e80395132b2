import subprocess
import sys

import numpy as np
import pytest
import torch

from rsd4.config import Config
from rsd4.experiments import EXPERIMENTS
from rsd4.heuristics import budget, calibrate, constant_policy, energy_per_slot
from rsd4.train import constant_throughput_at_energy, evaluate, make_core, train

SMALL = dict(
    episodes=20,
    warmup_episodes=10,
    n_envs=5,
    episode_len=20,
    eval_every=10,
    dual_every=10,
    eval_episodes=3,
    dual_eval_episodes=3,
    hidden=8,
    buffer_episodes=200,
    batch_episodes=4,
)


def test_calibrated_heuristic_meets_the_budget():
    cfg = Config()
    core = make_core(cfg)
    e0 = budget(core, 0.5, 50, 1)
    knob = calibrate(constant_policy, core, e0, 50, 1)
    assert 0 < knob < 1
    assert (
        energy_per_slot(core, constant_policy(knob), 50, 1)
        <= e0
        < energy_per_slot(core, constant_policy(knob + 0.01), 50, 1)
    )


def test_matched_energy_baseline_reproduces_the_constant_heuristic():
    cfg = Config(method="constant", episode_len=30, eval_episodes=3)
    res = train(cfg)
    assert constant_throughput_at_energy(cfg, res.budget) == pytest.approx(res.throughput)
    assert constant_throughput_at_energy(cfg, 0.5 * res.budget) < res.throughput


def test_heuristics_run_and_report():
    for method in ("constant", "greedy"):
        res = train(Config(method=method, episode_len=30, eval_episodes=3))
        assert res.throughput > 0 and res.energy_ratio <= 1.1 and 0 <= res.drop_rate <= 1


def test_resume_is_bit_exact(tmp_path):
    # mixture_from=0.2: the iterates kept for the final mixture (one at episode 10) go through the checkpoint
    kw = dict(SMALL, mixture_from=0.2)
    full = train(Config(method="rsd4", **kw, run_dir=str(tmp_path / "a"), checkpoint_every=10))
    cfg = Config(method="rsd4", **kw, run_dir=str(tmp_path / "b"), checkpoint_every=10)
    train(cfg, stop_after_episodes=10)
    resumed = train(cfg, resume=True)
    for m_full, m_res in zip(full.agent.modules().values(), resumed.agent.modules().values()):
        for (k, v), (_, w) in zip(m_full.state_dict().items(), m_res.state_dict().items()):
            assert torch.equal(v, w), k
    assert full.throughput == resumed.throughput and full.curve == resumed.curve
    assert len(full.mixture) >= 1 and full.mixture == resumed.mixture
    assert evaluate(cfg)["throughput"] == pytest.approx(full.throughput)


@pytest.mark.parametrize(
    "field,value",
    [("tau_max", 0), ("method", "ppo"), ("budget_fraction", 0.0), ("gamma", 1.5), ("n_users", 0)],
)
def test_config_rejects_bad_values(field, value):
    with pytest.raises(ValueError, match=field):
        Config(**{field: value})


def test_smoke_cells_return_headline_records(tmp_path):
    exp = EXPERIMENTS[0]
    for method in ("rsd4", "constant"):
        recs = exp.run(method=method, seed=0, preset="smoke", out_dir=tmp_path / method)
        assert any(r.metric == "throughput" and np.isfinite(r.value) for r in recs)


def test_cli_bad_input_is_a_clean_error():
    out = subprocess.run(
        [sys.executable, "-m", "rsd4", "train", "--tau-max", "0"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "tau_max" in out.stderr and "Traceback" not in out.stderr


def test_final_policy_last_is_the_final_iterate_and_mixture_is_a_distribution():
    last = train(Config(method="td3", **SMALL, final_policy="last"))
    assert last.mixture == [] and last.throughput == last.throughput_last
    mix = train(Config(method="td3", **SMALL, mixture_from=0.0))
    assert sum(w for _, w in mix.mixture) == pytest.approx(1.0)
    assert mix.throughput_last == pytest.approx(last.throughput)  # same run, same final iterate


def test_smoke_agent_answers_the_energy_price_where_a_random_policy_cannot():
    """End-to-end learning check at the smoke preset (fixed λ, no dual loop): with free energy RSD4 learns
    to spend far above the budget and to deliver more than a uniform-random policy; at a high price it
    spends below it. The random policy (≈1.09·E_0 here) fails both thresholds."""
    import dataclasses

    from paperkit import Seeder

    from rsd4.experiments import cell_config
    from rsd4.rollout import summarize
    from rsd4.train import evaluate_policy, random_policy

    base = cell_config("rsd4", 0, "smoke", False)
    free = train(dataclasses.replace(base, dual=False, lam_init=0.0, final_policy="last"))
    dear = train(dataclasses.replace(base, dual=False, lam_init=3.0, final_policy="last"))
    core = make_core(base)
    seq = evaluate_policy(
        base, core, random_policy(np.random.default_rng(1)), Seeder(0).int("eval"), base.eval_episodes
    )
    rnd = summarize(seq, core.throughput_weights)
    rnd_ratio = float(rnd["energy"].mean()) / free.budget
    assert not (rnd_ratio > 1.4 or rnd_ratio < 0.9)  # the thresholds separate learning from chance
    assert free.energy_ratio > 1.4 and free.throughput > float(rnd["throughput"].mean())
    assert dear.energy_ratio < 0.9
