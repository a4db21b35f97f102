"""Batched ridge regression with one cross-validated alpha per target (voxel)."""
from __future__ import annotations

import logging
import numbers

import numpy as np
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from neurokit.errors import InputError, UnknownNameError, check_finite
from neurokit.regression._backend import get_backend
from neurokit.regression._loo import loo_alphas, ridge_coef, svd_design
from neurokit.regression._solvers import SOLVERS

logger = logging.getLogger(__name__)

#: The one default grid of ridge penalties (every estimator of the package that selects a penalty uses it).
DEFAULT_ALPHAS = np.logspace(-2, 6, 20)
DEFAULT_BATCH = 4096
SCORE_BLOCK = 2048  # targets per alpha-GEMM block: keeps the held-out predictions in cache


def check_alphas(alphas) -> np.ndarray:
    """Return ``alphas`` as a 1-D float64 array, or raise :class:`InputError` if any is not > 0 and finite."""
    a = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    if a.ndim != 1 or a.size == 0:
        raise InputError(f"alphas must be a non-empty 1-D sequence of positive numbers, got shape {a.shape}.")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise InputError(
            f"alphas must be positive and finite (ridge needs alpha > 0); got {a.tolist()}. "
            "Use e.g. np.logspace(-2, 6, 20)."
        )
    return a


def make_folds(cv, n_samples: int, X=None, Y=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Materialise ``cv`` into a list of (train, validation) index arrays.

    Parameters
    ----------
    cv : int, sklearn splitter or iterable of (train, validation) index pairs
        An int means unshuffled ``KFold(cv)``.
    n_samples : int
    """
    from sklearn.model_selection import KFold

    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise InputError(f"cv={cv}: cross-validation needs at least 2 folds; use cv>=2.")
        if n_samples < cv:
            raise InputError(
                f"cannot make {cv} folds from n_samples={n_samples}: there are fewer samples than folds. "
                f"Use cv<={n_samples} or provide more samples."
            )
        cv = KFold(int(cv))
    Xd = np.zeros((n_samples, 1)) if X is None else X
    if isinstance(cv, (str, bytes, bool, numbers.Number)):
        raise InputError(
            f"cv must be an int >= 2, an sklearn splitter or a list of (train, test) pairs, got {cv!r}."
        )
    if hasattr(cv, "split"):
        try:
            folds = list(cv.split(Xd, Y))
        except ValueError as err:
            raise InputError(f"the CV splitter {cv!r} failed on n_samples={n_samples}: {err}") from err
    else:
        try:
            folds = list(cv)
        except TypeError as err:
            raise InputError(
                f"cv must be an int, an sklearn splitter or an iterable of (train, test) pairs, got {cv!r}."
            ) from err
    if not folds:
        raise InputError("cv produced no folds; give at least one (train, validation) split.")
    out = []
    for i, fold in enumerate(folds):
        tr, va = (np.asarray(f) for f in fold)
        if tr.dtype == bool:
            tr, va = np.flatnonzero(tr), np.flatnonzero(va)
        if tr.size < 1 or va.size < 1:
            raise InputError(f"CV fold {i} has {tr.size} training and {va.size} validation samples; both must be >= 1.")
        if tr.max() >= n_samples or va.max() >= n_samples:
            raise InputError(
                f"CV fold {i} indexes sample {max(tr.max(), va.max())} but there are only n_samples={n_samples}."
            )
        out.append((tr.astype(np.intp), va.astype(np.intp)))
    return out


def _check_loo_trap(X: np.ndarray, folds, fit_intercept: bool) -> None:
    """Refuse leave-one-out on pre-centred data without an intercept when the model can interpolate.

    With column-centred X and ``fit_intercept=False`` every row is minus the sum of the others; once
    n_features >= n_train the fit interpolates and predicts each left-out row almost exactly, so the LOO
    error goes to 0 as alpha -> 0 and the smallest alpha always wins (see the ridge performance reference).
    """
    if fit_intercept:
        return
    if not any(va.size == 1 for _, va in folds):
        return
    n_tr = min(tr.size for tr, _ in folds)
    centred = np.allclose(X.mean(axis=0), 0.0, atol=1e-8 * (np.abs(X).max() + 1e-300))
    if centred and X.shape[1] >= n_tr - 1:
        raise InputError(
            "leave-one-out CV on column-centred X with fit_intercept=False and n_features >= n_train - 1 "
            "is degenerate (each left-out row is predicted from the others almost exactly, so the smallest "
            "alpha always wins). Use fit_intercept=True, or K-fold CV (e.g. cv=5)."
        )


def ridge_cv_path(be, X, Y, folds, alphas, solver, fit_intercept, batch):
    """Cross-validated ridge with one alpha per target, then the refit on all samples.

    Parameters
    ----------
    be : backend from :func:`neurokit.regression._backend.get_backend`
    X : array of shape (n_samples, n_features), on ``be``
    Y : array of shape (n_samples, n_targets), on ``be``
    folds : list of (train, validation) index arrays
    alphas : ndarray of shape (n_alphas,)
    solver : {"svd", "eig"}
    fit_intercept : bool
        Centre X and Y with the *training* means inside every fold and in the refit.
    batch : int
        Targets per chunk; working memory is O(n_alphas * n_val * batch), independent of n_targets.

    Returns
    -------
    coef : ndarray of shape (n_targets, n_features)
    intercept : ndarray of shape (n_targets,)
    best : ndarray of shape (n_targets,)  index of the chosen alpha
    scores : ndarray of shape (n_alphas, n_targets)  mean over folds of the held-out MSE
    """
    factor = SOLVERS[solver]
    n, v = Y.shape
    na = len(alphas)
    al = be.asarray(alphas)
    # one factorisation per fold, shared by all alphas and all targets
    prepared = []
    for tr, va in folds:
        Xtr, Xva = be.index(X, tr), be.index(X, va)
        if fit_intercept:
            mx = be.mean0(Xtr)
            Xtr, Xva = Xtr - mx, Xva - mx
        f = factor(be, Xtr)
        A = f.heldout(Xva)  # (n_val, k)
        W = f.weights(al)  # (n_alphas, k)
        # all alphas stacked into one matrix: the held-out predictions for every alpha are ONE GEMM
        big = (W[:, None, :] * A[None]).reshape(na * len(va), -1)
        k = big.shape[1]
        # Fold the projection U^T into the stacked matrix when that is cheaper per target:
        # (na*n_val x k)(k x n_tr) once, then one (na*n_val x n_tr) GEMM per chunk instead of
        # U^T Y_tr (k x n_tr x chunk) followed by (na*n_val x k x chunk).
        if na * len(va) * len(tr) < k * len(tr) + na * len(va) * k:
            prepared.append((tr, va, None, big @ f.U.T))
        else:
            prepared.append((tr, va, f.U, big))
        del Xtr, Xva, A, f
    Xc = X
    mx_full = None
    if fit_intercept:
        mx_full = be.mean0(X)
        Xc = X - mx_full
    full = factor(be, Xc)
    W_full = full.weights(al)  # (n_alphas, k)

    coef = np.empty((v, X.shape[1]), dtype=np.dtype(str(be.dtype).replace("torch.", "")))
    intercept = np.zeros(v, dtype=coef.dtype)
    best_all = np.empty(v, dtype=np.intp)
    scores_all = np.empty((na, v), dtype=np.float64)
    scratch = be.empty(max(b.shape[0] for *_, b in prepared) * min(SCORE_BLOCK, batch, v))
    for c0 in range(0, v, batch):
        c1 = min(v, c0 + batch)
        Yc = Y[:, c0:c1]
        scores = be.zeros((na, c1 - c0), float64=True)
        for tr, va, U, big in prepared:
            Ytr, Yva = be.index(Yc, tr), be.index(Yc, va)
            if fit_intercept:
                my = be.mean0(Ytr)
                Ytr, Yva = Ytr - my, Yva - my
            UtY = Ytr if U is None else U.T @ Ytr  # (k, chunk), or Y_tr itself when U^T is folded in
            # score in sub-blocks whose (n_alphas * n_val, block) predictions stay cache-resident
            for s0 in range(0, c1 - c0, SCORE_BLOCK):
                s1 = min(c1 - c0, s0 + SCORE_BLOCK)
                P = be.matmul(big, UtY[:, s0:s1], out=scratch[: big.shape[0] * (s1 - s0)].reshape(-1, s1 - s0))
                P = P.reshape(na, len(va), s1 - s0)
                scores[:, s0:s1] += be.sq_err_sum(P, Yva[:, s0:s1]) / len(va)
            del P, Ytr, Yva, UtY
        scores /= len(folds)
        best = be.argmin0(scores)  # first minimum: ties go to the earlier alpha in `alphas`
        Yfit = Yc
        if fit_intercept:
            my_full = be.mean0(Yc)
            Yfit = Yc - my_full
        M = be.take(W_full, best).T * (full.U.T @ Yfit)  # (k, chunk)
        Ct = full.primal_t(M, cache_basis=v >= X.shape[1])  # (chunk, n_features)
        coef[c0:c1] = be.to_numpy(Ct)
        if fit_intercept:
            intercept[c0:c1] = be.to_numpy(my_full - Ct @ mx_full)
        best_all[c0:c1] = be.to_numpy(best)
        scores_all[:, c0:c1] = be.to_numpy(scores)
    return coef, intercept, best_all, scores_all


class RidgeCV(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Ridge regression for many targets with one cross-validated alpha **per target**.

    For every fold and for the refit, the (centred) design is factorised once (thin SVD, or the
    eigendecomposition of the Gram matrix when n_features > n_samples) and shared by all alphas and
    targets; the held-out predictions for all alphas come out of one matrix product per chunk of targets.
    Each target gets the alpha with the lowest mean held-out MSE over the folds (ties: the earlier one in
    ``alphas``), and is then refit on all samples with that alpha.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,) or None, default None
        Candidate regularisation strengths; all must be > 0. None means ``np.logspace(-2, 6, 20)``
        (:data:`DEFAULT_ALPHAS`; an array default would break sklearn's parameter repr).
    cv : int, "loo", sklearn splitter or iterable of (train, validation) pairs, default 5
        An int means unshuffled ``KFold(cv)`` (contiguous blocks: right for time series and for
        stimulus-ordered data). ``"loo"`` selects each target's alpha by its exact leave-one-out error, from one
        SVD of the centred design (:mod:`neurokit.regression._loo`; numpy backend, needs ``fit_intercept=True``).
        Leave-one-out folds given as a splitter are refused on column-centred X with ``fit_intercept=False``
        when n_features >= n_train - 1, where they are degenerate.
    fit_intercept : bool, default True
        Fit an intercept per target. X and Y are centred with the *training-fold* means inside every
        CV fold (the validation rows with the same means), so no validation statistics leak into training.
    backend : {"numpy", "torch"}, default "numpy"
        "torch" runs on CUDA when torch sees a GPU (see ``device``), otherwise on the CPU.
    dtype : {None, "float32", "float64"}, default None
        Compute precision. None keeps float32 input as float32 and uses float64 otherwise.
        CV scores are always accumulated in float64.
    n_targets_batch : int or None, default None
        Targets per chunk (None: 4096). Working memory is O(n_alphas * n_val * n_targets_batch + n * k)
        and does not grow with n_targets (the outputs ``coef_`` and ``cv_scores_`` of course do).
    solver : {"auto", "svd", "eig"}, default "auto"
        A key of :data:`neurokit.regression.SOLVERS`. "auto": "svd" when n_features <= n_train, else "eig".
    device : str or None, default None
        torch device for ``backend="torch"``; None/"auto" picks CUDA if available.

    Attributes
    ----------
    coef_ : ndarray of shape (n_targets, n_features), or (n_features,) when fitted on 1-D y
    intercept_ : ndarray of shape (n_targets,), or float for 1-D y
    best_alphas_ : ndarray of shape (n_targets,)
    cv_scores_ : ndarray of shape (n_alphas, n_targets)
        Mean over folds of the held-out **mean squared error** (positive; lower is better).
    alphas_ : ndarray of shape (n_alphas,)
    solver_ : str
        The solver actually used.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from neurokit.regression import RidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 10)); Y = X @ rng.standard_normal((10, 3))
    >>> model = RidgeCV(alphas=[0.1, 1.0, 10.0]).fit(X, Y)
    >>> model.coef_.shape, model.best_alphas_.shape, model.score(X, Y).shape
    ((3, 10), (3,), (3,))
    """

    def __init__(self, alphas=None, cv=5, fit_intercept=True, backend="numpy", dtype=None,
                 n_targets_batch=None, solver="auto", device=None):
        self.alphas = alphas
        self.cv = cv
        self.fit_intercept = fit_intercept
        self.backend = backend
        self.dtype = dtype
        self.n_targets_batch = n_targets_batch
        self.solver = solver
        self.device = device

    def _resolve_dtype(self, X):
        if self.dtype is None:
            return np.float32 if X.dtype == np.float32 else np.float64
        dt = np.dtype(self.dtype)
        if dt not in (np.dtype("float32"), np.dtype("float64")):
            raise InputError(f"dtype must be None, 'float32' or 'float64', got {self.dtype!r}.")
        return dt

    def fit(self, X, y):
        """Select one alpha per target by K-fold CV and refit on all samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_targets) or (n_samples,)

        Returns
        -------
        self
        """
        X, Y = _validate_xy(self, X, y)
        self._y_1d = Y.ndim == 1
        Y2 = Y[:, None] if self._y_1d else Y
        alphas = check_alphas(DEFAULT_ALPHAS if self.alphas is None else self.alphas)
        if isinstance(self.cv, str) and self.cv == "loo":
            return self._fit_loo(X, Y2, alphas)
        folds = make_folds(self.cv, X.shape[0], X, None)
        _check_loo_trap(X, folds, self.fit_intercept)
        if self.solver not in (*SOLVERS, "auto"):
            raise UnknownNameError("solver", self.solver, (*SOLVERS, "auto"))
        n_tr = min(tr.size for tr, _ in folds)
        solver = self.solver if self.solver != "auto" else ("svd" if X.shape[1] <= n_tr else "eig")
        batch = DEFAULT_BATCH if self.n_targets_batch is None else int(self.n_targets_batch)
        if batch < 1:
            raise InputError(f"n_targets_batch must be a positive int or None, got {self.n_targets_batch!r}.")
        dt = self._resolve_dtype(X)
        be = get_backend(self.backend, dt, self.device)
        logger.debug("RidgeCV: n=%d p=%d v=%d alphas=%d folds=%d solver=%s backend=%s dtype=%s",
                     X.shape[0], X.shape[1], Y2.shape[1], len(alphas), len(folds), solver, be.name, np.dtype(dt))
        coef, intercept, best, scores = ridge_cv_path(
            be, be.asarray(X), be.asarray(Y2), folds, alphas, solver, bool(self.fit_intercept), batch
        )
        self.alphas_ = alphas
        self.solver_ = solver
        self.best_alphas_ = alphas[best]
        self.cv_scores_ = scores
        if self._y_1d:
            self.coef_, self.intercept_ = coef[0], float(intercept[0])
        else:
            self.coef_, self.intercept_ = coef, intercept
        return self

    def _fit_loo(self, X, Y, alphas):
        """Exact leave-one-out choice of one alpha per target (closed form, one SVD of the centred design)."""
        if not self.fit_intercept:
            raise InputError("cv='loo' needs fit_intercept=True (the closed form treats the intercept as the "
                             "target mean); centre the data yourself and use K-fold CV otherwise.")
        if X.shape[0] < 3:
            raise InputError(f"cv='loo' needs at least 3 samples, got {X.shape[0]}.")
        dt = self._resolve_dtype(X)
        Xf, Yf = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
        x_mean, y_mean = Xf.mean(0), Yf.mean(0)
        U, s, Vt = svd_design(Xf - x_mean)
        best, loo = loo_alphas(U, s, Yf - y_mean, alphas)
        coef = ridge_coef(U, s, Vt, Yf - y_mean, best).T  # (n_targets, n_features)
        self.alphas_, self.solver_ = alphas, "svd"
        self.best_alphas_, self.cv_scores_ = best, loo
        intercept = y_mean - coef @ x_mean
        coef, intercept = coef.astype(dt, copy=False), intercept.astype(dt, copy=False)
        if self._y_1d:
            self.coef_, self.intercept_ = coef[0], float(intercept[0])
        else:
            self.coef_, self.intercept_ = coef, intercept
        return self

    def predict(self, X):
        """Predict with the refit weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_targets), or (n_samples,) if fitted on 1-D y
        """
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32], ensure_all_finite=False)
        check_finite(X, "X")
        return X @ self.coef_.T + self.intercept_

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R² **per target** (not averaged, unlike sklearn's default).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_targets) or (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        ndarray of shape (n_targets,), or float when Y is 1-D.
            Use ``np.mean(model.score(X, Y))`` for one number (e.g. in ``GridSearchCV``).
        """
        from sklearn.metrics import r2_score

        pred = self.predict(X)
        Y = validate_data(self, X, y, reset=False, multi_output=True, y_numeric=True,
                          dtype=[np.float64, np.float32], ensure_all_finite=False)[1]
        out = r2_score(Y, pred, sample_weight=sample_weight, multioutput="raw_values")
        return float(out[0]) if Y.ndim == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


def _validate_xy(est, X, Y):
    """sklearn-style validation (dtype, ndim, sparse, n_features_in_) plus neurokit's finite and shape errors."""
    if Y is None:
        raise InputError("RidgeCV requires y to be passed, but the target y is None.")
    if isinstance(X, (np.ndarray, list)) and isinstance(Y, (np.ndarray, list)):
        Xa, Ya = np.asarray(X), np.asarray(Y)
        if Xa.ndim != 2:
            raise InputError(f"X must be 2-D of shape (n_samples, n_features), got ndim={Xa.ndim}. "
                             "Reshape a single feature with X.reshape(-1, 1).")
        if Ya.ndim not in (1, 2):
            raise InputError(f"Y must be 1-D or 2-D of shape (n_samples, n_targets), got ndim={Ya.ndim}.")
        if Xa.shape[0] != Ya.shape[0]:
            raise InputError(f"X and Y have different numbers of rows ({Xa.shape[0]} vs {Ya.shape[0]}); "
                             "they must describe the same samples in the same order.")
        for name, a in (("X", Xa), ("Y", Ya)):
            if a.dtype.kind == "c":
                raise InputError(f"Complex data not supported: {name} has dtype {a.dtype}; ridge needs real "
                                 f"numbers: take the real part or the magnitude, e.g. np.abs({name}).astype(np.float32).")
            if a.dtype.kind in "USV":
                raise InputError(f"{name} has dtype {a.dtype} (not numeric); ridge needs real numbers: convert "
                                 f"with {name}.astype(np.float32) (or float64).")
            if a.dtype.kind == "f":
                check_finite(a, name)
        if Ya.ndim == 2 and Ya.shape[1] == 0:
            raise InputError("Y has no voxels (shape (n_samples, 0)): an empty ROI? Select at least one target.")
    X, Y = validate_data(est, X, Y, multi_output=True, y_numeric=True, dtype=[np.float64, np.float32],
                         ensure_all_finite=False)
    check_finite(X, "X")
    check_finite(Y, "Y")
    return X, Y
