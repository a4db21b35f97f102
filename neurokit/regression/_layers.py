"""The layer-weighted encoding model of the paper's Eq. 1 (several DNN blocks at once)."""
from __future__ import annotations

import numpy as np
from scipy.optimize import nnls
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from neurokit.errors import InputError, check_finite
from neurokit.regression._ridge import RidgeCV, make_folds


def as_layers(Xs, n_expected=None, names_expected=None):
    """Normalise per-layer features to (names, list of float arrays of shape (n_samples, n_features_l)).

    ``Xs`` is a dict ``{layer_name: array}`` (order kept) or a list/tuple of arrays (named "0", "1", …).
    """
    if isinstance(Xs, dict):
        names, mats = [str(k) for k in Xs], list(Xs.values())
    elif isinstance(Xs, (list, tuple)):
        names, mats = [str(i) for i in range(len(Xs))], list(Xs)
    else:
        raise InputError("layer features must be a dict {layer: (n_samples, n_features)} or a list of such "
                         f"arrays, got {type(Xs).__name__}.")
    if not mats:
        raise InputError("no layers given; pass at least one (n_samples, n_features) feature matrix.")
    out = []
    for name, m in zip(names, mats):
        a = np.asarray(m, dtype=np.float64) if np.asarray(m).dtype != np.float32 else np.asarray(m)
        if a.ndim != 2:
            raise InputError(f"layer {name!r} features must be 2-D (n_samples, n_features), got shape {a.shape}.")
        check_finite(a, f"features of layer {name!r}")
        out.append(a)
    n = {a.shape[0] for a in out}
    if len(n) != 1:
        raise InputError(f"all layers must have the same number of samples (rows), got {sorted(n)}.")
    if n_expected is not None and out[0].shape[0] != n_expected:
        raise InputError(f"layer features have {out[0].shape[0]} rows but Y has {n_expected}; rows must match.")
    if names_expected is not None and names != names_expected:
        raise InputError(f"layers {names} do not match the layers seen in fit {names_expected}.")
    return names, out


def _check_y(Y, n):
    Y = np.asarray(Y)
    if Y.ndim not in (1, 2):
        raise InputError(f"Y must be 1-D or 2-D (n_samples, n_targets), got ndim={Y.ndim}.")
    Y = Y.astype(np.float64 if Y.dtype != np.float32 else np.float32)
    check_finite(Y, "Y")
    return Y


def nnls_stack(P, Y, per_target=False):
    """Non-negative weights ω (and an intercept) for ``Y ≈ Σ_l ω_l P_l + c``.

    Parameters
    ----------
    P : ndarray of shape (n_layers, n_samples, n_targets)  out-of-fold predictions of each layer
    Y : ndarray of shape (n_samples, n_targets)
    per_target : bool
        False: one ω shared by all targets (Eq. 1: one scalar per block for the ROI); True: ω per target.

    Returns
    -------
    omega : ndarray of shape (n_layers,) or (n_layers, n_targets)
    intercept : ndarray of shape (n_targets,)
    """
    Pc = P - P.mean(axis=1, keepdims=True)
    Yc = Y - Y.mean(axis=0)
    L = P.shape[0]
    if not per_target:
        # min ||Yc - Σ ω_l Pc_l||_F² over ω >= 0, in its L x L Gram form: G = R^T R, b -> R^{-T} b
        G = np.einsum("lnv,mnv->lm", Pc, Pc)
        b = np.einsum("lnv,nv->l", Pc, Yc)
        G = G + 1e-12 * np.trace(G) / L * np.eye(L)
        R = np.linalg.cholesky(G).T
        omega, _ = nnls(R, np.linalg.solve(R.T, b))
        intercept = Y.mean(0) - np.tensordot(omega, P.mean(axis=1), axes=1)
        return omega, intercept
    omega = np.zeros((L, Y.shape[1]))
    for j in range(Y.shape[1]):
        omega[:, j], _ = nnls(Pc[:, :, j].T, Yc[:, j])
    intercept = Y.mean(0) - np.einsum("lv,lv->v", omega, P.mean(axis=1))
    return omega, intercept


class _LayerEncoder(RegressorMixin, BaseEstimator):
    """Input preparation in ``fit`` and per-target R² in ``score`` for encoders over several layers."""

    def _prepare_fit(self, Xs, y, option: str, allowed: tuple[str, ...]):
        """Check the mode option, the targets and the layers; return ``(names, mats, Y2)`` with 2-D ``Y2``."""
        value = getattr(self, option)
        if value not in allowed:
            raise InputError(f"{option} must be " + " or ".join(repr(a) for a in allowed) + f", got {value!r}.")
        Y = _check_y(y, None)
        names, mats = as_layers(Xs, n_expected=Y.shape[0])
        self._y_1d = Y.ndim == 1
        return names, mats, (Y[:, None] if self._y_1d else Y)

    def score(self, Xs, y, sample_weight=None):
        """R² per target (ndarray of shape (n_targets,), or float for 1-D y)."""
        from sklearn.metrics import r2_score

        Y = np.asarray(y)
        out = r2_score(Y, self.predict(Xs), sample_weight=sample_weight, multioutput="raw_values")
        return float(out[0]) if Y.ndim == 1 else out


class LayerWeightedEncoder(_LayerEncoder):
    """Layer-weighted encoding model, Eq. 1 of the paper: ``Ŷ = Σ_l ω_l W_l X_l``.

    Fitting (our principled choice; the paper does not say how it fitted Eq. 1):

    1. **Per layer**, a :class:`RidgeCV` (alpha per voxel by inner K-fold CV) maps block-l features to the
       voxels, giving ``W_l``.
    2. **Layer weights** ``ω_l >= 0`` are fitted by non-negative least squares on *out-of-fold* predictions
       of those per-layer models (stacked generalisation, Wolpert 1992 / Breiman 1996): for each of ``cv``
       outer folds the per-layer ridges are fitted on the other folds and predict the held-out one, so ω is
       chosen on predictions the ridges never saw. This avoids favouring the layer that overfits most.
    3. The per-layer ridges are refit on all samples; ``coef_`` is the concatenation of ``ω_l W_l``.

    ``ω`` is free in scale, so the 1/L normalisation a reviewer asked about is absorbed into it.
    Zhou et al. (2022) instead fit ω and all W_l jointly by gradient descent with sparsity penalties; this
    closed-form version is deterministic and needs no learning-rate or epoch tuning.

    Parameters
    ----------
    alphas : array-like or None
        Ridge alphas for every layer (None: ``np.logspace(-2, 6, 20)``).
    cv : int or splitter, default 5
        Outer folds for the out-of-fold predictions that fit ω.
    inner_cv : int or splitter, default 5
        Folds of each per-layer RidgeCV (alpha selection).
    layer_weights : {"shared", "per_target"}, default "shared"
        "shared": one ω_l per layer for all targets (the ROI), as in Eq. 1; "per_target": one per voxel.
    backend, dtype, n_targets_batch : passed to :class:`RidgeCV`.

    Attributes
    ----------
    layer_names_ : list of str
    layer_weights_ : ndarray of shape (n_layers,) or (n_layers, n_targets)
    layer_models_ : list of RidgeCV, fitted on all samples
    coef_ : ndarray of shape (n_targets, sum of n_features_l)  the combined Eq. 1 weights
    intercept_ : ndarray of shape (n_targets,)
    oof_predictions_ : ndarray of shape (n_layers, n_samples, n_targets)

    Notes
    -----
    Takes a dict or list of per-layer matrices instead of one X, so sklearn's ``check_estimator`` (which
    feeds single arrays) does not apply; the per-layer estimator it wraps passes it.
    """

    def __init__(self, alphas=None, cv=5, inner_cv=5, layer_weights="shared", backend="numpy", dtype=None,
                 n_targets_batch=None):
        self.alphas = alphas
        self.cv = cv
        self.inner_cv = inner_cv
        self.layer_weights = layer_weights
        self.backend = backend
        self.dtype = dtype
        self.n_targets_batch = n_targets_batch

    def _ridge(self):
        return RidgeCV(alphas=self.alphas, cv=self.inner_cv, backend=self.backend, dtype=self.dtype,
                       n_targets_batch=self.n_targets_batch)

    def fit(self, Xs, y):
        """Fit per-layer ridges, the layer weights on out-of-fold predictions, then refit.

        Parameters
        ----------
        Xs : dict or list of array-like of shape (n_samples, n_features_l)
        y : array-like of shape (n_samples, n_targets) or (n_samples,)

        Returns
        -------
        self
        """
        names, mats, Y2 = self._prepare_fit(Xs, y, "layer_weights", ("shared", "per_target"))
        folds = make_folds(self.cv, Y2.shape[0])
        P = np.zeros((len(mats), *Y2.shape))
        for li, X in enumerate(mats):
            for tr, va in folds:
                P[li][va] = self._ridge().fit(X[tr], Y2[tr]).predict(X[va])
        covered = np.zeros(Y2.shape[0], bool)
        for _, va in folds:
            covered[va] = True
        if not covered.all():
            raise InputError("the outer cv must give every sample a validation fold (e.g. KFold), so that ω is "
                             "fitted on out-of-fold predictions of all samples.")
        omega, icpt = nnls_stack(P, Y2, per_target=self.layer_weights == "per_target")
        self.layer_models_ = [self._ridge().fit(X, Y2) for X in mats]
        om = omega if omega.ndim == 2 else np.repeat(omega[:, None], Y2.shape[1], axis=1)
        self.coef_ = np.concatenate([m.coef_ * om[li][:, None] for li, m in enumerate(self.layer_models_)], axis=1)
        self.intercept_ = icpt + sum(om[li] * m.intercept_ for li, m in enumerate(self.layer_models_))
        self.layer_names_ = names
        self.layer_weights_ = omega
        self.oof_predictions_ = P
        self.n_layers_ = len(mats)
        return self

    def predict(self, Xs):
        """Predict ``Σ_l ω_l (X_l W_l^T) + intercept``.

        Parameters
        ----------
        Xs : dict or list of array-like of shape (n_samples, n_features_l), the layers seen in ``fit``

        Returns
        -------
        ndarray of shape (n_samples, n_targets), or (n_samples,) if fitted on 1-D y
        """
        check_is_fitted(self, "coef_")
        names, mats = as_layers(Xs, names_expected=self.layer_names_)
        X = np.concatenate(mats, axis=1)
        if X.shape[1] != self.coef_.shape[1]:
            raise InputError(f"layer features have {X.shape[1]} columns in all, fit saw {self.coef_.shape[1]}.")
        out = X @ self.coef_.T + self.intercept_
        return out[:, 0] if self._y_1d else out
