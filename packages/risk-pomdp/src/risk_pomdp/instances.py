"""The paper's experimental POMDP (Sec. 9 / App. E) with its fully observable control, and the brief's
risk-contrast instance."""

from __future__ import annotations

import numpy as np

from risk_pomdp.pomdp import FinitePOMDP

# Sec. 9: rows = from-state; the same kernel for both actions [R: the text gives one matrix].
PAPER_TRANSITION = np.array([[0.03, 0.95, 0.02], [0.04, 0.02, 0.94], [0.89, 0.10, 0.01]])
PAPER_EMISSION = np.array([[0.83, 0.08, 0.09], [0.05, 0.79, 0.06], [0.02, 0.09, 0.89]])
PAPER_REWARD = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # 1 for (s1,a1), (s2,a2), (s3,a1)


def paper_pomdp(horizon: int = 4, observable: bool = False) -> FinitePOMDP:
    """S=3, A=2, O=3, start in s1. ``observable=True``: identity emissions (the MDP control)."""
    emission = np.eye(3) if observable else PAPER_EMISSION / PAPER_EMISSION.sum(1, keepdims=True)
    return FinitePOMDP.homogeneous(np.eye(3)[0], PAPER_TRANSITION, emission, PAPER_REWARD, horizon)


def contrast_pomdp(accuracy: float = 0.8, horizon: int = 3) -> FinitePOMDP:
    """States {start, safe, win, loss}; a0 = safe: 0.3 now and 0.3 per step after; a1 = gamble: 0 now, then win or
    loss w.p. 1/2 (absorbing). In win a0 pays 1 (a1 0); in loss a1 pays 0.1 (a0 0). The state is observed correctly
    w.p. ``accuracy``, else uniformly among the others. Risk-seeking and neutral agents gamble; gamma <= -0.5 plays safe.
    """
    S, A = 4, 2
    T = np.zeros((A, S, S))
    T[0, 0, 1] = 1.0  # start --safe--> safe
    T[1, 0, 2] = T[1, 0, 3] = 0.5  # start --gamble--> win / loss
    for s in (1, 2, 3):
        T[:, s, s] = 1.0
    E = np.full((S, S), (1 - accuracy) / (S - 1))
    np.fill_diagonal(E, accuracy)
    r = np.array([[0.3, 0.0], [0.3, 0.3], [1.0, 0.0], [0.0, 0.1]])
    return FinitePOMDP.homogeneous(np.eye(S)[0], T, E, r, horizon)


def erm_two_point(gamma: float, value: float) -> float:
    """P(return 1) of a {0, 1} return whose entropic risk (1/gamma) ln E e^{gamma R} equals ``value`` in (0, 1)."""
    return float(np.expm1(gamma * value) / np.expm1(gamma))


def erm_lb_centre(gamma: float) -> float:
    """Centre of the two arms' entropic values: 0.15 for gamma > 0, 0.85 for gamma < 0, so the value rests on a rare
    event (return 1 for gamma > 0, return 0 for gamma < 0) whose probability falls like e^{-|gamma|}."""
    return 0.15 if gamma > 0 else 0.85


def erm_lb_pomdp(gamma: float, gap: float = 0.1, accuracy: float = 0.8) -> FinitePOMDP:
    """The entropic lower-bound construction as a POMDP (H=2): from start, arm a moves to good_a w.p. p_a, else to
    bad_a (states: start, good_0, bad_0, good_1, bad_1); at step 2 good states pay 1, bad ones 0 (either action).
    p_a is set so that arm a's entropic risk is c -+ gap/2 (c = :func:`erm_lb_centre`; arm 0, where ties go, is
    worse): the risk gap is the same for every gamma while the event that decides the risk gets rarer as |gamma|
    grows, so the gamma dependence is not confounded by the instance's own gaps. Observations as in
    :func:`contrast_pomdp`."""
    S, A = 5, 2
    T = np.zeros((A, S, S))
    centre = erm_lb_centre(gamma)
    for a, v in enumerate((centre - gap / 2, centre + gap / 2)):
        p = erm_two_point(gamma, v)
        T[a, 0, 1 + 2 * a], T[a, 0, 2 + 2 * a] = p, 1 - p
    for s in range(1, S):
        T[:, s, s] = 1.0
    E = np.full((S, S), (1 - accuracy) / (S - 1))
    np.fill_diagonal(E, accuracy)
    r = np.zeros((S, A))
    r[1] = r[3] = 1.0
    return FinitePOMDP.homogeneous(np.eye(S)[0], T, E, r, 2)


INSTANCES = {
    "paper-pomdp": lambda: paper_pomdp(),
    "paper-mdp": lambda: paper_pomdp(observable=True),
    "contrast": lambda: contrast_pomdp(),
}


def make_instance(name: str, *, gamma: float = 1.0, gap: float = 0.1) -> FinitePOMDP:
    """Instance by name; ``erm-lb`` (the lower-bound construction) takes its gamma and risk gap."""
    if name == "erm-lb":
        return erm_lb_pomdp(gamma, gap)
    if name not in INSTANCES:
        raise ValueError(f"instance must be one of {[*sorted(INSTANCES), 'erm-lb']}, got {name!r}")
    return INSTANCES[name]()


def random_pomdp(rng: np.random.Generator, S: int = 2, A: int = 2, O: int = 2, H: int = 2) -> FinitePOMDP:
    """Random kernels and rewards (tests)."""
    return FinitePOMDP(
        rng.dirichlet(np.ones(S)),
        rng.dirichlet(np.ones(S), size=(H, A, S)),
        rng.dirichlet(np.ones(O), size=(H + 1, S)),
        rng.uniform(0, 1, size=(H, S, A)),
    )
