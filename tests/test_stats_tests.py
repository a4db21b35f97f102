"""neurokit.stats against scipy/statsmodels references and planted effects."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from neurokit.errors import InputError
from neurokit.stats import (
    bootstrap_ci,
    compare_families,
    fdr_bh,
    paired_ttest,
    significance_mark,
    welch_ttest,
)


def test_welch_matches_reference_formula(rng):
    a, b = rng.normal(0.3, 0.05, 11), rng.normal(0.25, 0.1, 26)
    res = welch_ttest(a, b)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    assert res.t == pytest.approx(t) and res.df == pytest.approx(df)
    assert res.p == pytest.approx(2 * stats.t.sf(abs(t), df))
    assert res.d > 0 and res.mean_diff == pytest.approx(a.mean() - b.mean())
    t2, p2, *_ = res
    assert t2 == res.t


def test_paired_ttest_and_planted_effect(rng):
    subj = rng.normal(0, 1, 10)
    a = subj + 0.5 + rng.normal(0, 0.1, 10)
    b = subj + rng.normal(0, 0.1, 10)
    res = paired_ttest(a, b)
    assert res.p < 1e-4 and res.df == 9
    assert res.t == pytest.approx(stats.ttest_rel(a, b).statistic)
    assert welch_ttest(a, b).p > 0.05  # ignoring the pairing loses the effect
    with pytest.raises(InputError, match="same length"):
        paired_ttest(a, b[:5])


def test_fdr_bh_reference():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5])
    reject, padj = fdr_bh(p)
    # hand BH: sorted p * m / rank, then cumulative min from the top
    order = np.argsort(p)
    adj = p[order] * len(p) / np.arange(1, len(p) + 1)
    adj = np.minimum.accumulate(adj[::-1])[::-1]
    expected = np.empty_like(adj)
    expected[order] = adj
    np.testing.assert_allclose(padj, expected)
    np.testing.assert_array_equal(reject, expected <= 0.05)  # BH rejects p_adj <= alpha
    with pytest.raises(InputError):
        fdr_bh([0.1, 1.5])


def test_bootstrap_ci_covers_and_shrinks(rng):
    x = rng.normal(2.0, 1.0, 200)
    lo, hi = bootstrap_ci(x, n_boot=2000, rng=0)
    assert lo < 2.0 < hi and lo < x.mean() < hi
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert (hi - lo) == pytest.approx(2 * 1.96 * se, rel=0.15)
    lo2, hi2 = bootstrap_ci(x, stat=lambda s: np.median(s), n_boot=500, rng=0)
    assert lo2 < np.median(x) < hi2
    assert bootstrap_ci(x, n_boot=300, rng=5) == bootstrap_ci(x, n_boot=300, rng=5)


def test_significance_marks():
    assert [significance_mark(p) for p in (0.2, 0.05, 0.049, 0.01, 0.0099, 0.001, 0.0009)] == [
        "ns", "ns", "*", "*", "**", "**", "***"]
    assert list(significance_mark(np.array([0.5, 0.0001]))) == ["ns", "***"]


def test_compare_families_finds_planted_difference(rng):
    rows = []
    for roi, gap in (("V1", 0.0), ("EBA", 0.08)):
        for i in range(11):
            rows.append({"roi": roi, "family": "image", "model": f"i{i}", "r": rng.normal(0.25, 0.02)})
        for i in range(26):
            rows.append({"roi": roi, "family": "video", "model": f"v{i}", "r": rng.normal(0.25 + gap, 0.02)})
    out = compare_families(pd.DataFrame(rows), value="r", group="family", by="roi")
    assert list(out.columns[:3]) == ["roi", "group_a", "group_b"]
    eba = out.set_index("roi").loc["EBA"]
    v1 = out.set_index("roi").loc["V1"]
    assert eba["mark"] == "***" and eba["p_fdr"] < 0.001 and eba["mean_b"] > eba["mean_a"]
    assert v1["p"] > 0.01 and (out["p_fdr"] >= out["p"]).all()
    with pytest.raises(InputError, match="not in the table"):
        compare_families(pd.DataFrame(rows), value="score", group="family")
