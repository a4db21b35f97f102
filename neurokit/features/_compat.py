"""Import helpers for the third-party model zoos.

pytorchvideo 0.1.5 (the newest release) imports ``torchvision.transforms.functional_tensor``, which
torchvision 0.17 renamed to ``_functional_tensor``. :func:`import_pytorchvideo` installs the two-line
``sys.modules`` alias documented in ``shared/specs/tooling.md`` §3 before anything from pytorchvideo is
imported, so both ``pytorchvideo.models`` and ``pytorchvideo.transforms`` work. Its dependency fvcore calls
``torch.jit.script`` at import, which torch 2.10+ reports as deprecated; that warning is about fvcore, not about
anything a reader can change, so it is silenced for that import only.
"""
from __future__ import annotations

import sys
import warnings


def install_pytorchvideo_shim() -> None:
    """Alias ``torchvision.transforms.functional_tensor`` to its renamed module (idempotent)."""
    import torchvision.transforms._functional_tensor as _ft

    sys.modules.setdefault("torchvision.transforms.functional_tensor", _ft)


def import_pytorchvideo():
    """Return the ``pytorchvideo.models`` module with the shim installed."""
    install_pytorchvideo_shim()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.* is deprecated", category=FutureWarning)
        import pytorchvideo.models as ptv_models
        import pytorchvideo.models.hub  # noqa: F401  (registers the hub builders)

    return ptv_models
