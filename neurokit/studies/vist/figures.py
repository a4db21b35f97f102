"""Figures of the Vi-ST results chapter: one function per figure, each taking an analysis result.

The paper's numbers are drawn in panels of their own (never as points among the simulated ones).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from neurokit.plotting import PAGE_WIDTH, palette
from neurokit.studies.vist import published

__all__ = ["ladder", "curves", "ablations", "layers", "complementary"]

_NAMES = {"vist": "Vi-ST", "dinov2_mstcn": "DINOv2+MSTCN (ours)", "i3d_mstcn": "I3D+MSTCN (ours)",
          "crnn": "CRNN (ours)", "ln": "LN", "feature_ridge": "feature ridge"}


def label(name: str) -> str:
    return _NAMES.get(name, name)


def ladder(result, figsize=(PAGE_WIDTH, 3.0)):
    """CC within movie 1 (level 0) and on each rung of the ladder, per model; right: the poster's pairs."""
    fig, (ax, axp) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [2.2, 1]})
    lad = result.ladder
    levels = sorted(lad["level"].unique())
    cols = palette(len(result.table))
    for c, m in zip(cols, result.table.index):
        sub = lad[lad["model"] == m].sort_values("level")
        y = [float(result.table.loc[m, "CC within"])] + sub["CC cross"].tolist()
        ax.plot([0, *levels], y, marker="o", color=c, lw=2.2 if m == "vist" else 1.2, label=label(m))
    names = ["within\n(movie 1)"] + [lad[lad["level"] == lv]["rung"].iloc[0].replace("_", "\n") for lv in levels]
    ax.set_xticks(range(len(names)), names, fontsize=7)
    ax.set_ylabel("CC (mean |r| over cells)")
    ax.set_title("this run: trained on movie 1", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    for c, (model, vals) in zip(palette(len(published.POSTER)), published.POSTER.items()):
        w, x = vals.get(("Mov1", "Mov1")), vals.get(("Mov1", "Mov2"))
        axp.plot([0, 1] if x is not None else [0], [w, x] if x is not None else [w], marker="s", color=c, label=model)
    axp.set_xticks([0, 1], ["Mov1 → Mov1", "Mov1 → Mov2"], fontsize=7)
    axp.set_xlim(-0.4, 1.4)
    axp.set_title("paper (poster table)", fontsize=9)
    axp.legend(fontsize=6)
    fig.tight_layout()
    return fig


def curves(result, figsize=(PAGE_WIDTH, 2.8)):
    """Held-out learning curves of the trained models: CC within movie 1 (left) and on movie 2 (right)."""
    cv = result.curves
    cross = [c for c in cv.columns if c.startswith("CC ") and c != "CC within"]
    fig, axes = plt.subplots(1, 1 + len(cross[:1]), figsize=figsize, sharey=True)
    axes = np.atleast_1d(axes)
    models = list(dict.fromkeys(cv["model"]))
    for c, m in zip(palette(len(models)), models):
        sub = cv[cv["model"] == m]
        for ax, col in zip(axes, ["CC within", *cross[:1]]):
            ax.plot(sub["step"], sub[col], marker=".", color=c, label=label(m))
            last = sub[sub["swa"]]
            ax.plot(last["step"], last[col], marker="*", ms=9, color=c, ls="none")
    axes[0].set_title("movie 1, held-out half", fontsize=9)
    if len(axes) > 1:
        axes[1].set_title(f"movie 2 ({cross[0][3:]})", fontsize=9)
    for ax in axes:
        ax.set_xlabel("optimizer step")
    axes[0].set_ylabel("CC (mean |r|)")
    axes[0].legend(fontsize=6)
    fig.tight_layout()
    return fig


def ablations(result, figsize=(PAGE_WIDTH, 2.8)):
    """Left: Δ CC on movie 2 of each variant against the reference, with ± the seed spread; right: the paper."""
    tab = result.table.drop(index="vist")
    fig, (ax, axp) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [1.4, 1]})
    y = np.arange(len(tab))
    ax.barh(y, tab["Δ CC cross"], color=[("C3" if o == "opposite" else "C0") for o in tab["order vs paper"]])
    if np.isfinite(result.seed_spread):
        ax.axvspan(-result.seed_spread, result.seed_spread, color="0.85", zorder=0, label="± seed spread")
        ax.legend(fontsize=6)
    ax.set_yticks(y, tab.index, fontsize=7)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("Δ CC on movie 2 vs Vi-ST (this run)")
    pap = published.ablation_table()
    axp.barh(np.arange(len(pap)), pap["CC"] - published.ABLATION["Vi-ST"], color="0.5")
    axp.set_yticks(np.arange(len(pap)), pap["paper ablation"], fontsize=6)
    axp.axvline(0, color="k", lw=0.8)
    axp.set_xlabel("Δ CC vs Vi-ST (paper)")
    fig.tight_layout()
    return fig


def layers(result, figsize=(PAGE_WIDTH * 0.7, 2.6)):
    """Vi-ST's CC within movie 1 and on movie 2 for each input feature set."""
    tab = result.table
    fig, ax = plt.subplots(figsize=figsize)
    x = np.arange(len(tab))
    ax.bar(x - 0.2, tab["CC within"], 0.4, label="within movie 1")
    ax.bar(x + 0.2, tab["CC cross"], 0.4, label=f"movie 2 ({result.store})")
    ax.set_xticks(x, [i.replace("EfficientNet-Lite0 ", "EffNet-L0\n") for i in tab.index], fontsize=7)
    ax.set_ylabel("CC (mean |r|)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def complementary(result, k: int, figsize=(PAGE_WIDTH, 2.8)):
    """Top-k mean CC against the number of cells modelled: this run (left), the paper's figure (right)."""
    fig, (ax, axp) = plt.subplots(1, 2, figsize=figsize)
    tab = result.table.sort_index()
    for col, mk in ((f"top-{k} mean CC (cross)", "o"), (f"top-{k} mean CC (within)", "s")):
        ax.plot(tab.index, tab[col], marker=mk, label=col.split("(")[1].rstrip(")"))
    ax.set_xscale("log")
    ax.set_xticks(tab.index, [str(i) for i in tab.index])
    ax.set_xlabel("cells modelled")
    ax.set_ylabel(f"mean CC of the top {k} cells")
    ax.set_title("this run", fontsize=9)
    ax.legend(fontsize=7)
    for movie, d in published.COMPLEMENTARY.items():
        n = sorted(d)
        axp.plot(n, [d[i] for i in n], marker="o", label=movie)
    axp.set_xscale("log")
    axp.set_xticks(published.COMPLEMENTARY_SIZES, [str(i) for i in published.COMPLEMENTARY_SIZES])
    axp.set_xlabel("cells modelled")
    axp.set_title("paper (website figure, digitised)", fontsize=9)
    axp.legend(fontsize=7)
    fig.tight_layout()
    return fig
