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
# # NEURONS 1: the cc2017 data and its subtask labels
#
# NEURONS (Wang et al., ICCV 2025) reconstructs 2-s video clips from fMRI of the cc2017 data set (Wen et al.
# 2018: 3 subjects, 18 training movie segments seen twice, 5 test segments seen ten times, TR 2 s). Besides the
# video it decodes four *subtasks* from the same brain features: the key object's segmentation masks, the
# concepts present (51 multi-hot classes), a scene description (caption), and a blurry video. This chapter
# shows the data in the tensor layout the authors' code consumes and how the subtask labels are built.
#
# ```{admonition} Data card: cc2017 (NEURONS layout)
# * **Real data**: `gongzx/cc2017_dataset` (NeuroClips' preprocessed tensors) plus NEURONS' annotations
#   (`McGregorW/NEURONS`), manifest `data_manifests/cc2017.yaml`; used only by the `paper` profile.
# * **Files**: `subj0{s}_train_fmri.pt` (N, 2, V), `subj0{s}_test_fmri.pt` (M, 10, V) averaged over repetitions at
#   load time, `GT_{train,test}_3fps.pt` (N, 6, 3, H, W) in [0, 1], captions, concept multi-hot labels, key-object
#   masks (N, 6, H, W) and their categories.
# * **Real sizes**: 4320 training and 1200 test clips per subject, 224-px frames, 13,447 / 14,828 / 9,114 voxels.
# * **Simulated here** (`smoke`, `embedded`): clips of the procedural video world, fMRI = a known linear read-out of
#   each clip's latent description (classes, scene, key-object position, motion and size, the key-object
#   mask and the colour layout on a 4×4 grid) plus repetition noise; a share of voxels carries noise only. No
#   haemodynamic lag, as in NEURONS' code.
# ```

# %% tags=["parameters"]
profile = "embedded"
subject = 1
n_show = 6
seed = 0

# %%
import numpy as np
import matplotlib.pyplot as plt

from neurokit.book import glue, glue_profile
from neurokit.catalog import cc2017
from neurokit.data.cc2017 import load_cc2017
from neurokit.plotting import row_caption, set_style, tight_grid

set_style()
label = glue_profile(profile)
root = cc2017.ensure(profile, seed=seed)
data = load_cc2017(root, subject)
data

# %%
glue("n_train", len(data.train_fmri))
glue("n_test", len(data.test_fmri))
glue("n_voxels", data.n_voxels)
glue("frame_px", data.frame_size)
glue("n_concepts", len(data.concept_names))

# %% [markdown]
# Subject {glue:text}`profile`-profile data: {glue:text}`n_train` training clips (two repetitions each),
# {glue:text}`n_test` test clips (ten repetitions, averaged), {glue:text}`n_voxels` voxels,
# {glue:text}`frame_px`-px frames, {glue:text}`n_concepts` concept classes.
#
# ## Clips, key-object masks and captions

# %%
fig, axes = plt.subplots(2 * n_show // 2, 6, figsize=(7.0, 1.25 * n_show))
for r in range(n_show):
    i = r
    for f in range(6):
        ax = axes[r, f]
        ax.imshow(np.moveaxis(data.train_frames[i, f], 0, -1))
        ax.contour(data.train_masks[i, f], levels=[0.5], colors="white", linewidths=0.8)
        ax.set_xticks([]); ax.set_yticks([])
    axes[r, 0].set_ylabel(data.train_key_class[i], fontsize=7)
    row_caption(axes[r, 0], data.train_captions[i][:110])
tight_grid(fig)
glue("fig_neurons_clips", fig)

# %% [markdown]
# ```{glue:figure} fig_neurons_clips
# :name: fig-neurons-clips
#
# Six training clips (rows: 6 frames at 3 fps) with the key-object mask outlined in white, the key object's
# category at the left and the template caption above ({glue:text}`data_label`).
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
import json

info = json.loads((root / "key_objects_info_train.json").read_text())
agree = np.mean([v["category"] == v["world_key_class"] for v in info.values()])
glue("key_rule_agreement", float(agree))
concept_rate = data.train_concepts.mean(0)
fig, ax = plt.subplots(figsize=(7.0, 2.4))
ax.bar(range(len(concept_rate)), concept_rate)
ax.set_xticks(range(len(concept_rate)), data.concept_names, rotation=60, ha="right", fontsize=7)
ax.set_ylabel("share of clips")
fig.tight_layout()
glue("fig_neurons_concepts", fig)

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
# ## The fMRI: how reliable is it?
# cc2017's voxels are selected by test–retest reproducibility. Here the same check: the correlation between the two
# training repetitions per voxel, and between the test average and a held-out single repetition.

# %%
tr = data.train_fmri
r_rep = np.array([np.corrcoef(tr[:, 0, v], tr[:, 1, v])[0, 1] for v in range(data.n_voxels)])
glue("median_rep_r", float(np.median(r_rep)))
glue("share_reliable", float(np.mean(r_rep > 0.1)))
fig, ax = plt.subplots(figsize=(4.5, 2.6))
ax.hist(r_rep, bins=40)
ax.set(xlabel="repetition 1 vs 2 correlation", ylabel="voxels")
fig.tight_layout()
glue("fig_neurons_reliability", fig)

# %% [markdown]
# ```{glue:figure} fig_neurons_reliability
# :name: fig-neurons-reliability
#
# Test–retest correlation of each voxel across the two training repetitions (median
# {glue:text}`median_rep_r:.2f`; {glue:text}`share_reliable:.0%` above 0.1). The mode near zero is the simulated
# noise-only voxels that the real data set's selection would remove ({glue:text}`data_label`).
# ```
#
# ## What the simulated fMRI says about *where* the key object is and about the coarse image
# The segmentation and blurry-video subtasks can only beat chance if the responses depend on the key object's
# position and size and on the low-frequency content of the frames. The simulation plants both: the latent
# description behind every voxel includes the key-object mask and the clip's mean colour layout on a 4×4 grid
# (with the object's centroid, motion and area), the coarse retinotopic information that early visual cortex
# carries. A linear read-out (ridge, fitted on the training clips, scored on the test clips) checks that the planted
# information survives the noise, before any network is trained.

# %%
from sklearn.linear_model import Ridge


def _pool(x, g=4):
    n, f, *rest = x.shape
    x = x.reshape(n, f, *rest[:-2], g, rest[-2] // g, g, rest[-1] // g).mean((-1, -3))
    return x.mean(1).reshape(n, -1)


m_test = len(data.test_fmri)
shuffle = np.roll(np.arange(m_test), 1 + m_test // 3)
ridge_mask = Ridge(alpha=10.0).fit(data.train_fmri.mean(1), _pool(data.train_masks.astype(np.float32)))
pm = ridge_mask.predict(data.test_fmri)
gm = _pool(data.test_masks.astype(np.float32))
mask_r = float(np.mean([np.corrcoef(pm[i], gm[i])[0, 1] for i in range(m_test) if gm[i].std() > 0]))
mask_r_chance = float(np.mean([np.corrcoef(pm[i], gm[shuffle[i]])[0, 1] for i in range(m_test)
                               if gm[shuffle[i]].std() > 0]))
ridge_col = Ridge(alpha=10.0).fit(data.train_fmri.mean(1), _pool(data.train_frames))
pc, gc = ridge_col.predict(data.test_fmri), _pool(data.test_frames)
col_r = float(np.mean([np.corrcoef(pc[:, j], gc[:, j])[0, 1] for j in range(gc.shape[1])]))
glue("where_mask_r", mask_r)
glue("where_mask_r_chance", mask_r_chance)
glue("layout_colour_r", col_r)
{"mask layout r (own clip)": round(mask_r, 3), "(another clip)": round(mask_r_chance, 3),
 "4×4 colour layout r": round(col_r, 3)}

# %% [markdown]
# Decoded linearly from the test fMRI, the 4×4 key-object layout correlates {glue:text}`where_mask_r:.2f` with the
# clip's own layout and {glue:text}`where_mask_r_chance:.2f` with another clip's, and the 4×4 colour layout is
# recovered with a mean correlation of {glue:text}`layout_colour_r:.2f` across its cells ({glue:text}`data_label`).
# The information is there; whether the NEURONS pipeline extracts it is the next chapter's question.
