"""Latent consistency distillation into a LoRA (LCM-LoRA, Algorithm 1 of LCM with the LoRA scripts' choices).

One step, per sample of the batch:

1. pick a grid index n; t_{n+k} = grid[n], t_n = max(t_{n+k} - k, 0); noise the clean latent to z_{t_{n+k}};
2. the frozen teacher (the base UNet, adapters off) predicts cond/uncond ε at z_{t_{n+k}}; combine with ω
   (LCM convention) and take one DDIM step to ẑ_{t_n} (ᾱ at t_n, not at t_{n+k});
3. student f_θ(z_{t_{n+k}}, t_{n+k}) with c_skip/c_out; target f_θ(ẑ_{t_n}, t_n) from the same LoRA model
   under no_grad (the LoRA scripts keep no EMA copy);
4. minimise d(student, target), l2 or pseudo-Huber; only the LoRA weights move.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from paperkit import Seeder

from lcm_lora.config import LCDConfig
from lcm_lora.consistency import (
    alphas_cumprod_prev_on_grid,
    boundary_scalings,
    consistency_function,
    consistency_loss,
    ddim_step,
    guidance_scale_embedding,
    guided,
    predicted_x0,
    skipping_step_grid,
)
from lcm_lora.lora import adapter_names, adapters_disabled, add_lora, save_lora_weights
from lcm_lora.models import check_epsilon_scheduler, expand_condition, predict_noise
from lcm_lora.training import FitResult, fit


@dataclasses.dataclass
class DistillResult:
    fit: FitResult
    lora_path: Path | None
    adapter_name: str


class LCDObjective:
    """The LCD loss of one batch; holds the schedule tensors and the random stream of the draws."""

    def __init__(
        self,
        unet: torch.nn.Module,
        noise_scheduler: Any,
        cfg: LCDConfig,
        null_condition: torch.Tensor | None,
        generator: torch.Generator,
    ):
        check_epsilon_scheduler(noise_scheduler)
        num_train = int(noise_scheduler.config.num_train_timesteps)
        self.unet = unet
        self.cfg = cfg
        self.null_condition = null_condition
        self.generator = generator
        self.alphas_cumprod = noise_scheduler.alphas_cumprod.float().clone()
        self.grid = skipping_step_grid(num_train, cfg.num_ddim_timesteps)
        self.skip = num_train // cfg.num_ddim_timesteps
        self.alpha_prev = alphas_cumprod_prev_on_grid(self.alphas_cumprod, self.grid)
        self.w_embed_dim = getattr(unet.config, "time_cond_proj_dim", None) if cfg.embed_guidance else None
        if cfg.embed_guidance and self.w_embed_dim is None:
            raise ValueError("embed_guidance=True needs a UNet whose config has time_cond_proj_dim set")

    def __call__(self, batch: tuple[torch.Tensor, Any]) -> torch.Tensor:
        latents, cond = batch
        cfg, gen, ac = self.cfg, self.generator, self.alphas_cumprod
        b = latents.shape[0]
        # every draw comes from the (CPU) generator, then moves to the latents' device (a no-op on CPU)
        dev = latents.device
        index = torch.randint(0, len(self.grid), (b,), generator=gen)
        t_start = self.grid[index]
        t_end = (t_start - self.skip).clamp(min=0)
        noise = torch.randn(latents.shape, generator=gen, dtype=latents.dtype).to(dev)
        a_start = ac[t_start].to(dev)
        a_bc = a_start.reshape(-1, *([1] * (latents.ndim - 1)))
        z = a_bc.sqrt() * latents + (1 - a_bc).sqrt() * noise
        omega = cfg.w_min + (cfg.w_max - cfg.w_min) * torch.rand(b, generator=gen)
        w_emb = guidance_scale_embedding(omega, self.w_embed_dim).to(dev) if self.w_embed_dim else None
        c_skip_start, c_out_start = (
            c.to(dev) for c in boundary_scalings(t_start, cfg.sigma_data, cfg.timestep_scaling)
        )
        c_skip_end, c_out_end = (
            c.to(dev) for c in boundary_scalings(t_end, cfg.sigma_data, cfg.timestep_scaling)
        )
        a_end, a_prev = ac[t_end].to(dev), self.alpha_prev[index].to(dev)
        t_start, t_end, omega = t_start.to(dev), t_end.to(dev), omega.to(dev)

        eps_student = predict_noise(self.unet, z, t_start, cond, w_emb)
        student = consistency_function(z, predicted_x0(eps_student, z, a_start), c_skip_start, c_out_start)

        with torch.no_grad():
            uncond = expand_condition(self.null_condition, b)
            with adapters_disabled(self.unet):  # the teacher is the frozen base model
                both = predict_noise(
                    self.unet, torch.cat([z, z]), torch.cat([t_start, t_start]), _cat_conditions(cond, uncond)
                )
            eps_c, eps_u = both.chunk(2)
            x0_c, x0_u = predicted_x0(eps_c, z, a_start), predicted_x0(eps_u, z, a_start)
            z_prev = ddim_step(guided(x0_c, x0_u, omega), guided(eps_c, eps_u, omega), a_prev)
            eps_target = predict_noise(self.unet, z_prev, t_end, cond, w_emb)
            target = consistency_function(
                z_prev, predicted_x0(eps_target, z_prev, a_end), c_skip_end, c_out_end
            )
        return consistency_loss(student, target, cfg.loss_type, cfg.huber_c)


def _cat_conditions(cond: Any, uncond: Any) -> Any:
    if cond is None and uncond is None:
        raise ValueError("classifier-free guidance needs a condition and a null condition")
    return torch.cat([torch.as_tensor(cond), uncond])


def distill_lcm_lora(
    unet: torch.nn.Module,
    noise_scheduler: Any,
    data: Iterable[tuple[torch.Tensor, Any]],
    cfg: LCDConfig,
    *,
    null_condition: torch.Tensor | None,
    adapter_name: str = "lcm",
    run_dir: str | Path | None = None,
    stop_after: int | None = None,
) -> DistillResult:
    """Distil ``unet`` (any diffusers UNet, ε-prediction, its DDPM-style ``noise_scheduler``) into an LCM-LoRA.

    ``data`` yields ``(latents, condition)`` batches (class labels for ``UNet2DModel``, encoder hidden states for
    ``UNet2DConditionModel``); ``null_condition`` is one sample's unconditional token. The adapter is added to
    ``unet`` in place; with ``run_dir`` the run is resumable and the LoRA is written there as
    ``pytorch_lora_weights.safetensors``.
    """
    if adapter_name in adapter_names(unet):
        raise ValueError(f"the UNet already has an adapter named {adapter_name!r}")
    check_epsilon_scheduler(noise_scheduler)
    unet.requires_grad_(False)
    params = add_lora(
        unet,
        rank=cfg.lora_rank,
        alpha=cfg.lora_alpha,
        target_modules=cfg.target_modules,
        adapter_name=adapter_name,
    )
    generator = Seeder(cfg.seed).torch("lcd")
    objective = LCDObjective(unet, noise_scheduler, cfg, null_condition, generator)
    unet.train()
    result = fit(
        params,
        objective,
        data,
        steps=cfg.max_steps,
        lr=cfg.learning_rate,
        weight_decay=cfg.weight_decay,
        max_grad_norm=cfg.max_grad_norm,
        warmup_steps=cfg.warmup_steps,
        config=cfg,
        generators={"lcd": generator},
        run_dir=run_dir,
        checkpoint_every=cfg.checkpoint_every,
        stop_after=stop_after,
    )
    unet.eval()
    path = save_lora_weights(unet, run_dir, adapter_name) if run_dir is not None else None
    return DistillResult(result, path, adapter_name)
