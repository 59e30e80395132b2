"""One small training loop (AdamW, warm-up, grad clip) with resumable checkpoints, shared by the teacher,
the style LoRA, the classifiers and the LCM-LoRA distillation."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import torch
from paperkit import MetricsLogger, load_checkpoint, save_checkpoint


@dataclasses.dataclass
class FitResult:
    losses: list[float]
    seconds: float
    start_step: int  # > 0 when the run resumed from a checkpoint
    steps: int


def fit(
    params: Sequence[torch.nn.Parameter],
    loss_fn: Callable[[Any], torch.Tensor],
    data: Iterable[Any],
    *,
    steps: int,
    lr: float,
    config: Any,
    generators: dict[str, torch.Generator],
    weight_decay: float = 0.0,
    max_grad_norm: float | None = 1.0,
    warmup_steps: int = 0,
    run_dir: str | Path | None = None,
    checkpoint_every: int = 0,
    stop_after: int | None = None,
    log_every: int = 50,
) -> FitResult:
    """Minimise ``loss_fn(batch)`` over ``steps`` batches of ``data``.

    With ``run_dir`` the loop resumes from ``run_dir/checkpoint`` (written under the same ``config``) and
    saves there every ``checkpoint_every`` steps and at the end; the checkpoint holds the trained tensors, the
    optimizer, every named generator and the data stream's state. ``stop_after`` ends early (after a
    checkpoint), to simulate an interruption.
    """
    params = list(params)
    if not params:
        raise ValueError("no trainable parameters")
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup_steps) if warmup_steps else 1.0
    )
    ckpt = Path(run_dir) / "checkpoint" if run_dir is not None else None
    start = 0
    # the losses of the logging window the checkpoint fell into: a resumed run logs the same window means
    # as an uninterrupted one (issue 23: they used to cover only the steps since the resume)
    window_before: list[float] = []
    if ckpt is not None and (ckpt / "state.json").exists():
        c = load_checkpoint(ckpt, config=config)
        with torch.no_grad():
            for i, p in enumerate(params):
                p.copy_(c.tensors[f"param/{i}"])
        opt.load_state_dict(c.objects["optimizer"])
        sched.load_state_dict(c.objects["lr_scheduler"])
        for name, g in generators.items():
            g.set_state(c.tensors[f"rng/{name}"])
        if hasattr(data, "load_state_dict"):
            data.load_state_dict(
                {k.removeprefix("data/"): v for k, v in c.tensors.items() if k.startswith("data/")}
            )
        start = c.step
        window_before = [float(v) for v in c.state.get("loss_window", [])]
        if start >= steps:  # already finished: nothing to train, nothing to rewrite
            return FitResult([], 0.0, start, start)

    def save(step: int) -> None:
        if ckpt is None:
            return
        tensors = {f"param/{i}": p for i, p in enumerate(params)}
        tensors |= {f"rng/{name}": g.get_state() for name, g in generators.items()}
        if hasattr(data, "state_dict"):
            tensors |= {f"data/{k}": v for k, v in data.state_dict().items()}
        objects = {"optimizer": opt.state_dict(), "lr_scheduler": sched.state_dict()}
        state = {"loss_window": (window_before + losses)[-log_every:]}
        save_checkpoint(ckpt, config=config, step=step, tensors=tensors, objects=objects, state=state)

    logger = (
        MetricsLogger(run_dir, resume_step=start, total=steps, desc=f"lcm-lora {Path(run_dir).name}")
        if run_dir is not None
        else None
    )
    it = iter(data)
    losses: list[float] = []
    t0 = time.perf_counter()
    step = start
    try:
        for step in range(start + 1, steps + 1):
            loss = loss_fn(next(it))
            if not torch.isfinite(loss):
                raise FloatingPointError(f"loss is {loss.item()} at step {step}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if max_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
            opt.step()
            sched.step()
            losses.append(loss.item())
            if logger is not None and (step % log_every == 0 or step == steps):
                window = (window_before + losses)[-log_every:]
                logger.log(step, {"loss": sum(window) / len(window), "lr": sched.get_last_lr()[0]})
            if checkpoint_every and step % checkpoint_every == 0 and step != steps:
                save(step)
            if stop_after is not None and step >= stop_after:
                break
        save(step)
    finally:
        if logger is not None:
            logger.close()
    return FitResult(losses, time.perf_counter() - t0, start, step)


def mean_tail(values: Sequence[float], frac: float = 0.1) -> float:
    """Mean of the last ``frac`` of a loss curve (nan for an empty one)."""
    if not values:
        return math.nan
    n = max(1, int(len(values) * frac))
    return sum(values[-n:]) / n
