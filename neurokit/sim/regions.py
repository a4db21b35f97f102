"""Small simulated worlds of coupled brain regions with a planted inter-region matrix (tests, sanity checks, the
connectivity chapter).

The planted matrix is defined at the level the connectivity encoder estimates: the mean absolute
voxel-to-voxel weight from each source region onto each target region (see :func:`make_planted_regions`).
Every voxel has its own stimulus drive, so a region's inherited activity is carried by the *predicted*
voxels of its sources as well as by their measured ones, and the leak-free encoder can recover it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurokit.data.algonauts import ROIS
from neurokit.errors import InputError


@dataclass(frozen=True)
class PlantedRegions:
    """A planted-connectivity data set.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_voxels)
        Measured responses (signal + noise averaged over repeats).
    signal : ndarray of shape (n_samples, n_voxels)
        Noise-free responses.
    regions : ndarray of shape (n_voxels,)
        Region name of every voxel.
    planted : ndarray of shape (n_regions, n_regions)
        The planted matrix ``M`` (rows target, columns source, zero diagonal).
    region_names : tuple of str
    """

    X: np.ndarray
    Y: np.ndarray
    signal: np.ndarray
    regions: np.ndarray
    planted: np.ndarray
    region_names: tuple


def default_planted_matrix(n_regions=9, density=0.35, seed=0):
    """A sparse non-negative matrix with zero diagonal and entries in [0.2, 1].

    Returns
    -------
    ndarray of shape (n_regions, n_regions)
    """
    rng = np.random.default_rng(seed)
    M = rng.uniform(0.2, 1.0, (n_regions, n_regions)) * (rng.random((n_regions, n_regions)) < density)
    np.fill_diagonal(M, 0.0)
    return M


def make_planted_regions(n_samples=600, n_features=200, voxels_per_region=20, planted=None, inherit=1.0,
                         intrinsic=0.0, noise=1.0, n_repeats=3, region_names=ROIS, seed=0):
    """Simulate regions whose voxels receive other regions' activity through a planted matrix.

    Every voxel ``v`` of region ``s`` has its own stimulus drive ``S_v = X w_v`` (independent random
    weights, so voxels are distinct, as a voxelwise encoding model assumes), optionally plus clip-specific
    activity that is repeatable but not a function of ``X``. Region ``r`` then receives
    ``Y_r = S_r + inherit · Σ_{s≠r} M[r, s] · S_s G_rs / sqrt(V_s)`` with ``G_rs`` a random voxel-to-voxel
    map (i.i.d. normal), so ``E|A_rs| ∝ M[r, s]``: the planted matrix is the mean absolute voxel-level
    connectivity, the quantity the encoder's ``region_weights_`` estimates. Responses are z-scored per voxel,
    then noise averaged over ``n_repeats`` is added.

    Parameters
    ----------
    n_samples, n_features : int
        Clips and stimulus features.
    voxels_per_region : int
    planted : ndarray of shape (n_regions, n_regions), optional
        Rows target, columns source; the diagonal is ignored. Default :func:`default_planted_matrix`.
    inherit : float
        Global scale of the inherited activity.
    intrinsic : float
        S.d. of clip-specific activity not predictable from ``X`` (relative to the unit-variance drive).
    noise : float
        Noise s.d. of one repeat relative to a unit-variance signal.
    n_repeats : int
        Repeats averaged into ``Y``.
    region_names : sequence of str
    seed : int

    Returns
    -------
    PlantedRegions
    """
    names = tuple(region_names)
    k = len(names)
    if planted is None:
        planted = default_planted_matrix(k, seed=seed)
    planted = np.array(planted, dtype=float)
    if planted.shape != (k, k):
        raise InputError(f"planted must have shape ({k}, {k}) for {k} regions; got {planted.shape}.")
    np.fill_diagonal(planted, 0.0)
    rng = np.random.default_rng(seed)
    V = int(voxels_per_region)
    X = rng.standard_normal((n_samples, n_features))
    own = []
    for _ in range(k):
        S = X @ rng.standard_normal((n_features, V))
        S = (S - S.mean(0)) / S.std(0)
        own.append(S + intrinsic * rng.standard_normal((n_samples, V)))
    signal, regions = [], []
    for r in range(k):
        sig = own[r].copy()
        for s in range(k):
            if s != r and planted[r, s] != 0:
                sig += inherit * planted[r, s] * own[s] @ rng.standard_normal((V, V)) / np.sqrt(V)
        sig = (sig - sig.mean(0)) / sig.std(0)
        signal.append(sig)
        regions += [names[r]] * V
    signal = np.concatenate(signal, axis=1)
    Y = signal + noise * rng.standard_normal((n_repeats,) + signal.shape).mean(0)
    return PlantedRegions(X=X, Y=Y, signal=signal, regions=np.asarray(regions), planted=planted,
                          region_names=names)
