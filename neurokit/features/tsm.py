"""Temporal Shift Module (Lin, Gan & Han 2019) on a torchvision ResNet-50, in one readable file.

TSM is not in timm, pytorchvideo or torchvision. The original wraps ``conv1`` of every bottleneck in a module
whose ``net`` is the convolution; we keep those names (``layerK.i.conv1.net``) so the original checkpoint's keys
map after stripping ``module.base_model.`` and renaming ``new_fc`` → ``fc``.

Input: the frames of **one** clip as a batch ``(frames, 3, H, W)``; the shift moves 1/8 of the channels one
frame back and 1/8 one frame forward (zero-padded at the ends), so frame t sees t-1 and t+1.
"""
from __future__ import annotations

import torch
from torch import nn


def temporal_shift(x: torch.Tensor, n_segment: int, fold_div: int = 8) -> torch.Tensor:
    """Shift channels along time.

    Parameters
    ----------
    x : Tensor of shape (batch * n_segment, channels, H, W)
    n_segment : int
        Frames per clip.
    fold_div : int
        1/fold_div of the channels shift backward, 1/fold_div forward, the rest stay.

    Returns
    -------
    Tensor of the same shape; ``out[t, :fold] = x[t+1, :fold]``, ``out[t, fold:2fold] = x[t-1, fold:2fold]``.
    """
    nt, c, h, w = x.shape
    if nt % n_segment:
        raise ValueError(f"batch {nt} is not a multiple of n_segment={n_segment}")
    x = x.view(nt // n_segment, n_segment, c, h, w)
    fold = c // fold_div
    out = torch.zeros_like(x)
    out[:, :-1, :fold] = x[:, 1:, :fold]
    out[:, 1:, fold:2 * fold] = x[:, :-1, fold:2 * fold]
    out[:, :, 2 * fold:] = x[:, :, 2 * fold:]
    return out.view(nt, c, h, w)


class TemporalShift(nn.Module):
    """``net(temporal_shift(x))``; ``n_segment=None`` treats the whole batch as the frames of one clip."""

    def __init__(self, net: nn.Module, n_segment: int | None = None, fold_div: int = 8):
        super().__init__()
        self.net, self.n_segment, self.fold_div = net, n_segment, fold_div

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(temporal_shift(x, self.n_segment or x.shape[0], self.fold_div))


def tsm_resnet50(num_classes: int = 313, n_segment: int | None = None) -> nn.Module:
    """torchvision ResNet-50 with a temporal shift before ``conv1`` of each of its 16 bottlenecks."""
    from torchvision.models import resnet50

    model = resnet50(weights=None, num_classes=num_classes)
    for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
        for block in layer:
            block.conv1 = TemporalShift(block.conv1, n_segment)
    return model
