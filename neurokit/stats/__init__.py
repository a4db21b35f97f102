"""Statistics: the one Pearson r, t-tests, permutation and bootstrap tests, FDR, significance marks, noise
ceilings, and receptive-field (STA) estimation."""
from neurokit.stats._compare import compare_families
from neurokit.stats._scoring import (
    ncsnr,
    noise_ceiling_from_ncsnr,
    noise_normalized_score,
    pearsonr,
    spearman_brown,
    split_half_noise_ceiling,
)
from neurokit.stats._tests import (
    TTestResult,
    bootstrap_ci,
    fdr_bh,
    paired_ttest,
    significance_mark,
    welch_ttest,
)

__all__ = [
    "pearsonr",
    "TTestResult",
    "welch_ttest",
    "paired_ttest",
    "fdr_bh",
    "bootstrap_ci",
    "significance_mark",
    "compare_families",
    "split_half_noise_ceiling",
    "spearman_brown",
    "ncsnr",
    "noise_ceiling_from_ncsnr",
    "noise_normalized_score",
]
