"""The Stable-Diffusion-style digits setting, built without downloads: a tiny ``AutoencoderKL`` (trained on the
digits), a CLIP text encoder built from a ``CLIPTextConfig`` (random, frozen, as SD's is frozen), a word-level
``CLIPTokenizer`` written from a vocabulary of the caption words, a ``UNet2DConditionModel`` from a dict
config, and the ``StableDiffusionPipeline`` assembled from them.

Captions: ``"a handwritten digit 3"`` for the base model, ``"a bold handwritten digit 3"`` for the style LoRA,
and ``""`` as the unconditional prompt of classifier-free guidance. Prompt embeddings come from the pipeline's
own ``encode_prompt``, so training, the package's sampler and ``pipe(prompt)`` see the same tensors.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import torch
from diffusers import AutoencoderKL, StableDiffusionPipeline, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

from lcm_lora.models import NUM_CLASSES

CAPTION = "a handwritten digit {}"
STYLE_CAPTION = "a bold handwritten digit {}"
NULL_CAPTION = ""
WORDS = ("a", "handwritten", "digit", "bold", *(str(d) for d in range(NUM_CLASSES)))
MAX_TOKENS = 8  # <bos> a bold handwritten digit 3 <eos> fits
TEXT_DIM = 32  # CLIP hidden size = the UNet's cross_attention_dim
LATENT_CHANNELS = 4


def captions(labels: torch.Tensor | list[int], style: bool = False) -> list[str]:
    template = STYLE_CAPTION if style else CAPTION
    return [template.format(int(y)) for y in labels]


def write_tokenizer(directory: Path) -> CLIPTokenizer:
    """A CLIP BPE tokenizer whose vocabulary is the caption words (each one token) and their BPE prefixes."""
    directory.mkdir(parents=True, exist_ok=True)
    vocab: dict[str, int] = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    merges: list[str] = []
    for word in WORDS:
        parts = [*word[:-1], word[-1] + "</w>"]
        for p in parts:
            vocab.setdefault(p, len(vocab))
        while len(parts) > 1:  # merge left to right: every word ends as one token
            merges.append(f"{parts[0]} {parts[1]}")
            parts = [parts[0] + parts[1], *parts[2:]]
            vocab.setdefault(parts[0], len(vocab))
    (directory / "vocab.json").write_text(json.dumps(vocab))
    (directory / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return CLIPTokenizer(
        str(directory / "vocab.json"),
        str(directory / "merges.txt"),
        model_max_length=MAX_TOKENS,
        pad_token="<|endoftext|>",
    )


def text_encoder_config(vocab_size: int) -> CLIPTextConfig:
    return CLIPTextConfig(
        vocab_size=vocab_size,
        hidden_size=TEXT_DIM,
        intermediate_size=2 * TEXT_DIM,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=MAX_TOKENS,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
    )


def vae_config(width: int = 16) -> dict[str, Any]:
    """8x8x1 digits <-> 4x4x4 latents (one downsampling: vae_scale_factor 2)."""
    return dict(
        in_channels=1,
        out_channels=1,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        block_out_channels=(width, width),
        layers_per_block=1,
        latent_channels=LATENT_CHANNELS,
        norm_num_groups=8,
        sample_size=8,
    )


def unet_config(width: int = 32) -> dict[str, Any]:
    """SD-1.5's UNet layout (cross-attention down/up blocks, text cross-attention) at 4x4 latents."""
    return dict(
        sample_size=4,
        in_channels=LATENT_CHANNELS,
        out_channels=LATENT_CHANNELS,
        block_out_channels=(width, 2 * width),
        layers_per_block=1,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=TEXT_DIM,
        attention_head_dim=8,
        norm_num_groups=8,
    )


def build_vae(width: int = 16) -> AutoencoderKL:
    return AutoencoderKL(**vae_config(width))


def build_unet(width: int = 32) -> UNet2DConditionModel:
    return UNet2DConditionModel(**unet_config(width))


def build_text_encoder(tokenizer: CLIPTokenizer) -> CLIPTextModel:
    return CLIPTextModel(text_encoder_config(len(tokenizer))).eval().requires_grad_(False)


def assemble_pipeline(
    vae: AutoencoderKL,
    text_encoder: CLIPTextModel,
    tokenizer: CLIPTokenizer,
    unet: UNet2DConditionModel | None,
    scheduler: Any,
) -> StableDiffusionPipeline:
    """The pipeline of these parts. Its scheduler is ``scheduler`` with ``steps_offset=1`` (the pipeline's
    own requirement; only DDPM/DDIM "leading" spacing reads it, and users swap in the LCMScheduler)."""
    return StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=type(scheduler).from_config(scheduler.config, steps_offset=1),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def new_tokenizer() -> CLIPTokenizer:
    with tempfile.TemporaryDirectory() as d:
        return write_tokenizer(Path(d))


@torch.no_grad()
def encode_prompts(pipe: StableDiffusionPipeline, prompts: list[str]) -> torch.Tensor:
    """Prompt embeddings exactly as ``pipe(prompt=...)`` computes them, shape (len(prompts), MAX_TOKENS, TEXT_DIM)."""
    embeds, _ = pipe.encode_prompt(prompts, "cpu", 1, False)
    return embeds


def condition_tables(pipe: StableDiffusionPipeline) -> dict[str, torch.Tensor]:
    """Embeddings indexed by label 0..9, with the null prompt at index 10: ``plain`` and ``style`` captions."""
    labels = list(range(NUM_CLASSES))
    null = encode_prompts(pipe, [NULL_CAPTION])
    return {
        "plain": torch.cat([encode_prompts(pipe, captions(labels)), null]),
        "style": torch.cat([encode_prompts(pipe, captions(labels, style=True)), null]),
    }


@torch.no_grad()
def encode_images(vae: AutoencoderKL, images: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """SD's training latents, ``vae.encode(x).latent_dist`` times the scaling factor (the mean: no sampling)."""
    out = [vae.encode(x).latent_dist.mean for x in images.float().split(batch)]
    return torch.cat(out) * vae.config.scaling_factor


@torch.no_grad()
def decode_latents(vae: AutoencoderKL, latents: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """Images in [-1, 1] from latents, as the pipeline decodes them (divided by the scaling factor)."""
    out = [vae.decode(z / vae.config.scaling_factor).sample for z in latents.split(batch)]
    return torch.cat(out).clamp(-1, 1)


def vae_loss(
    vae: AutoencoderKL, x: torch.Tensor, kl_weight: float, generator: torch.Generator
) -> torch.Tensor:
    """Reconstruction MSE of a posterior sample plus ``kl_weight`` times the KL to N(0, I) (per element)."""
    posterior = vae.encode(x).latent_dist
    z = posterior.sample(generator=generator)
    recon = vae.decode(z).sample
    kl = posterior.kl().mean() / z[0].numel()
    return torch.nn.functional.mse_loss(recon, x) + kl_weight * kl
