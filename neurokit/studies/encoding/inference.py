"""Tests that hold at the sizes the Part I profiles run at.

* **Subjects.** A paired t-test over subjects is only reported with at least :data:`MIN_SUBJECTS` subjects
  (``paper``: 10). Below that (``embedded``: 2, where a t-test has one degree of freedom) no subject-level mark is
  printed, and the per-ROI tests resample **clips** instead: :func:`clip_permutation_test` swaps the two compared
  predictions on a random half of the test clips (a paired permutation test whose exchangeable unit is the
  clip, the same swap for every subject and voxel, within each fold).
* **Models.** Variants of one backbone (Slow / SlowFast trained on Kinetics or Charades, the ViT-B/16 family)
  are not independent samples of a family. :func:`family_test` runs the paper's Welch test over models, the same
  test over architectures (models averaged within each backbone first) and a mixed model with the backbone as
  random effect (statsmodels ``MixedLM``), side by side.
"""
from __future__ import annotations

import warnings

import numpy as np

from neurokit.errors import InputError
from neurokit.stats import fdr_bh, paired_ttest, significance_mark, welch_ttest

__all__ = ["MIN_SUBJECTS", "subject_test", "clip_permutation_test", "family_test", "mark"]

#: Fewest subjects for which a subject-level test (and its significance mark) is reported.
MIN_SUBJECTS = 4


def mark(p, n_units=None, unit="clips"):
    """The paper's mark for ``p``, or ``""`` when the test ran over fewer than :data:`MIN_SUBJECTS` subjects.

    Parameters
    ----------
    p : float
    n_units : int, optional
        Number of independent units the test ran over.
    unit : str
        ``"subjects"`` applies the :data:`MIN_SUBJECTS` rule; other units (clips, architectures) are marked.
    """
    if unit == "subjects" and (n_units is None or n_units < MIN_SUBJECTS):
        return ""
    if p is None or not np.isfinite(p):
        return ""
    return str(significance_mark(float(p)))


def subject_test(a, b):
    """Paired t-test of ``a`` vs ``b`` over subjects, reported only with at least :data:`MIN_SUBJECTS` subjects.

    Parameters
    ----------
    a, b : array-like of shape (n_subjects,)

    Returns
    -------
    dict
        ``n_subjects, t, p, mark``: NaN and ``""`` below :data:`MIN_SUBJECTS` subjects.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise InputError(f"paired samples differ in length: {a.size} and {b.size}.")
    n = a.size
    if n < MIN_SUBJECTS:
        return {"n_subjects": n, "t": np.nan, "p": np.nan, "mark": ""}
    res = paired_ttest(a, b)
    return {"n_subjects": n, "t": res.t, "p": res.p, "mark": mark(res.p, n, "subjects")}


def _fold_r_diffs(Y, Pa, Pb, M, groups):
    """Mean r(Y, b) − r(Y, a) per group for the observed assignment and every swap mask in ``M``.

    Y, Pa, Pb : (n, V); M : (n_perm, n) of 0/1 (1 = swap a and b on that clip); groups : (V, n_groups) averaging
    matrix. Returns (n_perm + 1, n_groups), row 0 the observed difference.
    """
    n = Y.shape[0]
    M = np.vstack([np.zeros((1, n)), M])
    Yc = Y - Y.mean(0)
    syy = (Yc ** 2).sum(0)
    D = Pb - Pa
    sa, sd = Pa.sum(0), D.sum(0)
    ya, yd = (Yc * Pa).sum(0), Yc * D
    qa, ad, dd = (Pa ** 2).sum(0), Pa * D, D ** 2
    # prediction a' = Pa + m ∘ D (a and b swapped where m = 1), b' = Pa + (1 − m) ∘ D
    MyD, MD, MaD, MdD = M @ yd, M @ D, M @ ad, M @ dd
    out = []
    for sign in (0, 1):  # 0: a', 1: b'
        if sign == 0:
            cov, s, ss = ya + MyD, sa + MD, qa + 2 * MaD + MdD
        else:
            cov = ya + yd.sum(0) - MyD
            s = sa + sd - MD
            ss = qa + 2 * (ad.sum(0) - MaD) + (dd.sum(0) - MdD)
        var = ss - s ** 2 / n
        with np.errstate(invalid="ignore", divide="ignore"):
            r = cov / np.sqrt(np.where(var > 0, var, np.nan) * syy)
        out.append(np.nan_to_num(r))
    return (out[1] - out[0]) @ groups


def clip_permutation_test(Y, pred_a, pred_b, labels, n_permutations=1000, seed=0, weights=None):
    """Paired permutation test over test clips of ``r(Y, b) − r(Y, a)`` per ROI.

    The statistic is the paper's score difference: Pearson r per voxel on each fold's test clips, averaged over
    the ROI's voxels, the folds and the subjects. Under the null hypothesis that the two models predict equally
    well, their predictions of a clip are exchangeable; each permutation swaps them on a random subset of the
    test clips (each clip with probability 1/2, the same clips for every subject and voxel). The p-value is
    two-sided, ``(1 + #{|T*| ≥ |T|}) / (1 + n_permutations)``.

    Parameters
    ----------
    Y, pred_a, pred_b : mapping of subject to list of ndarray of shape (n_test_fold, n_voxels)
        Measured test responses and the two models' predictions, one array per fold (all subjects share the
        folds' clips).
    labels : mapping of subject to ndarray of shape (n_voxels,)
        ROI of every voxel.
    n_permutations : int
    seed : int
    weights : mapping of subject to ndarray of shape (n_voxels,), optional
        Per-voxel factors on r before averaging (e.g. ``1/sqrt(noise ceiling)`` for noise-normalised r).

    Returns
    -------
    pandas.DataFrame
        ``roi, diff, p, mark, unit`` (``unit`` = ``"clips"``), one row per ROI in order of first appearance.
    """
    import pandas as pd

    subjects = list(Y)
    if not subjects:
        raise InputError("no subjects given.")
    n_folds = len(Y[subjects[0]])
    rois = list(dict.fromkeys(np.concatenate([np.asarray(labels[s]) for s in subjects]).tolist()))
    rng = np.random.default_rng(seed)
    total = np.zeros((int(n_permutations) + 1, len(rois)))
    for f in range(n_folds):
        n = np.asarray(Y[subjects[0]][f]).shape[0]
        M = (rng.random((int(n_permutations), n)) < 0.5).astype(float)
        for s in subjects:
            lab = np.asarray(labels[s])
            w = np.ones(len(lab)) if weights is None else np.asarray(weights[s], float)
            G = np.stack([(lab == r) * w / max((lab == r).sum(), 1) for r in rois], axis=1)
            total += _fold_r_diffs(np.asarray(Y[s][f], float), np.asarray(pred_a[s][f], float),
                                   np.asarray(pred_b[s][f], float), M, G)
    total /= n_folds * len(subjects)
    obs, null = total[0], total[1:]
    p = (1 + (np.abs(null) >= np.abs(obs) - 1e-12).sum(0)) / (1 + null.shape[0])
    return pd.DataFrame({"roi": rois, "diff": obs, "p": p, "mark": [mark(x) for x in p], "unit": "clips"})


def family_test(model_scores, labels, contrast, groups, unit_of):
    """One family contrast per ROI, tested three ways: over models, over architectures, and with a mixed model.

    Parameters
    ----------
    model_scores : pandas.DataFrame
        ``model, roi, r`` (one row per model and ROI).
    labels : pandas.DataFrame
        ``model`` and the ``contrast`` column.
    contrast : str
        e.g. ``"modality"``.
    groups : (str, str)
        The two levels compared (``a``, ``b``).
    unit_of : mapping of model to str
        The architecture (backbone) of each model.

    Returns
    -------
    pandas.DataFrame
        Per ROI: ``roi, contrast, group_a, group_b, mean_a, mean_b, n_models_a, n_models_b, p_models,
        n_arch_a, n_arch_b, p_architectures, p_mixed``, and ``mark`` (from ``p_architectures``, the test whose
        units are independent) with ``p_fdr`` (Benjamini–Hochberg over ROIs) beside it. A p-value is NaN where a
        group has fewer than two units.
    """
    import pandas as pd

    a, b = groups
    df = model_scores.merge(labels[["model", contrast]], on="model")
    df = df[df[contrast].isin([a, b])].copy()
    df["arch"] = df["model"].map(dict(unit_of))
    if df["arch"].isna().any():
        raise InputError(f"no architecture for models {sorted(df.loc[df.arch.isna(), 'model'].unique())}.")
    rows = []
    for roi, g in df.groupby("roi", sort=False):
        ga, gb = g[g[contrast] == a], g[g[contrast] == b]
        row = {"roi": roi, "contrast": contrast, "group_a": a, "group_b": b, "mean_a": ga.r.mean(),
               "mean_b": gb.r.mean(), "n_models_a": len(ga), "n_models_b": len(gb)}
        row["p_models"] = welch_ttest(ga.r, gb.r).p if min(len(ga), len(gb)) >= 2 else np.nan
        aa = ga.groupby("arch").r.mean()
        ab = gb.groupby("arch").r.mean()
        row["n_arch_a"], row["n_arch_b"] = len(aa), len(ab)
        row["p_architectures"] = welch_ttest(aa, ab).p if min(len(aa), len(ab)) >= 2 else np.nan
        row["p_mixed"] = _mixed_p(g, contrast, b)
        rows.append(row)
    out = pd.DataFrame(rows)
    ok = out["p_architectures"].notna()
    out["p_fdr"] = np.nan
    if ok.any():
        out.loc[ok, "p_fdr"] = fdr_bh(out.loc[ok, "p_architectures"].to_numpy())[1]
    out["mark"] = [mark(p, unit="architectures") for p in out["p_architectures"]]
    return out


def _mixed_p(g, contrast, level_b):
    """p of the group effect in ``r ~ group + (1 | architecture)`` (statsmodels MixedLM, REML); NaN if unfit."""
    import statsmodels.formula.api as smf

    d = g[["r", "arch"]].copy()
    d["is_b"] = (g[contrast] == level_b).astype(float)
    if d["arch"].nunique() < 3 or d["is_b"].nunique() < 2 or d["arch"].nunique() == len(d):
        # every model its own architecture: the mixed model is the Welch/OLS model; too few groups: unfit
        if d["arch"].nunique() == len(d) and d["is_b"].nunique() == 2:
            import statsmodels.api as sm

            return float(sm.OLS(d["r"], sm.add_constant(d["is_b"])).fit().pvalues["is_b"])
        return np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = smf.mixedlm("r ~ is_b", d, groups=d["arch"]).fit(reml=True)
            p = float(fit.pvalues["is_b"])
        except (np.linalg.LinAlgError, ValueError):
            return np.nan
    return p if np.isfinite(p) else np.nan
