import dataclasses
from pathlib import Path

import pytest

from paperkit import Experiment, ResultRecord, final_values, read_records, reproduce, run_cell, summary_table
from paperkit.cli import Flat, reproduce_command, run_cli, select_experiments
from paperkit.config import check_positive


def _cell(*, method, seed, preset, out_dir):
    base = {"good": 1.0, "bad": 3.0}[method]
    return [
        ResultRecord("toy", "exp", method, seed, "regret", base * (t + 1) + seed, step=t) for t in range(3)
    ]


EXP = Experiment(
    package="toy",
    name="exp",
    description="toy",
    methods=("good", "bad"),
    proposed="good",
    metric="regret",
    higher_is_better=False,
    run=_cell,
    seconds={"smoke": 0.1, "quick": 1, "paper": 10},
)


def test_run_cell_writes_records_and_refuses_unknown_method(tmp_path):
    recs = run_cell(EXP, method="good", seed=1, preset="smoke", out_dir=tmp_path)
    assert read_records(tmp_path / "records.jsonl") == recs
    assert final_values(recs, "regret") == {"good": {1: 4.0}}
    with pytest.raises(ValueError, match=r"unknown method 'nope'.*\['good', 'bad'\]"):
        run_cell(EXP, method="nope", seed=0, preset="smoke", out_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown preset 'huge'"):
        run_cell(EXP, method="good", seed=0, preset="huge", out_dir=tmp_path)


def test_final_value_prefers_the_explicit_final_record_then_the_last_step():
    stepped = [ResultRecord("p", "e", "m", 0, "r", float(t), step=t) for t in (5, 1, 9)]
    assert final_values(stepped, "r") == {"m": {0: 9.0}}
    final = ResultRecord("p", "e", "m", 0, "r", -1.0)
    assert final_values([stepped[0], final, *stepped[1:]], "r") == {"m": {0: -1.0}}


def test_reproduce_skips_finished_cells_and_prints_table(tmp_path):
    lines: list[str] = []
    reproduce([EXP], preset="smoke", seeds=2, out=tmp_path, log=lines.append)
    assert sum(ln.startswith("[toy/exp]") for ln in lines) == 4
    lines.clear()
    recs = reproduce([EXP], preset="smoke", seeds=2, out=tmp_path, log=lines.append)
    assert not any(ln.startswith("[toy/exp]") for ln in lines)  # all four cells were found on disk
    table = summary_table(EXP, recs)
    assert "| good (paper) | 2 | 3.5 |" in table and "| bad | 2 | 9.5 |" in table


def test_experiment_validates_its_declaration():
    with pytest.raises(ValueError, match="proposed method 'x'"):
        dataclasses.replace(EXP, proposed="x")


@dataclasses.dataclass(frozen=True)
class Cfg:
    lr: float = 0.1

    def __post_init__(self):
        check_positive("lr", self.lr)


def test_cli_bad_value_prints_named_error_not_traceback(capsys):
    seen = []

    def train(cfg: Flat[Cfg]) -> None:
        seen.append(cfg)

    run_cli({"train": train}, prog="toy", args=["train", "--lr", "0.5"])
    assert seen == [Cfg(lr=0.5)]
    with pytest.raises(SystemExit) as exit_info:
        run_cli({"train": train}, prog="toy", args=["train", "--lr", "-2"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("toy: error: --lr: lr must be a finite number > 0, got -2") and err.count("\n") == 1
    assert "Traceback" not in err and "tyro-dummy" not in err


@dataclasses.dataclass(frozen=True)
class RunCfg:
    seed_value: int = 0
    run_dir: str = ""


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["train", "--sed", "1"], "toy: error: Unrecognized options: --sed, 1"),
        (["train", "--seed-value", "abc"], "toy: error: --seed-value: invalid literal for int()"),
        (["nope"], "toy: error: Unrecognized options: nope (available subcommands: train, other)"),
    ],
)
def test_parse_errors_are_one_line_naming_the_flag(capsys, argv, expected):
    def train(cfg: Flat[RunCfg]) -> None:
        raise AssertionError("must not run")

    with pytest.raises(SystemExit) as exit_info:
        run_cli({"train": train, "other": train}, prog="toy", args=argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1, err


def test_unwritable_output_is_refused_before_any_work(tmp_path, capsys):
    ran = []

    def train(cfg: Flat[RunCfg]) -> None:
        ran.append(cfg)

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(SystemExit) as exit_info:
        run_cli({"train": train}, prog="toy", args=["train", "--run-dir", str(blocker / "run")])
    assert exit_info.value.code == 2 and ran == []
    err = capsys.readouterr().err
    assert err == f"toy: error: --run-dir {blocker / 'run'} cannot be created: {blocker} is a file\n"
    with pytest.raises(SystemExit):
        reproduce_cmd_out = ["reproduce", "--out", str(blocker)]
        run_cli({"reproduce": reproduce_command([EXP])}, prog="toy", args=reproduce_cmd_out)
    assert "is a file, not a folder" in capsys.readouterr().err
    run_cli({"train": train}, prog="toy", args=["train", "--run-dir", str(tmp_path / "new" / "run")])
    assert len(ran) == 1


def test_oserror_while_running_is_one_line(capsys, tmp_path):
    def train(cfg: Flat[RunCfg]) -> None:
        open(tmp_path / "missing" / "x")  # noqa: SIM115

    with pytest.raises(SystemExit) as exit_info:
        run_cli({"train": train}, prog="toy", args=["train"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == f"toy: error: {tmp_path / 'missing' / 'x'}: No such file or directory\n"


def test_help_still_prints(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli({"train": lambda cfg: None}, prog="toy", args=["--help"])
    assert exit_info.value.code == 0 and "train" in capsys.readouterr().out


def test_cli_error_while_running_prints_named_error(capsys):
    def train(cfg: Flat[Cfg]) -> None:
        raise ValueError(f"lr={cfg.lr} diverged")

    with pytest.raises(SystemExit) as exit_info:
        run_cli({"train": train}, prog="toy", args=["train"])
    assert exit_info.value.code == 2
    assert "toy: error: lr=0.1 diverged" in capsys.readouterr().err


def test_reproduce_command_rejects_unknown_experiment(tmp_path: Path):
    cmd = reproduce_command([EXP])
    with pytest.raises(ValueError, match=r"unknown experiment\(s\) \['nope'\]"):
        cmd(only=("nope",), out=tmp_path)


def test_select_experiments_keeps_package_order_and_names_the_valid_ones():
    other = dataclasses.replace(EXP, name="other")
    assert select_experiments([EXP, other]) == [EXP, other]
    assert select_experiments([EXP, other], ("other", EXP.name)) == [EXP, other]
    with pytest.raises(ValueError, match=r"unknown experiment\(s\) \['nope'\]; valid: \['exp', 'other'\]"):
        select_experiments([EXP, other], ("other", "nope"))


@dataclasses.dataclass(frozen=True)
class _ToyConfig:
    method: str
    seed: int = 0


def _toy_train_seeds(calls: list):
    """A seed-vectorised trainer of the toy cell: one batch per call, recorded in ``calls``."""

    def train_seeds(cfg: _ToyConfig, seeds: list[int]) -> list[list[ResultRecord]]:
        calls.append((cfg.method, list(seeds)))
        return [_cell(method=cfg.method, seed=s, preset="smoke", out_dir=None) for s in seeds]

    return train_seeds


def _run_toy_batched(out: Path, seeds: list[int], calls: list, methods=None) -> float:
    from paperkit.experiments import play_by_seed, run_batched

    return run_batched(
        EXP,
        "smoke",
        seeds,
        out,
        methods,
        rows=lambda method, seed, preset: [_ToyConfig(method, seed)],
        play=play_by_seed(_toy_train_seeds(calls)),
        records=lambda method, seed, cfgs, results: list(results[0]),
    )


def test_run_batched_plays_each_method_as_one_batch_and_writes_reproduces_records(tmp_path):
    calls: list = []
    _run_toy_batched(tmp_path, [0, 1, 2], calls)
    assert sorted(calls) == [
        ("bad", [0, 1, 2]),
        ("good", [0, 1, 2]),
    ]  # configs equal but for the seed: one batch
    strip = lambda rs: [r for r in rs if r.metric != "cell_seconds"]  # noqa: E731
    for method in EXP.methods:
        for seed in range(3):
            got = read_records(tmp_path / "smoke" / "toy" / "exp" / method / f"seed{seed}" / "records.jsonl")
            assert strip(got) == _cell(method=method, seed=seed, preset="smoke", out_dir=None)
            assert [r.metric for r in got if r.metric == "cell_seconds"] == ["cell_seconds"]
    # the same folders reproduce uses: it finds every cell done
    lines: list[str] = []
    reproduce([EXP], preset="smoke", seeds=3, out=tmp_path, log=lines.append)
    assert not any(ln.startswith("[toy/exp]") for ln in lines)


def test_run_batched_runs_only_missing_cells_and_refuses_unknown_names(tmp_path):
    calls: list = []
    _run_toy_batched(tmp_path, [1], calls, ("good",))
    calls.clear()
    _run_toy_batched(tmp_path, [0, 1, 2], calls, ("good",))
    assert calls == [("good", [0, 2])]  # seed 1 was done
    calls.clear()
    assert _run_toy_batched(tmp_path, [0, 1, 2], calls, ("good",)) == 0.0 and calls == []
    with pytest.raises(ValueError, match=r"unknown method\(s\) \['nope'\]"):
        _run_toy_batched(tmp_path, [0], calls, ("nope",))


def test_batched_command_runs_the_cells_and_names_a_bad_method(tmp_path, capsys):
    from paperkit.cli import batched_command

    calls: list = []
    cmd = batched_command(
        [EXP], lambda exp, preset, seeds, out, methods: _run_toy_batched(out, seeds, calls, methods)
    )
    run_cli({"batch": cmd}, prog="toy", args=["batch", "--seeds", "2", "--out", str(tmp_path)])
    assert sorted(calls) == [("bad", [0, 1]), ("good", [0, 1])]
    assert "| good (paper) | 2 |" in capsys.readouterr().out  # reproduce's table, every cell found on disk
    with pytest.raises(SystemExit) as e:
        run_cli({"batch": cmd}, prog="toy", args=["batch", "--methods", "nope", "--out", str(tmp_path)])
    assert e.value.code == 2
    assert "toy: error: unknown method(s) ['nope']" in capsys.readouterr().err
