"""Figure of the ridge benchmark (``benchmarks/ridge.py`` → ``benchmarks/results/ridge.json``)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from neurokit.errors import DataError
from neurokit.plotting import PAGE_WIDTH, palette

LABELS = {
    "neurokit_numpy": "neurokit (numpy)",
    "neurokit_torch": "neurokit (torch)",
    "himalaya_ridge": "himalaya RidgeCV",
    "himalaya_kernel": "himalaya KernelRidgeCV",
    "sklearn_gcv": "sklearn RidgeCV (LOO)",
}


def load_ridge_benchmark(json_path) -> dict:
    """Read and sanity-check a ridge benchmark JSON."""
    path = Path(json_path)
    if not path.exists():
        raise DataError(f"no ridge benchmark results at {path}; run `python benchmarks/ridge.py` (or --quick) first.")
    try:
        res = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise DataError(f"{path} is not valid JSON ({err}); rerun benchmarks/ridge.py.") from err
    missing = [k for k in ("runs", "summary", "peak") if k not in res]
    if missing:
        raise DataError(f"{path} lacks {missing}; it was not written by benchmarks/ridge.py. Rerun it.")
    return res


def plot_ridge_benchmark(json_path):
    """Two panels: wall time per method and size (log scale), and neurokit's speed-up and fraction of peak.

    Parameters
    ----------
    json_path : path to ``benchmarks/results/ridge.json``

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    res = load_ridge_benchmark(json_path)
    runs = [r for r in res["runs"] if "error" not in r]
    sizes = [(s["p"], s["v"]) for s in res["summary"]]
    methods = [m for m in LABELS if any(r["method"] == m for r in runs)]
    colors = dict(zip(LABELS, palette(len(LABELS))))
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.52),
                                   gridspec_kw={"width_ratios": [1.6, 1]})
    x = np.arange(len(sizes))
    width = 0.8 / max(len(methods), 1)
    for i, m in enumerate(methods):
        t = [next((r["time_s"] for r in runs if r["method"] == m and (r["p"], r["v"]) == s), np.nan) for s in sizes]
        ax0.bar(x + (i - (len(methods) - 1) / 2) * width, t, width, label=LABELS[m], color=colors[m])
    ax0.set_yscale("log")
    ax0.set_xticks(x, [f"{p}×{v}" for p, v in sizes], rotation=30)
    ax0.set_xlabel("features × voxels")
    ax0.set_ylabel("fit + predict (s)")
    ax0.set_title(f"{res.get('settings', {}).get('dtype', '')}, {res.get('machine', {}).get('threads', '?')} threads",
                  fontsize=9)
    peers = [m for m in methods if m != "neurokit_numpy"]
    for i, m in enumerate(peers):
        sp = [s.get(f"speedup_vs_{m}", np.nan) for s in res["summary"]]
        ax1.plot(x, sp, marker="o", label=LABELS[m], color=colors[m])
    ax1.axhline(1.0, color="0.5", lw=0.8, ls="--")
    ax1.set_yscale("log")
    ax1.set_xticks(x, [f"{p}×{v}" for p, v in sizes], rotation=30)
    ax1.set_ylabel("peer time / neurokit time")
    frac = [s.get("neurokit_frac_of_peak", np.nan) for s in res["summary"]]
    trans = ax1.get_xaxis_transform()  # x in data units, y in axes fraction
    for xi, f in zip(x, frac):
        if np.isfinite(f):
            ax1.text(xi, 0.97, f"{100 * f:.0f}%", transform=trans, ha="center", va="top", fontsize=7, color="0.3")
    ax1.margins(x=0.2)
    peak = res["peak"]["gemm4096_gflops_used"]
    ax1.set_title(f"speed-up; top: % of {peak:.0f} GF/s peak", fontsize=8)
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax1.yaxis.set_major_formatter(ScalarFormatter())
    ax1.yaxis.set_minor_formatter(NullFormatter())
    # one legend for both panels, above them: it names every method and never covers a bar
    handles, labels = ax0.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=min(len(labels), 3), fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.86))
    return fig
