"""Vi-ST: the retinal video encoder of Wu et al. (ECCV 2024), in one readable file.

The network maps frozen per-frame foundation-model features (DINOv2 ViT-L/14 patch tokens in the paper;
a labelled stand-in in the simulated profiles) to the firing rates of a population of retinal ganglion
cells (RGCs)::

    x (B, T, 256 tokens, D) ──reshape──► (B, D, T, 16, 16)
      └─ C3TCN: 1x1x1 conv D→video_dim, 6 causal dilated depthwise residual layers, 1x1x1 conv → cells
      └─ AdaLN-Zero 3D conditioned on the receptive-field (RF) maps
      └─ 4 causal multiscale spatio-temporal (CMST) blocks, each shrinking the grid by 2 px
      └─ per-frame linear readout (cells·8·8 → cells)            ──► (B, cells, T)

Everything follows the authors' code (``src/models/components/eccv.py`` at commit 0fa11245), including
two places where it differs from the paper's description, both exposed as options:

* ``rf_mode="sum"`` (code, default): the per-cell RF maps are summed over cells into one population map
  that conditions every channel; ``rf_mode="per_cell"`` (paper's description) conditions channel *i* on
  cell *i*'s own RF.
* The "AdaLN-Zero" block applies **no** normalisation (the code has none); ``use_adaln=False`` removes
  the block (ablation).

Causality: every temporal operation is padded at the front only, so in eval mode the output at frame t
depends on input frames t-182 … t (temporal reach 1 + 2·63 = 127 frames in the C3TCN plus 24+20+8+4 in
the CMST blocks = 183 frames). In train mode BatchNorm batch statistics mix frames. ``causal=False``
gives the symmetric-padding variant of the code.

On CPU, :meth:`ViST.forward` computes the same function with the same parameters in channels-last layouts
(section "CPU formulation" at the end of this file: 2.7x faster training steps at the embedded configuration);
the modules run as written on other devices and are the reference the tests compare it with. Dropout draws
its masks differently there (same distribution).
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

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
        if x.device.type == "cpu" and not torch.is_autocast_enabled("cpu"):
            return self._forward_channels_last(x, rf_mask)
        return self._forward_modules(x, rf_mask)

    def _forward_modules(self, x: torch.Tensor, rf_mask: torch.Tensor | None) -> torch.Tensor:
        """:meth:`forward` through the modules as written (the reference; used off CPU)."""
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

    def _forward_channels_last(self, x: torch.Tensor, rf_mask: torch.Tensor | None) -> torch.Tensor:
        """:meth:`forward` in channels-last layouts on CPU (see "CPU formulation" below); same function."""
        b, t = x.shape[:2]
        g = self.grid
        st = self.stage1
        h = _pointwise(x.reshape(b, t, g, g, self.feat_dim), st.conv_1x1)  # (B, T, H, W, C)
        h = h.transpose(0, 1).contiguous()  # time-major (T, B, H, W, C)
        for layer in st.layers:
            h = _residual_cl(layer, h)
        h = _pointwise(h.permute(3, 1, 0, 2, 4).contiguous(), st.conv_out)  # width-major (W, B, T, H, C)
        if self.adaln is not None:
            h = _adaln_cl(self.adaln, h, self.condition(rf_mask, b, h).permute(4, 0, 2, 3, 1))
        for block in self.cmst:
            h = _cmst_cl(block, h)
        h = h.permute(1, 2, 4, 3, 0).reshape(b, t, -1)  # (B, T, cells·side·side), channel-major like the code
        return self.readout(h).permute(0, 2, 1)


# ---------------------------------------------------------------------------------------------------------------
# CPU formulation. The modules above are the reference (and run as written on other devices). On CPU,
# ViST.forward computes the same function with the same parameters in channels-last layouts, where every
# convolution is a few oneDNN 2-D convolutions of free views (no im2col, no padded copies in the C3TCN):
#   * C3TCN, time-major (T, B, H, W, C): tap k of the dilated depthwise (3,3,3) kernel is one 2-D depthwise conv
#     over (H, W) of the frames it reads, added into the output frames it feeds; causal zero frames add nothing,
#     and the time dilation costs nothing.
#   * AdaLN and CMST, width-major (W, B, T, H, C): a (kT, 3, 3) conv is the sum over its 3 width taps of 2-D convs
#     over (T, H) of the W-slices x[k : k + W - 2] (contiguous, hence free views), accumulated in place by
#     oneDNN; the skip's avg-pool is two 2-D pools; the branches' Dropout3d masks are drawn as F.dropout3d draws
#     them. Element-wise dropout draws its mask with torch.rand (CPU bernoulli_ is ~3x slower).
#   * 1x1x1 convs are matmuls on the channel axis; BatchNorm runs on a channels-last view of the same memory.
# Timed at the embedded configuration (one thread) by ``python benchmarks/vist_step.py``; checked against a
# frozen copy of the previous implementation by tests/test_vist_core.py (outputs, gradients, BatchNorm
# statistics, causality; causal and symmetric padding, every option).
# Tried and not kept (slower here): the skip path folded into the w = 1 conv (a 1x3x3 conv of weight W1/9 as 24
# more output channels); the depthwise branches of a block stacked into one depthwise conv (zero-padded
# kernels); avg_pool3d on a channels-last view; the w = 1 conv's input gradient as a flipped conv; torch.compile
# and bf16 autocast (measured before this formulation: no gain).


def _pointwise(x: torch.Tensor, conv: nn.Conv3d) -> torch.Tensor:
    """A 1x1x1 convolution of channels-last x (..., C_in) → (..., C_out)."""
    return F.linear(x, conv.weight.flatten(1), conv.bias)


def _nchw(x: torch.Tensor) -> torch.Tensor:
    """(L, M, A, B, C) contiguous → the NCHW view (L·M, C, A, B) in channels-last memory (no copy)."""
    return x.flatten(0, 1).permute(0, 3, 1, 2)


class _TapConv(torch.autograd.Function):
    """A sum of 2-D convolutions of slices of x along its first axis: ``out[o0:o1] += conv2d(x[i0:i1], w_k)``.

    x is channels-last (L, M, A, B, C_in), zero-padded by ``a_pad = (front, back)`` frames along A; the slice
    x[i0:i1] is the batch of (i1-i0)·M images (C_in, A, B) in channels-last memory, a free view.
    ``w_k = weight.select(tap_dim, k)``; ``taps`` lists ``(k, i0, i1, o0, o1)`` and its first tap covers the whole
    output and carries the bias. Output (L_out, M, A', B', C_out).

    The backward accumulates the taps' input gradients into one buffer (autograd through slices would zero-fill
    one copy of x per tap). The input gradient of a depthwise conv is computed as the conv of the gradient with
    the flipped kernel (oneDNN runs it faster than its depthwise backward-data), for the unpadded frames only.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, taps, tap_dim, padding, groups, a_pad):
        xp = F.pad(x, (0, 0, 0, 0, *a_pad)) if any(a_pad) else x
        out = None
        for n, (k, i0, i1, o0, o1) in enumerate(taps):
            wk = weight.select(tap_dim, k)
            if out is None:
                out = F.conv2d(_nchw(xp[i0:i1]), wk, bias, padding=padding, groups=groups)
                out = out.permute(0, 2, 3, 1).unflatten(0, (i1 - i0, x.shape[1]))
            else:
                _conv_add(out[o0:o1], xp[i0:i1], wk, padding, groups)
        ctx.save_for_backward(xp, weight)
        ctx.conf = (taps, tap_dim, padding, groups, bias is not None, a_pad, x.shape)
        return out.detach()  # a tensor of its own rather than a view of the conv output

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        xp, weight = ctx.saved_tensors
        taps, tap_dim, padding, groups, has_bias, a_pad, x_shape = ctx.conf
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad = grad.contiguous()
        flip = groups == xp.shape[-1] == weight.shape[0]
        gx = gb = None
        gw = torch.zeros_like(weight) if need_w else None
        if need_x and taps[0][1:3] != (0, x_shape[0]):
            gx = grad.new_zeros(x_shape)
        ka, kb = weight.select(tap_dim, 0).shape[-2:]
        # zero frames around the gradient (front, back) so that the flipped conv yields the unpadded frames only
        ext = (ka - 1 - padding[0] - a_pad[0], ka - 1 - padding[0] - a_pad[1])
        extended = {}  # (o0, o1) → the zero-extended gradient slab, shared by the taps that read it
        for n, (k, i0, i1, o0, o1) in enumerate(taps):
            wk = weight.select(tap_dim, k)
            gi, gwk, gbk = torch.ops.aten.convolution_backward(
                _nchw(grad[o0:o1]), _nchw(xp[i0:i1]), wk, [wk.shape[0]] if has_bias else None, [1, 1],
                list(padding), [1, 1], False, [0, 0], groups, [need_x and not flip, need_w, n == 0 and need_b])
            if need_x and flip:
                g = grad[o0:o1]
                pad = (ext[0], kb - 1 - padding[1])
                if ext[0] != ext[1] or ext[0] < 0:  # asymmetric: extend explicitly
                    if (o0, o1) not in extended:
                        extended[(o0, o1)] = F.pad(g, (0, 0, 0, 0, *ext))
                    g, pad = extended[(o0, o1)], (0, pad[1])
                if gx is None:
                    gx = F.conv2d(_nchw(g), wk.flip(-2, -1), None, padding=pad, groups=groups)
                    gx = gx.permute(0, 2, 3, 1).unflatten(0, (i1 - i0, x_shape[1]))
                else:
                    _conv_add(gx[i0:i1], g, wk.flip(-2, -1), pad, groups)
            elif need_x:
                gi = gi.permute(0, 2, 3, 1).unflatten(0, (i1 - i0, x_shape[1]))
                if any(a_pad):
                    gi = gi[:, :, a_pad[0] : gi.shape[2] - a_pad[1]]
                if gx is None and (i0, i1) == (0, x_shape[0]):
                    gx = gi
                else:
                    gx[i0:i1] += gi
            if need_w:
                gw.select(tap_dim, k).copy_(gwk)
            if n == 0 and need_b:
                gb = gbk
        return gx, gw, gb, None, None, None, None, None


#: oneDNN's in-place "conv + add" (the fused op PyTorch's inductor uses on CPU); float32 only.
_CONV_ADD = torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_convolution_pointwise_")


def _conv_add(out: torch.Tensor, x: torch.Tensor, w: torch.Tensor, padding: Sequence[int], groups: int) -> None:
    """``out += conv2d(x, w)`` for channels-last slabs out (L, M, A', B', C_out) and x (L, M, A, B, C_in), without
    a temporary when oneDNN can accumulate into ``out``."""
    a_out = x.shape[2] + 2 * padding[0] - w.shape[-2] + 1
    b_out = x.shape[3] + 2 * padding[1] - w.shape[-1] + 1
    if _CONV_ADD and x.dtype == out.dtype == torch.float32 and out.shape[2:4] == (a_out, b_out):
        torch.ops.mkldnn._convolution_pointwise_.binary(_nchw(out), _nchw(x), w.contiguous(), None, list(padding),
                                                        [1, 1], [1, 1], groups, "add", None, None, [], None)
    else:
        y = F.conv2d(_nchw(x), w, None, padding=padding, groups=groups)
        out += y.permute(0, 2, 3, 1).unflatten(0, out.shape[:2])


def _residual_cl(layer: DilatedResidual3D, x: torch.Tensor) -> torch.Tensor:
    """:class:`DilatedResidual3D` on time-major x (T, B, H, W, C)."""
    t = x.shape[0]
    conv = layer.conv_dilated
    front = layer.pad[4]
    taps = []
    for k in range(conv.kernel_size[0]):
        off = k * layer.dilation - front  # output frame s reads input frame s + off
        if abs(off) < t:
            taps.append((k, max(0, off), t + min(0, off), max(0, -off), t - max(0, off)))
    taps.sort(key=lambda tap: tap[4] - tap[3], reverse=True)  # the unshifted tap (whole output) first
    out = _TapConv.apply(x, conv.weight, conv.bias, taps, 2, (1, 1), conv.groups, (0, 0))
    z = F.relu(layer.norm(out.permute(0, 4, 1, 2, 3))).permute(0, 2, 3, 4, 1)  # BN of a channels-last view
    z = _pointwise(z, layer.conv_1x1)
    mask = _dropout_mask(z, layer.dropout)
    return x + z if mask is None else torch.addcmul(x, z, mask)


def _dropout_mask(x: torch.Tensor, drop: nn.Dropout) -> torch.Tensor | None:
    """The mask of ``drop`` (element-wise; its p and train/eval mode) for x, drawn with ``torch.rand`` (CPU
    ``bernoulli_`` is ~3x slower): 1 / (1 - p) with probability 1 - p, else 0; None when it keeps everything."""
    if not drop.training or drop.p == 0:
        return None
    if drop.p == 1:
        return torch.zeros_like(x)
    return torch.rand_like(x).ge_(drop.p).mul_(1 / (1 - drop.p))



def _adaln_cl(block: AdaLNZero3D, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """:class:`AdaLNZero3D` on channels-last x (..., C) with the condition c (channels last) broadcast to x."""
    shift, scale, gate = _pointwise(F.silu(c), block.modulation).chunk(3, dim=-1)
    return torch.addcmul(x, gate, _pointwise(F.silu(torch.addcmul(shift, x, 1 + scale)), block.net))


def _conv_wmajor(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, groups: int,
                 t_pad: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """Conv of width-major x (W, B, T, H, C_in) by ``weight`` (C_out, C_in/groups, kT, kH, kW), zero-padded by
    ``t_pad`` = (front, back) frames in time and valid in space: the sum over the kW width taps of 2-D convs over
    (T, H) of the W-slices. → (W-kW+1, B, T+front+back-kT+1, H-kH+1, C_out)."""
    kw = weight.shape[-1]
    wo = x.shape[0] - kw + 1
    return _TapConv.apply(x, weight, bias, [(k, k, k + wo, 0, wo) for k in range(kw)], 4, (0, 0), groups, t_pad)


def _avg_pool_3x3_wmajor(x: torch.Tensor) -> torch.Tensor:
    """``AvgPool3d((1, 3, 3), stride 1)`` of width-major x (W, B, T, H, C): a (1, 3) pool over (T, H), then a (3, 1)
    pool over (W, B·T·(H-2)), both on channels-last views. → (W-2, B, T, H-2, C)."""
    wd, b, t, h, c = x.shape
    p = F.avg_pool2d(x.view(wd * b, t, h, c).permute(0, 3, 1, 2), (1, 3), stride=1)
    p = F.avg_pool2d(p.permute(0, 2, 3, 1).reshape(1, wd, b * t * (h - 2), c).permute(0, 3, 1, 2), (3, 1), stride=1)
    return p.permute(0, 2, 3, 1).view(wd - 2, b, t, h - 2, c)


def _channel_masks(drops: Sequence[nn.Dropout3d], b: int, c: int, like: torch.Tensor) -> list:
    """Per branch, the Dropout3d mask (B, C) (None in eval mode or for p = 0), drawn in branch order from the
    same generator calls as ``F.dropout3d`` makes."""
    masks = []
    for d in drops:
        if not d.training or d.p == 0:
            masks.append(None)
        else:
            m = like.new_empty(b, c).bernoulli_(1 - d.p)
            masks.append(m.div_(1 - d.p) if d.p < 1 else m)
    return masks


def _cmst_cl(block: CMSTBlock, x: torch.Tensor) -> torch.Tensor:
    """:class:`CMSTBlock` on width-major x (W, B, T, H, C) → (W-2, B, T, H-2, C)."""
    wd, b, t, h, c = x.shape
    masks = _channel_masks([branch[2] for branch in block.branches], b, c, x)
    out = None
    for w, branch, mask in zip(block.windows, block.branches, masks):
        conv, act = branch[0], branch[1]
        t_pad = (0, 0) if w == 1 else (w - 1, 0) if block.causal else (w // 2, w // 2)
        y = F.leaky_relu(_conv_wmajor(x, conv.weight, conv.bias, conv.groups, t_pad), act.negative_slope)
        if mask is None:
            out = y if out is None else out.add_(y)
        else:
            mask = mask[None, :, None, None, :]
            out = y.mul_(mask) if out is None else out.addcmul_(y, mask)
    return _pointwise(out, block.mapping) + _pointwise(_avg_pool_3x3_wmajor(x), block.conv1x1)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
