"""The simulated-target experiment (Fig. 2; Han, Poggio & Cheung 2023): a known network as the "brain"."""
from __future__ import annotations

import numpy as np

from neurokit.studies.encoding._layers import single_threaded
from neurokit.errors import InputError


@single_threaded
def target_responses(target_features, n_components=20, seed=0):
    """Each block of the target network, reduced to ``n_components`` principal components ("voxels").

    Parameters
    ----------
    target_features : mapping of str to ndarray of shape (n_clips, n_features_block)
    n_components : int

    Returns
    -------
    dict
        ``{block: ndarray of shape (n_clips, k)}`` with ``k = min(n_components, n_features, n_clips - 1)``.
    """
    from sklearn.decomposition import PCA

    out = {}
    for block, X in target_features.items():
        X = np.asarray(X, dtype=np.float64)
        X = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0)
        k = min(int(n_components), X.shape[1], X.shape[0] - 1)
        out[block] = PCA(k, random_state=seed).fit_transform(X)
    return out


@single_threaded
def target_experiment(target, features, folds, n_target_components=20, inner_cv=5, n_components=None, seed=0):
    """Regress every source model onto every block of ``target``; the target itself is excluded.

    Parameters
    ----------
    target : str
        Name of the target model (a key of ``features``).
    features : mapping of str to mapping of str to ndarray
        ``{model: {block: (n_clips, n_features)}}``.
    folds : list of (train, test)
    n_target_components : int
        PCs per target block used as its "voxels".
    inner_cv, n_components, seed : see :func:`neurokit.studies.encoding.layer_scores`.

    Returns
    -------
    pandas.DataFrame
        ``target, model, roi`` (= target block), ``r`` (test r of the source's best block, chosen by inner CV,
        averaged over folds).
    """
    import pandas as pd

    from neurokit.studies.encoding._layers import best_block, layer_scores

    if target not in features:
        raise InputError(f"target {target!r} has no features; extract it first (models: {sorted(features)}).")
    Y = target_responses(features[target], n_target_components, seed)
    rows = []
    for model, blocks in features.items():
        if model == target:  # the companion's rule: the target never competes as its own source
            continue
        df = layer_scores(blocks, Y, folds, inner_cv=inner_cv, n_components=n_components, seed=seed)
        df["model"] = model
        rows.append(best_block(df))
    out = pd.concat(rows, ignore_index=True).groupby(["model", "roi"], as_index=False)["r"].mean()
    out.insert(0, "target", target)
    return out
