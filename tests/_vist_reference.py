"""Frozen reference: ``neurokit/vist/model.py`` as of commit 97dc610 (before the CPU channels-last formulation).

Test helper, not part of the package. ``tests/test_vist_core.py`` checks the current model against it (outputs and
gradients) and ``benchmarks/vist_step.py`` times it beside the current model in the same run. The code below is the
file at that commit unchanged, except this docstring.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from neurokit.errors import InputError

#: The temporal windows of the four CMST blocks (authors' code).
CMST_WINDOWS: tuple[tuple[int, ...], ...] = ((1, 25), (1, 13, 21), (1, 7, 9), (1, 3, 5))
#: Parameter count of the paper configuration (logged by the authors as ``model/params/total``).
PAPER_N_PARAMS = 1_702_952


class FrameConv3d(nn.Conv3d):
    """``nn.Conv3d`` whose CPU path runs as 2-D convolutions; same parameters, state-dict keys and result.

    On CPU, PyTorch's backward of a depthwise or time-dilated 3-D convolution takes a slow generic path (3-10x
    the time of the equivalent 2-D convolutions). Here an unpadded, unit-stride kernel (kT, kH, kW) is computed as
    the sum over its kW width taps of 2-D convolutions over (time, height), with the width folded into the batch;
    a 1x1x1 kernel is one 2-D convolution over a (T·H, W) view. Other devices and other settings (padding,
    stride, spatial dilation) use ``nn.Conv3d`` unchanged. ``tests/test_vist_core.py`` checks values and
    gradients against it.
    """

    def _conv_forward(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        if (x.device.type != "cpu" or x.ndim != 5 or self.padding_mode != "zeros" or self.stride != (1, 1, 1)
                or self.padding != (0, 0, 0) or self.dilation[1:] != (1, 1)):
            return super()._conv_forward(x, weight, bias)
        b, c, t, h, w = x.shape
        kt, kh, kw = self.kernel_size
        if (kt, kh, kw) == (1, 1, 1):
            out = F.conv2d(x.reshape(b, c, t * h, w), weight[:, :, 0], bias, groups=self.groups)
            return out.reshape(b, -1, t, h, w)
        wo = w - kw + 1
        out = None
        for k in range(kw):
            frames = x[..., k : k + wo].permute(0, 4, 1, 2, 3).reshape(b * wo, c, t, h)
            y = F.conv2d(frames, weight[..., k], bias if k == 0 else None, dilation=(self.dilation[0], 1),
                         groups=self.groups)
            out = y if out is None else out + y
        return out.reshape(b, wo, *out.shape[1:]).permute(0, 2, 3, 4, 1)


class DilatedResidual3D(nn.Module):
    """One C3TCN layer: ``x + Dropout(Conv1x1(ReLU(BN(DepthwiseConv3d_(3,3,3), dilation d in time))))``.

    Parameters
    ----------
    dilation : int
        Temporal dilation d. Causal: 2d zero frames in front; non-causal: d frames on each side.
    channels : int
        Channels (depthwise: one 3x3x3 kernel per channel).
    dropout : float
        Element-wise dropout after the 1x1x1 convolution.
    causal : bool
        Front-only temporal padding when True.
    """

    def __init__(self, dilation: int, channels: int, dropout: float = 0.25, causal: bool = True):
        super().__init__()
        self.dilation, self.causal = dilation, causal
        # F.pad order for 5-D input: (W_left, W_right, H_top, H_bottom, T_front, T_back)
        self.pad = (1, 1, 1, 1, 2 * dilation, 0) if causal else (1, 1, 1, 1, dilation, dilation)
        self.conv_dilated = FrameConv3d(channels, channels, (3, 3, 3), dilation=(dilation, 1, 1), groups=channels)
        self.norm = nn.BatchNorm3d(channels)
        self.conv_1x1 = FrameConv3d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x : (B, C, T, H, W) → (B, C, T, H, W)."""
        out = F.relu(self.norm(self.conv_dilated(F.pad(x, self.pad))))
        return x + self.dropout(self.conv_1x1(out))


class C3TCN(nn.Module):
    """MS-TCN single stage lifted to 3-D: in-conv, ``n_layers`` dilated residual layers (d = 2^i), out-conv.

    Input (B, in_dim, T, H, W), output (B, out_dim, T, H, W). Temporal reach 1 + 2·(2^n_layers - 1).
    """

    def __init__(self, n_layers: int, hidden: int, in_dim: int, out_dim: int, causal: bool = True,
                 dropout: float = 0.25):
        super().__init__()
        self.conv_1x1 = FrameConv3d(in_dim, hidden, 1)
        self.layers = nn.ModuleList(
            DilatedResidual3D(2**i, hidden, dropout=dropout, causal=causal) for i in range(n_layers)
        )
        self.conv_out = FrameConv3d(hidden, out_dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv_1x1(x)
        for layer in self.layers:
            out = layer(out)
        return self.conv_out(out)


class AdaLNZero3D(nn.Module):
    """The code's "AdaLN-Zero": ``x + gate ⊙ Conv1x1(SiLU(x ⊙ (1 + scale) + shift))`` (no LayerNorm).

    ``shift, scale, gate = chunk3(Conv1x1_{C→3C}(SiLU(c)))``. The modulation conv is zero-initialised, so the
    block is the identity at initialisation; the inner conv has N(0, 0.02) weights and zero bias.

    Parameters
    ----------
    channels : int
        C, the number of channels of ``x`` and of the condition ``c``.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.modulation = FrameConv3d(channels, 3 * channels, 1)
        self.net = FrameConv3d(channels, channels, 1)
        nn.init.zeros_(self.modulation.weight)
        nn.init.zeros_(self.modulation.bias)
        nn.init.normal_(self.net.weight, 0.0, 0.02)
        nn.init.zeros_(self.net.bias)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """x : (B, C, T, H, W); c : (B, C, T or 1, H, W) (broadcast over time) → (B, C, T, H, W)."""
        shift, scale, gate = self.modulation(F.silu(c)).chunk(3, dim=1)
        return x + gate * self.net(F.silu(x * (1 + scale) + shift))


class CMSTBlock(nn.Module):
    """Causal multiscale spatio-temporal block.

    For each temporal window w a branch ``Conv3d(C→C, kernel (w,3,3), valid in space) → LeakyReLU(0.1) →
    Dropout3d`` (w = 1: full conv; w > 1: depthwise, groups = C); causal: w-1 zero frames in front
    (non-causal: w//2 on each side). The branches are summed, mapped by a 1x1x1 conv, and added to the skip
    ``AvgPool3d((1,3,3), stride 1)(Conv1x1(x))``. Input (B, C, T, H, W) → (B, C, T, H-2, W-2).
    """

    def __init__(self, channels: int, windows: Sequence[int], dropout: float = 0.25, causal: bool = True):
        super().__init__()
        self.windows, self.causal = tuple(int(w) for w in windows), causal
        self.branches = nn.ModuleList()
        for w in self.windows:
            self.branches.append(
                nn.Sequential(
                    FrameConv3d(channels, channels, (w, 3, 3), groups=1 if w == 1 else channels),
                    nn.LeakyReLU(0.1),
                    nn.Dropout3d(dropout),
                )
            )
        self.mapping = FrameConv3d(channels, channels, 1)
        self.conv1x1 = FrameConv3d(channels, channels, 1)
        self.pool = nn.AvgPool3d((1, 3, 3), stride=1)

    def _pad(self, x: torch.Tensor, w: int) -> torch.Tensor:
        if w == 1:
            return x
        front, back = (w - 1, 0) if self.causal else (w // 2, w // 2)
        return F.pad(x, (0, 0, 0, 0, front, back))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = 0
        for w, branch in zip(self.windows, self.branches):
            out = out + branch(self._pad(x, w))
        return self.mapping(out) + self.pool(self.conv1x1(x))


class ViST(nn.Module):
    """Vi-ST encoder: foundation-model patch features → RGC firing rates.

    Parameters
    ----------
    video_layers : int, default 6
        Dilated residual layers in the C3TCN (dilations 1, 2, …, 2^(video_layers-1)).
    video_dim : int, default 256
        Hidden channels of the C3TCN.
    feat_dim : int, default 1024
        Feature dimension D of the input tokens (1024 for DINOv2 ViT-L/14).
    n_cells : int, default 90
        Number of cells; also the channel width after the C3TCN.
    grid : int, default 16
        Side of the token grid (tokens = grid²). Must exceed ``2 * len(cmst_windows)``.
    causal : bool, default True
        Front-only temporal padding everywhere (the released runs); False = symmetric padding.
    rf_mode : {"sum", "per_cell"}, default "sum"
        "sum": the authors' code (RF maps summed over cells, one map conditions every channel);
        "per_cell": the paper's description (channel i is conditioned on cell i's RF).
    use_adaln : bool, default True
        False removes the RF-conditioning block (ablation "no AdaLN").
    cmst_windows : sequence of sequences of int, optional
        Temporal windows of the CMST blocks; default :data:`CMST_WINDOWS`. ``[[1]] * 4`` removes the multiscale
        temporal kernels (ablation "no CMST": spatial 3x3 convs only, same readout size).
    dropout : float, default 0.25
        Dropout of the C3TCN layers and of the CMST branches.

    Notes
    -----
    Input ``x`` of shape (B, T, grid², feat_dim) (tokens row-major on the grid) and ``rf_mask`` of shape
    (B, n_cells, grid, grid) or (n_cells, grid, grid); output (B, n_cells, T). No output nonlinearity. With
    the defaults the model has 1,702,952 parameters (:data:`PAPER_N_PARAMS`).
    """

    def __init__(
        self,
        video_layers: int = 6,
        video_dim: int = 256,
        feat_dim: int = 1024,
        n_cells: int = 90,
        grid: int = 16,
        causal: bool = True,
        rf_mode: str = "sum",
        use_adaln: bool = True,
        cmst_windows: Sequence[Sequence[int]] | None = None,
        dropout: float = 0.25,
    ):
        super().__init__()
        if rf_mode not in ("sum", "per_cell"):
            raise InputError(f"rf_mode must be 'sum' (authors' code) or 'per_cell' (paper), got {rf_mode!r}.")
        windows = tuple(tuple(w) for w in (cmst_windows if cmst_windows is not None else CMST_WINDOWS))
        if grid <= 2 * len(windows):
            raise InputError(f"grid={grid} is too small for {len(windows)} CMST blocks (each removes 2 px); "
                             f"use grid > {2 * len(windows)}.")
        self.video_layers, self.video_dim, self.feat_dim = video_layers, video_dim, feat_dim
        self.n_cells, self.grid, self.causal = n_cells, grid, causal
        self.rf_mode, self.use_adaln, self.cmst_windows = rf_mode, use_adaln, windows
        self.stage1 = C3TCN(video_layers, video_dim, feat_dim, n_cells, causal=causal, dropout=dropout)
        self.adaln = AdaLNZero3D(n_cells) if use_adaln else None
        self.cmst = nn.ModuleList(CMSTBlock(n_cells, w, dropout=dropout, causal=causal) for w in windows)
        side = grid - 2 * len(windows)
        self.readout = nn.Linear(side * side * n_cells, n_cells)

    @property
    def temporal_reach(self) -> int:
        """Frames of input that one output frame depends on (183 for the paper configuration)."""
        return 1 + 2 * (2**self.video_layers - 1) + sum(max(w) - 1 for w in self.cmst_windows)

    def condition(self, rf_mask: torch.Tensor | None, batch: int, like: torch.Tensor) -> torch.Tensor:
        """The AdaLN condition c of shape (B, n_cells, 1, grid, grid) (broadcast over time)."""
        g = self.grid
        if rf_mask is None:
            return like.new_zeros(batch, self.n_cells, 1, g, g)
        rf = torch.as_tensor(rf_mask, dtype=like.dtype, device=like.device)
        if rf.ndim == 3:
            rf = rf.unsqueeze(0).expand(batch, -1, -1, -1)
        if rf.ndim != 4 or rf.shape[-2:] != (g, g) or rf.shape[0] != batch:
            raise InputError(f"rf_mask must have shape (batch={batch}, cells, {g}, {g}) or (cells, {g}, {g}); "
                             f"got {tuple(rf.shape)}.")
        if self.rf_mode == "sum":
            c = rf.sum(dim=1, keepdim=True).expand(-1, self.n_cells, -1, -1)
        else:
            if rf.shape[1] != self.n_cells:
                raise InputError(f"rf_mode='per_cell' needs one RF per cell ({self.n_cells}); got {rf.shape[1]}.")
            c = rf
        return c.unsqueeze(2)

    def forward(self, x: torch.Tensor, rf_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Predict firing rates.

        Parameters
        ----------
        x : Tensor of shape (B, T, grid², feat_dim)
            Per-frame patch features.
        rf_mask : Tensor of shape (B, cells, grid, grid) or (cells, grid, grid), optional
            RF maps on the patch grid; None conditions on zeros.

        Returns
        -------
        Tensor of shape (B, n_cells, T)
        """
        if x.ndim != 4 or x.shape[2] != self.grid**2 or x.shape[3] != self.feat_dim:
            raise InputError(f"x must have shape (batch, frames, {self.grid ** 2} tokens, {self.feat_dim}); "
                             f"got {tuple(x.shape)}.")
        b, t = x.shape[:2]
        g = self.grid
        h = x.reshape(b, t, g, g, self.feat_dim).permute(0, 4, 1, 2, 3)  # (B, D, T, g, g), row-major tokens
        h = self.stage1(h)
        if self.adaln is not None:
            h = self.adaln(h, self.condition(rf_mask, b, h))
        for block in self.cmst:
            h = block(h)
        h = h.permute(0, 2, 1, 3, 4).reshape(b, t, -1)  # (B, T, cells·side·side), channel-major like the code
        return self.readout(h).permute(0, 2, 1)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
