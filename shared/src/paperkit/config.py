"""Typed configs: validation helpers that name the bad field, JSON round-trip, a stable hash.

Configs are frozen stdlib dataclasses read by tyro; each validates itself in ``__post_init__`` with the
``check_*`` helpers below, so a bad value fails at construction with a message naming field and value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import types
import typing
from collections.abc import Container, Mapping
from typing import Any, TypeVar

C = TypeVar("C")


def _fail(name: str, value: Any, must: str) -> None:
    raise ValueError(f"{name} must be {must}, got {value!r}")


def check_positive(name: str, value: float) -> None:
    if not _is_finite_number(value) or value <= 0:
        _fail(name, value, "a finite number > 0")


def check_non_negative(name: str, value: float) -> None:
    if not _is_finite_number(value) or value < 0:
        _fail(name, value, "a finite number >= 0")


def check_int_at_least(name: str, value: int, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        _fail(name, value, f"an int >= {low}")


def check_range(name: str, value: float, low: float, high: float, *, low_open=False, high_open=False) -> None:
    ok = _is_finite_number(value) and (value > low if low_open else value >= low)
    ok = ok and (value < high if high_open else value <= high)
    if not ok:
        lb, hb = "(" if low_open else "[", ")" if high_open else "]"
        _fail(name, value, f"in {lb}{low}, {high}{hb}")


def check_choice(name: str, value: Any, choices: Container[Any]) -> None:
    if value not in choices:
        shown = sorted(choices) if isinstance(choices, set | frozenset) else list(choices)  # type: ignore[call-overload]
        _fail(name, value, f"one of {shown}")


def _is_finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def config_to_dict(cfg: Any) -> dict[str, Any]:
    """A JSON-ready dict of a (nested) dataclass config."""
    if not dataclasses.is_dataclass(cfg) or isinstance(cfg, type):
        raise TypeError(f"expected a dataclass instance, got {type(cfg).__name__}")
    return json.loads(json.dumps(dataclasses.asdict(cfg), default=str))


# Fields that say where a run writes, not what it computes: the hash ignores them, so a run folder that was
# moved, copied or renamed still resumes.
OUTPUT_NAMES = frozenset(
    {"out", "out_dir", "run_dir", "output", "output_dir", "save_dir", "log_dir", "svg_dir", "checkpoint_dir"}
)


def _without_paths(d: Any) -> Any:
    if isinstance(d, Mapping):
        return {k: _without_paths(v) for k, v in d.items() if k not in OUTPUT_NAMES}
    return d


def config_hash(cfg: Any) -> str:
    """A short stable hash of a config's content (output locations left out), used to refuse checkpoints
    from another config."""
    d = config_to_dict(cfg) if not isinstance(cfg, Mapping) else cfg
    blob = json.dumps(_without_paths(d), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def config_from_dict(cls: type[C], data: Mapping[str, Any]) -> C:
    """Rebuild a dataclass config saved with :func:`config_to_dict` (nested dataclasses and tuples too)."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"unknown fields for {cls.__name__}: {sorted(unknown)}")
    kwargs = {k: _coerce(hints[k], v) for k, v in data.items()}
    return cls(**kwargs)


def _coerce(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(value, Mapping):
        return config_from_dict(tp, value)  # type: ignore[arg-type]
    if origin is tuple and isinstance(value, list):
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(args[0], v) for v in value)
        return tuple(_coerce(a, v) for a, v in zip(args, value)) if args else tuple(value)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is type(None) and value is None:
                return None
            if dataclasses.is_dataclass(arg) and isinstance(value, Mapping):
                return config_from_dict(arg, value)  # type: ignore[arg-type]
    return value
