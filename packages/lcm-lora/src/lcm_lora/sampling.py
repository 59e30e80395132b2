"""Sampling with diffusers' own schedulers: LCMScheduler for LCM-LoRA, DDIM and DPM-Solver++ for the teacher.

The loop is the usual diffusers one (the user owns it): set_timesteps, then ε̂ (with classifier-free guidance
when the scale is > 1, doubling the UNet evaluations) and ``scheduler.step``. LCMScheduler re-injects fresh
noise between steps and returns the denoised sample at the last one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from diffusers import DDIMScheduler, DPMSolverMultistepScheduler, LCMScheduler

from lcm_lora.models import expand_condition, predict_noise

SAMPLERS = ("lcm", "ddim", "dpmsolver")


def make_scheduler(kind: str, train_scheduler: Any, original_inference_steps: int = 50) -> Any:
    """A sampler over the teacher's training schedule (same betas and T)."""
    config = dict(train_scheduler.config)
    if kind == "lcm":
        return LCMScheduler.from_config(config, original_inference_steps=original_inference_steps)
    if kind == "ddim":
        # trailing spacing starts at t = T - 1, as LCM does; leading would skip the noisiest steps
        return DDIMScheduler.from_config(config, timestep_spacing="trailing", set_alpha_to_one=False)
    if kind == "dpmsolver":
        return DPMSolverMultistepScheduler.from_config(config, algorithm_type="dpmsolver++", solver_order=2)
    raise ValueError(f"sampler must be one of {list(SAMPLERS)}, got {kind!r}")


@dataclasses.dataclass
class Samples:
    images: torch.Tensor
    nfe: int  # UNet evaluations per sample


@torch.no_grad()
def sample(
    unet: torch.nn.Module,
    scheduler: Any,
    cond: torch.Tensor | None,
    *,
    num_steps: int,
    shape: tuple[int, ...],
    generator: torch.Generator,
    guidance_scale: float = 1.0,
    null_condition: torch.Tensor | None = None,
) -> Samples:
    """Draw ``shape[0]`` samples in ``num_steps`` steps (standard CFG scale ``guidance_scale``; <= 1: none)."""
    num_train = int(scheduler.config.num_train_timesteps)
    limit = int(getattr(scheduler.config, "original_inference_steps", num_train) or num_train)
    if isinstance(scheduler, LCMScheduler):
        limit = min(limit, num_train)
    if not isinstance(num_steps, int) or not 1 <= num_steps <= limit:
        raise ValueError(
            f"num_steps must be an int in [1, {limit}] for {type(scheduler).__name__}, got {num_steps!r}"
        )
    use_cfg = guidance_scale > 1.0
    if use_cfg and null_condition is None:
        raise ValueError("guidance_scale > 1 needs a null_condition")
    scheduler.set_timesteps(num_steps)
    dev = next(unet.parameters()).device  # noise is drawn from ``generator`` (CPU) and moved there
    x = torch.randn(shape, generator=generator).to(dev) * scheduler.init_noise_sigma
    b = shape[0]
    uncond = expand_condition(null_condition, b) if use_cfg else None
    nfe = 0
    for t in scheduler.timesteps:
        inp = scheduler.scale_model_input(x, t)
        tt = torch.full((b,), int(t), dtype=torch.long, device=dev)
        if use_cfg:
            eps = predict_noise(unet, torch.cat([inp, inp]), torch.cat([tt, tt]), torch.cat([cond, uncond]))
            eps_c, eps_u = eps.chunk(2)
            eps = eps_u + guidance_scale * (eps_c - eps_u)
            nfe += 2
        else:
            eps = predict_noise(unet, inp, tt, cond)
            nfe += 1
        x = scheduler.step(eps.to(x.dtype), t, x, generator=generator).prev_sample
    return Samples(x, nfe)
