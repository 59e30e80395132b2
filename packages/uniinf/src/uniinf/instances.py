"""The brief's instances E1-E4 as :class:`uniinf.environment.Instance` rows.

All keep the best arm's mean >= 0, so Assumption 1 holds for the symmetric noises (see environment.py).
"""

from __future__ import annotations

from uniinf.environment import Instance


def effective_alpha(noise: str, tail: float) -> float:
    """alpha := min(p, 2): the exponent in the minimax rate T^(1/alpha) (gaussian: 2)."""
    return 2.0 if noise == "gaussian" else min(tail, 2.0)  # two_point: tail is the design alpha


def stochastic(
    n_arms: int, gap: float, horizon: int, *, noise: str = "pareto", tail: float = 1.6, scale: float = 0.5
) -> Instance:
    """E1: mu = (0, gap, ..., gap), fixed over time."""
    return Instance(
        (0.0,) + (gap,) * (n_arms - 1),
        horizon,
        noise,
        tail,
        scale,
        label=f"stochastic/K{n_arms}/gap{gap}/{noise}{tail}",
    )


def ucb_killer(horizon: int, *, noise: str = "pareto", tail: float = 1.6, scale: float = 0.5) -> Instance:
    """E2 (K = 2): arm A has mean 0 for t <= T/3 then 1; arm B has mean 0.5 (best in hindsight)."""
    return Instance(
        (0.0, 0.5),
        horizon,
        noise,
        tail,
        scale,
        late=(1.0, 0.5),
        switch=horizon // 3,
        label=f"ucb_killer/{noise}{tail}",
    )


def stochastically_constrained(
    n_arms: int,
    gap: float,
    horizon: int,
    *,
    noise: str = "pareto",
    tail: float = 1.6,
    scale: float = 0.5,
    period: float = 1000.0,
) -> Instance:
    """E3: E1's gaps plus a common offset (1 + sin(2 pi t / period + random phase)) / 2 on every arm."""
    return Instance(
        (0.0,) + (gap,) * (n_arms - 1),
        horizon,
        noise,
        tail,
        scale,
        offset_amp=1.0,
        offset_period=period,
        label=f"stoch_constrained/K{n_arms}/gap{gap}/{noise}{tail}",
    )


def minimax(
    n_arms: int, horizon: int, *, noise: str = "pareto", tail: float = 1.6, scale: float = 0.5, c: float = 1.0
) -> Instance:
    """E4: gap shrinking with T, Delta_T = c K^(1 - 1/alpha) T^(-(1 - 1/alpha)), so regret ~ T Delta_T ~ T^(1/alpha)."""
    a = effective_alpha(noise, tail)
    gap = c * n_arms ** (1 - 1 / a) * horizon ** (-(1 - 1 / a))
    return Instance(
        (0.0,) + (gap,) * (n_arms - 1),
        horizon,
        noise,
        tail,
        scale,
        label=f"minimax/K{n_arms}/T{horizon}/{noise}{tail}",
    )


def lower_bound(
    n_arms: int, horizon: int, *, alpha: float = 1.6, sigma: float = 1.0, m: float = 1.0, eta: float = 0.5
) -> Instance:
    """E6: the two-point lower-bound family of Bubeck, Cesa-Bianchi and Lugosi (2013), at horizon T.

    Every loss is 0 or M = sigma m (T/K)^(1/alpha); a suboptimal arm pays M with probability
    gamma = (sigma/M)^alpha = m^-alpha K/T (so E l^alpha = sigma^alpha exactly), the best arm with
    gamma (1 - eta). Gap Delta_T = eta gamma M = eta sigma m^(1-alpha) (K/T)^(1-1/alpha), so the trivial
    regret T Delta_T (K-1)/K grows like T^(1/alpha), and each arm sees the big loss about m^-alpha times in
    T/K plays at every T: the family is self-similar in T, which is what pins every algorithm's regret to
    T^(1/alpha) (the minimax rate) once the big losses, not the start-up, decide the game.
    """
    big = sigma * m * (horizon / n_arms) ** (1.0 / alpha)
    gamma = (sigma / big) ** alpha
    if not 0.0 < gamma <= 1.0:
        raise ValueError(f"lower_bound needs gamma = m^-alpha K/T in (0, 1], got {gamma} (T={horizon})")
    means = (gamma * (1.0 - eta) * big,) + (gamma * big,) * (n_arms - 1)
    return Instance(
        means,
        horizon,
        "two_point",
        alpha,
        big,
        label=f"lower_bound/K{n_arms}/T{horizon}/a{alpha}/m{m}/eta{eta}",
    )
