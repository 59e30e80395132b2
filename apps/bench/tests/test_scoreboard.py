"""`bench scoreboard`: claims of an installed (toy) package judged on shipped evidence or a run folder, and the
README blocks that must equal it."""

import json

import pytest

from bench.cli import run_command
from bench.scoreboard import BEGIN, END, collect, scoreboard_command, sync_readmes


def test_verdicts_from_shipped_evidence(toy_evidence):
    results, warn = collect(["toybench"])
    by_id = {r.claim.id: r for r in results}
    assert warn == []
    # final regret = base*100 + seed: good {100,101,102}, bad {300,...}, dense {200,...}; lower is better
    beats = by_id["toybench/beats-bad"]
    assert beats.verdict == "reproduced" and beats.effect == pytest.approx(200.0) and beats.seeds == 3
    assert by_id["toybench/headroom"].verdict == "reproduced"
    slope = by_id["toybench/linear"]  # regret = t + seed over t in {10, 100}: slope just under 1
    assert slope.verdict == "reproduced" and 0.9 < slope.effect < 1.0
    within = by_id["toybench/matches-dense"]  # 3 seeds < its default minimum of 5: no verdict, no interval
    assert (
        within.verdict == "too few seeds"
        and within.ci_low is None
        and within.effect == pytest.approx(101 / 201)
    )
    paper = by_id["toybench/paper-scale"]
    assert paper.verdict == "not run" and "evidence/paper" in paper.note


def test_json_has_the_documented_keys(toy_evidence, capsys):
    scoreboard_command(package=("toybench",), json=True)
    rows = json.loads(capsys.readouterr().out)
    keys = {
        "package",
        "claim",
        "statement",
        "verdict",
        "effect",
        "ci_low",
        "ci_high",
        "seeds",
        "preset",
        "command",
    }
    assert len(rows) == 5 and all(keys <= set(r) for r in rows)
    assert {r["package"] for r in rows} == {"toybench"}


def test_a_run_folder_is_judged_on_its_own_records(toy_package, tmp_path):
    run_command(("toybench",), preset="smoke", seeds=1, workers=2, out=tmp_path / "r")
    results, _ = collect(None, tmp_path / "r")
    assert {r.verdict for r in results} <= {"too few seeds", "not run"}
    assert all(r.preset == "smoke" for r in results)


def test_readme_blocks_are_checked_and_written(toy_evidence, tmp_path, monkeypatch):
    readme = toy_evidence.parent / "README.md"
    readme.write_text(f"# toy\n\n## Claims\n\n{BEGIN}\nstale\n{END}\n\nmore text\n")
    root_readme = tmp_path / "README.md"
    root_readme.write_text(f"# all\n{BEGIN}\n{END}\n")
    problems, _ = sync_readmes(["toybench"], root_readme=root_readme, write=False)
    assert len(problems) == 2 and "differs from the evidence" in problems[0]
    problems, _ = sync_readmes(["toybench"], root_readme=root_readme, write=True)
    assert problems == []
    text = readme.read_text()
    assert "| beats-bad | good beats bad | bad − good > 0 | **reproduced** | 200 [" in text
    assert text.endswith("more text\n") and "stale" not in text
    assert "| toybench | beats-bad |" in root_readme.read_text()
    assert sync_readmes(["toybench"], root_readme=root_readme, write=False)[0] == []
    readme.write_text("# toy without a block\n\n## What the paper claims\n\nA claim.\n\n## Install\n")
    problems, _ = sync_readmes(["toybench"], root_readme=None, write=False)
    assert problems and "no scoreboard block" in problems[0]
    assert (
        sync_readmes(["toybench"], root_readme=None, write=True)[0] == []
    )  # a package README gets a block inserted
    text = readme.read_text()
    assert text.index("A claim.") < text.index(BEGIN) < text.index("## Install")


def test_unknown_package_is_named(toy_package):
    with pytest.raises(ValueError, match=r"unknown package.*nope"):
        collect(["nope"])


def test_markdown_names_the_claim_that_superseded_a_pilot():
    from paperkit import Claim
    from paperkit.claims import ClaimResult

    from bench.scoreboard import to_markdown

    claim = Claim(
        id="toy/old",
        statement="s",
        experiment="e",
        evidence="quick",
        test="better",
        baseline="b",
        superseded_by="toy/new",
    )
    row = to_markdown(
        [ClaimResult(claim, "superseded", 9.0, seeds=2, note="superseded by toy/new")]
    ).splitlines()[-1]
    assert "| superseded by new |" in row and "| 9 |" in row and "| 2/5 |" in row
