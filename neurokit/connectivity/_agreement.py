"""Agreement between a recovered and a planted region matrix: correlation, detection AUC, direction accuracy."""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError


def _check(recovered, planted):
    a = np.asarray(recovered, dtype=float)
    b = np.asarray(planted, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InputError(f"both matrices must be square and of the same shape; got {a.shape} and {b.shape}.")
    return a, b


def matrix_agreement(recovered, planted, off_diagonal=True, undirected=False):
    """Pearson correlation between a recovered and a planted region matrix.

    Parameters
    ----------
    recovered, planted : ndarray of shape (n_regions, n_regions)
    off_diagonal : bool
        Compare only the off-diagonal (inter-region) entries; the diagonal of a recovered matrix is dominated
        by each region's own prediction and would inflate the agreement.
    undirected : bool
        Compare the symmetrised matrices ``W + Wᵀ`` (coupling strength regardless of direction).

    Returns
    -------
    float
    """
    a, b = _check(recovered, planted)
    if undirected:
        a, b = a + a.T, b + b.T
    keep = ~np.eye(len(a), dtype=bool) if off_diagonal else np.ones_like(a, dtype=bool)
    return float(np.corrcoef(a[keep], b[keep])[0, 1])


def coupling_metrics(recovered, planted):
    """How well a recovered matrix finds the planted directed edges.

    Parameters
    ----------
    recovered, planted : ndarray of shape (n_regions, n_regions)
        Rows target, columns source.

    Returns
    -------
    dict
        ``directed_r`` (:func:`matrix_agreement`), ``undirected_r``, ``auc`` (area under the ROC curve of the
        off-diagonal entries for telling planted edges ``C[r, s] > 0`` from the others; 0.5 = chance),
        ``direction_accuracy`` (over planted one-way edges ``C[r, s] > 0 = C[s, r]``, the fraction with
        ``W[r, s] > W[s, r]``; 0.5 = chance) and ``symmetry`` (correlation of the off-diagonal entries of ``W``
        and ``Wᵀ``; 1 = exactly symmetric).
    """
    from sklearn.metrics import roc_auc_score

    a, b = _check(recovered, planted)
    off = ~np.eye(len(a), dtype=bool)
    labels = (b[off] > 0).astype(int)
    auc = float(roc_auc_score(labels, a[off])) if 0 < labels.sum() < labels.size else float("nan")
    one_way = [(r, s) for r in range(len(b)) for s in range(len(b)) if b[r, s] > 0 and b[s, r] == 0]
    acc = float(np.mean([a[r, s] > a[s, r] for r, s in one_way])) if one_way else float("nan")
    return {"directed_r": matrix_agreement(a, b), "undirected_r": matrix_agreement(a, b, undirected=True),
            "auc": auc, "direction_accuracy": acc, "symmetry": float(np.corrcoef(a[off], a.T[off])[0, 1])}
