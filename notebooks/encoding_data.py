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
# none, and a planted directed connectivity passes each source's stimulus drive on to its targets (only its
# appearance part into the static ROIs). This chapter shows the sizes,
# the ROIs on the MNI152 template and the noise ceilings the later chapters are measured against.

# %% tags=["parameters"]
profile = "embedded"
seed = 0

# %%
import numpy as np
import pandas as pd

from neurokit.book import glue, glue_profile
from neurokit.catalog import algonauts2021
from neurokit.data import load_algonauts2021
from neurokit.plotting import set_style
from neurokit.plotting.brain import plot_region_graph, plot_roi_values
from neurokit.stats import split_half_noise_ceiling

set_style()
label = glue_profile(profile)
root = algonauts2021.ensure(profile, seed=seed)
data = load_algonauts2021(root, average_repeats=False)
rois = list(data.rois)
glue("n_train", data.n_train)
glue("n_videos", len(data.video_paths))
glue("n_subjects", len(data.subjects))
sizes = pd.DataFrame({s: {r: data.n_voxels(s, r) for r in rois} for s in data.subjects})
glue("n_voxels_total", int(sizes.to_numpy().sum()))
glue("table_sizes", sizes)
sizes

# %% [markdown]
# {glue:text}`n_videos` videos ({glue:text}`n_train` with responses), {glue:text}`n_subjects` subjects,
# {glue:text}`n_voxels_total` voxels over all subjects and ROIs (voxels per ROI and subject in the table).
#
# ## Noise ceilings
#
# Per voxel, the split-half reliability of the 3 training repetitions with the Spearman–Brown correction
# (`split_half_noise_ceiling`), i.e. the fraction of reproducible variance of the 3-repeat mean; its square
# root bounds the Pearson r any model can reach. In the simulation the planted value is known
# (`ncsnr²/(ncsnr² + 1/3)`), so the estimate can be checked: mean absolute difference per ROI
# {glue:text}`nc_error:.3f`.

# %%
rows = []
gt = None
if data.simulated:
    from neurokit.sim.brain import load_ground_truth

    gt = load_ground_truth(root)
for s in data.subjects:
    for r in rois:
        rel = split_half_noise_ceiling(data.responses[s][r], rng=seed)
        row = {"subject": s, "roi": r, "estimated": float(np.mean(rel)),
               "ceiling_r": float(np.mean(np.sqrt(np.clip(rel, 0, None))))}
        if gt is not None:
            row["planted"] = float(np.mean(gt.get(s, r, "nc_n3")))
        rows.append(row)
nc = pd.DataFrame(rows)
per_roi = nc.groupby("roi", sort=False).mean(numeric_only=True).reindex(rois)
glue("nc_error", float((per_roi["estimated"] - per_roi["planted"]).abs().mean()) if gt is not None else float("nan"))
glue("table_nc", per_roi.round(3))
per_roi.round(3)

# %%
fig = plot_roi_values(per_roi["ceiling_r"].to_dict(), title="noise ceiling (r)")
glue("fig_rois", fig)

# %% [markdown]
# ```{glue:figure} fig_rois
# :name: fig-enc-rois
# The nine ROIs on nilearn's MNI152 template, coloured by the mean noise ceiling in r (square root of the
# split-half reliability). Marker positions are **approximate, literature-typical MNI coordinates for display
# only** (the simulation's voxels live on a pseudo-anatomical grid, and nilearn ships no visual-area atlas).
# {glue:text}`data_label`.
# ```
#
# ## Dynamic and static ROIs, planted connectivity

# %%
if gt is not None:
    order = [list(gt.rois).index(r) for r in rois]
    planted = np.asarray(gt.connectivity)[np.ix_(order, order)]
    truth = pd.DataFrame({"motion share": [gt.model["motion_share"][r] for r in rois],
                          "dynamic": [r in gt.dynamic_rois for r in rois]}, index=rois)
    glue("table_truth", truth)
    glue("dynamic_rois", ", ".join(r for r in rois if r in gt.dynamic_rois))
    glue("static_rois", ", ".join(r for r in rois if r not in gt.dynamic_rois))
    fig = plot_region_graph(planted, rois, title="planted coupling")
else:
    planted = None
    glue("dynamic_rois", "n/a (real data)")
    glue("static_rois", "n/a (real data)")
    fig = plot_region_graph(np.zeros((len(rois), len(rois))), rois, title="no ground truth on real data")
glue("fig_planted", fig)

# %% [markdown]
# Dynamic by construction: {glue:text}`dynamic_rois`; static: {glue:text}`static_rois`.
#
# ```{glue:figure} fig_planted
# :name: fig-enc-planted
# The planted inter-region connectivity (edges drawn undirected; positions approximate, for display only).
# {glue:text}`data_label`.
# ```
