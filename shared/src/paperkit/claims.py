"""Claims as data: a paper's headline statement, the test that decides it, and its verdict from records.

A package declares its claims beside its experiments (``CLAIMS`` in the module its ``paperkit.experiments``
entry point names)::

    CLAIMS = [
        Claim(
            id="rlx2/matches-dense",
            statement="RLx2 keeps >= 90% of dense TD3's return at 90/85% sparsity",
            experiment="td3", evidence="paper-100k", test="within", baseline="dense", threshold=0.9,
            command="rlx2 reproduce --preset paper --only td3 --seeds 5",
        ),
    ]

:func:`evaluate_claim` turns a claim and the records of its evidence into a :class:`ClaimResult`: the effect,
its 95% percentile-bootstrap interval over seeds (paired by seed where both arms share seeds) and a verdict.
The four tests, and what the effect is:

- ``better``: mean difference oriented so that > 0 favours ``method``; reproduced when the interval lies
  above ``threshold`` (a margin, default 0), not reproduced when it lies below.
- ``within``: relative level ``1 + (mean(method) - mean(baseline)) / |mean(baseline)|`` (the ratio for a
  positive baseline). Higher is better: reproduced when the interval lies at or above ``threshold``; lower is
  better: at or below it.
- ``equal``: mean difference ``method - baseline``; reproduced when the interval lies inside
  ``[-threshold, threshold]``, not reproduced when it lies wholly outside.
- ``slope``: mean over seeds of the least-squares slope of ``log(metric)`` on ``log(x)``, with ``x`` the
  records' ``step`` (a curve; ``x_range`` restricts it) or one ``x`` per method (``slope_x``: a sweep);
  reproduced when the interval lies inside ``slope_range``, not reproduced when it is disjoint from it.

With ``baseline=None`` the comparator is the number ``target``. Fewer than ``min_seeds`` usable seeds gives
``too few seeds`` (the point estimate only, no interval); no records gives ``not run``. A claim that
``requires`` a headroom check whose verdict is ``not reproduced`` or ``inconclusive`` is ``not testable at
this scale`` unless it is reproduced itself (then the headroom was evidently there). A claim with
``superseded_by`` (the id of the claim whose redesigned test replaced it) that never reached ``min_seeds`` is
``superseded`` rather than ``too few seeds`` or ``not run``; one that did keeps its verdict.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from paperkit.experiments import Experiment, final_values
from paperkit.records import ResultRecord

TESTS = ("better", "within", "equal", "slope")
REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive"
TOO_FEW_SEEDS = "too few seeds"
NOT_RUN = "not run"
NOT_TESTABLE = "not testable at this scale"
SUPERSEDED = "superseded"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, TOO_FEW_SEEDS, NOT_RUN, NOT_TESTABLE, SUPERSEDED)
BOOTSTRAP_REPS = 10_000


@dataclasses.dataclass(frozen=True)
class Claim:
    """One headline claim of a paper and the test that decides it (see the module docstring)."""

    id: str  # "<package>/<slug>"
    statement: str  # the paper's claim in one line, at the scale tested
    experiment: str  # an Experiment.name of the package
    evidence: str  # folder under packages/<package>/evidence/ holding the records
    test: str  # one of TESTS
    method: str | None = None  # default: the experiment's proposed method
    baseline: str | None = None  # a method of the experiment; None compares against `target`
    threshold: float = 0.0  # better: margin; within: fraction; equal: tolerance
    target: float | None = None  # the comparator when baseline is None
    metric: str | None = None  # default: the experiment's headline metric
    higher_is_better: bool | None = None  # default: the experiment's
    min_seeds: int = 5
    command: str = ""  # the command that produced the evidence
    headroom: bool = False  # a headroom check (an oracle or upper-bound arm against the baseline)
    requires: str | None = None  # id of the headroom claim this one needs
    slope_x: Mapping[str, float] | None = None  # slope across methods: method -> x
    x_range: tuple[float, float] | None = None  # slope along a curve: steps kept, inclusive
    slope_range: tuple[float, float] | None = None  # slope: the range the paper's exponent lies in
    # id of the claim whose redesigned test replaced this one (a pilot whose design lost the mechanism's
    # condition): its unfinished seeds are not a to-do
    superseded_by: str | None = None

    def __post_init__(self) -> None:
        package, _, slug = self.id.partition("/")
        if not package or not slug or "/" in slug:
            raise ValueError(f"Claim.id must be '<package>/<slug>', got {self.id!r}")
        if self.test not in TESTS:
            raise ValueError(f"Claim {self.id}: test must be one of {TESTS}, got {self.test!r}")
        if not self.statement.strip():
            raise ValueError(f"Claim {self.id}: statement is empty")
        if not self.evidence or "/" in self.evidence or self.evidence.startswith("."):
            raise ValueError(f"Claim {self.id}: evidence must be a folder name, got {self.evidence!r}")
        if self.min_seeds < 2:
            raise ValueError(f"Claim {self.id}: min_seeds must be >= 2, got {self.min_seeds}")
        if not math.isfinite(self.threshold):
            raise ValueError(f"Claim {self.id}: threshold must be finite, got {self.threshold}")
        if self.test == "slope":
            if self.slope_range is None or not self.slope_range[0] < self.slope_range[1]:
                raise ValueError(f"Claim {self.id}: a slope test needs slope_range=(lo, hi) with lo < hi")
            if self.slope_x is not None and len(self.slope_x) < 2:
                raise ValueError(f"Claim {self.id}: slope_x needs >= 2 methods, got {dict(self.slope_x)}")
            if self.slope_x is not None and any(x <= 0 for x in self.slope_x.values()):
                raise ValueError(f"Claim {self.id}: slope_x values must be > 0, got {dict(self.slope_x)}")
        else:
            if self.baseline is None and self.target is None:
                raise ValueError(f"Claim {self.id}: a {self.test} test needs a baseline or a target")
            if self.test == "within" and self.threshold <= 0:
                raise ValueError(
                    f"Claim {self.id}: within needs a fraction threshold > 0, got {self.threshold}"
                )
            if self.test == "within" and self.baseline is None and self.target == 0:
                raise ValueError(f"Claim {self.id}: within needs a non-zero target")
            if self.test == "equal" and self.threshold < 0:
                raise ValueError(f"Claim {self.id}: equal needs a tolerance >= 0, got {self.threshold}")

    @property
    def package(self) -> str:
        return self.id.partition("/")[0]

    def resolved(self, exp: Experiment) -> Claim:
        """This claim with method, metric and direction filled in from its experiment."""
        return dataclasses.replace(
            self,
            method=self.method or exp.proposed,
            metric=self.metric or exp.metric,
            higher_is_better=exp.higher_is_better if self.higher_is_better is None else self.higher_is_better,
        )


@dataclasses.dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    verdict: str
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    seeds: int = 0
    preset: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        c = self.claim
        return {
            "package": c.package,
            "claim": c.id,
            "statement": c.statement,
            "verdict": self.verdict,
            "effect": self.effect,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "seeds": self.seeds,
            "min_seeds": c.min_seeds,
            "preset": self.preset,
            "command": c.command,
            "test": c.test,
            "threshold": list(c.slope_range) if c.test == "slope" and c.slope_range else c.threshold,
            "method": c.method,
            "baseline": c.baseline,
            "target": c.target,
            "metric": c.metric,
            "experiment": c.experiment,
            "evidence": c.evidence,
            "headroom": c.headroom,
            "requires": c.requires,
            "superseded_by": c.superseded_by,
            "note": self.note,
        }


def check_claims(claims: Sequence[Claim], experiments: Sequence[Experiment]) -> None:
    """Raise ValueError naming the first claim that does not fit the package's experiments."""
    by_name = {e.name: e for e in experiments}
    ids = [c.id for c in claims]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate claim ids: {dupes}")
    packages = {e.package for e in experiments}
    for c in claims:
        if packages and c.package not in packages:
            raise ValueError(f"claim {c.id}: package prefix not among {sorted(packages)}")
        exp = by_name.get(c.experiment)
        if exp is None:
            raise ValueError(f"claim {c.id}: unknown experiment {c.experiment!r}; have {sorted(by_name)}")
        named = [c.method, c.baseline, *(c.slope_x or {})]
        for m in named:
            if m is not None and m not in exp.methods:
                raise ValueError(
                    f"claim {c.id}: unknown method {m!r} of {exp.key}; valid: {list(exp.methods)}"
                )
        if c.requires is not None and c.requires not in ids:
            raise ValueError(f"claim {c.id}: requires unknown claim {c.requires!r}")
        if c.superseded_by is not None and (c.superseded_by not in ids or c.superseded_by == c.id):
            raise ValueError(f"claim {c.id}: superseded_by must name another claim, got {c.superseded_by!r}")


def _rng(claim: Claim) -> np.random.Generator:
    # Fixed per claim, so a scoreboard is the same every time it is computed from the same records.
    return np.random.default_rng(zlib.crc32(claim.id.encode()))


def _percentile_ci(samples: np.ndarray) -> tuple[float, float]:
    lo, hi = np.percentile(samples, [2.5, 97.5])
    return float(lo), float(hi)


def _two_arm_stat(claim: Claim, m: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The claim's effect over the last axis (rows are bootstrap resamples). ``b`` may be a constant."""
    sign = 1.0 if claim.higher_is_better else -1.0
    mm, bm = m.mean(axis=-1), b.mean(axis=-1)
    if claim.test == "better":
        return sign * (mm - bm)
    if claim.test == "within":
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 + (mm - bm) / np.abs(bm)
    return mm - bm  # equal


def _verdict(claim: Claim, lo: float, hi: float) -> str:
    t = claim.threshold
    if claim.test == "better":
        return REPRODUCED if lo > t else NOT_REPRODUCED if hi < t else INCONCLUSIVE
    if claim.test == "within":
        if claim.higher_is_better:
            return REPRODUCED if lo >= t else NOT_REPRODUCED if hi < t else INCONCLUSIVE
        return REPRODUCED if hi <= t else NOT_REPRODUCED if lo > t else INCONCLUSIVE
    if claim.test == "equal":
        return REPRODUCED if -t <= lo and hi <= t else NOT_REPRODUCED if lo > t or hi < -t else INCONCLUSIVE
    assert claim.slope_range is not None
    a, z = claim.slope_range
    return REPRODUCED if a <= lo and hi <= z else NOT_REPRODUCED if hi < a or lo > z else INCONCLUSIVE


def _slope(x: np.ndarray, y: np.ndarray) -> float | None:
    keep = (x > 0) & (y > 0) & np.isfinite(y)
    if keep.sum() < 2 or np.ptp(np.log(x[keep])) == 0:
        return None
    return float(np.polyfit(np.log(x[keep]), np.log(y[keep]), 1)[0])


def _slopes(claim: Claim, records: Sequence[ResultRecord]) -> dict[int, float]:
    """seed -> fitted log-log slope."""
    assert claim.metric is not None
    out: dict[int, float] = {}
    if claim.slope_x is not None:
        finals = final_values(records, claim.metric)
        methods = list(claim.slope_x)
        seeds = set.intersection(*(set(finals.get(m, {})) for m in methods))
        for seed in sorted(seeds):
            x = np.array([claim.slope_x[m] for m in methods], dtype=float)
            y = np.array([finals[m][seed] for m in methods], dtype=float)
            s = _slope(x, y)
            if s is not None:
                out[seed] = s
        return out
    points: dict[int, list[tuple[float, float]]] = {}
    lo, hi = claim.x_range or (-math.inf, math.inf)
    for r in records:
        if (
            r.metric == claim.metric
            and r.method == claim.method
            and r.step is not None
            and lo <= r.step <= hi
        ):
            points.setdefault(r.seed, []).append((float(r.step), r.value))
    for seed, pts in sorted(points.items()):
        arr = np.array(sorted(pts), dtype=float)
        s = _slope(arr[:, 0], arr[:, 1])
        if s is not None:
            out[seed] = s
    return out


def evaluate_claim(
    claim: Claim,
    records: Iterable[ResultRecord],
    *,
    experiment: Experiment | None = None,
    preset: str = "",
    reps: int = BOOTSTRAP_REPS,
) -> ClaimResult:
    """The verdict of one claim from the records of its evidence (other experiments' records are ignored)."""
    result = _evaluate(claim, records, experiment=experiment, preset=preset, reps=reps)
    if claim.superseded_by is not None and result.verdict in (TOO_FEW_SEEDS, NOT_RUN):
        note = f"superseded by {claim.superseded_by}"
        result = dataclasses.replace(
            result, verdict=SUPERSEDED, note="; ".join(x for x in (result.note, note) if x)
        )
    return result


def _evaluate(
    claim: Claim,
    records: Iterable[ResultRecord],
    *,
    experiment: Experiment | None,
    preset: str,
    reps: int,
) -> ClaimResult:
    if experiment is not None:
        claim = claim.resolved(experiment)
    if claim.method is None or claim.metric is None or claim.higher_is_better is None:
        raise ValueError(f"claim {claim.id}: method, metric and direction unknown; pass its experiment")
    recs = [r for r in records if r.package == claim.package and r.experiment == claim.experiment]
    rng = _rng(claim)

    if claim.test == "slope":
        slopes = _slopes(claim, recs)
        if not slopes:
            return ClaimResult(claim, NOT_RUN, preset=preset, note="no usable records")
        values = np.array([slopes[s] for s in sorted(slopes)])
        slope_mean = float(values.mean())
        if len(values) < claim.min_seeds:
            return ClaimResult(claim, TOO_FEW_SEEDS, slope_mean, seeds=len(values), preset=preset)
        idx = rng.integers(0, len(values), size=(reps, len(values)))
        lo, hi = _percentile_ci(values[idx].mean(axis=1))
        return ClaimResult(claim, _verdict(claim, lo, hi), slope_mean, lo, hi, len(values), preset)

    finals = final_values(recs, claim.metric)
    m_vals = finals.get(claim.method, {})
    if not m_vals:
        return ClaimResult(claim, NOT_RUN, preset=preset, note=f"no {claim.metric} records of {claim.method}")
    if claim.baseline is None:
        assert claim.target is not None
        m = np.array([m_vals[s] for s in sorted(m_vals)], dtype=float)
        b = np.full_like(m, claim.target)
        n, paired = len(m), True
    else:
        b_vals = finals.get(claim.baseline, {})
        if not b_vals:
            return ClaimResult(
                claim, NOT_RUN, preset=preset, note=f"no {claim.metric} records of {claim.baseline}"
            )
        shared = sorted(set(m_vals) & set(b_vals))
        paired = len(shared) >= min(len(m_vals), len(b_vals)) and len(shared) >= 2
        if paired:
            m = np.array([m_vals[s] for s in shared], dtype=float)
            b = np.array([b_vals[s] for s in shared], dtype=float)
            n = len(shared)
        else:
            m = np.array(list(m_vals.values()), dtype=float)
            b = np.array(list(b_vals.values()), dtype=float)
            n = min(len(m), len(b))
    effect = float(_two_arm_stat(claim, m, b))
    note = "" if paired else "unpaired (the arms share too few seeds)"
    if not math.isfinite(effect):  # e.g. a relative level against a zero baseline
        return ClaimResult(claim, INCONCLUSIVE, None, seeds=n, preset=preset, note="effect undefined")
    if n < claim.min_seeds:
        return ClaimResult(claim, TOO_FEW_SEEDS, effect, seeds=n, preset=preset, note=note)
    if paired:
        idx = rng.integers(0, len(m), size=(reps, len(m)))
        samples = _two_arm_stat(claim, m[idx], b[idx])
    else:  # stratified: each arm resampled on its own
        im = rng.integers(0, len(m), size=(reps, len(m)))
        ib = rng.integers(0, len(b), size=(reps, len(b)))
        samples = _two_arm_stat(claim, m[im], b[ib])
    samples = samples[np.isfinite(samples)]
    if len(samples) == 0:
        return ClaimResult(claim, INCONCLUSIVE, effect, seeds=n, preset=preset, note="effect undefined")
    lo, hi = _percentile_ci(samples)
    return ClaimResult(claim, _verdict(claim, lo, hi), effect, lo, hi, n, preset, note)


def apply_requirements(results: Sequence[ClaimResult]) -> list[ClaimResult]:
    """Mark claims whose headroom check failed as not testable (unless reproduced themselves)."""
    by_id = {r.claim.id: r for r in results}
    out = []
    for r in results:
        req = by_id.get(r.claim.requires) if r.claim.requires else None
        if req is not None and r.verdict != REPRODUCED:
            if req.verdict in (NOT_REPRODUCED, INCONCLUSIVE):
                note = f"headroom check {req.claim.id}: {req.verdict}"
                r = dataclasses.replace(
                    r, verdict=NOT_TESTABLE, note="; ".join(x for x in (r.note, note) if x)
                )
            elif req.verdict in (TOO_FEW_SEEDS, NOT_RUN):
                note = f"headroom unconfirmed ({req.claim.id}: {req.verdict})"
                r = dataclasses.replace(r, note="; ".join(x for x in (r.note, note) if x))
        out.append(r)
    return out


def format_effect(r: ClaimResult | Mapping[str, Any]) -> str:
    """'0.749 [0.70, 0.80]', or the point estimate alone when there is no interval, or '—'."""
    d = r.to_dict() if isinstance(r, ClaimResult) else r
    if d["effect"] is None:
        return "—"
    if d["ci_low"] is None:
        return f"{d['effect']:.3g}"
    return f"{d['effect']:.3g} [{d['ci_low']:.3g}, {d['ci_high']:.3g}]"
