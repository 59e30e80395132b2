import json
import sys

import numpy as np
import pytest

from umo2 import RunConfig, evaluate, load_topology, train
from umo2.cli import main
from umo2.simulate import Simulator


def _assert_same_state(a: Simulator, b: Simulator) -> None:
    sa, ma = a.state()
    sb, mb = b.state()
    assert sa.keys() == sb.keys() and ma == mb
    for k in sa:
        np.testing.assert_array_equal(sa[k], sb[k], err_msg=k)


@pytest.mark.parametrize("algorithm", ["umo2", "stale", "oracle", "random"])
def test_simulator_state_round_trip_is_bit_exact(algorithm):
    # run 2n == run n, copy the state into a fresh simulator, run n more; n is not a multiple of the
    # random-number chunk (512), so the resumed run continues mid-chunk
    topo = load_topology("line3")
    cfg = RunConfig(algorithm=algorithm, topology="line3", horizon=1400)
    straight = Simulator(topo, cfg, [1400, 900], [3, 4]).run(until=1300)
    first = Simulator(topo, cfg, [1400, 900], [3, 4]).run(until=650)
    arrays, meta = first.state()
    meta = json.loads(json.dumps(meta))  # as it comes back from state.json
    resumed = Simulator(topo, cfg, [1400, 900], [3, 4]).load_state(arrays, meta).run(until=1300)
    _assert_same_state(straight, resumed)
    ta, tb = straight.trace(), resumed.trace()
    np.testing.assert_array_equal(ta.gap, tb.gap)
    np.testing.assert_array_equal(ta.avg_backlog, tb.avg_backlog)


def test_train_stop_and_resume_equals_uninterrupted(tmp_path):
    cfg = RunConfig(algorithm="umo2", horizon=1200, seeds=3, checkpoint_every=500)
    full = train(cfg, run_dir=tmp_path / "full")
    part = train(cfg, run_dir=tmp_path / "cut", stop_after=700)  # an interruption between checkpoints
    assert part.slots == 700 and not (tmp_path / "cut" / "result.json").exists()
    assert json.loads((tmp_path / "cut" / "checkpoint" / "state.json").read_text())["step"] == 700
    with pytest.raises(ValueError, match="stopped after slot 700"):
        evaluate(tmp_path / "cut")
    done = train(cfg, run_dir=tmp_path / "cut", resume=True)
    assert done.slots == full.slots == 1200
    for field in ("gap", "avg_backlog", "final_backlog", "good_mode"):
        assert getattr(done, field) == getattr(full, field), field
    assert (tmp_path / "cut" / "result.json").is_file()
    assert evaluate(tmp_path / "cut")["gap"] == float(np.median(full.gap))


def test_resume_refuses_another_config(tmp_path):
    cfg = RunConfig(algorithm="umo2", horizon=600, seeds=2)
    train(cfg, run_dir=tmp_path, stop_after=100)
    with pytest.raises(ValueError, match="different config"):
        train(RunConfig(algorithm="umo2", horizon=600, seeds=2, eta0=2.0), run_dir=tmp_path, resume=True)
    with pytest.raises(ValueError, match="needs a run_dir"):
        train(cfg, resume=True)


def test_cli_resume(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "r"
    cfg = RunConfig(algorithm="umo2", horizon=400, seeds=2)
    train(cfg, run_dir=run, stop_after=150)
    monkeypatch.setattr(
        sys, "argv", ["umo2", "train", "--horizon", "400", "--seeds", "2", "--run-dir", str(run), "--resume"]
    )
    main()
    assert "stopped" not in capsys.readouterr().out
    assert (run / "result.json").is_file()
    assert json.loads((run / "result.json").read_text())["gap"] == train(cfg).gap
