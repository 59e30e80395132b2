"""The Stable-Diffusion-style path: `lcm-lora train` writes a LoRA that a fresh StableDiffusionPipeline loads
with `load_lora_weights` (as users load the real LCM-LoRA), and the style combination through `set_adapters`."""

import copy
import math
import sys
import warnings

import pytest
import torch
from diffusers import LCMScheduler, StableDiffusionPipeline
from paperkit import config_from_dict, run_cell

from lcm_lora import (
    LCDConfig,
    activate_adapters,
    load_lora_weights,
    make_scheduler,
    sample,
    sd_noise_scheduler,
)
from lcm_lora.cli import main
from lcm_lora.experiments import EXPERIMENTS
from lcm_lora.latent import CAPTION, MAX_TOKENS, STYLE_CAPTION, WORDS, captions, encode_prompts, new_tokenizer
from lcm_lora.lora import LORA_WEIGHT_NAME
from lcm_lora.models import NULL_LABEL
from lcm_lora.train import load_pipeline, run_stages

TINY = [
    "--cfg.vae-steps", "40", "--cfg.teacher-steps", "40", "--cfg.style-steps", "10",
    "--cfg.lcd.max-steps", "20", "--cfg.batch-size", "32", "--cfg.classifier-steps", "20",
]  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A tiny SD-style run made by the CLI, as a user would (no evaluation)."""
    d = tmp_path_factory.mktemp("sd") / "run"
    old = sys.argv
    sys.argv = ["lcm-lora", "train", *TINY, "--run-dir", str(d), "--no-evaluate"]
    try:
        main()
    finally:
        sys.argv = old
    return d


@pytest.fixture(scope="module")
def stages(run_dir):
    import json

    from lcm_lora import DigitsConfig

    cfg = config_from_dict(DigitsConfig, json.loads((run_dir / "config.json").read_text())["config"])
    return cfg, run_stages(cfg, run_dir)  # read back: every stage is finished


def _prompts(style=False):
    return captions(torch.arange(10), style=style)


def _pipe_latents(pipe, style=False, steps=4):
    return pipe(
        prompt=_prompts(style),
        num_inference_steps=steps,
        guidance_scale=1.0,
        generator=torch.Generator().manual_seed(7),
        output_type="latent",
    ).images


def _our_latents(model, table, steps=4):
    return sample(
        model,
        make_scheduler("lcm", sd_noise_scheduler()),
        table[torch.arange(10)],
        num_steps=steps,
        shape=(10, 4, 4, 4),
        generator=torch.Generator().manual_seed(7),
        null_condition=table[NULL_LABEL],
    ).images


def test_tokenizer_reads_each_caption_word_as_one_token():
    tok = new_tokenizer()
    for template in (CAPTION, STYLE_CAPTION):
        ids = tok(template.format(3)).input_ids
        assert len(ids) == len(template.split()) + 2 <= MAX_TOKENS  # <bos> words <eos>
    assert len({tok(w).input_ids[1] for w in WORDS}) == len(WORDS)


def test_cli_writes_a_pipeline_folder_and_diffusers_lora_files(run_dir):
    for name in ("lcm", "style"):
        assert (run_dir / name / LORA_WEIGHT_NAME).is_file()
    assert (run_dir / "pipeline" / "model_index.json").is_file()


def test_fresh_pipeline_loads_the_lcm_lora_and_samples_as_in_memory(run_dir, stages):
    _cfg, st = stages
    pipe = StableDiffusionPipeline.from_pretrained(str(run_dir / "pipeline"))  # fresh, from disk
    pipe.scheduler = LCMScheduler.from_config(pipe.scheduler.config, original_inference_steps=50)
    pipe.set_progress_bar_config(disable=True)
    without = _pipe_latents(pipe)
    pipe.load_lora_weights(str(run_dir / "lcm"), weight_name=LORA_WEIGHT_NAME, adapter_name="lcm")
    theirs = _pipe_latents(pipe)
    ours_model = copy.deepcopy(st.teacher)
    load_lora_weights(ours_model, run_dir / "lcm", "lcm")
    ours = _our_latents(ours_model, st.space.tables["plain"])
    assert torch.allclose(theirs, ours, atol=1e-5)
    assert (theirs - without).abs().max() > 1e-3  # the LoRA changes the samples
    # the prompt embeddings the package trains on are the pipeline's own
    assert torch.equal(encode_prompts(pipe, _prompts()), st.space.tables["plain"][:10])
    images = pipe(prompt=_prompts()[:2], num_inference_steps=2, guidance_scale=1.0, output_type="pt").images
    assert images.shape == (2, 1, 8, 8) and images.min() >= 0.0 and images.max() <= 1.0


def test_style_plug_in_through_set_adapters_equals_the_weighted_combination(run_dir, stages):
    cfg, st = stages
    pipe = load_pipeline(
        run_dir, cfg, "style"
    )  # load_lora_weights x2 + set_adapters([style, lcm], [0.8, 1.0])
    theirs = _pipe_latents(pipe, style=True)
    model = copy.deepcopy(st.teacher)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Already found a `peft_config`", category=UserWarning)
        load_lora_weights(model, run_dir / "style", "style")
        load_lora_weights(model, run_dir / "lcm", "lcm")
    activate_adapters(model, ["style", "lcm"], [0.8, 1.0])
    assert torch.allclose(theirs, _our_latents(model, st.space.tables["style"]), atol=1e-5)
    activate_adapters(model, ["style", "lcm"], [1.0, 1.0])  # λ1 matters
    assert (theirs - _our_latents(model, st.space.tables["style"])).abs().max() > 1e-4


def test_sd_smoke_cells_record_the_pipeline_agreement(tmp_path):
    by_name = {e.name: e for e in EXPERIMENTS}
    root = tmp_path / "smoke" / "lcm-lora"
    vals = {}
    for exp_name in ("sd-base", "sd-style"):
        out = root / exp_name / "lcm-4" / "seed0"
        recs = run_cell(by_name[exp_name], method="lcm-4", seed=0, preset="smoke", out_dir=out)
        vals[exp_name] = {r.metric: r.value for r in recs}
    for v in vals.values():
        assert math.isfinite(v["fd_digits"]) and v["nfe"] == 4 and v["pipeline_max_diff"] < 1e-5
    assert len(list((root / "_shared").iterdir())) == 1


def test_bad_backbone_is_refused():
    from lcm_lora import DigitsConfig

    with pytest.raises(ValueError, match="backbone"):
        DigitsConfig(backbone="vae")
    assert LCDConfig().num_ddim_timesteps == 50
