"""PCA fitted inside the training fold only: the estimator (a thin sklearn wrapper with clear errors) and the
standardise-then-reduce step every encoding fit of the book uses."""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import PCA as _SkPCA
from sklearn.utils.validation import check_is_fitted, validate_data

from neurokit.errors import InputError, check_finite


class PCA(TransformerMixin, BaseEstimator):
    """Principal components of block features (the Algonauts devkit uses 100), fit on training clips only.

    Fit it on the training fold and apply the same projection to the test fold, e.g. inside a
    ``sklearn.pipeline.make_pipeline(PCA(100), Ridge())`` that the cross-validation refits per fold: the test
    clips must never shape the components.

    Parameters
    ----------
    n_components : int
        Components kept; at most ``min(n_samples, n_features)`` of the training data.
    whiten : bool
        Scale components to unit variance.
    svd_solver : {"auto", "full", "randomized", ...}
        sklearn's solver choice.
    random_state : int, optional
        For the randomised SVD.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
    mean_ : ndarray of shape (n_features,)
    explained_variance_ratio_ : ndarray of shape (n_components,)
    n_features_in_ : int
    """

    def __init__(self, n_components: int = 100, whiten: bool = False, svd_solver: str = "auto", random_state=None):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.random_state = random_state

    def fit(self, X, y=None):
        """X : ndarray of shape (n_samples, n_features), the training fold. Returns self."""
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_all_finite=False)
        check_finite(X, "X")
        n, p = X.shape
        k = self.n_components
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise InputError(f"n_components must be a positive integer, got {k!r}")
        if k > min(n, p):
            raise InputError(
                f"n_components={k} is larger than min(n_samples, n_features) = min({n}, {p}) of the training "
                f"fold. Use n_components <= {min(n, p)}, or more training clips."
            )
        self._pca = _SkPCA(n_components=int(k), whiten=self.whiten, svd_solver=self.svd_solver,
                           random_state=self.random_state).fit(X)
        self.components_ = self._pca.components_
        self.mean_ = self._pca.mean_
        self.explained_variance_ = self._pca.explained_variance_
        self.explained_variance_ratio_ = self._pca.explained_variance_ratio_
        return self

    def transform(self, X):
        """X : ndarray of shape (n_samples, n_features) → ndarray of shape (n_samples, n_components)."""
        check_is_fitted(self, "components_")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False, ensure_all_finite=False)
        check_finite(X, "X")
        return self._pca.transform(X)

    def inverse_transform(self, Z):
        """Z : ndarray of shape (n_samples, n_components) → ndarray of shape (n_samples, n_features)."""
        check_is_fitted(self, "components_")
        return self._pca.inverse_transform(np.asarray(Z))


def reducer(n_components=None, n_train=None, n_features=None, seed=0):
    """The standardise-then-project transform (unfitted): ``StandardScaler`` then :class:`PCA`.

    Parameters
    ----------
    n_components : int or None
        Components kept (at most ``n_train - 1``); None or 0 (or no fewer features than that) keeps the
        standardised features.
    n_train, n_features : int
        Shape of the training rows it will be fitted on (to cap the components and choose the solver: the
        randomised one when the features outnumber four times the components).
    seed : int
        Seed of the randomised solver.

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    steps = [StandardScaler()]
    if n_components and n_features is not None and n_features > n_components:
        k = min(int(n_components), int(n_train) - 1)
        steps.append(PCA(k, svd_solver="randomized" if n_features > 4 * k else "full", random_state=seed))
    return make_pipeline(*steps)


def standardize_reduce(X_train, X_test, n_components=None, seed=0):
    """Z-score with the training rows' statistics, then (optionally) project on the training rows' top principal
    components (:func:`reducer`): the test rows never shape the transform.

    Parameters
    ----------
    X_train : ndarray of shape (n_train, n_features)
    X_test : ndarray of shape (n_test, n_features)
    n_components : int or None
    seed : int

    Returns
    -------
    X_train, X_test : ndarrays of shape (n_train, k) and (n_test, k)
    """
    r = reducer(n_components, X_train.shape[0], X_train.shape[1], seed).fit(X_train)
    return r.transform(X_train), r.transform(X_test)
