"""The paper's UNets at full size, built from their configs (no weights are downloaded): SD-1.5 and SDXL.

Used by the trainable-parameter check of the report's Table 1 (on the ``meta`` device: no memory, no
compute) and by the accelerator script ``benchmarks/sd_scale.py`` (random init).
"""

from __future__ import annotations

from typing import Any

import torch
from diffusers import UNet2DConditionModel

from lcm_lora.config import LCM_LORA_TARGETS
from lcm_lora.lora import add_lora

# runwayml/stable-diffusion-v1-5 unet/config.json (the fields that shape the model)
SD15_UNET: dict[str, Any] = dict(
    sample_size=64,
    in_channels=4,
    out_channels=4,
    layers_per_block=2,
    block_out_channels=(320, 640, 1280, 1280),
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    cross_attention_dim=768,
    attention_head_dim=8,
    norm_num_groups=32,
)

# stabilityai/stable-diffusion-xl-base-1.0 unet/config.json (the fields that shape the model)
SDXL_UNET: dict[str, Any] = dict(
    sample_size=128,
    in_channels=4,
    out_channels=4,
    layers_per_block=2,
    block_out_channels=(320, 640, 1280),
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    transformer_layers_per_block=(1, 2, 10),
    cross_attention_dim=2048,
    attention_head_dim=(5, 10, 20),
    use_linear_projection=True,
    addition_embed_type="text_time",
    addition_time_embed_dim=256,
    projection_class_embeddings_input_dim=2816,
    norm_num_groups=32,
)

# the report's Table 1: trainable LoRA parameters (millions) and total parameters (billions)
REPORTED_LORA_PARAMS_M = {"sd15": 67.5, "sdxl": 197.0}
UNET_CONFIGS = {"sd15": SD15_UNET, "sdxl": SDXL_UNET}


def lora_parameter_count(model: str, rank: int = 64) -> tuple[int, int]:
    """(trainable LoRA parameters, base UNet parameters) of the official target list at ``rank`` (α = r),
    counted on the meta device."""
    if model not in UNET_CONFIGS:
        raise ValueError(f"model must be one of {sorted(UNET_CONFIGS)}, got {model!r}")
    with torch.device("meta"):
        unet = UNet2DConditionModel(**UNET_CONFIGS[model])
    base = sum(p.numel() for p in unet.parameters())
    params = add_lora(unet, rank=rank, alpha=rank, target_modules=LCM_LORA_TARGETS, adapter_name="lcm")
    return sum(p.numel() for p in params), base
