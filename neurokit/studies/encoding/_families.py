"""Family comparisons (Fig. 2, 3): labels from the model cards, Welch tests, paper-vs-run tables."""
from __future__ import annotations

import numpy as np

from neurokit.studies.encoding import paper_values
from neurokit.errors import InputError

#: Card attribute → the paper's two groups.
CONTRASTS = {c: (a, b) for c, a, b in paper_values.FIG3_CONTRASTS}


def family_labels(models, card_getter=None):
    """Family labels of each model from its card.

    Parameters
    ----------
    models : sequence of str
        Registry names.
    card_getter : callable, optional
        ``name -> card`` (default :func:`neurokit.features.get_card`); cards need ``modality``,
        ``architecture``, ``supervision``, ``streams``, ``train_data``.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, modality, architecture, supervision, streams, train_data``.
    """
    import pandas as pd

    if card_getter is None:
        from neurokit.features import get_card as card_getter
    rows = []
    for m in models:
        c = card_getter(m)
        rows.append({"model": m, "modality": c.modality, "architecture": c.architecture,
                     "supervision": c.supervision, "streams": c.streams, "train_data": c.train_data})
    return pd.DataFrame(rows)


def model_means(per_fold, keys=("model", "roi")):
    """Average test r over folds and subjects: one value per model and ROI (the dots of Fig. 3).

    Parameters
    ----------
    per_fold : pandas.DataFrame
        Columns include ``r`` and ``keys``.

    Returns
    -------
    pandas.DataFrame
    """
    return per_fold.groupby(list(keys), as_index=False)["r"].mean()


def family_tests(model_scores, labels, contrasts=None):
    """Welch's t-test between the paper's groups per ROI, with Benjamini–Hochberg p over the whole table.

    Parameters
    ----------
    model_scores : pandas.DataFrame
        Columns ``model, roi, r`` (one row per model and ROI).
    labels : pandas.DataFrame
        From :func:`family_labels`.
    contrasts : sequence of str, optional
        Subset of ``("modality", "architecture", "supervision")``.

    Returns
    -------
    pandas.DataFrame
        Columns ``roi, contrast, group_a, group_b, n_a, n_b, mean_a, mean_b, t, d, p, p_fdr, mark, mark_fdr``.
        ``d`` is Cohen's d (as returned by :func:`neurokit.stats.compare_families`).
    """
    import pandas as pd

    from neurokit.stats import compare_families, fdr_bh, significance_mark

    contrasts = list(CONTRASTS) if contrasts is None else list(contrasts)
    df = model_scores.merge(labels, on="model", how="left")
    if df[contrasts].isna().any().any():
        missing = sorted(df.loc[df[contrasts].isna().any(axis=1), "model"].unique())
        raise InputError(f"no family labels for models {missing}; add them to `labels`.")
    out = []
    for c in contrasts:
        a, b = CONTRASTS[c]
        sub = df[df[c].isin([a, b])]
        counts = sub.groupby("roi")[c].nunique()
        sub = sub[sub["roi"].isin(counts[counts == 2].index)]
        ok = sub.groupby(["roi", c]).size().unstack(fill_value=0)
        keep = ok[(ok >= 2).all(axis=1)].index
        sub = sub[sub["roi"].isin(keep)]
        if sub.empty:
            continue
        res = compare_families(sub, value="r", group=c, by="roi", pairs=[(a, b)])
        res.insert(1, "contrast", c)
        out.append(res)
    if not out:
        raise InputError("no ROI has at least two models in both groups of any contrast; add models.")
    table = pd.concat(out, ignore_index=True)
    _, table["p_fdr"] = fdr_bh(table["p"].to_numpy())  # over the whole table (all contrasts and ROIs)
    table["mark_fdr"] = list(significance_mark(table["p_fdr"].to_numpy()))
    return table


def paper_vs_run(tests):
    """Put the paper's digitised Fig. 3 family means beside this run's.

    Parameters
    ----------
    tests : pandas.DataFrame
        From :func:`family_tests`.

    Returns
    -------
    pandas.DataFrame
        ``roi, contrast, paper a, paper b, paper mark, run a, run b, run mark, run p_fdr``.
    """
    paper = paper_values.fig3_families().rename(columns={"mean_a": "paper a", "mean_b": "paper b",
                                                         "mark": "paper mark"})
    run = tests[["roi", "contrast", "mean_a", "mean_b", "mark", "p_fdr"]].rename(
        columns={"mean_a": "run a", "mean_b": "run b", "mark": "run mark", "p_fdr": "run p_fdr"})
    t = paper.drop(columns=["source"]).merge(run, on=["roi", "contrast"], how="outer")
    order = {r: i for i, r in enumerate(paper_values.ROIS)}
    return t.sort_values(["contrast", "roi"], key=lambda s: s.map(order) if s.name == "roi" else s) \
        .reset_index(drop=True)


def effect_direction_summary(tests, dynamic_rois, contrast="modality"):
    """Planted-truth check: does the video family win in dynamic ROIs and not in static ones?

    Parameters
    ----------
    tests : pandas.DataFrame
        From :func:`family_tests`.
    dynamic_rois : sequence of str
        ROIs planted as dynamic.

    Returns
    -------
    pandas.DataFrame
        ``roi, dynamic, video_minus_image, d, p, video_wins`` (``video_wins``: b > a with p < 0.05).
    """
    t = tests[tests["contrast"] == contrast].copy()
    t["dynamic"] = t["roi"].isin(list(dynamic_rois))
    t["video_minus_image"] = t["mean_b"] - t["mean_a"]
    t["video_wins"] = (t["video_minus_image"] > 0) & (t["p"] < 0.05)
    return t[["roi", "dynamic", "video_minus_image", "d", "p", "video_wins"]].reset_index(drop=True)
