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
#     datasets: [vist_retina]
#     timeout: 600
# ---

# %% [markdown]
# # Vi-ST 1: the retina data (simulated population with known receptive fields)
#
# Vi-ST (Wu, Zhou, Yin & Liu, ECCV 2024) predicts the firing rates of salamander retinal ganglion cells (RGCs)
# watching natural movies from frozen DINOv2 features of the frames. This chapter shows the data in the layout
# the authors' code reads, and the simulated retina that stands in for it in the `smoke` and `embedded` profiles.
#
# ```{admonition} Data card: vist_retina (Vi-ST layout)
# * **Real data** (`paper` profile): Onken et al. 2017 (Dryad doi 10.5061/dryad.4ch10), 90 RGCs recorded on a
#   multi-electrode array, natural movies at 30 Hz, 360×360 px; movie 1 = 1800 frames, movie 2 = 1600 frames.
#   The authors' preprocessing script is not published; their code expects `MOVIE01_zarr` and `MOVIE03_zarr`
#   (the paper's "movie 2" is `MOVIE03`) with `spike_avg (frames, cells)`, `dinov2_feats_0 (frames, 256, 1024)`,
#   `rf_to_dinov2 (cells, 16, 16)` and the attributes `split_train` / `split_test`. Manifest
#   `data_manifests/vist_retina.yaml`.
# * **Simulated here** (`neurokit.sim.retina`): RGCs of three types with known spatio-temporal receptive
#   fields (RFs) — linear ON and OFF cells (difference-of-Gaussians × biphasic temporal filter) and ON-OFF cells
#   that sum full-wave-rectified local-contrast subunits with contrast gain control (nonlinear spatial
#   integration: near-zero linear white-noise STA, although a linear model still picks up part of their response
#   to the movies' luminance transients) — a softplus nonlinearity and Poisson spikes with repeated trials.
#   **Movie 1** (1800 frames) shows scenes of a procedural world (textured objects moving over textured
#   backgrounds, camera pans); its second half continues the first half's scenes, so the within-movie split into
#   halves conserves pixel context, as the authors' within-movie protocol does. **Movie 2** (1600 frames) comes
#   at three rungs of a context-shift ladder: another draw of the same world, new objects and textures with the
#   same statistics, and a change of stimulus class (drifting 1/f² noise textures with global contrast
#   flicker). Tokens come from a **stand-in** for DINOv2: pixel patches on the 16×16
#   grid (each token = its patch's pixels as contrast, the patch mean and its local contrast energy), a
#   transparent version of DINOv2's linear patch embedding without the pretrained transformer (random-init CNN in
#   `smoke`; ImageNet EfficientNet-Lite0 in the full-size `paper` simulation). RF maps come from a simulated
#   white-noise experiment (spike-triggered averages), as such maps are usually made.
# * **What it can show**: whether the pipeline recovers structure that is known to be there (RFs, the
#   within- vs cross-movie gap as the test movie moves away from the training scenes, rung by rung; whether rich
#   features help for nonlinear cells — Vi-ST 3 reports what this build finds). **What it cannot show**: anything
#   about real salamander RGCs or about DINOv2 itself.
# ```

# %% tags=["parameters"]
profile = "embedded"
seed = 0
n_show_cells = 6

# %%
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from neurokit.book import glue, glue_profile
from neurokit.catalog import retina as retina_data
from neurokit.data.retina import load_truth, noise_ceiling_cc
from neurokit.plotting import set_style
from neurokit.stats.rf import rf_agreement, true_rf_on_grid
from neurokit.studies.vist.stimuli import ladder_statistics, read_movies

set_style()
label = glue_profile(profile)
root = retina_data.ensure(profile, seed=seed)
m1, cross = read_movies(root)
m2 = cross["MOVIE03"]
card = json.loads((root / "card.json").read_text()) if (root / "card.json").exists() else {}
simulated = m1.rate_true is not None

# %%
glue("n_cells", m1.n_cells)
glue("n_frames_1", m1.n_frames)
glue("n_frames_2", m2.n_frames)
glue("feat_dim", int(m1.features.shape[-1]))
glue("extractor", str(m1.attrs.get("feature_extractor", "dinov2 (paper)")))
pd.DataFrame({
    "movie (code name)": [m1.movie, *cross], "paper name": ["movie 1", *(["movie 2"] * len(cross))],
    "ladder rung": [m1.attrs.get("ladder_rung", "movie 1"),
                    *[d.attrs.get("ladder_rung", "movie 2") for d in cross.values()]],
    "frames": [m1.n_frames, *[d.n_frames for d in cross.values()]],
    "cells": [m1.n_cells, *[d.n_cells for d in cross.values()]],
    "features": [str(m1.features.shape[1:]), *[str(d.features.shape[1:]) for d in cross.values()]],
    "split_train / split_test": [f"{len(d.split_train)} / {len(d.split_test)}" for d in (m1, *cross.values())],
}).set_index("movie (code name)")

# %% [markdown]
# The {glue:text}`profile` data set has {glue:text}`n_cells` cells, {glue:text}`n_frames_1` frames of movie 1 and
# {glue:text}`n_frames_2` of movie 2, and {glue:text}`feat_dim`-d tokens on a 16×16 grid from the extractor
# `{glue:text}`extractor``. The paper has 90 cells, 1800 / 1600 frames and 1024-d DINOv2 ViT-L/14 tokens; the
# embedded population is smaller because Vi-ST's width equals the number of cells and it must train on 2 CPU cores.
#
# ## Movie 1 and the ladder of movie 2
#
# Movie 1 is cut into halves (`split_train` / `split_test`), and its second half shows the next 3 s of the same
# scenes as the first half: the same backgrounds, objects and textures, later in time. Movie 2 comes at three rungs,
# each changing one thing about the stimulus and keeping the pixel mean and RMS contrast of movie 1:
#
# 1. `same_world` (`MOVIE03`, the paper's "movie 2"): another draw of movie 1's world (the same object classes,
#    silhouettes, textures and backgrounds, in new arrangements and trajectories);
# 2. `novel_world` (`MOVIE03_NOVEL`): objects, silhouettes, textures and backgrounds that never occur in movie 1,
#    with its scene structure, object sizes and counts, speeds and camera pans;
# 3. `noise_flicker` (`MOVIE03_NOISE`): a change of stimulus class: drifting, jittering 1/f² noise textures whose
#    contrast flickers globally, no objects.

# %%
show = [(m1, "movie 1"), *[(d, d.attrs.get("ladder_rung", d.movie)) for d in cross.values()]]
fig, axes = plt.subplots(len(show), 6, figsize=(9, 1.55 * len(show)))
for row, (d, name) in enumerate(show):
    for k, t in enumerate(np.linspace(0, d.n_frames - 1, 6).astype(int)):
        axes[row, k].imshow(d.stimulus[t], cmap="gray", vmin=0, vmax=255)
        axes[row, k].set_xticks([]); axes[row, k].set_yticks([])
        axes[row, k].set_title(f"{name} t={t}", fontsize=7)
stats = ladder_statistics(m1, cross, seed=seed)
stats["mean rate (spikes/frame)"] = [m1.spike_avg[m1.split_test].mean(), *[d.spike_avg.mean() for d in cross.values()]]
glue("fig_vist_movies", fig)
glue("ladder_stats", stats)
for lv, row in stats.set_index("level").iterrows():
    glue(f"context_distance_L{lv}", float(row["context distance"]))
glue("n_rungs", int(len(cross)))
stats.round(3)

# %% [markdown]
# ```{glue:figure} fig_vist_movies
# :name: fig-vist-movies
# Frames of movie 1 and of each rung of movie 2 ({glue:text}`data_label`).
# ```
#
# The table measures each test set against movie 1's training half. The pixel mean and RMS contrast are matched
# by construction; the **context distance** is the median distance from a test patch (8 × 8 px, mean removed) to
# its nearest neighbour among the training frames' patches, relative to the same for movie 1's held-out half: it
# is {glue:text}`context_distance_L1:.1f`, {glue:text}`context_distance_L2:.1f` and {glue:text}`context_distance_L3:.1f`
# times the within-movie distance on the three rungs. The noise rung also changes much faster from frame to
# frame (its textures jitter), part of what a change of stimulus class means.
#
# ## The population: true and estimated receptive fields

# %%
if simulated:
    truth = load_truth(root)
    true_grid = true_rf_on_grid(truth["spatial"])
    agree = rf_agreement(m1.rf, true_grid)
    types = truth["types"]
    n = min(n_show_cells, m1.n_cells)
    fig, axes = plt.subplots(3, n, figsize=(1.5 * n, 4.6))
    lim = np.abs(truth["spatial"][:n]).max()
    for c in range(n):
        axes[0, c].imshow(truth["spatial"][c], cmap="RdBu_r", vmin=-lim, vmax=lim)
        axes[0, c].set_title(f"cell {c}\n{types[c]}", fontsize=7)
        axes[1, c].imshow(m1.rf[c], cmap="magma", vmin=0, vmax=1)
        axes[1, c].set_title(f"r = {agree['r'][c]:.2f}", fontsize=7)
        axes[2, c].plot(np.arange(len(truth["temporal"][c])) / 30 * 1000, truth["temporal"][c], color="k")
        axes[2, c].axhline(0, color="0.7", lw=0.5)
        axes[2, c].set_xlabel("lag (ms)", fontsize=7)
        for a in axes[:2, c]:
            a.set_xticks([]); a.set_yticks([])
    axes[0, 0].set_ylabel("true RF\n(pixels)", fontsize=7)
    axes[1, 0].set_ylabel("rf_to_dinov2\n(16×16, est.)", fontsize=7)
    axes[2, 0].set_ylabel("temporal\nfilter", fontsize=7)
    fig.tight_layout()
    glue("fig_vist_rfs", fig)
    tab = pd.DataFrame({"type": types, "RF map r (est. vs true)": agree["r"],
                        "centre error (patches)": agree["com_distance"]}).groupby("type").mean()
    glue("rf_r_linear", float(agree["r"][types != "ONOFF_subunit"].mean()))
    glue("rf_r_subunit", float(agree["r"][types == "ONOFF_subunit"].mean()))
    display(tab.round(3))

# %% [markdown]
# ```{glue:figure} fig_vist_rfs
# :name: fig-vist-rfs
# Top: true spatial RFs (linear cells: signed difference of Gaussians; ON-OFF cells: the envelope of their
# rectified subunits). Middle: the `rf_to_dinov2` maps Vi-ST is conditioned on, estimated from a simulated
# white-noise recording by spike-triggered averaging (energy STA for ON-OFF cells) and compared with the true RF
# pooled to the 16×16 grid (r). Bottom: biphasic temporal filters ({glue:text}`data_label`).
# ```
#
# The estimated maps match the true ones well for linear cells (mean r = {glue:text}`rf_r_linear:.2f`) and less
# well for the ON-OFF subunit cells (mean r = {glue:text}`rf_r_subunit:.2f`), whose linear STA vanishes and whose
# energy STA is noisier — the same difficulty real RF mapping has with nonlinear cells.
#
# ## Responses and the noise ceiling

# %%
if simulated:
    ceil1, ceil2 = noise_ceiling_cc(m1), noise_ceiling_cc(m2)
    glue("ceiling_1", float(np.mean(ceil1)))
    glue("ceiling_2", float(np.mean(ceil2)))
    glue("n_trials", int(m1.spikes.shape[0]))
fig, axes = plt.subplots(3, 1, figsize=(8, 4.5), sharex=True)
tt = np.arange(min(300, m1.n_frames)) / 30
for k, c in enumerate(range(min(3, m1.n_cells))):
    axes[k].plot(tt, m1.spike_avg[: len(tt), c], color="k", lw=0.8, label="spike_avg (trial mean)")
    if simulated:
        axes[k].plot(tt, m1.rate_true[: len(tt), c], color="C3", lw=0.8, label="true rate")
    axes[k].set_ylabel(f"cell {c}", fontsize=8)
axes[0].legend(fontsize=7, loc="upper right")
axes[-1].set_xlabel("time (s), movie 1")
glue("fig_vist_traces", fig)

# %% [markdown]
# ```{glue:figure} fig_vist_traces
# :name: fig-vist-traces
# `spike_avg` (the regression target: spike counts per 1/30-s frame averaged over trials) and the true expected
# rate for three cells ({glue:text}`data_label`).
# ```
#
# With {glue:text}`n_trials` trials the trial average correlates with the true rate at
# CC = {glue:text}`ceiling_1:.2f` (movie 1) and {glue:text}`ceiling_2:.2f` (movie 2), averaged over cells: that is
# the ceiling for any model's CC on these data. How `spike_avg` was computed for the real recording (bin,
# smoothing, normalisation) is not documented by the authors.
