"""A coupling encoder that identifies the direction of region-to-region coupling without leakage.

Why the paper's encoder cannot (see :class:`~neurokit.connectivity.ConnectivityEncoder`): its inputs are the
*predicted* voxels of base models that are linear in one common feature space, so every input lies in that
space. In the population, the least-squares map from those inputs to the measured responses is the orthogonal
projector onto their span: symmetric, the same whichever way the coupling runs.

Direction becomes identifiable when each region has features of its own that no other region samples
(instruments, in the sense of instrumental-variable regression): what region ``s``'s own features explain can
reach region ``r`` only through a connection ``r ← s``. The estimator (our construction; the paper has no such
component):

1. **Base model per region**: ridge (one leave-one-out penalty per voxel) on ``[shared features, the region's
   own features]``, *cross-fitted* inside the training clips, giving out-of-fold predictions ``P_s``; the same
   model refitted on all training clips predicts new clips.
2. **Instruments for target r**: each source's out-of-fold prediction ``P_s`` residualised on ``r``'s own design
   ``[shared, own_r]`` (least squares fitted on the training clips and applied unchanged to new clips), so that
   nothing ``r``'s own base model could already explain is left in it.
3. **Coupling regression**: ridge (leave-one-out penalty per target voxel) from the standardised residualised
   inputs of every source onto ``r``'s out-of-fold residual ``Y_r − P_r``.
4. **Region weight** ``W[r, s]`` = the standard deviation over training clips of source ``s``'s contribution to
   each voxel of ``r``, averaged over ``r``'s voxels (a quantity in response units that does not depend on how
   many voxels ``s`` has, unlike the mean absolute weight).

Every step uses training clips only; the measured response of a clip never enters its own prediction.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import KFold

from neurokit.connectivity._encoder import default_base_estimator
from neurokit.errors import InputError, check_finite
from neurokit.regression import DEFAULT_ALPHAS
from neurokit.regression._loo import loo_alphas, ridge_coef, svd_design
from neurokit.stats import pearsonr


def _lstsq_residualiser(D, P):
    """Least-squares map of ``P`` on ``[1, D]``: returns ``f(D_new, P_new) -> P_new − fit``."""
    mu_d, mu_p = D.mean(0), P.mean(0)
    B = np.linalg.lstsq(D - mu_d, P - mu_p, rcond=None)[0]
    return lambda Dn, Pn: Pn - ((Dn - mu_d) @ B + mu_p)


class InstrumentedCouplingEncoder(RegressorMixin, BaseEstimator):
    """Directed region coupling from cross-fitted predictions and per-region instruments.

    Parameters
    ----------
    base_estimator : sklearn regressor or None
        Base model of each region on ``[shared, own]`` features; ``None`` uses
        :func:`~neurokit.connectivity.default_base_estimator` (z-scored features, leave-one-out ridge per voxel).
    cv : int
        Cross-fitting folds inside the training clips (at least 2).
    alphas : array-like or None
        Penalties of the coupling regression (inputs standardised); ``None`` =
        :data:`neurokit.regression.DEFAULT_ALPHAS`.
    random_state : int
        Seed of the cross-fitting folds.

    Attributes
    ----------
    regions_ : ndarray of shape (n_regions,)
        Region names in order of first appearance.
    voxel_region_ : ndarray of int, shape (n_voxels,)
    coupling_ : ndarray of shape (n_regions, n_regions)
        ``W[r, s]``, rows target, columns source, zero diagonal (response units).
    base_ : list of estimators
        Each region's base model refitted on all training clips.
    """

    def __init__(self, base_estimator=None, cv=5, alphas=None, random_state=0):
        self.base_estimator = base_estimator
        self.cv = cv
        self.alphas = alphas
        self.random_state = random_state

    # ------------------------------------------------------------------ helpers
    def _designs(self, X, own, n):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[0] != n:
            raise InputError(f"X must have shape ({n}, n_shared); got {X.shape}.")
        check_finite(X, "X")
        if not hasattr(own, "keys"):
            raise InputError("own must map every region name to its own features, e.g. {'V1': (n, q) array}.")
        missing = [str(r) for r in self.regions_ if r not in own]
        if missing:
            raise InputError(f"own features missing for regions {missing}; pass one (n_samples, n_own) array per "
                             "region (its instruments).")
        out = []
        for r in self.regions_:
            F = np.asarray(own[r], dtype=float)
            if F.ndim != 2 or F.shape[0] != n:
                raise InputError(f"own features of region {r!r} must have shape ({n}, n_own); got {F.shape}.")
            check_finite(F, f"own features of {r!r}")
            out.append(np.hstack([X, F]))
        return out

    # ------------------------------------------------------------------ fit
    def fit(self, X, Y, regions, own):
        """Fit the base models and the coupling regressions.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_shared)
            Shared stimulus features.
        Y : ndarray of shape (n_samples, n_voxels)
            Measured responses of every voxel of every region.
        regions : array-like of shape (n_voxels,)
            Region label of every voxel.
        own : mapping of region name to ndarray of shape (n_samples, n_own_r)
            Each region's own features (instruments).

        Returns
        -------
        self
        """
        Y = np.asarray(Y, dtype=float)
        if Y.ndim != 2:
            raise InputError(f"Y must be 2-D (n_samples, n_voxels); got shape {Y.shape}.")
        check_finite(Y, "Y")
        n, v = Y.shape
        regions = np.asarray(regions)
        if regions.shape != (v,):
            raise InputError(f"regions must give one label per voxel: shape ({v},), got {regions.shape}.")
        names = list(dict.fromkeys(regions.tolist()))
        if len(names) < 2:
            raise InputError("coupling needs at least two regions.")
        if int(self.cv) < 2 or n < 2 * int(self.cv):
            raise InputError(f"cv={self.cv!r} cross-fitting folds need cv >= 2 and at least {2 * int(self.cv)} "
                             f"samples; got {n}.")
        self.regions_ = np.asarray(names)
        lookup = {name: i for i, name in enumerate(names)}
        self.voxel_region_ = np.array([lookup[x] for x in regions.tolist()])
        D = self._designs(X, own, n)
        base = default_base_estimator() if self.base_estimator is None else self.base_estimator
        k = len(names)
        idx = [np.flatnonzero(self.voxel_region_ == r) for r in range(k)]
        oof = [np.empty((n, len(i))) for i in idx]
        folds = list(KFold(int(self.cv), shuffle=True, random_state=self.random_state).split(np.arange(n)))
        self.base_ = []
        for r in range(k):
            for tr, te in folds:
                oof[r][te] = clone(base).fit(D[r][tr], Y[tr][:, idx[r]]).predict(D[r][te]).reshape(len(te), -1)
            self.base_.append(clone(base).fit(D[r], Y[:, idx[r]]))
        alphas = DEFAULT_ALPHAS if self.alphas is None else np.asarray(self.alphas, dtype=float)
        W = np.zeros((k, k))
        self._targets = []
        for r in range(k):
            sources = [s for s in range(k) if s != r]
            resid = [_lstsq_residualiser(D[r], oof[s]) for s in sources]
            Z = np.hstack([f(D[r], oof[s]) for f, s in zip(resid, sources)])
            mu, sd = Z.mean(0), Z.std(0)
            sd[sd < 1e-12] = 1.0
            Z = (Z - mu) / sd
            E = Y[:, idx[r]] - oof[r]
            e_mean = E.mean(0)
            U, s_, Vt = svd_design(Z)
            a, _ = loo_alphas(U, s_, E - e_mean, alphas, Vt=Vt)
            A = ridge_coef(U, s_, Vt, E - e_mean, a)
            edges = np.cumsum([0] + [len(idx[s]) for s in sources])
            for j, s in enumerate(sources):
                contrib = Z[:, edges[j]:edges[j + 1]] @ A[edges[j]:edges[j + 1]]
                W[r, s] = contrib.std(0).mean()
            self._targets.append({"sources": sources, "resid": resid, "mu": mu, "sd": sd, "A": A, "e_mean": e_mean})
        self.coupling_ = W
        self.n_samples_fit_ = n
        return self

    # ------------------------------------------------------------------ predict
    def _check_fitted(self):
        if not hasattr(self, "coupling_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this InstrumentedCouplingEncoder is not fitted yet; call fit(X, Y, regions, own).")

    def predict_base(self, X, own):
        """Each region's base prediction from ``[shared, own]`` (no coupling): ndarray (n_samples, n_voxels)."""
        self._check_fitted()
        n = np.asarray(X).shape[0]
        D = self._designs(X, own, n)
        out = np.empty((n, len(self.voxel_region_)))
        for r, model in enumerate(self.base_):
            out[:, self.voxel_region_ == r] = model.predict(D[r]).reshape(n, -1)
        return out

    def predict(self, X, own):
        """Base prediction plus every source's coupling contribution: ndarray (n_samples, n_voxels)."""
        self._check_fitted()
        n = np.asarray(X).shape[0]
        D = self._designs(X, own, n)
        base = self.predict_base(X, own)
        out = base.copy()
        for r, t in enumerate(self._targets):
            Z = np.hstack([f(D[r], base[:, self.voxel_region_ == s]) for f, s in zip(t["resid"], t["sources"])])
            out[:, self.voxel_region_ == r] += ((Z - t["mu"]) / t["sd"]) @ t["A"] + t["e_mean"]
        return out

    def score_regions(self, X, own, Y, base=False):
        """Mean Pearson r over each region's voxels: ``{region: r}``."""
        pred = self.predict_base(X, own) if base else self.predict(X, own)
        r = np.nan_to_num(pearsonr(np.asarray(Y, dtype=float), pred))
        return {str(name): float(r[self.voxel_region_ == i].mean()) for i, name in enumerate(self.regions_)}
