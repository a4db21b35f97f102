"""Figures of the NEURONS chapters: one function per figure, taking data or results, returning a Figure."""
from __future__ import annotations

import numpy as np

from neurokit.plotting import PAGE_WIDTH, palette, row_caption, tight_grid

__all__ = ["HEAD_NAMES", "clips", "concept_prevalence", "planted_roles", "reliability", "subtask_examples",
           "concept_recall", "attribution", "reconstructions", "metric_bars"]

#: Display names of the subtask heads.
HEAD_NAMES = {"seg": "segmentation", "cls": "concepts", "txt": "scene description", "rec": "blurry video"}


def _img(x):
    """(3, H, W) float → (H, W, 3) for imshow."""
    return np.clip(np.moveaxis(np.asarray(x, dtype=np.float32), 0, -1), 0, 1)


def _off(axes):
    for ax in np.ravel(axes):
        ax.set_xticks([])
        ax.set_yticks([])


def clips(data, n_show: int = 6):
    """Training clips (6 frames) with the key-object mask outlined and the caption above each row."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(n_show, 6, figsize=(PAGE_WIDTH, 1.25 * n_show), squeeze=False)
    for r in range(n_show):
        for f in range(6):
            ax = axes[r, f]
            ax.imshow(_img(data.train_frames[r, f]))
            ax.contour(data.train_masks[r, f], levels=[0.5], colors="white", linewidths=0.8)
        axes[r, 0].set_ylabel(data.train_key_class[r], fontsize=7)
        row_caption(axes[r, 0], data.train_captions[r][:110])
    _off(axes)
    tight_grid(fig)
    return fig


def concept_prevalence(data):
    """Share of training clips with each concept label."""
    import matplotlib.pyplot as plt

    rate = data.train_concepts.mean(0)
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 2.4))
    ax.bar(range(len(rate)), rate)
    ax.set_xticks(range(len(rate)), data.concept_names, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("share of clips")
    fig.tight_layout()
    return fig


def planted_roles(roles, targets):
    """Heat maps: ROI × feature group shares (planted), subtask × feature group dependence."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH, 3.0), gridspec_kw={"width_ratios": [9, 4.5]})
    for ax, table, title in ((axes[0], roles, "share of each area's signal"), (axes[1], targets, "subtask targets")):
        ax.imshow(table.values, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(table.shape[1]), table.columns, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(table.shape[0]), table.index, fontsize=7)
        ax.set_title(title, fontsize=8)
        for (i, j), v in np.ndenumerate(table.values):
            if v:
                ax.text(j, i, f"{v:.1f}" if table is roles else "•", ha="center", va="center", fontsize=6,
                        color="white" if v > 0.5 else "black")
    fig.tight_layout()
    return fig


def reliability(r_rep, roi):
    """Test–retest correlation per voxel, one box per area."""
    import matplotlib.pyplot as plt

    roi = np.asarray(roi)
    names = [r for r in ("V1", "V2", "V3", "V4", "MT", "LOC", "EBA", "FFA", "PPA", "other") if (roi == r).any()]
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 2.4))
    ax.boxplot([r_rep[roi == r] for r in names], showfliers=False)
    ax.set_xticks(range(1, len(names) + 1), names, fontsize=7)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_ylabel("repetition 1 vs 2, r")
    fig.tight_layout()
    return fig


def subtask_examples(data, decoded, n_show: int = 4):
    """Ground truth, decoded blurry video and decoded key-object mask (outline) for test clips, with the true and
    the generated caption above."""
    import matplotlib.pyplot as plt

    masks = np.asarray(decoded["mask_probs"]) > 0.5
    S = masks.shape[-1]
    H = data.test_frames.shape[-1]
    fig, axes = plt.subplots(3 * n_show, 6, figsize=(PAGE_WIDTH, 3.4 * n_show), squeeze=False)
    for r in range(n_show):
        for f in range(6):
            axes[3 * r, f].imshow(_img(data.test_frames[r, f]))
            axes[3 * r + 1, f].imshow(_img(decoded["blurry"][r, f]))
            axes[3 * r + 2, f].imshow(data.test_masks[r, f], cmap="gray", vmin=0, vmax=1)
            axes[3 * r + 2, f].contour(np.kron(masks[r, f], np.ones((H // S, H // S))), levels=[0.5],
                                       colors="tab:orange", linewidths=1)
        for j, name in enumerate(("GT", "blurry", "mask")):
            axes[3 * r + j, 0].set_ylabel(name, fontsize=7)
        row_caption(axes[3 * r, 0], f"true: {data.test_captions[r][:110]}")
        row_caption(axes[3 * r + 1, 0], f"decoded: {decoded['captions'][r][:110]}")
    _off(axes)
    tight_grid(fig)
    return fig


def concept_recall(recall, names):
    """Per-concept recall at threshold 0.5 (the paper's per-concept "accuracy"), mean over subjects."""
    import matplotlib.pyplot as plt

    recall = np.asarray(recall, dtype=float)
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 2.4))
    ax.bar(range(len(recall)), recall)
    ax.axhline(0.5, color="grey", lw=0.8, ls="--")
    ax.set_xticks(range(len(recall)), names, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("recall (threshold 0.5)")
    fig.tight_layout()
    return fig


def attribution(shares):
    """Per head: the share of attributed importance in each area beside the share of planted importance.

    Parameters
    ----------
    shares : DataFrame
        Columns ``head, roi, attributed, planted`` (means over subjects). Empty (no planted truth, as on real data,
        or no attribution, as for the published batch-coupled model): a figure that says so.
    """
    import matplotlib.pyplot as plt

    heads = list(dict.fromkeys(shares["head"]))
    if not heads:
        fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 1.0))
        ax.axis("off")
        ax.text(0.5, 0.5, "no voxel attribution to compare: no planted truth in this data set, or the heads were not "
                "attributed (batch-coupled attention)", ha="center", va="center", fontsize=8)
        return fig
    c = palette(2)
    fig, axes = plt.subplots(1, len(heads), figsize=(PAGE_WIDTH, 2.8), sharey=True, squeeze=False)
    for ax, h in zip(axes[0], heads):
        t = shares[shares["head"] == h]
        x = np.arange(len(t))
        ax.barh(x + 0.2, t["attributed"], height=0.4, color=c[0], label="attributed (trained head)")
        ax.barh(x - 0.2, t["planted"], height=0.4, color=c[1], label="planted (simulation)")
        ax.set_yticks(x, t["roi"], fontsize=7)
        ax.set_title(HEAD_NAMES.get(h, h), fontsize=8)
        ax.set_xlabel("share", fontsize=7)
        ax.invert_yaxis()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, fontsize=7, frameon=False, bbox_to_anchor=(0.5, 1.06))
    fig.tight_layout()
    return fig


def reconstructions(gt, rows: dict, captions=None, n_show: int = 3):
    """Ground truth and reconstructions, 6 frames each: ``rows`` maps a row name to uint8 videos (n, 6, S, S, 3)
    or float (n, 6, 3, s, s); ``captions`` (optional) a caption per clip shown above its first row."""
    import matplotlib.pyplot as plt

    names = ["GT"] + list(rows)
    k = len(names)
    fig, axes = plt.subplots(k * n_show, 6, figsize=(PAGE_WIDTH, 1.15 * k * n_show), squeeze=False)
    for r in range(n_show):
        for j, name in enumerate(names):
            v = gt[r] if name == "GT" else rows[name][r]
            for f in range(6):
                fr = np.asarray(v[f])
                axes[k * r + j, f].imshow(fr if fr.shape[-1] == 3 else _img(fr))
            axes[k * r + j, 0].set_ylabel(name, fontsize=7)
        if captions is not None:
            row_caption(axes[k * r, 0], captions[r][:110])
    _off(axes)
    tight_grid(fig)
    return fig


def metric_bars(table, metrics, title: str = ""):
    """This run and the shuffled-fMRI control with their 95 % intervals, chance as a dash, per metric.

    ``table`` is :func:`neurokit.studies.neurons.reconstruction.summary`'s output."""
    import matplotlib.pyplot as plt

    c = palette(3)
    fig, axes = plt.subplots(1, len(metrics), figsize=(PAGE_WIDTH, 2.3), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        row = table.loc[m]
        for x, (val, lo, hi, name, col) in enumerate(((row["this run"], row["CI low"], row["CI high"], "run", c[0]),
                                                      (row["shuffled fMRI"], row["shuffled CI low"],
                                                       row["shuffled CI high"], "shuffled", c[1]))):
            ax.bar(x, val, color=col, width=0.7)
            ax.errorbar(x, val, yerr=[[val - lo], [hi - val]], color="black", lw=1, capsize=2)
        if np.isfinite(row["chance"]):
            ax.hlines(row["chance"], -0.5, 1.5, color="grey", ls="--", lw=0.8)
        ax.set_xticks([0, 1], ["run", "shuffled"], fontsize=7)
        ax.set_title(m.replace("_", " "), fontsize=8)
    if title:
        fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    return fig
