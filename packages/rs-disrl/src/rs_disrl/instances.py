"""The brief's risk-contrast instances (Z: zero-mean linear MDP; G: augmentation necessity) and random MDPs."""

from __future__ import annotations

import numpy as np

from rs_disrl.mdp import FiniteMDP

# Instance Z: probability q[s, a] of the volatile mode (reward +-1 w.p. 1/2, next state ~ MU_VOLATILE);
# otherwise the calm mode (reward 0, next state ~ MU_CALM). Every policy has mean return 0.
Q_VOLATILE = np.array([[0.1, 0.9], [0.5, 0.6], [0.8, 0.2]])
MU_CALM = np.array([0.2, 0.3, 0.5])
MU_VOLATILE = np.array([0.5, 0.3, 0.2])


def instance_z(horizon: int = 6, q: np.ndarray = Q_VOLATILE) -> FiniteMDP:
    """Zero-mean discretised linear MDP (S=3, A=2, d=2, atoms {-1, 0, 1}), phi(s, a) = (1 - q, q)."""
    q = np.asarray(q, dtype=np.float64)
    S, A = q.shape
    kernel = np.zeros((horizon, S, A, S, 3))
    calm = (1 - q)[:, :, None] * MU_CALM[None, None, :]
    volatile = q[:, :, None] * MU_VOLATILE[None, None, :]
    kernel[:, :, :, :, 1] = calm  # atom 0
    kernel[:, :, :, :, 0] = volatile / 2  # atom -1
    kernel[:, :, :, :, 2] = volatile / 2  # atom +1
    features = np.stack([1 - q, q], axis=-1)
    init = np.eye(S)[0]
    return FiniteMDP(kernel, np.array([-1.0, 0.0, 1.0]), init, features)


def instance_g(p_win: float = 0.55) -> FiniteMDP:
    """H=2, one state. Step 1: forced fair coin +-1. Step 2: safe (0) or gamble (+1 w.p. p_win, else -1).

    For CVaR_0.6 the best policy gambles only when behind (-0.583) while the best Markov policy is always-safe
    (-0.667): any learner whose policy ignores the accumulated reward has linear regret."""
    kernel = np.zeros((2, 1, 2, 1, 3))
    kernel[0, 0, :, 0] = [0.5, 0.0, 0.5]
    kernel[1, 0, 0, 0] = [0.0, 1.0, 0.0]
    kernel[1, 0, 1, 0] = [1 - p_win, 0.0, p_win]
    features = np.eye(2)[None, :, :]  # phi(s, a) = one-hot(a)
    return FiniteMDP(kernel, np.array([-1.0, 0.0, 1.0]), np.ones(1), features)


def random_mdp(rng: np.random.Generator, S: int = 2, A: int = 2, H: int = 2, atoms=(0.0, 1.0)) -> FiniteMDP:
    """A random joint kernel (Dirichlet rows), for tests."""
    atoms = np.asarray(atoms, dtype=np.float64)
    kernel = rng.dirichlet(np.ones(S * atoms.size), size=(H, S, A)).reshape(H, S, A, S, atoms.size)
    return FiniteMDP(kernel, atoms, rng.dirichlet(np.ones(S)))


def instance_cvar_lb(tau: float, gap: float = 0.05) -> FiniteMDP:
    """The CVaR lower-bound construction (a two-armed bandit, H=1): each arm pays 2 w.p. 1 - tau; otherwise (the
    lower tau-tail) 1 w.p. 1/2 + eps_a, else 0, with eps_0 = -gap and eps_1 = +gap. CVaR_tau(arm a) = 1/2 + eps_a, so
    the CVaR gap 2 * gap does not depend on tau, while the only informative event has probability tau: telling the
    arms apart takes ~1/(tau gap^2) pulls (regret ~ sqrt(K / tau) at the minimax gap). Arm 0, which ties go to,
    is the worse one."""
    kernel = np.zeros((1, 1, 2, 1, 3))
    for a, e in enumerate((-gap, gap)):
        kernel[0, 0, a, 0] = [tau * (0.5 - e), tau * (0.5 + e), 1 - tau]
    return FiniteMDP(kernel, np.array([0.0, 1.0, 2.0]), np.ones(1), np.eye(2)[None, :, :])


def erm_two_point(gamma: float, value: float) -> float:
    """P(reward 1) of a {0, 1} reward whose entropic risk (1/gamma) ln E e^{gamma Z} equals ``value`` in (0, 1)."""
    return float(np.expm1(gamma * value) / np.expm1(gamma))


def erm_lb_centre(gamma: float) -> float:
    """Centre of the two arms' entropic values in the lower-bound bandits: 0.15 for gamma > 0, 0.85 for gamma < 0, so
    the value rests on a rare event (a 1 for gamma > 0, a 0 for gamma < 0) whose probability falls like e^{-|gamma|}
    (the mechanism of the e^{|gamma| H} lower bounds)."""
    return 0.15 if gamma > 0 else 0.85


def instance_erm_lb(gamma: float, gap: float = 0.1) -> FiniteMDP:
    """The entropic lower-bound construction (a two-armed bandit, H=1, rewards {0, 1}): arm a pays 1 w.p. p_a chosen
    so that its entropic risk is c -+ gap/2 (c = :func:`erm_lb_centre`; arm 0, where ties go, is worse). The risk gap
    is ``gap`` at every gamma, while the event that decides the risk gets rarer as |gamma| grows: the instance
    isolates the gamma dependence."""
    kernel = np.zeros((1, 1, 2, 1, 2))
    centre = erm_lb_centre(gamma)
    for a, v in enumerate((centre - gap / 2, centre + gap / 2)):
        p = erm_two_point(gamma, v)
        kernel[0, 0, a, 0] = [1 - p, p]
    return FiniteMDP(kernel, np.array([0.0, 1.0]), np.ones(1), np.eye(2)[None, :, :])


INSTANCES = {"Z": instance_z, "G": instance_g}


def make_instance(name: str, *, tau: float = 0.3, gamma: float = 1.0, gap: float = 0.05) -> FiniteMDP:
    """Instance by name; the lower-bound constructions ``cvar-lb`` / ``erm-lb`` take their tau / gamma and gap."""
    if name == "cvar-lb":
        return instance_cvar_lb(tau, gap)
    if name == "erm-lb":
        return instance_erm_lb(gamma, gap)
    if name not in INSTANCES:
        raise ValueError(f"instance must be one of {[*sorted(INSTANCES), 'cvar-lb', 'erm-lb']}, got {name!r}")
    return INSTANCES[name]()
