"""Two-sample and paired t-tests with effect sizes, FDR, bootstrap CIs and significance marks."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from neurokit.errors import InputError, check_finite


@dataclass(frozen=True)
class TTestResult:
    """Result of a t-test.

    Attributes
    ----------
    t : float
    p : float  two-sided p-value
    df : float  degrees of freedom (Welch–Satterthwaite for :func:`welch_ttest`, n−1 for paired)
    d : float  effect size (Cohen's d; see each test for the exact definition)
    mean_diff : float  mean(a) − mean(b)
    """

    t: float
    p: float
    df: float
    d: float
    mean_diff: float

    def __iter__(self):  # allows ``t, p, df, d, _ = welch_ttest(a, b)``
        return iter((self.t, self.p, self.df, self.d, self.mean_diff))


def _vec(x, name, min_n=2):
    a = np.asarray(x, dtype=np.float64).ravel()
    if a.size < min_n:
        raise InputError(f"{name} needs at least {min_n} values for a t-test, got {a.size}.")
    check_finite(a, name)
    return a


def welch_ttest(a, b) -> TTestResult:
    """Welch's unequal-variance two-sample t-test (two-sided), as used for the paper's family comparisons.

    Parameters
    ----------
    a, b : array-like of shape (n_a,), (n_b,)
        Independent samples, e.g. per-model mean scores of two model families.

    Returns
    -------
    TTestResult
        ``df`` is the Welch–Satterthwaite value; ``d`` is Cohen's d with the pooled SD of the two groups
        using the average of the two variances, ``(mean_a − mean_b) / sqrt((s_a² + s_b²)/2)``.
    """
    a, b = _vec(a, "a"), _vec(b, "b")
    res = _st.ttest_ind(a, b, equal_var=False)
    va, vb = a.var(ddof=1), b.var(ddof=1)
    df = (va / a.size + vb / b.size) ** 2 / ((va / a.size) ** 2 / (a.size - 1) + (vb / b.size) ** 2 / (b.size - 1))
    diff = a.mean() - b.mean()
    sd = np.sqrt((va + vb) / 2)
    return TTestResult(float(res.statistic), float(res.pvalue), float(df), float(diff / sd) if sd > 0 else np.nan,
                       float(diff))


def paired_ttest(a, b) -> TTestResult:
    """Paired t-test (two-sided) on matched samples, e.g. two models scored on the same subjects.

    Returns
    -------
    TTestResult
        ``df = n − 1``; ``d`` is Cohen's d_z, mean(a − b) / SD(a − b).
    """
    a, b = _vec(a, "a"), _vec(b, "b")
    if a.shape != b.shape:
        raise InputError(f"paired samples must have the same length, got {a.size} and {b.size}.")
    res = _st.ttest_rel(a, b)
    diff = a - b
    sd = diff.std(ddof=1)
    return TTestResult(float(res.statistic), float(res.pvalue), float(a.size - 1),
                       float(diff.mean() / sd) if sd > 0 else np.nan, float(diff.mean()))


def fdr_bh(pvals, alpha=0.05):
    """Benjamini–Hochberg false-discovery-rate correction (statsmodels ``multipletests(method="fdr_bh")``).

    Parameters
    ----------
    pvals : array-like of shape (n_tests,)
    alpha : float, default 0.05

    Returns
    -------
    reject : ndarray of bool, shape (n_tests,)
    p_adjusted : ndarray of shape (n_tests,)
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(pvals, dtype=np.float64)
    shape = p.shape
    p = p.ravel()
    if p.size == 0:
        return np.zeros(shape, bool), np.zeros(shape)
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise InputError("p-values must lie in [0, 1] and not be NaN; drop undefined tests before correcting.")
    reject, padj, _, _ = multipletests(p, alpha=alpha, method="fdr_bh")
    return reject.reshape(shape), padj.reshape(shape)


def bootstrap_ci(x, stat=np.mean, n_boot=10_000, ci=0.95, rng=None):
    """Percentile bootstrap confidence interval of ``stat(x)``.

    Parameters
    ----------
    x : array-like of shape (n,)
    stat : callable, default ``np.mean``
        Called as ``stat(sample, axis=-1)`` on an (n_boot, n) array when it accepts ``axis``, else per resample.
    n_boot : int, default 10000
    ci : float in (0, 1), default 0.95
    rng : numpy Generator, int or None

    Returns
    -------
    (low, high) : tuple of float
    """
    x = _vec(x, "x", min_n=2)
    if not 0 < ci < 1:
        raise InputError(f"ci must be in (0, 1), e.g. 0.95; got {ci!r}.")
    if int(n_boot) < 1:
        raise InputError(f"n_boot must be >= 1, got {n_boot!r}.")
    gen = np.random.default_rng(rng)
    idx = gen.integers(0, x.size, size=(int(n_boot), x.size))
    samples = x[idx]
    try:
        vals = np.asarray(stat(samples, axis=-1), dtype=np.float64)
        if vals.shape != (int(n_boot),):
            raise TypeError
    except TypeError:
        vals = np.array([stat(s) for s in samples], dtype=np.float64)
    lo, hi = np.quantile(vals, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


def significance_mark(p):
    """The paper's marks: "***" p < 0.001, "**" p < 0.01, "*" p < 0.05, else "ns".

    Accepts a float (returns a str) or an array (returns an object array of str).
    """
    def one(v):
        if v is None or np.isnan(v):
            return "ns"
        return "***" if v < 0.001 else "**" if v < 0.01 else "*" if v < 0.05 else "ns"

    if np.ndim(p) == 0:
        return one(float(p))
    arr = np.asarray(p, dtype=np.float64)
    return np.vectorize(one, otypes=[object])(arr)
