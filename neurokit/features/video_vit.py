"""A ViT-B for video in one readable file: divided space-time attention (TimeSformer) or joint attention over
space-time tubelets (OmniMAE / VideoMAE encoders).

These architectures have no implementation in timm, pytorchvideo or torchvision, so the roster's TimeSformer,
OmniMAE and VideoMAE entries are this module, built from timm's ``Attention``/``Mlp``/``Block`` layers, and their
cards name them substitutes. Shapes follow the papers: patch 16, width 768, depth 12, 12 heads.

Input ``(batch, 3, frames, height, width)``; every block returns tokens ``(batch, 1 + T' * H' * W', 768)`` with
the class token first, and the model stores the token grid ``(T', H', W')`` of the last call in ``token_grid``
(the extractor uses it to pool space and time separately).
"""
from __future__ import annotations

import torch
from torch import nn


class DividedSpaceTimeBlock(nn.Module):
    """TimeSformer block: temporal attention (per patch position), then spatial attention (per frame), then MLP."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0):
        from timm.layers import Attention, Mlp

        super().__init__()
        self.temporal_norm = nn.LayerNorm(dim, eps=1e-6)
        self.temporal_attn = Attention(dim, num_heads=num_heads, qkv_bias=True)
        self.temporal_fc = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, num_heads=num_heads, qkv_bias=True)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.grid: tuple[int, int, int] = (1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x : (batch, 1 + T*L, dim) → same shape; ``self.grid`` = (T, H', W') set by the parent."""
        b, _, d = x.shape
        t, h, w = self.grid
        n = h * w
        cls, tok = x[:, :1], x[:, 1:]
        # temporal attention: sequences of T tokens, one per patch position
        xt = tok.reshape(b, t, n, d).permute(0, 2, 1, 3).reshape(b * n, t, d)
        xt = self.temporal_fc(self.temporal_attn(self.temporal_norm(xt)))
        tok = tok + xt.reshape(b, n, t, d).permute(0, 2, 1, 3).reshape(b, t * n, d)
        # spatial attention: one sequence per frame, each with a copy of the class token
        xs = torch.cat([cls.repeat_interleave(t, 0), tok.reshape(b * t, n, d)], dim=1)
        xs = self.attn(self.norm1(xs))
        cls = cls + xs[:, :1].reshape(b, t, d).mean(1, keepdim=True)
        tok = tok + xs[:, 1:].reshape(b, t * n, d)
        x = torch.cat([cls, tok], dim=1)
        return x + self.mlp(self.norm2(x))


class VideoViT(nn.Module):
    """ViT-B over a clip.

    Parameters
    ----------
    attention : {"divided", "joint"}
        ``"divided"``: TimeSformer blocks; ``"joint"``: standard ViT blocks over all space-time tokens.
    img_size, num_frames : int
        Input size the positional embeddings are built for.
    tubelet : int
        Frames per patch (1 for TimeSformer, 2 for OmniMAE/VideoMAE).
    num_classes : int
        Classifier outputs; 0 gives an identity head (pre-trained encoders: the head returns the pooled token).
    """

    def __init__(self, attention: str = "divided", img_size: int = 224, num_frames: int = 8, tubelet: int = 1,
                 patch: int = 16, dim: int = 768, depth: int = 12, num_heads: int = 12, num_classes: int = 400):
        from timm.layers import trunc_normal_
        from timm.models.vision_transformer import Block

        super().__init__()
        if attention not in ("divided", "joint"):
            raise ValueError(f"attention must be 'divided' or 'joint', got {attention!r}")
        self.attention, self.tubelet, self.patch = attention, tubelet, patch
        self.patch_embed = nn.Conv3d(3, dim, (tubelet, patch, patch), (tubelet, patch, patch))
        n_t, n_s = max(num_frames // tubelet, 1), (img_size // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + n_s, dim))
        self.time_embed = nn.Parameter(torch.zeros(1, n_t, dim))
        if attention == "divided":
            self.blocks = nn.ModuleList(DividedSpaceTimeBlock(dim, num_heads) for _ in range(depth))
        else:
            self.blocks = nn.ModuleList(Block(dim, num_heads, qkv_bias=True) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes) if num_classes else nn.Identity()
        self.token_grid: tuple[int, int, int] = (n_t, img_size // patch, img_size // patch)
        for p in (self.cls_token, self.pos_embed, self.time_embed):
            trunc_normal_(p, std=0.02)
        for m in self.modules():  # as TimeSformer / VideoMAE: truncated-normal Linear weights, zero biases
            if isinstance(m, nn.Linear):
                trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """x : (batch, 3, frames, H, W) → tokens ``(batch, 1 + T'·H'·W', dim)`` after the final norm."""
        x = self.patch_embed(x)  # (b, d, t, h, w)
        b, d, t, h, w = x.shape
        if t != self.time_embed.shape[1] or h * w != self.pos_embed.shape[1] - 1:
            raise ValueError(
                f"input gives a token grid {t}x{h}x{w} but the model was built for "
                f"{self.time_embed.shape[1]}x{self.pos_embed.shape[1] - 1} tokens; build it for this clip size"
            )
        self.token_grid = (t, h, w)
        tok = x.permute(0, 2, 3, 4, 1).reshape(b, t, h * w, d)
        tok = tok + self.pos_embed[:, None, 1:] + self.time_embed[:, :, None]
        cls = (self.cls_token + self.pos_embed[:, :1]).expand(b, -1, -1)
        x = torch.cat([cls, tok.reshape(b, t * h * w, d)], dim=1)
        for blk in self.blocks:
            if isinstance(blk, DividedSpaceTimeBlock):
                blk.grid = (t, h, w)
            x = blk(x)
        return self.norm(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x : (batch, 3, frames, H, W) → logits (batch, num_classes), or the pooled token when num_classes=0."""
        x = self.forward_features(x)
        pooled = x[:, 0] if self.attention == "divided" else x[:, 1:].mean(1)
        return self.head(pooled)
