"""neurokit: the executable companion of three lines of work on neural encoding and decoding of video.

Subpackages are imported lazily so that ``import neurokit`` stays fast (the book runner and the CLI
import it in every process); ``neurokit.regression`` etc. load on first attribute access.
"""
from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("neurokit")
except _metadata.PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"

from neurokit._lazy import lazy_submodules
from neurokit.errors import NeurokitError

_SUBPACKAGES = (
    "book", "cli", "config", "connectivity", "data", "features", "neurons", "plotting",
    "regression", "sim", "stats", "vist",
)

__all__ = ["__version__", "NeurokitError", *_SUBPACKAGES]


__getattr__ = lazy_submodules(__name__, _SUBPACKAGES)
