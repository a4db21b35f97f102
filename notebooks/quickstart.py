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
# # Quickstart: an encoding model in five minutes
#
# An *encoding model* predicts each voxel's response to a stimulus from features of that stimulus. Here the
# whole loop runs on a small simulated data set whose true weights are known: we draw stimulus features,
# plant a linear mapping to voxels, add noise, fit one ridge regression per voxel with a cross-validated
# penalty, and check on held-out stimuli how well responses are predicted and how well the planted weights are
# recovered. Change the parameters below (or run `neurokit run quickstart -p noise=2.0`) and watch the numbers
# in the text follow.

# %% tags=["parameters"]
profile = "embedded"
n_train = 600  # at least 10; training stimuli
n_test = 200  # at least 3; held-out stimuli
n_features = 40  # at least 1; stimulus features
n_voxels = 300  # at least 5; simulated voxels (20 % of them pure noise)
noise = 1.0  # in [0, 100]; noise s.d. in units of the signal's
seed = 0  # at least 0

# %%
import numpy as np
import matplotlib.pyplot as plt

from neurokit.book import glue, glue_profile
from neurokit.plotting import set_style
from neurokit.regression import RidgeCV
from neurokit.stats import pearsonr

set_style()
glue_profile(profile)
rng = np.random.default_rng(seed)

# %% [markdown]
# ## A simulated experiment
# Stimulus features have a decaying spectrum (as DNN activations do); each voxel mixes them through planted
# weights $W$ and adds Gaussian noise of standard deviation `noise` (in units of the signal's):
#
# $$ y_v = X w_v + \varepsilon_v, \qquad \varepsilon_v \sim \mathcal{N}(0, \sigma^2\,\mathrm{Var}(X w_v)). $$

# %%
n = n_train + n_test
spectrum = 1.0 / np.arange(1, n_features + 1) ** 0.5
X = rng.standard_normal((n, n_features)) * spectrum
W = rng.standard_normal((n_features, n_voxels)) * (rng.random(n_voxels) < 0.8)  # 20 % pure-noise voxels
signal = X @ W
scale = signal.std(axis=0, keepdims=True)
scale[scale == 0] = 1.0
Y = signal + noise * scale * rng.standard_normal((n, n_voxels))
X_train, X_test, Y_train, Y_test = X[:n_train], X[n_train:], Y[:n_train], Y[n_train:]

# %% [markdown]
# ## Fit: ridge regression with one penalty per voxel
# `neurokit.regression.RidgeCV` picks each voxel's penalty by 5-fold cross-validation on the training stimuli
# and refits on all of them; the test stimuli are touched only for scoring.

# %%
model = RidgeCV(alphas=np.logspace(-2, 5, 15), cv=5).fit(X_train, Y_train)
r_test = pearsonr(Y_test, model.predict(X_test))
# the best possible r given the planted noise: corr(signal, signal + noise) = 1 / sqrt(1 + noise²)
ceiling = 1.0 / np.sqrt(1.0 + noise**2)
driven = W.any(axis=0)
weight_r = np.array([np.corrcoef(model.coef_[v], W[:, v])[0, 1] for v in np.flatnonzero(driven)])

glue("mean_r", float(np.mean(r_test[driven])))
glue("ceiling", float(ceiling))
glue("noise_voxels_r", float(np.mean(r_test[~driven])))
glue("weight_recovery", float(np.median(weight_r)))
glue("n_voxels", int(n_voxels))

# %% [markdown]
# On the {glue:text}`n_voxels` simulated voxels, the driven voxels are predicted on held-out stimuli with a mean
# Pearson $r$ of **{glue:text}`mean_r:.3f`**, against a ceiling of {glue:text}`ceiling:.3f` set by the planted
# noise; pure-noise voxels stay at $r$ = {glue:text}`noise_voxels_r:.3f`. The fitted weights correlate with the
# planted ones at a median $r$ of {glue:text}`weight_recovery:.3f` across voxels.

# %%
fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.0))
axes[0].hist([r_test[driven], r_test[~driven]], bins=30, stacked=True, label=["driven voxels", "noise voxels"])
axes[0].axvline(ceiling, color="black", ls="--", lw=1, label="noise ceiling")
axes[0].set(xlabel="test Pearson r", ylabel="voxels")
axes[0].legend(fontsize=7)
v = int(np.flatnonzero(driven)[0])
axes[1].scatter(W[:, v], model.coef_[v], s=12)
axes[1].set(xlabel="planted weight", ylabel="recovered weight", title=f"voxel {v}")
lim = np.abs(W[:, v]).max() * 1.1
axes[1].plot([-lim, lim], [-lim, lim], color="grey", lw=0.8)
fig.tight_layout()
glue("fig_quickstart", fig)

# %% [markdown]
# ```{glue:figure} fig_quickstart
# :name: fig-quickstart
#
# Left: held-out prediction accuracy per voxel, with the ceiling implied by the planted noise (dashed).
# Right: recovered vs planted weights of one voxel. ({glue:text}`data_label`.)
# ```
#
# {numref}`fig-quickstart` is what every later chapter does at scale: Part I fits such models for dozens of
# networks, layer by layer, onto nine visual regions.
