"""Cross-validation splits of the Part I protocol."""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError


def disjoint_test_folds(n_samples, n_folds=4, test_fraction=0.1, seed=0):
    """``n_folds`` train/test splits whose test sets are disjoint (the spec's reading of the paper's 4-fold CV).

    Each fold tests on ``round(test_fraction · n_samples)`` clips and trains on all the others (90 % / 10 %
    as the reviewers report). With 1000 clips and 4 folds, 400 clips are tested once and 600 never.

    Parameters
    ----------
    n_samples : int
    n_folds : int
    test_fraction : float in (0, 1/n_folds]
    seed : int

    Returns
    -------
    list of (train, test) pairs of int ndarrays
    """
    n_test = int(round(test_fraction * n_samples))
    if n_folds < 1 or n_test < 2 or n_folds * n_test > n_samples:
        raise InputError(
            f"cannot draw {n_folds} disjoint test sets of {n_test} clips from {n_samples}: lower n_folds or "
            f"test_fraction (need n_folds × test_fraction ≤ 1 and at least 2 test clips)."
        )
    order = np.random.default_rng(seed).permutation(n_samples)
    folds = []
    for k in range(n_folds):
        test = np.sort(order[k * n_test:(k + 1) * n_test])
        train = np.setdiff1d(np.arange(n_samples), test)
        folds.append((train, test))
    return folds
