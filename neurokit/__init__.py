"""neurokit: the executable companion of three lines of work on neural encoding and decoding of video.

Subpackages are imported lazily so that ``import neurokit`` stays fast (the book runner and the CLI
import it in every process); ``neurokit.regression`` etc. load on first attribute access.
"""
from __future__ import annotations

import importlib
from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("neurokit")
except _metadata.PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"

from neurokit.errors import NeurokitError

_SUBPACKAGES = (
    "book", "cli", "config", "connectivity", "data", "features", "neurons", "plotting",
    "regression", "sim", "stats", "vist",
)

__all__ = ["__version__", "NeurokitError", *_SUBPACKAGES]


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        module = importlib.import_module(f"neurokit.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'neurokit' has no attribute {name!r}")
