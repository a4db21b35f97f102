"""Small simulated worlds of coupled brain regions with a planted directed inter-region matrix (tests, sanity
checks, the connectivity chapter).

Two worlds:

* :func:`make_planted_regions`, the *shared-feature* world: every region is driven by its own random linear map
  of one common feature space, and a target inherits its sources' drives through a planted matrix. Everything a
  region inherits is then a linear function of the same features every region is encoded from, which is the
  situation of the paper's connectivity encoder, whose region weights cannot tell ``r ← s`` from ``s ← r``
  there (the connectivity chapter of Part I shows why).
* :func:`make_instrumented_regions`, the *instrumented-coupling* world: each region also has its own nonlinear
  feature group, with the part linear in the shared features removed, and no region samples another region's
  group (the exclusion restriction of instrumental-variable designs). A source's own group then reaches its
  targets *only* through the planted coupling, so the direction of a connection is identifiable from
  stimulus-driven predictions alone. The same world carries a channel of stimulus-independent trial-by-trial
  fluctuations shared along the planted graph.
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


def _region_sizes(voxels_per_region, k):
    sizes = np.broadcast_to(np.asarray(voxels_per_region, dtype=int), (k,)).copy() if np.ndim(voxels_per_region) == 0 \
        else np.asarray(voxels_per_region, dtype=int)
    if sizes.shape != (k,) or (sizes < 1).any():
        raise InputError(f"voxels_per_region must be a positive int or {k} positive ints (one per region); got "
                         f"{voxels_per_region!r}.")
    return sizes


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
    voxels_per_region : int or sequence of int
        Voxels of every region, or of each region (e.g. in proportion to real ROI sizes).
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
    sizes = _region_sizes(voxels_per_region, k)
    X = rng.standard_normal((n_samples, n_features))
    own = []
    for r in range(k):
        S = X @ rng.standard_normal((n_features, sizes[r]))
        S = (S - S.mean(0)) / S.std(0)
        own.append(S + intrinsic * rng.standard_normal((n_samples, sizes[r])))
    signal, regions = [], []
    for r in range(k):
        sig = own[r].copy()
        for s in range(k):
            if s != r and planted[r, s] != 0:
                sig += inherit * planted[r, s] * own[s] @ rng.standard_normal((sizes[s], sizes[r])) / np.sqrt(sizes[s])
        sig = (sig - sig.mean(0)) / sig.std(0)
        signal.append(sig)
        regions += [names[r]] * int(sizes[r])
    signal = np.concatenate(signal, axis=1)
    Y = signal + noise * rng.standard_normal((n_repeats,) + signal.shape).mean(0)
    return PlantedRegions(X=X, Y=Y, signal=signal, regions=np.asarray(regions), planted=planted,
                          region_names=names)


# ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InstrumentedRegions:
    """An instrumented-coupling data set (see :func:`make_instrumented_regions`).

    Attributes
    ----------
    shared : ndarray of shape (n_samples, n_shared)
        Stimulus features every region samples (a DNN's features play this role in the book's other worlds).
    own : dict of str to ndarray of shape (n_samples, n_own)
        Each region's own nonlinear feature group, with its linear part in ``shared`` removed and z-scored.
    trials : ndarray of shape (n_samples, n_repeats, n_voxels)
        Measured single-trial responses: signal + trial fluctuation + noise.
    Y : ndarray of shape (n_samples, n_voxels)
        ``trials`` averaged over repeats (what an encoding model is fitted to).
    signal : ndarray of shape (n_samples, n_voxels)
        Stimulus-locked signal (own drive + inherited drives + private activity); variance
        ``1 + Σ_s C_rs² + u/(1 − u)`` per voxel of region ``r``.
    drive : ndarray of shape (n_samples, n_voxels)
        Each voxel's own stimulus drive (shared part + own-group part), before coupling.
    regions : ndarray of shape (n_voxels,)
        Region name of every voxel.
    planted : ndarray of shape (n_regions, n_regions)
        Planted directed coupling ``C[target, source]``, zero diagonal.
    region_names : tuple of str
    fluctuation_sd : ndarray of shape (n_regions,)
        S.d. of each region's own trial fluctuation (before it spreads along ``planted``).
    noise_sd : ndarray of shape (n_regions,)
        S.d. of the single-trial measurement noise of each region's voxels (a nuisance parameter).
    """

    shared: np.ndarray
    own: dict
    trials: np.ndarray
    Y: np.ndarray
    signal: np.ndarray
    drive: np.ndarray
    regions: np.ndarray
    planted: np.ndarray
    region_names: tuple
    fluctuation_sd: np.ndarray
    noise_sd: np.ndarray

    def own_of(self, region):
        """The own feature group of ``region`` (a name)."""
        return self.own[region]


def _z(a):
    a = a - a.mean(0)
    sd = a.std(0)
    return a / np.where(sd > 0, sd, 1.0)


def make_instrumented_regions(planted, n_samples=600, n_shared=40, n_own=10, voxels_per_region=12, own_share=0.5,
                              private_share=0.2, noise=(0.8, 1.6), n_repeats=3, fluctuation=0.5,
                              fluctuation_sd=(0.7, 1.3), region_names=None, shared=None, seed=0):
    r"""Simulate regions coupled through their stimulus drives, with an instrument per region.

    Generative model (``z(·)`` = z-score over clips, all weight matrices i.i.d. standard normal):

    * **Shared features** ``X`` (n, p), standard normal (or ``shared``).
    * **Own groups.** The shared columns are split into disjoint sets ``J_r``, one per region; region ``r``'s own
      group is ``F_r = z(h² − 1 − X β̂)`` with ``h = X[:, J_r] R_r / sqrt(|J_r|)`` (``R_r`` of shape
      ``(|J_r|, n_own)``) and ``X β̂`` the least-squares projection of ``h² − 1`` on ``[1, X]``: a nonlinear
      feature group with no part linear in the shared features, built from columns no other region uses
      (disjoint groups: the exclusion restriction).
    * **Own drive** of voxel ``v`` in region ``r``:
      ``a_v = z(sqrt(1 − o)·z(X W_{:,v}) + sqrt(o)·z(F_r B_{:,v}))`` with ``o = own_share``.
    * **Signal**: ``y*_r = a_r + Σ_s C_rs · z(a_s G_rs) + sqrt(u / (1 − u))·z(ε_r L_r)``, with ``G_rs``
      (V_s, V_r) the voxel-to-voxel map of the connection, ``C`` = ``planted`` (rows target, columns source, no
      cascade: the sum uses the sources' own drives) and ``ε_r`` (n, 4) a private, stimulus-specific latent
      no feature explains (``u = private_share`` of the unit own drive plus private variance). The terms add
      up without rescaling, so an inherited drive keeps the size ``C_rs`` whatever else the target receives.
    * **Trial fluctuations**: on trial ``j`` of clip ``i`` each region has a stimulus-independent scalar
      ``η_r = e_r + Σ_s C_rs e_s``, ``e_r ~ N(0, τ_r²)``, ``τ_r ~ U(fluctuation_sd)``, loaded on its voxels with
      weights ``fluctuation · l_v`` (``l_v`` standard normal). The fluctuation spreads along the same graph.
    * **Noise**: voxels of region ``r`` get i.i.d. noise of s.d. ``σ_r ~ U(noise)`` per trial.

    Parameters
    ----------
    planted : ndarray of shape (n_regions, n_regions)
        ``C[target, source]``; the diagonal is ignored.
    n_samples, n_shared, n_own : int
        Clips, shared features, features per own group (``n_shared >= 2 · n_regions``).
    voxels_per_region : int or sequence of int
    own_share, private_share : float in [0, 1)
    noise : (float, float)
        Range of the per-region single-trial noise s.d. (the own drive has variance 1).
    n_repeats : int
    fluctuation : float
        Scale of the trial-fluctuation loadings (0 switches the channel off).
    fluctuation_sd : (float, float)
        Range of the regions' own fluctuation s.d. ``τ_r``.
    region_names : sequence of str, optional
        Default: the first ``n_regions`` of the Algonauts ROIs.
    shared : ndarray of shape (n_samples, n_shared), optional
        Use these shared features (e.g. a simulated video world's) instead of Gaussian ones.
    seed : int
        Everything but ``planted`` is drawn from it, so two calls with the same seed and ``planted`` and its
        transpose differ in the direction of the coupling only.

    Returns
    -------
    InstrumentedRegions
    """
    C = np.array(planted, dtype=float)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise InputError(f"planted must be a square (n_regions, n_regions) matrix; got shape {C.shape}.")
    k = len(C)
    np.fill_diagonal(C, 0.0)
    names = tuple(ROIS[:k] if region_names is None else region_names)
    if len(names) != k:
        raise InputError(f"{len(names)} region names for a {k}×{k} planted matrix.")
    for name, v in (("own_share", own_share), ("private_share", private_share)):
        if not 0 <= v < 1:
            raise InputError(f"{name} must lie in [0, 1); got {v!r}.")
    if int(n_repeats) < 2:
        raise InputError("n_repeats must be >= 2 (the trial-fluctuation analysis needs repeats).")
    sizes = _region_sizes(voxels_per_region, k)
    rng = np.random.default_rng(seed)
    if shared is None:
        X = rng.standard_normal((n_samples, n_shared))
    else:
        X = _z(np.asarray(shared, dtype=float))
        n_samples, n_shared = X.shape
    if n_shared < 2 * k:
        raise InputError(f"n_shared={n_shared} must be at least 2 per region ({2 * k}) so that every region gets "
                         "its own columns for its nonlinear group.")
    cols = np.array_split(rng.permutation(n_shared), k)
    design = np.column_stack([np.ones(n_samples), X])
    own, drives = {}, []
    for r in range(k):
        J = cols[r]
        h = X[:, J] @ rng.standard_normal((len(J), n_own)) / np.sqrt(len(J))
        F = h ** 2 - 1.0
        F = F - design @ np.linalg.lstsq(design, F, rcond=None)[0]
        own[names[r]] = _z(F)
    for r in range(k):
        a = (np.sqrt(1 - own_share) * _z(X @ rng.standard_normal((n_shared, sizes[r])))
             + np.sqrt(own_share) * _z(own[names[r]] @ rng.standard_normal((n_own, sizes[r]))))
        drives.append(_z(a))
    # every map G_rs is drawn, used or not, so that the draws do not depend on which entries of C are non-zero
    maps = {(r, s): rng.standard_normal((sizes[s], sizes[r])) for r in range(k) for s in range(k) if s != r}
    signals = []
    for r in range(k):
        y = drives[r].copy()
        for s in range(k):
            if s != r and C[r, s]:
                y += C[r, s] * _z(drives[s] @ maps[r, s])
        private = _z(rng.standard_normal((n_samples, 4)) @ rng.standard_normal((4, sizes[r])))
        signals.append(y + np.sqrt(private_share / (1 - private_share)) * private)
    signal = np.concatenate(signals, axis=1)
    tau = rng.uniform(*fluctuation_sd, size=k)
    sigma = rng.uniform(*noise, size=k)
    e = rng.standard_normal((n_samples, n_repeats, k)) * tau
    eta = e + e @ C.T
    labels = np.concatenate([[names[r]] * int(sizes[r]) for r in range(k)])
    region_index = np.repeat(np.arange(k), sizes)
    loadings = fluctuation * rng.standard_normal(int(sizes.sum()))
    noise_v = sigma[region_index]
    trials = (signal[:, None, :] + eta[:, :, region_index] * loadings
              + noise_v * rng.standard_normal((n_samples, n_repeats, int(sizes.sum()))))
    return InstrumentedRegions(shared=X, own=own, trials=trials, Y=trials.mean(1), signal=signal,
                               drive=np.concatenate(drives, axis=1), regions=labels, planted=C, region_names=names,
                               fluctuation_sd=tau, noise_sd=sigma)
