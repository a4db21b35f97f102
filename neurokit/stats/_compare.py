"""Tidy tables for model-family comparisons (the paper's Fig. 2/3 tests)."""
from __future__ import annotations

import itertools

from neurokit.errors import InputError
from neurokit.stats._tests import fdr_bh, paired_ttest, significance_mark, welch_ttest


def compare_families(df, value, group, by=None, pairs=None, test="welch", pair_on=None):
    """Compare groups (e.g. image vs video model families) with t-tests, within each level of ``by``.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table, one row per observation (e.g. one model's mean score in one ROI).
    value : str
        Column with the values compared (e.g. ``"r"``).
    group : str
        Column naming the group of each row (e.g. ``"family"``).
    by : str or list of str or None
        Columns that define separate comparisons (e.g. ``"roi"``); one set of tests per level.
    pairs : list of (str, str) or None
        Group pairs to test; None: every pair of groups, in sorted order.
    test : {"welch", "paired"}
        "welch": Welch's unequal-variance t-test on the rows of each group (the paper's test).
        "paired": paired t-test; rows are matched on ``pair_on`` (e.g. ``"subject"``).
    pair_on : str or None
        Matching column for ``test="paired"``.

    Returns
    -------
    pandas.DataFrame
        One row per (``by`` level, pair): ``by`` columns, ``group_a``, ``group_b``, ``n_a``, ``n_b``,
        ``mean_a``, ``mean_b``, ``t``, ``df``, ``d``, ``p``, ``p_fdr`` (Benjamini–Hochberg over **all rows of
        the table**), ``mark`` (from the uncorrected p, as in the paper) and ``mark_fdr``.
    """
    import pandas as pd

    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in [value, group, *by] + ([pair_on] if pair_on else []) if c not in df.columns]
    if missing:
        raise InputError(f"columns {missing} are not in the table; available: {list(df.columns)}.")
    if test not in ("welch", "paired"):
        raise InputError(f"test must be 'welch' or 'paired', got {test!r}.")
    if test == "paired" and pair_on is None:
        raise InputError("test='paired' needs pair_on=<column that matches rows across groups>, e.g. 'subject'.")
    rows = []
    levels = [((), df)] if not by else [((k,) if not isinstance(k, tuple) else k, g)
                                         for k, g in df.groupby(by, sort=True)]
    for key, sub in levels:
        groups = sorted(sub[group].unique())
        todo = pairs if pairs is not None else list(itertools.combinations(groups, 2))
        for ga, gb in todo:
            a = sub[sub[group] == ga]
            b = sub[sub[group] == gb]
            if test == "welch":
                res = welch_ttest(a[value].to_numpy(), b[value].to_numpy())
            else:
                m = a[[pair_on, value]].merge(b[[pair_on, value]], on=pair_on, suffixes=("_a", "_b"))
                res = paired_ttest(m[f"{value}_a"].to_numpy(), m[f"{value}_b"].to_numpy())
            rows.append({**dict(zip(by, key)), "group_a": ga, "group_b": gb, "n_a": len(a), "n_b": len(b),
                         "mean_a": float(a[value].mean()), "mean_b": float(b[value].mean()),
                         "t": res.t, "df": res.df, "d": res.d, "p": res.p})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    _, out["p_fdr"] = fdr_bh(out["p"].to_numpy())
    out["mark"] = list(significance_mark(out["p"].to_numpy()))
    out["mark_fdr"] = list(significance_mark(out["p_fdr"].to_numpy()))
    return out


