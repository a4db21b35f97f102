"""Shared factorisations of a (centred) design matrix for ridge over many alphas and targets.

Both solvers return the same three things, so the CV loop and the refit are written once:

- ``U`` of shape (n_samples, k): project the targets, ``UtY = U.T @ Y``;
- ``B`` of shape (n_features, k): primal weights are ``B @ (w_alpha[:, None] * UtY)``, and the
  held-out design in the rotated basis is ``X_val @ B``;
- ``weights(alphas)`` of shape (n_alphas, k): the per-alpha shrinkage ``w_alpha``.

``"svd"`` (thin SVD ``X = U diag(s) V^T``, k = min(n, p)): ``B = V``, ``w = s / (s^2 + alpha)``.
``"eig"`` (kernel / dual form, ``X X^T = U diag(lam) U^T``, k = n): ``B = X^T U``, ``w = 1 / (lam + alpha)``.
Both give ``beta(alpha) = (X^T X + alpha I)^{-1} X^T Y`` exactly; ``eig`` avoids all p x p and p x n SVD work
and is the cheaper one when p > n.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Factorisation:
    U: Any  # (n_samples, k)
    B: Any  # (n_features, k)
    spectrum: Any  # (k,) singular values (svd) or Gram eigenvalues (eig)
    kind: str

    def weights(self, alphas):
        """Shrinkage factors of shape (n_alphas, k) for ``alphas`` of shape (n_alphas,)."""
        s = self.spectrum[None, :]
        a = alphas[:, None]
        if self.kind == "svd":
            return s / (s * s + a)
        return 1.0 / (s + a)


def factor_svd(be, X) -> Factorisation:
    """Thin SVD path; best when n_features <= n_samples."""
    U, s, Vt = be.svd(X)
    return Factorisation(U=U, B=Vt.T, spectrum=s, kind="svd")


def factor_eig(be, X) -> Factorisation:
    """Kernel (Gram eigendecomposition) path; best when n_features > n_samples."""
    lam, U = be.eigh(X @ X.T)
    return Factorisation(U=U, B=X.T @ U, spectrum=lam, kind="eig")


SOLVERS = {"svd": factor_svd, "eig": factor_eig}
