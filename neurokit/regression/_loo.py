"""The leave-one-out path of the ridge: closed-form solutions from one SVD, exact LOO errors, constrained fits.

:class:`~neurokit.regression.RidgeCV` uses it for ``cv="loo"``; the connectivity encoder uses its pieces for the
connectivity weights ``A`` (a zero-diagonal constraint by a rank-one update, a non-negative variant). One SVD of
the design serves every alpha and every target.

For a design ``X`` (centred) with thin SVD ``X = U S Vᵀ`` the ridge hat matrix at penalty ``α`` is
``H_α = U diag(s²/(s²+α)) Uᵀ`` and the leave-one-out residual of sample ``i`` is
``(y_i − ŷ_i) / (1 − H_α[i, i])`` (Allen 1974; Golub, Heath & Wahba 1979). With a centred design the
intercept is the target mean, which this formula treats as known (the usual, slightly optimistic, convention).
"""
from __future__ import annotations

import numpy as np


def svd_design(X):
    """Thin SVD of ``X``; tiny singular values are dropped.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    U : ndarray of shape (n_samples, k)
    s : ndarray of shape (k,)
    Vt : ndarray of shape (k, n_features)
    """
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > s.max(initial=0.0) * 1e-10
    return U[:, keep], s[keep], Vt[keep]


def loo_alphas(U, s, Y, alphas, offset=0.0, Vt=None, drop=None):
    """Per-target alpha with the smallest leave-one-out squared error.

    Parameters
    ----------
    U, s : outputs of :func:`svd_design` for the centred design.
    Y : ndarray of shape (n_samples, n_targets), centred.
    alphas : ndarray of shape (n_alphas,)
        Candidate penalties.
    offset : float
        Extra penalty added to every candidate (used for marginalised dropout).
    Vt : ndarray of shape (k, n_features), optional
        Needed with ``drop``.
    drop : ndarray of int, shape (n_targets,), optional
        For each target, one feature constrained to zero (the "zero diagonal" of the connectivity map). The
        leave-one-out errors are then those of the constrained fit, computed exactly from a rank-one update of
        the hat matrix: ``H_c = H − (Z h)(Z h)ᵀ / h_j`` with ``h = (ZᵀZ + αI)⁻¹ e_j``.

    Returns
    -------
    best : ndarray of shape (n_targets,)
        The chosen penalty (including ``offset``) per target.
    loo_mse : ndarray of shape (n_alphas, n_targets)
    """
    alphas = np.asarray(alphas, dtype=float) + offset
    UtY = U.T @ Y                                # (k, t)
    s2 = s ** 2
    Vc = None if drop is None else Vt[:, drop]   # (k, t)
    loo = np.empty((len(alphas), Y.shape[1]))
    for i, a in enumerate(alphas):
        shrink = s2 / (s2 + a)                   # (k,)
        fitted = U @ (shrink[:, None] * UtY)     # (n, t)
        lev = ((U ** 2) @ shrink)[:, None]       # (n, 1)
        if Vc is not None:
            inv = 1.0 / (s2 + a)
            Zh = U @ ((s * inv)[:, None] * Vc)                                   # (n, t)
            hjj = (inv[:, None] * Vc ** 2).sum(0) + (1.0 - (Vc ** 2).sum(0)) / a  # (t,)
            bj = ((s * inv)[:, None] * Vc * UtY).sum(0)                          # (t,)
            fitted = fitted - Zh * (bj / hjj)[None, :]
            lev = lev - Zh ** 2 / hjj[None, :]
        denom = np.clip(1.0 - lev, 1e-6, None)
        loo[i] = np.mean(((Y - fitted) / denom) ** 2, axis=0)
    best = alphas[np.argmin(loo, axis=0)]
    return best, loo


def ridge_coef(U, s, Vt, Y, alpha):
    """Ridge coefficients with one penalty per target.

    Parameters
    ----------
    U, s, Vt : outputs of :func:`svd_design` for the centred design.
    Y : ndarray of shape (n_samples, n_targets), centred.
    alpha : float or ndarray of shape (n_targets,)

    Returns
    -------
    coef : ndarray of shape (n_features, n_targets)
    """
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (Y.shape[1],))
    factor = s[:, None] / (s[:, None] ** 2 + alpha[None, :])   # (k, t)
    return Vt.T @ (factor * (U.T @ Y))


def ridge_inverse_columns(s, Vt, cols, alpha):
    """Columns of ``(XᵀX + αI)⁻¹``: column ``cols[t]`` at penalty ``alpha[t]`` for each target ``t``.

    Parameters
    ----------
    s, Vt : outputs of :func:`svd_design`.
    cols : ndarray of int, shape (n_targets,)
    alpha : ndarray of shape (n_targets,)

    Returns
    -------
    H : ndarray of shape (n_features, n_targets)
    """
    V = Vt.T                                     # (p, k)
    Vc = Vt[:, cols]                             # (k, t)
    inside = V @ (Vc / (s[:, None] ** 2 + alpha[None, :]))
    E = np.zeros((Vt.shape[1], len(cols)))
    E[cols, np.arange(len(cols))] = 1.0
    outside = (E - V @ Vc) / alpha[None, :]      # the part of e_j outside the row space of X
    return inside + outside


def nonnegative_ridge(G, B, alpha, mask=None, coef0=None, n_iter=500, tol=1e-7):
    """Ridge with ``coef ≥ 0`` by accelerated projected gradient (FISTA), all targets at once.

    Minimises ``½ aᵀ G a − bᵀ a + ½ α ||a||²`` per target column, subject to ``a ≥ 0`` and
    ``a[~mask] = 0``.

    Parameters
    ----------
    G : ndarray of shape (n_features, n_features)
        Gram matrix ``XᵀX`` of the centred design.
    B : ndarray of shape (n_features, n_targets)
        ``XᵀY``.
    alpha : ndarray of shape (n_targets,)
    mask : bool ndarray of shape (n_features, n_targets), optional
        Entries allowed to be non-zero.
    coef0 : ndarray of shape (n_features, n_targets), optional
        Starting point (projected onto the constraints).

    Returns
    -------
    coef : ndarray of shape (n_features, n_targets)
    """
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (B.shape[1],))
    L = float(np.linalg.eigvalsh(G)[-1]) + float(alpha.max())
    step = 1.0 / max(L, 1e-12)

    def project(A):
        A = np.maximum(A, 0.0)
        if mask is not None:
            A = np.where(mask, A, 0.0)
        return A

    A = project(np.zeros_like(B) if coef0 is None else coef0.copy())
    Z, t = A.copy(), 1.0
    for _ in range(n_iter):
        grad = G @ Z + Z * alpha[None, :] - B
        A_new = project(Z - step * grad)
        t_new = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        Z = A_new + ((t - 1.0) / t_new) * (A_new - A)
        delta = np.max(np.abs(A_new - A)) if A.size else 0.0
        A, t = A_new, t_new
        if delta <= tol * (1.0 + np.max(np.abs(A), initial=0.0)):
            break
    return A
