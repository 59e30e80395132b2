"""Frozen, validated configs: the distillation itself (:class:`LCDConfig`) and the digits reproduction
(:class:`DigitsConfig`). A bad value raises ``ValueError`` naming the field before anything touches torch."""

from __future__ import annotations

import dataclasses

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

# The LoRA targets of the official LCM-LoRA scripts (module-name suffixes; missing ones are skipped).
LCM_LORA_TARGETS: tuple[str, ...] = (
    "to_q",
    "to_k",
    "to_v",
    "to_out.0",
    "proj_in",
    "proj_out",
    "ff.net.0.proj",
    "ff.net.2",
    "conv1",
    "conv2",
    "conv_shortcut",
    "downsamplers.0.conv",
    "upsamplers.0.conv",
    "time_emb_proj",
)


@dataclasses.dataclass(frozen=True)
class LCDConfig:
    """Latent consistency distillation of a frozen ε-prediction UNet into a LoRA (the LCM-LoRA recipe)."""

    num_ddim_timesteps: int = 50
    """N of the skipping-step DDIM grid (k = T / N); the LCM sampler's ``original_inference_steps``."""
    w_min: float = 1.0
    """Lower end of the LCM guidance ω (LCM convention: standard CFG scale 1 + ω); ω ~ U[w_min, w_max]."""
    w_max: float = 1.0
    """Upper end of ω. The official LoRA scripts use U[5, 15]; tiny digits saturate, so 1.0 here [R]."""
    loss_type: str = "l2"
    """Distance d: ``l2`` (script default) or pseudo-``huber`` (the README commands)."""
    huber_c: float = 0.001
    """c of the pseudo-Huber loss (chosen for 4x64x64 SD latents)."""
    sigma_data: float = 0.5
    """σ_d of the boundary scalings."""
    timestep_scaling: float = 10.0
    """s of the boundary scalings (the old code's t / 0.1)."""
    lora_rank: int = 8
    """LoRA rank r (64 for SD; 8-16 for the tiny UNets)."""
    lora_alpha: float = 8.0
    """LoRA alpha (scale alpha / r; the scripts use alpha = r)."""
    target_modules: tuple[str, ...] = LCM_LORA_TARGETS
    """Module-name suffixes that get a LoRA adapter."""
    learning_rate: float = 2e-4
    """AdamW learning rate (1e-6 in the repo README commands, 1e-4 in the diffusers examples)."""
    weight_decay: float = 0.0
    """AdamW weight decay (0 in the README commands)."""
    max_grad_norm: float = 1.0
    """Gradient-norm clip."""
    warmup_steps: int = 0
    """Linear warm-up steps before the constant learning rate."""
    max_steps: int = 1000
    """Distillation steps."""
    embed_guidance: bool = False
    """Feed ω to the UNet through ``timestep_cond`` (full LCM). The LoRA scripts do not [R]; needs a UNet
    with ``time_cond_proj_dim``."""
    checkpoint_every: int = 0
    """Save a resumable checkpoint every this many steps (0: only at the end)."""
    seed: int = 0
    """Seed of the noise, ω and timestep draws."""

    def __post_init__(self) -> None:
        check_int_at_least("num_ddim_timesteps", self.num_ddim_timesteps, 1)
        check_non_negative("w_min", self.w_min)
        check_non_negative("w_max", self.w_max)
        if self.w_max < self.w_min:
            raise ValueError(f"w_max must be >= w_min ({self.w_min}), got {self.w_max!r}")
        check_choice("loss_type", self.loss_type, ("l2", "huber"))
        check_positive("huber_c", self.huber_c)
        check_positive("sigma_data", self.sigma_data)
        check_positive("timestep_scaling", self.timestep_scaling)
        check_int_at_least("lora_rank", self.lora_rank, 1)
        check_positive("lora_alpha", self.lora_alpha)
        if not self.target_modules or not all(isinstance(m, str) and m for m in self.target_modules):
            raise ValueError(
                f"target_modules must be a non-empty tuple of names, got {self.target_modules!r}"
            )
        check_positive("learning_rate", self.learning_rate)
        check_non_negative("weight_decay", self.weight_decay)
        check_positive("max_grad_norm", self.max_grad_norm)
        check_int_at_least("warmup_steps", self.warmup_steps, 0)
        check_int_at_least("max_steps", self.max_steps, 1)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
        check_int_at_least("seed", self.seed, 0)


@dataclasses.dataclass(frozen=True)
class DigitsConfig:
    """The scaled-down reproduction: teacher T0 on 8x8 digits, a style LoRA (T1), LCM-LoRA from T0, and the
    evaluation grid (LCM vs DDIM / DPM-Solver++) on both.

    ``backbone="sd"`` (the default) is the Stable-Diffusion-style path: a tiny ``AutoencoderKL`` trained on the
    digits, a CLIP text encoder built from a config, captions ("a handwritten digit 3"; "a bold handwritten
    digit 3" for the style), a ``UNet2DConditionModel`` teacher on the latents, all saved as a
    ``StableDiffusionPipeline`` folder whose ``load_lora_weights`` reads the LoRA files. ``backbone="pixel"`` is
    the class-conditional ``UNet2DModel`` on the pixels (no VAE, no text)."""

    seed: int = 0
    """Seed of every component (data split, weights, noise, sampling)."""
    backbone: str = "sd"
    """``sd``: VAE latents + CLIP text encoder + UNet2DConditionModel (a StableDiffusionPipeline);
    ``pixel``: class-conditional UNet2DModel on the 8x8 pixels."""
    width: int = 32
    """Channels of the UNet's first block (the second has 2x); 16 for the pixel UNet of the digits runs."""
    vae_steps: int = 1000
    """Training steps of the tiny AutoencoderKL (``sd`` only; plain and bold digits, batch ``batch_size``)."""
    vae_kl_weight: float = 1e-4
    """Weight of the KL term of the VAE loss (``sd`` only)."""
    teacher_steps: int = 2000
    """Diffusion training steps of the teacher T0."""
    teacher_lr: float = 1e-3
    """Adam learning rate of the teacher."""
    batch_size: int = 128
    """Batch size of every training stage."""
    cond_dropout: float = 0.1
    """Probability of replacing the label by the null token (for classifier-free guidance)."""
    style_steps: int = 400
    """Diffusion fine-tuning steps of the style LoRA (teacher frozen)."""
    style_rank: int = 4
    """Rank of the style LoRA."""
    style_lr: float = 1e-3
    """Learning rate of the style LoRA."""
    lcd: LCDConfig = dataclasses.field(default_factory=lambda: LCDConfig(max_steps=1000, learning_rate=5e-4))
    """The LCM-LoRA distillation from T0."""
    classifier_steps: int = 1500
    """Training steps of the digit and style classifiers (real data only)."""
    eval_samples: int = 500
    """Samples per evaluated configuration (equal numbers per class; a multiple of 10)."""
    teacher_guidance: float = 2.0
    """Standard CFG scale of the teacher baselines (DDIM / DPM-Solver++); 1 + ω of the LCD."""
    lcm_guidance: float = 1.0
    """Standard CFG scale at LCM inference (guidance is baked in; <= 1 disables CFG)."""
    style_weight: float = 0.8
    """λ1: weight of the style LoRA in the combined model."""
    lcm_weight: float = 1.0
    """λ2: weight of LCM-LoRA in the combined model."""
    checkpoint_every: int = 0
    """Checkpoint every this many steps in each training stage (0: only at the end)."""

    def __post_init__(self) -> None:
        check_int_at_least("seed", self.seed, 0)
        check_choice("backbone", self.backbone, ("sd", "pixel"))
        check_int_at_least("width", self.width, 8)
        if self.width % 8:
            raise ValueError(f"width must be a multiple of 8 (GroupNorm groups), got {self.width!r}")
        check_int_at_least("vae_steps", self.vae_steps, 1)
        check_non_negative("vae_kl_weight", self.vae_kl_weight)
        check_int_at_least("teacher_steps", self.teacher_steps, 1)
        check_positive("teacher_lr", self.teacher_lr)
        check_int_at_least("batch_size", self.batch_size, 2)
        check_range("cond_dropout", self.cond_dropout, 0.0, 1.0, high_open=True)
        check_int_at_least("style_steps", self.style_steps, 1)
        check_int_at_least("style_rank", self.style_rank, 1)
        check_positive("style_lr", self.style_lr)
        if not isinstance(self.lcd, LCDConfig):
            raise ValueError(f"lcd must be an LCDConfig, got {self.lcd!r}")
        check_int_at_least("classifier_steps", self.classifier_steps, 1)
        check_int_at_least("eval_samples", self.eval_samples, 10)
        if self.eval_samples % 10:
            raise ValueError(
                f"eval_samples must be a multiple of 10 (one share per class), got {self.eval_samples!r}"
            )
        check_positive("teacher_guidance", self.teacher_guidance)
        check_positive("lcm_guidance", self.lcm_guidance)
        check_non_negative("style_weight", self.style_weight)
        check_non_negative("lcm_weight", self.lcm_weight)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
