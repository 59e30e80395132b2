import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsd4.config import Config
from rsd4.experiments import run_transfer_cell
from rsd4.train import make_core, train
from rsd4.transfer import calibrate_scale, scaled_policy, target_config, transfer_at_budget

SMALL = dict(
    episodes=20,
    warmup_episodes=10,
    n_envs=5,
    episode_len=20,
    eval_every=10,
    dual_every=5,
    eval_episodes=3,
    dual_eval_episodes=3,
    hidden=8,
    buffer_episodes=200,
    batch_episodes=4,
    mixture_from=0.0,
    user_feature="params",
)


@pytest.fixture(scope="module")
def source():
    cfg = Config(method="td3", **SMALL)
    return cfg, train(cfg)


def _calibration_energy(tr) -> tuple[float, float]:
    """The re-solved mix's expected (throughput, energy) on the calibration episodes."""
    by_ep = {ep: (t, e) for ep, t, e in tr.calibration}
    thr = sum(w * by_ep[ep][0] for ep, w in tr.mixture)
    energy = sum(w * by_ep[ep][1] for ep, w in tr.mixture)
    return thr, energy


def test_target_is_the_system_an_agent_trained_on_it_would_see(source):
    cfg, _ = source
    tcfg = target_config(cfg, 8)
    assert tcfg.n_users == 8 and dataclasses.replace(tcfg, n_users=4) == cfg
    core = make_core(tcfg)
    assert core.n_rows == 8
    with pytest.raises(ValueError, match="n_users"):
        target_config(cfg, 0)


def test_resolved_mix_fits_the_target_budget_and_beats_every_feasible_iterate(source):
    cfg, res = source
    tr = transfer_at_budget(cfg, res, 8)
    budget = tr.resolved.budget
    assert budget > res.budget  # the target's own budget, for twice the users
    assert sum(w for _, w in tr.mixture) == pytest.approx(1.0)
    assert len(tr.calibration) == len(res.iterates) + 1  # every kept iterate, plus the idle policy
    thr, energy = _calibration_energy(tr)
    assert energy <= budget * (1 + 1e-9)
    feasible = [t for _, t, e in tr.calibration if e <= budget]
    assert thr >= max(feasible) - 1e-9
    # the scaled delivered mix spends about E_0' on the separate evaluation episodes
    assert 0 < tr.kappa < 8 and tr.scaled.energy_ratio == pytest.approx(1.0, abs=0.25)
    # the uncontrolled policies are measured on the same evaluation episodes of the same target system
    assert tr.as_trained.budget == tr.last.budget == budget
    assert tr.resolved.throughput_last == tr.last.throughput


def test_idle_member_brings_an_overspending_agent_to_the_budget():
    """A tiny budget that every briefly-trained iterate overspends on the target: without the idle policy
    the mix is the cheapest iterate, still over budget; with it, the frozen agent runs a share of the
    episodes and the expected energy lands on E_0' (measured on separate evaluation episodes)."""
    cfg = Config(method="td3", **dict(SMALL, budget_fraction=0.05), lam_init=0.0)
    res = train(cfg)
    without = transfer_at_budget(cfg, res, 8, idle=False)
    assert all(e > without.resolved.budget for _, _, e in without.calibration)
    assert without.resolved.energy_ratio > 1.5
    tr = transfer_at_budget(cfg, res, 8)
    assert -1 in dict(tr.mixture) and 0 < dict(tr.mixture)[-1] < 1
    assert _calibration_energy(tr)[1] == pytest.approx(tr.resolved.budget)
    assert tr.resolved.energy_ratio == pytest.approx(1.0, abs=0.25)
    assert 0 < tr.resolved.throughput < without.resolved.throughput


@settings(max_examples=50, deadline=None)
@given(
    kappa=st.floats(0.0, 8.0),
    acts=st.lists(st.floats(-1.5, 1.5), min_size=1, max_size=12),
)
def test_scaled_policy_scales_energies_and_feeds_the_inner_policy_its_own_action(kappa, acts):
    a = np.array(acts).reshape(1, 1, -1)
    seen = []

    def inner(obs, prev, state, core):
        seen.append(prev.copy())
        return a, state

    pol = scaled_policy(inner, kappa)
    out, state = pol(None, np.full(a.shape, 0.5), None, None)
    e = (np.clip(a, -1, 1) + 1) / 2
    np.testing.assert_allclose((out + 1) / 2, np.minimum(1.0, kappa * e), atol=1e-12)
    assert np.all(seen[0] == 0)  # the first step: no previous action yet
    pol(None, out, state, None)
    np.testing.assert_array_equal(seen[1], np.clip(a, -1, 1))  # its own unscaled action, not `out`


def test_calibrate_scale_finds_the_budget_or_the_cap():
    assert calibrate_scale(lambda k: 3.0 * k, 6.0) == pytest.approx(2.0, abs=1e-3)
    assert calibrate_scale(lambda k: 3.0 * k, 6.0) * 3.0 <= 6.0
    assert calibrate_scale(lambda k: min(k, 1.0), 6.0, hi=8.0) == 8.0  # saturates below the budget
    with pytest.raises(ValueError, match="kappa"):
        scaled_policy(lambda *a: a, -1.0)


def test_transfer_rejects_what_it_cannot_transfer(source):
    cfg, res = source
    with pytest.raises(ValueError, match="method"):
        transfer_at_budget(dataclasses.replace(cfg, method="constant"), res, 8)
    last = Config(method="td3", **SMALL, final_policy="last")
    with pytest.raises(ValueError, match="iterates"):
        transfer_at_budget(last, train(last), 8)
    with pytest.raises(ValueError, match="calibration_episodes"):
        transfer_at_budget(cfg, res, 8, calibration_episodes=0)
    with pytest.raises(ValueError, match="transfer method"):
        run_transfer_cell(method="ppo", seed=0, preset="smoke", out_dir="/nonexistent")


@pytest.mark.parametrize("method,trained_on", [("td3", 4), ("rsd4-n8", 8)])
def test_transfer_cell_reports_on_the_target_system(tmp_path, method, trained_on):
    recs = run_transfer_cell(method=method, seed=0, preset="smoke", out_dir=tmp_path)
    got = {r.metric: r.value for r in recs if r.step is None}
    assert np.isfinite(got["throughput"]) and got["energy_ratio"] > 0
    assert {"source_throughput", "as_trained_energy_ratio", "scaled_energy_ratio", "kappa"} <= set(got)
    import json

    d = json.loads((tmp_path / "result.json").read_text())
    assert d["config"]["n_users"] == 8 and d["source_config"]["n_users"] == trained_on
