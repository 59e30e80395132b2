"""The two backbones of the digits reproduction, behind one small interface.

``pixel``: the class-conditional ``UNet2DModel`` on 8x8 pixels; the condition is the label (10 = null).
``sd``: the Stable-Diffusion-style pipeline of :mod:`lcm_lora.latent`; the condition is the caption's prompt
embedding, the model works on 4x4x4 VAE latents, and samples are decoded by the VAE.

Conditions are looked up in a table indexed by label (index 10 is the null / empty prompt), one table for the
plain captions and one for the style captions, so every stage handles both backbones alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from paperkit import Seeder

from lcm_lora.config import DigitsConfig
from lcm_lora.data import Batches, DigitSplit, bold
from lcm_lora.models import NULL_LABEL, NUM_CLASSES, digits_unet, sd_noise_scheduler, seeded_init
from lcm_lora.training import fit, mean_tail

PIPELINE_DIR = "pipeline"


@dataclasses.dataclass
class Space:
    kind: str
    make_unet: Callable[[], torch.nn.Module]
    encode: Callable[[np.ndarray], torch.Tensor]  # images (N, 1, 8, 8) in [-1, 1] -> training latents
    decode: Callable[[torch.Tensor], torch.Tensor]  # latents -> images in [-1, 1]
    tables: dict[str, torch.Tensor]  # "plain" / "style": condition by label, null at index NULL_LABEL
    latent_shape: tuple[int, ...]
    parts: dict[str, Any] = dataclasses.field(default_factory=dict)  # sd: vae, text_encoder, tokenizer

    def null(self, setting: str = "plain") -> torch.Tensor:
        return self.tables[setting][NULL_LABEL]


class Conditioned:
    """``(latents, labels)`` batches mapped to ``(latents, table[labels])``; resumable like its source."""

    def __init__(self, batches: Batches, table: torch.Tensor):
        self.batches = batches
        self.table = table

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return self

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = next(self.batches)
        return x, self.table[y]

    def state_dict(self) -> dict[str, Any]:
        return self.batches.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.batches.load_state_dict(state)


def conditioned(batches: Batches, table: torch.Tensor) -> Conditioned:
    return Conditioned(batches, table)


def build_space(cfg: DigitsConfig, split: DigitSplit, run_dir: Path) -> Space:
    """The backbone of ``cfg``; for ``sd`` this trains (or reads back) the VAE and builds the text encoder."""
    if cfg.backbone == "pixel":
        labels = torch.arange(NUM_CLASSES + 1)
        return Space(
            kind="pixel",
            make_unet=lambda: digits_unet(cfg.width),
            encode=lambda x: torch.as_tensor(x).float(),
            decode=lambda z: z.clamp(-1, 1),
            tables={"plain": labels, "style": labels},
            latent_shape=(1, 8, 8),
        )
    return _sd_space(cfg, split, run_dir)


def _sd_space(cfg: DigitsConfig, split: DigitSplit, run_dir: Path) -> Space:
    from lcm_lora import latent

    seeder = Seeder(cfg.seed)
    with seeded_init(seeder.int("vae-init")):
        vae = latent.build_vae()
    vae_loss = train_vae(cfg, vae, split, run_dir / "vae")
    vae = vae.eval().requires_grad_(False)
    # SD's 0.18215 made its latents unit-variance; the same rule here, from the plain training digits
    z = latent.encode_images(vae, torch.as_tensor(split.train_x)) / vae.config.scaling_factor
    vae.register_to_config(scaling_factor=float(1.0 / z.std()))
    tokenizer = latent.new_tokenizer()
    with seeded_init(seeder.int("text-encoder-init")):
        text_encoder = latent.build_text_encoder(tokenizer)
    pipe = latent.assemble_pipeline(vae, text_encoder, tokenizer, None, sd_noise_scheduler())
    tables = latent.condition_tables(pipe)
    return Space(
        kind="sd",
        make_unet=lambda: latent.build_unet(cfg.width),
        encode=lambda x: latent.encode_images(vae, torch.as_tensor(x)),
        decode=lambda z: latent.decode_latents(vae, z),
        tables=tables,
        latent_shape=(latent.LATENT_CHANNELS, 4, 4),
        parts={"vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer, "vae_loss": vae_loss},
    )


def train_vae(cfg: DigitsConfig, vae: torch.nn.Module, split: DigitSplit, out: Path) -> float:
    """Fit the tiny AutoencoderKL on plain and bold training digits (resumable in ``out``)."""
    from lcm_lora.latent import vae_loss

    seeder = Seeder(cfg.seed)
    x = np.concatenate([split.train_x, bold(split.train_x)])
    gen = seeder.torch("vae")
    data = Batches(x, np.zeros(len(x), dtype=np.int64), cfg.batch_size, seeder.torch("vae-data"))
    vae.train()
    res = fit(
        list(vae.parameters()),
        lambda batch: vae_loss(vae, batch[0], cfg.vae_kl_weight, gen),
        data,
        steps=cfg.vae_steps,
        lr=1e-3,
        config={"stage": "vae", "seed": cfg.seed, "steps": cfg.vae_steps, "kl": cfg.vae_kl_weight},
        generators={"vae": gen},
        run_dir=out,
        checkpoint_every=cfg.checkpoint_every,
    )
    return mean_tail(res.losses)


def save_pipeline(space: Space, teacher: torch.nn.Module, directory: Path) -> Path | None:
    """Write the teacher as a ``StableDiffusionPipeline`` folder (``from_pretrained`` reads it); sd only."""
    if space.kind != "sd":
        return None
    from lcm_lora.latent import assemble_pipeline

    if not (directory / "model_index.json").exists():
        p = space.parts
        pipe = assemble_pipeline(p["vae"], p["text_encoder"], p["tokenizer"], teacher, sd_noise_scheduler())
        pipe.save_pretrained(str(directory), safe_serialization=True)
    return directory
