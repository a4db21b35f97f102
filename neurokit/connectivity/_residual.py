"""Region coupling estimated from cross-fitted residuals through low-rank region summaries.

The connectivity encoder's ``region_weights_`` describe what helps *prediction*; with stimulus-feature
inputs they cannot see activity that no feature explains, and their mean over hundreds of collinear voxel
weights is dominated by a noise floor that depends on region size. To ask "which regions are coupled", this
estimator (our addition, not the paper's):

1. cross-fits the base encoder inside the training clips and keeps the out-of-fold residuals
   ``E = Y − Ŷ_oof`` (what the stimulus model does not explain);
2. summarises each source region by its first ``n_components`` principal components of ``E`` (a
   "communication subspace", Semedo et al. 2019), so every region enters with the same dimension whatever its
   voxel count;
3. regresses every target voxel's residual on the other regions' summaries (ridge, leave-one-out penalty per
   voxel) and sets ``W[r, s] = mean |coef|`` over the target's voxels and the source's components, then
   divides by the maximum.

Everything uses training clips only, so it is leak-free; it describes coupling, it does not predict test clips.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold

from neurokit.connectivity._encoder import default_base_estimator
from neurokit.errors import InputError, check_finite
from neurokit.regression import DEFAULT_ALPHAS
from neurokit.regression._loo import loo_alphas, ridge_coef, svd_design


def residual_coupling(X, Y, regions, base_estimator=None, n_components=2, cv=5, alphas=None, random_state=0):
    """Inter-region coupling matrix from cross-fitted residuals (rows target, columns source).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Stimulus features of the training clips.
    Y : ndarray of shape (n_samples, n_voxels)
    regions : array-like of shape (n_voxels,)
    base_estimator : sklearn regressor, optional
        Default: :func:`~neurokit.connectivity.default_base_estimator`.
    n_components : int
        Principal components kept per source region.
    cv : int
        Cross-fitting folds.
    alphas : array-like, optional
    random_state : int

    Returns
    -------
    names : ndarray of shape (n_regions,)
        Region names in order of first appearance.
    W : ndarray of shape (n_regions, n_regions)
        Coupling, zero diagonal, maximum 1.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    regions = np.asarray(regions)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0] or regions.shape != (Y.shape[1],):
        raise InputError(f"need X (n, p), Y (n, v) and one region label per voxel; got {X.shape}, {Y.shape}, "
                         f"{regions.shape}.")
    check_finite(X, "X")
    check_finite(Y, "Y")
    names = np.asarray(list(dict.fromkeys(regions.tolist())))
    if len(names) < 2:
        raise InputError("coupling needs at least two regions.")
    k = int(n_components)
    small = min(int((regions == r).sum()) for r in names)
    if not 1 <= k <= small:
        raise InputError(f"n_components={n_components} must lie in [1, {small}] (voxels of the smallest region).")
    base = default_base_estimator() if base_estimator is None else base_estimator
    P = np.empty_like(Y)
    for tr, te in KFold(int(cv), shuffle=True, random_state=random_state).split(X):
        P[te] = clone(base).fit(X[tr], Y[tr]).predict(X[te]).reshape(len(te), -1)
    E = Y - P
    E = (E - E.mean(0)) / np.where(E.std(0) > 0, E.std(0), 1.0)
    summaries = []
    for r in names:
        U, s, _ = np.linalg.svd(E[:, regions == r], full_matrices=False)
        summaries.append(U[:, :k] * np.sqrt(len(E)))
    alphas = DEFAULT_ALPHAS if alphas is None else np.asarray(alphas, dtype=float)
    W = np.zeros((len(names), len(names)))
    for i, r in enumerate(names):
        src = [j for j in range(len(names)) if j != i]
        Z = np.concatenate([summaries[j] for j in src], axis=1)
        T = E[:, regions == r]
        U, s, Vt = svd_design(Z)
        a, _ = loo_alphas(U, s, T, alphas)
        A = ridge_coef(U, s, Vt, T, a)
        for jj, j in enumerate(src):
            W[i, j] = np.abs(A[jj * k:(jj + 1) * k]).mean()
    return names, W / W.max() if W.max() > 0 else W
