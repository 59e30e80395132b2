import dataclasses
import json

import pytest

from paperkit import (
    ResultRecord,
    atomic_write_json,
    check_choice,
    check_int_at_least,
    check_positive,
    check_range,
    config_from_dict,
    config_hash,
    config_to_dict,
    read_records,
    write_records,
)


@dataclasses.dataclass(frozen=True)
class Inner:
    width: int = 8


@dataclasses.dataclass(frozen=True)
class Cfg:
    lr: float = 1e-3
    sizes: tuple[int, ...] = (4, 4)
    inner: Inner = dataclasses.field(default_factory=Inner)
    mode: str = "a"

    def __post_init__(self):
        check_positive("lr", self.lr)
        check_choice("mode", self.mode, ("a", "b"))


def test_config_round_trips_through_json_and_hash_is_stable():
    cfg = Cfg(lr=0.5, sizes=(1, 2, 3), inner=Inner(3), mode="b")
    d = json.loads(json.dumps(config_to_dict(cfg)))
    assert config_from_dict(Cfg, d) == cfg
    assert config_hash(cfg) == config_hash(config_from_dict(Cfg, d))
    assert config_hash(cfg) != config_hash(Cfg())


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [({"lr": -1.0}, "lr must be a finite number > 0, got -1.0"), ({"mode": "z"}, "mode must be one of")],
)
def test_validation_names_field_and_value(kwargs, needle):
    with pytest.raises(ValueError, match=needle.replace("(", r"\(")):
        Cfg(**kwargs)


def test_validators_reject_nan_bool_and_out_of_range():
    with pytest.raises(ValueError, match="x"):
        check_positive("x", float("nan"))
    with pytest.raises(ValueError, match="n must be an int >= 2, got True"):
        check_int_at_least("n", True, 2)
    with pytest.raises(ValueError, match=r"p must be in \(0, 1\]"):
        check_range("p", 0.0, 0, 1, low_open=True)
    check_range("p", 1.0, 0, 1, low_open=True)


def test_unknown_field_in_saved_config_is_refused():
    with pytest.raises(ValueError, match="unknown fields"):
        config_from_dict(Cfg, {"lr": 1.0, "typo": 2})


def test_records_round_trip_and_newer_schema_is_refused(tmp_path):
    recs = [
        ResultRecord("p", "e", "m", 0, "regret", 1.5, step=10, config_hash="abc"),
        ResultRecord("p", "e", "m", 1, "regret", float("inf")),
    ]
    path = write_records(tmp_path / "r.jsonl", recs)
    assert read_records(path) == recs
    line = json.loads(recs[0].to_json())
    line["schema"] = 99
    (tmp_path / "new.jsonl").write_text(json.dumps(line) + "\n")
    with pytest.raises(ValueError, match="schema 99, newer"):
        read_records(tmp_path / "new.jsonl")


def test_record_rejects_empty_names_and_non_numbers():
    with pytest.raises(ValueError, match="method"):
        ResultRecord("p", "e", "", 0, "m", 1.0)
    with pytest.raises(ValueError, match="value"):
        ResultRecord("p", "e", "m", 0, "m", "1")  # type: ignore[arg-type]


def test_atomic_write_leaves_old_file_when_serialisation_fails(tmp_path):
    target = tmp_path / "x.json"
    atomic_write_json(target, {"a": 1})
    with pytest.raises(TypeError):
        atomic_write_json(target, {"a": object()})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_loglog_slope_recovers_the_exponent_and_summaries_read_record_folders(tmp_path):
    import numpy as np

    from paperkit.regret import loglog_slope, regret_svg, summarize

    steps = np.arange(1, 1001, dtype=float)
    assert loglog_slope(steps, 3.0 * steps**0.5) == pytest.approx(0.5)
    assert np.isnan(loglog_slope(steps, steps - 500.0))  # non-positive values: no slope
    recs = [
        ResultRecord("p", "e", "m", s, "cumulative_regret", float(k) ** 0.5, step=k)
        for s in (0, 1)
        for k in (10, 100, 1000)
    ]
    write_records(tmp_path / "a" / "records.jsonl", recs)
    table = summarize(tmp_path)
    assert "| m | 2 | 1000 | 31.62 ± 0.00 | 0.50 |" in table
    assert regret_svg(tmp_path, "e").startswith("<svg")
    with pytest.raises(ValueError, match="no 'cumulative_regret' records"):
        summarize(tmp_path / "a" / "missing")


def test_summary_folder_gives_mean_and_t_interval_of_each_metrics_last_value(tmp_path):
    from paperkit.summary import mean_ci, summarize_folder

    assert mean_ci([1.0]) == "1"
    assert mean_ci([1.0, 3.0]) == "2 ± 13"  # t(1 dof) = 12.71, sd = sqrt(2), n = 2
    recs = [
        ResultRecord("p", "e", "m", s, "regret", v, step=t)
        for s, v0 in ((0, 1.0), (1, 3.0))
        for t, v in ((1, 0.0), (9, v0))
    ]
    recs += [ResultRecord("p", "e", "m", 0, "cell_seconds", 5.0)]
    write_records(tmp_path / "c" / "records.jsonl", recs)
    text = summarize_folder(tmp_path)
    assert "| method | regret |" in text and "| m (2 seeds) | 2 ± 13 |" in text and "cell_seconds" not in text


def _curve_records(tmp_path):
    from paperkit import ResultRecord, write_records

    recs = []
    for seed, finals in ((0, (1.0, 10.0)), (1, (3.0, 20.0))):
        for method, final in zip(("a", "b"), finals, strict=True):
            recs += [
                ResultRecord("p", "e", method, seed, "ret", final / 2, step=1),
                ResultRecord("p", "e", method, seed, "ret", final, step=2),
                ResultRecord("p", "e", method, seed, "score", final),
            ]
    write_records(tmp_path / "cell" / "records.jsonl", recs)
    return recs


def test_metric_and_curve_tables_give_mean_and_standard_error_per_method(tmp_path):
    from paperkit.summary import curve_table, folder_records, metric_table

    _curve_records(tmp_path)
    recs = folder_records(tmp_path)
    table = metric_table(recs, ("score", "missing"))
    # a: (1, 3) -> mean 2, s.e. = sd / sqrt(2) = 1; b: (10, 20) -> 15 ± 5
    assert "| a | 2 | 2 ± 1 | – |" in table and "| b | 2 | 15 ± 5 | – |" in table
    assert "| score |" in metric_table(recs)  # all step-less metrics by default
    curve = curve_table(recs, "ret")
    assert "| 1 | 1.0 | 7.5 |" in curve and "| 2 | 2.0 | 15.0 |" in curve


def test_summary_cli_refuses_a_missing_folder(tmp_path):
    import pytest

    from paperkit.summary import main

    with pytest.raises(SystemExit, match="not a folder"):
        main([str(tmp_path / "nope")])


def test_plot_curves_folder_writes_one_png_per_experiment(tmp_path):
    from paperkit.plots import plot_curves_folder

    _curve_records(tmp_path)
    (path,) = plot_curves_folder(tmp_path, tmp_path / "out", regret_axes=False)
    assert path.name == "e.png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
