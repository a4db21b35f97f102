"""Agreement between a recovered and a planted region matrix."""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError


def matrix_agreement(recovered, planted, off_diagonal=True, undirected=False):
    """Pearson correlation between a recovered and a planted region matrix.

    Parameters
    ----------
    recovered, planted : ndarray of shape (n_regions, n_regions)
    off_diagonal : bool
        Compare only the off-diagonal (inter-region) entries; the diagonal of a recovered matrix is dominated
        by each region's own prediction and would inflate the agreement.
    undirected : bool
        Compare the symmetrised matrices ``W + Wᵀ`` (coupling strength regardless of direction). A linear map
        fitted on predicted (or measured) responses recovers *which* regions are coupled far better than the
        direction of the coupling: a target that inherits from ``s`` also helps to denoise ``s``.

    Returns
    -------
    float
    """
    a = np.asarray(recovered, dtype=float)
    b = np.asarray(planted, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InputError(f"both matrices must be square and of the same shape; got {a.shape} and {b.shape}.")
    if undirected:
        a, b = a + a.T, b + b.T
    keep = ~np.eye(len(a), dtype=bool) if off_diagonal else np.ones_like(a, dtype=bool)
    return float(np.corrcoef(a[keep], b[keep])[0, 1])
