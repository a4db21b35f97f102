"""Shared factorisations of a (centred) design matrix for ridge over many alphas and targets.

Both solvers expose the same operations, so the CV loop and the refit are written once:

- ``U`` of shape (n_samples, k): the targets are projected once, ``UtY = U.T @ Y``;
- ``weights(alphas)`` of shape (n_alphas, k): the per-alpha shrinkage ``w_alpha``;
- ``heldout(X_val)`` of shape (n_val, k): the held-out design in the rotated basis, so that the held-out
  prediction for alpha is ``heldout(X_val) @ (w_alpha[:, None] * UtY)``;
- ``primal_t(M)`` of shape (n_targets, n_features): transposed primal weights for ``M = w[:, None] * UtY`` of
  shape (k, n_targets).

``"svd"`` (thin SVD ``X = U diag(s) V^T``, k = min(n, p)): ``w = s / (s^2 + alpha)``, heldout = ``X_val V``,
primal_t = ``M^T V^T``.
``"eig"`` (kernel / dual form, ``X X^T = U diag(lam) U^T``, k = n): ``w = 1 / (lam + alpha)``,
heldout = ``(X_val X^T) U``, primal_t = ``(M^T U^T) X``.
Both give ``beta(alpha) = (X^T X + alpha I)^{-1} X^T Y`` exactly. ``eig`` does no p x p or p x n
factorisation work and is the cheaper one when p > n.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Factorisation:
    U: Any  # (n_samples, k)
    spectrum: Any  # (k,) singular values (svd) or Gram eigenvalues (eig)
    kind: str
    X: Any = None  # the (centred) design, kept by "eig"
    V: Any = None  # (n_features, k), kept by "svd"
    _Bt: Any = field(default=None, repr=False)  # U^T X, kept by primal_t(cache_basis=True)

    def weights(self, alphas):
        """Shrinkage factors of shape (n_alphas, k) for ``alphas`` of shape (n_alphas,)."""
        s = self.spectrum[None, :]
        a = alphas[:, None]
        if self.kind == "svd":
            return s / (s * s + a)
        return 1.0 / (s + a)

    def heldout(self, X_val):
        """Held-out design in the rotated basis, shape (n_val, k)."""
        if self.kind == "svd":
            return X_val @ self.V
        return (X_val @ self.X.T) @ self.U

    def primal_t(self, M, cache_basis=False):
        """Transposed primal weights ``(n_targets, n_features)`` from ``M = w[:, None] * UtY`` of shape
        (k, n_targets), written row-major so that they go into ``coef_`` without a transposed copy.

        For "eig", ``(M^T U^T) X`` costs 2n²c + 2pnc per call; with ``cache_basis`` the basis ``U^T X``
        (2pn² once) is kept and each call costs 2pnc: worth it when the calls add up to more than p targets.
        """
        if self.kind == "svd":
            return M.T @ self.V.T
        if self._Bt is None and not cache_basis:
            return (M.T @ self.U.T) @ self.X
        if self._Bt is None:
            self._Bt = self.U.T @ self.X
        return M.T @ self._Bt


def factor_svd(be, X) -> Factorisation:
    """Thin SVD path; best when n_features <= n_samples."""
    U, s, Vt = be.svd(X)
    return Factorisation(U=U, spectrum=s, kind="svd", V=Vt.T)


def factor_eig(be, X) -> Factorisation:
    """Kernel (Gram eigendecomposition) path; best when n_features > n_samples."""
    lam, U = be.eigh(X @ X.T)
    return Factorisation(U=U, spectrum=lam, kind="eig", X=X)


SOLVERS = {"svd": factor_svd, "eig": factor_eig}
