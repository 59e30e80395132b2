"""Same-run speed comparisons: time each arm ``reps`` times, interleaved, and report medians.

Every speed figure in the project is a ratio against a peer or reference measured in the same run (never
against a figure from elsewhere). :func:`time_arms` is that measurement: the arms run back to back in each
repetition, the order rotating so that neither always runs first (warm caches, turbo, a neighbour's load), and
both wall and CPU time of this process are kept, since the machine may be shared::

    t = time_arms({"per-seed loop": loop, "batch": batch}, reps=3)
    print(f"{t['per-seed loop'].cpu / t['batch'].cpu:.1f}x")
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ArmTiming:
    """One arm's repetitions: seconds of wall and of this process's CPU, and their medians."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    def rate(self, work: float, clock: str = "wall") -> float:
        """``work`` units per median second of ``clock`` ('wall' or 'cpu')."""
        if clock not in ("wall", "cpu"):
            raise ValueError(f"clock must be 'wall' or 'cpu', got {clock!r}")
        return work / (self.wall if clock == "wall" else self.cpu)


def time_arms(arms: Mapping[str, Callable[[], object]], reps: int = 3) -> dict[str, ArmTiming]:
    """Run every arm once per repetition, the order rotated each repetition; return each arm's timings."""
    if reps < 1:
        raise ValueError(f"reps must be >= 1, got {reps}")
    if not arms:
        raise ValueError("time_arms needs at least one arm")
    names = list(arms)
    out = {name: ArmTiming() for name in names}
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            w, c = time.perf_counter(), time.process_time()
            arms[name]()
            out[name].walls.append(time.perf_counter() - w)
            out[name].cpus.append(time.process_time() - c)
    return out
