"""PCA for features, fitted inside the training fold only (a thin sklearn wrapper with clear errors)."""
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
    random_state : int, optional
        For the randomised SVD sklearn picks on large inputs.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
    mean_ : ndarray of shape (n_features,)
    explained_variance_ratio_ : ndarray of shape (n_components,)
    n_features_in_ : int
    """

    def __init__(self, n_components: int = 100, whiten: bool = False, random_state=None):
        self.n_components = n_components
        self.whiten = whiten
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
        self._pca = _SkPCA(n_components=int(k), whiten=self.whiten, random_state=self.random_state).fit(X)
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
