"""Exceptions with messages that say what is wrong and how to fix it."""
from __future__ import annotations

import difflib
from typing import Iterable


class NeurokitError(Exception):
    """Base class of every error neurokit raises on purpose."""


class InputError(NeurokitError, ValueError):
    """Bad user input: wrong shape, NaN values, unknown name, bad parameter."""


class DataError(NeurokitError, OSError):
    """A data file is missing, truncated, corrupted, or fails its checksum."""


class UnknownNameError(InputError, KeyError):
    """An unknown name (model, layer, chapter, parameter, data set) with the valid choices."""

    def __init__(self, kind: str, name: str, valid: Iterable[str]):
        valid = sorted(valid)
        self.kind, self.name, self.valid = kind, name, valid
        close = difflib.get_close_matches(str(name), valid, n=5, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        shown = ", ".join(valid) if len(valid) <= 40 else ", ".join(valid[:40]) + f", … ({len(valid)} in all)"
        label = f"choices for {kind}" if (" of " in kind or "(" in kind) else f"{kind}s"
        super().__init__(f"unknown {kind} {name!r}.{hint} Valid {label}: {shown}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


def check_finite(array, name: str) -> None:
    """Raise :class:`InputError` if ``array`` holds NaN or inf values, naming how many and where."""
    import numpy as np

    a = np.asarray(array)
    if a.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(a)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(
            f"{name} contains {int(bad.sum())} NaN/inf value(s) (first at index {first}). "
            "Remove or impute them before fitting (e.g. drop those samples/voxels)."
        )
