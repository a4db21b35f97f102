"""Where things live: data home, caches, profiles and the compute device.

``NEUROKIT_DATA`` sets the data home (default ``~/neurokit_data``), ``NEUROKIT_CACHE`` the feature
and result caches (default ``<data home>/cache``). Nothing is ever written outside these and the
repository's ``_build/``.
"""
from __future__ import annotations

import os
from pathlib import Path

from neurokit.errors import InputError, UnknownNameError

PROFILES = ("smoke", "embedded", "paper")
DEFAULT_PROFILE = "embedded"


def data_home(path: str | os.PathLike | None = None) -> Path:
    """The data home: ``path`` if given, else ``$NEUROKIT_DATA``, else ``~/neurokit_data``."""
    p = Path(path or os.environ.get("NEUROKIT_DATA") or Path.home() / "neurokit_data").expanduser()
    p.mkdir(parents=True, exist_ok=True)
    return p


def cache_home(path: str | os.PathLike | None = None) -> Path:
    p = Path(path or os.environ.get("NEUROKIT_CACHE") or data_home() / "cache").expanduser()
    p.mkdir(parents=True, exist_ok=True)
    return p


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise UnknownNameError("profile", profile, PROFILES)
    return profile


def resolve_device(device: str | None = None):
    """Return a ``torch.device``; ``None``/"auto" picks CUDA when available, else CPU.

    Asking for ``"cuda"`` where no GPU exists raises a clear error instead of failing later.
    """
    import torch

    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise InputError(
            f"unknown device string {device!r}; use 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InputError(
            f"device {device!r} was requested but torch sees no CUDA GPU on this machine. "
            "Use device='cpu' (or 'auto'), or run on a GPU machine with a CUDA build of torch."
        )
    return dev
