"""RidgeCV: agreement with brute force and sklearn, planted weights, sklearn contract, input errors."""
import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, LeaveOneOut, ShuffleSplit

from neurokit.errors import InputError
from neurokit.regression import SOLVERS, RidgeCV

ALPHAS = np.logspace(-2, 4, 9)


def _data(rng, n=80, p=12, v=7, noise=1.0, offset=2.0):
    X = rng.standard_normal((n, p)) @ rng.standard_normal((p, p)) * 0.5 + rng.standard_normal(p)
    W = rng.standard_normal((p, v))
    W[:, : v // 2] *= 0.05  # some weakly tuned targets -> large alphas win there
    Y = X @ W + noise * rng.standard_normal((n, v)) + offset
    return X, Y, W


def _brute_force(X, Y, alphas, folds, fit_intercept=True):
    """Per alpha, per fold, per target: an independent sklearn Ridge solve; then per-target refit."""
    scores = np.zeros((len(alphas), Y.shape[1]))
    for i, a in enumerate(alphas):
        for tr, va in folds:
            m = Ridge(alpha=a, fit_intercept=fit_intercept, solver="cholesky").fit(X[tr], Y[tr])
            scores[i] += ((m.predict(X[va]) - Y[va]) ** 2).mean(0)
    scores /= len(folds)
    best = np.argmin(scores, axis=0)
    coef = np.empty((Y.shape[1], X.shape[1]))
    icpt = np.empty(Y.shape[1])
    for j in range(Y.shape[1]):
        m = Ridge(alpha=alphas[best[j]], fit_intercept=fit_intercept, solver="cholesky").fit(X, Y[:, j])
        coef[j], icpt[j] = m.coef_, m.intercept_
    return scores, alphas[best], coef, icpt


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("shape", [(80, 12), (40, 90)])  # p < n and p > n
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_brute_force_per_alpha_per_fold(rng, solver, shape, fit_intercept):
    n, p = shape
    X, Y, _ = _data(rng, n=n, p=p, v=9)
    folds = list(KFold(5).split(X))
    ref_scores, ref_alphas, ref_coef, ref_icpt = _brute_force(X, Y, ALPHAS, folds, fit_intercept)
    m = RidgeCV(alphas=ALPHAS, cv=5, solver=solver, fit_intercept=fit_intercept, n_targets_batch=4).fit(X, Y)
    assert m.solver_ == solver
    np.testing.assert_allclose(m.cv_scores_, ref_scores, rtol=1e-8)
    np.testing.assert_array_equal(m.best_alphas_, ref_alphas)
    assert len(np.unique(m.best_alphas_)) > 1  # the test really exercises per-target alphas
    np.testing.assert_allclose(m.coef_, ref_coef, rtol=1e-8, atol=1e-10 * np.abs(ref_coef).max())
    np.testing.assert_allclose(m.intercept_, ref_icpt, rtol=1e-8, atol=1e-10)
    Xte = rng.standard_normal((20, p))
    ref_pred = Xte @ ref_coef.T + ref_icpt
    np.testing.assert_allclose(m.predict(Xte), ref_pred, rtol=1e-8, atol=1e-9 * np.abs(ref_pred).max())


def test_auto_solver_and_one_alpha_matches_sklearn_ridge(rng):
    for p, expected in ((10, "svd"), (120, "eig")):
        X, Y, _ = _data(rng, n=60, p=p, v=4)
        m = RidgeCV(alphas=[3.0]).fit(X, Y)
        assert m.solver_ == expected
        ref = Ridge(alpha=3.0).fit(X, Y)
        np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(m.intercept_, ref.intercept_, rtol=1e-9, atol=1e-12)
        assert m.coef_.shape == (4, p) and m.intercept_.shape == (4,) and m.best_alphas_.shape == (4,)


def test_recovers_planted_weights(rng):
    n, p, v = 400, 20, 30
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((p, v))
    b = rng.standard_normal(v)
    Y = X @ W + b + 0.5 * rng.standard_normal((n, v))
    m = RidgeCV().fit(X, Y)
    err = np.linalg.norm(m.coef_ - W.T) / np.linalg.norm(W)
    assert err < 0.05
    np.testing.assert_allclose(m.intercept_, b, atol=0.15)
    # pure-noise targets are shrunk hard; strongly tuned ones lightly
    m2 = RidgeCV().fit(X, np.c_[Y[:, :3], rng.standard_normal((n, 3))])
    assert m2.best_alphas_[:3].max() < m2.best_alphas_[3:].min()


def test_chunking_float32_and_torch_agree(rng, monkeypatch):
    import neurokit.regression._ridge as ridge_mod

    X, Y, _ = _data(rng, n=70, p=30, v=11)
    ref = RidgeCV(alphas=ALPHAS).fit(X, Y)
    for kw in ({"n_targets_batch": 3}, {"backend": "torch"}, {"backend": "torch", "solver": "eig"}, {}):
        if not kw:  # scoring sub-blocks smaller than the target chunk
            monkeypatch.setattr(ridge_mod, "SCORE_BLOCK", 2)
        m = RidgeCV(alphas=ALPHAS, **kw).fit(X, Y)
        np.testing.assert_array_equal(m.best_alphas_, ref.best_alphas_)
        np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-9, atol=1e-11)
    m32 = RidgeCV(alphas=ALPHAS, dtype="float32").fit(X, Y)
    assert m32.coef_.dtype == np.float32
    np.testing.assert_allclose(m32.predict(X), ref.predict(X), rtol=1e-3, atol=1e-3)


def test_cv_splitters_and_score(rng):
    X, Y, _ = _data(rng, n=50, p=6, v=3)
    ss = ShuffleSplit(4, test_size=0.25, random_state=0)
    m = RidgeCV(alphas=ALPHAS, cv=ss).fit(X, Y)
    m2 = RidgeCV(alphas=ALPHAS, cv=list(ss.split(X))).fit(X, Y)
    np.testing.assert_array_equal(m.cv_scores_, m2.cv_scores_)
    r2 = m.score(X, Y)
    assert r2.shape == (3,)
    m1 = RidgeCV(alphas=ALPHAS).fit(X, Y[:, 0])
    assert m1.coef_.shape == (6,) and m1.predict(X).shape == (50,) and isinstance(m1.score(X, Y[:, 0]), float)
    np.testing.assert_allclose(m1.coef_, RidgeCV(alphas=ALPHAS).fit(X, Y[:, :1]).coef_[0])


def test_loo_trap_is_refused_and_intercept_fixes_it(rng):
    X = rng.standard_normal((20, 30))
    X -= X.mean(0)
    Y = rng.standard_normal((20, 2))
    with pytest.raises(InputError, match="leave-one-out"):
        RidgeCV(cv=LeaveOneOut(), fit_intercept=False).fit(X, Y)
    RidgeCV(cv=LeaveOneOut(), fit_intercept=True).fit(X, Y)


@pytest.mark.parametrize(
    "kwargs, X, Y, match",
    [
        ({}, np.full((20, 3), np.nan), np.ones((20, 2)), "NaN"),
        ({}, np.ones((20, 3)), np.r_[np.full((1, 2), np.inf), np.ones((19, 2))], "NaN/inf"),
        ({}, np.ones((20, 3)), np.ones((19, 2)), "different numbers of rows"),
        ({"cv": 5}, np.ones((4, 3)), np.ones((4, 2)), "fewer samples than folds"),
        ({"alphas": [1.0, 0.0]}, np.ones((20, 3)), np.ones((20, 2)), "positive"),
        ({"alphas": [-1.0]}, np.ones((20, 3)), np.ones((20, 2)), "positive"),
        ({}, np.ones(20), np.ones((20, 2)), "2-D"),
        ({}, np.ones((20, 3)), np.ones((20, 2, 2)), "1-D or 2-D"),
        ({"solver": "qr"}, np.ones((20, 3)), np.ones((20, 2)), "unknown solver"),
    ],
)
def test_bad_input_raises_clear_error(kwargs, X, Y, match):
    with pytest.raises(InputError, match=match):
        RidgeCV(**kwargs).fit(X, Y)


def test_working_memory_bounded_by_chunk_not_by_n_targets(rng):
    import tracemalloc

    n, p = 100, 40
    X = rng.standard_normal((n, p))
    RidgeCV(alphas=ALPHAS, n_targets_batch=250).fit(X, rng.standard_normal((n, 300)))  # warm-up: lazy imports
    extra = []
    for v in (1000, 4000):
        Y = rng.standard_normal((n, v))
        tracemalloc.start()
        m = RidgeCV(alphas=ALPHAS, n_targets_batch=250).fit(X, Y)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        outputs = m.coef_.nbytes + m.intercept_.nbytes + m.cv_scores_.nbytes + m.best_alphas_.nbytes
        extra.append(peak - outputs - 8 * v)  # minus outputs and the per-target index bookkeeping
    chunk_bytes = len(ALPHAS) * (n // 5) * 250 * 8
    # quadrupling the targets adds less than one chunk's held-out predictions (a copy of Y would add 2.4 MB)
    assert abs(extra[1] - extra[0]) < chunk_bytes


@pytest.mark.gpu
def test_cuda_matches_numpy(rng):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    X, Y, _ = _data(rng, n=90, p=120, v=300)
    ref = RidgeCV(alphas=ALPHAS).fit(X, Y)
    m = RidgeCV(alphas=ALPHAS, backend="torch", device="cuda").fit(X, Y)
    np.testing.assert_array_equal(m.best_alphas_, ref.best_alphas_)
    np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-8, atol=1e-10)


def test_loo_cv_equals_brute_force_leave_one_out(rng=None):
    """cv="loo" picks, per target, the alpha with the smallest exact leave-one-out error (brute force check)."""
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 6))
    Y = X @ rng.standard_normal((6, 3)) + rng.standard_normal((40, 3)) * np.array([0.1, 1.0, 5.0])
    alphas = np.logspace(-2, 3, 6)
    m = RidgeCV(alphas=alphas, cv="loo").fit(X, Y)
    brute = np.zeros((len(alphas), 3))
    for i, a in enumerate(alphas):
        for j in range(40):
            keep = np.arange(40) != j
            pred = Ridge(alpha=a).fit(X[keep], Y[keep]).predict(X[j:j + 1])
            brute[i] += ((Y[j] - pred[0]) ** 2) / 40
    # the closed form treats the intercept as the full-sample mean: close to, not exactly, the refitted LOO error
    np.testing.assert_allclose(m.cv_scores_, brute, rtol=0.1)
    np.testing.assert_array_equal(m.best_alphas_, alphas[brute.argmin(0)])
    ref = np.stack([Ridge(alpha=a).fit(X, Y[:, t]).coef_ for t, a in enumerate(m.best_alphas_)])
    np.testing.assert_allclose(m.coef_, ref, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m.predict(X), X @ ref.T + m.intercept_, rtol=1e-8, atol=1e-10)
    with pytest.raises(InputError, match="fit_intercept"):
        RidgeCV(cv="loo", fit_intercept=False).fit(X, Y)
