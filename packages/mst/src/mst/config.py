"""The run configuration (frozen, validated at construction)."""

from __future__ import annotations

import dataclasses

from paperkit import check_choice, check_int_at_least, check_non_negative, check_positive, check_range

from mst.attention import MODES
from mst.sparsity import GROWTH, RESTORE_SHAPES


@dataclasses.dataclass(frozen=True)
class Config:
    """MST on a tiny GPT (defaults: the brief's scaled-down plan) or its dense baseline (``sparse=False``)."""

    # data
    data_dir: str = "data/mst-stdlib"
    """Token files (see :mod:`mst.data`); built from ``sources`` on first use if absent."""
    sources: tuple[str, ...] = ()
    """Files/folders of the corpus (empty = this Python's standard-library sources)."""
    max_bytes: int = 4_000_000
    """Bytes of source files sampled into the corpus."""
    # model
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 128
    block_size: int = 128
    """Model context length."""
    seq_len: int = 128
    """Training sequence length (<= block_size)."""
    # optimisation
    seed: int = 0
    max_iters: int = 4_000
    batch_size: int = 32
    """Global batch (sequences per iteration), split evenly over data-parallel ranks."""
    micro_batches: int = 1
    """Gradient-accumulation steps per rank per iteration."""
    lr: float = 1e-3
    min_lr: float = 1e-4
    warmup_iters: int = 100
    weight_decay: float = 0.1
    beta2: float = 0.95
    grad_clip: float = 1.0
    """Global gradient-norm clip (0 = off)."""
    # MST
    sparse: bool = True
    """False: the dense baseline (same code path, no masks, no sparse attention)."""
    s_max: float = 0.9
    """Ultra-sparse target sparsity of the linear weights (ER-allocated, tied lm_head included)."""
    sparse_lm_head: bool = True
    """Sparsify the tied lm_head (and with it the token embedding), as the official code does; False keeps
    it dense (an ablation: a 256-byte vocabulary makes the embedding a small, busy matrix)."""
    prune_start_frac: float = 0.0
    """[R] Pruning (the warm-up ramp) starts here, as a fraction of max_iters; dense and no DST before. The
    brief: pruning belongs after the model has learnt more than unigram statistics (``mst_late``)."""
    warmup_frac: float = 0.15
    """Warm-up phase (dense -> s_max) as a fraction of max_iters, from ``prune_start_frac`` on."""
    restore_frac: float = 0.2
    """Restoration phase (s_max -> dense) as a fraction of max_iters; 0 = no restoration."""
    schedule_shape: str = "cubic"
    """``cubic`` ramps (paper) or ``staircase`` (one jump to s_max, one back; the official code's form)."""
    restore_shape: str = "cubic"
    """[R] Restoration ramp: ``cubic`` (Zhu & Gupta's formula from s_max to 0: fastest at the start, as the
    warm-up) or ``reverse`` (the warm-up played backwards: most connections return near the end)."""
    delta: int = 25
    """Iterations between DST steps."""
    zeta: float = 0.3
    """Initial drop fraction, cosine-annealed to 0 at max_iters."""
    growth: str = "mixed"
    """``mixed`` (MG: gradient + random), ``gradient`` (RigL), ``random`` (SET)."""
    grad_ratio: float = 3.0
    """MG: gradient-grown : random-grown connections."""
    reset_optimizer_state: bool = False
    """[R] Zero AdamW moments of dropped/grown weights (the reference does not)."""
    hsa_mode: str = "sparse"
    """Sparse attention pattern while HSA is active: none, local, strided, sparse, fixed."""
    hsa_window: int = 16
    """Window/stride W of the attention pattern."""
    hsa_start_frac: float = -1.0
    """HSA start as a fraction of max_iters (negative = the end of warm-up)."""
    hsa_end_frac: float = -1.0
    """HSA end as a fraction of max_iters (negative = the start of restoration)."""
    # bookkeeping
    eval_interval: int = 200
    eval_batches: int = 8
    """Validation batches (of batch_size sequences) per evaluation."""
    checkpoint_every: int = 0
    """Iterations between checkpoints (0 = never)."""
    run_dir: str = ""
    resume: bool = False
    device: str = "cpu"
    """``cpu`` (gloo for data parallel) or ``cuda`` (nccl)."""
    dtype: str = "float32"
    """``float32`` or ``bfloat16`` (autocast of the forward pass, as the reference trains; for GPUs)."""

    def __post_init__(self) -> None:
        if any(not s for s in self.sources):
            raise ValueError(f"sources must be non-empty paths, got {self.sources!r}")
        for name in ("n_layer", "n_head", "d_model", "block_size", "seq_len", "max_iters", "batch_size",
                     "micro_batches", "delta", "hsa_window", "eval_interval", "eval_batches", "max_bytes"):  # fmt: skip
            check_int_at_least(name, getattr(self, name), 1)
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("warmup_iters", self.warmup_iters, 0)
        check_int_at_least("checkpoint_every", self.checkpoint_every, 0)
        if self.d_model % self.n_head:
            raise ValueError(f"d_model={self.d_model} must be divisible by n_head={self.n_head}")
        if self.seq_len > self.block_size:
            raise ValueError(f"seq_len={self.seq_len} exceeds the model context block_size={self.block_size}")
        if self.batch_size % self.micro_batches:
            raise ValueError(
                f"batch_size={self.batch_size} must be divisible by micro_batches={self.micro_batches}"
            )
        check_positive("lr", self.lr)
        check_non_negative("min_lr", self.min_lr)
        check_non_negative("weight_decay", self.weight_decay)
        check_range("beta2", self.beta2, 0.0, 1.0, high_open=True)
        check_non_negative("grad_clip", self.grad_clip)
        check_range("s_max", self.s_max, 0.0, 1.0, high_open=True)
        check_range("prune_start_frac", self.prune_start_frac, 0.0, 1.0)
        check_range("warmup_frac", self.warmup_frac, 0.0, 1.0)
        check_range("restore_frac", self.restore_frac, 0.0, 1.0)
        if self.prune_start_frac + self.warmup_frac + self.restore_frac > 1.0 + 1e-12:
            raise ValueError(
                f"phase fractions prune_start_frac={self.prune_start_frac} + warmup_frac={self.warmup_frac} + "
                f"restore_frac={self.restore_frac} exceed 1: warm-up and restoration would overlap"
            )
        check_choice("schedule_shape", self.schedule_shape, ("cubic", "staircase"))
        check_choice("restore_shape", self.restore_shape, RESTORE_SHAPES)
        check_range("zeta", self.zeta, 0.0, 1.0)
        check_choice("growth", self.growth, GROWTH)
        check_non_negative("grad_ratio", self.grad_ratio)
        check_choice("hsa_mode", self.hsa_mode, MODES)
        check_range("hsa_start_frac", self.hsa_start_frac, -1.0, 1.0)
        check_range("hsa_end_frac", self.hsa_end_frac, -1.0, 1.0)
        check_choice("device", self.device, ("cpu", "cuda"))
        check_choice("dtype", self.dtype, ("float32", "bfloat16"))
        if self.resume and not self.run_dir:
            raise ValueError("resume=True needs run_dir (the folder holding the checkpoint)")

    # --- phase boundaries in iterations ---------------------------------------------------------------
    @property
    def last_dst(self) -> int:
        """The last DST iteration (the largest multiple of delta below max_iters); restoration ends here."""
        return ((self.max_iters - 1) // self.delta) * self.delta

    @property
    def prune_start(self) -> int:
        """The first iteration of the warm-up ramp (no DST step before or at it)."""
        return round(self.prune_start_frac * self.max_iters)

    @property
    def warmup_end(self) -> int:
        return self.prune_start + round(self.warmup_frac * self.max_iters)

    @property
    def restore_start(self) -> int:
        return max(self.last_dst - round(self.restore_frac * self.max_iters), self.warmup_end)

    @property
    def hsa_window_iters(self) -> tuple[int, int]:
        """[start, end) iterations of hybrid sparse attention (default: the ultra-sparse phase)."""
        start = self.warmup_end if self.hsa_start_frac < 0 else round(self.hsa_start_frac * self.max_iters)
        if self.hsa_end_frac >= 0:
            end = round(self.hsa_end_frac * self.max_iters)
        else:
            end = self.restore_start if self.restore_frac > 0 else self.max_iters
        return start, end
