"""Every installed paper package's CLI and `bench`, given bad input the way users type it: one line on stderr
naming what is wrong, exit status 2, no traceback, and no work done first (each case returns in seconds).

Run by `nox -s cli_errors` (every package installed in one venv). The cases: an unknown subcommand, an unknown
flag, a value of the wrong type, out-of-range values, an unknown experiment, and output folders that cannot be
written (a parent that is a file, an output that is a file).
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from importlib.metadata import entry_points

import pytest

PACKAGES = sorted(ep.name for ep in entry_points(group="paperkit.experiments"))
SCRIPTS = {ep.name: ep for ep in entry_points(group="console_scripts")}
SEED_BATCH_COMMANDS = {"icvar": "batch", "lsvi-ucb-plus": "batch", "umo2": "batch", "uniinf": "batch",
                       "risk-pomdp": "sweep", "rs-disrl": "sweep"}  # fmt: skip


def _cases(tmp_dir: str) -> list[list[str]]:
    blocker = f"{tmp_dir}/a-file"
    return [
        ["no-such-command"],
        ["reproduce", "--no-such-flag", "1"],
        ["reproduce", "--preset", "huge"],
        ["reproduce", "--seeds", "abc"],
        ["reproduce", "--seeds", "0"],
        ["reproduce", "--only", "no-such-experiment"],
        ["reproduce", "--out", f"{blocker}/runs"],
        ["reproduce", "--out", blocker],
        ["train", "--seed", "-1"],
        ["train", "--seed", "1.5x"],
    ]


def _run(prog: str, argv: list[str]) -> tuple[int | str | None, str, float]:
    main = SCRIPTS[prog].load()
    err = io.StringIO()
    old = sys.argv
    sys.argv = [prog, *argv]
    t0 = time.perf_counter()
    code: int | str | None = 0
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            main()
    except SystemExit as e:
        code = e.code
    finally:
        sys.argv = old
    return code, err.getvalue(), time.perf_counter() - t0


@pytest.mark.parametrize("prog", [*PACKAGES, "bench"])
def test_bad_input_is_one_line_and_stops_before_work(prog, tmp_path):
    if prog not in SCRIPTS:
        pytest.skip(f"{prog} has no console script")
    (tmp_path / "a-file").write_text("not a folder")
    cases = _cases(str(tmp_path))
    if prog == "bench":
        cases = [["no-such-command"], ["run", "--timeout", "-1"], ["run", "--workers", "0"],
                 ["run", "--out", f"{tmp_path}/a-file/runs"], ["run", "--preset", "huge"],
                 ["report", "--reps", "1"], ["scoreboard", "--package", "no-such-package"]]  # fmt: skip
    if prog in SEED_BATCH_COMMANDS:  # the seed-batched runners take --only too
        cases.append([SEED_BATCH_COMMANDS[prog], "--only", "no-such-experiment"])
    for argv in cases:
        code, err, seconds = _run(prog, argv)
        where = f"{prog} {' '.join(argv)}"
        assert code == 2, f"{where}: exit status {code}, stderr {err!r}"
        assert err.startswith(f"{prog}: error: ") and err.count("\n") == 1, f"{where}: {err!r}"
        assert "Traceback" not in err and "__tyro" not in err, f"{where}: {err!r}"
        assert seconds < 30, f"{where}: took {seconds:.1f} s: work was done before the error"
