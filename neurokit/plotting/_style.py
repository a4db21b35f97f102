"""The book's figure style."""
from __future__ import annotations

PAGE_WIDTH = 7.0  # inches: a figure this wide is readable at the book's page width

# Okabe–Ito, safe for the common forms of colour blindness.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

#: One colour per meaning, the same in every figure of the book (a colour never means two things; a test checks
#: that no two meanings share one). Figures take their colours from here by meaning, not from the cycle.
COLORS = {
    # model families (Part I)
    "image": "#E69F00", "video": "#0072B2",
    "convolutional": "#009E73", "transformer": "#CC79A7",
    "fully-supervised": "#56B4E9", "self-supervised": "#D55E00",
    # where a number comes from
    "paper": "#7F7F7F", "this run": "#1A1A1A", "control": "#B8B8B8", "planted": "#882255",
    # regions of the simulated brain (Part I)
    "dynamic ROI": "#44AA99", "static ROI": "#DDCC77",
    # retina models (Part II)
    "Vi-ST": "#AA3377", "baseline": "#66CCEE",
    # reconstruction (Part III)
    "reconstruction": "#4477AA", "ablation": "#EE7733",
    # verdicts of the claims ledger
    "recovered": "#228833", "partly recovered": "#CCBB44", "not recovered": "#EE6677",
    "not testable in this world": "#E8E8E8", "not run": "#000000",
}

#: The family colours, for figures that compare model families (a view of :data:`COLORS`).
FAMILY_COLORS = {k: COLORS[k] for k in ("image", "video", "convolutional", "transformer", "fully-supervised",
                                        "self-supervised", "paper", "this run")}


def verdict_colors() -> dict[str, str]:
    """Colours of the claims ledger's verdicts (from :data:`COLORS`)."""
    return {k: COLORS[k] for k in ("recovered", "partly recovered", "not recovered", "not testable in this world",
                                   "not run")}


def palette(n: int | None = None):
    """The Okabe–Ito palette (cycled to ``n`` colours)."""
    cols = list(OKABE_ITO)
    if n is None:
        return cols
    return [cols[i % len(cols)] for i in range(n)]


def set_style(context: str = "notebook") -> None:
    """Apply the book style (seaborn ``ticks``, Okabe–Ito colours, readable fonts, tight PNG export)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context=context, style="ticks", palette=list(OKABE_ITO), font_scale=0.9)
    mpl.rcParams.update({
        "figure.dpi": 110, "savefig.dpi": 150, "savefig.bbox": "tight",
        "axes.spines.top": False, "axes.spines.right": False,
        "figure.figsize": (PAGE_WIDTH, PAGE_WIDTH * 0.5),
        "legend.frameon": False,
    })


def significance_bar(ax, x0: float, x1: float, y: float, mark: str, height: float = 0.005) -> None:
    """Draw a bracket between ``x0`` and ``x1`` at height ``y`` labelled with ``mark`` (``ns``, ``*``, ``**``, ``***``)."""
    ax.plot([x0, x0, x1, x1], [y, y + height, y + height, y], color="black", lw=0.8)
    ax.text((x0 + x1) / 2, y + height, mark, ha="center", va="bottom", fontsize=8)


def row_caption(ax, text: str, fontsize: float = 7):
    """Write ``text`` above ``ax``, left-aligned, running across the row of an image grid; lay the grid out
    with :func:`tight_grid` (a caption wider than its axes would make ``tight_layout`` shrink every image)."""
    return ax.text(0.0, 1.04, text, fontsize=fontsize, ha="left", va="bottom", transform=ax.transAxes,
                   gid="neurokit-row-caption")


def tight_grid(fig, h_pad: float = 1.0) -> None:
    """``tight_layout`` for image grids with :func:`row_caption` captions: the captions are left out of the
    layout (they may be wider than their axes) but kept for saving (``bbox_inches="tight"`` still fits them);
    ``h_pad`` leaves room for them between rows."""
    captions = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "neurokit-row-caption"]
    for t in captions:
        t.set_in_layout(False)
    fig.tight_layout(h_pad=h_pad)
    for t in captions:
        t.set_in_layout(True)
