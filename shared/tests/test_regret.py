import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperkit.records import write_records
from paperkit.regret import log_spaced_steps, loglog_slope, regret_records, summarize, tail_loglog_slope


@given(st.integers(1, 10**7), st.integers(1, 40))
def test_log_spaced_steps_are_sorted_unique_in_range_and_end_at_last(last, points):
    steps = log_spaced_steps(last, points)
    assert steps == sorted(set(steps)) and steps[0] >= 1 and steps[-1] == last
    assert len(steps) <= points + 1


def test_log_spaced_steps_refuses_an_empty_run():
    with pytest.raises(ValueError, match="last must be >= 1, got 0"):
        log_spaced_steps(0)


def test_slopes_recover_the_growth_exponent():
    steps = np.array(log_spaced_steps(10_000, 20), dtype=float)
    assert loglog_slope(steps, 3 * steps**0.5) == pytest.approx(0.5)
    assert tail_loglog_slope(steps, 2 * steps) == pytest.approx(1.0)
    assert np.isnan(tail_loglog_slope([1, 2], [0.0, 0.0]))  # no positive points


def test_regret_records_give_the_curve_and_its_slope_and_summarize_reads_them(tmp_path):
    cum = np.sqrt(np.arange(1, 1001, dtype=float))
    recs = regret_records("p", "e", "m", 0, cum, config_hash="h")
    curve = [r for r in recs if r.metric == "cumulative_regret"]
    assert [r.step for r in curve] == log_spaced_steps(1000)
    assert [r.value for r in curve] == pytest.approx([cum[r.step - 1] for r in curve])
    (slope,) = [r.value for r in recs if r.metric == "loglog_slope"]
    assert slope == pytest.approx(0.5, abs=1e-6)
    write_records(tmp_path / "c" / "records.jsonl", recs)
    assert "| m | 1 | 1000 | 31.62 ± nan | 0.50 |" in summarize(tmp_path)


def test_regret_records_leave_out_the_slope_while_regret_is_zero():
    recs = regret_records("p", "e", "m", 0, np.zeros(50))
    assert all(r.metric == "cumulative_regret" for r in recs)
