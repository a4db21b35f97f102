"""Lazy submodule import for packages whose ``import`` must stay cheap (the runner and CLI import them often)."""
from __future__ import annotations

import importlib
import sys


def lazy_submodules(package: str, names):
    """A module ``__getattr__`` that imports ``package.<name>`` on first access and keeps it in the package.

    Use as ``__getattr__ = lazy_submodules(__name__, __all__)``.
    """
    names = frozenset(names)

    def __getattr__(name: str):
        if name in names:
            module = importlib.import_module(f"{package}.{name}")
            setattr(sys.modules[package], name, module)
            return module
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
