"""Import helpers for the third-party model zoos.

pytorchvideo 0.1.5 (the newest release) imports ``torchvision.transforms.functional_tensor``, which
torchvision 0.17 renamed to ``_functional_tensor``. :func:`import_pytorchvideo` installs the two-line
``sys.modules`` alias documented in ``shared/specs/tooling.md`` §3 before anything from pytorchvideo is
imported, so both ``pytorchvideo.models`` and ``pytorchvideo.transforms`` work.
"""
from __future__ import annotations

import sys


def install_pytorchvideo_shim() -> None:
    """Alias ``torchvision.transforms.functional_tensor`` to its renamed module (idempotent)."""
    import torchvision.transforms._functional_tensor as _ft

    sys.modules.setdefault("torchvision.transforms.functional_tensor", _ft)


def import_pytorchvideo():
    """Return the ``pytorchvideo.models`` module with the shim installed."""
    install_pytorchvideo_shim()
    import pytorchvideo.models as ptv_models
    import pytorchvideo.models.hub  # noqa: F401  (registers the hub builders)

    return ptv_models
