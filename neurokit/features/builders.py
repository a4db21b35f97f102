"""Architecture builders, one per source, kept in a plain dict (``BUILDERS``).

Every builder takes ``(card, size, n_frames)`` and returns the card's architecture with its own random
initialisation (``pretrained=False`` everywhere), built for that input size where the architecture needs it
(positional embeddings, static padding). Fixed-size head pools of the pytorchvideo models are replaced by
adaptive global average pools, which compute the same thing at the native input size and also work at the small
sizes of the embedded and smoke profiles.
"""
from __future__ import annotations

import contextlib
import hashlib
from typing import Callable
from unittest import mock

import torch
from torch import nn

from neurokit.features._compat import import_pytorchvideo


def seed_for(name: str) -> int:
    """Deterministic per-model seed, so a random-init model is the same on every run and machine."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def _adaptive_head_pools(model: nn.Module) -> nn.Module:
    """Swap every ``AvgPool3d`` inside a pytorchvideo head for a global ``AdaptiveAvgPool3d(1)``."""
    import_pytorchvideo()
    from pytorchvideo.models.head import ResNetBasicHead
    from pytorchvideo.models.slowfast import PoolConcatPathway
    from pytorchvideo.models.x3d import ProjectedPool

    for mod in model.modules():
        if isinstance(mod, (ResNetBasicHead, ProjectedPool)) and isinstance(mod.pool, nn.AvgPool3d):
            mod.pool = nn.AdaptiveAvgPool3d(1)
        elif isinstance(mod, PoolConcatPathway) and mod.pool is not None:
            for i, p in enumerate(mod.pool):
                if isinstance(p, nn.AvgPool3d):
                    mod.pool[i] = nn.AdaptiveAvgPool3d(1)
    return model


def _timm(card, size, n_frames):
    import timm

    kw = dict(card.builder_kwargs)
    name = kw.pop("model_name")
    if name.startswith(("vit_", "deit_", "swin_")):
        kw["img_size"] = size
    return timm.create_model(name, pretrained=False, **kw)


def _efficientnet_lite(card, size, n_frames):
    import importlib

    from efficientnet_lite_pytorch import EfficientNet

    kw = card.builder_kwargs
    file_cls = getattr(importlib.import_module(kw["package"]), kw["file_class"])
    # from_pretrained loads the shipped ImageNet weights; image_size sets the static "same" padding
    return EfficientNet.from_pretrained(kw["model_name"], weights_path=file_cls.get_model_file_path(),
                                        image_size=size)


def _ptv_hub(card, size, n_frames):
    ptv = import_pytorchvideo()
    kw = dict(card.builder_kwargs)
    builder = getattr(ptv.hub, kw.pop("hub"))
    return _adaptive_head_pools(builder(pretrained=False, **kw))


def _ptv_slowfast(card, size, n_frames):
    ptv = import_pytorchvideo()
    kw = dict(card.builder_kwargs)
    alpha, k = kw.pop("alpha"), kw.pop("fusion_kernel")
    model = ptv.slowfast.create_slowfast(
        slowfast_fusion_conv_kernel_size=(k, 1, 1), slowfast_fusion_conv_stride=(alpha, 1, 1),
        head_pool_kernel_sizes=((1, 1, 1), (1, 1, 1)), **kw,
    )
    return _adaptive_head_pools(model)


def _ptv_x3d(card, size, n_frames):
    ptv = import_pytorchvideo()
    kw = card.builder_kwargs
    model = ptv.x3d.create_x3d(input_clip_length=n_frames, input_crop_size=size,
                               depth_factor=kw["depth_factor"], model_num_class=card.num_classes)
    return _adaptive_head_pools(model)


def _ptv_mvit(card, size, n_frames):
    import_pytorchvideo()
    from pytorchvideo.models.hub import vision_transformers as vt
    from pytorchvideo.models.vision_transformers import create_multiscale_vision_transformers

    cfg = dict(vt.mvit_video_base_config if card.builder_kwargs["config"] == "16x4" else
               vt.mvit_video_base_32x3_config)
    cfg.update(spatial_size=size, temporal_size=n_frames, head_num_classes=card.num_classes)
    return create_multiscale_vision_transformers(**cfg)


def _tv_video(card, size, n_frames):
    from torchvision.models import video

    name = card.builder_kwargs["model"]
    if not name.startswith("mvit"):
        return getattr(video, name)(weights=None, num_classes=card.num_classes)
    # torchvision's mvit builders hard-code 16x224; their relative-position tables depend on the input size,
    # so build through a wrapper of the private _mvit that sets the size we will feed
    from unittest import mock

    from torchvision.models.video import mvit as tv_mvit

    original = tv_mvit._mvit

    def sized(**kw):
        kw.update(spatial_size=(size, size), temporal_size=n_frames)
        return original(**kw)

    with mock.patch.object(tv_mvit, "_mvit", sized):
        return getattr(tv_mvit, name)(weights=None, num_classes=card.num_classes)


def _nk_video_vit(card, size, n_frames):
    from neurokit.features.video_vit import VideoViT

    kw = card.builder_kwargs
    return VideoViT(attention=kw["attention"], tubelet=kw["tubelet"], img_size=size, num_frames=n_frames,
                    num_classes=kw["num_classes"])


def _nk_tsm(card, size, n_frames):
    from neurokit.features.tsm import tsm_resnet50

    # the shift's segments are the n_frames of one clip, so a batch of several clips' frames shifts within each clip
    return tsm_resnet50(num_classes=card.builder_kwargs["num_classes"], n_segment=n_frames)


BUILDERS: dict[str, Callable] = {
    "timm": _timm,
    "efficientnet_lite": _efficientnet_lite,
    "ptv_hub": _ptv_hub,
    "ptv_slowfast": _ptv_slowfast,
    "ptv_x3d": _ptv_x3d,
    "ptv_mvit": _ptv_mvit,
    "tv_video": _tv_video,
    "nk_video_vit": _nk_video_vit,
    "nk_tsm": _nk_tsm,
}


# Families whose own initialiser re-draws the weights of *every* nn.Linear after construction (timm ViT/DeiT/
# Swin/ConvNeXt init functions, pytorchvideo init_net_weights, torchvision video init loops, VideoViT). For
# them PyTorch's default Linear init at construction is wasted work (a full pass of the RNG over ~85 M weights
# for a ViT-B), so it is replaced by zeros; the test suite checks that no Linear weight stays all-zero.
_REINIT_LINEAR = {"ptv_hub", "ptv_slowfast", "ptv_x3d", "ptv_mvit", "tv_video", "nk_video_vit"}
_TIMM_REINIT_PREFIXES = ("vit_", "deit_", "swin_", "convnext_")


def _exact_trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Truncated normal by rejection: the same distribution as the inverse-CDF samplers of torch/timm, 2-3x
    cheaper (one normal draw per element, redraws only for the ~5 % outside [a, b])."""
    with torch.no_grad():
        tensor.normal_(mean, std, generator=generator)
        bad = (tensor < a) | (tensor > b)
        while bad.any():
            tensor[bad] = torch.empty(int(bad.sum()), dtype=tensor.dtype).normal_(mean, std, generator=generator)
            bad = (tensor < a) | (tensor > b)
    return tensor


@contextlib.contextmanager
def fast_init(skip_linear_default: bool):
    """During construction: exact-but-faster truncated normals; optionally zero (not draw) default Linear init."""
    import torch.nn.init as tinit
    from timm.layers import weight_init as timm_init

    def timm_trunc(tensor, mean, std, a, b):
        return _exact_trunc_normal_(tensor, mean, std, a, b)

    def torch_trunc(tensor, mean, std, a, b, generator=None):
        return _exact_trunc_normal_(tensor, mean, std, a, b, generator)

    def zero_linear(self):
        with torch.no_grad():
            self.weight.zero_()
            if self.bias is not None:
                self.bias.zero_()

    patches = [mock.patch.object(timm_init, "_trunc_normal_", timm_trunc),
               mock.patch.object(tinit, "_no_grad_trunc_normal_", torch_trunc)]
    if skip_linear_default:
        patches.append(mock.patch.object(nn.Linear, "reset_parameters", zero_linear))
    with contextlib.ExitStack() as stack:
        for p in patches:
            stack.enter_context(p)
        yield


def build_model(card, size: int, n_frames: int) -> nn.Module:
    """The card's architecture in eval mode, randomly initialised with the card's fixed seed.

    Initialisation is the architecture's own scheme (truncated normals drawn by rejection, see
    :func:`fast_init`). The global torch RNG is left untouched (``fork_rng``). The shipped-weight builders
    load real weights.
    """
    skip = card.builder in _REINIT_LINEAR or (
        card.builder == "timm" and card.builder_kwargs["model_name"].startswith(_TIMM_REINIT_PREFIXES))
    with torch.random.fork_rng(devices=[]), fast_init(skip):
        torch.manual_seed(seed_for(card.name))
        model = BUILDERS[card.builder](card, size, n_frames)
    return model.eval()
