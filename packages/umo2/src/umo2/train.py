"""``train(cfg) -> Result``: one algorithm on one network, ``cfg.seeds`` runs vectorised.

With a run folder, the whole simulator state (queues, learners, running sums and the adversary's random
streams) is checkpointed every ``cfg.checkpoint_every`` slots with paperkit's atomic checkpoints, and a run
stopped early (``stop_after``, or killed) resumes bit-exactly with ``resume=True``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
from paperkit import atomic_write_json, config_to_dict, load_checkpoint, save_checkpoint, write_config

from umo2.config import RunConfig
from umo2.network import load_topology
from umo2.simulate import Simulator


@dataclasses.dataclass
class Result:
    config: RunConfig
    seeds: list[int]
    avg_backlog: list[float]
    final_backlog: list[float]
    gap: list[float]
    good_mode: list[float]
    slots: int = 0
    """Slots played (< config.horizon for a run stopped early)."""

    def summary(self) -> dict[str, float]:
        med = lambda v: float(np.median(v))  # noqa: E731
        return {
            "gap_median": med(self.gap),
            "avg_backlog_median": med(self.avg_backlog),
            "final_backlog_median": med(self.final_backlog),
            "good_mode_median": med(self.good_mode),
        }

    def __str__(self) -> str:
        s = self.summary()
        return (
            f"{self.config.algorithm} on {self.config.topology} (T={self.config.horizon}, {len(self.seeds)} seeds"
            + ("" if self.slots >= self.config.horizon else f", stopped after {self.slots} slots")
            + "): "
            f"utility gap {s['gap_median']:.4g}, time-avg backlog {s['avg_backlog_median']:.4g}, "
            f"final backlog {s['final_backlog_median']:.4g}, best-mode share {s['good_mode_median']:.3f} (medians)"
        )


def train(
    cfg: RunConfig,
    *,
    run_dir: str | Path | None = None,
    resume: bool = False,
    stop_after: int | None = None,
) -> Result:
    """Run ``cfg.algorithm`` for ``cfg.horizon`` slots on rows seed, seed+1, ...

    ``run_dir``: write config.json, checkpoints (every ``cfg.checkpoint_every`` slots and when stopped early)
    and result.json there. ``resume=True`` continues from the checkpoint in ``run_dir``. ``stop_after``
    stops after that many slots (an interruption); the Result then covers the slots played so far.
    """
    topo = load_topology(cfg.topology)
    seeds = list(range(cfg.seed, cfg.seed + cfg.seeds))
    sim = Simulator(topo, cfg, [cfg.horizon] * cfg.seeds, seeds)
    ckpt_path = Path(run_dir) / "checkpoint" if run_dir is not None else None
    if resume:
        if ckpt_path is None:
            raise ValueError("resume=True needs a run_dir holding a checkpoint")
        ckpt = load_checkpoint(ckpt_path, config=cfg)
        sim.load_state(ckpt.arrays, ckpt.state)
    if run_dir is not None:
        Path(run_dir).mkdir(parents=True, exist_ok=True)
        write_config(run_dir, cfg)

    def checkpoint() -> None:
        if ckpt_path is not None:
            arrays, state = sim.state()
            save_checkpoint(ckpt_path, config=cfg, step=sim.t, arrays=arrays, state=state)

    end = cfg.horizon if stop_after is None else min(int(stop_after), cfg.horizon)
    every = cfg.checkpoint_every
    while sim.t < end:
        sim.run(until=min(end, (sim.t // every + 1) * every) if every else end)
        if every and sim.t % every == 0 and sim.t < cfg.horizon:
            checkpoint()
    if not sim.done:
        checkpoint()  # stopped early: leave a resumable state behind
    trace = sim.trace()
    res = Result(
        cfg,
        seeds,
        trace.avg_backlog.tolist(),
        trace.final_backlog.tolist(),
        trace.gap.tolist(),
        trace.good_mode.tolist(),
        slots=sim.t,
    )
    if run_dir is not None and sim.done:
        d = dataclasses.asdict(res)
        d["config"] = config_to_dict(cfg)
        atomic_write_json(Path(run_dir) / "result.json", d)
    return res


def evaluate(run_dir: str | Path) -> dict[str, float]:
    path = Path(run_dir) / "result.json"
    if not path.is_file():
        if (Path(run_dir) / "checkpoint" / "state.json").is_file():
            step = json.loads((Path(run_dir) / "checkpoint" / "state.json").read_text())["step"]
            raise ValueError(f"run {run_dir} stopped after slot {step}; finish it with `umo2 train --resume`")
        raise ValueError(f"no finished run in {run_dir} (missing result.json)")
    d = json.loads(path.read_text())
    return {k: float(np.median(d[k])) for k in ("gap", "avg_backlog", "final_backlog", "good_mode")}
