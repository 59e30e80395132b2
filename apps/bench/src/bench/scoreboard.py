"""`bench scoreboard`: every installed package's claims, each with its verdict from shipped evidence.

The claims live in the packages (``CLAIMS`` beside ``EXPERIMENTS``); the evidence in
``packages/<name>/evidence/<folder>/`` (see ``paperkit.evidence``). Given a run folder instead, the claims whose
experiments it holds are judged on its records. READMEs carry the scoreboard between markers, and
``--check-readmes`` fails when they differ from what the evidence says.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from paperkit import Experiment, ResultRecord, check_claims, discover, evaluate_claim
from paperkit.claims import NOT_RUN, ClaimResult, apply_requirements, format_effect
from paperkit.evidence import discover_claims, load_folder

BEGIN = "<!-- scoreboard:begin (made by `bench scoreboard --write-readmes`; do not edit by hand) -->"
END = "<!-- scoreboard:end -->"


def _collect(
    packages: Sequence[str] | None,
    run_dir: Path | None,
    warn: list[str],
    evidence: dict[str, tuple[list[ResultRecord], Experiment]] | None = None,
) -> tuple[list[ClaimResult], dict[str, Path | None]]:
    """Verdicts and each package's evidence root; ``evidence`` (if given) receives claim id -> (the records
    it was judged on, its experiment)."""
    errors: dict[str, str] = {}
    declared = discover_claims(errors=errors)
    experiments = discover(errors=errors)
    warn += [f"package {p} could not be loaded and is left out: {e}" for p, e in sorted(errors.items())]
    unknown = sorted(set(packages or ()) - set(declared) - set(errors))
    if unknown:
        raise ValueError(f"unknown package(s) {unknown}; installed: {sorted(declared)}")
    run_records: dict[str, list[ResultRecord]] = {}
    run_preset = ""
    if run_dir is not None:
        if not Path(run_dir).is_dir():
            raise ValueError(f"run folder {run_dir} does not exist")
        damaged: list[str] = []
        recs, manifest = load_folder(run_dir, damaged=damaged)
        warn += [f"left out a damaged cell: {d}" for d in damaged]
        run_preset = str(manifest.get("preset", Path(run_dir).name))
        for r in recs:
            run_records.setdefault(r.package, []).append(r)
    results: list[ClaimResult] = []
    roots: dict[str, Path | None] = {}
    for package, (claims, evidence_root) in declared.items():
        if packages and package not in packages:
            continue
        if run_dir is not None and package not in run_records:
            continue
        exps: dict[str, Experiment] = {e.name: e for e in experiments.get(package, [])}
        try:
            check_claims(claims, list(exps.values()))
        except ValueError as e:
            warn.append(f"package {package}: bad claim declaration, left out: {e}")
            continue
        roots[package] = evidence_root
        cache: dict[str, tuple[list[ResultRecord], str]] = {}
        for claim in claims:
            exp = exps[claim.experiment]
            if run_dir is not None:
                records, preset = run_records[package], run_preset
            else:
                folder = None if evidence_root is None else evidence_root / claim.evidence
                if folder is None or not folder.is_dir():
                    where = folder or "a source checkout (this is an installed wheel)"
                    results.append(
                        ClaimResult(
                            claim.resolved(exp),
                            NOT_RUN,
                            preset=claim.evidence,
                            note=f"no evidence in {where}",
                        )
                    )
                    continue
                if claim.evidence not in cache:
                    recs, manifest = load_folder(folder)
                    cache[claim.evidence] = (recs, str(manifest.get("preset", claim.evidence)))
                records, preset = cache[claim.evidence]
                preset = claim.evidence if preset == claim.evidence else f"{claim.evidence} ({preset})"
            results.append(evaluate_claim(claim, records, experiment=exp, preset=preset))
            if evidence is not None:
                evidence[claim.id] = (records, exp)
    return apply_requirements(results), roots


def collect(
    packages: Sequence[str] | None = None,
    run_dir: Path | None = None,
    evidence: dict[str, tuple[list[ResultRecord], Experiment]] | None = None,
) -> tuple[list[ClaimResult], list[str]]:
    """Verdicts of the installed packages' claims (from shipped evidence, or from ``run_dir``), and warnings.
    ``evidence``, if given, receives claim id -> (the records it was judged on, its experiment)."""
    warn: list[str] = []
    results, _ = _collect(packages, run_dir, warn, evidence)
    return results, warn


def describe_test(r: ClaimResult) -> str:
    """The claim's test in symbols: 'rlx2 / dense ≥ 0.9', 'mast − rigl > 0', 'slope ∈ [0.4, 0.6]'."""
    c = r.claim
    if c.test == "slope":
        assert c.slope_range is not None
        over = "step" if c.slope_x is None else "x"
        return f"slope of log {c.metric} on log {over} ∈ [{c.slope_range[0]:g}, {c.slope_range[1]:g}]"
    other = c.baseline if c.baseline is not None else f"{c.target:g}"
    if c.test == "better":
        diff = f"{c.method} − {other}" if c.higher_is_better else f"{other} − {c.method}"
        return f"{diff} > {c.threshold:g}"
    if c.test == "within":
        return f"{c.method} / {other} {'≥' if c.higher_is_better else '≤'} {c.threshold:g}"
    return f"|{c.method} − {other}| ≤ {c.threshold:g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(results: Sequence[ClaimResult], *, with_package: bool = True) -> str:
    head = ["claim", "statement", "test", "verdict", "effect [95% CI]", "seeds", "evidence", "command"]
    if with_package:
        head = ["package", *head]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        c = r.claim
        slug = c.id.partition("/")[2] + (" (headroom)" if c.headroom else "")
        verdict = r.verdict if not r.note or r.verdict != "not testable at this scale" else f"{r.verdict}¹"
        if r.verdict == "superseded" and c.superseded_by:
            verdict = f"superseded by {c.superseded_by.partition('/')[2]}"
        row = [
            slug,
            _cell(c.statement),
            _cell(describe_test(r)),
            f"**{verdict}**" if r.verdict == "reproduced" else verdict,
            format_effect(r),
            f"{r.seeds}/{c.min_seeds}",
            r.preset,
            f"`{_cell(c.command)}`" if c.command else "",
        ]
        if with_package:
            row = [c.package, *row]
        lines.append("| " + " | ".join(row) + " |")
    if any(r.verdict == "not testable at this scale" for r in results):
        lines += ["", "¹ its headroom check (the row marked headroom) did not show room for the effect."]
    return "\n".join(lines)


def to_text(results: Sequence[ClaimResult]) -> str:
    lines = []
    width = max((len(r.claim.id) for r in results), default=10)
    for r in results:
        lines.append(
            f"{r.claim.id:<{width}}  {r.verdict:<26} {format_effect(r):<34} seeds {r.seeds}/{r.claim.min_seeds:<3} "
            f"{r.preset}"
        )
        lines.append(f"{'':<{width}}  {r.claim.statement}  [{describe_test(r)}]")
        if r.note:
            lines.append(f"{'':<{width}}  note: {r.note}")
    counts: dict[str, int] = {}
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    lines.append(
        f"{len(results)} claims of {len({r.claim.package for r in results})} packages: "
        + ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    )
    return "\n".join(lines)


def to_json(results: Sequence[ClaimResult]) -> str:
    return json.dumps([r.to_dict() for r in results], indent=1)


def _block(table: str) -> str:
    return f"{BEGIN}\n{table}\n{END}"


def _insert_block(text: str, table: str) -> str:
    """A new block at the end of the "What the paper claims" section (or at the end of the file)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.lower().startswith("## what the paper claims")), None)
    if start is None:
        return text.rstrip("\n") + "\n\n## Scoreboard\n\n" + _block(table) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    intro = (
        "Verdicts from the shipped evidence (`bench scoreboard --package NAME`; evidence in `evidence/`):\n\n"
    )
    return "".join(lines[:end]).rstrip("\n") + "\n\n" + intro + _block(table) + "\n\n" + "".join(lines[end:])


def _replace_block(text: str, table: str, path: Path, *, insert: bool = False) -> str:
    if BEGIN.split(" (")[0] not in text or END not in text:
        if insert:
            return _insert_block(text, table)
        raise ValueError(f"{path} has no scoreboard block ({BEGIN.split(' (')[0]} ... {END})")
    start = text.index(BEGIN.split(" (")[0])
    end = text.index(END, start) + len(END)
    return text[:start] + _block(table) + text[end:]


def readme_tables(results: Sequence[ClaimResult], roots: dict[str, Path | None], root_readme: Path | None):
    """(README path, table) for the root README (every claim) and each package README (its own claims)."""
    out: list[tuple[Path, str]] = []
    if root_readme is not None:
        out.append((root_readme, to_markdown(results)))
    for package, evidence_root in sorted(roots.items()):
        if evidence_root is None:
            continue
        rows = [r for r in results if r.claim.package == package]
        if rows:
            out.append((evidence_root.parent / "README.md", to_markdown(rows, with_package=False)))
    return out


def sync_readmes(
    packages: Sequence[str] | None, *, root_readme: Path | None, write: bool
) -> tuple[list[str], list[str]]:
    """Compare (or, with ``write``, rewrite) the scoreboard blocks of the READMEs. Returns (problems, warnings).
    A package README without a block is a problem only when checking all packages."""
    warn: list[str] = []
    results, roots = _collect(packages, None, warn)
    problems: list[str] = []
    for path, table in readme_tables(results, roots, root_readme):
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        text = path.read_text()
        try:
            new = _replace_block(text, table, path, insert=write and path != root_readme)
        except ValueError as e:
            problems.append(str(e))
            continue
        if new == text:
            continue
        if write:
            path.write_text(new)
        else:
            diff = difflib.unified_diff(
                text.splitlines(), new.splitlines(), str(path), "bench scoreboard", lineterm="", n=0
            )
            problems.append(f"{path}: scoreboard differs from the evidence:\n" + "\n".join(list(diff)[:40]))
    return problems, warn


def scoreboard_command(
    run_dir: Path | None = None,
    /,
    package: tuple[str, ...] = (),
    json: bool = False,
    markdown: bool = False,
    check_readmes: bool = False,
    write_readmes: bool = False,
) -> None:
    """Verdicts of every claim of the installed packages, from their shipped evidence (or a run folder).

    Args:
        run_dir: judge the claims on this run folder's records instead of the shipped evidence.
        package: only these packages.
        json: print a JSON list (package, claim, statement, verdict, effect, ci_low, ci_high, seeds, preset,
            command, ...).
        markdown: print the markdown table the READMEs carry.
        check_readmes: fail when a README's scoreboard block (root README.md, packages/*/README.md) differs
            from the evidence.
        write_readmes: rewrite those blocks from the evidence.
    """
    if check_readmes or write_readmes:
        if run_dir is not None:
            raise ValueError("--check-readmes/--write-readmes read the shipped evidence; drop RUN_DIR")
        root_readme = None if package else Path("README.md")
        problems, warn = sync_readmes(package or None, root_readme=root_readme, write=write_readmes)
        problems = warn + problems  # a package that cannot be loaded or declares a bad claim fails the check
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            raise SystemExit(1)
        print("READMEs " + ("written" if write_readmes else "match the scoreboard"))
        return
    results, warn = collect(package or None, run_dir)
    for w in warn:
        print(f"warning: {w}", file=sys.stderr)
    if json:
        print(to_json(results))
    elif markdown:
        print(to_markdown(results, with_package=len(package) != 1))
    else:
        print(to_text(results))
