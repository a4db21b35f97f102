"""Numeric precision of the extraction forward pass: bfloat16 autocast or float32, and the memory layout with it.

``"bf16"`` runs the forward pass under ``torch.autocast(dtype=torch.bfloat16)``: convolutions, matrix products
and attention take bfloat16 operands (8-bit mantissa; oneDNN accumulates in float32), the operations autocast
keeps in float32 (3D pooling among them) stay there, and the activations between layers are bfloat16.

- Convolutional models run channels-last (``channels_last`` for 4-D, ``channels_last_3d`` for 5-D tensors),
  the layout oneDNN's bfloat16 kernels are written for (see :func:`memory_format_for`).
- The weights of every convolution and linear layer are rounded to bfloat16 once, when the extractor is built,
  instead of on every call as autocast does. Autocast rounds them the same way (to nearest even), so the
  features are bit-identical to autocast on the float32 model (tested), and a forward pass no longer reads and
  writes every weight again.
- ``nn.Softmax`` modules (the classifier heads of pytorchvideo's X3D and R(2+1)D in eval mode) compute in
  float32: their outputs sit near ``1 / n_classes`` and vary across clips by less than a bfloat16 step there
  (random-init X3D-XS: across-clip std 2e-6 around 2.5e-3, where a bfloat16 step is 8e-6), so a bfloat16
  softmax returns rounding noise.
- Block outputs are upcast to float32 before pooling; features are returned and cached in float32.

``"f32"`` is the float32 path the extractor always had (contiguous layout, weights untouched), bit for bit.

Tolerances (:data:`TOLERANCES`), bf16 against f32 features of the same clips. Measured on the first 300 training
clips of the simulated Algonauts set (embedded profile) for the 12 models of ``benchmarks/extraction.py``
(``benchmarks/results/extraction.json`` has every figure):

- every block: Pearson r ≥ 0.99 between the bf16 and f32 features, each feature centred across clips (measured
  ≥ 0.9989, EfficientNet-Lite0 B6 the lowest; all 37 models on noise clips: ≥ 0.991);
- the book's block statistics (clip discriminability, participation ratio, mean ``|activation|``) within 2 %
  (measured ≤ 1.8 %, EfficientNet-Lite0's participation ratio; ≤ 0.7 % for the others);
- encoding (the embedded protocol of ``neurokit.encoding.layer_scores``: 4 test folds of 10 %, z-scored features,
  50 in-fold PCA components, ridge with inner-CV alphas; one subject, nine ROIs): each ROI's best-block r within
  0.02 (measured ≤ 0.017, ResNet-50 and Slow-R50 Charades), any block's ROI r within 0.04 (≤ 0.034), a model's
  mean r within 0.005 (≤ 0.0021). The larger changes of the random-init ResNets (ResNet-50, Slow-R50) come
  through the 50-component PCA cut: their bf16 rounding errors are correlated across features, and where
  eigenvalues near the cut are close they turn the retained subspace (ResNet-50 B4, one fold: smallest
  canonical cosine 0.46); rounding the f32 features themselves to bf16 moves no cell by more than 0.002.

``tests/test_features_precision.py`` checks the feature and statistics bounds on tiny models, and the encoding
bound (0.02) with a ridge model fitted to raw block features and a target planted from the clips' pixels.
"""
from __future__ import annotations

import contextlib
import logging

import torch
from torch import nn

from neurokit.errors import InputError

log = logging.getLogger(__name__)

PRECISIONS = ("bf16", "f32")

#: Stated bounds on bf16 vs f32 (see the module docstring); ``benchmarks/extraction.py`` reports against them.
TOLERANCES = {
    "block_r": 0.99,                 # min Pearson r of the clip-centred features, every block
    "stat_rel_diff": 0.02,           # max relative change of a block statistic (neurokit.features.stats)
    "encoding_best_block_dr": 0.02,  # max |Δr| of an ROI's best-block score
    "encoding_block_roi_dr": 0.04,   # max |Δr| of any block's ROI score (mean over folds)
    "encoding_model_mean_dr": 0.005,  # max |Δr| of a model's mean score
}
MEMORY_FORMATS = ("contiguous", "channels_last")

_CAST_MODULES = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)


class Float32Softmax(nn.Softmax):
    """``nn.Softmax`` that upcasts its input, so that it returns float32 under bfloat16 autocast."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.float())


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 products in hardware (CPU: AVX512-BF16 or AMX; CUDA: Ampere or newer).

    Without it oneDNN emulates bfloat16 and the "fast" path is slower than float32.
    """
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type != "cpu":
        return False
    cpu = torch.cpu
    checks = [getattr(cpu, "_is_avx512_bf16_supported", None), getattr(cpu, "_is_amx_tile_supported", None)]
    return torch.backends.mkldnn.is_available() and any(bool(f()) for f in checks if f is not None)


def resolve_precision(precision: str, device: torch.device) -> str:
    """``"bf16"`` or ``"f32"`` for a requested precision.

    ``"auto"`` is bf16 on a CPU with bfloat16 units (:func:`native_bf16`) and f32 everywhere else, CUDA included:
    the bf16 path (its tolerances, and each clip's features being the same bytes in any batch) was measured with
    oneDNN on the CPU only; on a GPU ask for ``"bf16"`` explicitly.

    Parameters
    ----------
    precision : {"auto", "bf16", "f32"}
    device : torch.device

    Returns
    -------
    str
        ``"bf16"`` or ``"f32"``.
    """
    if precision == "auto":
        chosen = "bf16" if device.type == "cpu" and native_bf16(device) else "f32"
        log.debug("precision='auto' on %s → %s", device, chosen)
        return chosen
    if precision not in PRECISIONS:
        raise InputError(f"precision must be 'auto' or one of {PRECISIONS}, got {precision!r}. 'bf16' is about "
                         "twice as fast on CPUs with AVX512-BF16/AMX; 'f32' reproduces the float32 features.")
    if precision == "bf16" and not native_bf16(device):
        log.warning("precision='bf16' on %s, which has no native bfloat16 units: it is emulated and slower than "
                    "float32. Use precision='f32' (or 'auto') on this machine.", device)
    return precision


def memory_format_for(architecture: str, precision: str) -> str:
    """``"channels_last"`` for convolutional architectures in bf16, ``"contiguous"`` otherwise.

    Measured on a 2-core AVX512-BF16 CPU at the embedded sizes: channels-last makes bf16 convolutions 5-25 %
    faster (ResNet-50, X3D, SlowFast), makes no difference to transformers (one patch-embedding convolution),
    and makes float32 slower for half the video CNNs, so the float32 path keeps the layout it always had.
    """
    return "channels_last" if precision == "bf16" and architecture == "convolutional" else "contiguous"


def to_memory_format(x, memory_format: str):
    """A tensor (or a list/tuple of them) in ``memory_format``; 4-D → ``channels_last``, 5-D → ``channels_last_3d``.

    Tensors of other ranks, and everything when ``memory_format == "contiguous"``, are returned unchanged.
    """
    if isinstance(x, (list, tuple)):
        return type(x)(to_memory_format(v, memory_format) for v in x)
    if memory_format != "channels_last" or not isinstance(x, torch.Tensor) or x.dim() not in (4, 5):
        return x
    return x.contiguous(memory_format=torch.channels_last if x.dim() == 4 else torch.channels_last_3d)


def prepare_model(model: nn.Module, precision: str, memory_format: str) -> nn.Module:
    """Put ``model`` (in place) in the layout and weight precision of a configuration.

    Parameters
    ----------
    model : nn.Module
        In eval mode, float32.
    precision : {"bf16", "f32"}
        ``"bf16"``: the weights and biases of every ``Conv1d/2d/3d`` and ``Linear`` are rounded to bfloat16 (what
        autocast would do on each call). Other parameters and buffers (norms, positional embeddings, relative
        position tables) stay float32, as under autocast.
    memory_format : {"contiguous", "channels_last"}
        ``"channels_last"``: 4-D and 5-D parameters are stored channels-last. In bf16, every ``nn.Softmax``
        module is also replaced by a :class:`Float32Softmax` (same name and ``dim``).

    Returns
    -------
    nn.Module
        The same module.
    """
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if memory_format not in MEMORY_FORMATS:
        raise InputError(f"memory_format must be one of {MEMORY_FORMATS}, got {memory_format!r}")
    with torch.no_grad():
        for mod in model.modules():
            cast = precision == "bf16" and isinstance(mod, _CAST_MODULES)
            for p in mod.parameters(recurse=False):
                data = to_memory_format(p.data, memory_format)
                p.data = data.to(torch.bfloat16) if cast and data.is_floating_point() else data
    if precision == "bf16":
        for parent in list(model.modules()):
            for name, child in list(parent.named_children()):
                if type(child) is nn.Softmax:
                    setattr(parent, name, Float32Softmax(dim=child.dim))
    return model


def autocast(device: torch.device, precision: str):
    """The autocast context of ``precision`` on ``device`` (a no-op context for ``"f32"``)."""
    if precision == "f32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
