"""Closed-form baselines: the LN model on the pixels, and a lagged ridge on the frozen patch features."""
from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from neurokit.errors import InputError
from neurokit.regression import reducer
from neurokit.vist.baselines._common import _holdout_ridge, _lagged
from neurokit.vist.registry import register


class LNModel:
    """Linear-nonlinear model on the pixel stimulus (sklearn-style estimator).

    Parameters
    ----------
    n_lags : int, default 15
        Frames of stimulus history (0.5 s at 30 Hz).
    grid : int, default 16
        Frames are average-pooled to grid x grid before the linear stage.
    alphas : sequence of float or None
        Ridge penalties (None: :data:`neurokit.regression.DEFAULT_ALPHAS`); the best is chosen per cell by the
        squared error on the last quarter of the training frames, then the filter is refitted on all of them.

    Attributes
    ----------
    coef_ : ndarray of shape (cells, n_lags·grid²)
        Linear filters (lag-major).
    intercept_ : ndarray of shape (cells,)
    nonlin_ : ndarray of shape (cells, 3)
        Softplus parameters (a, b, c) of ``r = a·softplus(b·g + c)``.
    alpha_ : ndarray of shape (cells,)
    """

    def __init__(self, n_lags: int = 15, grid: int = 16, alphas=None):
        self.n_lags, self.grid, self.alphas = n_lags, grid, alphas

    def _design(self, frames: np.ndarray) -> np.ndarray:
        f = np.asarray(frames)
        f = f.astype(np.float64) / 127.5 - 1.0 if f.dtype == np.uint8 else f.astype(np.float64)
        T, H, W = f.shape
        if H % self.grid or W % self.grid:
            raise InputError(f"frame size {H}x{W} must be a multiple of grid={self.grid}.")
        p = f.reshape(T, self.grid, H // self.grid, self.grid, W // self.grid).mean(axis=(2, 4)).reshape(T, -1)
        return _lagged(p, self.n_lags)

    def fit(self, frames: np.ndarray, rates: np.ndarray) -> "LNModel":
        """Fit on frames (T, H, W) and trial-averaged counts (T, cells). Returns self."""
        X = self._design(frames)
        Y = np.asarray(rates, dtype=np.float64)
        if len(X) != len(Y):
            raise InputError(f"frames ({len(X)}) and rates ({len(Y)}) must have the same number of frames.")
        ridge = _holdout_ridge(X, Y, self.alphas)
        self.coef_, self.intercept_, self.alpha_ = ridge.coef_, ridge.intercept_, ridge.best_alphas_
        G = X @ self.coef_.T + self.intercept_
        self.nonlin_ = np.zeros((Y.shape[1], 3))
        for c in range(Y.shape[1]):
            g = (G[:, c] - G[:, c].mean()) / (G[:, c].std() + 1e-12)

            def resid(p, g=g, y=Y[:, c]):
                return p[0] * np.logaddexp(0, p[1] * g + p[2]) - y

            sol = least_squares(resid, x0=[max(Y[:, c].std(), 1e-3), 1.0, 0.0])
            a, b, c0 = sol.x
            # express on the unstandardised generator
            self.nonlin_[c] = [a, b / (G[:, c].std() + 1e-12), c0 - b * G[:, c].mean() / (G[:, c].std() + 1e-12)]
        return self

    def predict(self, frames: np.ndarray) -> np.ndarray:
        """Predicted counts (cells, T) for frames (T, H, W)."""
        if not hasattr(self, "coef_"):
            raise InputError("LNModel is not fitted; call fit(frames, rates) first.")
        G = self._design(frames) @ self.coef_.T + self.intercept_
        a, b, c = self.nonlin_.T
        return (a * np.logaddexp(0, b * G + c)).T.astype(np.float32)


class FeatureRidge:
    """Lagged ridge regression on frozen patch features (sklearn-style estimator; a diagnostic baseline).

    Features (T, tokens, D) are flattened, z-scored with the training frames' statistics, projected on their
    top ``n_components`` principal components (:func:`neurokit.regression.reducer`), stacked over
    ``n_lags`` frames and regressed on the rates with a ridge penalty chosen per cell by the squared error on the
    last quarter of the training frames, then refitted on all of them.

    Parameters
    ----------
    n_lags : int, default 15
    n_components : int, default 100
    alphas : sequence of float or None
        None: :data:`neurokit.regression.DEFAULT_ALPHAS`.

    Attributes
    ----------
    reduce_ : sklearn.pipeline.Pipeline
        Features (T, tokens·D) → principal-component scores (T, k), fitted on the training frames
        (:func:`neurokit.regression.reducer`).
    coef_ : ndarray of shape (cells, n_lags·n_components)
    intercept_ : ndarray of shape (cells,)
    alpha_ : ndarray of shape (cells,)
    """

    def __init__(self, n_lags: int = 15, n_components: int = 100, alphas=None):
        self.n_lags, self.n_components, self.alphas = n_lags, n_components, alphas

    def _design(self, features: np.ndarray) -> np.ndarray:
        f = np.asarray(features, dtype=np.float64)
        return _lagged(self.reduce_.transform(f.reshape(len(f), -1)), self.n_lags)

    def fit(self, features: np.ndarray, rates: np.ndarray) -> "FeatureRidge":
        """Fit on features (T, tokens, D) and trial-averaged counts (T, cells). Returns self."""
        f = np.asarray(features, dtype=np.float64).reshape(len(features), -1)
        Y = np.asarray(rates, dtype=np.float64)
        if len(f) != len(Y):
            raise InputError(f"features ({len(f)}) and rates ({len(Y)}) must have the same number of frames.")
        self.reduce_ = reducer(self.n_components, len(f), f.shape[1]).fit(f)
        ridge = _holdout_ridge(self._design(features), Y, self.alphas)
        self.coef_, self.intercept_, self.alpha_ = ridge.coef_, ridge.intercept_, ridge.best_alphas_
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Predicted counts (cells, T) for features (T, tokens, D)."""
        if not hasattr(self, "coef_"):
            raise InputError("FeatureRidge is not fitted; call fit(features, rates) first.")
        return (self._design(features) @ self.coef_.T + self.intercept_).T.astype(np.float32)


@register("ln", inputs="frames", trainable=False, description="linear-nonlinear model on the pixels")
def _build_ln(shape):
    return LNModel()


@register("feature_ridge", inputs="features", trainable=False,
          description="lagged ridge on the top principal components of the patch features")
def _build_feature_ridge(shape):
    return FeatureRidge()
