"""Claims: each test's effect and verdict on records whose answer is known, and the evidence folder round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperkit import Claim, ResultRecord, check_claims, evaluate_claim, read_records, write_records
from paperkit.claims import (
    INCONCLUSIVE,
    NOT_REPRODUCED,
    NOT_RUN,
    NOT_TESTABLE,
    REPRODUCED,
    SUPERSEDED,
    TOO_FEW_SEEDS,
    apply_requirements,
    format_effect,
)
from paperkit.evidence import check_folder, load_folder, ship
from paperkit.experiments import Experiment


def _exp(higher_is_better: bool = True) -> Experiment:
    return Experiment(
        package="pkg",
        name="exp",
        description="",
        methods=("ours", "base", "oracle", "a", "b", "c"),
        proposed="ours",
        metric="score",
        higher_is_better=higher_is_better,
        run=lambda **_: [],
        seconds={"smoke": 1, "quick": 1, "paper": 1},
    )


def _records(values: dict[str, list[float]], metric: str = "score") -> list[ResultRecord]:
    return [
        ResultRecord("pkg", "exp", method, seed, metric, float(v))
        for method, vs in values.items()
        for seed, v in enumerate(vs)
    ]


def _claim(**kw) -> Claim:
    base = dict(id="pkg/c", statement="s", experiment="exp", evidence="quick", test="better", baseline="base")
    base.update(kw)
    return Claim(**base)


def test_better_separated_arms_reproduce_and_reversed_arms_do_not() -> None:
    recs = _records({"ours": [10, 11, 12, 13, 14], "base": [1, 2, 3, 4, 5]})
    r = evaluate_claim(_claim(), recs, experiment=_exp())
    assert r.verdict == REPRODUCED and r.effect == pytest.approx(9.0) and r.seeds == 5
    assert r.ci_low is not None and r.ci_high is not None and r.ci_low <= 9.0 <= r.ci_high
    r = evaluate_claim(_claim(method="base", baseline="ours"), recs, experiment=_exp())
    assert r.verdict == NOT_REPRODUCED and r.effect == pytest.approx(-9.0)


def test_better_is_oriented_by_direction() -> None:
    # lower is better: ours has the smaller values, so ours is better
    recs = _records({"ours": [1, 2, 3, 4, 5], "base": [10, 11, 12, 13, 14]})
    r = evaluate_claim(_claim(), recs, experiment=_exp(higher_is_better=False))
    assert r.verdict == REPRODUCED and r.effect == pytest.approx(9.0)


def test_noisy_paired_difference_is_inconclusive() -> None:
    recs = _records({"ours": [1, -1, 1, -1, 1, -1], "base": [0] * 6})
    assert evaluate_claim(_claim(), recs, experiment=_exp()).verdict == INCONCLUSIVE


def test_pairing_removes_shared_seed_noise() -> None:
    # arms differ by +1 on every seed, but seeds vary by +-100: paired, the interval is [1, 1]
    offsets = [0, 100, -100, 50, -50]
    recs = _records({"ours": [o + 1 for o in offsets], "base": offsets})
    r = evaluate_claim(_claim(), recs, experiment=_exp())
    assert r.verdict == REPRODUCED and r.ci_low == pytest.approx(1.0) and r.ci_high == pytest.approx(1.0)


def test_too_few_seeds_gives_no_interval_and_not_run_when_absent() -> None:
    recs = _records({"ours": [10, 11], "base": [1, 2]})
    r = evaluate_claim(_claim(), recs, experiment=_exp())
    assert r.verdict == TOO_FEW_SEEDS and r.ci_low is None and r.effect == pytest.approx(9.0)
    assert format_effect(r) == "9"
    r = evaluate_claim(_claim(baseline="oracle"), recs, experiment=_exp())
    assert r.verdict == NOT_RUN and format_effect(r) == "—"


def test_a_superseded_pilot_is_marked_but_a_finished_verdict_is_kept() -> None:
    pilot = _claim(id="pkg/old", superseded_by="pkg/new")
    r = evaluate_claim(pilot, _records({"ours": [10, 11], "base": [1, 2]}), experiment=_exp())
    assert r.verdict == SUPERSEDED and r.effect == pytest.approx(9.0) and "pkg/new" in r.note
    assert r.to_dict()["superseded_by"] == "pkg/new"
    r = evaluate_claim(pilot, _records({"ours": [10, 11]}), experiment=_exp())
    assert r.verdict == SUPERSEDED  # not run either
    # with its seeds complete a superseded claim is judged like any other: nothing is hidden
    recs = _records({"ours": [1, 2, 3, 4, 5], "base": [10, 11, 12, 13, 14]})
    assert evaluate_claim(pilot, recs, experiment=_exp()).verdict == NOT_REPRODUCED
    with pytest.raises(ValueError, match="superseded_by"):
        check_claims([pilot], [_exp()])  # names no declared claim
    with pytest.raises(ValueError, match="superseded_by"):
        check_claims([_claim(id="pkg/old", superseded_by="pkg/old")], [_exp()])
    check_claims([pilot, _claim(id="pkg/new")], [_exp()])


def test_within_ratio_for_positive_and_negative_baselines() -> None:
    recs = _records({"ours": [75, 74, 76, 75, 75], "base": [100] * 5})
    r = evaluate_claim(_claim(test="within", threshold=0.9), recs, experiment=_exp())
    assert r.effect == pytest.approx(0.75) and r.verdict == NOT_REPRODUCED
    r = evaluate_claim(_claim(test="within", threshold=0.7), recs, experiment=_exp())
    assert r.verdict == REPRODUCED
    # negative returns: -63.5 against -59 is 7.6% worse, a level of 0.924
    recs = _records({"ours": [-63.5] * 5, "base": [-59] * 5})
    r = evaluate_claim(_claim(test="within", threshold=0.97), recs, experiment=_exp())
    assert r.effect == pytest.approx(1 - 4.5 / 59) and r.verdict == NOT_REPRODUCED
    # lower is better (a loss at most 2% above the baseline's)
    recs = _records({"ours": [1.01] * 5, "base": [1.0] * 5})
    r = evaluate_claim(_claim(test="within", threshold=1.02), recs, experiment=_exp(higher_is_better=False))
    assert r.verdict == REPRODUCED


def test_equal_and_one_arm_target() -> None:
    recs = _records({"ours": [1e-7, -1e-7, 2e-7, 0, 1e-7]})
    r = evaluate_claim(
        _claim(test="equal", baseline=None, target=0.0, threshold=1e-6), recs, experiment=_exp()
    )
    assert r.verdict == REPRODUCED
    r = evaluate_claim(
        _claim(test="equal", baseline=None, target=1.0, threshold=1e-6), recs, experiment=_exp()
    )
    assert r.verdict == NOT_REPRODUCED


@settings(max_examples=25, deadline=None)
@given(st.floats(0.2, 1.5), st.lists(st.floats(0.5, 3.0), min_size=5, max_size=8))
def test_slope_along_a_curve_recovers_the_exponent(exponent: float, scales: list[float]) -> None:
    recs = [
        ResultRecord("pkg", "exp", "ours", seed, "regret", c * t**exponent, step=t)
        for seed, c in enumerate(scales)
        for t in (10, 100, 1000, 10000)
    ]
    claim = _claim(
        test="slope", baseline=None, metric="regret", slope_range=(exponent - 0.01, exponent + 0.01)
    )
    r = evaluate_claim(claim, recs, experiment=_exp())
    assert r.effect == pytest.approx(exponent, abs=1e-9) and r.verdict == REPRODUCED


def test_slope_across_methods_and_x_range() -> None:
    # final value = x^-1 per method (a gap sweep: regret ~ 1/gap)
    xs = {"a": 0.1, "b": 0.2, "c": 0.4}
    recs = [ResultRecord("pkg", "exp", m, s, "score", 1 / x) for m, x in xs.items() for s in range(5)]
    claim = _claim(test="slope", baseline=None, slope_x=xs, slope_range=(-1.2, -0.8))
    r = evaluate_claim(claim, recs, experiment=_exp())
    assert r.effect == pytest.approx(-1.0) and r.verdict == REPRODUCED and r.seeds == 5
    # a start-up phase outside x_range does not count
    recs = [
        ResultRecord("pkg", "exp", "ours", s, "regret", (1e6 if t < 100 else t**0.5), step=t)
        for s in range(5)
        for t in (10, 50, 100, 1000, 10000)
    ]
    claim = _claim(test="slope", baseline=None, metric="regret", x_range=(100, 10000), slope_range=(0.4, 0.6))
    assert evaluate_claim(claim, recs, experiment=_exp()).verdict == REPRODUCED


def test_unpaired_arms_are_resampled_separately() -> None:
    recs = _records({"ours": [10, 11, 12, 13, 14]}) + [
        ResultRecord("pkg", "exp", "base", s, "score", float(s - 100)) for s in range(100, 105)
    ]
    r = evaluate_claim(_claim(), recs, experiment=_exp())
    assert r.verdict == REPRODUCED and "unpaired" in r.note


def test_verdict_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    recs = _records({"ours": list(rng.normal(1, 1, 8)), "base": list(rng.normal(0, 1, 8))})
    a = evaluate_claim(_claim(), recs, experiment=_exp())
    b = evaluate_claim(_claim(), recs, experiment=_exp())
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)


def test_failed_headroom_makes_a_claim_not_testable() -> None:
    recs = _records({"ours": [0, 1, 0, 1, 0], "base": [1, 0, 1, 0, 1], "oracle": [1, 0, 0, 1, 0]})
    head = _claim(id="pkg/headroom", method="oracle", headroom=True)
    main = _claim(id="pkg/main", requires="pkg/headroom")
    results = apply_requirements([evaluate_claim(c, recs, experiment=_exp()) for c in (head, main)])
    assert results[0].verdict == INCONCLUSIVE and results[1].verdict == NOT_TESTABLE
    assert "pkg/headroom" in results[1].note


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(id="nopackage"), "package"),
        (dict(test="bigger"), "test must be"),
        (dict(baseline=None), "baseline or a target"),
        (dict(test="within", threshold=0.0), "fraction"),
        (dict(test="slope"), "slope_range"),
        (dict(min_seeds=1), "min_seeds"),
        (dict(evidence="../x"), "evidence"),
    ],
)
def test_bad_claims_are_refused_by_name(kw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _claim(**kw)


def test_check_claims_names_unknown_parts() -> None:
    check_claims([_claim()], [_exp()])
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        check_claims([_claim(baseline="nope")], [_exp()])
    with pytest.raises(ValueError, match="unknown experiment"):
        check_claims([_claim(experiment="other")], [_exp()])
    with pytest.raises(ValueError, match="duplicate"):
        check_claims([_claim(), _claim()], [_exp()])
    with pytest.raises(ValueError, match="requires unknown"):
        check_claims([_claim(requires="pkg/none")], [_exp()])


def test_ship_copies_records_only_and_appends_to_the_manifest(tmp_path: Path) -> None:
    run = tmp_path / "run"
    for seed in range(2):
        cell = run / "pkg" / "exp" / "ours" / f"seed{seed}"
        cell.mkdir(parents=True)
        write_records(
            cell / "records.jsonl",
            [
                ResultRecord("pkg", "exp", "ours", seed, "score", 1.0),
                ResultRecord("pkg", "exp", "ours", seed, "cell_seconds", 2.5),
            ],
        )
        (cell / "model.safetensors").write_bytes(b"big")
    dest = tmp_path / "evidence" / "quick"
    ship(run, dest, preset="quick", command="pkg reproduce --preset quick", wall_seconds=3.0)
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["cells"] == 2 and manifest["runs"][0]["cell_seconds"] == 5.0
    assert manifest["runs"][0]["command"] == "pkg reproduce --preset quick" and manifest["runs"][0]["machine"]
    assert not list(dest.rglob("*.safetensors"))
    records, m = load_folder(dest)
    assert len(records) == 4 and m["preset"] == "quick"
    with pytest.raises(ValueError, match="nothing new to ship: all 2 cells"):
        ship(run, dest, preset="quick", command="again")
    assert len(json.loads((dest / "manifest.json").read_text())["runs"]) == 1
    assert check_folder(tmp_path / "evidence") == []
    (dest / "pkg" / "exp" / "ours" / "seed0" / "records.jsonl").write_text('{"broken": ')
    assert check_folder(tmp_path / "evidence")


def test_ship_adds_only_new_cells_and_refuses_changed_ones(tmp_path: Path) -> None:
    run, dest = tmp_path / "run", tmp_path / "dest"

    def finish(seed: int, score: float) -> None:
        cell = run / "pkg" / "exp" / "ours" / f"seed{seed}"
        cell.mkdir(parents=True, exist_ok=True)
        write_records(
            cell / "records.jsonl", [ResultRecord("pkg", "exp", "ours", seed, "cell_seconds", score)]
        )

    finish(0, 1.0)
    ship(run, dest, preset="quick", command="c")
    finish(1, 2.0)  # a later cell of the same run folder
    m = ship(run, dest, preset="quick", command="c")
    assert (
        m["cells"] == 2 and [r["cells"] for r in m["runs"]] == [1, 1] and m["runs"][1]["cell_seconds"] == 2.0
    )
    finish(0, 9.0)  # seed 0 rerun with other records
    finish(2, 3.0)
    with pytest.raises(ValueError, match=r"1 cell\(s\) already shipped .* pkg/exp/ours/seed0"):
        ship(run, dest, preset="quick", command="c")
    assert not (dest / "pkg" / "exp" / "ours" / "seed2").exists()  # nothing copied
    m = ship(run, dest, preset="quick", command="c", replace=True)
    assert m["cells"] == 3 and m["runs"][-1]["replaced"] == ["pkg/exp/ours/seed0"]
    assert read_records(dest / "pkg" / "exp" / "ours" / "seed0" / "records.jsonl")[0].value == 9.0


def test_ship_refuses_a_damaged_run_before_copying(tmp_path: Path) -> None:
    cell = tmp_path / "run" / "seed0"
    cell.mkdir(parents=True)
    (cell / "records.jsonl").write_text("not json\n")
    with pytest.raises(ValueError, match="not a result record"):
        ship(tmp_path / "run", tmp_path / "dest", preset="quick", command="x")
    assert not (tmp_path / "dest").exists()


def test_within_undefined_for_zero_baseline_is_inconclusive() -> None:
    recs = _records({"ours": [1.0] * 5, "base": [0.0] * 5})
    r = evaluate_claim(_claim(test="within", threshold=0.9), recs, experiment=_exp())
    assert r.verdict == INCONCLUSIVE and r.effect is None and "undefined" in r.note
