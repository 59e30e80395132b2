"""C4 at the target system's own budget: a frozen per-user agent, trained with N users, run on N' users.

Why not simply run the trained policy on N' users: its energy there is whatever its weights imply, since the
budget was enforced by a dual loop on the training system. A bigger (or differently loaded) system then gets
a policy that over- or under-spends, and its throughput cannot be compared with anyone's at E_0'.

Why not re-tune λ alone on the target: the agent's networks do not take λ as an input; λ only prices the
rewards the critics learn from. With the weights frozen, a new λ changes nothing. What the dual loop *does*
leave as a tunable output is the randomisation over its iterates (``dual.mixture_weights``): the final policy
is a budget-feasible mix of the iterates it measured, each trained at a different price. So the transfer
re-solves that mix on the target system: every kept iterate is measured on calibration episodes of the
N'-user system (no gradient step, no new iterate), the linear program picks the best mix within E_0' there,
and the result is reported on separate evaluation episodes. Reading the LP's value at E_0' is the same as
reading the iterates' throughput-energy Pareto hull on the target system at E_0'.

The iterates may all underspend on the target instead (a policy priced for the training system's budget can
be too frugal for the new one), and no mix can then reach E_0'. So a second reading gives the delivered
policy (the training system's final mix, probabilities unchanged) one scalar knob tuned on the target, as the
constant heuristic has: every energy it chooses is scaled, e -> min(1, κ·e), with κ found by bisection so
that Ē = E_0' on the calibration episodes (``scaled_policy``). The recurrent agents are fed their own
unscaled previous action, as in training. κ < 1 cuts spending, κ > 1 lets the learned allocation spend a
larger budget.

If every iterate overspends on the target, no mix of them fits E_0'. With ``idle=True`` the candidates also
hold the policy that transmits nothing (zero energy, zero throughput), so a mix always fits: the frozen agent
then runs a share E_0'/Ē_k of the episodes and idles in the rest. That is a crude but honest lower bound on
what the frozen agent can do within budget; ``Transfer.mixture`` shows when it was needed (episode -1).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from paperkit import Seeder

from rsd4.config import LEARNED, Config
from rsd4.dual import mixture_weights
from rsd4.heuristics import constant_policy, node_budgets
from rsd4.rollout import summarize
from rsd4.train import (
    CALIBRATION_SEED,
    Result,
    _agent_from,
    _result,
    agent_policy,
    dims,
    evaluate_policy,
    make_core,
)


@dataclasses.dataclass
class Transfer:
    """The frozen agent on the target system, four ways (all on the target's evaluation episodes)."""

    resolved: Result  # the mix over the iterates re-solved within the target's E_0' (the fair comparison)
    scaled: (
        Result  # the training system's final mix with its energies scaled by kappa (Ē = E_0' on calibration)
    )
    kappa: float
    as_trained: Result  # the training system's final mix, probabilities unchanged (energy uncontrolled)
    last: Result  # the last iterate alone (energy uncontrolled)
    calibration: list[tuple[int, float, float]]  # per iterate: (episode, throughput, energy) on calibration
    mixture: list[tuple[int, float]]  # the re-solved mix: (episode of iterate or -1 = idle, probability)


def scaled_policy(inner, kappa: float):
    """``inner`` with every energy scaled, e -> min(1, κ·e); ``inner`` still sees its own previous action."""
    if not kappa >= 0:
        raise ValueError(f"kappa must be >= 0, got {kappa}")

    def policy(obs, prev, state, core):
        inner_state, own_prev = (None, np.zeros_like(prev)) if state is None else state
        a, inner_state = inner(obs, own_prev, inner_state, core)
        a = np.clip(a, -1.0, 1.0)
        e = np.minimum(1.0, kappa * (a + 1.0) / 2.0)
        return 2.0 * e - 1.0, (inner_state, a)

    return policy


def calibrate_scale(energy_at, e0: float, hi: float = 8.0, iters: int = 14) -> float:
    """The κ in [0, hi] with ``energy_at(κ)`` = E_0 (bisection; ``energy_at`` on common random numbers);
    ``hi`` when even κ = hi spends less."""
    if energy_at(hi) <= e0:
        return hi
    lo = 0.0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if energy_at(mid) <= e0:
            lo = mid
        else:
            hi = mid
    return lo


def target_config(cfg: Config, n_users: int) -> Config:
    """The target system: the same config with ``n_users`` users (drawn from the same ``system_seed``), the
    system an agent trained on it directly would see."""
    if n_users < 1:
        raise ValueError(f"n_users must be >= 1, got {n_users}")
    return dataclasses.replace(cfg, n_users=n_users, transfer_users=0, run_dir="", checkpoint_every=0)


def transfer_at_budget(
    cfg: Config, res: Result, n_users: int, calibration_episodes: int | None = None, idle: bool = True
) -> Transfer:
    """Run the agent of ``train(cfg)`` (``res``) on the ``n_users``-user system at that system's budget,
    re-solving only the mix over its frozen iterates (see the module docstring)."""
    if cfg.method not in LEARNED:
        raise ValueError(f"transfer_at_budget needs a learned method, got method={cfg.method!r}")
    if not res.iterates or res.agent is None:
        raise ValueError(
            "transfer_at_budget needs the dual loop's iterates: train with dual=True and final_policy='mixture'"
        )
    episodes = cfg.dual_eval_episodes if calibration_episodes is None else calibration_episodes
    if episodes < 1:
        raise ValueError(f"calibration_episodes must be >= 1, got {episodes}")
    tcfg = target_config(cfg, n_users)
    core = make_core(tcfg)
    e0_nodes = node_budgets(core, tcfg.budget_fraction, tcfg.episode_len, CALIBRATION_SEED)
    e0 = float(e0_nodes.sum())
    o_dim, a_dim = dims(tcfg, core)
    if (o_dim, a_dim) != dims(cfg, make_core(cfg)):
        raise ValueError(f"the agent's row sizes do not fit the {n_users}-user system")
    seeder = Seeder(cfg.seed)
    eval_seed, calib_seed = seeder.int("eval"), seeder.int("transfer_calibration")
    w = core.throughput_weights

    def run(agent, seed, n, kappa=1.0):
        policy = constant_policy(0.0) if agent is None else agent_policy(agent, tcfg.obs_scale)
        if kappa != 1.0:
            policy = scaled_policy(policy, kappa)
        return evaluate_policy(tcfg, core, policy, seed, n)

    agents = [(int(ep), _agent_from(st, cfg, o_dim, a_dim)) for ep, st in res.iterates]
    calib = []
    for ep, a in agents:
        s = summarize(run(a, calib_seed, episodes), w)
        calib.append((ep, float(s["throughput"].mean()), float(s["energy"].mean())))
    if idle:  # transmitting nothing delivers nothing and spends nothing (tanh(0) = 0)
        agents.append((-1, None))
        calib.append((-1, 0.0, 0.0))
    mix = mixture_weights(np.array([c[1] for c in calib]), np.array([c[2] for c in calib]), e0)
    lam = np.asarray(res.lam_nodes or [res.lam], float)
    resolved = _result(
        [(wk, run(agents[k][1], eval_seed, tcfg.eval_episodes)) for k, wk in mix.items()], core, e0_nodes, lam
    )
    as_trained = _result(
        [(wk, run(a, eval_seed, tcfg.eval_episodes)) for wk, a in res.members], core, e0_nodes, lam
    )

    def mix_energy(kappa):  # the delivered mix's expected energy/slot on the calibration episodes
        return sum(
            wk * float(summarize(run(a, calib_seed, episodes, kappa), w)["energy"].mean())
            for wk, a in res.members
        )

    kappa = calibrate_scale(mix_energy, e0)
    scaled = _result(
        [(wk, run(a, eval_seed, tcfg.eval_episodes, kappa)) for wk, a in res.members], core, e0_nodes, lam
    )
    last = _result([(1.0, run(res.agent, eval_seed, tcfg.eval_episodes))], core, e0_nodes, lam)
    resolved.throughput_last, resolved.energy_last = last.throughput, last.energy
    resolved.mixture = [(agents[k][0], float(wk)) for k, wk in mix.items()]
    return Transfer(resolved, scaled, kappa, as_trained, last, calib, resolved.mixture)
