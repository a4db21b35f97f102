"""Pool one block's output to one vector per clip, whatever the layout the architecture uses.

Every layout is first brought to a canonical ``(time, channels, space)`` tensor, then reduced:
``spatial_pool`` over space, ``temporal_pool`` over time (for image models "time" is the frames of the
batch). ``"none"`` keeps that axis (flattened, time-major). Layouts (from the layer maps):

========== ======================================================= ==============================
layout     output of the hooked module                             time axis
========== ======================================================= ==============================
NCHW       (frames, C, H, W)                                       frames of the batch
NHWC       (frames, H, W, C)                                       frames of the batch
NLC        (frames, prefix + H*W, C) tokens; prefix tokens dropped frames of the batch
NC         (N, C); N = frames (image models) or 1 (clip models)    N
NCTHW      (1, C, T, H, W)                                         T
NTHWC      (1, T, H, W, C)                                         T
pathways   list of (1, C_p, T_p, H, W) (SlowFast): pooled per      per pathway
           pathway, then concatenated
NLC_thw    ((1, 1 + T*H*W, C), [T, H, W]) (MViT blocks)            T
NLC_grid   (1, 1 + T*H*W, C) with ``model.token_grid``             T
========== ======================================================= ==============================
"""
from __future__ import annotations

import torch

POOLS = ("mean", "max", "none")


def canonical(out, layout: str, *, prefix_tokens: int = 1, grid=None) -> list[torch.Tensor]:
    """Block output → list of (time, channels, space) tensors (one per pathway)."""
    if layout == "pathways":
        return [canonical(o, "NCTHW")[0] for o in out]
    if layout == "NLC_thw":
        x, thw = out
        t, h, w = (int(v) for v in thw)
        x = x[:, x.shape[1] - t * h * w:]  # drop the class token
        return [x.reshape(t, h * w, x.shape[-1]).permute(0, 2, 1)]
    if layout == "NLC_grid":
        t, h, w = grid
        x = out[:, out.shape[1] - t * h * w:]
        return [x.reshape(t, h * w, x.shape[-1]).permute(0, 2, 1)]
    if layout == "NCHW":
        return [out.flatten(2)]
    if layout == "NHWC":
        return [out.flatten(1, 2).permute(0, 2, 1)]
    if layout == "NLC":
        return [out[:, prefix_tokens:].permute(0, 2, 1)]
    if layout == "NC":
        return [out.reshape(out.shape[0], -1, 1)]
    if layout == "NCTHW":
        x = out[0]  # (C, T, H, W)
        return [x.flatten(2).permute(1, 0, 2)]
    if layout == "NTHWC":
        x = out[0]  # (T, H, W, C)
        return [x.flatten(1, 2).permute(0, 2, 1)]
    raise ValueError(f"unknown layout {layout!r}")


def _reduce(x: torch.Tensor, how: str, dim: int) -> torch.Tensor:
    if how == "mean":
        return x.mean(dim)
    if how == "max":
        return x.amax(dim)
    return x


def pool(out, layout: str, spatial: str = "mean", temporal: str = "mean", **kw) -> torch.Tensor:
    """One block output → a 1-D float32 tensor.

    Parameters
    ----------
    out : Tensor, list or tuple
        What the hooked module returned (see the table above).
    layout : str
    spatial, temporal : {"mean", "max", "none"}

    Returns
    -------
    Tensor of shape (n_features,)
        ``channels`` for mean/max pooling; ``"none"`` keeps the axis (time-major, then channel, then space).
    """
    parts = []
    for x in canonical(out, layout, **kw):
        x = x.float()
        x = _reduce(x, spatial, 2)  # over space → (T, C) or (T, C, S)
        x = _reduce(x, temporal, 0)  # over time
        parts.append(x.reshape(-1))
    return torch.cat(parts) if len(parts) > 1 else parts[0]
