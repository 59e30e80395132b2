import json
import shutil
import subprocess
import sys

import pytest
from paperkit import discover

from bench.cli import list_command, run_command
from bench.grid import build_grid, read_manifest, write_manifest
from bench.report import build_report
from bench.runner import run_cells
from bench.suites import resolve_targets


def _toy_cells(root, seeds=2, methods=None):
    exp = discover()["toybench"][0]
    write_manifest(root, [exp], preset="smoke")
    cells = build_grid([exp], preset="smoke", seeds=seeds, root=root)
    return [c for c in cells if methods is None or c.method in methods]


def test_failing_cell_is_recorded_and_others_finish_then_rerun_skips_them(toy_package, tmp_path):
    root = tmp_path / "run"
    cells = _toy_cells(root)
    summary = run_cells(cells, workers=2, log=lambda s: None)
    assert len(summary.outcomes) == 8
    assert sorted(o.label for o in summary.failed) == ["toybench/regret/crash/s0", "toybench/regret/crash/s1"]
    err = json.loads((root / "toybench/regret/crash/seed0/error.json").read_text())
    assert err["returncode"] == 1 and any("this cell always fails" in ln for ln in err["log_tail"])
    assert (root / "toybench/regret/good/seed1/records.jsonl").is_file()
    again = run_cells(cells, workers=2, log=lambda s: None)
    assert again.skipped == 6 and len(again.outcomes) == 2  # only the failed cells are retried


def test_concurrent_cells_keep_their_exit_status(toy_package, tmp_path):
    # A forkserver child's exit status can be read only once; threads that start and join cells concurrently
    # used to race for it, and the loser recorded exit status 255 for a cell that had succeeded.
    cells = _toy_cells(tmp_path / "run", seeds=40, methods={"good", "bad", "dense"})
    summary = run_cells(cells, workers=4, log=lambda s: None)
    assert len(summary.outcomes) == 120
    assert [o.error for o in summary.failed] == []


def test_report_tables_plots_and_failures(toy_package, tmp_path):
    root = tmp_path / "run"
    run_cells(_toy_cells(root, seeds=3), workers=2, log=lambda s: None)
    summary = build_report(root, reps=100)
    entry = summary["experiments"]["toybench/regret"]
    # final regret = base*100 + seed: good {100,101,102}, bad {300,301,302}
    assert entry["stats"]["good"]["iqm"] == pytest.approx(101.0)
    assert entry["stats"]["bad"]["iqm"] == pytest.approx(301.0)
    assert entry["prob_improvement"]["bad"]["p"] == 1.0
    assert len(entry["failed"]) == 3
    text = (root / "report.md").read_text()
    assert "| toybench/regret | regret (lower is better) | good: 101 [" in text
    assert "crash/seed0" in text and (root / "plots/toybench__regret.png").stat().st_size > 1000
    frontier = {p["method"]: p for p in summary["sparse_frontier"]}
    assert frontier["good"]["relative"] == pytest.approx(201.0 / 101.0) and frontier["good"]["flops"] == 0.2


def test_report_renders_when_a_package_has_no_results(toy_package, tmp_path):
    root = tmp_path / "run"
    run_cells(_toy_cells(root, methods={"good"}), workers=1, log=lambda s: None)
    manifest = read_manifest(root)
    missing = dict(manifest["experiments"]["toybench/regret"], package="absent", name="gone")
    manifest["experiments"]["absent/gone"] = missing
    (root / "manifest.json").write_text(json.dumps(manifest))
    build_report(root, reps=100)
    assert "| absent/gone | regret | no results |" in (root / "report.md").read_text()


def test_newer_manifest_schema_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"schema": 99, "experiments": {}}))
    with pytest.raises(ValueError, match="newer bench"):
        build_report(tmp_path)


def test_unknown_names_list_the_valid_ones(toy_package, tmp_path):
    with pytest.raises(ValueError, match=r"unknown package or suite 'nope'; suites: \['all', 'bandits'"):
        resolve_targets(["nope"], ["toybench"])
    assert resolve_targets(["bandits", "all"], ["toybench", "uniinf"]) == ["uniinf", "toybench"]
    with pytest.raises(ValueError, match=r"installed packages: .*toybench"):
        run_command(("nope",), out=tmp_path)


def test_cli_run_end_to_end(toy_package, tmp_path, capsys):
    run_command(("toybench",), seeds=1, workers=2, out=tmp_path / "r")
    out = capsys.readouterr().out
    assert "ran 5 cells (1 failed, 0 skipped)" in out
    assert json.loads((tmp_path / "r" / "runs.jsonl").read_text().splitlines()[0])["ran"] == 5


def test_ray_backend_runs_cells_on_a_local_instance(toy_package, tmp_path):
    pytest.importorskip("ray")
    root = tmp_path / "run"
    summary = run_cells(
        _toy_cells(root, seeds=1, methods={"good", "crash"}), workers=2, backend="ray", log=lambda s: None
    )
    assert sorted((o.label, o.ok) for o in summary.outcomes) == [
        ("toybench/regret/crash/s0", False),
        ("toybench/regret/good/s0", True),
    ]
    assert (root / "toybench/regret/good/seed0/records.jsonl").is_file()


def test_a_broken_package_is_reported_and_left_out(toy_package, capsys):
    broken = toy_package / "brokenpkg-0.1.dist-info"
    broken.mkdir()
    try:
        (broken / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenpkg\nVersion: 0.1\n")
        (broken / "entry_points.txt").write_text("[paperkit.experiments]\nbrokenpkg = no_such_module:X\n")
        list_command()
    finally:
        shutil.rmtree(broken)  # the toy site is shared by the session's tests
    captured = capsys.readouterr()
    assert (
        "package brokenpkg could not be loaded" in captured.err
        and "No module named 'no_such_module'" in captured.err
    )
    assert "toybench" in captured.out and "regret" in captured.out


def test_report_html_is_self_contained_and_renders_in_chromium(toy_evidence, tmp_path):
    """report.html: scoreboard first, plots embedded; headless Chromium renders it (DOM + a screenshot)."""
    import re
    import subprocess

    root = tmp_path / "run"
    run_cells(_toy_cells(root, seeds=1, methods={"good", "bad"}), workers=2, log=lambda s: None)
    build_report(root, reps=50)
    page = (root / "report.html").read_text()
    assert page.index("Scoreboard: which claims hold") < page.index("Headline comparisons")
    assert 'class="v-reproduced"' in page and "data:image/png;base64," in page and 'src="plots/' not in page
    assert "smoke: pipeline check, no verdicts" in page
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no Chromium on this machine (ci/run-tests.sh installs the distribution's package)")
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]
    url = (root / "report.html").as_uri()
    dom = subprocess.run(
        [*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert re.search(r"<h2[^>]*>Scoreboard: which claims hold", dom) and "toybench" in dom
    shot = root / "report.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1200,1600", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000  # a page with tables and plots, not a blank one
    print(f"screenshot: {shot}")


def test_a_damaged_cell_is_rerun_and_reported_not_fatal(toy_package, tmp_path):
    root = tmp_path / "run"
    cells = _toy_cells(root, seeds=1, methods={"good", "bad"})
    run_cells(cells, workers=2, log=lambda s: None)
    good = root / "toybench/regret/good/seed0/records.jsonl"
    whole = good.read_text()
    good.write_text(whole[: len(whole) // 2])  # a truncated file, as a killed copy leaves it
    summary = build_report(root, reps=20)
    failed = summary["experiments"]["toybench/regret"]["failed"]
    assert [f["cell"] for f in failed] == ["toybench/regret/good/seed0"] and "unreadable" in failed[0][
        "error"
    ]
    again = run_cells(cells, workers=2, log=lambda s: None)
    assert again.skipped == 1 and [o.label for o in again.outcomes] == ["toybench/regret/good/s0"]
    assert good.read_text().count("\n") == whole.count("\n")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(timeout=-1.0), "--timeout must be > 0 seconds, got -1.0"),
        (dict(workers=0), "--workers must be >= 1, got 0"),
        (dict(seeds=0), "--seeds must be >= 1, got 0"),
    ],
)
def test_bad_run_arguments_are_refused_before_any_work(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_command(("toybench",), out=tmp_path / "r", **kwargs)
    assert not (tmp_path / "r").exists()


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        run_command(("toybench",), out=blocker / "r")


_TQDM_CHILD = """
import multiprocessing, os, sys

def child(fix):
    if fix:
        from bench.runner import thread_lock_for_tqdm
        thread_lock_for_tqdm()
    from tqdm.auto import tqdm
    for _ in tqdm(range(3)):
        pass
    os._exit(0)  # as a cell child ends

if __name__ == "__main__":
    ctx = multiprocessing.get_context("forkserver")
    p = ctx.Process(target=child, args=(sys.argv[1] == "fix",))
    p.start()
    p.join()
"""


@pytest.mark.parametrize("fix", [False, True])
def test_cell_children_leak_no_semaphores_through_tqdm(tmp_path, fix):
    # regression: a smoke run ended with "resource_tracker: ... leaked semaphore objects" (one per cell that
    # showed a tqdm bar); the unfixed child shows that the check can see the leak
    script = tmp_path / "child.py"
    script.write_text(_TQDM_CHILD)
    out = subprocess.run(
        [sys.executable, str(script), "fix" if fix else "no"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert ("leaked semaphore" in out.stderr) is not fix, out.stderr
