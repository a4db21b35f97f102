"""Layerwise encoding of many ROIs at once, with a leak-free choice of the best block."""
from __future__ import annotations

import functools
from typing import Mapping

import numpy as np

from neurokit.errors import InputError
from neurokit.features import create_extractor, extract_dataset
from neurokit.regression import DEFAULT_ALPHAS, RidgeCV, standardize_reduce
from neurokit.stats import pearsonr


def single_threaded(fn):
    """Run ``fn`` with the BLAS and OpenMP pools limited to one thread.

    The encoding problems are small (a few hundred clips, at most ~100 PCA components, a few hundred voxels per
    fit), so a second BLAS thread gains little and costs a synchronisation per matrix product; on a machine whose
    cores are busy (other jobs, chapters executed in parallel) the waiting threads stall each other. Measured on
    2 cores, the fits of the embedded ``encoding_targets`` chapter: 25.4 s with two OpenBLAS threads and 4.8 s with
    one on an idle machine; 130.6 s and 8.5 s beside two busy processes. One thread also makes the numbers
    independent of the core count (threads reorder floating-point sums; the results differ in the last digits
    only, ~1e-15).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return fn(*args, **kwargs)

    return wrapper


def _stack_rois(responses):
    rois = list(responses)
    Y = np.concatenate([np.asarray(responses[r], dtype=np.float64) for r in rois], axis=1)
    labels = np.concatenate([[r] * np.asarray(responses[r]).shape[1] for r in rois])
    return rois, Y, labels


@single_threaded
def layer_scores(features, responses, folds, alphas=None, inner_cv=5, n_components=None, seed=0):
    """Encode every ROI from every block, fold by fold.

    For each fold and block one :class:`neurokit.regression.RidgeCV` (one alpha per voxel, inner ``inner_cv``
    folds of the training clips) maps the block's features to all voxels of all ROIs; test clips are scored by
    Pearson r per voxel and averaged within each ROI. Features are z-scored (and PCA-reduced when
    ``n_components``) with training-clip statistics only.

    Parameters
    ----------
    features : mapping of str to ndarray of shape (n_clips, n_features_block)
        Block name → features of every clip.
    responses : mapping of str to ndarray of shape (n_clips, n_voxels_roi)
        ROI → responses.
    folds : list of (train, test) index arrays
    alphas : array-like, optional
        Ridge grid (default :data:`neurokit.regression.DEFAULT_ALPHAS`).
    inner_cv : int
    n_components : int or None
    seed : int

    Returns
    -------
    pandas.DataFrame
        Columns ``block, fold, roi, r`` (test r, mean over the ROI's voxels) and ``inner_mse`` (the inner-CV
        error at the chosen alphas, mean over voxels of z-scored responses: what the best-block choice uses).
    """
    import pandas as pd

    if not features:
        raise InputError("features is empty: pass {block name: (n_clips, n_features) array}.")
    alphas = DEFAULT_ALPHAS if alphas is None else alphas
    rois, Y, labels = _stack_rois(responses)
    n = Y.shape[0]
    rows = []
    for f, (train, test) in enumerate(folds):
        ymu, ysd = Y[train].mean(0), Y[train].std(0)
        ysd[ysd == 0] = 1.0
        Ytr, Yte = (Y[train] - ymu) / ysd, (Y[test] - ymu) / ysd
        for block, X in features.items():
            X = np.asarray(X, dtype=np.float64)
            if X.shape[0] != n:
                raise InputError(f"block {block!r} has {X.shape[0]} clips but the responses have {n}.")
            Xtr, Xte = standardize_reduce(X[train], X[test], n_components, seed)
            model = RidgeCV(alphas=alphas, cv=inner_cv).fit(Xtr, Ytr)
            r = pearsonr(Yte, model.predict(Xte))
            inner = model.cv_scores_.min(0)
            for roi in rois:
                m = labels == roi
                rows.append({"block": block, "fold": f, "roi": roi, "r": float(np.nanmean(r[m])),
                             "inner_mse": float(inner[m].mean())})
    return pd.DataFrame(rows)


def best_block(scores):
    """Per fold and ROI, the test r of the block with the lowest inner-CV error (no test data used to choose).

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`layer_scores` (optionally with extra key columns such as ``model``, ``subject``).

    Returns
    -------
    pandas.DataFrame
        One row per (keys…, fold, roi) with ``block`` (the chosen one) and ``r``.
    """
    keys = [c for c in scores.columns if c not in ("block", "r", "inner_mse")]
    idx = scores.groupby(keys)["inner_mse"].idxmin()
    return scores.loc[idx, keys + ["block", "r"]].reset_index(drop=True)


@single_threaded
def permutation_null(X, responses, folds, n_permutations=20, alphas=None, inner_cv=5, n_components=None,
                     seed=0):
    """Chance level: the same encoding with the clips' responses shuffled relative to their features.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_features)
    responses : mapping of str to ndarray of shape (n_clips, n_voxels_roi)
    folds : list of (train, test)
    n_permutations : int
    alphas, inner_cv, n_components, seed : see :func:`layer_scores`

    Returns
    -------
    pandas.DataFrame
        Columns ``permutation, roi, r`` (test r averaged over folds).
    """
    rng = np.random.default_rng(seed)
    out = []
    for p in range(int(n_permutations)):
        perm = rng.permutation(np.asarray(X).shape[0])
        shuffled = {roi: np.asarray(Y)[perm] for roi, Y in responses.items()}
        df = layer_scores({"X": X}, shuffled, folds, alphas=alphas, inner_cv=inner_cv,
                          n_components=n_components, seed=seed)
        df = df.groupby("roi", as_index=False)["r"].mean()
        df["permutation"] = p
        out.append(df)
    import pandas as pd

    return pd.concat(out, ignore_index=True)[["permutation", "roi", "r"]]


def model_features(models, videos, weights="embedded", device=None, progress=False):
    """Block features of several registry models for the same videos, through the shared feature cache.

    Parameters
    ----------
    models : sequence of str
        Registry names (:func:`neurokit.features.list_extractors`).
    videos : sequence of paths
    weights : {"embedded", "paper"}
    device : str, optional
    progress : bool

    Returns
    -------
    dict
        ``{model: {block: ndarray of shape (n_videos, n_features)}}``.
    """
    out = {}
    for m in models:
        ex = create_extractor(m, layers="blocks", weights=weights, device=device)
        feats = extract_dataset(ex, list(videos), cache=True, progress=progress)
        out[m] = {b: np.asarray(x, dtype=np.float32) for b, x in feats.items()}
    return out


@single_threaded
def choose_block(features, responses, folds, inner_cv=5, n_components=None, seed=0):
    """The block with the lowest inner-CV error averaged over ROIs, using training clips only.

    Parameters
    ----------
    features : mapping of str to ndarray of shape (n_clips, n_features_block)
    responses : mapping of str to ndarray of shape (n_clips, n_voxels_roi)
    folds : list of (train, test)
        Only the training clips of each fold are used (their inner CV).

    Returns
    -------
    block : str
    table : pandas.DataFrame
        Mean inner error per block.
    """
    df = layer_scores(features, responses, folds, inner_cv=inner_cv, n_components=n_components, seed=seed)
    table = df.groupby("block", sort=False)["inner_mse"].mean()
    return str(table.idxmin()), table.reset_index()
