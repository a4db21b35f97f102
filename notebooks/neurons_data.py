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
#     datasets: [cc2017]
#     timeout: 600
# ---

# %% [markdown]
# # NEURONS 1: the cc2017 data, its subtask labels and a simulated visual cortex
#
# NEURONS (Wang et al., ICCV 2025) reconstructs 2-s video clips from fMRI of the cc2017 data set (Wen et al.
# 2018: 3 subjects, 18 training movie segments seen twice, 5 test segments seen ten times, TR 2 s). Besides the
# video it decodes four *subtasks* from the same brain features: the key object's segmentation masks, the
# concepts present (51 multi-hot classes), a scene description (caption), and a blurry video. The paper argues
# that this decomposition mirrors the functional specialisation of visual cortex. This chapter shows the data in
# the tensor layout the authors' code consumes, how the subtask labels are built, and the simulated cortex of the
# `smoke` and `embedded` profiles, in which every subtask has a known source.
#
# ```{admonition} Data card: cc2017 (NEURONS layout)
# * **Real data**: `gongzx/cc2017_dataset` (NeuroClips' preprocessed tensors) plus NEURONS' annotations
#   (`McGregorW/NEURONS`), manifest `data_manifests/cc2017.yaml`; used only by the `paper` profile.
# * **Files**: `subj0{s}_train_fmri.pt` (N, 2, V), `subj0{s}_test_fmri.pt` (M, 10, V) averaged over repetitions at
#   load time, `GT_{train,test}_3fps.pt` (N, 6, 3, H, W) in [0, 1], captions, concept multi-hot labels, key-object
#   masks (N, 6, H, W) and their categories.
# * **Real sizes**: 4320 training and 1200 test clips per subject, 224-px frames, 13,447 / 14,828 / 9,114 voxels.
# * **Simulated here** (`smoke`, `embedded`): clips of the procedural video world; three subjects whose voxels lie
#   in nine visual areas (V1, V2, V3, V4, MT, LOC, EBA, FFA, PPA) plus voxels outside them, each area reading known
#   features of the clip (below); repetition noise; no haemodynamic lag, as in NEURONS' code. The real data have
#   no ROI labels in this layout: the areas exist only in the simulation's truth file.
# ```

# %% tags=["parameters"]
profile = "embedded"
subject = 1
n_show = 6
seed = 0

# %%
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from neurokit.book import glue, glue_profile
from neurokit.catalog import cc2017
from neurokit.data.cc2017 import load_cc2017
from neurokit.plotting import set_style
from neurokit.sim.cc2017 import GROUPS, ROI_ROLES, SUBTASK_GROUPS
from neurokit.studies.neurons import figures

set_style()
label = glue_profile(profile)
root = cc2017.ensure(profile, seed=seed)
data = load_cc2017(root, subject)
subjects = sorted(int(p.name[5]) for p in root.glob("subj0*_train_fmri.pt"))
voxels = {s: int(torch.load(root / f"subj0{s}_test_fmri.pt", weights_only=True).shape[-1]) for s in subjects}

# %%
glue("n_train", len(data.train_fmri))
glue("n_test", len(data.test_fmri))
glue("n_subjects", len(subjects))
glue("n_voxels", data.n_voxels)
glue("voxels_text", " / ".join(f"{v:,}" for v in voxels.values()))
glue("frame_px", data.frame_size)
glue("n_concepts", len(data.concept_names))

# %% [markdown]
# {glue:text}`n_subjects` simulated subjects with {glue:text}`voxels_text` voxels; {glue:text}`n_train` training clips
# (two repetitions each), {glue:text}`n_test` test clips (ten repetitions, averaged), {glue:text}`frame_px`-px
# frames, {glue:text}`n_concepts` concept classes.
#
# ## Clips, key-object masks and captions

# %%
glue("fig_neurons_clips", figures.clips(data, n_show))

# %% [markdown]
# ```{glue:figure} fig_neurons_clips
# :name: fig-neurons-clips
#
# Training clips (rows: 6 frames at 3 fps) with the key-object mask outlined in white, the key object's category at
# the left and the template caption above ({glue:text}`data_label`).
# ```
#
# ## How the labels are made
#
# The key object follows NEURONS' rule (`tasks_construction/find_key_obj.py`, implemented as
# `neurokit.sim.cc2017.find_key_object`): per category, the centroid displacement summed over consecutive frames,
# doubled for people and animals; a priority class wins if present, otherwise the fastest class whose last-seen
# area is below half the frame. The simulated world also knows its own "key object" (the largest object), so we
# can measure how often the published rule agrees with it.

# %%
info = json.loads((root / "key_objects_info_train.json").read_text())
glue("key_rule_agreement", float(np.mean([v["category"] == v["world_key_class"] for v in info.values()])))
glue("fig_neurons_concepts", figures.concept_prevalence(data))

# %% [markdown]
# The rule picks the world's key object in {glue:text}`key_rule_agreement:.1%` of the training clips; the rest are
# clips where a smaller person or animal moves more than the large key object (the priority rule at work).
#
# ```{glue:figure} fig_neurons_concepts
# :name: fig-neurons-concepts
#
# Prevalence of each concept label (objects visible in the clip, and the scene) in the training split
# ({glue:text}`data_label`).
# ```
#
# ## A simulated visual cortex with known roles
# Each clip is summarised by feature groups, each a known function of its pixels, masks and labels: the **image**
# (the time-averaged frame on an 8×8 grid in luminance, red–green and blue–yellow channels), **motion** (the key
# object's velocity, the camera pan, a 4×4 motion-energy map), the key object's **colour**, the **objects** present,
# the key object's **layout** (mask on a 4×4 grid, centroid, area), **body** and **face**-bearing (animate) classes,
# and the **scene**. Every visual area reads a planted mixture of groups: V1–V3 and V4 through population receptive
# fields on the image grid (Dumoulin & Wandell 2008), wider up the hierarchy; MT motion; LOC objects and layout;
# EBA bodies; FFA animate classes; PPA scenes. A group's share is the fraction of a voxel's signal variance it
# supplies; voxels outside the areas carry noise only. Each NEURONS subtask depends on known groups (right), so
# the importance of each voxel for each subtask is known: the decoding chapter compares it with what the trained
# heads use.

# %%
roles = pd.DataFrame([[ROI_ROLES[r].get(g, 0.0) for g in GROUPS] for r in ROI_ROLES], index=list(ROI_ROLES),
                     columns=list(GROUPS))
targets = pd.DataFrame([[float(g in SUBTASK_GROUPS[h]) for g in GROUPS] for h in SUBTASK_GROUPS],
                       index=[figures.HEAD_NAMES[h] for h in SUBTASK_GROUPS], columns=list(GROUPS))
truth = torch.load(root / "sim_truth.pt", weights_only=True)
roi_counts = pd.Series(truth[f"subj0{subject}"]["roi"]).value_counts()
glue("n_other_voxels", int(roi_counts.get("other", 0)))
glue("fig_neurons_roles", figures.planted_roles(roles, targets), data=roles)

# %% [markdown]
# ```{glue:figure} fig_neurons_roles
# :name: fig-neurons-roles
#
# Left: the planted roles, the share of each area's signal variance supplied by each feature group. Right: the groups
# each subtask's target depends on. The {glue:text}`n_subjects` subjects share the roles; voxel counts,
# receptive-field centres and read-out weights differ per subject ({glue:text}`n_other_voxels` of subject 1's
# voxels lie outside the areas) ({glue:text}`data_label`).
# ```
#
# ## How reliable is the fMRI?
# cc2017's voxels are selected by test–retest reproducibility. Here the same check: the correlation between the two
# training repetitions of each voxel, by area.

# %%
tr = data.train_fmri
r_rep = np.array([np.corrcoef(tr[:, 0, v], tr[:, 1, v])[0, 1] for v in range(data.n_voxels)])
roi = np.asarray(truth[f"subj0{subject}"]["roi"])
glue("median_rep_r", float(np.median(r_rep[roi != "other"])))
glue("median_rep_r_other", float(np.median(r_rep[roi == "other"])))
glue("fig_neurons_reliability", figures.reliability(r_rep, roi))

# %% [markdown]
# ```{glue:figure} fig_neurons_reliability
# :name: fig-neurons-reliability
#
# Test–retest correlation of each voxel of subject 1 across the two training repetitions, by area (median
# {glue:text}`median_rep_r:.2f` inside the areas, {glue:text}`median_rep_r_other:.2f` outside: the noise-only voxels
# that the real data set's selection would remove) ({glue:text}`data_label`).
# ```
#
# ## Is the coarse image in early visual cortex, as planted?
# The blurry-video subtask can only succeed if the responses carry the coarse colour and layout of the frames. A
# linear read-out (ridge, fitted on the training clips, scored on the test clips) from each area's voxels predicts
# the 8×8 colour image; the score is the pixel correlation of each test clip's prediction with its own image,
# against another clip's image (a fixed derangement of the test clips: the shuffled-fMRI control).

# %%
from sklearn.linear_model import Ridge


def _pool(x, g=8):
    n, f, c, h, w = x.shape
    return x.mean(1).reshape(n, c, g, h // g, g, w // g).mean((3, 5)).reshape(n, -1)


m_test = len(data.test_fmri)
shuffle = np.roll(np.arange(m_test), 1 + m_test // 3)
y_tr, y_te = _pool(data.train_frames), _pool(data.test_frames)
rows = []
for name, areas in (("V1–V3", ("V1", "V2", "V3")), ("V4", ("V4",)), ("MT", ("MT",)), ("LOC, EBA, FFA", ("LOC", "EBA", "FFA")),
                    ("PPA", ("PPA",)), ("outside the areas", ("other",))):
    sel = np.isin(roi, areas)
    pred = Ridge(alpha=100.0).fit(data.train_fmri.mean(1)[:, sel], y_tr).predict(data.test_fmri[:, sel])
    own = np.mean([np.corrcoef(pred[i], y_te[i])[0, 1] for i in range(m_test)])
    other = np.mean([np.corrcoef(pred[i], y_te[shuffle[i]])[0, 1] for i in range(m_test)])
    rows.append((name, int(sel.sum()), own, other))
readout = pd.DataFrame(rows, columns=["voxels from", "voxels", "pixel r (own clip)", "pixel r (another clip)"])
glue("readout_early", float(readout.iloc[0, 2]))
glue("readout_early_shuffled", float(readout.iloc[0, 3]))
glue("readout_other", float(readout.iloc[-1, 2]))
glue("tab_neurons_readout", readout.round(3))

# %% [markdown]
# ```{glue:figure} tab_neurons_readout
# :name: tab-neurons-readout
#
# Linear read-out of the 8×8 colour image of each test clip from the voxels of each area (subject 1)
# ({glue:text}`data_label`).
# ```
#
# From V1–V3 the coarse image is recovered with a pixel correlation of {glue:text}`readout_early:.2f` (another clip's
# image: {glue:text}`readout_early_shuffled:.2f`); from the voxels outside the areas,
# {glue:text}`readout_other:.2f`. Higher areas predict part of the image too, through the scene and the object
# colour, which fill most of a frame. The information is there; whether the NEURONS pipeline extracts it, and from
# which voxels, is the next chapter's question.
