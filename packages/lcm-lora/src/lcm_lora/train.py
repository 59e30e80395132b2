"""The digits reproduction end to end: teacher T0, style LoRA (T1 = T0 + τ_style), LCM-LoRA distilled from
T0, and the evaluation grid of LCM-LoRA against DDIM / DPM-Solver++ on T0 and on T1 (plug-in, no retraining),
on either backbone (:mod:`lcm_lora.space`): the Stable-Diffusion-style latent pipeline or the pixel UNet.

Every stage lives in its own folder of the run directory and resumes from its checkpoint, so a finished stage
is read back rather than retrained; each evaluated (setting, method) row is cached on its own.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from paperkit import Seeder, atomic_write_json, config_hash, make_run_dir, write_config
from safetensors.torch import load_file, save_file

from lcm_lora.config import LCM_LORA_TARGETS, DigitsConfig
from lcm_lora.data import Batches, DigitSplit, bold, split_digits
from lcm_lora.distill import distill_lcm_lora
from lcm_lora.lora import LORA_WEIGHT_NAME, activate_adapters, add_lora, load_lora_weights, save_lora_weights
from lcm_lora.metrics import DigitClassifier, feature_fd, features, predict, train_classifier
from lcm_lora.models import NULL_LABEL, NUM_CLASSES, predict_noise, sd_noise_scheduler, seeded_init
from lcm_lora.sampling import make_scheduler, sample
from lcm_lora.space import PIPELINE_DIR, Space, build_space, conditioned, save_pipeline
from lcm_lora.training import fit, mean_tail

# (method, sampler, steps); LCM methods run the LoRA'd model, the others the teacher with CFG
EVAL_METHODS: tuple[tuple[str, str, int], ...] = (
    ("lcm-1", "lcm", 1),
    ("lcm-2", "lcm", 2),
    ("lcm-4", "lcm", 4),
    ("lcm-8", "lcm", 8),
    ("ddim-1", "ddim", 1),
    ("ddim-2", "ddim", 2),
    ("ddim-4", "ddim", 4),
    ("ddim-8", "ddim", 8),
    ("dpmsolver-2", "dpmsolver", 2),
    ("dpmsolver-4", "dpmsolver", 4),
    ("dpmsolver-8", "dpmsolver", 8),
    ("ddim-25", "ddim", 25),
    ("ddim-50", "ddim", 50),
)
METHOD_NAMES = tuple(m for m, _, _ in EVAL_METHODS)
SETTINGS = ("base", "style")  # T0 and T1


@dataclasses.dataclass
class Result:
    run_dir: Path
    teacher_loss: float
    style_loss: float
    lcd_loss: float
    stage_seconds: dict[str, float]
    table: list[dict[str, Any]]  # one row per (setting, method)

    def __str__(self) -> str:
        return f"run {self.run_dir}\n" + format_table(self.table)


def _diffusion_loss(unet: torch.nn.Module, scheduler: Any, cfg: DigitsConfig, table: torch.Tensor, gen):
    """ε-prediction MSE; labels dropped to the null condition (index 10) for classifier-free guidance."""
    num_train = int(scheduler.config.num_train_timesteps)

    def loss_fn(batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        x, y = batch
        drop = torch.rand(y.shape, generator=gen) < cfg.cond_dropout
        y = torch.where(drop, torch.full_like(y, NULL_LABEL), y)
        t = torch.randint(0, num_train, (x.shape[0],), generator=gen)
        noise = torch.randn(x.shape, generator=gen)
        noisy = scheduler.add_noise(x, noise, t)
        return torch.nn.functional.mse_loss(predict_noise(unet, noisy, t, table[y]), noise)

    return loss_fn


def train_teacher(
    cfg: DigitsConfig, space: Space, split: DigitSplit, out: Path
) -> tuple[torch.nn.Module, float]:
    seeder = Seeder(cfg.seed)
    with seeded_init(seeder.int("teacher-init")):
        unet = space.make_unet()
    scheduler = sd_noise_scheduler()
    gen = seeder.torch("teacher")
    data = Batches(space.encode(split.train_x), split.train_y, cfg.batch_size, seeder.torch("teacher-data"))
    unet.train()
    res = fit(
        list(unet.parameters()),
        _diffusion_loss(unet, scheduler, cfg, space.tables["plain"], gen),
        data,
        steps=cfg.teacher_steps,
        lr=cfg.teacher_lr,
        config={"stage": "teacher", "seed": cfg.seed, "width": cfg.width, "steps": cfg.teacher_steps},
        generators={"teacher": gen},
        run_dir=out,
        checkpoint_every=cfg.checkpoint_every,
    )
    return unet.eval().requires_grad_(False), mean_tail(res.losses)


def train_style_lora(
    cfg: DigitsConfig, space: Space, teacher: torch.nn.Module, split: DigitSplit, out: Path
) -> float:
    """Fine-tune a style LoRA τ_style on bold digits (style captions), teacher frozen; written to ``out`` in
    diffusers format."""
    if (out / LORA_WEIGHT_NAME).exists():
        return float("nan")
    seeder = Seeder(cfg.seed)
    unet = copy.deepcopy(teacher)
    with seeded_init(seeder.int("style-init")):
        params = add_lora(
            unet,
            rank=cfg.style_rank,
            alpha=cfg.style_rank,
            target_modules=LCM_LORA_TARGETS,
            adapter_name="style",
        )
    gen = seeder.torch("style")
    latents = space.encode(bold(split.train_x))
    data = Batches(latents, split.train_y, cfg.batch_size, seeder.torch("style-data"))
    unet.train()
    res = fit(
        params,
        _diffusion_loss(unet, sd_noise_scheduler(), cfg, space.tables["style"], gen),
        data,
        steps=cfg.style_steps,
        lr=cfg.style_lr,
        config={"stage": "style", "seed": cfg.seed, "steps": cfg.style_steps, "rank": cfg.style_rank},
        generators={"style": gen},
        run_dir=out,
        checkpoint_every=cfg.checkpoint_every,
    )
    save_lora_weights(unet, out, "style")
    return mean_tail(res.losses)


def train_lcm_lora(
    cfg: DigitsConfig, space: Space, teacher: torch.nn.Module, split: DigitSplit, out: Path
) -> float:
    """LCD from T0 (the paper's method): a fresh copy of the teacher gets the LCM-LoRA adapter."""
    if (out / LORA_WEIGHT_NAME).exists():
        return float("nan")
    seeder = Seeder(cfg.seed)
    unet = copy.deepcopy(teacher)
    batches = Batches(space.encode(split.train_x), split.train_y, cfg.batch_size, seeder.torch("lcd-data"))
    lcd = dataclasses.replace(cfg.lcd, seed=seeder.int("lcd") % (2**31))
    with seeded_init(seeder.int("lcd-init")):
        res = distill_lcm_lora(
            unet,
            sd_noise_scheduler(),
            conditioned(batches, space.tables["plain"]),
            lcd,
            null_condition=space.null(),
            run_dir=out,
        )
    return mean_tail(res.fit.losses)


def _classifiers(cfg: DigitsConfig, split: DigitSplit, out: Path) -> tuple[DigitClassifier, DigitClassifier]:
    """Digit classifier (on real plain + bold training digits) and style classifier (plain vs bold)."""
    seeder = Seeder(cfg.seed)
    out.mkdir(parents=True, exist_ok=True)
    models = []
    both_x = np.concatenate([split.train_x, bold(split.train_x)])
    jobs = {
        "digit": (both_x, np.concatenate([split.train_y, split.train_y]), NUM_CLASSES),
        "style": (both_x, np.repeat(np.array([0, 1]), len(split.train_x)), 2),
    }
    for name, (x, y, k) in jobs.items():
        path = out / f"{name}.safetensors"
        with seeded_init(seeder.int(f"{name}-clf-init")):
            if path.exists():
                model = DigitClassifier(k)
                model.load_state_dict(load_file(path))
                model = model.eval().requires_grad_(False)
            else:
                model = train_classifier(
                    x, y, k, steps=cfg.classifier_steps, generator=seeder.torch(f"{name}-clf")
                )
                save_file({n: p.contiguous() for n, p in model.state_dict().items()}, path)
        models.append(model)
    return models[0], models[1]


def build_models(teacher: torch.nn.Module, run_dir: Path, cfg: DigitsConfig) -> dict[str, torch.nn.Module]:
    """T0, T0 + τ_LCM, T1 = T0 + τ_style, and T0 + λ1 τ_style + λ2 τ_LCM, from the saved LoRA files."""
    lcm = copy.deepcopy(teacher)
    load_lora_weights(lcm, run_dir / "lcm", "lcm")
    style = copy.deepcopy(teacher)
    load_lora_weights(style, run_dir / "style", "style")
    both = copy.deepcopy(teacher)
    load_lora_weights(both, run_dir / "style", "style")
    load_lora_weights(both, run_dir / "lcm", "lcm")
    activate_adapters(both, ["style", "lcm"], [cfg.style_weight, cfg.lcm_weight])
    return {"base/teacher": teacher, "base/lcm": lcm, "style/teacher": style, "style/lcm": both}


@dataclasses.dataclass
class Stages:
    """A trained (or read-back) run: the backbone, the teacher and the data split."""

    space: Space
    teacher: torch.nn.Module
    split: DigitSplit
    losses: dict[str, float]
    seconds: dict[str, float]


def run_stages(cfg: DigitsConfig, run_dir: Path) -> Stages:
    """Every training stage (VAE and pipeline folder for ``sd``, teacher, style LoRA, LCM-LoRA), resumed."""
    run_dir.mkdir(parents=True, exist_ok=True)
    write_config(run_dir, cfg)
    split = split_digits(Seeder(cfg.seed).numpy("split"))
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    space = build_space(cfg, split, run_dir)
    seconds["backbone"] = time.perf_counter() - t
    t = time.perf_counter()
    teacher, teacher_loss = train_teacher(cfg, space, split, run_dir / "teacher")
    save_pipeline(space, teacher, run_dir / PIPELINE_DIR)
    seconds["teacher"] = time.perf_counter() - t
    t = time.perf_counter()
    style_loss = train_style_lora(cfg, space, teacher, split, run_dir / "style")
    seconds["style"] = time.perf_counter() - t
    t = time.perf_counter()
    lcd_loss = train_lcm_lora(cfg, space, teacher, split, run_dir / "lcm")
    seconds["lcd"] = time.perf_counter() - t
    losses = {"teacher": teacher_loss, "style": style_loss, "lcd": lcd_loss}
    if space.kind == "sd":
        losses["vae"] = space.parts["vae_loss"]
    return Stages(space, teacher, split, losses, seconds)


def train(cfg: DigitsConfig, run_dir: str | Path | None = None, *, evaluate: bool = True) -> Result:
    """Run (or resume) every stage in ``run_dir`` (default: a fresh ``runs/lcm-lora/digits/...``), then the
    evaluation grid. With ``backbone="sd"``, ``run_dir/pipeline`` is a ``StableDiffusionPipeline`` folder and
    ``run_dir/lcm`` / ``run_dir/style`` hold ``pytorch_lora_weights.safetensors`` files for its
    ``load_lora_weights``."""
    run_dir = (
        Path(run_dir) if run_dir is not None else make_run_dir("lcm-lora", "digits", cfg.seed, config=cfg)
    )
    stages = run_stages(cfg, run_dir)
    table: list[dict[str, Any]] = []
    if evaluate:
        t = time.perf_counter()
        table = evaluate_run(run_dir, cfg, stages=stages)
        stages.seconds["evaluate"] = time.perf_counter() - t
    return Result(
        run_dir,
        stages.losses["teacher"],
        stages.losses["style"],
        stages.losses["lcd"],
        stages.seconds,
        table,
    )


def evaluate_run(
    run_dir: str | Path,
    cfg: DigitsConfig,
    *,
    stages: Stages | None = None,
    methods: tuple[str, ...] = METHOD_NAMES,
    settings: tuple[str, ...] = SETTINGS,
) -> list[dict[str, Any]]:
    """The evaluation grid, one cached row per (setting, method) in ``run_dir/eval-<hash>/`` (read back when
    present, so an interrupted evaluation resumes). Rows of the ``sd`` backbone's LCM methods also carry
    ``pipeline_max_diff``: how far a fresh ``StableDiffusionPipeline`` with ``load_lora_weights`` (and
    ``set_adapters`` for the style) is from this evaluation's own samples."""
    run_dir = Path(run_dir)
    known = {m: (k, n) for m, k, n in EVAL_METHODS}
    bad = [m for m in methods if m not in known]
    if bad:
        raise ValueError(f"unknown methods {bad}; valid: {list(METHOD_NAMES)}")
    bad = [s for s in settings if s not in SETTINGS]
    if bad:
        raise ValueError(f"unknown settings {bad}; valid: {list(SETTINGS)}")
    cache = run_dir / f"eval-{config_hash(cfg)}"
    wanted = [(s, m) for s in settings for m in ("real", *methods)]
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for s, m in wanted:
        f = cache / f"{s}-{m}.json"
        if f.exists():
            rows[s, m] = json.loads(f.read_text())
    missing = [k for k in wanted if k not in rows]
    if missing:
        if stages is None:
            stages = run_stages(cfg, run_dir)
        space, split = stages.space, stages.split
        digit_clf, style_clf = _classifiers(cfg, split, run_dir / "classifiers")
        models = build_models(stages.teacher, run_dir, cfg)
        per_class = cfg.eval_samples // NUM_CLASSES
        labels = torch.arange(NUM_CLASSES).repeat_interleave(per_class)
        ref = {"base": split.test_x, "style": bold(split.test_x)}
        ref_feats = {s: features(digit_clf, torch.as_tensor(x)) for s, x in ref.items()}
        for setting, method in missing:
            table = space.tables["plain" if setting == "base" else "style"]
            if method == "real":
                # the real-data floor: training digits (of this setting) against the held-out ones
                real = split.train_x if setting == "base" else bold(split.train_x)
                row = _score(
                    setting, "real", real, split.train_y, 0, 0.0, digit_clf, style_clf, ref_feats[setting]
                )
            else:
                kind, steps = known[method]
                model = models[f"{setting}/{'lcm' if kind == 'lcm' else 'teacher'}"]
                scheduler = make_scheduler(kind, sd_noise_scheduler(), cfg.lcd.num_ddim_timesteps)
                guidance = cfg.lcm_guidance if kind == "lcm" else cfg.teacher_guidance
                gen = Seeder(cfg.seed).torch("eval-noise")  # the same noise for every method
                images, nfe, elapsed = [], 0, 0.0
                for chunk in labels.split(500):
                    t0 = time.perf_counter()
                    out = sample(
                        model,
                        scheduler,
                        table[chunk],
                        num_steps=steps,
                        shape=(len(chunk), *space.latent_shape),
                        generator=gen,
                        guidance_scale=guidance,
                        null_condition=table[NULL_LABEL],
                    )
                    images.append(space.decode(out.images))
                    elapsed += time.perf_counter() - t0
                    nfe = out.nfe
                x = torch.cat(images)
                row = _score(
                    setting,
                    method,
                    x,
                    labels.numpy(),
                    nfe,
                    elapsed / len(x),
                    digit_clf,
                    style_clf,
                    ref_feats[setting],
                )
                if kind == "lcm" and space.kind == "sd":
                    row["pipeline_max_diff"] = pipeline_agreement(run_dir, cfg, model, space, setting, steps)
                if steps == 4 or method == "ddim-50":
                    _save_grid(x, run_dir / "samples" / f"{setting}-{method}.png", per_class)
            cache.mkdir(parents=True, exist_ok=True)
            atomic_write_json(cache / f"{setting}-{method}.json", row)
            rows[setting, method] = row
    return [rows[k] for k in wanted]


def load_pipeline(run_dir: str | Path, cfg: DigitsConfig, setting: str = "base"):
    """What a user does: a fresh ``StableDiffusionPipeline.from_pretrained(run_dir/pipeline)`` with the
    ``LCMScheduler``, ``load_lora_weights`` of the LCM-LoRA and, for ``setting="style"``, of the style LoRA,
    combined with ``set_adapters(["style", "lcm"], [λ1, λ2])``."""
    from diffusers import LCMScheduler, StableDiffusionPipeline
    from diffusers.utils import logging as diffusers_logging

    run_dir = Path(run_dir)
    level = diffusers_logging.get_verbosity()
    diffusers_logging.set_verbosity_error()  # "no LoRA keys for the text encoder": there are none, by design
    try:
        pipe = StableDiffusionPipeline.from_pretrained(str(run_dir / PIPELINE_DIR))
        pipe.scheduler = LCMScheduler.from_config(
            pipe.scheduler.config, original_inference_steps=cfg.lcd.num_ddim_timesteps
        )
        pipe.set_progress_bar_config(disable=True)
        pipe.load_lora_weights(str(run_dir / "lcm"), weight_name=LORA_WEIGHT_NAME, adapter_name="lcm")
        if setting == "style":
            with warnings.catch_warnings():  # peft warns that a second adapter is added: intended here
                warnings.filterwarnings(
                    "ignore", message="Already found a `peft_config`", category=UserWarning
                )
                pipe.load_lora_weights(
                    str(run_dir / "style"), weight_name=LORA_WEIGHT_NAME, adapter_name="style"
                )
            pipe.set_adapters(["style", "lcm"], adapter_weights=[cfg.style_weight, cfg.lcm_weight])
    finally:
        diffusers_logging.set_verbosity(level)
    return pipe


def pipeline_agreement(
    run_dir: Path, cfg: DigitsConfig, model: torch.nn.Module, space: Space, setting: str, steps: int
) -> float:
    """Max |latent difference| between ``pipe(prompt, num_inference_steps=steps)`` of :func:`load_pipeline`
    and :func:`sample` with the in-memory model, on one caption per class and the same generator seed."""
    from lcm_lora.latent import captions

    pipe = load_pipeline(run_dir, cfg, setting)
    labels = torch.arange(NUM_CLASSES)
    table = space.tables["plain" if setting == "base" else "style"]
    theirs = pipe(
        prompt=captions(labels, style=setting == "style"),
        num_inference_steps=steps,
        guidance_scale=cfg.lcm_guidance,
        generator=torch.Generator().manual_seed(cfg.seed),
        output_type="latent",
    ).images
    ours = sample(
        model,
        make_scheduler("lcm", sd_noise_scheduler(), cfg.lcd.num_ddim_timesteps),
        table[labels],
        num_steps=steps,
        shape=(NUM_CLASSES, *space.latent_shape),
        generator=torch.Generator().manual_seed(cfg.seed),
        guidance_scale=cfg.lcm_guidance,
        null_condition=table[NULL_LABEL],
    ).images
    return float((theirs - ours).abs().max())


def _score(setting, method, x, labels, nfe, sec, digit_clf, style_clf, ref_feats) -> dict[str, Any]:
    x = torch.as_tensor(x).float()
    return {
        "setting": setting,
        "method": method,
        "nfe": int(nfe),
        "fd": feature_fd(features(digit_clf, x), ref_feats),
        "accuracy": float(np.mean(predict(digit_clf, x) == np.asarray(labels))),
        "style_rate": float(np.mean(predict(style_clf, x) == 1)),
        "ms_per_sample": 1000.0 * sec,
    }


def _save_grid(x: torch.Tensor, path: Path, per_class: int, cols: int = 8) -> None:
    """A PNG grid: one row per class, the first ``cols`` samples of each, upscaled 4x."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    cols = min(cols, per_class)
    imgs = x.reshape(NUM_CLASSES, per_class, 8, 8)[:, :cols]
    grid = imgs.permute(0, 2, 1, 3).reshape(NUM_CLASSES * 8, cols * 8)
    arr = ((grid.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()
    Image.fromarray(arr).resize((cols * 32, NUM_CLASSES * 32), Image.Resampling.NEAREST).save(path)


def format_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| setting | method | NFE | FD-digits ↓ | accuracy ↑ | style rate | ms/sample |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['setting']} | {r['method']} | {r['nfe']} | {r['fd']:.3f} | {r['accuracy']:.3f} | "
            f"{r['style_rate']:.3f} | {r['ms_per_sample']:.3f} |"
        )
    return "\n".join(lines)
