"""Pretraining loop: the three MST phases, DST steps with MG growth, hybrid sparse attention, data
parallelism, exact checkpoint/resume, and FLOPs counted from the masks."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import torch
from paperkit import (
    MetricsLogger,
    Seeder,
    load_checkpoint,
    make_run_dir,
    numpy_rng,
    numpy_rng_state,
    restore_numpy_rng,
    save_checkpoint,
    write_config,
)

from mst import distributed
from mst.attention import attention_pattern, kept_fraction
from mst.config import Config
from mst.data import build_corpus, get_batch, load_split, stdlib_dir
from mst.flops import dense_gradient_extra, flops_per_token
from mst.model import GPT
from mst.sparsity import SparseLinears, cosine_drop_fraction, er_densities, sparsity_schedule

VOCAB = 256  # byte-level tokens


@dataclasses.dataclass
class Result:
    final_val_loss: float
    val_curve: list[tuple[int, float]]
    """(iteration, validation loss)."""
    train_curve: list[tuple[int, float]]
    """(iteration, training loss of that iteration's batch)."""
    train_flops_rel: float
    """Counted training FLOPs / the same count for dense weights and full attention."""
    train_flops: float
    """Counted training FLOPs (absolute), to compare runs of different sizes or lengths."""
    sparsity_trace: list[tuple[int, float]]
    """(iteration, global sparsity of the linear weights) after each DST step."""
    final_sparsity: float
    run_dir: str
    iters_done: int = 0
    """Iterations trained (``max_iters`` unless a ``deadline`` stopped the run early)."""
    train_seconds: float = 0.0
    """Wall time of the training iterations (evaluation and checkpoints excluded)."""
    eval_seconds: float = 0.0


def lr_at(it: int, cfg: Config) -> float:
    """Linear warm-up, then cosine decay to ``min_lr`` at ``max_iters``."""
    if it < cfg.warmup_iters:
        return cfg.lr * (it + 1) / (cfg.warmup_iters + 1)
    ratio = (it - cfg.warmup_iters) / max(cfg.max_iters - cfg.warmup_iters, 1)
    return cfg.min_lr + 0.5 * (1.0 + math.cos(math.pi * min(ratio, 1.0))) * (cfg.lr - cfg.min_lr)


def target_sparsity(it: int, cfg: Config) -> float:
    if not cfg.sparse:
        return 0.0
    return sparsity_schedule(it, s_max=cfg.s_max, warmup_end=cfg.warmup_end, restore_start=cfg.restore_start,
                             restore_end=cfg.last_dst, shape=cfg.schedule_shape,
                             restore_shape=cfg.restore_shape, warmup_start=cfg.prune_start)  # fmt: skip


def hsa_active(it: int, cfg: Config) -> bool:
    start, end = cfg.hsa_window_iters
    return cfg.sparse and cfg.hsa_mode != "none" and start <= it < end


def weight_shapes(cfg: Config) -> list[tuple[int, int]]:
    """(out, in) of every linear weight in :meth:`GPT.sparse_weights` order (the lm_head last)."""
    d = cfg.d_model
    return [(3 * d, d), (d, d), (4 * d, d), (d, 4 * d)] * cfg.n_layer + [(VOCAB, d)]


def planned_flops_rel(cfg: Config) -> float:
    """The training-FLOPs ratio a run of ``cfg`` will count, computed from the schedule alone (no model, no
    data): DST steps hit the ER targets exactly, so the active counts between steps are known in advance.
    Lets a schedule be sized for a FLOPs budget (e.g. the paper's 4x) before anything is trained."""
    shapes = weight_shapes(cfg)
    total = [o * i for o, i in shapes]
    n_sparse = len(shapes) if cfg.sparse_lm_head else len(shapes) - 1
    kept_hsa = kept_fraction(cfg.hsa_mode, cfg.seq_len, cfg.hsa_window) if cfg.hsa_mode != "none" else 1.0
    active = list(total)
    dense_tok = flops_per_token(total, cfg.n_layer, cfg.d_model, cfg.seq_len)
    spent = 0.0
    for it in range(cfg.max_iters):
        kept = kept_hsa if hsa_active(it, cfg) else 1.0
        spent += flops_per_token(active, cfg.n_layer, cfg.d_model, cfg.seq_len, kept)
        if cfg.sparse and cfg.prune_start < it <= cfg.last_dst and it % cfg.delta == 0:
            spent += dense_gradient_extra(active, total)
            dens = er_densities(shapes[:n_sparse], 1.0 - target_sparsity(it, cfg))
            active[:n_sparse] = [round(dd * n) for dd, n in zip(dens, total)]
    return spent / (cfg.max_iters * dense_tok)


def restore_frac_for_flops(cfg: Config, flops_rel: float, tol: float = 1e-4, clip: bool = False) -> float:
    """The restoration length (fraction of ``max_iters``) at which ``cfg`` counts ``flops_rel`` x dense
    training FLOPs, everything else fixed (bisection: a longer restoration only adds FLOPs). A target out of
    reach is a ``ValueError``, or with ``clip`` the nearest end (0 or the longest restoration)."""
    lo, hi = 0.0, 1.0 - cfg.prune_start_frac - cfg.warmup_frac

    def at(r: float) -> float:
        return planned_flops_rel(dataclasses.replace(cfg, restore_frac=r))

    f_lo, f_hi = at(lo), at(hi)
    if clip and not f_lo <= flops_rel <= f_hi:
        return lo if flops_rel < f_lo else hi
    if not f_lo <= flops_rel <= f_hi:
        raise ValueError(
            f"flops_rel={flops_rel} is out of reach by the restoration length alone: "
            f"this schedule counts {f_lo:.4f}x (no restoration) to {f_hi:.4f}x (all restoration)"
        )
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if at(mid) < flops_rel else (lo, mid)
    return round(0.5 * (lo + hi), 4)


def dense_train_flops(cfg: Config) -> float:
    """Counted training FLOPs of ``cfg``'s model trained dense with full attention for ``max_iters``."""
    total = [o * i for o, i in weight_shapes(cfg)]
    return (
        cfg.max_iters
        * cfg.batch_size
        * cfg.seq_len
        * flops_per_token(total, cfg.n_layer, cfg.d_model, cfg.seq_len)
    )


def ensure_corpus(cfg: Config) -> None:
    """Build the token files from ``cfg.sources`` (default: the stdlib) if ``data_dir`` has none."""
    if not (Path(cfg.data_dir) / "meta.json").is_file():
        sources = list(cfg.sources) or [str(stdlib_dir())]
        build_corpus(sources, cfg.data_dir, max_bytes=cfg.max_bytes)


def make_optimizer(model: GPT, cfg: Config) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, cfg.beta2), foreach=False)


@torch.no_grad()
def evaluate(model: GPT, val: np.ndarray, cfg: Config, it: int, rank: int, world: int) -> float:
    """Mean validation loss on fixed batches, with the attention pattern training uses at ``it``."""
    model.eval()
    rng = numpy_rng(cfg.seed, "eval")  # the same batches at every evaluation
    mask = _pattern(cfg) if hsa_active(it, cfg) else None
    total = 0.0
    for _ in range(cfg.eval_batches):
        x, y = get_batch(val, cfg.batch_size, cfg.seq_len, rng)
        x, y = _shard(x, rank, world), _shard(y, rank, world)
        with _autocast(cfg):
            total += float(model(_t(x, cfg), _t(y, cfg), mask)[1])
    model.train()
    return distributed.mean(total / cfg.eval_batches)


def train(cfg: Config, *, deadline: float | None = None, until: int | None = None) -> Result:
    """Train ``cfg``. ``deadline`` (a ``time.monotonic()`` value): stop after the first iteration that ends
    past it and evaluate there (a hard time limit for one-shot device runs). ``until``: stop after that many
    iterations. Either way the schedules are those of ``max_iters``: a stopped run is a truncated one."""
    rank, world = distributed.init(cfg.device)
    if deadline is not None and world > 1:
        raise ValueError("deadline is for one process: ranks would stop at different iterations")
    if cfg.batch_size % (world * cfg.micro_batches):
        raise ValueError(
            f"batch_size={cfg.batch_size} must split over {world} ranks x {cfg.micro_batches} micro-batches"
        )
    if rank == 0:
        ensure_corpus(cfg)
    distributed.barrier()
    train_tokens, val_tokens = load_split(cfg.data_dir, "train"), load_split(cfg.data_dir, "val")

    seeder = Seeder(cfg.seed)
    model = GPT(VOCAB, cfg.block_size, cfg.n_layer, cfg.n_head, cfg.d_model, seeder.torch("init")).to(
        cfg.device
    )
    opt = make_optimizer(model, cfg)
    weights, names = model.sparse_weights(lm_head=cfg.sparse_lm_head)
    sparse = SparseLinears(weights, names) if cfg.sparse else None
    total_sizes = [w.numel() for w in model.sparse_weights()[0]]  # every linear weight, for FLOPs
    dense_extra = [] if cfg.sparse_lm_head else [model.lm_head.weight.numel()]  # a dense lm_head's cost
    data_rng = seeder.numpy("data")
    dst_gen = seeder.torch("dst")

    run_dir = Path(cfg.run_dir) if cfg.run_dir else None
    if rank == 0 and run_dir is None:
        run_dir = make_run_dir("mst", "gpt", cfg.seed, config=cfg)
    run_dir = Path(run_dir or ".")
    ckpt = run_dir / "checkpoint"
    start, flops = 0, {"sparse": 0.0, "dense": 0.0}
    val_curve: list[tuple[int, float]] = []
    train_curve: list[tuple[int, float]] = []
    sparsity_trace: list[tuple[int, float]] = []
    resumed = None
    if cfg.resume and (ckpt / "state.json").exists():
        ck = load_checkpoint(ckpt, config=_identity(cfg))
        _load_model(model, ck.tensors)
        opt.load_state_dict(ck.objects["opt"])
        if sparse is not None:
            sparse.masks = [ck.tensors[f"mask.{n}"].to(cfg.device).clone() for n in names]
        dst_gen.set_state(ck.tensors["rng.dst"])
        restore_numpy_rng(data_rng, ck.state["rng_data"])
        start, flops = ck.step, ck.state["flops"]
        val_curve = [tuple(v) for v in ck.state["val_curve"]]  # type: ignore[misc]
        train_curve = [tuple(v) for v in ck.state["train_curve"]]  # type: ignore[misc]
        sparsity_trace = [tuple(v) for v in ck.state["sparsity_trace"]]  # type: ignore[misc]
        resumed = start
    elif rank == 0:
        run_dir.mkdir(parents=True, exist_ok=True)
        write_config(run_dir, cfg)
    logger = (
        MetricsLogger(run_dir, resume_step=resumed, total=cfg.max_iters, desc="mst") if rank == 0 else None
    )
    pattern_kept = kept_fraction(cfg.hsa_mode, cfg.seq_len, cfg.hsa_window) if cfg.hsa_mode != "none" else 1.0
    tokens_per_iter = cfg.batch_size * cfg.seq_len

    done, train_s, eval_s = start, 0.0, 0.0
    for it in range(start, cfg.max_iters):
        t_it = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = lr_at(it, cfg)
        attn = hsa_active(it, cfg)
        mask = _pattern(cfg) if attn else None
        dst_due = sparse is not None and cfg.prune_start < it <= cfg.last_dst and it % cfg.delta == 0

        x, y = get_batch(train_tokens, cfg.batch_size, cfg.seq_len, data_rng)  # the global batch
        x, y = _shard(x, rank, world), _shard(y, rank, world)
        opt.zero_grad(set_to_none=True)
        loss_sum = 0.0
        for xm, ym in zip(np.split(x, cfg.micro_batches), np.split(y, cfg.micro_batches)):
            with _autocast(cfg):
                loss = model(_t(xm, cfg), _t(ym, cfg), mask)[1] / cfg.micro_batches
            loss.backward()  # weight.grad is dense here: pruned positions get gradients too
            loss_sum += loss.item()
        distributed.average_grads(list(model.parameters()))

        active = sparse.active() + dense_extra if sparse is not None else total_sizes
        kept = pattern_kept if attn else 1.0
        flops["sparse"] += tokens_per_iter * flops_per_token(
            active, cfg.n_layer, cfg.d_model, cfg.seq_len, kept
        )
        flops["dense"] += tokens_per_iter * flops_per_token(
            total_sizes, cfg.n_layer, cfg.d_model, cfg.seq_len
        )
        if dst_due:
            assert sparse is not None
            flops["sparse"] += tokens_per_iter * dense_gradient_extra(active, total_sizes)
            before = [m.clone() for m in sparse.masks]
            sparse.dst_step(target_sparsity(it, cfg), cosine_drop_fraction(it, cfg.zeta, cfg.max_iters),
                            cfg.growth, cfg.grad_ratio, dst_gen)  # fmt: skip
            if cfg.reset_optimizer_state:
                _zero_moments(opt, sparse, before)
            distributed.check_same(sparse.masks)
            sparsity_trace.append((it, sparse.sparsity()))
            # the topology change replaces this iteration's optimizer step
        else:
            if sparse is not None:
                sparse.mask_grads()
            if cfg.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            if sparse is not None:
                sparse.apply()
        train_curve.append((it, distributed.mean(loss_sum)))  # .item() above: the device is synchronised
        train_s += time.perf_counter() - t_it

        done = it + 1
        stop = done < cfg.max_iters and (
            (deadline is not None and time.monotonic() >= deadline) or (until is not None and done >= until)
        )
        if done % cfg.eval_interval == 0 or done == cfg.max_iters or stop:
            t_ev = time.perf_counter()
            v = evaluate(model, val_tokens, cfg, it, rank, world)
            eval_s += time.perf_counter() - t_ev
            val_curve.append((done, v))
            if logger is not None:
                logger.log(done, {"val_loss": v, "train_loss": train_curve[-1][1], "lr": lr_at(it, cfg),
                                  "sparsity": sparse.sparsity() if sparse else 0.0, "hsa": float(attn),
                                  "train_flops_rel": flops["sparse"] / flops["dense"]})  # fmt: skip
        if cfg.checkpoint_every and (done % cfg.checkpoint_every == 0 or done == cfg.max_iters):
            if rank == 0:
                path = ckpt if done < cfg.max_iters else run_dir / "final"
                tensors = {
                    k: v.detach().clone() for k, v in model.state_dict().items() if k != "lm_head.weight"
                }
                if sparse is not None:
                    tensors.update({f"mask.{n}": m for n, m in zip(names, sparse.masks)})
                tensors["rng.dst"] = dst_gen.get_state()
                state = {"rng_data": numpy_rng_state(data_rng), "flops": flops, "val_curve": val_curve,
                         "train_curve": train_curve, "sparsity_trace": sparsity_trace}  # fmt: skip
                save_checkpoint(path, config=_identity(cfg), step=done, tensors=tensors,
                                objects={"opt": opt.state_dict()}, state=state)  # fmt: skip
            distributed.barrier()
        if stop:
            break
    if logger is not None:
        logger.close()
    return Result(
        final_val_loss=val_curve[-1][1],
        val_curve=val_curve,
        train_curve=train_curve,
        train_flops_rel=flops["sparse"] / flops["dense"],
        train_flops=flops["sparse"],
        sparsity_trace=sparsity_trace,
        final_sparsity=sparse.sparsity() if sparse is not None else 0.0,
        run_dir=str(run_dir),
        iters_done=done,
        train_seconds=train_s,
        eval_seconds=eval_s,
    )


def _autocast(cfg: Config):
    """bfloat16 autocast (weights, optimizer and masks stay float32) or nothing."""
    if cfg.dtype == "bfloat16":
        return torch.autocast(device_type=cfg.device, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _pattern(cfg: Config) -> torch.Tensor:
    return attention_pattern(cfg.hsa_mode, cfg.seq_len, cfg.hsa_window).to(cfg.device)


def _shard(a: np.ndarray, rank: int, world: int) -> np.ndarray:
    n = len(a) // world
    return a[rank * n : (rank + 1) * n]


def _t(a: np.ndarray, cfg: Config) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a)).to(cfg.device)


def _identity(cfg: Config) -> Config:
    """The config a checkpoint belongs to: its location and the resume flag do not matter."""
    return dataclasses.replace(cfg, run_dir="", resume=False)


def _load_model(model: GPT, tensors: dict[str, torch.Tensor]) -> None:
    state = {k: v for k, v in tensors.items() if not k.startswith(("mask.", "rng."))}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if set(missing) != {"lm_head.weight"} or unexpected:  # lm_head is tied to wte, saved once
        raise ValueError(f"checkpoint does not match the model: missing {missing}, unexpected {unexpected}")


@torch.no_grad()
def _zero_moments(opt: torch.optim.Optimizer, sparse: SparseLinears, before: list[torch.Tensor]) -> None:
    for w, old, new in zip(sparse.weights, before, sparse.masks):
        st = opt.state.get(w, {})
        for key in ("exp_avg", "exp_avg_sq"):
            if key in st:
                st[key].masked_fill_(old ^ new, 0.0)
