"""Statistics for the encoding study: Welch/paired t-tests, FDR, bootstrap CIs, significance marks."""
from neurokit.stats._compare import compare_families
from neurokit.stats._tests import (
    TTestResult,
    bootstrap_ci,
    fdr_bh,
    paired_ttest,
    significance_mark,
    welch_ttest,
)

__all__ = [
    "TTestResult",
    "welch_ttest",
    "paired_ttest",
    "fdr_bh",
    "bootstrap_ci",
    "significance_mark",
    "compare_families",
]
