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
#     datasets: [algonauts2021]
#     timeout: 600
# ---

# %% [markdown]
# # Part I.1: data and regions
#
# Gamal et al. fit encoding models to the **Mini-Algonauts 2021** training set (1000 three-second videos,
# 10 subjects, 9 ROIs: V1, V2, V3, V4, LOC, EBA, FFA, STS, PPA; responses averaged over 3 repetitions) and compare
# to the state of the art on **BOLD Moments** (1102 videos, 10 test repetitions). See the data cards
# [Algonauts 2021](../data/algonauts2021.md) and [BOLD Moments](../data/bold_moments.md). In the `smoke` and
# `embedded` profiles both are simulated in their real on-disk layouts (`neurokit.sim.brain`): ROIs built as
# *dynamic* take 50–85 % of their stimulus-driven variance from motion features, *static* ones (FFA, PPA)
# none, and a planted directed coupling passes each source's stimulus drive on to its targets (only its
# appearance part into the static ROIs). This chapter shows the sizes, the ROIs on the MNI152 template, the
# planted coupling, and the noise ceilings the later chapters are measured against.

# %% tags=["parameters"]
profile = "embedded"
seed = 0  # at least 0; simulation, fold and permutation seed
overrides = {}  # any other field of studies.encoding.dataset.Settings, by name

# %%
import numpy as np

from neurokit.book import glue, glue_profile
from neurokit.plotting import set_style
from neurokit.plotting.brain import plot_roi_values
from neurokit.studies.encoding import dataset, figures

set_style()
label = glue_profile(profile)
result = dataset.run(dataset.settings(profile, seed=seed, **overrides))
rois = result.rois
glue("n_train", result.n_train)
glue("n_videos", result.n_videos)
glue("n_subjects", result.n_subjects)
glue("n_voxels_total", int(result.sizes.to_numpy().sum()))
glue("table_sizes", result.sizes)
result.sizes

# %% [markdown]
# {glue:text}`n_videos` videos ({glue:text}`n_train` with responses), {glue:text}`n_subjects` subjects,
# {glue:text}`n_voxels_total` voxels over all subjects and ROIs (voxels per ROI and subject in the table).
#
# ## Noise ceilings
#
# Two estimates per voxel from the 3 repetitions of the training clips, each the fraction of the variance of
# the 3-repeat mean that is reproducible (its square root bounds the Pearson r any model can reach):
#
# * **split-half** with the Spearman–Brown correction (`neurokit.stats.split_half_noise_ceiling`, the
#   Algonauts 2021 scoring convention): with 3 repeats the halves hold 1 and 2 repeats, and the ×2 correction,
#   made for two equal halves, does not reach the 3-repeat mean;
# * **ncsnr** (`neurokit.stats.ncsnr`, `noise_ceiling_from_ncsnr`; the GLMsingle / NSD / BOLD Moments
#   convention, Prince et al. 2022): `NC = ncsnr²/(ncsnr² + 1/n)` with `n = 3`, from the across-repeat variance
#   of every repeat.
#
# In the simulation the planted value is known (`ncsnr²/(ncsnr² + 1/3)` per voxel). Mean over ROIs of
# estimate − planted: split-half {glue:text}`nc_bias_split_half:+.3f`, ncsnr {glue:text}`nc_bias_ncsnr:+.3f`;
# the split-half estimate is below the planted value in {glue:text}`nc_split_half_low` of
# {glue:text}`n_rois` ROIs, the ncsnr estimate in {glue:text}`nc_ncsnr_low`.

# %%
per_roi = result.ceilings.groupby("roi", sort=False).mean(numeric_only=True).reindex(rois)
per_roi["ceiling_r"] = np.sqrt(per_roi["ncsnr"].clip(lower=0))
glue("n_rois", len(rois))
if result.simulated:
    bias = per_roi[["split_half", "ncsnr"]].sub(per_roi["planted"], axis=0)
    glue("nc_bias_split_half", float(bias["split_half"].mean()))
    glue("nc_bias_ncsnr", float(bias["ncsnr"].mean()))
    glue("nc_error_split_half", float(bias["split_half"].abs().mean()))
    glue("nc_error_ncsnr", float(bias["ncsnr"].abs().mean()))
    glue("nc_error", float(bias["ncsnr"].abs().mean()))
    glue("nc_split_half_low", int((bias["split_half"] < 0).sum()))
    glue("nc_ncsnr_low", int((bias["ncsnr"] < 0).sum()))
else:
    for k in ("nc_bias_split_half", "nc_bias_ncsnr", "nc_error_split_half", "nc_error_ncsnr", "nc_error"):
        glue(k, float("nan"))
    glue("nc_split_half_low", "n/a (real data)")
    glue("nc_ncsnr_low", "n/a (real data)")
glue("table_nc", per_roi.round(3))
per_roi.round(3)

# %%
fig = figures.noise_ceilings(per_roi)
glue("fig_nc", fig)

# %% [markdown]
# ```{glue:figure} fig_nc
# :name: fig-enc-nc
# Noise ceiling per ROI (mean over voxels and subjects, fraction of variance of the 3-repeat mean): split-half
# with Spearman–Brown, ncsnr-based, and (simulated data) the planted value. {glue:text}`data_label`.
# ```

# %%
fig = plot_roi_values(per_roi["ceiling_r"].to_dict(), title="noise ceiling (r, ncsnr-based)")
glue("fig_rois", fig)

# %% [markdown]
# ```{glue:figure} fig_rois
# :name: fig-enc-rois
# The nine ROIs on nilearn's MNI152 template, coloured by the mean noise ceiling in r (square root of the
# ncsnr-based ceiling). Marker positions are **approximate, literature-typical MNI coordinates for display
# only** (the simulation's voxels live on a pseudo-anatomical grid, and nilearn ships no visual-area atlas).
# {glue:text}`data_label`.
# ```
#
# ## Dynamic and static ROIs, planted coupling

# %%
if result.simulated:
    glue("table_truth", result.truth)
    glue("dynamic_rois", ", ".join(r for r in rois if result.truth.loc[r, "dynamic"]))
    glue("static_rois", ", ".join(r for r in rois if not result.truth.loc[r, "dynamic"]))
    glue("n_connections", int((result.planted > 0).sum()))
    fig = figures.directed_graph(result.planted, rois, title="planted coupling (arrow: source → target)")
else:
    glue("dynamic_rois", "n/a (real data)")
    glue("static_rois", "n/a (real data)")
    glue("n_connections", 0)
    fig = figures.directed_graph(np.zeros((len(rois), len(rois))), rois, title="no ground truth on real data")
glue("fig_planted", fig)

# %% [markdown]
# Dynamic by construction: {glue:text}`dynamic_rois`; static: {glue:text}`static_rois`.
#
# ```{glue:figure} fig_planted
# :name: fig-enc-planted
# The planted directed coupling ({glue:text}`n_connections` connections): an arrow from source to target, its
# width proportional to the planted weight; a pair coupled both ways has two curved arrows. Positions are a
# schematic of the hierarchy, not anatomy. {glue:text}`data_label`.
# ```
