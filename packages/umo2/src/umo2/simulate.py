"""The slot loop: an algorithm (scheduler + admission) against the adversarial network, batched over rows.

Rows are (seed, horizon) pairs; an algorithm's parameters depend on its row's horizon T (V = T^kappa, ...),
and a row's statistics stop at its own T while the batch moves on in lockstep.

:class:`Simulator` holds the whole state of a run (queues, learners, running sums, the adversary's random
streams) so that it can stop after any slot, be checkpointed and resume bit-exactly; :func:`simulate` runs
one to the end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from umo2.config import RunConfig
from umo2.learners import (
    BanditAdmission,
    FixedAdmission,
    GreedyStale,
    ModeLearner,
    OracleAdmission,
    RandomModes,
)
from umo2.network import Topology, differential_backlog, queue_step
from umo2.reference import reference_admission
from umo2.schedule import Schedule, utility


@dataclasses.dataclass
class Trace:
    """Per row: time-average backlog (1/T) sum_t ||Q_t||_1, final backlog, utility gap to the reference
    (1/T) sum_t f_t(lambda*_t) - f_t(lambda_t), fraction of link-slots on the best mode, mean admission;
    ``backlog`` [B, P] is ||Q_t||_1 at ``steps``."""

    horizon: np.ndarray
    avg_backlog: np.ndarray
    final_backlog: np.ndarray
    gap: np.ndarray
    good_mode: np.ndarray
    admission: np.ndarray
    steps: np.ndarray
    backlog: np.ndarray


def tuned_parameters(
    cfg: RunConfig, horizon: np.ndarray, switches: np.ndarray, informed: bool
) -> dict[str, np.ndarray]:
    """[R] parameter choices. Informed (the theorem's C_lambda, delta_lambda known): fixed share = switches / T,
    exploration sqrt(switches / T); default (not informed): share 1/sqrt(T), exploration T^(-1/3)."""
    T = horizon.astype(float)
    if informed:
        share, explore = switches / T, np.clip(np.sqrt(switches / T), 0.02, 0.5)
    else:
        share, explore = 1.0 / np.sqrt(T), np.clip(T ** (-1 / 3), 0.02, 0.5)
    return {"share": share, "explore": explore, "V": T**cfg.v_exponent, "delta": T ** (-cfg.delta_exponent)}


class Simulator:
    """``cfg.algorithm`` on rows (seeds[r], horizons[r]), advanced slot by slot with :meth:`run`."""

    SUMS = ("backlog", "gap", "good", "admit")

    def __init__(
        self,
        topo: Topology,
        cfg: RunConfig,
        horizons: Sequence[int],
        seeds: Sequence[int],
        n_points: int = 24,
    ):
        self.topo, self.cfg = topo, cfg
        self.horizon = np.asarray(horizons, dtype=np.int64)
        self.seeds = [int(s) for s in seeds]
        if len(self.seeds) != len(self.horizon):
            raise ValueError(f"{len(self.seeds)} seeds for {len(self.horizon)} horizons")
        B, L, M, C = len(self.horizon), topo.n_links, topo.n_modes, topo.n_commodities
        self.T_max = int(self.horizon.max())
        self.sched = Schedule(
            topo,
            self.T_max,
            self.seeds,
            block_base=cfg.block_base,
            utility_block_base=cfg.utility_block_base,
            packet_success=cfg.packet_success,
        )
        switches = np.array(
            [np.searchsorted(self.sched.cap_starts, T, side="right") for T in self.horizon], dtype=float
        )
        algo = cfg.algorithm
        par = tuned_parameters(cfg, self.horizon, switches, informed=algo != "umo2_default")
        self.scheduler: Any
        if algo in ("umo2", "umo2_default", "single_hop", "fixed_rate"):
            self.scheduler = ModeLearner(
                B,
                L,
                M,
                explore=par["explore"],
                share=par["share"],
                adaptive=algo != "fixed_rate",
                scale_memory=cfg.scale_memory,
            )
        elif algo == "stale":
            self.scheduler = GreedyStale(B, L, M)
        elif algo == "random":
            self.scheduler = RandomModes(M)
        else:
            self.scheduler = None  # oracle reads c_t
        self.admission: Any
        if algo == "oracle":
            self.admission = OracleAdmission(topo.admission_max, par["V"])
        elif algo == "random":
            self.admission = FixedAdmission(B, C, min(cfg.fixed_admission, topo.admission_max))
        else:
            self.admission = BanditAdmission(
                B,
                C,
                topo.admission_max,
                V=par["V"],
                delta=par["delta"],
                eta0=cfg.eta0,
                adaptive=algo != "fixed_rate",
                residual=cfg.residual_feedback,
                rate=cfg.admission_rate,
            )
        self.single_hop = algo == "single_hop"
        self._rows, self._links = np.indices((B, L))
        self._cols = np.arange(C)
        self.steps = np.unique(np.geomspace(1, self.T_max, n_points).round().astype(np.int64))
        self._step_index = {int(s): j for j, s in enumerate(self.steps)}
        # the state a checkpoint carries (besides the learners' and the schedule's)
        self.t = 0
        self.Q = np.zeros((B, topo.n_nodes, C))
        self.sums = {k: np.zeros(B) for k in self.SUMS}
        self.final_backlog = np.zeros(B)
        self.curve = np.full((B, len(self.steps)), np.nan)
        self._ref_block, self._lam_ref, self._best_mode = -1, np.zeros((B, C)), np.zeros((B, L), np.int64)

    @property
    def done(self) -> bool:
        return self.t >= self.T_max

    def run(self, until: int | None = None) -> Simulator:
        """Play slots t+1 .. min(until, T_max)."""
        end = self.T_max if until is None else min(int(until), self.T_max)
        for t in range(self.t + 1, end + 1):
            self._slot(t)
            self.t = t
        return self

    def _slot(self, t: int) -> None:
        topo, sched = self.topo, self.sched
        block = sched.cap_block(t)
        if block != self._ref_block:  # the reference (and the best modes) change only at block boundaries
            self._ref_block, self._lam_ref = block, reference_admission(sched, t, self.cfg.slack)
            self._best_mode = np.argmax(sched.expected_capacities(t), axis=2)
        W, k = differential_backlog(topo, self.Q, single_hop=self.single_hop)
        caps = sched.capacities(t)
        if self.scheduler is None:
            modes = np.argmax(caps, axis=2)
        else:
            modes = self.scheduler.choose(W, sched.player_uniforms(t))
        observed = caps[self._rows, self._links, modes]  # bandit feedback: the played mode only
        active = W > 0
        q_src = self.Q[:, topo.source, self._cols]
        w_t = sched.weight(t)
        if isinstance(self.admission, OracleAdmission):
            self.admission.weight = w_t[:, None]
        lam = self.admission.choose(q_src, sched.player_normals(t))
        f = utility(w_t, lam)
        self.Q, _ = queue_step(topo, self.Q, np.where(active, observed, 0.0), k, lam)
        if self.scheduler is not None:
            self.scheduler.update(modes, W, observed, active)
        self.admission.update(f, q_src)
        alive = t <= self.horizon
        backlog = self.Q.sum(axis=(1, 2))
        self.sums["backlog"] += np.where(alive, backlog, 0.0)
        self.sums["gap"] += np.where(alive, utility(w_t, self._lam_ref) - f, 0.0)
        self.sums["good"] += np.where(alive, (modes == self._best_mode).mean(axis=1), 0.0)
        self.sums["admit"] += np.where(alive, lam.sum(axis=1), 0.0)
        self.final_backlog = np.where(self.horizon == t, backlog, self.final_backlog)
        if t in self._step_index:
            self.curve[:, self._step_index[t]] = np.where(alive, backlog, np.nan)

    def trace(self) -> Trace:
        """Statistics over the slots played so far (each row's own T once the run is done)."""
        T = np.maximum(np.minimum(self.horizon, self.t), 1).astype(float)
        final = np.where(self.horizon <= self.t, self.final_backlog, self.Q.sum(axis=(1, 2)))
        s = self.sums
        return Trace(
            self.horizon,
            s["backlog"] / T,
            final,
            s["gap"] / T,
            s["good"] / T,
            s["admit"] / T,
            self.steps,
            self.curve.copy(),
        )

    # -- checkpoint state -------------------------------------------------------------------------------

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(arrays, JSON-able state): everything :meth:`load_state` needs to continue bit-exactly."""
        arrays = {
            "Q": self.Q,
            "final_backlog": self.final_backlog,
            "curve": self.curve,
            "lam_ref": self._lam_ref,
            "best_mode": self._best_mode,
            **{f"sum.{k}": v for k, v in self.sums.items()},
            **{f"schedule.{k}": v for k, v in self.sched.state_arrays().items()},
            **{f"admission.{k}": v for k, v in self.admission.state_arrays().items()},
        }
        if self.scheduler is not None:
            arrays.update({f"scheduler.{k}": v for k, v in self.scheduler.state_arrays().items()})
        meta = {
            "t": self.t,
            "ref_block": self._ref_block,
            "seeds": self.seeds,
            "horizons": self.horizon.tolist(),
            "rngs": self.sched.rng_states(),
        }
        return arrays, meta

    def load_state(self, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Simulator:
        if meta["seeds"] != self.seeds or meta["horizons"] != self.horizon.tolist():
            raise ValueError(
                f"checkpoint is for seeds {meta['seeds']} / horizons {meta['horizons']}, "
                f"not {self.seeds} / {self.horizon.tolist()}"
            )

        def part(prefix: str) -> dict[str, np.ndarray]:
            return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}

        self.t, self._ref_block = int(meta["t"]), int(meta["ref_block"])
        self.Q = arrays["Q"].copy()
        self.final_backlog = arrays["final_backlog"].copy()
        self.curve = arrays["curve"].copy()
        self._lam_ref, self._best_mode = arrays["lam_ref"].copy(), arrays["best_mode"].copy()
        self.sums = {k: v.copy() for k, v in part("sum.").items()}
        self.sched.load_state(part("schedule."), meta["rngs"])
        self.admission.load_state_arrays(part("admission."))
        if self.scheduler is not None:
            self.scheduler.load_state_arrays(part("scheduler."))
        return self


def simulate(
    topo: Topology, cfg: RunConfig, horizons: Sequence[int], seeds: Sequence[int], n_points: int = 24
) -> Trace:
    """Play ``cfg.algorithm`` on rows (seeds[r], horizons[r]) to the end."""
    return Simulator(topo, cfg, horizons, seeds, n_points).run().trace()
