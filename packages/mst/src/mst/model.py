"""A GPT-2-style decoder (nanoGPT layout): pre-LN blocks, GELU MLP, no biases, tied wte/lm_head."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, n_head: int):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(d_model, 3 * d_model, bias=False)
        self.c_proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        if attn_mask is None:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # a boolean pattern (True = attend); it already contains causality
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask[:T, :T])
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, d_model: int, n_head: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model, bias=False)
        self.attn = CausalSelfAttention(d_model, n_head)
        self.ln_2 = nn.LayerNorm(d_model, bias=False)
        self.c_fc = nn.Linear(d_model, 4 * d_model, bias=False)
        self.mlp_proj = nn.Linear(4 * d_model, d_model, bias=False)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), attn_mask)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, vocab_size: int, block_size: int, n_layer: int, n_head: int, d_model: int,
                 generator: torch.Generator):  # fmt: skip
        super().__init__()
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, d_model)
        self.wpe = nn.Embedding(block_size, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d_model, bias=False)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied: sparsifying lm_head sparsifies the embedding too
        with torch.no_grad():  # GPT-2 init: N(0, 0.02), residual projections scaled by 1/sqrt(2 L)
            for name, p in self.named_parameters():
                if p.dim() == 2:
                    std = (
                        0.02 / math.sqrt(2 * n_layer)
                        if name.endswith(("c_proj.weight", "mlp_proj.weight"))
                        else 0.02
                    )
                    p.normal_(0.0, std, generator=generator)

    def sparse_weights(self, lm_head: bool = True) -> tuple[list[nn.Parameter], list[str]]:
        """Every block linear weight and (if ``lm_head``) the tied lm_head weight, in a fixed order."""
        names, weights = [], []
        for i, b in enumerate(self.blocks):
            for n, lin in (("c_attn", b.attn.c_attn), ("attn_proj", b.attn.c_proj), ("c_fc", b.c_fc),
                           ("mlp_proj", b.mlp_proj)):  # fmt: skip
                names.append(f"blocks.{i}.{n}")
                weights.append(lin.weight)
        if lm_head:
            names.append("lm_head")
            weights.append(self.lm_head.weight)
        return weights, names

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None, attn_mask: torch.Tensor | None = None
    ):
        T = idx.shape[1]
        if self.block_size < T:
            raise ValueError(f"sequence length {T} exceeds the model context block_size={self.block_size}")
        x = self.wte(idx) + self.wpe(torch.arange(T, device=idx.device))
        for block in self.blocks:
            x = block(x, attn_mask)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
