"""The Vi-ST training loss, exactly as in the authors' ``src/loss/ViSTloss.py``.

``L = 0.1·RMSE + 0.5·mean(ReLU(-ŷ)) + 0.5·1e-5·mean SDTW_div(w1 = T//20) + 0.5·1e-5·mean SDTW_div(w2 = T//10)``

* RMSE: one scalar over all B·T·C elements (not per cell).
* Windows of w frames start at ``range(0, T - w, w // 2)`` (50 % overlap; the final partial stretch is not
  covered, e.g. T = 128, w = 6: 41 windows covering frames 0 … 125); the windows of all batch items are
  stacked and the soft-DTW divergences (gamma 0.1, squared-Euclidean cost between C-dimensional frame
  vectors, tslearn's ``normalize=True``) averaged.
* T < 40 raises ``InputError`` (a ``ValueError``): the step w//2 of the first window would be 0.

The paper names the windows "6 and 12 frames"; that is what T//20 and T//10 give at the training length
T = 128 only (at validation length 900 they become 45 and 90). The poster's formula averages over all L − n
windows (stride 1); the code steps by w // 2. ``window_stride=1`` gives the poster's windows.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from neurokit.errors import InputError
from neurokit.vist.softdtw import soft_dtw_divergence


def window_starts(T: int, w: int, stride: int | None = None) -> list[int]:
    """Start frames of the loss windows of length ``w`` in a sequence of ``T`` frames.

    ``stride=None``: the code's step ``w // 2``; ``stride=1``: every start, the poster's L − n windows.
    """
    if w < 2:
        raise InputError(f"window length {w} < 2: the Vi-ST loss needs T >= 40 frames (got windows T//20, T//10).")
    if stride is not None and (isinstance(stride, bool) or int(stride) < 1):
        raise InputError(f"window stride must be a positive integer or None (the code's w // 2); got {stride!r}.")
    return list(range(0, T - w, w // 2 if stride is None else int(stride)))


def stack_windows(z: torch.Tensor, w: int, stride: int | None = None) -> torch.Tensor:
    """z (B, T, C) → (n_windows·B, w, C), windows outermost (as ``torch.stack(..., dim=0).reshape``)."""
    starts = window_starts(z.shape[1], w, stride)
    return torch.stack([z[:, i : i + w, :] for i in starts], dim=0).reshape(-1, w, z.shape[-1])


class ViSTLoss(nn.Module):
    """Vi-ST loss: weighted RMSE + negative-output penalty + two windowed soft-DTW divergence terms.

    Parameters
    ----------
    w_rmse, w_neg, w_sdtw : float
        Weights 0.1, 0.5 and 0.5·1e-5 (each soft-DTW term), as coded.
    gamma : float
        Soft-DTW temperature (0.1).
    window_divisors : tuple of int
        Window lengths are ``T // d`` for each d (20, 10).
    use_sdtw : bool
        False drops the soft-DTW terms (ablation "no soft-DTW" = "replace loss by RMSE + ReLU").
    window_stride : int or None
        Step between soft-DTW windows: None = ``w // 2`` (the code), 1 = every window (the poster's formula).

    Notes
    -----
    Called as ``loss(y_hat, y)``, where ``y_hat`` is the model's output, of shape (B, cells, T), and ``y`` the
    target in the data's layout, of shape (B, T, cells). Returns a scalar tensor.
    """

    def __init__(self, w_rmse: float = 0.1, w_neg: float = 0.5, w_sdtw: float = 0.5e-5, gamma: float = 0.1,
                 window_divisors: tuple[int, ...] = (20, 10), use_sdtw: bool = True, window_stride: int | None = None):
        super().__init__()
        self.w_rmse, self.w_neg, self.w_sdtw, self.gamma = w_rmse, w_neg, w_sdtw, gamma
        self.window_divisors, self.use_sdtw, self.window_stride = tuple(window_divisors), use_sdtw, window_stride

    def terms(self, y_hat: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
        """The weighted terms of the loss by name (``rmse``, ``neg``, ``sdtw_<w>`` …); their sum is the loss."""
        if y_hat.ndim != 3 or y.ndim != 3 or y_hat.shape[0] != y.shape[0] or y_hat.shape[1:] != y.shape[1:][::-1]:
            raise InputError(
                f"ViSTLoss expects y_hat (B, cells, T) and y (B, T, cells); got {tuple(y_hat.shape)} and "
                f"{tuple(y.shape)}. Permute the target with y.permute(0, 2, 1) if it is (B, cells, T)."
            )
        T = y.shape[1]
        if T < 40:
            raise InputError(
                f"ViSTLoss needs at least 40 frames (windows T//20 and T//10 with step w//2 > 0); got T={T}. "
                "Use longer training windows (the paper uses 128)."
            )
        yh = y_hat.permute(0, 2, 1)
        y = y.to(yh.dtype)
        out = {"rmse": self.w_rmse * torch.sqrt(torch.mean((yh - y) ** 2))}
        if self.w_neg:
            out["neg"] = self.w_neg * torch.relu(-yh).mean()
        if self.use_sdtw:
            for d in self.window_divisors:
                w = T // d
                a, b = stack_windows(yh, w, self.window_stride), stack_windows(y, w, self.window_stride)
                out[f"sdtw_{w}"] = self.w_sdtw * soft_dtw_divergence(a, b, self.gamma).mean()
        return out

    def forward(self, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Scalar loss for ``y_hat`` (B, cells, T) and ``y`` (B, T, cells)."""
        terms = self.terms(y_hat, y)
        total = 0
        for v in terms.values():
            total = total + v
        return total
