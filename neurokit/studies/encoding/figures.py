"""Figures of the Part I chapters: one function per figure, each taking results (the paper's values, where drawn,
come from :mod:`neurokit.studies.encoding.published` and are labelled as the paper's)."""
from __future__ import annotations

import textwrap

import numpy as np

from neurokit.studies.encoding.published import ROIS

__all__ = ["bars_paper_vs_run", "matrices", "family_dots", "directed_graph", "noise_ceilings", "gap_vs_motion",
           "family_units", "pairs", "grouped_bars", "target_blocks", "size_scatter", "estimator_metrics",
           "fluctuation_asymmetry", "label_control", "sensitivity", "eq1"]

#: Positions of the nine ROIs in the directed-graph schematic (a cartoon of the ventral/lateral hierarchy).
GRAPH_POSITIONS = {"V1": (0.0, 0.0), "V2": (1.0, 0.0), "V3": (2.0, 0.0), "V4": (3.0, 0.6), "PPA": (3.0, -0.9),
                   "LOC": (4.0, 0.0), "FFA": (5.0, 0.9), "EBA": (5.0, -0.6), "STS": (6.0, 0.2)}


def _fig(w=None, h=2.8, **kw):
    import matplotlib.pyplot as plt

    from neurokit.plotting import PAGE_WIDTH

    return plt.subplots(figsize=(w or PAGE_WIDTH, h), **kw)


def bars_paper_vs_run(paper, run, groups, title_paper="paper (digitised)", title_run="this run", marks=None,
                      ylabel="Pearson r"):
    """Two panels of grouped bars per ROI: the paper's values and this run's.

    Parameters
    ----------
    paper, run : pandas.DataFrame
        Index = ROI, one column per group; missing ROIs or groups are left blank. ``paper`` may be None.
    groups : list of str
    marks : pandas.Series, optional
        Marks per ROI drawn above the run's bars.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from neurokit.plotting import PAGE_WIDTH, palette

    panels = [(paper, title_paper)] if paper is not None else []
    panels.append((run, title_run))
    fig, axes = plt.subplots(1, len(panels), figsize=(PAGE_WIDTH, 2.8), squeeze=False)
    axes = axes[0]
    cols = palette(len(groups))
    for ax, (df, title) in zip(axes, panels):
        rois = list(df.index)
        x = np.arange(len(rois))
        w = 0.8 / len(groups)
        for i, g in enumerate(groups):
            if g in df.columns:
                ax.bar(x + (i - (len(groups) - 1) / 2) * w, df[g].to_numpy(dtype=float), w, color=cols[i], label=g)
        if marks is not None and df is run:
            top = df[[g for g in groups if g in df.columns]].max(axis=1)
            for xi, roi in enumerate(rois):
                if roi in marks.index and marks[roi]:
                    ax.text(xi, top[roi] + 0.01, marks[roi], ha="center", fontsize=7)
        ax.set_xticks(x, rois, rotation=45, fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(ylabel)
    handles = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), loc="upper center", ncol=len(handles), fontsize=7,
               frameon=False, bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    return fig


def matrices(mats, titles, labels=ROIS, vmax=None):
    """Heat maps side by side (rows target, columns source), each scaled to its own maximum unless ``vmax``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from neurokit.plotting import PAGE_WIDTH

    ncols = min(3, len(mats))
    nrows = -(-len(mats) // ncols)
    side = PAGE_WIDTH / ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(PAGE_WIDTH, nrows * (side + 0.3)), squeeze=False,
                             layout="constrained")
    axes = axes.ravel()
    for ax, m, t in zip(axes, mats, titles):
        m = np.asarray(m, float)
        top = vmax if vmax is not None else (np.nanmax(np.abs(m)) or 1.0)
        im = ax.imshow(m / (1.0 if vmax is not None else top), vmin=0, vmax=1 if vmax is None else vmax,
                       cmap="viridis")
        ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
        ax.set_yticks(range(len(labels)), labels, fontsize=6)
        ax.set_title("\n".join(textwrap.wrap(t, 26)), fontsize=8)
        ax.set_xlabel("source", fontsize=7)
        ax.set_ylabel("target", fontsize=7)
    for ax in axes[len(mats):]:
        ax.set_visible(False)
    fig.colorbar(im, ax=list(axes[: len(mats)]), shrink=0.6, label="fraction of the matrix maximum")
    return fig


def directed_graph(matrix, rois=ROIS, title=""):
    """A directed coupling matrix as arrows ``source → target`` on a schematic of the hierarchy (width ∝ weight).

    Parameters
    ----------
    matrix : ndarray of shape (n, n)
        Rows target, columns source.
    rois : sequence of str

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _fig(h=2.6)
    M = np.asarray(matrix, float)
    pos = {r: GRAPH_POSITIONS.get(r, (i, 0.0)) for i, r in enumerate(rois)}
    top = M.max() if M.max() > 0 else 1.0
    for t, tgt in enumerate(rois):
        for s, src in enumerate(rois):
            if t != s and M[t, s] > 0:
                # bend edges that come back (pairs coupled both ways) or skip over nodes of the row
                far = abs(pos[tgt][0] - pos[src][0]) > 1.5 and abs(pos[tgt][1] - pos[src][1]) < 0.5
                rad = 0.25 if (M[s, t] > 0 or far) else 0.08
                ax.annotate("", xy=pos[tgt], xytext=pos[src],
                            arrowprops=dict(arrowstyle="-|>", lw=0.5 + 3.0 * M[t, s] / top, color="#0072B2",
                                            shrinkA=11, shrinkB=11, mutation_scale=12,
                                            connectionstyle=f"arc3,rad={rad}"))
    for r, (x, y) in pos.items():
        ax.scatter([x], [y], s=500, color="white", edgecolor="k", zorder=3)
        ax.text(x, y, r, ha="center", va="center", fontsize=7, zorder=4)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
    ax.set_aspect("equal")
    ax.margins(0.08, 0.2)
    fig.tight_layout()
    return fig


def family_dots(model_scores, labels, contrast, groups, rois=ROIS, paper=None):
    """Fig. 3 style: one dot per model per ROI, by family, with the paper's family means as grey bars."""
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


def noise_ceilings(table):
    """Per ROI: split-half (Spearman–Brown) and ncsnr-based noise ceilings beside the planted value.

    Parameters
    ----------
    table : pandas.DataFrame
        Index ROI, columns ``split_half``, ``ncsnr`` and (simulated) ``planted``.
    """
    cols = [c for c in ("split_half", "ncsnr", "planted") if c in table.columns and table[c].notna().any()]
    fig = bars_paper_vs_run(None, table[cols], cols, title_run="noise ceiling per ROI (fraction of variance)",
                            ylabel="noise ceiling")
    return fig


def gap_vs_motion(motion):
    """Video − image family difference per ROI against the planted motion share."""
    from neurokit.plotting import palette

    fig, ax = _fig(w=3.6, h=2.8)
    share = motion["motion_share"].to_numpy(float)
    gap = motion["video_minus_image"].to_numpy(float)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.scatter(share, gap, color=[palette()[1] if s > 0 else palette()[0] for s in np.nan_to_num(share)], zorder=3)
    for x_, y_, r_ in zip(share, gap, motion["roi"]):
        ax.annotate(r_, (x_, y_), xytext=(3, 3), textcoords="offset points", fontsize=7)
    ax.set_xlabel("planted motion share")
    ax.set_ylabel("video − image (mean r)")
    fig.tight_layout()
    return fig


def family_units(unit_tests, contrast="modality"):
    """p-values of one family contrast per ROI with models, architectures or a mixed model as the unit."""
    from neurokit.plotting import palette

    t = unit_tests[unit_tests.contrast == contrast]
    order = {r: i for i, r in enumerate(ROIS)}
    t = t.sort_values("roi", key=lambda c: c.map(lambda r: order.get(r, len(order))))
    fig, ax = _fig(h=2.6)
    x = np.arange(len(t))
    for i, (col, lab) in enumerate((("p_models", "Welch over models (the paper's)"),
                                    ("p_architectures", "Welch over architectures"),
                                    ("p_mixed", "mixed model, architecture random"))):
        ax.scatter(x + (i - 1) * 0.2, -np.log10(t[col].to_numpy(float)), color=palette()[i], label=lab, zorder=3)
    ax.axhline(-np.log10(0.05), color="0.5", ls="--", lw=0.8)
    ax.text(len(t) - 0.5, -np.log10(0.05), "p = 0.05", fontsize=6, va="bottom", ha="right")
    ax.set_xticks(x, t.roi)
    ax.set_ylabel("−log10 p")
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig


def pairs(table, title=""):
    """Paired model comparisons per ROI: the difference b − a with its clip-permutation mark."""
    from neurokit.plotting import palette

    names = list(dict.fromkeys(table["pair"]))
    fig, ax = _fig(h=2.8)
    rois = list(dict.fromkeys(table["roi"]))
    x = np.arange(len(rois))
    w = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        t = table[table["pair"] == name].set_index("roi").reindex(rois)
        xs = x + (i - (len(names) - 1) / 2) * w
        ax.bar(xs, t["diff"], w, color=palette()[i % 8], label="\n".join(textwrap.wrap(name, 40)))
        for xi, (d, m) in zip(xs, zip(t["diff"], t["mark"])):
            if isinstance(m, str) and m:
                ax.text(xi, d + (0.003 if d >= 0 else -0.012), m, ha="center", fontsize=5)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, rois)
    ax.set_ylabel("r(b) − r(a)")
    ax.set_title(title, fontsize=9)
    if names:
        ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    return fig


def grouped_bars(table, index, columns, value, ylabel="Pearson r", title=""):
    """Grouped bars: one group per ``index`` level, one bar per ``columns`` level."""
    from neurokit.plotting import palette

    w_ = table.pivot_table(index=index, columns=columns, values=value, sort=False)
    fig, ax = _fig(h=2.8)
    x = np.arange(len(w_))
    k = len(w_.columns)
    w = 0.8 / max(k, 1)
    for i, c in enumerate(w_.columns):
        ax.bar(x + (i - (k - 1) / 2) * w, w_[c], w, color=palette()[i % 8], label=str(c))
    ax.set_xticks(x, w_.index, rotation=45 if len(w_) > 9 else 0, fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6, ncol=3)
    fig.tight_layout()
    return fig


def target_blocks(tests, paper, targets):
    """Fig. 2: family means per target block, this run (solid) and the paper's digitised values (dashed)."""
    import matplotlib.pyplot as plt

    from neurokit.plotting import FAMILY_COLORS, PAGE_WIDTH

    fig, axes = plt.subplots(1, len(targets), figsize=(PAGE_WIDTH, 2.4), sharey=True, squeeze=False)
    for ax, t in zip(axes[0], targets):
        g = tests[tests.target == t]
        x = np.arange(len(g))
        ax.plot(x, g.mean_a, "o-", color=FAMILY_COLORS["image"], label="image (run)")
        ax.plot(x, g.mean_b, "o-", color=FAMILY_COLORS["video"], label="video (run)")
        pp = paper.get(t)
        if pp is not None:
            ax.plot(np.arange(len(pp)), pp.image, "s--", color=FAMILY_COLORS["image"], alpha=0.5,
                    label="image (paper)")
            ax.plot(np.arange(len(pp)), pp.video, "s--", color=FAMILY_COLORS["video"], alpha=0.5,
                    label="video (paper)")
        ax.set_title(t.split(".")[0], fontsize=8)
        ax.set_xticks(x, g.roi, fontsize=6)
        ax.set_xlabel("block of the target network", fontsize=7)
    axes[0][0].set_ylabel("Pearson r")
    handles = {}
    for ax in axes[0]:  # one legend for all panels: every series, the paper's dashed lines included
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(handles.values(), handles.keys(), loc="upper center", ncol=len(handles), fontsize=6, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def size_scatter(analyses, titles):
    """Column means of region matrices against ``1 / source voxel count`` (one panel per analysis)."""
    import matplotlib.pyplot as plt

    from neurokit.plotting import PAGE_WIDTH

    fig, axes = plt.subplots(1, len(analyses), figsize=(PAGE_WIDTH, 2.6), squeeze=False)
    for ax, a, t in zip(axes[0], analyses, titles):
        ax.scatter(a["inv_voxels"], a["column_means"], color="#0072B2", zorder=3)
        for x_, y_, r_ in zip(a["inv_voxels"], a["column_means"], a.get("labels", ROIS)):
            ax.annotate(r_, (x_, y_), xytext=(2, 2), textcoords="offset points", fontsize=6)
        ax.set_xlabel("1 / voxels of the source ROI", fontsize=7)
        ax.set_ylabel("column mean (off-diagonal)", fontsize=7)
        ax.set_title("\n".join(textwrap.wrap(f"{t}: r = {a['r']:.2f}", 34)), fontsize=8)
    fig.tight_layout()
    return fig


def estimator_metrics(summary, metrics=("directed_r", "auc", "direction_accuracy"), chance=(0.0, 0.5, 0.5)):
    """Mean ± s.d. over seeds of each estimator's metrics in the planted and transposed worlds."""
    import matplotlib.pyplot as plt

    from neurokit.plotting import PAGE_WIDTH, palette

    est = list(dict.fromkeys(summary.index.get_level_values("estimator")))
    worlds = list(dict.fromkeys(summary.index.get_level_values("world")))
    fig, axes = plt.subplots(1, len(metrics), figsize=(PAGE_WIDTH, 2.8), sharey=False, squeeze=False)
    for ax, m, c in zip(axes[0], metrics, chance):
        x = np.arange(len(est))
        w = 0.8 / len(worlds)
        for i, wd in enumerate(worlds):
            mu = [summary.loc[(wd, e), (m, "mean")] for e in est]
            sd = [summary.loc[(wd, e), (m, "std")] for e in est]
            ax.bar(x + (i - (len(worlds) - 1) / 2) * w, mu, w, yerr=sd, color=palette()[i], label=f"world {wd}")
        ax.axhline(c, color="0.4", ls="--", lw=0.8)
        short = [e.replace("paper model, ", "paper: ").replace(" features", "").replace("(contributions)", "(s.d.)")
                 for e in est]
        ax.set_xticks(x, ["\n".join(textwrap.wrap(e, 12)) for e in short], fontsize=6)
        ax.set_title(m.replace("_", " "), fontsize=8)
    axes[0][0].legend(fontsize=6)
    fig.tight_layout()
    return fig


def fluctuation_asymmetry(asym):
    """Correlation of the direction readout (W[r, s] − W[s, r] over planted edges) between worlds, per seed."""
    from neurokit.plotting import palette

    fig, ax = _fig(w=3.8, h=2.6)
    groups = list(dict.fromkeys(asym.iloc[:, 1]))
    for i, g in enumerate(groups):
        v = asym[asym.iloc[:, 1] == g]["r_asym"].to_numpy()
        ax.scatter(np.full(len(v), i) + np.linspace(-0.1, 0.1, len(v)), v, color=palette()[i], zorder=3)
        ax.hlines(v.mean(), i - 0.2, i + 0.2, color="k")
    ax.axhline(0, color="0.5", lw=0.6)
    ax.set_xticks(range(len(groups)), ["\n".join(textwrap.wrap(str(g), 18)) for g in groups], fontsize=6)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("corr. of direction readouts")
    fig.tight_layout()
    return fig


def label_control(table):
    """Mean connectivity gain with the true region labels and with voxels regrouped at random."""
    from neurokit.plotting import palette

    fig, ax = _fig(w=3.8, h=2.6)
    variants = list(dict.fromkeys(table["variant"]))
    for i, v in enumerate(variants):
        t = table[table.variant == v]
        true = t[t["labels"] == "true"]["gain"].mean()
        perm = t[t["labels"] != "true"]["gain"].to_numpy()
        ax.bar(i - 0.18, true, 0.35, color=palette()[0], label="true ROI labels" if i == 0 else None)
        ax.bar(i + 0.18, perm.mean() if len(perm) else np.nan, 0.35, color=palette()[1],
               label="voxels regrouped at random" if i == 0 else None)
        if len(perm):
            ax.scatter(np.full(len(perm), i + 0.18), perm, color="k", s=6, zorder=3)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(range(len(variants)), variants)
    ax.set_ylabel("mean gain (r)")
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig


def sensitivity(sens):
    """Mean test r of one model under alternative protocol choices, one panel per choice."""
    import matplotlib.pyplot as plt

    from neurokit.plotting import PAGE_WIDTH

    groups = list(dict.fromkeys(sens.choice))
    fig, axes = plt.subplots(1, len(groups), figsize=(PAGE_WIDTH, 2.3), sharey=True, squeeze=False)
    for ax, g in zip(axes[0], groups):
        d = sens[sens.choice == g]
        ax.bar(d.value, d["mean r"], color="#0072B2")
        ax.set_title(g, fontsize=8)
        ax.tick_params(axis="x", labelsize=6, rotation=30)
    axes[0][0].set_ylabel("mean test r")
    fig.tight_layout()
    return fig


def eq1(table):
    """Eq. 1 (layer-weighted) vs best-block selection per ROI, with the clip-permutation marks."""
    t = table.set_index("roi")
    return bars_paper_vs_run(None, t[["best block", "Eq. 1"]], ["best block", "Eq. 1"],
                             title_run="best block vs Eq. 1 (layer-weighted)", marks=t["mark"])
