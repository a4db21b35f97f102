"""Checks shared by the loaders: every failure is a DataError naming the file and the problem."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from neurokit.errors import DataError


def response_array(value, path: Path, key: str, n_items: int | None = None, n_reps: int | None = None) -> np.ndarray:
    """Check ``value`` is a finite float array of shape (n_items, n_reps, n_voxels); return it.

    ``n_items`` / ``n_reps`` of ``None`` accept any size. Raises :class:`DataError` otherwise.
    """
    where = f"{path} [{key!r}]"
    if not isinstance(value, np.ndarray):
        raise DataError(f"{where} should be a numpy array of responses, got {type(value).__name__}. "
                        "The file is not in the expected format; re-create or re-download it.")
    if value.dtype.kind not in "fiu":
        raise DataError(f"{where} has dtype {value.dtype}; expected numeric responses.")
    want = ("n_videos" if n_items is None else n_items, "n_repetitions" if n_reps is None else n_reps, "n_voxels")
    if value.ndim != 3 or (n_items is not None and value.shape[0] != n_items) or (
            n_reps is not None and value.shape[1] != n_reps) or value.shape[2] == 0:
        raise DataError(f"{where} has shape {value.shape}; expected {want}. The file does not match this data set "
                        "(wrong file, wrong version, or a corrupt copy); check it with `neurokit data verify`.")
    if value.dtype.kind == "f":
        bad = ~np.isfinite(value)
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise DataError(f"{where} contains {int(bad.sum())} NaN/inf value(s) (first at index {first}). The "
                            "responses must be finite; drop those voxels from the file, or re-create the data set.")
    return value


def mapping(value, path: Path, keys) -> dict:
    """Check ``value`` is a dict holding ``keys``."""
    if not isinstance(value, dict):
        raise DataError(f"{path} should hold a dict with keys {list(keys)}, got {type(value).__name__}.")
    missing = [k for k in keys if k not in value]
    if missing:
        raise DataError(f"{path} lacks key(s) {missing} (it has {sorted(map(str, value))}); "
                        "the file is not in the expected format.")
    return value
