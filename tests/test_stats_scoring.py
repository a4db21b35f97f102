"""Pearson r and noise ceilings against reference definitions and planted reliabilities."""
import numpy as np
import pytest
from scipy import stats

from neurokit.errors import InputError
from neurokit.stats import (
    ncsnr,
    noise_ceiling_from_ncsnr,
    noise_normalized_score,
    pearsonr,
    split_half_noise_ceiling,
)


def test_pearsonr_matches_scipy_and_is_invariant(rng):
    a = rng.standard_normal((50, 6))
    b = a + rng.standard_normal((50, 6))
    r = pearsonr(a, b)
    ref = [stats.pearsonr(a[:, j], b[:, j]).statistic for j in range(6)]
    np.testing.assert_allclose(r, ref, rtol=1e-12)
    np.testing.assert_allclose(pearsonr(a, 3 * b - 7), r, rtol=1e-12)  # affine invariance
    np.testing.assert_allclose(pearsonr(a, -b), -r, rtol=1e-12)
    assert isinstance(pearsonr(a[:, 0], b[:, 0]), float)
    c = b.copy()
    c[:, 2] = 1.0
    assert np.isnan(pearsonr(a, c)[2])
    with pytest.raises(InputError, match="same shape"):
        pearsonr(a, b[:, :3])
    with pytest.raises(InputError, match="NaN"):
        pearsonr(np.full((5, 2), np.nan), b[:5, :2])


def _planted(rng, n_stim=400, n_rep=10, n_vox=6):
    """signal ~ N(0, s2), noise ~ N(0, 1) per repeat: reliability of the mean of m repeats = s2 / (s2 + 1/m)."""
    s2 = np.array([0.0, 0.05, 0.2, 0.5, 1.0, 3.0])[:n_vox]
    sig = rng.standard_normal((n_stim, 1, n_vox)) * np.sqrt(s2)
    return sig + rng.standard_normal((n_stim, n_rep, n_vox)), s2


def test_split_half_recovers_planted_reliability(rng):
    R, s2 = _planted(rng, n_stim=2000)
    rel = split_half_noise_ceiling(R)  # all 126 5-vs-5 splits
    expected = s2 / (s2 + 1 / 10)  # Spearman-Brown: reliability of the 10-repeat mean
    np.testing.assert_allclose(rel, expected, atol=0.05)
    rel_rand = split_half_noise_ceiling(R, n_splits=30, rng=0)
    np.testing.assert_allclose(rel_rand, rel, atol=0.03)
    # exhaustive splits equal a manual computation for a 4-repeat case
    R4 = R[:, :4]
    manual = []
    for first in ((0, 1), (0, 2), (0, 3)):
        second = [i for i in range(4) if i not in first]
        rho = pearsonr(R4[:, list(first)].mean(1), R4[:, second].mean(1))
        manual.append(2 * rho / (1 + rho))
    np.testing.assert_allclose(split_half_noise_ceiling(R4), np.mean(manual, 0), rtol=1e-12)


def test_ncsnr_and_noise_ceiling_recover_planted_values(rng):
    R, s2 = _planted(rng, n_stim=2000)
    snr = ncsnr(R)
    np.testing.assert_allclose(snr, np.sqrt(s2), atol=0.06)
    nc = noise_ceiling_from_ncsnr(snr, 10)
    np.testing.assert_allclose(nc, 100 * s2 / (s2 + 0.1), atol=4.0)
    assert noise_ceiling_from_ncsnr(np.array([1.0]), 1)[0] == pytest.approx(50.0)
    # the two ceilings estimate the same quantity
    np.testing.assert_allclose(nc / 100, split_half_noise_ceiling(R, n_splits=20, rng=1), atol=0.05)


def test_noise_normalized_score():
    r = np.array([0.3, 0.3, 0.2])
    c = np.array([0.81, 0.0, 0.25])
    out = noise_normalized_score(r, c)
    np.testing.assert_allclose(out[[0, 2]], [0.3 / 0.9, 0.4])
    assert np.isnan(out[1])
    assert np.isnan(noise_normalized_score(r, c, threshold=0.5)[2])
    with pytest.raises(InputError, match="percent"):
        noise_normalized_score(r, c * 100)


def test_ceiling_input_errors():
    with pytest.raises(InputError, match="n_stimuli, n_repeats, n_voxels"):
        ncsnr(np.zeros((10, 3)))
    with pytest.raises(InputError, match="repeats"):
        split_half_noise_ceiling(np.zeros((10, 1, 3)))
    with pytest.raises(InputError, match="positive integer"):
        noise_ceiling_from_ncsnr([1.0], 0)
