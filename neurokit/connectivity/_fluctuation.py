"""Coupling of stimulus-independent trial-by-trial fluctuations ("noise correlations" between regions).

Subtracting each clip's mean over its repeats removes everything stimulus-locked; what is left on each trial is
measurement noise plus fluctuations shared between regions. Regressing a target region's residuals on the
*other* regions' residuals of the same trial (the target never an input) recovers which regions share
fluctuations. It cannot say which way they run: with one-step propagation ``η = e + C e`` the covariance of
``r`` and ``s`` is ``C_rs τ_s² + C_sr τ_r²`` (plus higher-order terms), one number per pair, and the asymmetry
between the fitted weights ``r ← s`` and ``s ← r`` comes from the two regions' variances, loadings and noise
(nuisance parameters), not from ``C`` (the connectivity chapter shows this with a transposed and a symmetrised
world).
"""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError, check_finite
from neurokit.regression import DEFAULT_ALPHAS
from neurokit.regression._loo import loo_alphas, ridge_coef, svd_design


def trial_residuals(trials):
    """Single-trial deviations from each clip's repeat mean.

    Parameters
    ----------
    trials : ndarray of shape (n_samples, n_repeats, n_voxels)

    Returns
    -------
    ndarray of shape (n_samples * n_repeats, n_voxels)
    """
    T = np.asarray(trials, dtype=float)
    if T.ndim != 3 or T.shape[1] < 2:
        raise InputError(f"trials must have shape (n_samples, n_repeats >= 2, n_voxels); got {T.shape}.")
    check_finite(T, "trials")
    return (T - T.mean(1, keepdims=True)).reshape(-1, T.shape[2])


def trial_coupling(trials, regions, alphas=None):
    """Region-to-region weights of same-trial residuals (rows target, columns source).

    For every target region, a ridge regression (one leave-one-out penalty per target voxel) from the residuals
    of all voxels of the other regions onto each target voxel's residual; ``W[r, s]`` is the standard deviation
    of source ``s``'s contribution, averaged over ``r``'s voxels.

    Parameters
    ----------
    trials : ndarray of shape (n_samples, n_repeats, n_voxels)
    regions : array-like of shape (n_voxels,)
    alphas : array-like, optional

    Returns
    -------
    names : ndarray of shape (n_regions,)
    W : ndarray of shape (n_regions, n_regions)
        Zero diagonal.
    """
    R = trial_residuals(trials)
    regions = np.asarray(regions)
    if regions.shape != (R.shape[1],):
        raise InputError(f"regions must give one label per voxel: shape ({R.shape[1]},), got {regions.shape}.")
    names = np.asarray(list(dict.fromkeys(regions.tolist())))
    if len(names) < 2:
        raise InputError("coupling needs at least two regions.")
    alphas = DEFAULT_ALPHAS if alphas is None else np.asarray(alphas, dtype=float)
    idx = [np.flatnonzero(regions == r) for r in names]
    k = len(names)
    W = np.zeros((k, k))
    for r in range(k):
        sources = [s for s in range(k) if s != r]
        Z = np.hstack([R[:, idx[s]] for s in sources])
        T = R[:, idx[r]]
        U, s_, Vt = svd_design(Z)
        a, _ = loo_alphas(U, s_, T, alphas, Vt=Vt)
        A = ridge_coef(U, s_, Vt, T, a)
        edges = np.cumsum([0] + [len(idx[s]) for s in sources])
        for j, s in enumerate(sources):
            W[r, s] = (Z[:, edges[j]:edges[j + 1]] @ A[edges[j]:edges[j + 1]]).std(0).mean()
    return names, W
