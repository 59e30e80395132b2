"""Multi-hop networks: the JSON topology format, its validation, and the queue dynamics (batched over seeds).

Topology JSON::

    {"name": "diamond",
     "nodes": ["s", "a", "b", "d"],
     "links": [{"from": "s", "to": "a", "capacities": [0.2, 1.0]}, ...],   # one level per transmission mode
     "commodities": [{"name": "f", "source": "s", "sink": "d"}],
     "admission_max": 1.5}                                                    # lambda_k in [0, admission_max]

Each link has M modes (M = len(capacities), the same for every link). The adversary decides, per block of
slots, which mode gets which capacity level (see :mod:`umo2.schedule`).

A commodity may only use links on a path from its source to its sink; those links must form an acyclic
graph (back-pressure would otherwise circulate packets), and every link must be usable by some commodity.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

TOPOLOGY_DIR = Path(__file__).parent / "topologies"


@dataclasses.dataclass(frozen=True)
class Topology:
    """A validated network. Arrays: ``link_src``/``link_dst`` [L] node indices, ``levels`` [L, M] capacity
    levels, ``usable`` [L, C] whether commodity k may use link l, ``source``/``sink`` [C] node indices."""

    name: str
    nodes: tuple[str, ...]
    link_src: np.ndarray
    link_dst: np.ndarray
    levels: np.ndarray
    source: np.ndarray
    sink: np.ndarray
    commodities: tuple[str, ...]
    usable: np.ndarray
    admission_max: float
    out_of: np.ndarray = dataclasses.field(init=False, repr=False)  # [N, L]: link l leaves node n
    into: np.ndarray = dataclasses.field(init=False, repr=False)  # [N, L]: link l enters node n

    def __post_init__(self) -> None:
        nodes = np.arange(len(self.nodes))[:, None]
        object.__setattr__(self, "out_of", (self.link_src[None, :] == nodes).astype(float))
        object.__setattr__(self, "into", (self.link_dst[None, :] == nodes).astype(float))

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_links(self) -> int:
        return len(self.link_src)

    @property
    def n_modes(self) -> int:
        return self.levels.shape[1]

    @property
    def n_commodities(self) -> int:
        return len(self.commodities)

    def link_name(self, l: int) -> str:
        return f"{self.nodes[self.link_src[l]]}->{self.nodes[self.link_dst[l]]}"


def load_topology(spec: str | Path | Mapping[str, Any]) -> Topology:
    """A topology from a dict, a JSON file (YAML with PyYAML installed), or a bundled name (``diamond``, ``line3``)."""
    if isinstance(spec, Mapping):
        return parse_topology(spec)
    path = Path(spec)
    if not path.suffix and (TOPOLOGY_DIR / f"{spec}.json").is_file():
        path = TOPOLOGY_DIR / f"{spec}.json"
    if not path.is_file():
        bundled = sorted(p.stem for p in TOPOLOGY_DIR.glob("*.json"))
        raise ValueError(f"no topology file {spec!r} (bundled topologies: {bundled})")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # optional: the package itself only needs JSON
        except ImportError as e:
            raise ValueError(
                f"topology {path}: reading YAML needs PyYAML (pip install pyyaml), or use JSON"
            ) from e
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as e:
            raise ValueError(f"topology {path} is not valid YAML: {e}") from e
    else:
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as e:
            raise ValueError(f"topology {path} is not valid JSON: {e}") from e
    if not isinstance(data, Mapping):
        raise ValueError(f"topology {path} must be a mapping with nodes, links, commodities")
    return parse_topology(data)


def parse_topology(data: Mapping[str, Any]) -> Topology:
    """Validate a topology dict; every error names the offending node, link or commodity."""
    for key in ("nodes", "links", "commodities"):
        if key not in data:
            raise ValueError(f"topology is missing {key!r}")
    name = str(data.get("name", "custom"))
    nodes = tuple(str(n) for n in data["nodes"])
    if len(set(nodes)) != len(nodes):
        raise ValueError(f"topology {name}: duplicate node names in {list(nodes)}")
    index = {n: i for i, n in enumerate(nodes)}

    def node(where: str, n: Any) -> int:
        if n not in index:
            raise ValueError(f"topology {name}: {where} refers to unknown node {n!r} (nodes: {list(nodes)})")
        return index[n]

    links = list(data["links"])
    if not links:
        raise ValueError(f"topology {name}: no links")
    src, dst, levels = [], [], []
    for i, link in enumerate(links):
        label = f"link {i} ({link.get('from')}->{link.get('to')})"
        a, b = node(label, link.get("from")), node(label, link.get("to"))
        if a == b:
            raise ValueError(f"topology {name}: {label} is a self-loop")
        caps = link.get("capacities")
        if not isinstance(caps, list | tuple) or not caps:
            raise ValueError(f"topology {name}: {label} needs a non-empty list 'capacities' (one per mode)")
        for c in caps:
            if not isinstance(c, int | float) or isinstance(c, bool) or not math.isfinite(c) or c < 0:
                raise ValueError(
                    f"topology {name}: {label} has capacity {c!r}; capacities must be finite and >= 0"
                )
        src.append(a)
        dst.append(b)
        levels.append([float(c) for c in caps])
    if len({len(c) for c in levels}) != 1:
        raise ValueError(
            f"topology {name}: every link needs the same number of modes, got {[len(c) for c in levels]}"
        )
    if len(set(zip(src, dst))) != len(src):
        raise ValueError(f"topology {name}: duplicate links")
    comms = list(data["commodities"])
    if not comms:
        raise ValueError(f"topology {name}: no commodities")
    cnames, csrc, csink = [], [], []
    for j, c in enumerate(comms):
        cname = str(c.get("name", f"c{j}"))
        s, t = (
            node(f"commodity {cname} source", c.get("source")),
            node(f"commodity {cname} sink", c.get("sink")),
        )
        if s == t:
            raise ValueError(f"topology {name}: commodity {cname} has the same source and sink {nodes[s]!r}")
        cnames.append(cname)
        csrc.append(s)
        csink.append(t)
    amax = data.get("admission_max", 1.0)
    if not isinstance(amax, int | float) or isinstance(amax, bool) or not math.isfinite(amax) or amax <= 0:
        raise ValueError(f"topology {name}: admission_max must be a finite number > 0, got {amax!r}")
    src_a, dst_a = np.array(src), np.array(dst)
    usable = np.zeros((len(src), len(cnames)), dtype=bool)
    for k, cname in enumerate(cnames):
        fwd = _reachable(csrc[k], src_a, dst_a, len(nodes))
        bwd = _reachable(csink[k], dst_a, src_a, len(nodes))
        if not fwd[csink[k]]:
            raise ValueError(
                f"topology {name}: commodity {cname}: sink {nodes[csink[k]]!r} is unreachable from source {nodes[csrc[k]]!r}"
            )
        usable[:, k] = fwd[src_a] & bwd[dst_a] & (src_a != csink[k])
        cycle = _find_cycle(src_a[usable[:, k]], dst_a[usable[:, k]], len(nodes))
        if cycle:
            names = "->".join(nodes[i] for i in cycle)
            raise ValueError(
                f"topology {name}: commodity {cname} can route around the cycle {names}; "
                "back-pressure routing needs each commodity's routing graph to be acyclic"
            )
    for l in range(len(src)):
        if not usable[l].any():
            raise ValueError(
                f"topology {name}: link {nodes[src[l]]}->{nodes[dst[l]]} lies on no source-to-sink path of any commodity"
            )
    return Topology(
        name,
        nodes,
        src_a,
        dst_a,
        np.array(levels),
        np.array(csrc),
        np.array(csink),
        tuple(cnames),
        usable,
        float(amax),
    )


def _reachable(start: int, frm: np.ndarray, to: np.ndarray, n: int) -> np.ndarray:
    seen = np.zeros(n, dtype=bool)
    seen[start] = True
    stack = [start]
    while stack:
        u = stack.pop()
        for v in to[frm == u]:
            if not seen[v]:
                seen[v] = True
                stack.append(int(v))
    return seen


def _find_cycle(frm: np.ndarray, to: np.ndarray, n: int) -> list[int]:
    """A directed cycle as a node list (first node repeated at the end), or [] if the graph is acyclic."""
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    parent = [-1] * n
    for root in range(n):
        if state[root]:
            continue
        stack = [(root, iter(to[frm == root].tolist()))]
        state[root] = 1
        while stack:
            u, it = stack[-1]
            v = next(it, None)
            if v is None:
                state[u] = 2
                stack.pop()
            elif state[v] == 1:  # back edge u -> v closes the cycle v -> ... -> u -> v
                path = [u]
                while path[-1] != v:
                    path.append(parent[path[-1]])
                return [*reversed(path), v]
            elif state[v] == 0:
                parent[v] = u
                state[v] = 1
                stack.append((v, iter(to[frm == v].tolist())))
    return []


@dataclasses.dataclass
class StepResult:
    """What one slot did, per row: packets sent per link [B, L], admitted [B, C], delivered [B, C]."""

    sent: np.ndarray
    admitted: np.ndarray
    delivered: np.ndarray


def differential_backlog(
    topo: Topology, Q: np.ndarray, *, single_hop: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Back-pressure weights: W_l = max_k [Q(a,k) - Q(b,k)]^+ over usable commodities, and the argmax k.

    ``single_hop=True`` ignores the downstream queue (W_l = max_k Q(a,k)): the baseline that forgets the
    multi-hop coupling. Q is [B, N, C]; returns W [B, L] and k [B, L].
    """
    up = Q[:, topo.link_src, :]
    diff = up if single_hop else up - Q[:, topo.link_dst, :]
    diff = np.where(topo.usable[None], diff, -np.inf)
    return np.maximum(diff.max(axis=2), 0.0), np.argmax(diff, axis=2)


def queue_step(
    topo: Topology, Q: np.ndarray, rate: np.ndarray, commodity: np.ndarray, admit: np.ndarray
) -> tuple[np.ndarray, StepResult]:
    """One slot of the dynamics. ``rate`` [B, L] is each link's transmission capacity this slot (0 = idle),
    ``commodity`` [B, L] what it serves, ``admit`` [B, C] exogenous arrivals at the sources.

    Departures are limited by the backlog present at the start of the slot (several links draining one
    queue share it in proportion to their rates); what a link actually moves, not its capacity, enters the
    next queue; packets reaching their sink leave the network. Arrivals are added after departures.
    """
    C = topo.n_commodities
    out_of, into = topo.out_of, topo.into
    request = rate[:, :, None] * (commodity[:, :, None] == np.arange(C))  # [B, L, C]
    out_request = out_of @ request  # [B, N, C]: what the links leaving each queue ask for
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(out_request > 0, np.minimum(1.0, Q / out_request), 0.0)
    moved = request * share[:, topo.link_src, :]
    new = np.maximum(Q - out_of @ moved + into @ moved, 0.0)  # only rounding can make it negative
    cols = np.arange(C)
    delivered = new[:, topo.sink, cols].copy()
    new[:, topo.sink, cols] = 0.0
    new[:, topo.source, cols] += admit
    return new, StepResult(moved.sum(axis=2), admit, delivered)
