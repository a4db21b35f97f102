"""The inter/intra-region connectivity encoder (Gamal et al. 2024, Fig. 1 and Fig. 5), as an sklearn estimator.

For each target region ``r`` the encoder refines the base model's predicted voxels with a linear map of the
predicted voxels of the regions allowed by ``mode``::

    Ỹ_r = A_rr · D(Ŷ_r) + Σ_{s≠r} A_rs · D(Ŷ_s) + b_r

``D`` is dropout. Our reading of the (unpublished) method, labelled as ours in the book:

* **Closed-form fit.** ``A`` is fitted by ridge regression in closed form (one SVD per target region,
  exact leave-one-out choice of one penalty per target voxel) instead of SGD: the model is linear, so the
  closed form is the exact minimiser of the MSE the paper presumably trained by gradient descent, it is
  deterministic and it takes milliseconds.
* **Dropout, marginalised.** For a linear map, inverted dropout of rate ``p`` on the inputs has expected loss
  ``||y − A z||² + p/(1−p) Σ_j a_j² ||z_j||²`` (Bishop 1995; Wager, Wang & Liang 2013). Inputs are z-scored,
  so ``||z_j||² = n`` and dropout adds the fixed penalty ``n·p/(1−p)`` to every candidate ``α``. This is
  the exact expectation of what SGD with dropout optimises, without the sampling noise.
* **Leak-free by default** (``inputs="crossfit"``): inside the training split the base model is refitted on
  ``cv`` folds, and ``A`` is trained on the *out-of-fold* base predictions, so the inputs ``A`` sees at
  training time are distributed like the test-time inputs (predictions for unseen clips). ``"insample"``
  trains ``A`` on the base model's in-sample (overfit) predictions. ``"measured"`` is the leaky reading the
  reviewers suspect: ``A`` is trained *and applied* on measured responses, so test-clip responses enter the
  prediction of the test clip; it is there to measure how much of a gain leakage can produce.
* ``zero_diagonal`` removes each voxel's own input (exact constrained ridge, via a rank-one correction);
  ``nonnegative`` constrains ``A ≥ 0`` (accelerated projected gradient on the same objective and penalty).
* **Region weights** (Fig. 5c): ``C[r, s] = mean |A_rs|`` over the block's entries (inputs standardised,
  so weights are comparable across regions), then divided by the largest entry of the whole matrix (one
  global rescale to [0, 1]; the published matrix has a diagonal of 1 in every row but LOC, which a per-row
  rescale could not give). A mean over ``V_s`` input weights shrinks as ``1/V_s`` when ridge spreads one
  direction over more voxels, so large source regions get small columns whatever the coupling.
  ``region_contributions_`` (the standard deviation of each source block's contribution) does not have that
  size effect.

What the region weights can identify. With ``inputs="crossfit"`` or ``"insample"`` the inputs are predicted
voxels ``Ŷ = X B`` of a base model linear in the features ``X`` (n_features < n_voxels, so ``Ŷ`` is
rank-deficient). Without noise and penalties, the least-squares map from ``Ŷ`` to ``Y`` is then
``Ŷ⁺Y = (P_X Y)⁺ P_X Y``: the orthogonal projector onto the row space of ``P_X Y`` in voxel space, an exactly
symmetric matrix whatever the direction of the coupling (``standardize=False`` gives exactly that map; the
book checks it numerically). The direction of a connection is therefore not identifiable from the
paper's model.
"""
from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from neurokit.errors import InputError, UnknownNameError, check_finite
from neurokit.regression import DEFAULT_ALPHAS, RidgeCV
from neurokit.regression._loo import loo_alphas, nonnegative_ridge, ridge_coef, ridge_inverse_columns, svd_design
from neurokit.stats import pearsonr

log = logging.getLogger(__name__)

MODES = ("intra", "inter", "full")
INPUTS = ("crossfit", "insample", "measured")


def default_base_estimator():
    """The default base model: z-scored features, then :class:`~neurokit.regression.RidgeCV` with one exact
    leave-one-out penalty per voxel."""
    return make_pipeline(StandardScaler(), RidgeCV(cv="loo"))


class ConnectivityEncoder(RegressorMixin, BaseEstimator):
    """Base encoder followed by an inter/intra-region connectivity map of the predicted voxels.

    Parameters
    ----------
    base_estimator : sklearn regressor or None
        Maps stimulus features to all voxels (multi-output). ``None`` uses :func:`default_base_estimator`
        (z-scored features, ridge with one leave-one-out alpha per voxel); any estimator with
        ``fit(X, Y)``/``predict(X)`` works, e.g. ``neurokit.regression.RidgeCV(cv=5)``.
    mode : {"full", "intra", "inter"}
        Which predicted regions feed target region ``r``: all (``full``), only ``r`` (``intra``), only the
        other regions (``inter``).
    inputs : {"crossfit", "insample", "measured"}
        What ``A`` is trained on (see the module notes). ``"crossfit"`` (default) is leak-free;
        ``"measured"`` is the leaky reading and needs ``Y_measured`` at prediction time.
    cv : int
        Number of folds for the cross-fitted base predictions (``inputs="crossfit"``).
    alphas : array-like of shape (n_alphas,) or None
        Candidate penalties for ``A`` (inputs z-scored); ``None`` = :data:`neurokit.regression.DEFAULT_ALPHAS`.
    dropout : float in [0, 1)
        Input dropout rate, applied in its marginalised (expected-loss) form.
    nonnegative : bool
        Constrain ``A ≥ 0``.
    zero_diagonal : bool
        Forbid each voxel from using its own (predicted or measured) response as an input.
    random_state : int
        Seed of the cross-fitting folds.
    standardize : bool
        z-score the connectivity inputs (default, so that one penalty suits every input). ``False`` fits ``A``
        on the centred inputs as they are, whose penalty-free limit is the projector of the module notes.

    Attributes
    ----------
    base_ : estimator
        The base model refitted on the whole training split.
    regions_ : ndarray of shape (n_regions,)
        Region names in order of first appearance.
    voxel_region_ : ndarray of int, shape (n_voxels,)
        Index into ``regions_`` of every voxel.
    coef_ : ndarray of shape (n_voxels, n_voxels)
        ``coef_[j, i]`` is the weight of (standardised) input voxel ``i`` on output voxel ``j`` (sklearn's
        orientation: targets × inputs); entries outside the blocks allowed by ``mode`` are zero. The paper's
        ``A_rs`` is ``coef_[voxels of r][:, voxels of s]``.
    intercept_ : ndarray of shape (n_voxels,)
    alpha_ : ndarray of shape (n_voxels,)
        Penalty chosen for each output voxel (including the dropout penalty).
    input_mean_, input_scale_ : ndarray of shape (n_voxels,)
        Standardisation of the connectivity inputs.
    region_weights_raw_ : ndarray of shape (n_regions, n_regions)
        ``mean |A_rs|`` (rows target ``r``, columns source ``s``).
    region_weights_ : ndarray of shape (n_regions, n_regions)
        ``region_weights_raw_`` divided by its maximum (values in [0, 1]).
    region_contributions_raw_, region_contributions_ : ndarray of shape (n_regions, n_regions)
        Standard deviation over training clips of each source block's contribution to each target voxel,
        averaged over the target's voxels (raw, and divided by its maximum).
    """

    def __init__(self, base_estimator=None, mode="full", inputs="crossfit", cv=5, alphas=None,
                 dropout=0.0, nonnegative=False, zero_diagonal=False, random_state=0, standardize=True):
        self.base_estimator = base_estimator
        self.mode = mode
        self.inputs = inputs
        self.cv = cv
        self.alphas = alphas
        self.dropout = dropout
        self.nonnegative = nonnegative
        self.zero_diagonal = zero_diagonal
        self.random_state = random_state
        self.standardize = standardize

    # ------------------------------------------------------------------ validation
    def _validate_params(self, n_samples):
        if self.mode not in MODES:
            raise UnknownNameError("connectivity mode", self.mode, MODES)
        if self.inputs not in INPUTS:
            raise UnknownNameError("connectivity input", self.inputs, INPUTS)
        if not (0.0 <= float(self.dropout) < 1.0):
            raise InputError(f"dropout={self.dropout!r} must lie in [0, 1); use e.g. dropout=0.2.")
        if self.inputs == "crossfit":
            if int(self.cv) < 2:
                raise InputError(f"cv={self.cv!r}: cross-fitting needs at least 2 folds (e.g. cv=5).")
            if n_samples < 2 * int(self.cv):
                raise InputError(
                    f"only {n_samples} training samples for cv={self.cv} cross-fitting folds; "
                    "lower cv or pass more samples."
                )

    @staticmethod
    def _check_XY(X, Y):
        X = np.asarray(X, dtype=float)
        Y = np.asarray(Y, dtype=float)
        if X.ndim != 2:
            raise InputError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}.")
        if Y.ndim == 1:
            Y = Y[:, None]
        if Y.ndim != 2:
            raise InputError(f"Y must be 2-D (n_samples, n_voxels); got shape {Y.shape}.")
        if X.shape[0] != Y.shape[0]:
            raise InputError(
                f"X has {X.shape[0]} samples but Y has {Y.shape[0]}; they must be the same clips in the same order."
            )
        check_finite(X, "X")
        check_finite(Y, "Y")
        return X, Y

    # ------------------------------------------------------------------ fitting
    def fit(self, X, Y, regions=None):
        """Fit the base model and the connectivity map.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Stimulus features (e.g. a video model's block features).
        Y : ndarray of shape (n_samples, n_voxels)
            Measured responses of every voxel of every region.
        regions : array-like of shape (n_voxels,), optional
            Region label of every voxel (e.g. ``"V1"``). ``None``: one region.

        Returns
        -------
        self
        """
        self._y_1d = np.ndim(Y) == 1
        X, Y = self._check_XY(X, Y)
        n, v = Y.shape
        self._validate_params(n)
        if regions is None:
            regions = np.zeros(v, dtype=int)
        regions = np.asarray(regions)
        if regions.shape != (v,):
            raise InputError(
                f"regions must give one label per voxel: shape ({v},), got {regions.shape}."
            )
        names = list(dict.fromkeys(regions.tolist()))
        self.regions_ = np.asarray(names)
        lookup = {name: i for i, name in enumerate(names)}
        self.voxel_region_ = np.array([lookup[x] for x in regions.tolist()])
        if self.mode == "inter" and len(names) < 2:
            raise InputError("mode='inter' needs at least two regions (inputs come from the other regions).")
        self.n_features_in_ = X.shape[1]

        base = default_base_estimator() if self.base_estimator is None else self.base_estimator
        self.base_ = clone(base).fit(X, Y)
        if self.inputs == "crossfit":
            P = np.empty_like(Y)
            folds = KFold(int(self.cv), shuffle=True, random_state=self.random_state)
            for train, held in folds.split(X):
                P[held] = clone(base).fit(X[train], Y[train]).predict(X[held]).reshape(len(held), v)
        elif self.inputs == "insample":
            P = self.base_.predict(X).reshape(n, v)
        else:  # measured: the leaky reading
            P = Y.copy()
        self._train = {"inputs": P, "kind": self.inputs, "Y": Y}
        self._fit_connectivity(P, Y)
        return self

    #: Parameters :meth:`refit` may change (everything that acts after the base model).
    REFIT_PARAMS = ("mode", "inputs", "alphas", "dropout", "nonnegative", "zero_diagonal", "standardize")

    def refit(self, regions=None, **params):
        """A copy with other connectivity settings, on the same base model and the same base predictions.

        Cross-fitting the base model is most of the cost of a fit; variants of the connectivity map (``mode``,
        ``dropout``, ``zero_diagonal``, another grouping of the voxels into regions …) share it. The result is
        the fit a new encoder with these parameters would give on the same training data.

        Parameters
        ----------
        regions : array-like of shape (n_voxels,), optional
            Another region label per voxel (default: the fitted one).
        **params
            Any of ``REFIT_PARAMS``. ``inputs`` may switch to ``"measured"``, or stay what it was.

        Returns
        -------
        ConnectivityEncoder
        """
        self._check_fitted()
        bad = sorted(set(params) - set(self.REFIT_PARAMS))
        if bad:
            raise InputError(f"refit cannot change {bad} (they change the base model); allowed: "
                             f"{list(self.REFIT_PARAMS)}. Fit a new encoder instead.")
        new = clone(self).set_params(**params)
        Y = self._train["Y"]
        new._validate_params(Y.shape[0])
        if new.inputs == "measured":
            P = Y
        elif new.inputs == self._train["kind"]:
            P = self._train["inputs"]
        else:
            raise InputError(f"refit cannot switch inputs from {self._train['kind']!r} to {new.inputs!r}; fit a "
                             "new encoder.")
        for name in ("base_", "n_features_in_", "_y_1d"):
            setattr(new, name, getattr(self, name))
        if regions is None:
            new.regions_, new.voxel_region_ = self.regions_, self.voxel_region_
        else:
            regions = np.asarray(regions)
            if regions.shape != (Y.shape[1],):
                raise InputError(f"regions must give one label per voxel: shape ({Y.shape[1]},), got {regions.shape}.")
            names = list(dict.fromkeys(regions.tolist()))
            lookup = {name: i for i, name in enumerate(names)}
            new.regions_ = np.asarray(names)
            new.voxel_region_ = np.array([lookup[x] for x in regions.tolist()])
        new._train = {"inputs": P, "kind": new.inputs, "Y": Y} if new.inputs != "measured" else \
            {**self._train}
        new._fit_connectivity(P, Y)
        return new

    def _fit_connectivity(self, P, Y):
        n, v = Y.shape
        self.input_mean_ = P.mean(0)
        scale = P.std(0) if self.standardize else np.ones(v)
        scale[scale == 0] = 1.0
        self.input_scale_ = scale
        Z = (P - self.input_mean_) / scale
        y_mean = Y.mean(0)
        Yc = Y - y_mean
        alphas = DEFAULT_ALPHAS if self.alphas is None else np.asarray(self.alphas, dtype=float)
        p = float(self.dropout)
        offset = n * p / (1.0 - p)
        coef = np.zeros((v, v))
        alpha = np.zeros(v)
        svd_cache = {}
        for r in range(len(self.regions_)):
            tgt = np.flatnonzero(self.voxel_region_ == r)
            if self.mode == "intra":
                src = tgt
            elif self.mode == "inter":
                src = np.flatnonzero(self.voxel_region_ != r)
            else:
                src = np.arange(v)
            key = src.tobytes()
            if key not in svd_cache:  # "full" mode shares one design across target regions
                svd_cache = {key: svd_design(Z[:, src])}
            U, s, Vt = svd_cache[key]
            drop = None
            if self.zero_diagonal and self.mode != "inter":
                drop = np.searchsorted(src, tgt)                   # row of each target's own input
            a_t, _ = loo_alphas(U, s, Yc[:, tgt], alphas, offset=offset, Vt=Vt, drop=drop)
            A = ridge_coef(U, s, Vt, Yc[:, tgt], a_t)              # (len(src), len(tgt))
            mask = None
            if drop is not None:  # exact constrained ridge: A[own, j] = 0
                H = ridge_inverse_columns(s, Vt, drop, a_t)
                cols = np.arange(len(tgt))
                A = A - H * (A[drop, cols] / H[drop, cols])[None, :]
                A[drop, cols] = 0.0
                mask = np.ones_like(A, dtype=bool)
                mask[drop, cols] = False
            if self.nonnegative:
                Zs = Z[:, src]
                A = nonnegative_ridge(Zs.T @ Zs, Zs.T @ Yc[:, tgt], a_t, mask=mask, coef0=A)
            coef[np.ix_(tgt, src)] = A.T
            alpha[tgt] = a_t
        self.coef_ = coef
        self.intercept_ = y_mean
        self.alpha_ = alpha
        k = len(self.regions_)
        raw = np.zeros((k, k))
        contrib = np.zeros((k, k))
        for r in range(k):
            out = self.voxel_region_ == r
            for s_ in range(k):
                inp = self.voxel_region_ == s_
                block = coef[np.ix_(out, inp)]
                raw[r, s_] = np.abs(block).mean()
                contrib[r, s_] = (Z[:, inp] @ block.T).std(0).mean()
        self.region_weights_raw_ = raw
        self.region_contributions_raw_ = contrib
        self.region_weights_ = raw / raw.max() if raw.max() > 0 else raw
        self.region_contributions_ = contrib / contrib.max() if contrib.max() > 0 else contrib

    # ------------------------------------------------------------------ prediction
    def _inputs_for(self, X, Y_measured):
        if self.inputs == "measured":
            if Y_measured is None:
                raise InputError(
                    "this encoder was fitted with inputs='measured' (the leaky reading): its inputs are the "
                    "measured responses, so predict() needs Y_measured=<measured responses of these clips>. "
                    "Use inputs='crossfit' for the leak-free encoder that predicts from X alone."
                )
            Ym = np.asarray(Y_measured, dtype=float)
            if Ym.ndim == 1:
                Ym = Ym[:, None]
            if Ym.shape[1] != self.coef_.shape[1]:
                raise InputError(
                    f"Y_measured has {Ym.shape[1]} voxels; the encoder was fitted on {self.coef_.shape[1]}."
                )
            check_finite(Ym, "Y_measured")
            return Ym
        return self.predict_base(X)

    def predict_base(self, X):
        """The base model's predictions (no connectivity).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_voxels)
        """
        self._check_fitted()
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise InputError(
                f"X must have shape (n_samples, {self.n_features_in_}) like the training features; got {X.shape}."
            )
        check_finite(X, "X")
        return self.base_.predict(X).reshape(X.shape[0], -1)

    def predict(self, X, Y_measured=None):
        """Predicted voxels with connectivity priors.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        Y_measured : ndarray of shape (n_samples, n_voxels), optional
            Only for ``inputs="measured"`` (the leaky reading): the measured responses used as inputs.

        Returns
        -------
        ndarray of shape (n_samples, n_voxels)
        """
        self._check_fitted()
        P = self._inputs_for(X, Y_measured)
        out = ((P - self.input_mean_) / self.input_scale_) @ self.coef_.T + self.intercept_
        return out.ravel() if out.shape[1] == 1 and getattr(self, "_y_1d", False) else out

    def score_voxels(self, X, Y, Y_measured=None, base=False):
        """Pearson r per voxel between predictions and ``Y``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        Y : ndarray of shape (n_samples, n_voxels)
        Y_measured : ndarray, optional
            Inputs for ``inputs="measured"``.
        base : bool
            Score the base model instead of the connectivity encoder.

        Returns
        -------
        ndarray of shape (n_voxels,)
        """
        pred = self.predict_base(X) if base else self.predict(X, Y_measured=Y_measured)
        r = pearsonr(np.asarray(Y, dtype=float).reshape(len(pred), -1), pred.reshape(len(pred), -1))
        return np.nan_to_num(np.atleast_1d(r))  # a constant prediction (e.g. a zeroed voxel) scores 0

    def score_regions(self, X, Y, Y_measured=None, base=False):
        """Mean Pearson r over each region's voxels.

        Returns
        -------
        dict
            ``{region name: mean r}`` in the order of ``regions_``.
        """
        r = self.score_voxels(X, Y, Y_measured=Y_measured, base=base)
        return {str(name): float(r[self.voxel_region_ == i].mean()) for i, name in enumerate(self.regions_)}

    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this ConnectivityEncoder is not fitted yet; call fit(X, Y, regions) first.")
