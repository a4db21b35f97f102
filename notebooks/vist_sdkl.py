# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   neurokit:
#     datasets: []
#     timeout: 600
# ---

# %% [markdown]
# # Vi-ST 4: SD-KL, the spike-duration divergence, in pictures
#
# Besides the correlation coefficient (CC), the paper scores predictions with SD-KL: a Kullback–Leibler
# divergence between the distributions of *spike durations* — the widths of the peaks of the firing-rate trace.
# `neurokit.vist.metrics` follows the authors' `src/metrics/spike_kde_divergence.py` exactly:
#
# 1. peaks = strict local maxima of the **unclipped** trace with height ≥ 0 (`scipy.signal.find_peaks`);
# 2. durations = `peak_widths(..., rel_height=1)` on the trace clipped from above at `high_cut = 1`: the full
#    width at each peak's base, in frames;
# 3. fewer than 2 peaks in either trace → +inf;
# 4. a 200-point grid spanning both width sets ± 3 bandwidths (Scott's factor × α, α = 0.5);
# 5. a Gaussian KDE per width set whose bandwidth is **α² × std** (the code multiplies the factor twice);
# 6. KL of the two densities on the grid (normalised, 0·log 0 = 0); +inf where the prediction's density
#    underflows, "singular data" (all widths equal) → +inf;
# 7. the population wrapper zeroes negatives, joins segments per cell, replaces nan/+inf by 1000 and −inf by 0,
#    and averages over cells.
#
# Paper vs code: the supplement's pseudocode uses α = 0.3, a ±3·variance grid, clipping to [0, β] before peak
# finding, the direction KL(P_pred ‖ P_target) and clips scores to [0, 1000]; the code's wrapper computes
# KL(P_target ‖ P_pred). `sdkl_trace(target, pred)` is the per-trace function (`calc_scores(target, pred)`,
# paper direction); `spike_kde_divergence(pred, target)` is the wrapper (code direction by default,
# `direction="paper"` as an option). Our wrapper works on copies (the authors' mutates the caller's tensors).
# `sdkl_trace_pseudocode` and `spike_kde_divergence_pseudocode` implement the supplement's Algorithm 1 as
# written (where it is silent — fewer than two peaks, equal widths, an underflowing density — they score 1000,
# the clip value).

# %% tags=["parameters"]
profile = "embedded"
seed = 0
n_frames = 900
noise_levels = [0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9]
n_repeats = 5

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.signal import find_peaks, peak_widths

from neurokit.book import glue, glue_profile
from neurokit.plotting import set_style
from neurokit.studies.vist import published
from neurokit.vist.metrics import (kde_on_grid, peak_widths_trace, sdkl_trace, sdkl_trace_pseudocode,
                                   spike_kde_divergence, support_grid)

set_style()
label = glue_profile(profile)
rng = np.random.default_rng(seed)
t = np.arange(n_frames)
# a sine-like mock firing rate, as in the supplement's SD-KL baseline figure
target = np.clip(0.6 + 0.5 * np.sin(2 * np.pi * t / 23) * np.sin(2 * np.pi * t / 170), 0, None)
pred = np.clip(target + 0.1 * rng.standard_normal(n_frames), 0, None)

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 2.8), gridspec_kw={"width_ratios": [2.2, 1]})
seg = slice(0, 120)
for x, name, col in [(target, "target", "k"), (pred, "prediction (10 % noise)", "C3")]:
    xc = np.minimum(x, 1.0)
    pk = find_peaks(x, height=0)[0]
    w, h, l, r = peak_widths(xc, pk, rel_height=1.0)
    axes[0].plot(t[seg], x[seg], color=col, lw=0.9, label=name)
    keep = (pk >= seg.start) & (pk < seg.stop)
    # a peak's base can reach past the window shown: cut the bar at the window's edges
    axes[0].hlines(h[keep], np.maximum(l[keep], seg.start), np.minimum(r[keep], seg.stop - 1), color=col, lw=2,
                   alpha=0.5)
axes[0].axhline(1.0, color="0.5", ls=":", lw=0.8)
axes[0].set_xlim(seg.start, seg.stop - 1)
axes[0].set_xlabel("frame"); axes[0].set_ylabel("rate"); axes[0].legend(fontsize=7)
wt, wp = peak_widths_trace(target), peak_widths_trace(pred)
grid = support_grid(np.concatenate([wt, wp]), 0.5)
axes[1].plot(grid, kde_on_grid(wt, wp, 0.5), color="k", label="target")
axes[1].plot(grid, kde_on_grid(wp, wt, 0.5), color="C3", label="prediction")
axes[1].hist(wt, bins=30, density=True, color="k", alpha=0.2)
axes[1].hist(wp, bins=30, density=True, color="C3", alpha=0.2)
axes[1].set_xlabel("spike duration (frames)"); axes[1].legend(fontsize=7)
fig.tight_layout()
glue("sdkl_example", sdkl_trace(target, pred))
glue("sdkl_example_wrapper", spike_kde_divergence(pred[None], target[None])[0])
glue("sdkl_example_pseudo", sdkl_trace_pseudocode(target, pred))
glue("fig_sdkl_widths", fig)

# %% [markdown]
# ```{glue:figure} fig_sdkl_widths
# :name: fig-sdkl-widths
# Left: a mock firing rate and a noisy prediction with each peak's full width at its base (bars; widths are
# measured on the trace clipped at 1, dotted; bars are cut at the edges of the 120 frames shown). Right: the two width distributions and their KDEs
# (bandwidth α² × std, α = 0.5) on the common grid. Mock traces ({glue:text}`data_label`).
# ```
#
# Here SD-KL = {glue:text}`sdkl_example:.2f` in the paper's direction (KL(P_pred ‖ P_target)) and
# {glue:text}`sdkl_example_wrapper:.2f` from the code's wrapper (KL(P_target ‖ P_pred)); the supplement's
# pseudocode, as written, gives {glue:text}`sdkl_example_pseudo:.2f`.
#
# ## SD-KL against noise: the supplement's baseline figure

# %%
rows = []
for lvl in noise_levels:
    for rep in range(n_repeats):
        r = np.random.default_rng([seed, rep, int(lvl * 100)])
        p = target + lvl * r.standard_normal(n_frames) * target.std() * 2
        s_code = spike_kde_divergence(p[None], target[None])[1][0]
        s_paper = spike_kde_divergence(p[None], target[None], direction="paper")[1][0]
        s_alpha = spike_kde_divergence(p[None], target[None], bandwidth_factor=0.3)[1][0]
        s_pseudo = sdkl_trace_pseudocode(target, p)
        rows.append({"noise": lvl, "code (α=0.5)": s_code, "code, paper direction": s_paper,
                     "code with α=0.3 (α² bandwidth)": s_alpha, "pseudocode as written (α=0.3)": s_pseudo})
df = pd.DataFrame(rows).groupby("noise").median()
paper_fig = pd.Series(published.SDKL_NOISE, name="supplement Fig. 1 (digitised)")
for lvl in (0.0, 0.1, 0.9):
    pick = df.index[np.argmin(np.abs(df.index - lvl))]
    glue(f"sdkl_pseudo_noise_{int(round(lvl * 100))}", float(df.loc[pick, "pseudocode as written (α=0.3)"]))
fig, ax = plt.subplots(figsize=(5.5, 3))
for c in df.columns:
    ax.plot(df.index * 100, df[c], marker="o", label=c)
ax.plot(paper_fig.index * 100, paper_fig.values, "k*", ms=10, label="paper (digitised)")
# the pseudocode's 1000 penalty would flatten a linear axis: linear below 1, logarithmic above
ax.set_yscale("symlog", linthresh=1.0)
ax.set_xlabel("noise (%)"); ax.set_ylabel("SD-KL (median over repeats, symlog)"); ax.legend(fontsize=7)
glue("fig_sdkl_noise", fig)
df.join(paper_fig, how="left").round(3)

# %% [markdown]
# ```{glue:figure} fig_sdkl_noise
# :name: fig-sdkl-noise
# SD-KL of noisy copies of the mock trace: the code's wrapper (α = 0.5), the same in the paper's direction, the
# code's function with α = 0.3 (whose KDE bandwidth is then 0.09 × std, α²), and the supplement's pseudocode as
# written (α = 0.3 without squaring, ±3·Var grid, traces clipped to [0, 1] before peak finding, scores clipped to
# [0, 1000]); stars: the supplement's Fig. 1 (≈0 at 0 %, ≈10 at 10 %, ≈15 at 90 %, digitised). Mock traces
# ({glue:text}`data_label`); the supplement's noise model is not given, so only the shape (0 at no noise, a jump,
# then a slow rise) is comparable. The y axis is linear below 1 and logarithmic above.
# ```
#
# By the pseudocode, SD-KL is {glue:text}`sdkl_pseudo_noise_0:.2f` without noise, {glue:text}`sdkl_pseudo_noise_10:.2f`
# at 10 % and {glue:text}`sdkl_pseudo_noise_90:.2f` at 90 %.
#
# ## Edge cases
#
# The reference behaviour that the tests pin: a constant trace or one with a single peak gives +inf (→ 1000 in
# the wrapper); identical widths give scipy's "singular data" error → +inf; an all-negative prediction has no
# peaks after zeroing → 1000; narrow kernels often make the prediction's density underflow where the target's is
# positive → +inf → 1000. Finite scores are not clipped, so one cell's 1000 dominates a population mean.

# %%
same_widths = np.zeros(n_frames)
for k in range(3):
    same_widths[10 + 13 * k : 18 + 13 * k] = 0.8 * np.hanning(10)[1:-1]
edge = {
    "constant prediction": sdkl_trace(target, np.full(n_frames, 0.5)),
    "one peak": sdkl_trace(target, np.exp(-((t - 300) / 20.0) ** 2)),
    "identical widths": sdkl_trace(target, same_widths),
    "all negative (wrapper)": spike_kde_divergence(-np.ones((1, n_frames)), target[None])[1][0],
    "perfect prediction": sdkl_trace(target, target),
}
pd.Series(edge, name="SD-KL").to_frame()
