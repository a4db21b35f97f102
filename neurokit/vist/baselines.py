"""Baselines for the Vi-ST tables — **our reconstructions** (the authors published no baseline code).

* :class:`LNModel` — the field's classic floor: a linear spatio-temporal filter on the pixel stimulus (ridge
  regression on 16x16-pooled frames, 15 lags) followed by a per-cell softplus nonlinearity fitted by least
  squares. Not in the paper's tables; added as the classic reference.
* :class:`FeatureMSTCN` — "DINOv2+MSTCN": the same frozen per-frame patch features as Vi-ST, the MS-TCN single
  stage lifted to 3-D (Vi-ST's C3TCN), then 2x2 average pooling and a per-frame linear readout — i.e. Vi-ST
  without RF conditioning and without the CMST blocks.
* :class:`I3DMSTCN` — "I3D+MSTCN": an I3D-style inflated 3-D conv stem on the raw frames (**random-init and
  frozen**: no Kinetics weights are available offline), giving a 16x16 grid of 32-d tokens, then the same
  MS-TCN head. It measures what a non-pretrained video front end gives, not what I3D gives.
* :class:`FeatureRidge` — a diagnostic, not a published model: the best *linear* readout of the same frozen
  patch features Vi-ST gets (top principal components, 15 lags, ridge with the penalty chosen on held-out
  training frames). It shows how much of the response is linearly available in the features and whether that
  transfers to the other movie, independently of how well a network trains in a small budget.
* :class:`CRNN` — after the convolutional-recurrent RGC model of Zheng et al. (Patterns 2021): a per-frame 2-D
  CNN on the pixels, a GRU over time, a linear readout with softplus.

All torch baselines are called like Vi-ST, ``model(x, rf_mask=None) -> (B, cells, T)`` (``rf_mask`` ignored),
and are trained with the same loop and loss (:mod:`neurokit.vist.train`).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from neurokit.errors import InputError
from neurokit.vist.model import C3TCN


def _contrast(x: torch.Tensor) -> torch.Tensor:
    """uint8 grey frames → contrast in [-1, 1] (float input is assumed to be contrast already)."""
    return x.float() / 127.5 - 1.0 if x.dtype == torch.uint8 else x.float()


class FeatureMSTCN(nn.Module):
    """"DINOv2+MSTCN" baseline: frozen patch features → C3TCN → 2x2 avg-pool → linear readout.

    Parameters
    ----------
    feat_dim, n_cells : int
    video_layers, video_dim : int
        C3TCN depth and width (as in Vi-ST).
    grid : int
        Token grid side (tokens = grid²).
    causal : bool
    """

    def __init__(self, feat_dim: int, n_cells: int, video_layers: int = 6, video_dim: int = 256, grid: int = 16,
                 causal: bool = True):
        super().__init__()
        self.grid, self.feat_dim = grid, feat_dim
        self.tcn = C3TCN(video_layers, video_dim, feat_dim, n_cells, causal=causal)
        self.readout = nn.Linear(n_cells * (grid // 2) ** 2, n_cells)

    def forward(self, x: torch.Tensor, rf_mask=None) -> torch.Tensor:
        """x (B, T, grid², feat_dim) → (B, cells, T)."""
        b, t = x.shape[:2]
        h = x.reshape(b, t, self.grid, self.grid, -1).permute(0, 4, 1, 2, 3)
        h = F.avg_pool3d(self.tcn(h), (1, 2, 2))
        return self.readout(h.permute(0, 2, 1, 3, 4).reshape(b, t, -1)).permute(0, 2, 1)


class I3DStem(nn.Module):
    """Frozen random-init I3D-style stem: inflated 3-D conv (5x(s/4)x(s/4)... ) → ReLU → 3-D conv, causal in time.

    Frames (B, T, H, W) → tokens (B, T, grid², 32) on a grid x grid map (H must be a multiple of grid).
    """

    def __init__(self, size: int, grid: int = 16, channels: int = 32, seed: int = 0):
        super().__init__()
        if size % grid:
            raise InputError(f"frame size {size} must be a multiple of the grid {grid}.")
        k = size // grid
        g = torch.Generator().manual_seed(seed)
        self.conv1 = nn.Conv3d(1, 16, (5, k, k), stride=(1, k, k))
        self.conv2 = nn.Conv3d(16, channels, (3, 3, 3), padding=(0, 1, 1))
        with torch.no_grad():
            for c in (self.conv1, self.conv2):
                fan_in = c.weight[0].numel()
                c.weight.copy_(torch.randn(c.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                c.bias.zero_()
        for p in self.parameters():
            p.requires_grad_(False)
        self.grid = grid

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        x = _contrast(frames).unsqueeze(1)  # (B, 1, T, H, W)
        x = F.relu(self.conv1(F.pad(x, (0, 0, 0, 0, 4, 0))))
        x = F.relu(self.conv2(F.pad(x, (0, 0, 0, 0, 2, 0))))
        b, c, t = x.shape[:3]
        return x.permute(0, 2, 3, 4, 1).reshape(b, t, self.grid * self.grid, c)


class I3DMSTCN(nn.Module):
    """"I3D+MSTCN" baseline (random-init frozen I3D-style stem + MS-TCN head); input frames (B, T, H, W)."""

    def __init__(self, size: int, n_cells: int, video_layers: int = 6, video_dim: int = 256, grid: int = 16):
        super().__init__()
        self.stem = I3DStem(size, grid)
        self.head = FeatureMSTCN(32, n_cells, video_layers, video_dim, grid)

    def forward(self, x: torch.Tensor, rf_mask=None) -> torch.Tensor:
        with torch.no_grad():
            tokens = self.stem(x)
        return self.head(tokens)


class CRNN(nn.Module):
    """Convolutional-recurrent RGC model (after Zheng et al. 2021): per-frame CNN → GRU → linear → softplus.

    Parameters
    ----------
    size : int
        Frame side H = W (pixels).
    n_cells : int
    hidden : int
        GRU width.
    """

    def __init__(self, size: int, n_cells: int, hidden: int = 64):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 8, 9, stride=2, padding=4), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 5, stride=2, padding=2), nn.BatchNorm2d(16), nn.ReLU(),
            nn.AdaptiveAvgPool2d(8),
        )
        self.gru = nn.GRU(16 * 64, hidden, batch_first=True)
        self.readout = nn.Linear(hidden, n_cells)

    def forward(self, x: torch.Tensor, rf_mask=None) -> torch.Tensor:
        """x (B, T, H, W) uint8 frames or contrast → (B, cells, T)."""
        b, t, h, w = x.shape
        z = self.cnn(_contrast(x).reshape(b * t, 1, h, w)).reshape(b, t, -1)
        z, _ = self.gru(z)
        return F.softplus(self.readout(z)).permute(0, 2, 1)


class LNModel:
    """Linear-nonlinear model on the pixel stimulus (sklearn-style estimator).

    Parameters
    ----------
    n_lags : int, default 15
        Frames of stimulus history (0.5 s at 30 Hz).
    grid : int, default 16
        Frames are average-pooled to grid x grid before the linear stage.
    alphas : sequence of float
        Ridge penalties; the best is chosen per cell on the last quarter of the training frames.

    Attributes
    ----------
    coef_ : ndarray of shape (n_lags·grid², cells)
        Linear filters (lag-major).
    intercept_ : ndarray of shape (cells,)
    nonlin_ : ndarray of shape (cells, 3)
        Softplus parameters (a, b, c) of ``r = a·softplus(b·g + c)``.
    alpha_ : ndarray of shape (cells,)
    """

    def __init__(self, n_lags: int = 15, grid: int = 16, alphas=(1e1, 1e2, 1e3, 1e4, 1e5)):
        self.n_lags, self.grid, self.alphas = n_lags, grid, alphas

    def _design(self, frames: np.ndarray) -> np.ndarray:
        f = np.asarray(frames)
        f = f.astype(np.float64) / 127.5 - 1.0 if f.dtype == np.uint8 else f.astype(np.float64)
        T, H, W = f.shape
        if H % self.grid or W % self.grid:
            raise InputError(f"frame size {H}x{W} must be a multiple of grid={self.grid}.")
        p = f.reshape(T, self.grid, H // self.grid, self.grid, W // self.grid).mean(axis=(2, 4)).reshape(T, -1)
        X = np.zeros((T, self.n_lags * p.shape[1]))
        for lag in range(self.n_lags):
            X[lag:, lag * p.shape[1] : (lag + 1) * p.shape[1]] = p[: T - lag]
        return X

    def fit(self, frames: np.ndarray, rates: np.ndarray) -> "LNModel":
        """Fit on frames (T, H, W) and trial-averaged counts (T, cells). Returns self."""
        from scipy.optimize import least_squares

        X = self._design(frames)
        Y = np.asarray(rates, dtype=np.float64)
        if len(X) != len(Y):
            raise InputError(f"frames ({len(X)}) and rates ({len(Y)}) must have the same number of frames.")
        n_tr = int(len(X) * 0.75)
        mu = X[:n_tr].mean(0)
        U, s, Vt = np.linalg.svd(X[:n_tr] - mu, full_matrices=False)
        ym = Y[:n_tr].mean(0)
        UtY = U.T @ (Y[:n_tr] - ym)
        best = np.full(Y.shape[1], -np.inf)
        self.alpha_ = np.zeros(Y.shape[1])
        for a in self.alphas:
            W = Vt.T @ ((s / (s**2 + a))[:, None] * UtY)
            pred = (X[n_tr:] - mu) @ W + ym
            from neurokit.vist.metrics import pearson_cc

            r = pearson_cc(pred.T, Y[n_tr:].T)[0]
            better = r > best
            best[better], self.alpha_[better] = r[better], a
        # refit on all frames with the chosen penalties
        mu = X.mean(0)
        U, s, Vt = np.linalg.svd(X - mu, full_matrices=False)
        ym = Y.mean(0)
        UtY = U.T @ (Y - ym)
        self.coef_ = np.stack([Vt.T @ ((s / (s**2 + a)) * UtY[:, c]) for c, a in enumerate(self.alpha_)], 1)
        self.intercept_ = ym - mu @ self.coef_
        G = X @ self.coef_ + self.intercept_
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
        G = self._design(frames) @ self.coef_ + self.intercept_
        a, b, c = self.nonlin_.T
        return (a * np.logaddexp(0, b * G + c)).T.astype(np.float32)


class FeatureRidge:
    """Lagged ridge regression on frozen patch features (sklearn-style estimator; a diagnostic baseline).

    Features (T, tokens, D) are flattened, z-scored with the training frames' statistics, projected on their
    top ``n_components`` principal components, stacked over ``n_lags`` frames and regressed on the rates with
    a ridge penalty chosen per cell on the last quarter of the training frames, then refitted on all of them.

    Parameters
    ----------
    n_lags : int, default 15
    n_components : int, default 100
    alphas : sequence of float

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (tokens·D,)
    components_ : ndarray of shape (tokens·D, n_components)
    coef_ : ndarray of shape (n_lags·n_components, cells)
    intercept_ : ndarray of shape (cells,)
    alpha_ : ndarray of shape (cells,)
    """

    def __init__(self, n_lags: int = 15, n_components: int = 100, alphas=(1e2, 1e3, 1e4, 1e5)):
        self.n_lags, self.n_components, self.alphas = n_lags, n_components, alphas

    def _design(self, features: np.ndarray) -> np.ndarray:
        f = np.asarray(features, dtype=np.float64)
        z = ((f.reshape(len(f), -1) - self.mean_) / self.scale_) @ self.components_
        X = np.zeros((len(z), self.n_lags * z.shape[1]))
        for lag in range(self.n_lags):
            X[lag:, lag * z.shape[1] : (lag + 1) * z.shape[1]] = z[: len(z) - lag]
        return X

    @staticmethod
    def _ridge(X, Y, alphas):
        mu, ym = X.mean(0), Y.mean(0)
        U, s, Vt = np.linalg.svd(X - mu, full_matrices=False)
        UtY = U.T @ (Y - ym)
        return mu, ym, [Vt.T @ ((s / (s**2 + a))[:, None] * UtY) for a in alphas]

    def fit(self, features: np.ndarray, rates: np.ndarray) -> "FeatureRidge":
        """Fit on features (T, tokens, D) and trial-averaged counts (T, cells). Returns self."""
        from neurokit.vist.metrics import pearson_cc

        f = np.asarray(features, dtype=np.float64).reshape(len(features), -1)
        Y = np.asarray(rates, dtype=np.float64)
        if len(f) != len(Y):
            raise InputError(f"features ({len(f)}) and rates ({len(Y)}) must have the same number of frames.")
        self.mean_, self.scale_ = f.mean(0), f.std(0) + 1e-6
        k = min(self.n_components, len(f) - 1, f.shape[1])
        self.components_ = np.linalg.svd((f - self.mean_) / self.scale_, full_matrices=False)[2][:k].T
        X = self._design(features)
        n_tr = int(len(X) * 0.75)
        mu, ym, Ws = self._ridge(X[:n_tr], Y[:n_tr], self.alphas)
        r = np.stack([pearson_cc(((X[n_tr:] - mu) @ W + ym).T, Y[n_tr:].T)[0] for W in Ws])  # (alphas, cells)
        best = np.argmax(r, axis=0)
        self.alpha_ = np.asarray(self.alphas, dtype=float)[best]
        mu, ym, Ws = self._ridge(X, Y, self.alphas)
        self.coef_ = np.stack([Ws[b][:, c] for c, b in enumerate(best)], 1)
        self.intercept_ = ym - mu @ self.coef_
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Predicted counts (cells, T) for features (T, tokens, D)."""
        if not hasattr(self, "coef_"):
            raise InputError("FeatureRidge is not fitted; call fit(features, rates) first.")
        return (self._design(features) @ self.coef_ + self.intercept_).T.astype(np.float32)
