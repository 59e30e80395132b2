"""train(cfg) -> Result: a scheduling agent (or heuristic) under an average-energy budget.

Learned agents act per user (user-level decomposition: one shared actor/critic set sees one user's row and
outputs that user's τ_max+1 energies), store per-user episodes in one buffer, and train on whole episodes.
The energy budget E_0 is enforced by the Lagrangian dual loop (``dual.py``): every ``dual_every`` episodes Ē
is measured on greedy evaluation episodes and λ takes a projected step on (Ē − E_0)/E_0. Rewards are
recomputed from stored (delivered, per-node energy) with the current λ whenever a batch is drawn. Multi-hop
systems (``n_hops > 1``, ``multihop.py``) have one budget and one λ per node.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import torch
from paperkit import MetricsLogger, Seeder, load_checkpoint, save_checkpoint

from rsd4.agent import Agent, AgentSpec
from rsd4.config import LEARNED, Config
from rsd4.dual import DualState, dual_step, mixture_weights
from rsd4.env import SchedulerCore, draw_system, obs_dim
from rsd4.heuristics import calibrate, constant_policy, greedy_policy, node_budgets
from rsd4.multihop import MultiHopCore, draw_multihop_system, multihop_obs_dim
from rsd4.rollout import mean_ci, run_episodes, summarize

SPECS = {
    "rsd4": dict(recurrent=True, double_actor=True),
    "rtd3": dict(recurrent=True, double_actor=False),
    "sd3": dict(recurrent=False, double_actor=True),
    "td3": dict(recurrent=False, double_actor=False),
}
CALIBRATION_SEED = 12345  # common random numbers for E_0 and the heuristics' calibration
MIXTURE_DIR = "mixture"  # under run_dir: the final randomised policy (members' weights + probabilities)


@dataclasses.dataclass
class Result:
    throughput: float  # weighted packets delivered in time, per slot (mean over eval episodes)
    throughput_ci: float
    energy: float  # energy per slot
    energy_ci: float
    drop_rate: float
    budget: float  # E_0 (the sum of the node budgets when multi-hop)
    lam: float  # final Lagrange multiplier (the mean over nodes when multi-hop)
    lam_nodes: list[float] = dataclasses.field(default_factory=list)  # final λ_h per node
    energy_ratio_nodes: list[float] = dataclasses.field(default_factory=list)  # Ē_h / E_0^h per node
    q_bias: float = math.nan  # mean Q1(o,a) − Monte-Carlo return on the eval episodes (over-estimation)
    q_bias_rel: float = math.nan  # q_bias / mean |return|
    transfer_throughput: float = math.nan  # on the transfer_users system, without retraining
    transfer_energy_ratio: float = math.nan  # its energy / its own E_0
    transfer_constant_throughput: float = math.nan  # the constant heuristic at that system's E_0
    transfer_matched_constant_throughput: float = (
        math.nan
    )  # the constant heuristic at the agent's energy there
    throughput_last: float = math.nan  # the final iterate alone (= throughput when final_policy='last')
    energy_last: float = math.nan
    mixture: list[tuple[int, float]] = dataclasses.field(default_factory=list)  # (episode of iterate, weight)
    curve: list[tuple[int, float, float, float]] = dataclasses.field(
        default_factory=list
    )  # (episode, thr, energy, λ)
    seconds: float = 0.0
    agent: Agent | None = dataclasses.field(default=None, repr=False)
    members: list[tuple[float, Agent]] = dataclasses.field(default_factory=list, repr=False)  # the mixture
    # every iterate the dual loop measured after mixture_from (the mixture's candidates): (episode, acting
    # networks' state dicts); ``transfer.transfer_at_budget`` re-solves the mixture over them on another system
    iterates: list[tuple[int, dict]] = dataclasses.field(default_factory=list, repr=False)

    @property
    def energy_ratio(self) -> float:
        return self.energy / self.budget


def make_core(cfg: Config, n_users: int | None = None) -> SchedulerCore | MultiHopCore:
    n = cfg.n_users if n_users is None else n_users
    rng = np.random.default_rng(cfg.system_seed + (0 if n_users is None else 7919))
    if cfg.n_hops > 1:
        params = draw_multihop_system(
            rng, n, cfg.n_hops, cfg.tau_max, cfg.n_channels, stickiness=cfg.channel_stickiness
        )
        return MultiHopCore(params, cfg.tau_max, cfg.n_channels, cfg.merge, cfg.user_feature)
    params = draw_system(rng, n, cfg.tau_max, cfg.n_channels, cfg.arrival, stickiness=cfg.channel_stickiness)
    return SchedulerCore(params, cfg.tau_max, cfg.n_channels, cfg.arrival, user_feature=cfg.user_feature)


def dims(cfg: Config, core) -> tuple[int, int]:
    """(observation, action) sizes of one agent row."""
    if cfg.n_hops > 1:
        o = multihop_obs_dim(cfg.tau_max, cfg.n_hops, cfg.observe_channel, cfg.merge, cfg.user_feature)
    else:
        o = obs_dim(cfg.tau_max, cfg.observe_channel, cfg.user_feature)
    return o, core.act_dim


def agent_spec(cfg: Config) -> AgentSpec:
    return AgentSpec(
        **SPECS[cfg.method],
        hidden=cfg.hidden,
        lr_actor=cfg.lr_actor,
        lr_critic=cfg.lr_critic,
        weight_decay=cfg.weight_decay,
        gamma=cfg.gamma,
        tau=cfg.tau,
        policy_freq=cfg.policy_freq,
        beta=cfg.beta,
        n_noise=cfg.n_noise,
        importance_sampling=cfg.importance_sampling,
        policy_noise=cfg.policy_noise,
        expl_noise=cfg.expl_noise,
    )


def agent_policy(agent: Agent, obs_scale: float, noise: float = 0.0, gen: torch.Generator | None = None):
    """A rollout policy from an agent: rows = E·N users; state = the agent's recurrent state."""

    def policy(obs, prev, state, core):
        e, n, d = obs.shape
        o = torch.as_tensor(obs.reshape(e * n, d) * obs_scale, dtype=torch.float32)
        p = torch.as_tensor(prev.reshape(e * n, -1), dtype=torch.float32)
        if state is None:
            state = agent.initial_state(e * n)
        a, state = agent.act(o, p, state)
        if noise > 0:
            a = (a + noise * torch.randn(a.shape, generator=gen)).clamp(-1, 1)
        return a.numpy().astype(np.float64).reshape(e, n, -1), state

    return policy


def random_policy(rng: np.random.Generator):
    def policy(obs, prev, state, core):
        return rng.uniform(-1.0, 1.0, prev.shape), state

    return policy


class EpisodeBuffer:
    """Per-row whole episodes (ring buffer): obs (T+1, D), act (T, A), delivered (T), energy per node (T, K),
    row id."""

    def __init__(self, capacity: int, t_len: int, o_dim: int, a_dim: int, n_nodes: int = 1):
        self.obs = np.zeros((capacity, t_len + 1, o_dim), np.float32)
        self.act = np.zeros((capacity, t_len, a_dim), np.float32)
        self.delivered = np.zeros((capacity, t_len), np.float32)
        self.energy = np.zeros((capacity, t_len, n_nodes), np.float32)
        self.user = np.zeros(capacity, np.int64)
        self.capacity, self.size, self.ptr = capacity, 0, 0

    def add(self, seq: dict[str, np.ndarray], obs_scale: float) -> None:
        e, n = seq["delivered"].shape[:2]
        for k in range(e * n):
            ei, ui = divmod(k, n)
            i = self.ptr
            self.obs[i] = seq["obs"][ei, ui] * obs_scale
            self.act[i] = seq["act"][ei, ui]
            self.delivered[i] = seq["delivered"][ei, ui]
            self.energy[i] = seq["energy_node"][ei, ui]
            self.user[i] = ui
            self.ptr = (self.ptr + 1) % self.capacity
            self.size = min(self.size + 1, self.capacity)

    def sample(
        self, rng: np.random.Generator, batch: int, weights: np.ndarray, lam: np.ndarray, scale: float
    ) -> dict:
        """A batch with rewards priced at the current λ (one per node): β·delivered − Σ_h λ_h·energy_h."""
        idx = rng.integers(0, self.size, batch)
        price = self.energy[idx] @ np.asarray(lam, np.float32).reshape(-1)
        rew = scale * (weights[self.user[idx], None] * self.delivered[idx] - price)
        return {
            "obs": torch.from_numpy(self.obs[idx]),
            "act": torch.from_numpy(self.act[idx]),
            "rew": torch.from_numpy(rew.astype(np.float32)),
        }

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "obs": self.obs,
            "act": self.act,
            "delivered": self.delivered,
            "energy": self.energy,
            "user": self.user,
        }


def evaluate_policy(
    cfg: Config, core: SchedulerCore, policy, seed: int, episodes: int
) -> dict[str, np.ndarray]:
    seq = run_episodes(
        core, policy, episodes, cfg.episode_len, np.random.default_rng(seed), cfg.observe_channel
    )
    return seq


def train(cfg: Config, *, resume: bool = False, stop_after_episodes: int | None = None) -> Result:
    """Train and evaluate; ``resume=True`` continues from ``cfg.run_dir/checkpoint``; ``stop_after_episodes``
    interrupts the run early (the resume test)."""
    t0 = time.perf_counter()
    seeder = Seeder(cfg.seed)
    core = make_core(cfg)
    e0_nodes = node_budgets(core, cfg.budget_fraction, cfg.episode_len, CALIBRATION_SEED)
    e0 = float(e0_nodes.sum())
    eval_seed = seeder.int("eval")
    if cfg.method in ("constant", "greedy"):
        make = constant_policy if cfg.method == "constant" else greedy_policy
        knob = calibrate(make, core, e0, cfg.episode_len, CALIBRATION_SEED)
        seq = evaluate_policy(cfg, core, make(knob), eval_seed, cfg.eval_episodes)
        res = _result([(1.0, seq)], core, e0_nodes, np.full(core.n_nodes, knob))
        res.seconds = time.perf_counter() - t0
        return res

    o_dim, a_dim = dims(cfg, core)
    agent = Agent(o_dim, a_dim, agent_spec(cfg), seeder.torch("init"))
    buffer = EpisodeBuffer(cfg.buffer_episodes, cfg.episode_len, o_dim, a_dim, core.n_nodes)
    env_rng, batch_rng = seeder.numpy("env"), seeder.numpy("batches")
    noise_gen, update_gen = seeder.torch("explore"), seeder.torch("update")
    dual = DualState.start(cfg.lam_init, core.n_nodes)
    lam, episode, update_credit = dual.integral.copy(), 0, 0.0
    curve: list[tuple[int, float, float, float]] = []
    snaps: list[tuple[int, float, float]] = []  # iterates measured by the dual loop: (episode, thr, energy)
    snap_states: list[dict] = []
    ckpt = Path(cfg.run_dir) / "checkpoint" if cfg.run_dir else None
    if resume and ckpt is not None and (ckpt / "state.json").exists():
        episode, lam, dual, update_credit = _load(
            ckpt, cfg, agent, buffer, env_rng, batch_rng, noise_gen, update_gen, curve, snaps, snap_states
        )
    logger = (
        MetricsLogger(cfg.run_dir, resume_step=episode, total=cfg.episodes, desc="rsd4")
        if cfg.run_dir
        else None
    )
    weights = core.row_weights
    dual_seed = seeder.int("dual")

    end = cfg.episodes if stop_after_episodes is None else min(cfg.episodes, stop_after_episodes)
    while episode < end:
        copies = min(cfg.n_envs, cfg.episodes - episode)
        if episode < cfg.warmup_episodes:
            policy = random_policy(env_rng)
        else:
            policy = agent_policy(agent, cfg.obs_scale, cfg.expl_noise, noise_gen)
        seq = run_episodes(core, policy, copies, cfg.episode_len, env_rng, cfg.observe_channel)
        buffer.add(seq, cfg.obs_scale)
        before, episode = episode, episode + copies
        update_credit += cfg.update_rate * copies
        if episode > cfg.warmup_episodes or cfg.warmup_episodes == 0:
            while update_credit >= 1:
                batch = buffer.sample(batch_rng, cfg.batch_episodes, weights, lam, cfg.reward_scale)
                batch2 = None
                if cfg.separate_batches and agent.spec.double_actor:
                    batch2 = buffer.sample(batch_rng, cfg.batch_episodes, weights, lam, cfg.reward_scale)
                agent.update(batch, update_gen, batch2)
                update_credit -= 1
        else:
            update_credit = 0.0
        if (
            cfg.dual
            and episode // cfg.dual_every > before // cfg.dual_every
            and episode >= cfg.warmup_episodes
        ):
            dseq = evaluate_policy(
                cfg, core, agent_policy(agent, cfg.obs_scale), dual_seed + episode, cfg.dual_eval_episodes
            )
            ds = summarize(dseq, core.throughput_weights)
            dual, lam = dual_step(
                dual,
                ds["energy_node"].mean(0),
                e0_nodes,
                cfg.dual_lr,
                cfg.dual_decay,
                cfg.dual_kp,
                cfg.dual_ema,
            )
            if cfg.final_policy == "mixture" and episode > cfg.mixture_from * cfg.episodes:
                snaps.append((episode, float(ds["throughput"].mean()), float(ds["energy"].mean())))
                snap_states.append(_acting_state(agent))
        if episode // cfg.eval_every > before // cfg.eval_every or episode == cfg.episodes:
            s = summarize(
                evaluate_policy(cfg, core, agent_policy(agent, cfg.obs_scale), eval_seed, 4),
                core.throughput_weights,
            )
            lam_mean = float(np.mean(lam))
            curve.append((episode, float(s["throughput"].mean()), float(s["energy"].mean()), lam_mean))
            if logger is not None:
                logger.log(episode, {"throughput": curve[-1][1], "energy": curve[-1][2], "lam": lam_mean})
        if cfg.checkpoint_every and episode // cfg.checkpoint_every > before // cfg.checkpoint_every:
            _save(
                ckpt,
                cfg,
                agent,
                buffer,
                episode,
                lam,
                dual,
                update_credit,
                env_rng,
                batch_rng,
                noise_gen,
                update_gen,
                curve,
                snaps,
                snap_states,
            )
    if logger is not None:
        logger.close()

    seq = evaluate_policy(cfg, core, agent_policy(agent, cfg.obs_scale), eval_seed, cfg.eval_episodes)
    res = _result([(1.0, seq)], core, e0_nodes, lam)
    res.throughput_last, res.energy_last = res.throughput, res.energy
    if snaps:  # the randomised policy: each episode runs iterate k with probability w_k
        w = mixture_weights(np.array([s[1] for s in snaps]), np.array([s[2] for s in snaps]), e0)
        members = [(float(wk), _agent_from(snap_states[k], cfg, o_dim, a_dim)) for k, wk in w.items()]
        parts = [
            (wk, evaluate_policy(cfg, core, agent_policy(a, cfg.obs_scale), eval_seed, cfg.eval_episodes))
            for wk, a in members
        ]
        last = (res.throughput_last, res.energy_last)
        res = _result(parts, core, e0_nodes, lam)
        res.throughput_last, res.energy_last = last
        res.mixture = [(snaps[k][0], float(wk)) for k, wk in w.items()]
        res.members = members
        res.iterates = [(s[0], st) for s, st in zip(snaps, snap_states)]
        if cfg.run_dir and episode == cfg.episodes:  # a finished run: what `evaluate` will play
            save_mixture(Path(cfg.run_dir) / MIXTURE_DIR, cfg, members, res.mixture, episode, lam)
    res.q_bias, res.q_bias_rel = overestimation(agent, seq, cfg, core, lam)
    res.curve, res.agent = curve, agent
    if cfg.transfer_users:
        _transfer(cfg, agent, res, eval_seed)
    res.seconds = time.perf_counter() - t0
    return res


def _acting_state(agent: Agent) -> dict:
    """A copy of the networks that act (actors and critics; the critics pick between the two actors)."""
    return {
        k: {n: v.clone() for n, v in m.state_dict().items()}
        for k, m in agent.modules().items()
        if "target" not in k
    }


def _agent_from(state: dict, cfg: Config, o_dim: int, a_dim: int) -> Agent:
    agent = Agent(o_dim, a_dim, agent_spec(cfg), torch.Generator().manual_seed(0))
    mods = agent.modules()
    for k, sd in state.items():
        mods[k].load_state_dict(sd)
    return agent


def _result(parts, core, e0_nodes: np.ndarray, lam: np.ndarray) -> Result:
    """Metrics of a policy run on the evaluation episodes; ``parts`` = [(weight, sequences)] is a randomised
    policy (per episode), whose expected per-episode metrics are the weighted sums over the same episodes."""
    ss = [(w, summarize(seq, core.throughput_weights)) for w, seq in parts]
    s = {k: sum(w * x[k] for w, x in ss) for k in ss[0][1]}
    thr, thr_ci = mean_ci(s["throughput"])
    en, en_ci = mean_ci(s["energy"])
    lam = np.asarray(lam, float).reshape(-1)
    return Result(
        thr,
        thr_ci,
        en,
        en_ci,
        float(s["drop_rate"].mean()),
        float(e0_nodes.sum()),
        float(lam.mean()),
        lam_nodes=lam.tolist(),
        energy_ratio_nodes=(s["energy_node"].mean(0) / e0_nodes).tolist(),
    )


@torch.no_grad()
def overestimation(agent: Agent, seq, cfg: Config, core, lam: np.ndarray) -> tuple[float, float]:
    """Mean of Q1(o_t, a_t) − G_t over the eval episodes, G_t the discounted Monte-Carlo return (same λ, scale)."""
    e, n = seq["delivered"].shape[:2]
    obs = torch.as_tensor(
        seq["obs"].reshape(e * n, *seq["obs"].shape[2:]) * cfg.obs_scale, dtype=torch.float32
    )
    act = torch.as_tensor(seq["act"].reshape(e * n, *seq["act"].shape[2:]), dtype=torch.float32)
    q = agent.q_values(obs, act).numpy()
    w = np.repeat(core.row_weights[None, :], e, 0).reshape(-1, 1)
    price = seq["energy_node"] @ np.asarray(lam, float).reshape(-1)  # (E, R, T)
    r = cfg.reward_scale * (w * seq["delivered"].reshape(e * n, -1) - price.reshape(e * n, -1))
    g = np.zeros_like(r)
    acc = np.zeros(len(r))
    for t in range(r.shape[1] - 1, -1, -1):
        acc = r[:, t] + cfg.gamma * acc
        g[:, t] = acc
    bias = float((q - g).mean())
    return bias, bias / max(float(np.abs(g).mean()), 1e-8)


def _transfer(cfg: Config, agent: Agent, res: Result, seed: int) -> None:
    core = make_core(cfg, cfg.transfer_users)
    e0 = float(node_budgets(core, cfg.budget_fraction, cfg.episode_len, CALIBRATION_SEED).sum())
    w = core.throughput_weights
    s = summarize(evaluate_policy(cfg, core, agent_policy(agent, cfg.obs_scale), seed, cfg.eval_episodes), w)

    def constant_at(energy: float) -> float:
        knob = calibrate(constant_policy, core, energy, cfg.episode_len, CALIBRATION_SEED)
        c = summarize(evaluate_policy(cfg, core, constant_policy(knob), seed, cfg.eval_episodes), w)
        return float(c["throughput"].mean())

    res.transfer_throughput = float(s["throughput"].mean())
    res.transfer_energy_ratio = float(s["energy"].mean()) / e0
    res.transfer_constant_throughput = constant_at(e0)
    res.transfer_matched_constant_throughput = constant_at(float(s["energy"].mean()))


def _save(
    path,
    cfg,
    agent,
    buffer,
    episode,
    lam,
    dual,
    credit,
    env_rng,
    batch_rng,
    noise_gen,
    update_gen,
    curve,
    snaps,
    snap_states,
) -> None:
    tensors = {f"{k}.{n}": v for k, m in agent.modules().items() for n, v in m.state_dict().items()}
    for i, st in enumerate(snap_states):
        tensors.update({f"snap{i}/{k}.{n}": v for k, sd in st.items() for n, v in sd.items()})
    tensors["rng.explore"], tensors["rng.update"] = noise_gen.get_state(), update_gen.get_state()
    save_checkpoint(
        path,
        config=cfg,
        step=episode,
        tensors=tensors,
        arrays={k: v[: buffer.capacity] for k, v in buffer.arrays().items()},
        objects={k: o.state_dict() for k, o in agent.optimizers().items()},
        state={
            "lam": np.asarray(lam, float).tolist(),
            "dual": dual.to_json(),
            "credit": credit,
            "updates": agent.updates,
            "buffer": [buffer.size, buffer.ptr],
            "env_rng": env_rng.bit_generator.state,
            "batch_rng": batch_rng.bit_generator.state,
            "curve": curve,
            "snaps": snaps,
        },
    )


def _load(
    path, cfg, agent, buffer, env_rng, batch_rng, noise_gen, update_gen, curve, snaps, snap_states
) -> tuple[int, np.ndarray, DualState, float]:
    ck = load_checkpoint(path, config=cfg)
    for k, m in agent.modules().items():
        m.load_state_dict({n[len(k) + 1 :]: v for n, v in ck.tensors.items() if n.startswith(k + ".")})
    snaps.extend(tuple(s) for s in ck.state.get("snaps", []))
    for i in range(len(snaps)):
        pre = f"snap{i}/"
        flat = {n[len(pre) :]: v for n, v in ck.tensors.items() if n.startswith(pre)}
        mods = {k.split(".", 1)[0] for k in flat}
        snap_states.append(
            {k: {n[len(k) + 1 :]: v for n, v in flat.items() if n.startswith(k + ".")} for k in mods}
        )
    for k, o in agent.optimizers().items():
        o.load_state_dict(ck.objects[k])
    noise_gen.set_state(ck.tensors["rng.explore"])
    update_gen.set_state(ck.tensors["rng.update"])
    for k, v in ck.arrays.items():
        getattr(buffer, k)[...] = v
    buffer.size, buffer.ptr = ck.state["buffer"]
    agent.updates = ck.state["updates"]
    env_rng.bit_generator.state = ck.state["env_rng"]
    batch_rng.bit_generator.state = ck.state["batch_rng"]
    curve.extend(tuple(c) for c in ck.state["curve"])
    return (
        ck.step,
        np.asarray(ck.state["lam"], float),
        DualState.from_json(ck.state["dual"]),
        ck.state["credit"],
    )


def constant_throughput_at_energy(cfg: Config, energy: float) -> float:
    """Throughput of the constant-energy heuristic calibrated to spend ``energy`` per slot, on the same
    evaluation episodes as ``train(cfg)``: the matched-energy baseline for a learned agent."""
    core = make_core(cfg)
    knob = calibrate(constant_policy, core, energy, cfg.episode_len, CALIBRATION_SEED)
    seq = evaluate_policy(cfg, core, constant_policy(knob), Seeder(cfg.seed).int("eval"), cfg.eval_episodes)
    return float(summarize(seq, core.throughput_weights)["throughput"].mean())


def save_mixture(path, cfg: Config, members, mixture, episode: int, lam) -> None:
    """The final randomised policy: each member's acting networks (safetensors, ``m{i}/module.param``) and,
    in the JSON state, its probability and the episode of the iterate it was taken at."""
    tensors = {
        f"m{i}/{k}.{n}": v
        for i, (_, a) in enumerate(members)
        for k, sd in _acting_state(a).items()
        for n, v in sd.items()
    }
    save_checkpoint(
        path,
        config=cfg,
        step=episode,
        tensors=tensors,
        state={
            "weights": [float(w) for w, _ in members],
            "iterates": [int(ep) for ep, _ in mixture],
            "lam": np.asarray(lam, float).tolist(),
        },
    )


def load_mixture(path, cfg: Config, o_dim: int, a_dim: int):
    """Inverse of ``save_mixture``: ([(probability, Agent)], checkpoint)."""
    ck = load_checkpoint(path, config=cfg)
    members = []
    for i, w in enumerate(ck.state["weights"]):
        pre = f"m{i}/"
        flat = {n[len(pre) :]: v for n, v in ck.tensors.items() if n.startswith(pre)}
        mods = {k.split(".", 1)[0] for k in flat}
        state = {k: {n[len(k) + 1 :]: v for n, v in flat.items() if n.startswith(k + ".")} for k in mods}
        members.append((float(w), _agent_from(state, cfg, o_dim, a_dim)))
    return members, ck


def play_mixture(cfg: Config, core, members, seed: int, episodes: int, draw: np.random.Generator) -> dict:
    """Plays the randomised policy: each evaluation episode runs member k with probability w_k, drawn from
    ``draw``. Every member is run on the ``seed`` evaluation episodes (the ones ``train`` reports) and episode
    i is taken from the member drawn for it; the draw is independent of the episodes, so each played episode
    is distributed as the mixture's. (The env's stream is shared across an episode batch and its use depends
    on the actions, so member k's episode i is its own draw, not a replay of another member's episode.)"""
    w = np.array([wk for wk, _ in members], float)
    if np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"mixture probabilities must be >= 0 and sum to 1, got {w.tolist()}")
    pick = draw.choice(len(members), size=episodes, p=w / w.sum())
    seqs = [evaluate_policy(cfg, core, agent_policy(a, cfg.obs_scale), seed, episodes) for _, a in members]
    return {k: np.stack([seqs[j][k][i] for i, j in enumerate(pick)]) for k in seqs[0]}


def evaluate(cfg: Config) -> dict[str, float]:
    """Evaluate a saved run on the fixed evaluation episodes: the final mixture (``run_dir/mixture``, written
    by a finished run with ``final_policy="mixture"``), played with per-episode draws from the seeded
    ``"mixture_draw"`` stream, else the last iterate in ``run_dir/checkpoint``. ``throughput_expected`` is
    the mixture's expectation on the same episodes, the figure ``train`` reports."""
    if not cfg.run_dir or cfg.method not in LEARNED:
        raise ValueError("evaluate needs a learned method and a run_dir holding a checkpoint")
    core = make_core(cfg)
    o_dim, a_dim = dims(cfg, core)
    e0_nodes = node_budgets(core, cfg.budget_fraction, cfg.episode_len, CALIBRATION_SEED)
    eval_seed = Seeder(cfg.seed).int("eval")
    mix_dir = Path(cfg.run_dir) / MIXTURE_DIR
    if cfg.final_policy == "mixture" and (mix_dir / "state.json").exists():
        members, ck = load_mixture(mix_dir, cfg, o_dim, a_dim)
        draw = Seeder(cfg.seed).numpy("mixture_draw")
        seq = play_mixture(cfg, core, members, eval_seed, cfg.eval_episodes, draw)
        r = _result([(1.0, seq)], core, e0_nodes, np.asarray(ck.state["lam"], float))
        expected = _result(
            [
                (w, evaluate_policy(cfg, core, agent_policy(a, cfg.obs_scale), eval_seed, cfg.eval_episodes))
                for w, a in members
            ],
            core,
            e0_nodes,
            np.asarray(ck.state["lam"], float),
        )
        extra = {
            "throughput_expected": expected.throughput,
            "energy_expected": expected.energy,
            "mixture": list(zip(ck.state["iterates"], ck.state["weights"])),
        }
    else:
        agent = Agent(o_dim, a_dim, agent_spec(cfg), Seeder(cfg.seed).torch("init"))
        ck = load_checkpoint(Path(cfg.run_dir) / "checkpoint", config=cfg)
        for k, m in agent.modules().items():
            m.load_state_dict({n[len(k) + 1 :]: v for n, v in ck.tensors.items() if n.startswith(k + ".")})
        seq = evaluate_policy(cfg, core, agent_policy(agent, cfg.obs_scale), eval_seed, cfg.eval_episodes)
        r = _result([(1.0, seq)], core, e0_nodes, np.asarray(ck.state["lam"], float))
        extra = {}
    return {
        "episode": ck.step,
        "throughput": r.throughput,
        "energy": r.energy,
        "budget": r.budget,
        "drop_rate": r.drop_rate,
        **extra,
    }
