"""The Lagrangian dual loop for the average-energy budget (one multiplier per node when multi-hop).

The primal problem is max_π throughput s.t. Ē ≤ E_0; its Lagrangian relaxation trains the policy on
r = β·delivered − λ·energy and moves λ by (projected) sub-gradient steps on the constraint violation. The
brief's plan is a plain integral step λ <- [λ + η (Ē − E_0)/E_0]⁺. Run with the policy learning underneath,
that step alone oscillates (the policy answers a change of λ with a lag), so three standard stabilisers are
options here [S]:

* a running average of Ē (``ema``): the step follows the constraint violation of the recent past, not the
  noise of one small evaluation;
* a decreasing step η_k = η_0 / (1 + k)^decay, the classic condition for a sub-gradient dual iterate to
  settle;
* a proportional term (PID-Lagrangian, Stooke et al. 2020): λ = [λ_I + k_p·err]⁺, which pushes back at once
  on overspending while the integral part λ_I finds the steady price.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class DualState:
    """λ_I (integral part), Ē (running average) and the step counter k, one entry per constrained node."""

    integral: np.ndarray
    energy_avg: np.ndarray
    steps: int = 0

    @classmethod
    def start(cls, lam_init: float, n_nodes: int) -> DualState:
        return cls(np.full(n_nodes, float(lam_init)), np.full(n_nodes, np.nan), 0)

    def to_json(self) -> dict:
        return {
            "integral": self.integral.tolist(),
            "energy_avg": self.energy_avg.tolist(),
            "steps": self.steps,
        }

    @classmethod
    def from_json(cls, d: dict) -> DualState:
        return cls(np.asarray(d["integral"], float), np.asarray(d["energy_avg"], float), int(d["steps"]))


def relative_violation(energy: np.ndarray, e0: np.ndarray) -> np.ndarray:
    """(Ē − E_0)/E_0: dimensionless, so one step size serves any budget scale."""
    return (np.asarray(energy, float) - e0) / e0


def dual_step(
    state: DualState,
    energy: np.ndarray,
    e0: np.ndarray,
    lr: float,
    decay: float = 0.0,
    kp: float = 0.0,
    ema: float = 0.0,
) -> tuple[DualState, np.ndarray]:
    """One dual update from a new energy estimate; returns the new state and the multiplier λ ≥ 0 to train
    with. ``decay=kp=ema=0`` is the plain projected step λ <- [λ + η (Ē − E_0)/E_0]⁺."""
    energy = np.asarray(energy, float)
    avg = np.where(np.isnan(state.energy_avg), energy, ema * state.energy_avg + (1.0 - ema) * energy)
    err = relative_violation(avg, e0)
    eta = lr / (1.0 + state.steps) ** decay
    integral = np.maximum(0.0, state.integral + eta * err)  # projection onto λ ≥ 0
    lam = np.maximum(0.0, integral + kp * relative_violation(energy, e0))
    return DualState(integral, avg, state.steps + 1), lam


def mixture_weights(throughput: np.ndarray, energy: np.ndarray, e0: float) -> dict[int, float]:
    """The best randomised policy over measured iterates: max Σ w_k T_k s.t. Σ w_k E_k ≤ E_0, Σ w_k = 1.

    Why: the success probability tanh(e/(d³q)) is almost linear in e on [0, 1], so the Lagrangian's best
    response is nearly bang-bang and, at the right price λ*, indifferent between spending more or less; the
    last iterate then lands anywhere on that flat stretch. Constrained-MDP optima are randomised policies
    (a mix of at most #constraints + 1 deterministic ones), and mixing the dual loop's own iterates, as
    primal averaging does, recovers the budget. With one constraint the linear program's optimum is a single
    iterate or a pair straddling E_0. If no iterate is within budget, the cheapest one is returned.
    """
    t, e = np.asarray(throughput, float), np.asarray(energy, float)
    if len(t) == 0:
        raise ValueError("mixture_weights needs at least one measured iterate")
    feasible = np.flatnonzero(e <= e0)
    if len(feasible) == 0:
        return {int(np.argmin(e)): 1.0}
    best_i = int(feasible[np.argmax(t[feasible])])
    best, value = {best_i: 1.0}, t[best_i]
    for i in feasible:
        for j in np.flatnonzero(e > e0):
            w = (e0 - e[i]) / (e[j] - e[i])  # the weight on j that spends exactly E_0
            v = (1 - w) * t[i] + w * t[j]
            if v > value:
                best, value = {int(i): 1.0 - w, int(j): w}, v
    return best
