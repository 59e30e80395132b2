"""``train(cfg) -> Result``: one policy on one instance, ``cfg.seeds`` runs vectorised, resumable."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from paperkit import MetricsLogger, atomic_write_json, config_to_dict, load_checkpoint, save_checkpoint

from uniinf import instances as inst_mod
from uniinf.analysis import quartiles
from uniinf.baselines import HTINF, RobustUCB, TsallisINF
from uniinf.config import RunConfig
from uniinf.environment import BanditEnvironment, Instance
from uniinf.policy import Policy
from uniinf.simulate import Recorder, Trace, log_grid, play
from uniinf.uniinf import UniINF


def true_alpha(instance: Instance, margin: float) -> float:
    """The largest alpha <= 2 a baseline may assume with a finite alpha-moment: min(2, p - margin)."""
    if instance.noise == "two_point":  # tail is the family's design alpha; its alpha-moment is finite
        return min(2.0, instance.tail)
    return 2.0 if instance.noise == "gaussian" else min(2.0, instance.tail - margin)


def make_policy(
    name: str,
    instances: Sequence[Instance],
    *,
    log_t: str = "known",
    alpha_margin: float = 0.1,
    assumed_alpha: float = 2.0,
    ucb_delta: str = "anytime",
) -> Policy:
    """Build policy ``name`` for these rows; the baselines get each row's (alpha, sigma) from its instance."""
    n, k = len(instances), instances[0].n_arms
    alpha = np.array([true_alpha(i, alpha_margin) for i in instances])
    sigma = np.array([i.sigma(a) for i, a in zip(instances, alpha)])
    if name == "uniinf":
        return UniINF(n, k, np.array([i.horizon for i in instances]), log_t=log_t)
    if name == "htinf":
        return HTINF(n, k, alpha, sigma)
    if name == "htinf_misspecified":
        return HTINF(n, k, assumed_alpha, sigma)
    if name == "tsallis_inf":
        return TsallisINF(n, k)
    if name == "robust_ucb":
        horizon = max(i.horizon for i in instances)
        return RobustUCB(n, k, horizon, u=sigma**alpha, eps=alpha - 1.0, delta=ucb_delta)
    raise ValueError(f"unknown policy {name!r}")


def make_instance(cfg: RunConfig) -> Instance:
    kw = {"noise": cfg.noise, "tail": cfg.tail, "scale": cfg.scale}
    if cfg.instance == "stochastic":
        return inst_mod.stochastic(cfg.n_arms, cfg.gap, cfg.horizon, **kw)
    if cfg.instance == "ucb_killer":
        return inst_mod.ucb_killer(cfg.horizon, **kw)
    if cfg.instance == "stoch_constrained":
        return inst_mod.stochastically_constrained(cfg.n_arms, cfg.gap, cfg.horizon, **kw)
    return inst_mod.minimax(cfg.n_arms, cfg.horizon, c=cfg.minimax_c, **kw)


@dataclasses.dataclass
class Result:
    """Per-seed final pseudo-regret and the regret curve; medians/quartiles over seeds in the summary."""

    config: RunConfig
    seeds: list[int]
    final_regret: list[float]
    steps: list[int]
    regret_curve: list[list[float]]  # [seed][step]
    final_scale: list[float] | None  # uniINF's S_{T+1} per seed
    rounds_done: int

    @property
    def finished(self) -> bool:
        return self.rounds_done >= self.config.horizon

    def summary(self) -> dict[str, float]:
        q25, med, q75 = quartiles(np.asarray(self.final_regret))
        return {"median_regret": float(med), "q25_regret": float(q25), "q75_regret": float(q75)}

    def __str__(self) -> str:
        s = self.summary()
        return (
            f"{self.config.policy} on {self.config.instance} (K={2 if self.config.instance == 'ucb_killer' else self.config.n_arms}, T={self.config.horizon}, "
            f"{self.config.noise} p={self.config.tail}, {len(self.seeds)} seeds): pseudo-regret median "
            f"{s['median_regret']:.4g} [q25 {s['q25_regret']:.4g}, q75 {s['q75_regret']:.4g}]"
            + ("" if self.finished else f" (stopped at round {self.rounds_done})")
        )

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["config"] = config_to_dict(self.config)
        return d


def run_rows(
    policy_name: str,
    instances: Sequence[Instance],
    seeds: Sequence[int],
    *,
    steps: Sequence[int] | None = None,
    **policy_kwargs: object,
) -> Trace:
    """Play ``policy_name`` on rows (instance_r, seed_r) in one vectorised batch; no files written."""
    env = BanditEnvironment(instances, seeds)
    policy = make_policy(policy_name, instances, **policy_kwargs)  # type: ignore[arg-type]
    steps = log_grid(int(env.horizon.max())) if steps is None else steps
    return play(policy, env, Recorder(env, steps))


def _policy_kwargs(cfg: RunConfig) -> dict[str, object]:
    return {
        "log_t": cfg.log_t,
        "alpha_margin": cfg.alpha_margin,
        "assumed_alpha": cfg.assumed_alpha,
        "ucb_delta": cfg.ucb_delta,
    }


def train(cfg: RunConfig, *, run_dir: str | Path | None = None, stop_after: int | None = None) -> Result:
    """Run ``cfg``; with ``run_dir``, log the median regret curve, checkpoint every ``cfg.checkpoint_every``
    rounds, resume from ``run_dir/checkpoint`` if one is there, and write ``result.json``.

    ``stop_after`` ends the run early after that round (after checkpointing it), as an interruption would.
    """
    instance = make_instance(cfg)
    seeds = list(range(cfg.seed, cfg.seed + cfg.seeds))
    env = BanditEnvironment([instance] * cfg.seeds, seeds)
    policy = make_policy(cfg.policy, [instance] * cfg.seeds, **_policy_kwargs(cfg))  # type: ignore[arg-type]
    recorder = Recorder(env, log_grid(cfg.horizon))
    ckpt_dir = Path(run_dir) / "checkpoint" if run_dir is not None else None
    if ckpt_dir is not None and (ckpt_dir / "state.json").exists():
        ckpt = load_checkpoint(ckpt_dir, config=cfg)
        policy.load_state_dict(
            {k.split("/", 1)[1]: v for k, v in ckpt.arrays.items() if k.startswith("policy/")}
        )
        recorder.load_state(
            {k.split("/", 1)[1]: v for k, v in ckpt.arrays.items() if k.startswith("recorder/")}
        )
        env.load_state(ckpt.state["env"])
    logger = (
        MetricsLogger(run_dir, resume_step=policy.t - 1, total=cfg.horizon, desc="uniinf")
        if run_dir is not None
        else None
    )

    def on_round(t: int) -> None:
        if logger is not None and t in recorder.step_index:
            j = recorder.step_index[t]
            q25, med, q75 = quartiles(recorder.at_steps[:, j])
            logger.log(t, {"regret_median": med, "regret_q25": q25, "regret_q75": q75})
        if (
            ckpt_dir is not None
            and cfg.checkpoint_every
            and (t % cfg.checkpoint_every == 0 or t == stop_after)
        ):
            arrays = {f"policy/{k}": v for k, v in policy.state_dict().items()}
            arrays.update({f"recorder/{k}": v for k, v in recorder.state().items()})
            save_checkpoint(ckpt_dir, config=cfg, step=t, arrays=arrays, state={"env": env.state()})

    if stop_after is not None and (stop_after % 256 or not cfg.checkpoint_every):
        raise ValueError(f"stop_after needs checkpointing and a multiple of 256, got {stop_after}")
    try:
        trace = play(policy, env, recorder, until=stop_after or cfg.horizon, on_round=on_round)
    finally:
        if logger is not None:
            logger.close()
    scale = trace.final_diagnostics.get("S")
    result = Result(
        config=cfg,
        seeds=seeds,
        final_regret=[float(v) for v in trace.final_regret],
        steps=[int(s) for s in trace.steps],
        regret_curve=trace.regret.tolist(),
        final_scale=None if scale is None else [float(v) for v in scale],
        rounds_done=policy.t - 1,
    )
    if run_dir is not None and result.finished:
        atomic_write_json(Path(run_dir) / "result.json", result.to_json())
    return result


def evaluate(run_dir: str | Path) -> dict[str, float]:
    """Summarise a finished run folder: median and quartiles of the final pseudo-regret over seeds."""
    path = Path(run_dir) / "result.json"
    if not path.is_file():
        raise ValueError(f"no finished run in {run_dir} (missing result.json)")
    data = json.loads(path.read_text())
    q25, med, q75 = quartiles(np.asarray(data["final_regret"]))
    return {
        "median_regret": float(med),
        "q25_regret": float(q25),
        "q75_regret": float(q75),
        "seeds": len(data["seeds"]),
    }
