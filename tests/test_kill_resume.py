"""Kill a training run the way a crash or a pre-empted job would, resume it, and get the uninterrupted run.

For every package whose training keeps a resumable checkpoint, through its CLI as a user types it
(``python -m <module> train ...`` in a subprocess) with tiny settings and frequent checkpoints:

1. run A to completion;
2. start B, SIGKILL it as soon as its first checkpoint's ``state.json`` exists (a run that ends before it can
   be killed fails the test: make the case longer, never skip it);
3. move a copy of the killed B to another folder C and resume there (the config hash ignores where a run
   lives, so a moved run folder must resume), then resume B where it was killed;
4. B and C must hold what A holds: every ``metrics.jsonl`` (row by row), every ``result.json`` and, for the
   packages that print their whole result, the printed summary, with wall-clock keys and figures left out.

Run by ``nox -s cross_package`` (every package installed in one venv); locally ``uv run pytest
tests/test_kill_resume.py``. All cases together took 343 CPU-seconds on the project's loaded 2-core machine
(tiny models, one thread; importing torch, ~4.6 CPU-s per process, is a third of it).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

import pytest

TIME_KEYS = re.compile(r"(second|elapsed|wall|time|_s$|^t0$)", re.IGNORECASE)
SECONDS_IN_TEXT = re.compile(r"\d+(\.\d+)?\s*s\b")


@dataclasses.dataclass
class Case:
    module: str
    train: Callable[[Path], list[str]]
    """argv after ``python -m module`` that starts a fresh run in the given folder."""
    resume: Callable[[Path], list[str]]
    """argv that resumes the run in the given folder."""
    state: str = "checkpoint/state.json"
    """Glob (under the folder) of the checkpoint whose appearance triggers the kill."""
    stdout: bool = False
    """Also compare the printed summary (figures followed by 's' left out)."""
    torch: bool = True
    """Imports torch (seconds of CPU per process): only the moved-folder resume runs, not also the in-place one
    (a moved folder is the harder case; each package's own tests resume in place in-process)."""
    setup: Callable[[Path], dict[str, str]] | None = None
    """Builds shared inputs once (e.g. a corpus) and returns values substituted into argv as {name}."""


def _flags(**kw: object) -> list[str]:
    out: list[str] = []
    for k, v in kw.items():
        out += [f"--{k.replace('_', '-')}", *(str(x) for x in (v if isinstance(v, tuple) else (v,)))]
    return out


def _same(train_argv: list[str], extra: list[str]) -> tuple[Callable, Callable]:
    """A package whose run folder is ``--run-dir`` and whose resume is ``extra`` on the same command."""
    return (
        lambda d: [*train_argv, "--run-dir", str(d)],
        lambda d: [*train_argv, "--run-dir", str(d), *extra],
    )


def _mst_corpus(root: Path) -> dict[str, str]:
    from mst.data import build_corpus, stdlib_dir

    d = root / "mst-corpus"
    build_corpus([stdlib_dir() / "json"], d, max_bytes=100_000)
    return {"corpus": str(d)}


def _uniinf_run(d: Path) -> str:
    found = sorted(d.glob("uniinf/*/*/checkpoint/state.json"))
    assert len(found) == 1, f"expected one uniinf run folder under {d}, found {found}"
    return str(found[0].parent.parent)


GFN = ["train", *_flags(height=4, n_trajectories=480, batch_size=16, eval_every=96, hidden=16,
                        checkpoint_every=3)]  # fmt: skip
ICVAR = ["train", *_flags(episodes=400, checkpoint_every=25, curve_points=20)]
LSVI = ["train", *_flags(episodes=300, checkpoint_every=20, curve_points=20)]
LCM = ["train", "--no-evaluate", *_flags(**{"cfg.backbone": "pixel", "cfg.width": 8, "cfg.batch_size": 16,
       "cfg.teacher_steps": 60, "cfg.style_steps": 5, "cfg.lcd.max_steps": 5, "cfg.checkpoint_every": 15,
       "cfg.lcd.checkpoint_every": 15, "cfg.classifier_steps": 1, "cfg.eval_samples": 10})]  # fmt: skip
MAST = ["train", *_flags(total_env_steps=1000, max_cycles=25, eval_every_steps=300, eval_episodes=1,
                         checkpoint_every_episodes=4, batch_size=8, buffer_size=200, on_buffer_size=16, on_batch=4,
                         rnn_hidden=8, mixer_embed=8, hypernet_hidden=8, eps_anneal_steps=500,
                         topology_interval_episodes=5, target_update_episodes=10)]  # fmt: skip
MST = ["train", "--data-dir", "{corpus}", *_flags(max_bytes=100_000, n_layer=1, n_head=2, d_model=16, block_size=16,
       seq_len=16, batch_size=4, delta=5, warmup_iters=5, eval_interval=10, eval_batches=1, max_iters=60,
       checkpoint_every=10)]  # fmt: skip
RLCFR = ["train", *_flags(stack_bb=(10.0, 11.0), max_raises=2, cfr_iterations=20, epochs=8, episodes_per_epoch=1,
                          updates_per_epoch=6, batch_size=8, hidden=(16, 16), checkpoint_every=1)]  # fmt: skip
RLX2 = ["train", *_flags(env_id="Pendulum-v1", hidden=16, start_steps=200, batch_size=16, delta_t=20,
                         delay_nstep=100, buffer_min=200, buffer_check_interval=100, eval_interval=200,
                         eval_episodes=1, total_steps=1000, checkpoint_every=200)]  # fmt: skip
RSD4 = ["train", *_flags(episodes=50, warmup_episodes=10, n_envs=5, episode_len=20, eval_every=10, eval_episodes=2,
                         batch_episodes=5, dual_every=10, dual_eval_episodes=2, hidden=8, checkpoint_every=10,
                         mixture_from=0.2)]  # fmt: skip
UMO2 = ["train", *_flags(horizon=3000, seeds=2, checkpoint_every=200)]
RISK_POMDP = ["train", *_flags(episodes=300, checkpoint_every=20)]
RS_DISRL = ["train", *_flags(episodes=300, checkpoint_every=20)]
UNIINF = ["train", *_flags(horizon=20_000, seeds=2, checkpoint_every=1024)]

CASES: dict[str, Case] = {
    "gflownet-losses": Case("gflownet_losses", *_same(GFN, ["--resume"])),
    "icvar": Case("icvar", *_same(ICVAR, ["--resume"]), torch=False),
    "lcm-lora": Case("lcm_lora", *_same(LCM, []), state="teacher/checkpoint/state.json"),
    "lsvi-ucb-plus": Case("lsvi_ucb_plus", *_same(LSVI, ["--resume"]), torch=False),
    "mast": Case("mast", *_same(MAST, ["--resume"])),
    "mst": Case("mst", *_same(MST, ["--resume"]), setup=_mst_corpus),
    "risk-pomdp": Case("risk_pomdp", *_same(RISK_POMDP, []), stdout=True, torch=False),
    "rlcfr": Case("rlcfr", *_same(RLCFR, [])),
    "rlx2": Case("rlx2", *_same(RLX2, ["--resume"])),
    "rs-disrl": Case("rs_disrl", *_same(RS_DISRL, []), stdout=True, torch=False),
    "rsd4": Case("rsd4", *_same(RSD4, ["--resume"]), stdout=True),
    "umo2": Case("umo2", *_same(UMO2, ["--resume"]), torch=False),
    "uniinf": Case(
        "uniinf",
        lambda d: [*UNIINF, "--out", str(d)],
        lambda d: [*UNIINF, "--resume", _uniinf_run(d)],
        state="uniinf/*/*/checkpoint/state.json",
        torch=False,
    ),
}


def _env() -> dict[str, str]:
    return {**os.environ, "PAPERKIT_PROGRESS": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _run(case: Case, argv: list[str], cwd: Path) -> str:
    out = subprocess.run([sys.executable, "-m", case.module, *argv], cwd=cwd, env=_env(), capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, f"{case.module} {' '.join(argv)}: exit {out.returncode}\n{out.stderr[-3000:]}"
    return out.stdout


def _run_and_kill(case: Case, argv: list[str], folder: Path, cwd: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", case.module, *argv], cwd=cwd, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        while proc.poll() is None and not any(folder.glob(case.state)):
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        err = proc.communicate(timeout=60)[1].decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, (
        f"{case.module} ended (exit {proc.returncode}) before it could be killed after its first checkpoint: "
        f"make this case's run longer\n{err[-2000:]}"
    )


def _strip(value: object) -> object:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not TIME_KEYS.search(k)}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _records(folder: Path) -> dict[str, object]:
    """Every metrics.jsonl (as rows) and result.json under ``folder``, by path relative to it."""
    out: dict[str, object] = {}
    for path in sorted(folder.rglob("metrics.jsonl")):
        rows = [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]
        out[_rel(path, folder)] = _strip(rows)
    for path in sorted(folder.rglob("result.json")):
        out[_rel(path, folder)] = _strip(json.loads(path.read_text()))
    return out


def _rel(path: Path, folder: Path) -> str:
    rel = path.relative_to(folder).parts
    # uniinf names its run folder by the time it started: compare by its place, not its name
    return "/".join(re.sub(r"^\d{8}-\d{6}-s\d+(-\d+)?$", "<run>", p) for p in rel)


def _subst(argv: list[str], values: dict[str, str]) -> list[str]:
    return [a.format(**values) if "{" in a else a for a in argv]


@pytest.mark.parametrize("package", sorted(CASES))
def test_killed_run_resumes_to_the_uninterrupted_records(package, tmp_path):
    case = CASES[package]
    if find_spec(case.module) is None:
        pytest.skip(f"{package} is not installed in this environment")
    values = case.setup(tmp_path) if case.setup else {}
    a, b, c = tmp_path / "A", tmp_path / "B", tmp_path / "moved" / "C"
    out_a = _run(case, _subst(case.train(a), values), tmp_path)
    records = _records(a)
    assert case.stdout or any(records.values()), f"{package}: run A wrote no metrics.jsonl or result.json"

    _run_and_kill(case, _subst(case.train(b), values), b, tmp_path)
    shutil.copytree(b, tmp_path / "B-copy")
    (tmp_path / "moved").mkdir()
    (tmp_path / "B-copy").rename(c)

    out_c = _run(case, _subst(case.resume(c), values), tmp_path)
    assert _records(c) == records, f"{package}: the run moved to another folder and resumed differs from A"
    outs = [out_a, out_c]
    if not case.torch:
        outs.append(_run(case, _subst(case.resume(b), values), tmp_path))
        assert _records(b) == records, f"{package}: the killed and resumed run differs from A"
    if case.stdout:
        summary = [SECONDS_IN_TEXT.sub("<s>", o) for o in outs]
        assert all(s == summary[0] for s in summary[1:]), f"{package}: printed summaries differ: {summary}"
