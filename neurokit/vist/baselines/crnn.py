"""The convolutional-recurrent RGC model (after Zheng et al., Patterns 2021), a baseline of the Vi-ST tables."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from neurokit.vist.baselines._common import _contrast
from neurokit.vist.registry import register


class CRNN(nn.Module):
    """Convolutional-recurrent RGC model (after Zheng et al. 2021): per-frame CNN → GRU → linear → softplus.

    Parameters
    ----------
    size : int
        Frame side H = W (pixels).
    n_cells : int
    hidden : int
        GRU width.
    """

    def __init__(self, size: int, n_cells: int, hidden: int = 64):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 8, 9, stride=2, padding=4), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 5, stride=2, padding=2), nn.BatchNorm2d(16), nn.ReLU(),
            nn.AdaptiveAvgPool2d(8),
        )
        self.gru = nn.GRU(16 * 64, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, n_cells)

    def forward(self, x: torch.Tensor, rf_mask=None) -> torch.Tensor:
        """x (B, T, H, W) uint8 frames or contrast → (B, cells, T)."""
        b, t, h, w = x.shape
        z = self.cnn(_contrast(x).reshape(b * t, 1, h, w)).reshape(b, t, -1)
        z, _ = self.gru(z)
        return F.softplus(self.readout(z)).permute(0, 2, 1)


@register("crnn", inputs="frames", description="per-frame CNN → GRU → softplus readout (Zheng et al. 2021)")
def _build_crnn(shape):
    return CRNN(shape.size, shape.n_cells)
