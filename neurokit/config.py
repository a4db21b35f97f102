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
#: Set to "1" in a chapter's kernel by ``neurokit book/run --profile paper --rehearse``: the paper profile's code
#: paths run on data simulated at the paper's shapes (in the rehearsal data home) with random weights, stamped.
REHEARSAL_ENV = "NEUROKIT_REHEARSAL"


def data_home(path: str | os.PathLike | None = None) -> Path:
    """The data home: ``path`` if given, else ``$NEUROKIT_DATA``, else ``~/neurokit_data``."""
    p = Path(path or os.environ.get("NEUROKIT_DATA") or Path.home() / "neurokit_data").expanduser()
    p.mkdir(parents=True, exist_ok=True)
    return p


def cache_home(path: str | os.PathLike | None = None) -> Path:
    p = Path(path or os.environ.get("NEUROKIT_CACHE") or data_home() / "cache").expanduser()
    p.mkdir(parents=True, exist_ok=True)
    return p


def rehearsing() -> bool:
    """True inside a rehearsal of the paper profile (see :data:`REHEARSAL_ENV`)."""
    return os.environ.get(REHEARSAL_ENV) == "1"


def rehearsal_home(path: str | os.PathLike | None = None) -> Path:
    """Where a rehearsal's simulated data live: ``<data home>/rehearsal``, never beside the real data."""
    p = data_home(path) / "rehearsal"
    p.mkdir(parents=True, exist_ok=True)
    return p


def check_rehearsal(profile: str, rehearse: bool) -> None:
    """A rehearsal exists only for the paper profile; refuse anything else before it runs."""
    if rehearse and profile != "paper":
        raise InputError(f"--rehearse rehearses the paper profile: use it with --profile paper (got --profile "
                         f"{profile}); the {profile} profile already runs on simulated data.")


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover (macOS, Windows)
        return os.cpu_count() or 1


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
