"""The connectivity encoder: exact solvers, planted coupling recovered, leakage visible, clear errors."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import nnls
from sklearn.linear_model import Ridge
from sklearn.metrics import roc_auc_score

from neurokit.connectivity import ConnectivityEncoder, matrix_agreement
from neurokit.sim.regions import make_planted_regions
from neurokit.regression._loo import (
    loo_alphas,
    nonnegative_ridge,
    ridge_coef,
    ridge_inverse_columns,
    svd_design,
)
from neurokit.errors import InputError, UnknownNameError


@pytest.fixture(scope="module")
def planted():
    return make_planted_regions(n_samples=600, n_features=300, voxels_per_region=10, inherit=0.7, noise=1.0,
                                seed=0)


def test_ridge_coef_matches_sklearn(rng):
    X = rng.standard_normal((40, 12))
    X -= X.mean(0)
    Y = rng.standard_normal((40, 3))
    Y -= Y.mean(0)
    U, s, Vt = svd_design(X)
    coef = ridge_coef(U, s, Vt, Y, np.array([0.1, 3.0, 50.0]))
    for t, a in enumerate([0.1, 3.0, 50.0]):
        ref = Ridge(alpha=a, fit_intercept=False).fit(X, Y[:, t]).coef_
        np.testing.assert_allclose(coef[:, t], ref, atol=1e-10)


@pytest.mark.parametrize("with_drop", [False, True])
def test_loo_errors_match_brute_force(rng, with_drop):
    n, p = 25, 8
    X = rng.standard_normal((n, p))
    Y = rng.standard_normal((n, 2))
    drop = np.array([2, 5]) if with_drop else None
    U, s, Vt = svd_design(X)
    alphas = np.array([0.5, 5.0])
    _, loo = loo_alphas(U, s, Y, alphas, Vt=Vt, drop=drop)
    for i, a in enumerate(alphas):
        for t in range(2):
            cols = np.arange(p) if drop is None else np.delete(np.arange(p), drop[t])
            err = []
            for k in range(n):
                m = np.arange(n) != k
                Xk = X[m][:, cols]
                b = np.linalg.solve(Xk.T @ Xk + a * np.eye(len(cols)), Xk.T @ Y[m, t])
                err.append((Y[k, t] - X[k, cols] @ b) ** 2)
            assert loo[i, t] == pytest.approx(np.mean(err), rel=1e-8)


@pytest.mark.parametrize("n,p", [(50, 10), (8, 20)])
def test_zero_diagonal_is_exact_constrained_ridge(rng, n, p):
    Z = rng.standard_normal((n, p))
    Y = rng.standard_normal((n, 3))
    U, s, Vt = svd_design(Z)
    a = np.array([0.5, 2.0, 10.0])
    pos = np.array([1, 4, 7])
    A = ridge_coef(U, s, Vt, Y, a)
    H = ridge_inverse_columns(s, Vt, pos, a)
    cols = np.arange(3)
    A = A - H * (A[pos, cols] / H[pos, cols])[None]
    for t in range(3):
        keep = np.delete(np.arange(p), pos[t])
        ref = np.linalg.solve(Z[:, keep].T @ Z[:, keep] + a[t] * np.eye(p - 1), Z[:, keep].T @ Y[:, t])
        np.testing.assert_allclose(A[keep, t], ref, atol=1e-9)
        assert abs(A[pos[t], t]) < 1e-12


def test_nonnegative_ridge_matches_nnls(rng):
    Z = rng.standard_normal((60, 6))
    Y = Z @ np.array([1.0, -1.0, 0.5, 0.0, 2.0, -0.3])[:, None] + 0.1 * rng.standard_normal((60, 1))
    alpha = 2.0
    A = nonnegative_ridge(Z.T @ Z, Z.T @ Y, np.array([alpha]), n_iter=5000, tol=1e-12)
    aug = np.vstack([Z, np.sqrt(alpha) * np.eye(6)])
    ref, _ = nnls(aug, np.concatenate([Y[:, 0], np.zeros(6)]))
    np.testing.assert_allclose(A[:, 0], ref, atol=1e-6)
    assert (A >= 0).all()


def test_marginalised_dropout_is_the_expected_dropout_loss(rng):
    """E||y − A(m⊙z)/(1−p)||² = ||y − Az||² + p/(1−p) Σ_j a_j² ||z_j||², the identity the fit relies on."""
    n, q, p = 30, 5, 0.3
    Z = rng.standard_normal((n, q))
    y = rng.standard_normal(n)
    a = rng.standard_normal(q)
    masks = rng.random((20000, n, q)) > p
    mc = np.mean(np.sum((y - ((masks * Z) / (1 - p)) @ a) ** 2, axis=1))
    closed = np.sum((y - Z @ a) ** 2) + p / (1 - p) * np.sum(a ** 2 * (Z ** 2).sum(0))
    assert mc == pytest.approx(closed, rel=0.02)


def test_planted_coupling_recovered(planted):
    d = planted
    enc = ConnectivityEncoder().fit(d.X[:500], d.Y[:500], d.regions)
    W = enc.region_weights_
    assert W.shape == (9, 9) and W.max() == pytest.approx(1.0) and W.min() >= 0
    # which regions are coupled: recovered r ≥ 0.8 (direction is not identifiable, see matrix_agreement)
    assert matrix_agreement(W, d.planted, undirected=True) >= 0.8
    off = ~np.eye(9, dtype=bool)
    assert roc_auc_score(d.planted[off] > 0, W[off]) >= 0.75
    # a shuffled planted matrix must not agree
    perm = np.random.default_rng(1).permutation(9)
    assert matrix_agreement(W, d.planted[perm][:, perm], undirected=True) < 0.5


def test_modes_respect_block_structure(planted):
    d = planted
    same = d.regions[:, None] == d.regions[None, :]
    intra = ConnectivityEncoder(mode="intra", cv=3).fit(d.X[:300], d.Y[:300], d.regions)
    assert np.all(intra.coef_[~same] == 0)
    inter = ConnectivityEncoder(mode="inter", cv=3).fit(d.X[:300], d.Y[:300], d.regions)
    assert np.all(inter.coef_[same] == 0)
    assert np.allclose(np.diag(inter.region_weights_), 0)
    zd = ConnectivityEncoder(zero_diagonal=True, cv=3).fit(d.X[:300], d.Y[:300], d.regions)
    assert np.all(np.diag(zd.coef_) == 0)
    nn = ConnectivityEncoder(nonnegative=True, cv=3).fit(d.X[:300], d.Y[:300], d.regions)
    assert (nn.coef_ >= 0).all()


def test_leaky_reading_inflates_gains(planted):
    """Measured responses as inputs carry the test clips' own signal: gains far beyond the leak-free ones."""
    d = planted
    tr, te = slice(0, 500), slice(500, 600)
    clean = ConnectivityEncoder().fit(d.X[tr], d.Y[tr], d.regions)
    # the reviewers' reading: all measured voxels as inputs, dropout to "partially alleviate" the shortcut
    leaky = ConnectivityEncoder(inputs="measured", dropout=0.5).fit(d.X[tr], d.Y[tr], d.regions)
    base = clean.score_voxels(d.X[te], d.Y[te], base=True).mean()
    gain_clean = clean.score_voxels(d.X[te], d.Y[te]).mean() - base
    gain_leaky = leaky.score_voxels(d.X[te], d.Y[te], Y_measured=d.Y[te]).mean() - base
    assert gain_leaky > gain_clean + 0.05
    # the leaky "prediction" even beats the best any stimulus model could do: the noise-free signal
    ceiling = np.mean([np.corrcoef(d.signal[te, j], d.Y[te, j])[0, 1] for j in range(d.Y.shape[1])])
    assert base + gain_leaky > ceiling
    # without the zero diagonal the leaky model is the identity: perfect "prediction" of the measurement
    ident = ConnectivityEncoder(inputs="measured", mode="intra").fit(d.X[tr], d.Y[tr], d.regions)
    assert ident.score_voxels(d.X[te], d.Y[te], Y_measured=d.Y[te]).mean() > 0.99


def test_base_is_loo_ridgecv_and_accepts_other_estimators(planted):
    d = planted
    enc = ConnectivityEncoder(base_estimator=Ridge(alpha=10.0), cv=3).fit(d.X[:200], d.Y[:200], d.regions)
    ref = Ridge(alpha=10.0).fit(d.X[:200], d.Y[:200]).predict(d.X[200:220])
    np.testing.assert_allclose(enc.predict_base(d.X[200:220]), ref)
    base = ConnectivityEncoder().fit(d.X[:200], d.Y[:200], d.regions).base_
    assert base[-1].cv == "loo"  # the default: z-scored features, RidgeCV with exact leave-one-out alphas


def test_errors_are_clear(planted):
    d = planted
    with pytest.raises(UnknownNameError, match="mode"):
        ConnectivityEncoder(mode="both").fit(d.X[:100], d.Y[:100], d.regions)
    with pytest.raises(InputError, match="one label per voxel"):
        ConnectivityEncoder().fit(d.X[:100], d.Y[:100], d.regions[:5])
    with pytest.raises(InputError, match="same clips"):
        ConnectivityEncoder().fit(d.X[:100], d.Y[:90], d.regions)
    leaky = ConnectivityEncoder(inputs="measured", cv=3).fit(d.X[:100], d.Y[:100], d.regions)
    with pytest.raises(InputError, match="Y_measured"):
        leaky.predict(d.X[100:110])
    Y = d.Y[:100].copy()
    Y[3, 4] = np.nan
    with pytest.raises(InputError, match="NaN"):
        ConnectivityEncoder().fit(d.X[:100], Y, d.regions)


def test_residual_coupling_finds_coupled_regions():
    from neurokit.connectivity import residual_coupling

    d = make_planted_regions(n_samples=500, n_features=100, voxels_per_region=10, inherit=0.7, intrinsic=1.0,
                             noise=1.0, seed=0)
    names, W = residual_coupling(d.X, d.Y, d.regions, n_components=4)
    assert list(names) == list(d.region_names) and np.allclose(np.diag(W), 0) and W.max() == pytest.approx(1)
    assert matrix_agreement(W, d.planted, undirected=True) >= 0.8
    perm = np.random.default_rng(1).permutation(9)
    assert matrix_agreement(W, d.planted[perm][:, perm], undirected=True) < 0.5
    with pytest.raises(InputError, match="n_components"):
        residual_coupling(d.X, d.Y, d.regions, n_components=50)


def test_one_dimensional_target_round_trips(rng):
    X = rng.standard_normal((60, 5))
    y = X @ rng.standard_normal(5) + 0.1 * rng.standard_normal(60)
    enc = ConnectivityEncoder(cv=3).fit(X, y)
    pred = enc.predict(X)
    assert pred.shape == (60,) and np.corrcoef(pred, y)[0, 1] > 0.95
