"""The pipeline: behaviour policy -> dataset -> offline CFCQL -> online fine-tuning (OVM + SE).

``train(cfg)`` runs all four phases; each phase is also a function of its own (``train_behaviour``,
``collect_dataset``, ``train_offline``, ``train_online``) so users can bring their own dataset.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from paperkit import (
    Seeder,
    load_checkpoint,
    numpy_rng_state,
    restore_numpy_rng,
    save_checkpoint,
)

from ovmse.config import Config
from ovmse.data import EpisodeBuffer, EpisodeDataset, episode_shapes
from ovmse.envs import EnvFactory, ParallelEnvAdapter, env_factory, env_label
from ovmse.exploration import explore_actions
from ovmse.learner import Learner, frozen_copy, mean_q_tot, to_tensors
from ovmse.networks import ValueDecomposition
from ovmse.targets import memory_weight, select_medium_snapshot


def make_adapters(cfg: Config, k: int, env: EnvFactory | None = None) -> list[ParallelEnvAdapter]:
    """``k`` fresh env copies: from ``env`` (a factory) if given, else from the env ``cfg.env`` names."""
    factory = env_factory(
        cfg.env if env is None else env,
        n_agents=cfg.n_agents,
        max_cycles=cfg.max_cycles,
        kwargs=cfg.env_kwargs,
    )
    return [
        ParallelEnvAdapter(factory(), team_reward=cfg.team_reward, episode_limit=cfg.max_cycles)
        for _ in range(k)
    ]


@dataclasses.dataclass
class RolloutStats:
    returns: list[float]  # unscaled team return per episode
    steps: int
    agent_steps_multi: int  # env steps with >= 2 exploring agents
    deviators: int  # exploring agent-steps


@torch.no_grad()
def rollout(
    adapters: list[ParallelEnvAdapter],
    seeds: list[int],
    policy: ValueDecomposition,
    *,
    eps: float,
    se_mode: str,
    clock: int,
    rng: np.random.Generator,
    reward_scale: float,
    se_clock: str = "step",
) -> tuple[list[dict[str, np.ndarray]], RolloutStats]:
    """One episode in each of ``len(seeds)`` env copies, stepped in lockstep with one batched forward.

    ``clock`` is the index of the first of these episodes. The shared clock of SE ``turn`` in copy j is
    ``clock + j + t`` (``se_clock='step'``: the explorer changes every step) or ``clock + j``
    (``'episode'``: one explorer per episode); the agents of a copy can all compute it.
    """
    k = len(seeds)
    ads = adapters[:k]
    limit = ads[0].episode_limit
    first = [a.reset(s) for a, s in zip(ads, seeds)]
    shapes = episode_shapes(ads[0].n_agents, ads[0].obs_dim, ads[0].n_actions, first[0][2].shape[0], limit)
    eps_arrays = [{key: np.zeros(s, dt) for key, (s, dt) in shapes.items()} for _ in range(k)]
    cur = [list(f) for f in first]
    live = [True] * k
    length = [0] * k
    totals = [0.0] * k
    stats = RolloutStats([], 0, 0, 0)
    h = policy.agents.initial_hidden(k)
    for t in range(limit):
        obs = torch.from_numpy(np.stack([c[0] for c in cur]))
        q, h = policy.agents.step(obs, h)
        q = q.numpy()
        for j in range(k):
            if not live[j]:
                continue
            o, avail, state = cur[j]
            ep = eps_arrays[j]
            ep["obs"][t], ep["avail"][t], ep["state"][t] = o, avail, state
            tick = clock + j + (t if se_clock == "step" else 0)
            actions, n_dev = explore_actions(q[j], avail, eps, se_mode, tick, rng)
            res = ads[j].step(actions)
            ep["actions"][t] = actions
            ep["reward"][t] = res.reward * reward_scale
            ep["terminated"][t] = float(res.terminated)
            ep["filled"][t] = 1.0
            totals[j] += res.reward
            stats.steps += 1
            stats.deviators += n_dev
            stats.agent_steps_multi += n_dev >= 2
            cur[j] = [res.obs, res.avail, res.state]
            length[j] = t + 1
            if res.terminated or res.truncated:
                live[j] = False
        if not any(live):
            break
    for j in range(k):
        ep = eps_arrays[j]
        ep["obs"][length[j]], ep["avail"][length[j]], ep["state"][length[j]] = cur[j]
    stats.returns = totals
    return eps_arrays, stats


def evaluate(
    cfg: Config,
    adapters: list[ParallelEnvAdapter],
    policy: ValueDecomposition,
    *,
    episodes: int,
    seed: int,
    eps: float = 0.0,
    rng: np.random.Generator | None = None,
) -> float:
    """Mean team return over ``episodes`` episodes with fixed seeds: greedy (ε = 0) unless ``eps`` given
    (ε = 1 with ``rng``: the uniform-random policy over available actions)."""
    if rng is None:
        if eps > 0:
            raise ValueError(f"evaluate with eps={eps!r} needs an rng")
        rng = np.random.default_rng(0)  # unused at ε = 0
    returns: list[float] = []
    i = 0
    while i < episodes:
        k = min(len(adapters), episodes - i)
        _, st = rollout(
            adapters,
            [seed + i + j for j in range(k)],
            policy,
            eps=eps,
            se_mode="egreedy",
            clock=0,
            rng=rng,
            reward_scale=cfg.reward_scale,
        )
        returns += st.returns
        i += k
    return float(np.mean(returns))


def _linear(t: int, start: float, end: float, steps: int) -> float:
    return start + (end - start) * min(1.0, t / max(1, steps))


@dataclasses.dataclass
class OnlineResult:
    curve: list[tuple[int, float]]  # (env step, greedy return); step 0 = the initial (offline) policy
    drift: list[tuple[int, float]]  # (env step, mean Q_tot(θ_t) − Q_tot(θ_off) on fixed dataset pairs)
    initial_return: float
    final_return: float
    auc: float  # mean of the curve (area under the return curve / its length)
    min_early_return: float  # min over the first third of the online budget, step 0 included
    early_dip: float  # initial return − min over the evaluations in (0, budget/3]: > 0 = fell below the start
    multi_deviator_fraction: float  # env steps with >= 2 exploring agents / env steps
    env_steps: int
    updates: int
    seconds: float


def _save_online(
    path: Path,
    cfg: Config,
    learner: Learner,
    buf: EpisodeBuffer,
    rngs: dict[str, np.random.Generator],
    progress: dict[str, Any],
) -> None:
    """Everything the online loop needs to continue bit-exactly: weights, target, optimizer, replay,
    RNG states and counters (env copies are reset at every round, so they carry no state)."""
    tensors = {f"net.{k}": v for k, v in learner.net.state_dict().items()}
    tensors.update({f"target.{k}": v for k, v in learner.target.state_dict().items()})
    save_checkpoint(
        path,
        config=cfg,
        step=progress["t_env"],
        tensors=tensors,
        arrays=buf.state_arrays("buffer"),
        objects={"optimizer": learner.optimizer.state_dict()},
        state={
            **progress,
            "updates": learner.updates,
            "rngs": {k: numpy_rng_state(r) for k, r in rngs.items()},
        },
    )


def _load_online(
    path: Path, cfg: Config, learner: Learner, buf: EpisodeBuffer, rngs: dict[str, np.random.Generator]
) -> dict[str, Any]:
    ck = load_checkpoint(path, config=cfg)
    learner.net.load_state_dict({k[4:]: v for k, v in ck.tensors.items() if k.startswith("net.")})
    learner.target.load_state_dict({k[7:]: v for k, v in ck.tensors.items() if k.startswith("target.")})
    learner.optimizer.load_state_dict(ck.objects["optimizer"])
    learner.updates = int(ck.state["updates"])
    buf.load_state_arrays(ck.arrays, "buffer")
    for k, r in rngs.items():
        restore_numpy_rng(r, ck.state["rngs"][k])
    return ck.state


def online_loop(
    cfg: Config,
    learner: Learner,
    *,
    steps: int,
    eps_start: float,
    eps_end: float,
    eps_anneal: int,
    se_mode: str,
    seeder: Seeder,
    stream: str,
    memory: ValueDecomposition | None = None,
    use_ovm: bool = False,
    probe: dict[str, torch.Tensor] | None = None,
    snapshots: list[tuple[float, dict[str, torch.Tensor]]] | None = None,
    checkpoint: str | Path | None = None,
    checkpoint_every: int = 0,
    stop_at: int | None = None,
    env: EnvFactory | None = None,
) -> OnlineResult:
    """Collect with (SE-)ε-greedy, store episodes, update after each round of ``num_envs`` episodes.

    With ``checkpoint`` the loop resumes from that directory when it holds a checkpoint of the same
    config, and writes one every ``checkpoint_every`` env steps (0: only when it stops). ``stop_at``
    stops (and checkpoints) after the first round that reaches that many env steps: the returned result
    then covers only the steps done so far. Resuming gives the same tensors as an uninterrupted run.
    """
    t0 = time.perf_counter()
    adapters = make_adapters(cfg, cfg.num_envs, env)
    eval_adapters = make_adapters(cfg, cfg.num_envs, env)
    _, _, state = adapters[0].reset(0)
    a0 = adapters[0]
    buf = EpisodeBuffer(
        cfg.buffer_size, episode_shapes(a0.n_agents, a0.obs_dim, a0.n_actions, state.shape[0], cfg.max_cycles)
    )
    rng = seeder.numpy(f"{stream}-explore")
    sample_rng = seeder.numpy(f"{stream}-replay")
    rngs = {"explore": rng, "replay": sample_rng}
    env_seed = seeder.int(f"{stream}-env") % 2**31
    eval_seed = seeder.int("eval") % 2**31
    q_off = mean_q_tot(memory, probe) if memory is not None and probe is not None else 0.0
    progress: dict[str, Any] = {
        "t_env": 0,
        "episodes": 0,
        "next_eval": 0,
        "multi": 0,
        "curve": [],
        "drift": [],
        "seconds": 0.0,
    }
    ck_path = Path(checkpoint) if checkpoint is not None else None
    if ck_path is not None and (ck_path / "state.json").exists():
        loaded = _load_online(ck_path, cfg, learner, buf, rngs)
        progress = {k: loaded[k] for k in progress}
    curve: list[tuple[int, float]] = [(int(s), float(r)) for s, r in progress["curve"]]
    drift: list[tuple[int, float]] = [(int(s), float(d)) for s, d in progress["drift"]]
    t_env, episodes, next_eval, multi = (progress[k] for k in ("t_env", "episodes", "next_eval", "multi"))
    last_ck = t_env

    def save() -> None:
        assert ck_path is not None
        progress.update(
            t_env=t_env,
            episodes=episodes,
            next_eval=next_eval,
            multi=multi,
            curve=curve,
            drift=drift,
            seconds=seconds0 + time.perf_counter() - t0,
        )
        _save_online(ck_path, cfg, learner, buf, rngs, progress)

    seconds0 = float(progress["seconds"])
    while True:
        # never evaluate twice at one step (a run resumed from its final checkpoint)
        if (t_env >= next_eval or t_env >= steps) and not (curve and curve[-1][0] == t_env):
            ret = evaluate(cfg, eval_adapters, learner.net, episodes=cfg.eval_episodes, seed=eval_seed)
            curve.append((t_env, ret))
            if snapshots is not None:
                snapshots.append((ret, {k: v.clone() for k, v in learner.net.state_dict().items()}))
            if probe is not None and memory is not None:
                drift.append((t_env, mean_q_tot(learner.net, probe) - q_off))
            next_eval += cfg.eval_every_steps
        if t_env >= steps:
            break
        eps = _linear(t_env, eps_start, eps_end, eps_anneal)
        policy = memory if (cfg.se_base == "offline" and memory is not None) else learner.net
        seeds = [(env_seed + episodes + j) % 2**31 for j in range(cfg.num_envs)]
        eps_list, st = rollout(
            adapters,
            seeds,
            policy,
            eps=eps,
            se_mode=se_mode,
            clock=episodes,
            rng=rng,
            reward_scale=cfg.reward_scale,
            se_clock=cfg.se_clock,
        )
        for ep in eps_list:
            buf.push(ep)
        t_env += st.steps
        episodes += len(eps_list)
        multi += st.agent_steps_multi
        if len(buf) >= cfg.batch_size:
            w = memory_weight(
                t_env, start=cfg.memory_start, end=cfg.memory_end, anneal_steps=cfg.memory_anneal_steps
            )
            for _ in range(cfg.updates_per_round):
                learner.update(
                    to_tensors(buf.sample(cfg.batch_size, sample_rng)),
                    cql_alpha=cfg.cql_alpha if cfg.cql_online else 0.0,
                    memory=memory if use_ovm else None,
                    memory_weight=w,
                    ovm_form=cfg.ovm_form,
                    where=f"{stream} env step {t_env} (update {learner.updates})",
                )
        if stop_at is not None and t_env >= stop_at and t_env < steps:
            if ck_path is not None:
                save()
            break
        if ck_path is not None and checkpoint_every > 0 and t_env - last_ck >= checkpoint_every:
            save()
            last_ck = t_env
    if ck_path is not None and t_env >= steps:
        save()  # the finished run: resuming it returns at once
    early = [r for s, r in curve if s <= steps / 3] or [curve[0][1]]
    after = [r for s, r in curve if 0 < s <= steps / 3] or [r for s, r in curve[1:2]] or [curve[0][1]]
    return OnlineResult(
        curve=curve,
        drift=drift,
        initial_return=curve[0][1],
        final_return=curve[-1][1],
        auc=float(np.mean([r for _, r in curve])),
        min_early_return=float(min(early)),
        early_dip=float(curve[0][1] - min(after)),
        multi_deviator_fraction=multi / max(1, t_env),
        env_steps=t_env,
        updates=learner.updates,
        seconds=seconds0 + time.perf_counter() - t0,
    )


def _dims(cfg: Config, env: EnvFactory | None = None) -> tuple[list[str], int, int, int]:
    a = make_adapters(cfg, 1, env)[0]
    _, _, state = a.reset(0)
    return a.agents, a.obs_dim, a.n_actions, int(state.shape[0])


def new_learner(cfg: Config, seeder: Seeder, name: str, env: EnvFactory | None = None) -> Learner:
    agents, obs_dim, n_actions, state_dim = _dims(cfg, env)
    return Learner(cfg, len(agents), obs_dim, n_actions, state_dim, gen=seeder.torch(name))


def train_behaviour(
    cfg: Config, seeder: Seeder, env: EnvFactory | None = None
) -> tuple[Learner, dict[str, float]]:
    """Online QMIX from scratch; keep a "medium" snapshot (``select_medium_snapshot``): among those
    taken after ``behaviour_min_frac`` of the run (never the untrained net), the one whose greedy return
    is closest to ``behaviour_pick`` of the way from the reference (random policy or first evaluation)
    to the best of them."""
    learner = new_learner(cfg, seeder, "behaviour-init", env)
    snaps: list[tuple[float, dict[str, torch.Tensor]]] = []
    bcfg = dataclasses.replace(cfg, se_base="current")
    res = online_loop(
        bcfg,
        learner,
        steps=cfg.behaviour_steps,
        eps_start=1.0,
        eps_end=0.05,
        eps_anneal=max(1, cfg.behaviour_steps // 2),
        se_mode="egreedy",
        seeder=seeder,
        stream="behaviour",
        snapshots=snaps,
        env=env,
    )
    steps = [s for s, _ in res.curve]
    returns = [r for r, _ in snaps]
    if cfg.behaviour_reference == "random":
        reference = evaluate(
            cfg,
            make_adapters(cfg, cfg.num_envs, env),
            learner.net,  # ignored at ε = 1
            episodes=cfg.eval_episodes,
            seed=seeder.int("eval") % 2**31,
            eps=1.0,
            rng=seeder.numpy("behaviour-random-eval"),
        )
    else:
        reference = returns[0]
    min_step = max(1, int(cfg.behaviour_min_frac * cfg.behaviour_steps))
    i = select_medium_snapshot(
        steps, returns, reference=reference, fraction=cfg.behaviour_pick, min_step=min_step
    )
    learner.net.load_state_dict(snaps[i][1])
    return learner, {
        "behaviour_first": returns[0],
        "behaviour_reference": reference,
        "behaviour_best": max(r for s, r in zip(steps, returns) if s >= min_step),
        "behaviour_pick": returns[i],
        "behaviour_pick_step": float(steps[i]),
        "seconds": res.seconds,
    }


def collect_dataset(
    cfg: Config, policy: ValueDecomposition, seeder: Seeder, env: EnvFactory | None = None
) -> EpisodeDataset:
    """``dataset_episodes`` episodes of ``policy`` with per-agent ε = ``dataset_eps``."""
    adapters = make_adapters(cfg, cfg.num_envs, env)
    rng = seeder.numpy("dataset-explore")
    base = seeder.int("dataset-env") % 2**31
    eps_all: list[dict[str, np.ndarray]] = []
    while len(eps_all) < cfg.dataset_episodes:
        k = min(cfg.num_envs, cfg.dataset_episodes - len(eps_all))
        out, _ = rollout(
            adapters,
            [base + len(eps_all) + j for j in range(k)],
            policy,
            eps=cfg.dataset_eps,
            se_mode="egreedy",
            clock=0,
            rng=rng,
            reward_scale=cfg.reward_scale,
        )
        eps_all += out
    arrays = {key: np.stack([e[key] for e in eps_all]) for key in eps_all[0]}
    a = adapters[0]
    meta = {
        "agents": list(a.agents),
        "obs_dim": a.obs_dim,
        "n_actions": a.n_actions,
        "state_dim": int(arrays["state"].shape[-1]),
        "episode_limit": cfg.max_cycles,
        "env": env_label(cfg.env if env is None else env),
        "notes": f"behaviour policy with eps={cfg.dataset_eps}, reward_scale={cfg.reward_scale}",
    }
    return EpisodeDataset(arrays, meta)


def train_offline(
    cfg: Config, dataset: EpisodeDataset, seeder: Seeder, env: EnvFactory | None = None
) -> tuple[Learner, dict[str, float]]:
    """QMIX + CFCQL (λ_i = 1/n) on a fixed dataset (``env``: the env it must match, evaluated on)."""
    agents, obs_dim, n_actions, state_dim = _dims(cfg, env)
    dataset.check_matches(agents, obs_dim, n_actions, state_dim, cfg.max_cycles)
    learner = Learner(cfg, len(agents), obs_dim, n_actions, state_dim, gen=seeder.torch("offline-init"))
    rng = seeder.numpy("offline-sample")
    last = None
    for i in range(cfg.offline_updates):
        last = learner.update(
            to_tensors(dataset.sample(cfg.batch_size, rng)),
            cql_alpha=cfg.cql_alpha,
            where=f"offline update {i}",
        )
    ret = evaluate(
        cfg,
        make_adapters(cfg, cfg.num_envs, env),
        learner.net,
        episodes=max(20, cfg.eval_episodes),
        seed=seeder.int("eval") % 2**31,
    )
    info = {"offline_return": ret}
    if last is not None:
        info.update({"offline_td_loss": last.td_loss, "offline_cql_penalty": last.cql_penalty})
    return learner, info


def save_offline(path: str | Path, cfg: Config, learner: Learner, info: dict[str, Any]) -> Path:
    tensors = {f"net.{k}": v for k, v in learner.net.state_dict().items()}
    return save_checkpoint(path, config=cfg, step=learner.updates, tensors=tensors, state={"info": info})


def load_offline(
    path: str | Path, cfg: Config, env: EnvFactory | None = None
) -> tuple[ValueDecomposition, dict[str, Any]]:
    """The frozen offline memory θ_off saved by :func:`save_offline` (refused if the config differs)."""
    ck = load_checkpoint(path, config=cfg)
    learner = new_learner(cfg, Seeder(0), "load", env)
    learner.net.load_state_dict({k[4:]: v for k, v in ck.tensors.items() if k.startswith("net.")})
    return frozen_copy(learner.net), ck.state["info"]


def train_online(
    cfg: Config,
    memory: ValueDecomposition | None,
    seeder: Seeder,
    probe_data: EpisodeDataset | None = None,
    *,
    checkpoint: str | Path | None = None,
    checkpoint_every: int = 0,
    stop_at: int | None = None,
    env: EnvFactory | None = None,
) -> OnlineResult:
    """Phase 1: fine-tune from θ_off (``init='offline'``) or learn from scratch, with OVM/SE per ``cfg``.

    ``checkpoint``/``checkpoint_every``/``stop_at``: resumable runs, see :func:`online_loop`.
    """
    learner = new_learner(cfg, seeder, "online-init", env)
    if cfg.init == "offline":
        if memory is None:
            raise ValueError("init='offline' needs the offline memory network")
        learner.load_weights(memory)
    probe = None
    if probe_data is not None:
        n = min(len(probe_data), max(1, 512 // cfg.max_cycles))
        probe = to_tensors({k: v[:n] for k, v in probe_data.arrays.items()})
    return online_loop(
        cfg,
        learner,
        steps=cfg.online_steps,
        eps_start=cfg.eps_start,
        eps_end=cfg.eps_end,
        eps_anneal=cfg.eps_anneal_steps,
        se_mode=cfg.se_mode,
        seeder=seeder,
        stream="online",
        memory=memory if cfg.init == "offline" else None,
        use_ovm=cfg.ovm,
        probe=probe,
        checkpoint=checkpoint,
        checkpoint_every=checkpoint_every,
        stop_at=stop_at,
        env=env,
    )


@dataclasses.dataclass
class Result:
    pretrain: dict[str, float]
    online: OnlineResult

    def __str__(self) -> str:
        o = self.online
        pre = " ".join(f"{k}={v:.2f}" for k, v in self.pretrain.items())
        return (
            f"{pre}\nonline: initial={o.initial_return:.2f} final={o.final_return:.2f} auc={o.auc:.2f} "
            f"min_early={o.min_early_return:.2f} early_dip={o.early_dip:.2f} multi_deviator_fraction={o.multi_deviator_fraction:.4f} "
            f"steps={o.env_steps} updates={o.updates} seconds={o.seconds:.1f}"
        )


def data_config(cfg: Config) -> Config:
    """The config of the behaviour policy and dataset alone: online- and offline-only fields reset and
    ``seed`` = the data seed, so every seed and variant that shares a dataset shares this config."""
    d = Config()
    c = pretrain_config(cfg)
    seed = cfg.data_seed if cfg.data_seed >= 0 else cfg.seed
    return dataclasses.replace(
        c, offline_updates=d.offline_updates, cql_alpha=d.cql_alpha, seed=seed, data_seed=-1
    )


def _check_cacheable(env: EnvFactory | None, cache: str | Path | None) -> None:
    if env is not None and cache is not None:
        raise ValueError(
            "cache is keyed by the config, which does not identify an env factory: name the env in "
            "cfg.env (an import path) to cache, or pass cache=None"
        )


def make_data(
    cfg: Config, cache: str | Path | None = None, env: EnvFactory | None = None
) -> tuple[EpisodeDataset, ValueDecomposition, dict[str, float]]:
    """Phases 0a-0b (behaviour policy -> dataset) of ``data_config(cfg)``, cached under
    ``cache/data-<hash>`` (the dataset in the documented format, the behaviour net beside it)."""
    from paperkit import config_hash

    from ovmse.data import load_dataset, save_dataset

    _check_cacheable(env, cache)
    dcfg = data_config(cfg)
    path = Path(cache) / f"data-{config_hash(dcfg)[:16]}" if cache is not None else None
    if path is not None and (path / "behaviour" / "state.json").exists():  # written last
        net, info = load_offline(path / "behaviour", dcfg)
        return load_dataset(path / "dataset"), net, info
    seeder = Seeder(dcfg.seed)
    behaviour, binfo = train_behaviour(dcfg, seeder, env)
    dataset = collect_dataset(dcfg, behaviour.net, seeder, env)
    info = {k: v for k, v in binfo.items() if k != "seconds"}
    info["dataset_return"] = float(dataset.arrays["reward"].sum(1).mean() / cfg.reward_scale)
    if path is not None:
        save_dataset(path / "dataset", dataset, overwrite=True)
        save_offline(path / "behaviour", dcfg, behaviour, info)
    return dataset, frozen_copy(behaviour.net), info


def pretrain(
    cfg: Config, cache: str | Path | None = None, env: EnvFactory | None = None
) -> tuple[ValueDecomposition, EpisodeDataset, dict[str, float]]:
    """Phases 0a-0c (behaviour -> dataset -> offline), cached under the folder ``cache`` when given:
    ``data-<hash>`` (shared by every seed with the same data seed) and ``offline-<hash>`` per seed.

    The info holds, on the same ``max(20, eval_episodes)`` greedy evaluation episodes, the returns of a
    uniform-random policy (``random_return``), the kept behaviour policy (``behaviour_return``) and θ_off
    (``offline_return``), besides the behaviour run's own figures (``behaviour_*``, ``dataset_return``).
    """
    from paperkit import config_hash

    dataset, behaviour, dinfo = make_data(cfg, cache, env)
    pcfg = pretrain_config(cfg)
    path = Path(cache) / f"offline-{config_hash(pcfg)[:16]}" if cache is not None else None
    if path is not None and (path / "state.json").exists():
        memory, info = load_offline(path, pcfg)
        return memory, dataset, info
    seeder = Seeder(cfg.seed)
    offline, oinfo = train_offline(cfg, dataset, seeder, env)
    adapters = make_adapters(cfg, cfg.num_envs, env)
    episodes, seed = max(20, cfg.eval_episodes), seeder.int("eval") % 2**31
    info = {
        **dinfo,
        **oinfo,
        "behaviour_return": evaluate(cfg, adapters, behaviour, episodes=episodes, seed=seed),
        "random_return": evaluate(
            cfg, adapters, behaviour, episodes=episodes, seed=seed, eps=1.0, rng=seeder.numpy("random-eval")
        ),
    }
    if path is not None:
        save_offline(path, pcfg, offline, info)
    return frozen_copy(offline.net), dataset, info


def pretrain_config(cfg: Config) -> Config:
    """The config with its online-only fields reset, so every online variant shares one pretraining."""
    online_fields = (
        "online_steps",
        "init",
        "eps_start",
        "eps_end",
        "eps_anneal_steps",
        "se_mode",
        "se_base",
        "se_clock",
        "ovm",
        "ovm_form",
        "memory_start",
        "memory_end",
        "memory_anneal_steps",
        "cql_online",
    )
    d = Config()
    return dataclasses.replace(cfg, **{f: getattr(d, f) for f in online_fields})


def train(cfg: Config, *, env: EnvFactory | None = None, cache: str | Path | None = None) -> Result:
    """The whole pipeline for one seed, on ``env`` (a callable returning a PettingZoo ``ParallelEnv``) or,
    if None, on the env ``cfg.env`` names; every phase uses it. A non-finite loss raises
    :class:`~ovmse.learner.NonFiniteError` naming the phase, step and quantity."""
    memory, dataset, info = pretrain(cfg, cache, env)
    online = train_online(cfg, memory if cfg.init == "offline" else None, Seeder(cfg.seed), dataset, env=env)
    return Result(info, online)
