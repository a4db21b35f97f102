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
#     timeout: 1800
# ---

# %% [markdown]
# # Part I.3: layer profiles and simulated targets
#
# Before trusting "video models explain region X better", Gamal et al. (Fig. 2, after Han, Poggio & Cheung 2023)
# replace the brain by a **known network**: the block outputs of MViT-B, ViT-B, ResNet-50 or I3D-R50 become the
# "voxels", every other model is regressed onto each block, and one asks whether the correct family (video for
# MViT-B and I3D-R50, image for ViT-B and ResNet-50) wins. Here each target block is reduced to
# `n_target_components` principal components; the target model is **excluded from the source pool** (our rule;
# the paper does not say); each source enters with its best block chosen by inner CV; Welch's t-test image vs
# video per target block, FDR over the table. Stimuli: the training clips of the Algonauts set of this profile.

# %% tags=["parameters"]
profile = "embedded"
seed = 0
targets = ["mvit_b_16x4.k400", "vit_b16.augreg_in1k", "resnet50.tv_in1k", "i3d_r50_8x8.k400"]
sources = ["resnet50.tv_in1k", "efficientnet_lite0.in1k", "vit_b16.augreg_in1k", "dino_vit_b16.in1k",
           "x3d_xs.k400", "i3d_r50_8x8.k400", "slowfast_r50_8x8.k400", "mvit_b_16x4.k400"]
n_clips = 0
n_folds = 4
test_fraction = 0.1
inner_cv = 5
n_components = 100
n_target_components = 20

# %%
import time

import numpy as np
import pandas as pd

from neurokit.book import glue, glue_profile
from neurokit.studies.encoding import (
    family_labels, family_tests, load_inputs, paper_values, target_experiment,
)
from neurokit.plotting import set_style

t_start = time.time()
set_style()
label = glue_profile(profile)
everyone = list(dict.fromkeys(list(targets) + list(sources)))
inputs = load_inputs(profile, everyone, seed=seed, n_clips=n_clips, n_folds=n_folds, test_fraction=test_fraction)
data, n, folds, weights, feats = inputs.data, inputs.n, inputs.folds, inputs.weights, inputs.features
labels = family_labels(everyone)
labels

# %%
runs = [target_experiment(t, {m: feats[m] for m in dict.fromkeys([t] + list(sources))}, folds,
                          n_target_components=n_target_components, inner_cv=inner_cv, n_components=n_components,
                          seed=seed) for t in targets]
scores = pd.concat(runs, ignore_index=True)
rows = []
for t, g in scores.groupby("target", sort=False):
    res = family_tests(g[["model", "roi", "r"]], labels, contrasts=["modality"])
    res.insert(0, "target", t)
    rows.append(res)
tests = pd.concat(rows, ignore_index=True)
truth = dict(zip(labels.model, labels.modality))
tests["correct family"] = tests["target"].map(truth)
tests["winner"] = np.where(tests["mean_b"] > tests["mean_a"], "video", "image")
tests["correct wins"] = tests["winner"] == tests["correct family"]
glue("n_blocks", len(tests))
glue("n_correct", int(tests["correct wins"].sum()))
glue("n_correct_sig", int((tests["correct wins"] & (tests["p"] < 0.05)).sum()))
glue("table_targets", tests.round(4))
tests[["target", "roi", "mean_a", "mean_b", "p", "mark", "p_fdr", "correct family", "winner"]].round(3)

# %% [markdown]
# The correct family wins in {glue:text}`n_correct` of {glue:text}`n_blocks` target blocks
# ({glue:text}`n_correct_sig` with p < 0.05). The paper's digitised Fig. 2 (image / video means per block):

# %%
p2 = paper_values.fig2_targets()
glue("table_fig2_paper", p2)
p2

# %%
import matplotlib.pyplot as plt

from neurokit.plotting import FAMILY_COLORS, PAGE_WIDTH

paper_key = {"mvit": "mvit_b", "vit_b16": "vit_b", "resnet50": "resnet50", "i3d": "i3d_r50"}
fig, axes = plt.subplots(1, len(targets), figsize=(PAGE_WIDTH, 2.4), sharey=True)
for ax, t in zip(np.atleast_1d(axes), targets):
    g = tests[tests.target == t]
    x = np.arange(len(g))
    ax.plot(x, g.mean_a, "o-", color=FAMILY_COLORS["image"], label="image (run)")
    ax.plot(x, g.mean_b, "o-", color=FAMILY_COLORS["video"], label="video (run)")
    key = next((v for k, v in paper_key.items() if t.startswith(k)), None)
    if key is not None:
        pp = p2[p2.target == key]
        ax.plot(np.arange(len(pp)), pp.image, "s--", color=FAMILY_COLORS["image"], alpha=0.5, label="image (paper)")
        ax.plot(np.arange(len(pp)), pp.video, "s--", color=FAMILY_COLORS["video"], alpha=0.5, label="video (paper)")
    ax.set_title(t.split(".")[0], fontsize=8)
    ax.set_xticks(x, g.roi, fontsize=6)
np.atleast_1d(axes)[0].set_ylabel("Pearson r")
np.atleast_1d(axes)[-1].legend(fontsize=6)
fig.tight_layout()
glue("fig_2", fig)

# %% [markdown]
# ```{glue:figure} fig_2
# :name: fig-enc-2
# Family means per target block: this run (solid) and the paper's digitised Fig. 2 (dashed). The target is
# never among the sources. {glue:text}`data_label`.
# ```

# %%
glue("elapsed_s", time.time() - t_start)
