"""The reproductions: LCM-LoRA against DDIM / DPM-Solver++ on the digits teacher T0 (``*-base``) and, with
the same LCM-LoRA plugged into the style model T1 without retraining, on T1 (``*-style``); on the
Stable-Diffusion-style latent pipeline (``sd-*``) and on the pixel UNet (``digits-*``).

All cells of one seed share one pipeline run (VAE, teacher, style LoRA, LCM-LoRA, classifiers), cached under
``<out>/<preset>/lcm-lora/_shared/``; the first cell of a seed trains it, and each cell evaluates only its own
(setting, method) row, cached there too, so any subset of cells can run, be interrupted and resume.
"""

from __future__ import annotations

from pathlib import Path

from paperkit import Claim, Experiment, ResultRecord, config_hash

from lcm_lora.config import DigitsConfig, LCDConfig
from lcm_lora.train import METHOD_NAMES, evaluate_run

PACKAGE = "lcm-lora"


def sd_preset_config(preset: str, seed: int) -> DigitsConfig:
    """Budgets of the Stable-Diffusion-style path (``sd-*`` experiments); paper = the brief's plan."""
    if preset == "smoke":
        return DigitsConfig(
            seed=seed,
            vae_steps=40,
            teacher_steps=40,
            style_steps=15,
            batch_size=32,
            lcd=LCDConfig(max_steps=20, learning_rate=5e-4),
            classifier_steps=40,
            eval_samples=20,
        )
    if preset == "quick":
        return DigitsConfig(
            seed=seed,
            vae_steps=500,
            teacher_steps=1200,
            style_steps=300,
            lcd=LCDConfig(max_steps=600, learning_rate=5e-4),
            classifier_steps=400,
            eval_samples=2000,
        )
    if preset == "paper":
        return DigitsConfig(
            seed=seed,
            vae_steps=2000,
            teacher_steps=10000,
            style_steps=1500,
            lcd=LCDConfig(max_steps=5000, learning_rate=5e-4),
            classifier_steps=3000,
            eval_samples=2000,
        )
    raise ValueError(f"unknown preset {preset!r}; valid: ['smoke', 'quick', 'paper']")


def preset_config(preset: str, seed: int) -> DigitsConfig:
    """Budgets of the pixel-UNet path (``digits-*`` experiments); paper = the brief's scaled-down plan."""
    if preset == "smoke":
        return DigitsConfig(
            seed=seed,
            backbone="pixel",
            width=16,
            teacher_steps=100,
            style_steps=30,
            batch_size=64,
            lcd=LCDConfig(max_steps=60, learning_rate=5e-4),
            classifier_steps=100,
            eval_samples=50,
        )
    if preset == "quick":
        return DigitsConfig(
            seed=seed,
            backbone="pixel",
            width=16,
            teacher_steps=800,
            style_steps=150,
            lcd=LCDConfig(max_steps=400, learning_rate=5e-4),
            classifier_steps=400,
            eval_samples=300,
        )
    if preset == "paper":
        return DigitsConfig(
            seed=seed,
            backbone="pixel",
            width=16,
            teacher_steps=10000,
            style_steps=1500,
            lcd=LCDConfig(max_steps=5000, learning_rate=5e-4),
            classifier_steps=3000,
            eval_samples=2000,
        )
    raise ValueError(f"unknown preset {preset!r}; valid: ['smoke', 'quick', 'paper']")


def shared_run_dir(out_dir: Path, cfg: DigitsConfig) -> Path:
    """``<out>/<preset>/lcm-lora/_shared/seed<k>-<config hash>`` for a cell dir ``.../<exp>/<method>/seed<k>``."""
    return Path(out_dir).parents[2] / "_shared" / f"seed{cfg.seed}-{config_hash(cfg)}"


def _cell(setting: str, experiment: str, configs=preset_config):
    def run(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
        if method not in METHOD_NAMES:
            raise ValueError(f"unknown method {method!r}; valid: {list(METHOD_NAMES)}")
        cfg = configs(preset, seed)
        run_dir = shared_run_dir(Path(out_dir), cfg)
        # smoke evaluates the whole (cheap) grid once; larger presets only this cell's row. Cached rows are
        # read back without loading the models.
        methods = METHOD_NAMES if preset == "smoke" else (method,)
        rows = evaluate_run(run_dir, cfg, methods=methods, settings=(setting,))
        (row,) = [r for r in rows if r["method"] == method]
        h = config_hash(cfg)
        keys = [
            ("fd_digits", "fd"),
            ("accuracy", "accuracy"),
            ("style_rate", "style_rate"),
            ("ms_per_sample", "ms_per_sample"),
            ("nfe", "nfe"),
            ("pipeline_max_diff", "pipeline_max_diff"),
        ]
        return [
            ResultRecord(PACKAGE, experiment, method, seed, metric, float(row[key]), config_hash=h)
            for metric, key in keys
            if key in row
        ]

    return run


_COMMON = dict(
    package=PACKAGE,
    methods=METHOD_NAMES,
    proposed="lcm-4",
    metric="fd_digits",
    higher_is_better=False,
    # the first cell of a seed trains the whole pipeline; the rest only read its table
    seconds={"smoke": 2.0, "quick": 30.0, "paper": 300.0},
    seeds={"smoke": 1, "quick": 2, "paper": 3},
)


def _params_cell(*, method: str, seed: int, preset: str, out_dir: Path) -> list[ResultRecord]:
    """Trainable LoRA parameters (millions) of the official targets at rank 64 on the full-size UNet, counted
    on the meta device; deterministic (the seed changes nothing), the same at every preset."""
    from lcm_lora.scale import REPORTED_LORA_PARAMS_M, lora_parameter_count

    if method not in REPORTED_LORA_PARAMS_M:
        raise ValueError(f"unknown method {method!r}; valid: {sorted(REPORTED_LORA_PARAMS_M)}")
    lora, base = lora_parameter_count(method, rank=64)
    return [
        ResultRecord(PACKAGE, "lora-params", method, seed, "lora_params_m", lora / 1e6),
        ResultRecord(PACKAGE, "lora-params", method, seed, "unet_params_m", base / 1e6),
    ]


_SD = dict(
    _COMMON,
    seconds={"smoke": 3.0, "quick": 60.0, "paper": 600.0},
    seeds={"smoke": 1, "quick": 3, "paper": 5},
)

EXPERIMENTS: list[Experiment] = [
    Experiment(
        package=PACKAGE,
        name="lora-params",
        description="trainable parameters of LCM-LoRA (rank 64, the official targets) on the SD-1.5 and SDXL "
        "UNets built from their configs on the meta device (the report's Table 1)",
        methods=("sd15", "sdxl"),
        proposed="sd15",
        metric="lora_params_m",
        higher_is_better=False,
        run=_params_cell,
        seconds={"smoke": 20.0, "quick": 20.0, "paper": 20.0},
        seeds={"smoke": 1, "quick": 2, "paper": 2},
        claim="LCM-LoRA trains 67.5M parameters on SD-1.5 and 197M on SDXL",
    ),
    Experiment(
        name="sd-base",
        description="Stable-Diffusion-style latent digits (AutoencoderKL, CLIP text encoder, UNet2DConditionModel): "
        "LCM-LoRA vs the teacher's DDIM / DPM-Solver++",
        run=_cell("base", "sd-base", sd_preset_config),
        claim="LCM-LoRA at 2-4 steps is close to teacher DDIM-25/50 and better than DDIM/DPM-Solver++ at few steps",
        **_SD,  # type: ignore[arg-type]
    ),
    Experiment(
        name="sd-style",
        description="the SD-style LCM-LoRA added (λ2=1.0) to a style LoRA (λ1=0.8, 'a bold handwritten digit k') "
        "through the pipeline's set_adapters, without retraining",
        run=_cell("style", "sd-style", sd_preset_config),
        claim="the plug-in keeps the style (style rate) and few-step quality without any training",
        **_SD,  # type: ignore[arg-type]
    ),
    Experiment(
        name="digits-base",
        description="LCM-LoRA distilled from a class-conditional 8x8-digits UNet vs the teacher's DDIM / DPM-Solver++",
        run=_cell("base", "digits-base"),
        claim="LCM-LoRA at 2-4 steps is close to teacher DDIM-25/50 and far better than DDIM/DPM-Solver++ at equal NFE",
        **_COMMON,  # type: ignore[arg-type]
    ),
    Experiment(
        name="digits-style",
        description="the same LCM-LoRA added (λ2=1.0) to a style-LoRA model (λ1=0.8) without retraining",
        run=_cell("style", "digits-style"),
        claim="the plug-in keeps the style (style rate) and few-step quality without any training",
        **_COMMON,  # type: ignore[arg-type]
    ),
]

__all__ = ["CLAIMS", "EXPERIMENTS", "preset_config", "sd_preset_config", "shared_run_dir"]

# --- claims (the scoreboard) --------------------------------------------------------------------------------
# Tests, thresholds and seeds were fixed before the runs (except the parameter-count tolerance, see README).
_SD_CMD = (
    "python packages/lcm-lora/benchmarks/claim_cells.py --preset quick --seeds 0 1 2 --out runs/lcm-claims"
)
_PARAMS_CMD = "lcm-lora reproduce --preset quick --only lora-params --out runs/lcm-params"
_DIGITS_CMD = "lcm-lora reproduce --preset paper --only digits-base digits-style --out runs/lcm-paper"
_HEADROOM = "lcm-lora/sd-headroom"

CLAIMS: list[Claim] = [
    Claim(
        id="lcm-lora/sd15-lora-params",
        statement="LCM-LoRA (rank 64, official targets) trains 67.5M parameters of SD-1.5's UNet (Table 1), within 1%",
        experiment="lora-params",
        evidence="params",
        test="equal",
        method="sd15",
        target=67.5,
        threshold=0.675,
        min_seeds=2,
        command=_PARAMS_CMD,
    ),
    Claim(
        id="lcm-lora/sdxl-lora-params",
        statement="LCM-LoRA (rank 64, official targets) trains 197M parameters of SDXL's UNet (Table 1), within 1%",
        experiment="lora-params",
        evidence="params",
        test="equal",
        method="sdxl",
        target=197.0,
        threshold=1.97,
        min_seeds=2,
        command=_PARAMS_CMD,
    ),
    Claim(
        id="lcm-lora/sd-pipeline-loads",
        statement="the LCM-LoRA file loads into a fresh StableDiffusionPipeline (load_lora_weights) and its "
        "4-step LCMScheduler samples equal the in-memory model's (max |Δlatent| <= 1e-5)",
        experiment="sd-base",
        evidence="quick",
        test="equal",
        metric="pipeline_max_diff",
        target=0.0,
        threshold=1e-5,
        min_seeds=3,
        command=_SD_CMD,
    ),
    Claim(
        id="lcm-lora/sd-pipeline-set-adapters",
        statement="style + LCM-LoRA combined by the pipeline's set_adapters([style, lcm], [0.8, 1.0]) sample "
        "as the package's θ + 0.8 τ_style + 1.0 τ_LCM (max |Δlatent| <= 1e-5)",
        experiment="sd-style",
        evidence="quick",
        test="equal",
        metric="pipeline_max_diff",
        target=0.0,
        threshold=1e-5,
        min_seeds=3,
        command=_SD_CMD,
    ),
    Claim(
        id=_HEADROOM,
        statement="headroom: FD-digits separates the teacher's DDIM-25 from its DDIM-2 (few-step samplers fail)",
        experiment="sd-base",
        evidence="quick",
        test="better",
        method="ddim-25",
        baseline="ddim-2",
        min_seeds=3,
        command=_SD_CMD,
        headroom=True,
    ),
    Claim(
        id="lcm-lora/sd-lcm4-close-to-teacher",
        statement="LCM-LoRA at 4 steps is close to the teacher's DDIM-25 with CFG: FD-digits <= 1.25x",
        experiment="sd-base",
        evidence="quick",
        test="within",
        baseline="ddim-25",
        threshold=1.25,
        min_seeds=3,
        command=_SD_CMD,
    ),
    Claim(
        id="lcm-lora/sd-lcm4-beats-dpmsolver4",
        statement="LCM-LoRA at 4 steps has a lower FD-digits than the teacher's DPM-Solver++ at 4 steps (CFG)",
        experiment="sd-base",
        evidence="quick",
        test="better",
        baseline="dpmsolver-4",
        min_seeds=3,
        command=_SD_CMD,
        requires=_HEADROOM,
    ),
    Claim(
        id="lcm-lora/sd-lcm4-beats-equal-nfe",
        statement="LCM-LoRA at 4 steps (NFE 4) has a lower FD-digits than DPM-Solver++ at equal NFE (2 steps x CFG)",
        experiment="sd-base",
        evidence="quick",
        test="better",
        baseline="dpmsolver-2",
        min_seeds=3,
        command=_SD_CMD,
        requires=_HEADROOM,
    ),
    Claim(
        id="lcm-lora/sd-plugin-keeps-style",
        statement="θ + 0.8 τ_style + 1.0 τ_LCM, no training, keeps >= 90% of the style model's style rate (DDIM-25)",
        experiment="sd-style",
        evidence="quick",
        test="within",
        baseline="ddim-25",
        metric="style_rate",
        higher_is_better=True,
        threshold=0.9,
        min_seeds=3,
        command=_SD_CMD,
    ),
    Claim(
        id="lcm-lora/sd-plugin-close-to-teacher",
        statement="the style plug-in at 4 steps is close to the style model's DDIM-25: FD-digits (bold) <= 1.25x",
        experiment="sd-style",
        evidence="quick",
        test="within",
        baseline="ddim-25",
        threshold=1.25,
        min_seeds=3,
        command=_SD_CMD,
    ),
    Claim(
        id="lcm-lora/sd-plugin-beats-dpmsolver4",
        statement="the style plug-in at 4 steps has a lower FD-digits than the style model's DPM-Solver++ at 4 steps",
        experiment="sd-style",
        evidence="quick",
        test="better",
        baseline="dpmsolver-4",
        min_seeds=3,
        command=_SD_CMD,
        requires=_HEADROOM,
    ),
    Claim(
        id="lcm-lora/digits-lcm4-close-to-teacher",
        statement="pixel digits UNet at the brief's budgets: LCM-LoRA 4 steps FD-digits <= 1.25x teacher DDIM-50",
        experiment="digits-base",
        evidence="paper",
        test="within",
        baseline="ddim-50",
        threshold=1.25,
        min_seeds=3,
        command=_DIGITS_CMD,
    ),
    Claim(
        id="lcm-lora/digits-plugin-keeps-style",
        statement="pixel digits UNet at the brief's budgets: the plug-in keeps >= 90% of T1's style rate (DDIM-50)",
        experiment="digits-style",
        evidence="paper",
        test="within",
        baseline="ddim-50",
        metric="style_rate",
        higher_is_better=True,
        threshold=0.9,
        min_seeds=3,
        command=_DIGITS_CMD,
    ),
]
