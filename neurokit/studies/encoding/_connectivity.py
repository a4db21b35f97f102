"""The Fig. 5/6 connectivity experiment: base vs connectivity per ROI, variants, leak-free vs leaky."""
from __future__ import annotations

import numpy as np

from neurokit.connectivity import ConnectivityEncoder
from neurokit.regression import standardize_reduce
from neurokit.stats import fdr_bh, ncsnr, noise_ceiling_from_ncsnr, paired_ttest, significance_mark
from neurokit.studies.encoding._layers import _stack_rois, single_threaded

#: The variants the book runs side by side (name → ConnectivityEncoder keyword arguments).
DEFAULT_VARIANTS = {
    "full": {"mode": "full"},
    "intra": {"mode": "intra"},
    "inter": {"mode": "inter"},
    "full, leaky (measured inputs)": {"mode": "full", "inputs": "measured", "dropout": 0.5},
}


@single_threaded
def connectivity_experiment(X, responses, folds, variants=None, base_estimator=None, cv=5, alphas=None,
                            n_components=None, seed=0):
    """Base encoder vs connectivity encoders on the same folds.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_features)
        Base-model features (e.g. one video model's block).
    responses : mapping of str to ndarray of shape (n_clips, n_voxels_roi)
        ROI → responses (all ROIs enter the connectivity map).
    folds : list of (train, test) index arrays
    variants : mapping of str to dict, optional
        Name → :class:`~neurokit.connectivity.ConnectivityEncoder` arguments (default
        :data:`DEFAULT_VARIANTS`). Variants with ``inputs="measured"`` are scored with the measured test
        responses as inputs (the leaky reading).
    base_estimator, cv, alphas : passed to every encoder.
    n_components : int or None
        PCA of the (z-scored) features, fitted on each training split only.
    seed : int

    Returns
    -------
    scores : pandas.DataFrame
        Columns ``fold, roi, variant, r`` with ``variant="base"`` for the base encoder.
    weights : dict
        Variant → ndarray of shape (n_folds, n_rois, n_rois), the region-weight matrices (rows target).
    """
    import pandas as pd


    variants = DEFAULT_VARIANTS if variants is None else variants
    rois, Y, labels = _stack_rois(responses)
    X = np.asarray(X, dtype=np.float64)
    rows, weights = [], {name: [] for name in variants}
    for f, (train, test) in enumerate(folds):
        Xtr, Xte = standardize_reduce(X[train], X[test], n_components, seed)
        base_done = False
        for name, kw in variants.items():
            enc = ConnectivityEncoder(base_estimator=base_estimator, cv=cv, alphas=alphas, random_state=seed,
                                      **kw).fit(Xtr, Y[train], labels)
            if not base_done:
                for roi, r in enc.score_regions(Xte, Y[test], base=True).items():
                    rows.append({"fold": f, "roi": roi, "variant": "base", "r": r})
                base_done = True
            ym = Y[test] if enc.inputs == "measured" else None
            for roi, r in enc.score_regions(Xte, Y[test], Y_measured=ym).items():
                rows.append({"fold": f, "roi": roi, "variant": name, "r": r})
            weights[name].append(enc.region_weights_)
    return pd.DataFrame(rows), {k: np.stack(v) for k, v in weights.items()}


def paired_gains(scores, variant, pair_on="subject"):
    """Paired t-test of ``variant`` vs ``base`` per ROI (pairs = ``pair_on`` levels, e.g. subjects).

    Parameters
    ----------
    scores : pandas.DataFrame
        Columns ``roi, variant, r`` and ``pair_on``; folds are averaged within each pair first.

    Returns
    -------
    pandas.DataFrame
        ``roi, base, conn, gain, t, d, p, p_fdr, mark`` (FDR over ROIs).
    """
    import pandas as pd


    m = scores[scores["variant"].isin(["base", variant])]
    m = m.groupby(["roi", pair_on, "variant"], as_index=False)["r"].mean()
    w = m.pivot_table(index=["roi", pair_on], columns="variant", values="r").reset_index()
    rows = []
    for roi, g in w.groupby("roi", sort=False):
        res = paired_ttest(g[variant].to_numpy(), g["base"].to_numpy()) if len(g) >= 2 else None
        rows.append({"roi": roi, "base": g["base"].mean(), "conn": g[variant].mean(),
                     "gain": g[variant].mean() - g["base"].mean(),
                     "t": res.t if res else np.nan, "d": res.d if res else np.nan, "p": res.p if res else np.nan})
    out = pd.DataFrame(rows)
    ok = out["p"].notna()
    out["p_fdr"] = np.nan
    if ok.any():
        out.loc[ok, "p_fdr"] = fdr_bh(out.loc[ok, "p"].to_numpy())[1]
    out["mark"] = [significance_mark(p) if np.isfinite(p) else "n/a" for p in out["p"]]
    return out


@single_threaded
def noise_normalised_comparison(X_train, train, X_test, test_repeats, variant=None, cv=5, n_components=None,
                                min_nc=10.0, seed=0):
    """Fig. 6d: base vs connectivity encoder on a held-out split, scored by noise-normalised correlation.

    The encoder (leak-free ``full`` unless ``variant`` says otherwise) is fitted on the training clips of all
    regions at once; each test voxel's Pearson r with the mean of its test repeats is divided by
    ``sqrt(NC/100)``, with ``NC% = 100·ncsnr²/(ncsnr² + 1/n)`` computed from the test repeats themselves
    (GLMsingle / BOLD Moments convention, ``n`` = number of test repeats). Voxels with ``NC < min_nc`` percent
    are left out (their ratio is unstable); the normalised r is then averaged within each region.

    Parameters
    ----------
    X_train, X_test : ndarray of shape (n_train, n_features) / (n_test, n_features)
    train : mapping of str to ndarray of shape (n_train, n_voxels_roi)
        Region → training responses (repeats averaged).
    test_repeats : mapping of str to ndarray of shape (n_test, n_repeats, n_voxels_roi)
    variant : dict, optional
        :class:`~neurokit.connectivity.ConnectivityEncoder` arguments (default ``{"mode": "full"}``).
    cv, n_components, seed : as in :func:`connectivity_experiment`.
    min_nc : float
        Noise-ceiling threshold in percent.

    Returns
    -------
    pandas.DataFrame
        ``roi, base, conn, n_voxels, nc_mean`` (noise-normalised r; ``nc_mean`` in percent).
    """
    import pandas as pd


    rois, Y, labels = _stack_rois(train)
    reps = np.concatenate([np.asarray(test_repeats[r], dtype=np.float64) for r in rois], axis=2)
    nc = noise_ceiling_from_ncsnr(ncsnr(reps), reps.shape[1])
    Yte = reps.mean(1)
    Xtr, Xte = standardize_reduce(np.asarray(X_train, np.float64), np.asarray(X_test, np.float64), n_components, seed)
    enc = ConnectivityEncoder(cv=cv, random_state=seed, **(variant or {"mode": "full"})).fit(Xtr, Y, labels)
    r_base = enc.score_voxels(Xte, Yte, base=True)
    r_conn = enc.score_voxels(Xte, Yte)
    keep = nc >= min_nc
    norm = np.sqrt(np.where(keep, nc, np.nan) / 100.0)
    rows = []
    for roi in rois:
        m = (labels == roi) & keep
        rows.append({"roi": roi, "base": float(np.mean(r_base[m] / norm[m])) if m.any() else np.nan,
                     "conn": float(np.mean(r_conn[m] / norm[m])) if m.any() else np.nan,
                     "n_voxels": int(m.sum()), "nc_mean": float(nc[labels == roi].mean())})
    return pd.DataFrame(rows)
