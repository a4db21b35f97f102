"""Receptive-field (RF) maps of RGCs on the feature grid (the ``rf_to_dinov2`` input of Vi-ST).

The authors' RF estimation and projection code is not published (Wu et al. 2024 leave it unspecified); the usual
procedure for these recordings, which we follow, is a spike-triggered average (STA) from a white-noise
checkerboard, reduced to a spatial map and projected onto the 16x16 patch grid:

1. STA(l) = Σ_t n_t s_{t-l} / Σ_t n_t − mean(s) for lags l = 0 … n_lags-1 (contrast units);
   "energy STA" = the same with s² (captures cells with rectified subunits, whose linear STA vanishes).
2. For each cell, the STA whose peak z-score (against its standard error) is larger is kept, and reduced to
   a spatial map by a rank-1 SVD over (lags, pixels).
3. The map is ``|spatial component|``, normalised to a maximum of 1 (already on the 16x16 grid when the
   checks are the patches; :func:`pool_to_grid` projects finer maps).

:func:`rf_agreement` compares estimated maps with the simulation's true RFs.
"""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError


def pool_to_grid(maps: np.ndarray, grid: int = 16) -> np.ndarray:
    """Average-pool maps (n, S, S) to (n, grid, grid) (S must be a multiple of grid)."""
    maps = np.asarray(maps, dtype=np.float64)
    n, S, S2 = maps.shape
    if S != S2 or S % grid:
        raise InputError(f"maps must be square with a side that is a multiple of {grid}; got {maps.shape[1:]}.")
    k = S // grid
    return maps.reshape(n, grid, k, grid, k).mean(axis=(2, 4))


def spike_triggered_averages(stimulus: np.ndarray, spikes: np.ndarray, n_lags: int = 15):
    """Linear and energy STAs with their standard errors.

    Parameters
    ----------
    stimulus : ndarray of shape (T, H, W), uint8 grey levels or float contrast
    spikes : ndarray of shape (T, cells)
    n_lags : int

    Returns
    -------
    sta, esta : ndarray of shape (cells, n_lags, H·W)
    se_sta, se_esta : ndarray of shape (cells,)
        Standard error of one STA entry under the no-dependence null.
    """
    s = np.asarray(stimulus)
    s = s.astype(np.float64) / 127.5 - 1.0 if s.dtype == np.uint8 else s.astype(np.float64)
    T = len(s)
    s = s.reshape(T, -1)
    n = np.asarray(spikes, dtype=np.float64)
    if n.ndim != 2 or len(n) != T:
        raise InputError(f"spikes must have shape (T={T}, cells); got {n.shape}.")
    s2 = s**2
    cells = n.shape[1]
    sta = np.zeros((cells, n_lags, s.shape[1]))
    esta = np.zeros_like(sta)
    for lag in range(n_lags):
        w = n[lag:]
        tot = w.sum(0)[:, None] + 1e-12
        sta[:, lag] = (w.T @ s[: T - lag]) / tot - s.mean(0)
        esta[:, lag] = (w.T @ s2[: T - lag]) / tot - s2.mean(0)
    ns = n.sum(0) + 1e-12
    return sta, esta, s.std() / np.sqrt(ns), s2.std() / np.sqrt(ns)


def estimate_rf_maps(stimulus: np.ndarray, spikes: np.ndarray, n_lags: int = 15):
    """RF maps from a white-noise recording (see the module docstring).

    Returns
    -------
    maps : ndarray of shape (cells, H, W)
        ``|spatial RF|``, max-normalised to 1.
    kind : ndarray of shape (cells,) of str
        "linear" or "energy": which STA was used.
    """
    H, W = np.asarray(stimulus).shape[1:3]
    sta, esta, se1, se2 = spike_triggered_averages(stimulus, spikes, n_lags)
    maps = np.zeros((sta.shape[0], H, W))
    kind = []
    for c in range(sta.shape[0]):
        z1, z2 = np.abs(sta[c]).max() / se1[c], np.abs(esta[c]).max() / se2[c]
        m = sta[c] if z1 >= z2 else esta[c]
        kind.append("linear" if z1 >= z2 else "energy")
        u, sv, vt = np.linalg.svd(m, full_matrices=False)
        sp = np.abs(vt[0]).reshape(H, W)
        maps[c] = sp / (sp.max() + 1e-12)
    return maps, np.array(kind)


def true_rf_on_grid(spatial: np.ndarray, grid: int = 16) -> np.ndarray:
    """``|true spatial RF|`` (cells, S, S) pooled to (cells, grid, grid), max-normalised."""
    m = pool_to_grid(np.abs(spatial), grid)
    return m / (m.max(axis=(1, 2), keepdims=True) + 1e-12)


def rf_agreement(estimated: np.ndarray, true: np.ndarray) -> dict:
    """Per-cell agreement of RF maps (cells, g, g): Pearson r of the maps and the distance between the centres of
    mass of the maps' upper halves (values above half the maximum).

    Returns
    -------
    dict with ``r`` (cells,) and ``com_distance`` (cells,) in grid units.
    """
    e = np.asarray(estimated, dtype=np.float64)
    t = np.asarray(true, dtype=np.float64)
    if e.shape != t.shape:
        raise InputError(f"estimated and true maps must have the same shape; got {e.shape} and {t.shape}.")
    ef, tf = e.reshape(len(e), -1), t.reshape(len(t), -1)
    ec, tc = ef - ef.mean(1, keepdims=True), tf - tf.mean(1, keepdims=True)
    r = (ec * tc).sum(1) / np.sqrt((ec**2).sum(1) * (tc**2).sum(1) + 1e-300)
    g = e.shape[1]
    yy, xx = np.mgrid[0:g, 0:g]

    def com(m):  # centre of mass of the upper half of each map (robust to background noise)
        m = np.clip(m - 0.5 * m.max(axis=(1, 2), keepdims=True), 0, None)
        w = m / (m.sum(axis=(1, 2), keepdims=True) + 1e-12)
        return np.stack([(w * yy).sum(axis=(1, 2)), (w * xx).sum(axis=(1, 2))], 1)

    return {"r": r, "com_distance": np.linalg.norm(com(np.abs(e)) - com(np.abs(t)), axis=1)}
