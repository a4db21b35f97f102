"""Soft-DTW (Cuturi & Blondel 2017) and the soft-DTW divergence, exact in float64 with an exact backward.

``soft_dtw(x, y, gamma)`` is the raw soft-DTW value per batch row with the squared-Euclidean ground cost
``D[i, j] = ||x_i - y_j||²``; ``soft_dtw_divergence(x, y, gamma) = sdtw(x, y) - ½(sdtw(x, x) + sdtw(y, y))``
is what tslearn's ``SoftDTWLossPyTorch(gamma, normalize=True)`` computes (the Vi-ST loss term).

Implementation: the dynamic programme and its adjoint (the expected-alignment matrix E = ∂R_NM/∂D) run in
numba kernels, parallel over batch rows, always in float64 (float32 inputs are promoted, so no float32
round trip ever happens; tslearn's torch wrapper stores R through a float32 tensor, which limits its
gradients to ~1e-5 relative accuracy). The ground cost is built in torch, by default with the matmul form
``||x||² + ||y||² - 2 x yᵀ`` (fast; exact enough in float64) and the gradient flows to x and y through it by
autograd; ``dist="exact"`` uses the broadcast difference instead.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from neurokit.errors import InputError

try:  # numba is in the lock file; fall back to pure numpy loops only if it is missing
    import numba

    _njit = numba.njit(parallel=False, fastmath=False, cache=True)  # serial: no oversubscription with torch threads
    _prange = range
except ImportError:  # pragma: no cover
    numba = None

    def _njit(f):
        return f

    _prange = range


@_njit
def _sdtw_forward(D, gamma, R):  # pragma: no cover - compiled
    """Fill R (B, N+2, M+2) for cost D (B, N, M); R[b, N, M] is the soft-DTW value."""
    B, N, M = D.shape
    inv = 1.0 / gamma
    for b in _prange(B):
        for i in range(N + 2):
            for j in range(M + 2):
                R[b, i, j] = np.inf
        R[b, 0, 0] = 0.0
        for i in range(1, N + 1):
            for j in range(1, M + 1):
                r0 = -R[b, i - 1, j - 1] * inv
                r1 = -R[b, i - 1, j] * inv
                r2 = -R[b, i, j - 1] * inv
                rmax = max(max(r0, r1), r2)
                rsum = math.exp(r0 - rmax) + math.exp(r1 - rmax) + math.exp(r2 - rmax)
                R[b, i, j] = D[b, i - 1, j - 1] - gamma * (math.log(rsum) + rmax)


@_njit
def _sdtw_backward(D, R, gamma, E):  # pragma: no cover - compiled
    """Expected alignment E (B, N+2, M+2) = ∂R[N, M]/∂D (inner block), from R of the forward pass.

    R is modified in place (the border is set to -inf as in the reference recurrence).
    """
    B, N, M = D.shape
    inv = 1.0 / gamma
    for b in _prange(B):
        for i in range(N + 2):
            for j in range(M + 2):
                E[b, i, j] = 0.0
        for i in range(N + 2):
            R[b, i, M + 1] = -np.inf
        for j in range(M + 2):
            R[b, N + 1, j] = -np.inf
        R[b, N + 1, M + 1] = R[b, N, M]
        E[b, N + 1, M + 1] = 1.0
        for i in range(N, 0, -1):  # row-major sweep (same values as the reference's column sweep)
            for j in range(M, 0, -1):
                rij = R[b, i, j]
                d_down = D[b, i, j - 1] if i < N else 0.0
                d_right = D[b, i - 1, j] if j < M else 0.0
                d_diag = D[b, i, j] if (i < N and j < M) else 0.0
                a = math.exp((R[b, i + 1, j] - rij - d_down) * inv)
                bb = math.exp((R[b, i, j + 1] - rij - d_right) * inv)
                c = math.exp((R[b, i + 1, j + 1] - rij - d_diag) * inv)
                E[b, i, j] = E[b, i + 1, j] * a + E[b, i, j + 1] * bb + E[b, i + 1, j + 1] * c


class SoftDTWFunction(torch.autograd.Function):
    """Soft-DTW value R[N, M] of cost matrices D (B, N, M) with the exact analytic backward ∂/∂D = E."""

    @staticmethod
    def forward(ctx, D: torch.Tensor, gamma: float) -> torch.Tensor:
        Dn = np.ascontiguousarray(D.detach().cpu().numpy(), dtype=np.float64)
        B, N, M = Dn.shape
        R = np.empty((B, N + 2, M + 2), dtype=np.float64)
        _sdtw_forward(Dn, float(gamma), R)
        ctx.gamma = float(gamma)
        ctx.save_for_backward(D)
        ctx.R = R
        ctx.Dn = Dn
        return torch.from_numpy(R[:, N, M].copy()).to(device=D.device, dtype=D.dtype)

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        (D,) = ctx.saved_tensors
        Dn, R = ctx.Dn, ctx.R
        E = np.empty_like(R)
        _sdtw_backward(Dn, R, ctx.gamma, E)
        B, N, M = Dn.shape
        G = torch.from_numpy(np.ascontiguousarray(E[:, 1 : N + 1, 1 : M + 1])).to(device=D.device, dtype=D.dtype)
        return grad_out.reshape(-1, 1, 1) * G, None


def _check_xy(x: torch.Tensor, y: torch.Tensor) -> None:
    if not (torch.is_tensor(x) and torch.is_tensor(y)):
        raise InputError("soft-DTW expects torch tensors x (B, Tx, d) and y (B, Ty, d).")
    if x.ndim != 3 or y.ndim != 3 or x.shape[0] != y.shape[0] or x.shape[2] != y.shape[2]:
        raise InputError(
            f"soft-DTW expects x of shape (B, Tx, d) and y of shape (B, Ty, d) with the same B and d; "
            f"got {tuple(x.shape)} and {tuple(y.shape)}. Add a batch axis with x[None] for a single pair."
        )


def pairwise_sq_dist(x: torch.Tensor, y: torch.Tensor, dist: str = "matmul") -> torch.Tensor:
    """Squared-Euclidean cost D[b, i, j] = ||x[b, i] - y[b, j]||².

    Parameters
    ----------
    x : Tensor of shape (B, N, d)
    y : Tensor of shape (B, M, d)
    dist : {"matmul", "exact"}
        "matmul": ||x||² + ||y||² - 2 x yᵀ (one GEMM; cancellation error ~eps·||x||², harmless in float64);
        "exact": the broadcast difference (B·N·M·d memory).

    Returns
    -------
    Tensor of shape (B, N, M)
    """
    if dist == "matmul":
        xx = (x * x).sum(-1, keepdim=True)
        yy = (y * y).sum(-1).unsqueeze(1)
        return xx + yy - 2.0 * torch.bmm(x, y.transpose(1, 2))
    if dist == "exact":
        return ((x.unsqueeze(2) - y.unsqueeze(1)) ** 2).sum(-1)
    raise InputError(f"dist must be 'matmul' or 'exact', got {dist!r}.")


def _auto_dist(x: torch.Tensor, y: torch.Tensor, dist: str) -> str:
    if dist != "auto":
        return dist
    if x.dtype == torch.float64:
        return "matmul"
    # lower precision: the exact form avoids cancellation when x ≈ y, as long as it stays small
    return "exact" if x.shape[0] * x.shape[1] * y.shape[1] * x.shape[2] <= 4_000_000 else "matmul"


def soft_dtw(x: torch.Tensor, y: torch.Tensor, gamma: float = 0.1, dist: str = "auto") -> torch.Tensor:
    """Soft-DTW value per batch row.

    Parameters
    ----------
    x : Tensor of shape (B, Tx, d)
    y : Tensor of shape (B, Ty, d)
    gamma : float, default 0.1
        Soft-min temperature (> 0).
    dist : {"auto", "matmul", "exact"}
        How the squared-Euclidean cost is formed (see :func:`pairwise_sq_dist`); "auto" = matmul in float64,
        exact for small lower-precision inputs.

    Returns
    -------
    Tensor of shape (B,)
        ``-gamma log Σ_A exp(-<A, D>/gamma)`` over monotone alignments A, in the dtype of ``x``.
    """
    _check_xy(x, y)
    if not gamma > 0:
        raise InputError(f"gamma must be > 0, got {gamma}.")
    D = pairwise_sq_dist(x, y, _auto_dist(x, y, dist))
    return SoftDTWFunction.apply(D, float(gamma))


def soft_dtw_divergence(x: torch.Tensor, y: torch.Tensor, gamma: float = 0.1, dist: str = "auto") -> torch.Tensor:
    """Soft-DTW divergence ``sdtw(x, y) - ½ (sdtw(x, x) + sdtw(y, y))`` per batch row.

    Same as tslearn ``SoftDTWLossPyTorch(gamma, normalize=True)`` but exact in float64 (tslearn rounds its DP
    table through float32). Non-negative up to rounding, zero when x == y.

    Parameters
    ----------
    x : Tensor of shape (B, Tx, d)
    y : Tensor of shape (B, Ty, d)
    gamma : float, default 0.1
    dist : {"auto", "matmul", "exact"}

    Returns
    -------
    Tensor of shape (B,)
    """
    _check_xy(x, y)
    if not gamma > 0:
        raise InputError(f"gamma must be > 0, got {gamma}.")
    mode = _auto_dist(x, y, dist)
    B = x.shape[0]
    if x.shape == y.shape:
        if y.requires_grad or not x.requires_grad:
            D = torch.cat([pairwise_sq_dist(x, y, mode), pairwise_sq_dist(x, x, mode), pairwise_sq_dist(y, y, mode)])
            v = SoftDTWFunction.apply(D, float(gamma))
            return v[:B] - 0.5 * (v[B : 2 * B] + v[2 * B :])
        D = torch.cat([pairwise_sq_dist(x, y, mode), pairwise_sq_dist(x, x, mode)])
        v = SoftDTWFunction.apply(D, float(gamma))
        with torch.no_grad():
            vyy = SoftDTWFunction.apply(pairwise_sq_dist(y, y, mode), float(gamma))
        return v[:B] - 0.5 * (v[B:] + vyy)
    return soft_dtw(x, y, gamma, mode) - 0.5 * (soft_dtw(x, x, gamma, mode) + soft_dtw(y, y, gamma, mode))


def soft_dtw_reference(D: np.ndarray, gamma: float) -> float:
    """Plain double-loop soft-DTW recurrence on one cost matrix D (N, M) in float64 (for tests/benchmarks)."""
    D = np.asarray(D, dtype=np.float64)
    N, M = D.shape
    R = np.full((N + 1, M + 1), np.inf)
    R[0, 0] = 0.0
    for i in range(1, N + 1):
        for j in range(1, M + 1):
            r = -np.array([R[i - 1, j - 1], R[i - 1, j], R[i, j - 1]]) / gamma
            rmax = r.max()
            R[i, j] = D[i - 1, j - 1] - gamma * (np.log(np.exp(r - rmax).sum()) + rmax)
    return float(R[N, M])
