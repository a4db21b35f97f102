"""What several baselines share: frame contrast, lagged designs, the hold-out ridge."""
from __future__ import annotations

import numpy as np
import torch

from neurokit.regression import RidgeCV


def _contrast(x: torch.Tensor) -> torch.Tensor:
    """uint8 grey frames → contrast in [-1, 1] (float input is assumed to be contrast already)."""
    return x.float() / 127.5 - 1.0 if x.dtype == torch.uint8 else x.float()


def _lagged(p: np.ndarray, n_lags: int) -> np.ndarray:
    """(T, d) → (T, n_lags·d): the current and ``n_lags - 1`` previous rows side by side (zeros before t = 0)."""
    T, d = p.shape
    X = np.zeros((T, n_lags * d))
    for lag in range(n_lags):
        X[lag:, lag * d:(lag + 1) * d] = p[: T - lag]
    return X


def _holdout_ridge(X: np.ndarray, Y: np.ndarray, alphas) -> RidgeCV:
    """:class:`~neurokit.regression.RidgeCV` with each target's penalty chosen on the last quarter of the rows
    (training on the first three quarters: the rows are frames in time order), refitted on all rows."""
    n_tr = int(len(X) * 0.75)
    return RidgeCV(alphas=alphas, cv=[(np.arange(n_tr), np.arange(n_tr, len(X)))]).fit(X, Y)
