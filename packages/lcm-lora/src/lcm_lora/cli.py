"""``lcm-lora train | evaluate | reproduce``."""

from __future__ import annotations

from pathlib import Path

from paperkit import config_from_dict, set_threads
from paperkit.cli import reproduce_command, run_cli

from lcm_lora.config import DigitsConfig
from lcm_lora.experiments import EXPERIMENTS
from lcm_lora.train import evaluate_run, format_table, train


def train_command(cfg: DigitsConfig, run_dir: Path | None = None, evaluate: bool = True) -> None:
    """Train the digits pipeline (VAE and text encoder for --cfg.backbone sd), teacher, style LoRA and LCM-LoRA,
    resuming in RUN_DIR if given, then evaluate. With the default sd backbone, RUN_DIR/pipeline is a
    StableDiffusionPipeline folder and RUN_DIR/lcm/pytorch_lora_weights.safetensors its LCM-LoRA."""
    set_threads(1)
    result = train(cfg, run_dir, evaluate=evaluate)
    print(result)
    if cfg.backbone == "sd":
        d = result.run_dir
        print(
            f"\nStableDiffusionPipeline.from_pretrained({str(d / 'pipeline')!r}) then "
            f"load_lora_weights({str(d / 'lcm')!r}, adapter_name='lcm'); style LoRA: {str(d / 'style')!r}"
        )


def evaluate_command(run_dir: Path) -> None:
    """Re-print (or compute) the evaluation grid of a finished run directory."""
    import json

    set_threads(1)
    config_file = run_dir / "config.json"
    if not config_file.is_file():
        raise ValueError(f"{run_dir} is not a run directory (no config.json)")
    cfg = config_from_dict(DigitsConfig, json.loads(config_file.read_text())["config"])
    print(format_table(evaluate_run(run_dir, cfg)))


def main() -> None:
    run_cli(
        {"train": train_command, "evaluate": evaluate_command, "reproduce": reproduce_command(EXPERIMENTS)},
        prog="lcm-lora",
    )
