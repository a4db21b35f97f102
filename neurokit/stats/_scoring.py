"""Scores and noise ceilings for encoding models: Pearson r per target, split-half and ncsnr ceilings."""
from __future__ import annotations

import itertools

import numpy as np

from neurokit.errors import InputError, check_finite


def _as_2d(a, name):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim not in (1, 2):
        raise InputError(f"{name} must be 1-D or 2-D of shape (n_samples, n_targets), got ndim={a.ndim}.")
    return a


def pearsonr(Y_true, Y_pred):
    """Pearson correlation per column (per target / voxel), across samples.

    The standard definition, ``cov / (std * std)`` with the same normalisation in numerator and
    denominator. Note: the Algonauts 2021 devkit divides a Bessel-corrected covariance (÷(n−1)) by
    NumPy's population standard deviations (ddof=0), so it reports ``r * n/(n−1)``: 1 % higher with
    n = 100 test clips. Multiply by n/(n−1) to compare with numbers printed by that devkit.

    Parameters
    ----------
    Y_true : array-like of shape (n_samples, n_targets) or (n_samples,)
    Y_pred : array-like of the same shape

    Returns
    -------
    r : ndarray of shape (n_targets,), or float for 1-D input.
        NaN where either column has zero variance (r is undefined there); use ``np.nanmean`` to average.
    """
    a, b = _as_2d(Y_true, "Y_true"), _as_2d(Y_pred, "Y_pred")
    if a.shape != b.shape:
        raise InputError(f"Y_true and Y_pred must have the same shape, got {a.shape} and {b.shape}.")
    if a.shape[0] < 2:
        raise InputError(f"Pearson r needs at least 2 samples per column, got n_samples={a.shape[0]}.")
    check_finite(a, "Y_true")
    check_finite(b, "Y_pred")
    one_d = a.ndim == 1
    if one_d:
        a, b = a[:, None], b[:, None]
    a = a - a.mean(0)
    b = b - b.mean(0)
    den = np.sqrt((a * a).sum(0) * (b * b).sum(0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, (a * b).sum(0) / np.where(den > 0, den, 1.0), np.nan)
    r = np.clip(r, -1.0, 1.0)
    return float(r[0]) if one_d else r


def _check_responses(responses, min_repeats=2):
    R = np.asarray(responses, dtype=np.float64)
    if R.ndim != 3:
        raise InputError(
            f"responses must be 3-D of shape (n_stimuli, n_repeats, n_voxels), got shape {R.shape}. "
            "For one voxel use responses[..., None]."
        )
    if R.shape[1] < min_repeats:
        raise InputError(
            f"noise ceilings need at least {min_repeats} repeats per stimulus, got n_repeats={R.shape[1]}."
        )
    if R.shape[0] < 3:
        raise InputError(f"noise ceilings need at least 3 stimuli, got n_stimuli={R.shape[0]}.")
    check_finite(R, "responses")
    return R


def spearman_brown(rho, factor=2.0):
    """Spearman–Brown prophecy: reliability of a measure ``factor`` times longer, ``k·ρ / (1 + (k−1)·ρ)``."""
    rho = np.asarray(rho, dtype=np.float64)
    return factor * rho / (1.0 + (factor - 1.0) * rho)


def split_half_noise_ceiling(responses, n_splits=None, rng=None):
    """Split-half reliability with the Spearman–Brown correction, as in the Algonauts 2021 scoring.

    For each split of the repeats into two halves (the first of ``n_repeats // 2`` repeats, the second
    the remaining ``n_repeats - n_repeats // 2``), average each half over its repeats, take the Pearson r
    across stimuli per voxel, correct it with Spearman–Brown ``2ρ/(1+ρ)``; the result is the mean of the
    corrected values over splits. With 10 repeats and ``n_splits=None`` this is exactly Algonauts' "mean
    over all 5-vs-5 splits" (126 distinct splits). With an odd number of repeats the halves are unequal
    and the ``2ρ/(1+ρ)`` correction is then an approximation (it assumes equal halves).

    The value estimates the fraction of response variance that is reproducible (the ceiling on r² for a
    prediction of the repeat-averaged response); normalise an r with
    ``noise_normalized_score(r, ceiling)`` = r / sqrt(ceiling). Negative values (unreliable voxels) are kept.

    Parameters
    ----------
    responses : array-like of shape (n_stimuli, n_repeats, n_voxels)
    n_splits : int or None, default None
        None: every distinct half split (``C(n, n//2)``, halved when the halves are equal in size).
        An int: that many random splits drawn with ``rng`` (with replacement among distinct splits).
    rng : numpy Generator, int or None

    Returns
    -------
    reliability : ndarray of shape (n_voxels,)
    """
    R = _check_responses(responses)
    n_rep = R.shape[1]
    h = n_rep // 2
    if n_splits is None:
        combos = list(itertools.combinations(range(n_rep), h))
        if 2 * h == n_rep:  # {A, B} and {B, A} are the same split
            combos = [c for c in combos if 0 in c]
    else:
        if int(n_splits) < 1:
            raise InputError(f"n_splits must be >= 1 or None (all splits), got {n_splits!r}.")
        gen = np.random.default_rng(rng)
        combos = [tuple(sorted(gen.permutation(n_rep)[:h])) for _ in range(int(n_splits))]
    total = np.zeros(R.shape[2])
    for first in combos:
        mask = np.zeros(n_rep, dtype=bool)
        mask[list(first)] = True
        a = R[:, mask].mean(1)
        b = R[:, ~mask].mean(1)
        rho = pearsonr(a, b)
        total += spearman_brown(np.nan_to_num(rho, nan=0.0))
    return total / len(combos)


def ncsnr(responses):
    """Noise-ceiling signal-to-noise ratio per voxel (GLMsingle / NSD / BOLD Moments convention).

    ``noise_var`` = mean over stimuli of the across-repeat variance (ddof=1); ``total_var`` = variance of
    all responses pooled over stimuli and repeats (ddof=1); ``signal_var = max(total_var − noise_var, 0)``;
    ``ncsnr = sqrt(signal_var) / sqrt(noise_var)``.

    Parameters
    ----------
    responses : array-like of shape (n_stimuli, n_repeats, n_voxels)

    Returns
    -------
    ncsnr : ndarray of shape (n_voxels,)  (inf where the noise variance is 0)
    """
    R = _check_responses(responses)
    noise_var = R.var(axis=1, ddof=1).mean(0)
    total_var = R.reshape(-1, R.shape[2]).var(axis=0, ddof=1)
    signal_var = np.clip(total_var - noise_var, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(noise_var > 0, np.sqrt(signal_var) / np.sqrt(np.where(noise_var > 0, noise_var, 1.0)), np.inf)


def noise_ceiling_from_ncsnr(ncsnr_values, n):
    """Noise ceiling in percent of variance, ``NC% = 100 · ncsnr² / (ncsnr² + 1/n)``.

    Parameters
    ----------
    ncsnr_values : array-like of shape (n_voxels,)
    n : int
        Number of repeats averaged in the responses being predicted (BOLD Moments: 10 for test, 3 for train).

    Returns
    -------
    nc_percent : ndarray of shape (n_voxels,), in [0, 100]
    """
    if not (isinstance(n, (int, np.integer)) or float(n).is_integer()) or n < 1:
        raise InputError(f"n (number of averaged repeats) must be a positive integer, got {n!r}.")
    s2 = np.asarray(ncsnr_values, dtype=np.float64) ** 2
    if np.any(s2 < 0) or np.any(np.isnan(s2)):
        raise InputError("ncsnr values must be non-negative numbers.")
    with np.errstate(invalid="ignore"):
        out = 100.0 * s2 / (s2 + 1.0 / float(n))
    return np.where(np.isinf(s2), 100.0, out)


def noise_normalized_score(r, ceiling, threshold=0.0):
    """Noise-normalised correlation ``r / sqrt(ceiling)`` per voxel.

    Parameters
    ----------
    r : array-like of shape (n_voxels,)
        Pearson r of the prediction with the (repeat-averaged) measured response.
    ceiling : array-like of shape (n_voxels,)
        Explainable-variance **fraction** in [0, 1]: ``split_half_noise_ceiling(...)`` or
        ``noise_ceiling_from_ncsnr(...) / 100``.
    threshold : float, default 0.0
        Voxels with ``ceiling <= threshold`` get NaN (their normalised score is undefined or explodes);
        average the rest with ``np.nanmean``.

    Returns
    -------
    ndarray of shape (n_voxels,)
    """
    r = np.asarray(r, dtype=np.float64)
    c = np.asarray(ceiling, dtype=np.float64)
    if r.shape != c.shape:
        raise InputError(f"r and ceiling must have the same shape, got {r.shape} and {c.shape}.")
    if np.nanmax(c, initial=0.0) > 1.0 + 1e-12:
        raise InputError(
            f"ceiling has values above 1 (max {np.nanmax(c):.3g}); it must be a fraction of variance. "
            "If it is NC in percent, divide by 100."
        )
    ok = c > max(threshold, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, r / np.sqrt(np.where(ok, c, 1.0)), np.nan)
