"""Figures of the Part I chapters (paper's digitised values beside this run's)."""
from __future__ import annotations

import numpy as np

from neurokit.studies.encoding.paper_values import ROIS


def bars_paper_vs_run(paper, run, groups, title_paper="paper (digitised)", title_run="this run", marks=None,
                      ylabel="Pearson r"):
    """Two panels of grouped bars per ROI: the paper's values and this run's.

    Parameters
    ----------
    paper, run : pandas.DataFrame
        Index = ROI, one column per group (e.g. ``["base", "conn"]``); missing ROIs are left blank.
    groups : list of str
        Columns to draw, in order.
    marks : pandas.Series, optional
        Significance marks per ROI for the run panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from neurokit.plotting import PAGE_WIDTH, palette

    fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 2.8), sharey=False)
    cols = palette(len(groups))
    for ax, df, title in ((axes[0], paper, title_paper), (axes[1], run, title_run)):
        rois = [r for r in df.index]
        x = np.arange(len(rois))
        w = 0.8 / len(groups)
        for i, g in enumerate(groups):
            if g in df.columns:
                ax.bar(x + (i - (len(groups) - 1) / 2) * w, df[g].to_numpy(dtype=float), w, color=cols[i], label=g)
        if marks is not None and df is run:
            top = df[[g for g in groups if g in df.columns]].max(axis=1)
            for xi, roi in enumerate(rois):
                if roi in marks.index:
                    ax.text(xi, top[roi] + 0.01, marks[roi], ha="center", fontsize=7)
        ax.set_xticks(x, rois, rotation=45, fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(ylabel)
    # one legend for both panels, above them, with every group drawn in either panel (the run panel may have
    # groups the paper has not, e.g. the leaky reading)
    handles = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), loc="upper center", ncol=len(handles), fontsize=7,
               frameon=False, bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    return fig


def matrices(mats, titles, labels=ROIS, vmax=1.0):
    """Heat maps side by side (rows target, columns source).

    Parameters
    ----------
    mats : list of ndarray of shape (n, n)
    titles : list of str
    labels : sequence of str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from neurokit.plotting import PAGE_WIDTH

    import textwrap

    ncols = min(3, len(mats))  # at most three per row: five 9x9 matrices in one row are unreadable
    nrows = -(-len(mats) // ncols)
    side = PAGE_WIDTH / ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(PAGE_WIDTH, nrows * (side + 0.3)), squeeze=False,
                             layout="constrained")
    axes = axes.ravel()
    for ax, m, t in zip(axes, mats, titles):
        im = ax.imshow(m, vmin=0, vmax=vmax, cmap="viridis")
        ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
        ax.set_yticks(range(len(labels)), labels, fontsize=6)
        ax.set_title("\n".join(textwrap.wrap(t, 24)), fontsize=8)
        ax.set_xlabel("source", fontsize=7)
        ax.set_ylabel("target", fontsize=7)
    for ax in axes[len(mats):]:
        ax.set_visible(False)
    fig.colorbar(im, ax=list(axes[: len(mats)]), shrink=0.6)
    return fig


def family_dots(model_scores, labels, contrast, groups, rois=ROIS, paper=None):
    """Fig. 3 style: one dot per model per ROI, by family, with the paper's family means as grey bars.

    Parameters
    ----------
    model_scores : pandas.DataFrame
        ``model, roi, r``.
    labels : pandas.DataFrame
        ``model`` + the ``contrast`` column.
    contrast : str
    groups : (str, str)
    paper : pandas.DataFrame, optional
        Index ROI, columns the two groups (digitised means).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from neurokit.plotting import FAMILY_COLORS, PAGE_WIDTH

    df = model_scores.merge(labels[["model", contrast]], on="model")
    rois = [r for r in rois if r in set(df.roi)]
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 2.8))
    for i, roi in enumerate(rois):
        for j, g in enumerate(groups):
            v = df[(df.roi == roi) & (df[contrast] == g)]["r"].to_numpy()
            x = i + (j - 0.5) * 0.35
            ax.scatter(np.full(len(v), x) + np.linspace(-0.05, 0.05, max(len(v), 1))[:len(v)], v, s=10,
                       color=FAMILY_COLORS.get(g, "k"), label=g if i == 0 else None, zorder=3)
            if len(v):
                ax.hlines(v.mean(), x - 0.12, x + 0.12, color="k", lw=1.5, zorder=4)
            if paper is not None and roi in paper.index:
                ax.hlines(paper.loc[roi, g], x - 0.15, x + 0.15, color=FAMILY_COLORS["paper"], lw=3, alpha=0.6,
                          label="paper mean (digitised)" if (i == 0 and j == 0) else None, zorder=2)
    ax.set_xticks(range(len(rois)), rois)
    ax.set_ylabel("Pearson r")
    ax.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    return fig
