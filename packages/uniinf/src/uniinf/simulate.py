"""The game loop: a batched policy against a batched environment, recording expected pseudo-regret.

Pseudo-regret uses the policy's own distribution, sum_t (<x_t, mu_t> - mu_{t,i*}) with i* the best arm in
hindsight on the means (for a deterministic rule x_t is one-hot, so this is mu_{t,i_t} - mu_{t,i*}).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from uniinf.environment import BanditEnvironment
from uniinf.ftrl import row_sum
from uniinf.policy import Policy


@dataclasses.dataclass
class Trace:
    """What a run recorded. ``steps`` [P] are rounds t; arrays are [B, P] (row-major like the env)."""

    steps: np.ndarray
    regret: np.ndarray  # cumulative pseudo-regret after round t
    final_regret: np.ndarray  # [B] at each row's own horizon
    diagnostics: dict[str, np.ndarray]  # e.g. "S": [B, P]
    final_diagnostics: dict[str, np.ndarray]  # [B] at each row's horizon
    pulls_best: np.ndarray  # [B] expected number of plays of the best arm up to the row's horizon
    best_at_steps: np.ndarray | None = None  # [B, P] the same, cumulated up to each grid step


def concat_traces(traces: Sequence[Trace]) -> Trace:
    """Stack traces of row blocks played separately (same steps) into one."""
    if len(traces) == 1:
        return traces[0]

    def cat(key: str, field: str) -> np.ndarray:
        return np.concatenate([getattr(t, field)[key] for t in traces])

    return Trace(
        traces[0].steps,
        np.concatenate([t.regret for t in traces]),
        np.concatenate([t.final_regret for t in traces]),
        {k: cat(k, "diagnostics") for k in traces[0].diagnostics},
        {k: cat(k, "final_diagnostics") for k in traces[0].final_diagnostics},
        np.concatenate([t.pulls_best for t in traces]),
        None
        if any(t.best_at_steps is None for t in traces)
        else np.concatenate([t.best_at_steps for t in traces]),
    )


def log_grid(horizon: int, n: int = 16, start: int = 10) -> np.ndarray:
    """About ``n`` log-spaced rounds from ``start`` to ``horizon`` (both included)."""
    start = min(start, horizon)
    return np.unique(np.geomspace(start, horizon, n).round().astype(np.int64))


class Recorder:
    """Cumulative regret and diagnostics at the grid steps and at each row's own horizon."""

    def __init__(self, env: BanditEnvironment, steps: Sequence[int]):
        self.steps = np.asarray(steps, dtype=np.int64)
        self.n_rows = env.n_rows
        self.horizon = env.horizon
        self.regret = np.zeros(env.n_rows)
        self.pulls_best = np.zeros(env.n_rows)
        self.at_steps = np.full((env.n_rows, len(self.steps)), np.nan)
        self.best_at_steps = np.full((env.n_rows, len(self.steps)), np.nan)
        self.final = np.full(env.n_rows, np.nan)
        self.diag_at_steps: dict[str, np.ndarray] = {}
        self.diag_final: dict[str, np.ndarray] = {}
        self.step_index = {int(s): j for j, s in enumerate(self.steps)}
        self._ends = set(int(h) for h in self.horizon)

    def record(self, t: int, diagnostics: Callable[[], dict[str, np.ndarray]]) -> None:
        if t not in self.step_index and t not in self._ends:
            return
        diag = diagnostics()
        if t in self.step_index:
            j = self.step_index[t]
            self.at_steps[:, j] = self.regret
            self.best_at_steps[:, j] = self.pulls_best
            for k, v in diag.items():
                self.diag_at_steps.setdefault(k, np.full_like(self.at_steps, np.nan))[:, j] = v
        if t in self._ends:
            done = self.horizon == t
            self.final[done] = self.regret[done]
            for k, v in diag.items():
                self.diag_final.setdefault(k, np.full(self.n_rows, np.nan))[done] = v[done]

    def trace(self) -> Trace:
        return Trace(
            self.steps,
            self.at_steps,
            self.final,
            self.diag_at_steps,
            self.diag_final,
            self.pulls_best,
            self.best_at_steps,
        )

    def state(self) -> dict[str, np.ndarray]:
        out = {
            "regret": self.regret,
            "pulls_best": self.pulls_best,
            "at_steps": self.at_steps,
            "best_at_steps": self.best_at_steps,
            "final": self.final,
        }
        out.update({f"diag_steps/{k}": v for k, v in self.diag_at_steps.items()})
        out.update({f"diag_final/{k}": v for k, v in self.diag_final.items()})
        return out

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        self.regret, self.pulls_best = arrays["regret"].copy(), arrays["pulls_best"].copy()
        self.at_steps, self.final = arrays["at_steps"].copy(), arrays["final"].copy()
        if "best_at_steps" in arrays:  # absent from checkpoints written before it existed
            self.best_at_steps = arrays["best_at_steps"].copy()
        self.diag_at_steps = {
            k.split("/", 1)[1]: v.copy() for k, v in arrays.items() if k.startswith("diag_steps/")
        }
        self.diag_final = {
            k.split("/", 1)[1]: v.copy() for k, v in arrays.items() if k.startswith("diag_final/")
        }


def play(
    policy: Policy,
    env: BanditEnvironment,
    recorder: Recorder,
    *,
    until: int | None = None,
    on_round: Callable[[int], Any] | None = None,
) -> Trace:
    """Play rounds policy.t .. ``until`` (default: the largest horizon) and return the recorded trace.

    Rows whose horizon has passed keep playing (the batch moves in lockstep) but their final values are
    already frozen; a row's trace never depends on rounds after its horizon.
    """
    if policy.n_rows != env.n_rows or policy.n_arms != env.n_arms:
        raise ValueError(
            f"policy plays {policy.n_rows} rows x {policy.n_arms} arms, environment has {env.n_rows} x {env.n_arms}"
        )
    last = int(env.horizon.max()) if until is None else until
    rows, best = env.rows, env.best_arm
    for t in range(policy.t, last + 1):
        x = policy.probabilities()
        arms = policy.act(env.uniforms(t))
        mu = env.means(t)
        alive = t <= recorder.horizon
        expected = row_sum(x * mu)
        recorder.regret += np.where(alive, expected - mu[rows, best], 0.0)
        recorder.pulls_best += np.where(alive, x[rows, best], 0.0)
        policy.update(arms, mu[rows, arms] + env.played_noise(t, arms))  # bandit feedback: played arm only
        recorder.record(t, policy.diagnostics)
        if on_round is not None:
            on_round(t)
    return recorder.trace()
