"""The MS-TCN baselines of the Vi-ST tables: "DINOv2+MSTCN" (frozen patch features) and "I3D+MSTCN" (a frozen
random-init I3D-style stem on the frames); our reconstructions, the authors published no baseline code."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from neurokit.errors import InputError
from neurokit.vist.baselines._common import _contrast
from neurokit.vist.model import C3TCN
from neurokit.vist.registry import register


class FeatureMSTCN(nn.Module):
    """"DINOv2+MSTCN" baseline: frozen patch features → C3TCN → 2x2 avg-pool → linear readout.

    Parameters
    ----------
    feat_dim, n_cells : int
    video_layers, video_dim : int
        C3TCN depth and width (as in Vi-ST).
    grid : int
        Token grid side (tokens = grid²).
    causal : bool
    """

    def __init__(self, feat_dim: int, n_cells: int, video_layers: int = 6, video_dim: int = 256, grid: int = 16,
                 causal: bool = True):
        super().__init__()
        self.grid, self.feat_dim = grid, feat_dim
        self.tcn = C3TCN(video_layers, video_dim, feat_dim, n_cells, causal=causal)
        self.readout = nn.Linear(n_cells * (grid // 2) ** 2, n_cells)

    def forward(self, x: torch.Tensor, rf_mask=None) -> torch.Tensor:
        """x (B, T, grid², feat_dim) → (B, cells, T)."""
        b, t = x.shape[:2]
        h = x.reshape(b, t, self.grid, self.grid, -1).permute(0, 4, 1, 2, 3)
        h = F.avg_pool3d(self.tcn(h), (1, 2, 2))
        return self.readout(h.permute(0, 2, 1, 3, 4).reshape(b, t, -1)).permute(0, 2, 1)


class I3DStem(nn.Module):
    """Frozen random-init I3D-style stem: inflated 3-D conv (5x(s/4)x(s/4)... ) → ReLU → 3-D conv, causal in time.

    Frames (B, T, H, W) → tokens (B, T, grid², 32) on a grid x grid map (H must be a multiple of grid).
    """

    def __init__(self, size: int, grid: int = 16, channels: int = 32, seed: int = 0):
        super().__init__()
        if size % grid:
            raise InputError(f"frame size {size} must be a multiple of the grid {grid}.")
        k = size // grid
        g = torch.Generator().manual_seed(seed)
        self.conv1 = nn.Conv3d(1, 16, (5, k, k), stride=(1, k, k))
        self.conv2 = nn.Conv3d(16, channels, (3, 3, 3), padding=(0, 1, 1))
        with torch.no_grad():
            for c in (self.conv1, self.conv2):
                fan_in = c.weight[0].numel()
                c.weight.copy_(torch.randn(c.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                c.bias.zero_()
        for p in self.parameters():
            p.requires_grad_(False)
        self.grid = grid

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        x = _contrast(frames).unsqueeze(1)  # (B, 1, T, H, W)
        x = F.relu(self.conv1(F.pad(x, (0, 0, 0, 0, 4, 0))))
        x = F.relu(self.conv2(F.pad(x, (0, 0, 0, 0, 2, 0))))
        b, c, t = x.shape[:3]
        return x.permute(0, 2, 3, 4, 1).reshape(b, t, self.grid * self.grid, c)


class I3DMSTCN(nn.Module):
    """"I3D+MSTCN" baseline (random-init frozen I3D-style stem + MS-TCN head); input frames (B, T, H, W)."""

    def __init__(self, size: int, n_cells: int, video_layers: int = 6, video_dim: int = 256, grid: int = 16):
        super().__init__()
        self.stem = I3DStem(size, grid)
        self.head = FeatureMSTCN(32, n_cells, video_layers, video_dim, grid)

    def forward(self, x: torch.Tensor, rf_mask=None) -> torch.Tensor:
        with torch.no_grad():
            tokens = self.stem(x)
        return self.head(tokens)


@register("dinov2_mstcn", inputs="features", description="frozen patch features → MS-TCN → linear readout")
def _build_feature_mstcn(shape):
    return FeatureMSTCN(shape.feat_dim, shape.n_cells, shape.video_layers, shape.video_dim)


@register("i3d_mstcn", inputs="frames", description="frozen random-init I3D-style stem → MS-TCN head")
def _build_i3d_mstcn(shape):
    return I3DMSTCN(shape.size, shape.n_cells, shape.video_layers, shape.video_dim)
