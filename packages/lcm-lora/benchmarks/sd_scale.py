"""LCM-LoRA at Stable-Diffusion-1.5 scale on one accelerator: the speed side of the paper's claim.

What it measures (random init: no weights can be downloaded on the device, and speed does not depend on them):

1. ``build``: SD-1.5's ``UNet2DConditionModel`` from its config (859.5M parameters), frozen, in bf16, with
   LCM-LoRA rank 64 (α = 64) on the official targets (67.3M trainable parameters, kept in fp32).
2. ``lcd``: LCD steps/s and peak memory at the paper's batch (12 per GPU) at 512x512 (64x64 latents), with
   the package's own objective (:class:`lcm_lora.LCDObjective`: student pass with grad; teacher cond + uncond
   and target passes without), AdamW, bf16 autocast, gradient checkpointing as in the official script. The
   text embeddings (77 x 768) and latents are random tensors: the frozen CLIP text encoder and VAE encoder
   are not timed.
3. ``sample``: 4-step LCM (no CFG, LoRA merged and unmerged) against 50-step DDIM with CFG 7.5 (2 UNet passes
   per step), batch 4 at 64x64 latents, UNet only (the VAE decode is the same for both and not timed).

Each phase has a hard deadline; the results file is rewritten after every phase, so a run that is cut short
still returns what it measured. Everything goes to ``$OUT/lcm_sd_scale.json`` (plus a copy of the log).

On the device (6-minute budget; its Python 3.12 has torch, peft, safetensors and transformers, not diffusers)::

    # here, once: the diffusers wheel travels in an ignored folder named in `carry`
    .venv/bin/python -m pip download diffusers==0.42.1 --no-deps --only-binary=:all: -d runs/wheels
    # (or: uv pip download is not available; `pip download` in any venv works; the wheel is ~4 MB)
    # on the device:
    pip install --no-deps --no-index runs/wheels/diffusers-*.whl  # or unzip it onto PYTHONPATH
    PYTHONUNBUFFERED=1 PYTHONPATH=shared/src:packages/lcm-lora/src \\
        timeout 330 python packages/lcm-lora/benchmarks/sd_scale.py --out "$OUT" --budget 300

diffusers' own dependencies (huggingface-hub, httpx, regex, requests, filelock, numpy, safetensors, Pillow)
come with transformers on that machine, except Pillow if missing: ``--no-deps`` install of a Pillow wheel
the same way. scikit-learn is not needed (only the digits path uses it).

On CPU at tiny size (the test suite runs this, so the script cannot rot)::

    python packages/lcm-lora/benchmarks/sd_scale.py --tiny --device cpu --out /tmp/sd-scale
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import torch

PHASE_SHARE = {"build": 0.2, "lcd": 0.45, "sample": 0.35}  # of the budget, each a hard deadline

TINY_UNET: dict[str, Any] = dict(
    sample_size=8,
    in_channels=4,
    out_channels=4,
    layers_per_block=1,
    block_out_channels=(32, 32, 64, 64),
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    cross_attention_dim=32,
    attention_head_dim=8,
    norm_num_groups=8,
)


class Deadline(Exception):
    pass


class Clock:
    def __init__(self, budget: float):
        self.start = time.monotonic()
        self.budget = budget
        self.phase_end = self.start + budget

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def begin(self, phase: str) -> None:
        used = self.elapsed()
        self.phase_end = self.start + min(self.budget, used + PHASE_SHARE[phase] * self.budget)

    def left(self) -> float:
        return self.phase_end - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.phase_end:
            raise Deadline


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _peak_gib(device: torch.device) -> float | None:
    if device.type != "cuda":
        return None
    return torch.cuda.max_memory_allocated(device) / 2**30


def _reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def _autocast(device: torch.device, dtype: torch.dtype):
    if dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def build(cfg: dict[str, Any], rank: int, device: torch.device, dtype: torch.dtype, seed: int):
    from diffusers import UNet2DConditionModel

    from lcm_lora import LCM_LORA_TARGETS, add_lora
    from lcm_lora.models import seeded_init

    with seeded_init(seed):
        unet = UNet2DConditionModel(**cfg)
        base = sum(p.numel() for p in unet.parameters())
        unet = unet.to(device=device, dtype=dtype).requires_grad_(False)
        params = add_lora(unet, rank=rank, alpha=rank, target_modules=LCM_LORA_TARGETS, adapter_name="lcm")
    for p in params:  # the trainable adapter in fp32, as the official script casts it
        p.data = p.data.float()
    return unet, params, base


def phase_lcd(unet, params, *, batch, latent, text_len, text_dim, device, dtype, clock, max_steps, seed):
    from lcm_lora import LCDConfig, LCDObjective, sd_noise_scheduler

    cfg = LCDConfig(w_min=5.0, w_max=15.0, lora_rank=64, lora_alpha=64, learning_rate=1e-4, seed=seed)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    null = torch.zeros(text_len, text_dim)  # a fixed "empty prompt" embedding
    objective = LCDObjective(unet, sd_noise_scheduler(), cfg, null.to(device), gen)  # draws on the CPU
    opt = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=0.0)
    if hasattr(unet, "enable_gradient_checkpointing"):
        unet.enable_gradient_checkpointing()
    unet.train()
    latents = torch.randn(batch, 4, latent, latent, generator=gen).to(device)
    cond = torch.randn(batch, text_len, text_dim, generator=gen).to(device)
    _reset_peak(device)
    times: list[float] = []
    losses: list[float] = []
    for step in range(max_steps):
        clock.check()
        _sync(device)
        t0 = time.perf_counter()
        with _autocast(device, dtype):
            loss = objective((latents, cond))
        opt.zero_grad(set_to_none=True)
        loss.float().backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        _sync(device)
        times.append(time.perf_counter() - t0)
        losses.append(loss.detach().item())
        print(f"lcd step {step}: {times[-1]:.3f} s, loss {losses[-1]:.4g}", flush=True)
    return times, losses, _peak_gib(device)


@torch.no_grad()
def time_sampler(
    unet, kind, steps, guidance, *, batch, latent, text_len, text_dim, device, dtype, repeats, clock
):
    """Best of ``repeats`` wall times of the package's :func:`lcm_lora.sample` loop (after one warm-up)."""
    from lcm_lora import make_scheduler, sample, sd_noise_scheduler

    sched = make_scheduler(kind, sd_noise_scheduler())
    gen = torch.Generator().manual_seed(0)
    cond = torch.randn(batch, text_len, text_dim, generator=gen).to(device)
    null = torch.zeros(text_len, text_dim, device=device)
    best = math.inf
    for r in range(repeats + 1):  # the first run warms up
        clock.check()
        _sync(device)
        t0 = time.perf_counter()
        with _autocast(device, dtype):
            sample(
                unet,
                sched,
                cond,
                num_steps=steps,
                shape=(batch, 4, latent, latent),
                generator=torch.Generator().manual_seed(r),
                guidance_scale=guidance,
                null_condition=null,
            )
        _sync(device)
        if r:
            best = min(best, time.perf_counter() - t0)
    return best


def run(out: Path, *, budget: float, tiny: bool, device_name: str, repeats: int = 2, seed: int = 0) -> dict:
    """All three phases under one budget (seconds); returns (and writes) the results."""
    from lcm_lora.scale import SD15_UNET

    out.mkdir(parents=True, exist_ok=True)
    device = torch.device(device_name)
    if device.type == "cpu":
        from paperkit import set_threads

        set_threads(1)  # the shared CPU machine (tests): one thread, as every run here
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    cfg = TINY_UNET if tiny else SD15_UNET
    batch, latent = (2, 8) if tiny else (12, 64)
    text_len, text_dim = (8, 32) if tiny else (77, 768)
    rank = 4 if tiny else 64
    clock = Clock(budget)
    res: dict[str, Any] = {
        "script": "packages/lcm-lora/benchmarks/sd_scale.py",
        "command": " ".join(sys.argv),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "device": torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else platform.processor() or "cpu",
        "torch": torch.__version__,
        "tiny": tiny,
        "dtype": str(dtype),
        "budget_s": budget,
        "phases": {},
    }

    def save() -> None:
        res["elapsed_s"] = clock.elapsed()
        tmp = out / "lcm_sd_scale.json.tmp"
        tmp.write_text(json.dumps(res, indent=2))
        os.replace(tmp, out / "lcm_sd_scale.json")

    def phase(name: str, fn) -> None:
        clock.begin(name)
        t0 = time.perf_counter()
        try:
            res["phases"][name] = {"status": "done", **fn()}
        except Deadline:
            res["phases"].setdefault(name, {})["status"] = "deadline"
        except Exception as e:  # report and go on: the other phases may still run
            res["phases"][name] = {"status": f"error: {type(e).__name__}: {e}"}
        res["phases"][name]["seconds"] = time.perf_counter() - t0
        print(f"[{name}] {json.dumps(res['phases'][name])}", flush=True)
        save()

    state: dict[str, Any] = {}

    def do_build() -> dict:
        unet, params, base = build(cfg, rank, device, dtype, seed)
        state.update(unet=unet, params=params)
        return {
            "unet_params_m": base / 1e6,
            "lora_params_m": sum(p.numel() for p in params) / 1e6,
            "lora_rank": rank,
        }

    def do_lcd() -> dict:
        partial: dict[str, Any] = {}
        res["phases"]["lcd"] = partial
        try:
            times, losses, peak = phase_lcd(
                state["unet"], state["params"], batch=batch, latent=latent, text_len=text_len,
                text_dim=text_dim, device=device, dtype=dtype, clock=clock, max_steps=3 if tiny else 60, seed=seed,
            )  # fmt: skip
        except Deadline:
            raise
        timed = (
            times[2:] if len(times) > 3 else times[1:]
        )  # the first steps warm up (cuDNN autotune, allocator)
        return {
            "batch": batch,
            "resolution": latent * 8,
            "steps_timed": len(timed),
            "steps_per_s": len(timed) / sum(timed) if timed else None,
            "samples_per_s": batch * len(timed) / sum(timed) if timed else None,
            "peak_mem_gib": peak,
            "loss_first_last": [losses[0], losses[-1]] if losses else None,
            "gradient_checkpointing": True,
        }

    def do_sample() -> dict:
        unet = state["unet"]
        unet.eval()
        if hasattr(unet, "disable_gradient_checkpointing"):
            unet.disable_gradient_checkpointing()
        kw = dict(batch=1 if tiny else 4, latent=latent, text_len=text_len, text_dim=text_dim, device=device,
                  dtype=dtype, repeats=1 if tiny else repeats, clock=clock)  # fmt: skip
        r: dict[str, Any] = {"batch": kw["batch"], "resolution": latent * 8}
        res["phases"]["sample"] = r
        _reset_peak(device)
        r["lcm4_unmerged_s"] = time_sampler(unet, "lcm", 4, 1.0, **kw)
        save()
        from lcm_lora import merge_adapters

        # folded in: no LoRA matmuls left, so this UNet costs what the base (teacher) UNet costs
        merge_adapters(unet)
        r["lcm4_merged_s"] = time_sampler(unet, "lcm", 4, 1.0, **kw)
        save()
        ddim_steps = 5 if tiny else 50
        r["ddim_steps"] = ddim_steps
        r["ddim_cfg_s"] = time_sampler(unet, "ddim", ddim_steps, 7.5, **kw)
        r["speedup_merged"] = r["ddim_cfg_s"] / r["lcm4_merged_s"]
        r["speedup_unmerged"] = r["ddim_cfg_s"] / r["lcm4_unmerged_s"]
        r["peak_mem_gib"] = _peak_gib(device)
        return r

    phase("build", do_build)
    if res["phases"]["build"]["status"] == "done":
        phase("lcd", do_lcd)
        phase("sample", do_sample)
    save()
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "runs/sd-scale")))
    parser.add_argument("--budget", type=float, default=300.0, help="seconds for all phases together")
    parser.add_argument("--tiny", action="store_true", help="a tiny UNet of the same layout (CPU test)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    res = run(args.out, budget=args.budget, tiny=args.tiny, device_name=args.device, repeats=args.repeats)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
