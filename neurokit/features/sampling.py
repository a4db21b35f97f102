"""From a uint8 clip ``(frames, H, W, 3)`` to model input: frame indices, resize + centre crop, normalisation."""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError


def frame_indices(n_total: int, n_frames: int | None, stride: int, modality: str) -> tuple[np.ndarray, bool]:
    """Indices of the frames a model sees, and whether the clip had to be resampled.

    Parameters
    ----------
    n_total : int
        Frames in the clip.
    n_frames : int or None
        Video: frames the model takes. Image: the most frames to keep (None: all).
    stride : int
        Temporal stride.
    modality : {"image", "video"}

    Returns
    -------
    idx : ndarray of int, shape (n,)
    resampled : bool
        Video models: True when the clip is shorter than ``(n_frames-1)*stride+1`` and ``np.linspace`` over the
        whole clip was used instead (frames repeat when ``n_total < n_frames``).
    """
    if modality == "image":
        idx = np.arange(0, n_total, stride)
        if n_frames is not None and len(idx) > n_frames:
            idx = idx[np.round(np.linspace(0, len(idx) - 1, n_frames)).astype(int)]
        return idx, False
    span = (n_frames - 1) * stride + 1
    if n_total >= span:
        start = (n_total - span) // 2
        return start + stride * np.arange(n_frames), False
    return np.round(np.linspace(0, n_total - 1, n_frames)).astype(int), True


def check_clip(clip, model_name: str, min_frames: int) -> np.ndarray:
    """Validate a clip: uint8 array (frames, H, W, 3) with at least ``min_frames`` frames."""
    clip = np.asarray(clip)
    if clip.ndim != 4 or clip.shape[-1] != 3:
        raise InputError(f"a clip must be an array of shape (frames, height, width, 3); got {clip.shape}. "
                         "For a single image use clip[None].")
    if clip.dtype != np.uint8:
        raise InputError(f"a clip must be uint8 RGB (0-255); got dtype {clip.dtype}. Convert with "
                         "(np.clip(x, 0, 1) * 255).astype(np.uint8) if it is float in [0, 1].")
    if clip.shape[0] < min_frames:
        raise InputError(f"{model_name} needs clips of at least {min_frames} frames (its first temporal kernel "
                         f"spans {min_frames}); this clip has {clip.shape[0]}. Use a longer clip or an image model.")
    return clip


def to_tensor(frames: np.ndarray, size: int, mean, std):
    """uint8 frames (n, H, W, 3) → float tensor (n, 3, size, size): short side to ``size``, centre crop, normalise."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float().div_(255.0)
    h, w = x.shape[-2:]
    scale = size / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    if (nh, nw) != (h, w):
        x = F.interpolate(x, size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)
    top, left = (nh - size) // 2, (nw - size) // 2
    x = x[:, :, top:top + size, left:left + size]
    m = torch.tensor(mean, dtype=x.dtype).view(1, 3, 1, 1)
    s = torch.tensor(std, dtype=x.dtype).view(1, 3, 1, 1)
    return (x - m) / s
