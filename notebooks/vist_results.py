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
#     timeout: 1200
# ---

# %% [markdown]
# # Vi-ST 3: within- and cross-movie results, baselines and ablations
#
# We train Vi-ST and the baselines on the simulated retina and score them with the authors' metrics: CC = mean
# of |r| over cells (the logged `val/corr`), the mean over cells with r > 0 (the prediction export), and SD-KL
# (code wrapper). Protocol of the simulated profiles: train on the first half of movie 1; **within-movie** = the
# second half of movie 1, **cross-movie** = all of movie 2, so one training run gives both numbers and their
# difference is due to the change of movie alone. (The authors' cross-movie runs train on both halves of one
# movie and test on both halves of the other, twice our training frames; their within-movie protocol uses
# halves.)
#
# Baselines are **our reconstructions** (no baseline code was published): "DINOv2+MSTCN" = the same frozen
# features with the 3-D MS-TCN stage and a linear readout; "I3D+MSTCN" = a **random-init, frozen** I3D-style 3-D
# conv stem on the frames (no Kinetics weights offline) with the same head; CRNN after Zheng et al. 2021; and the
# classic LN model (ridge filter on pooled pixels, 15 lags, softplus). "feature ridge" is a diagnostic, not a
# published model: the best *linear* readout (lagged ridge) of the same frozen features Vi-ST gets. All trained
# models use the same loop (AdamW, warm-up + cosine, SWA, BN recompute) and loss.
#
# **Two training budgets in the simulated profiles.** The CPU budget of the embedded build cannot train every
# model with the paper's recipe (1440 steps of 16 × 128 frames on a GPU). Vi-ST itself, the model the headline
# comparison with the LN model is about, gets the *main budget* (`epochs`); the baselines, the ablations and the
# seed check get a shorter *comparison budget* (`comparison_epochs`), and a Vi-ST run at that same budget is their
# reference, so every table compares like with like. The `paper` profile trains everything with the full recipe.

# %% tags=["parameters"]
profile = "embedded"
seed = 0
models = ["vist", "dinov2_mstcn", "i3d_mstcn", "crnn", "ln", "feature_ridge"]
check_seeds = [1]
ablations = ["vist_no_adaln", "vist_no_cmst", "vist_no_sdtw"]
epochs = 30
comparison_epochs = 10
batches_per_epoch = 8
batch_size = 4
window = 64
lr = 2e-3
video_layers = 3
video_dim = 16
standardize = True
torch_threads = 1
n_jobs = 2

# %%
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from neurokit.book import glue, glue_profile
from neurokit.catalog import retina as retina_data
from neurokit.data.retina import load_retina, load_truth, noise_ceiling_cc
from neurokit.plotting import set_style
from neurokit.studies.vist.experiment import results_table, run_models, standardize_features
from neurokit.vist.metrics import SDKL_OUTCOMES, pearson_cc, sdkl_outcomes, spike_kde_divergence
from neurokit.vist.train import TrainConfig, predict

set_style()
label = glue_profile(profile)
torch.set_num_threads(torch_threads)
root = retina_data.ensure(profile, seed=seed)
m1, m2 = load_retina(root, "movie1"), load_retina(root, "movie2")
if standardize:
    m1, m2 = standardize_features(m1, m2)
paper_recipe = profile == "paper"


def recipe(n_epochs, run_seed=seed):
    """The training config: the paper's recipe, or the shrunk schedule of the simulated profiles."""
    if paper_recipe:
        return TrainConfig(seed=run_seed)
    return TrainConfig(
        epochs=n_epochs, batches_per_epoch=batches_per_epoch, batch_size=batch_size, window=window, lr=lr,
        lr_start=lr / 16, lr_min=lr / 8, swa_lr=lr / 8, warmup=max(1, n_epochs // 6),
        swa_start=n_epochs - max(1, n_epochs // 4), swa_anneal=max(1, n_epochs // 6), seed=run_seed, device="cpu",
        eval_every=0)


cfg = recipe(epochs)
cfg_cmp = recipe(comparison_epochs or epochs)
two_budgets = cfg_cmp.epochs != cfg.epochs
kw = dict(video_layers=video_layers, video_dim=video_dim)
REF = "vist, comparison budget" if two_budgets else "vist"
jobs = [("vist", "vist", cfg, kw)]  # longest first, so that the workers finish together
if two_budgets:
    jobs.append((REF, "vist", cfg_cmp, kw))
jobs += [(f"vist, seed {s_}", "vist", dataclasses.replace(cfg_cmp, seed=int(s_)), kw) for s_ in check_seeds]
jobs += [(n, n, cfg_cmp, kw) for n in list(ablations) + [m for m in models if m != "vist"]]
results = run_models(jobs, m1, m2, n_jobs=n_jobs, threads=torch_threads)
configs = {k: c for k, _, c, _ in jobs}
steps = {k: (0 if n in ("ln", "feature_ridge") else c.epochs * c.batches_per_epoch) for k, n, c, _ in jobs}
main_rows = ["vist"] + ([REF] if two_budgets else []) + [m for m in models if m != "vist"]
table = results_table(dataclasses.replace(results[k], name=k) for k in main_rows)
table.insert(0, "training steps", [steps[k] for k in main_rows])
glue("train_seconds", float(sum(r.seconds for r in results.values())))
glue("n_steps", int(cfg.epochs * cfg.batches_per_epoch))
glue("n_steps_cmp", int(cfg_cmp.epochs * cfg_cmp.batches_per_epoch))
glue("frames_per_step", int(cfg.batch_size * cfg.window))
glue("n_jobs", int(n_jobs))
table.round(3)

# %% [markdown]
# Training everything took {glue:text}`train_seconds:.0f` s of compute on this machine ({glue:text}`profile`
# profile, {glue:text}`n_jobs` worker processes in parallel; "seconds" in the table is each run's own wall time).
# Vi-ST's main run took {glue:text}`n_steps` optimizer steps of {glue:text}`frames_per_step` frames, the comparison
# runs {glue:text}`n_steps_cmp`; the paper uses 1440 steps of 16 × 128 frames on a GPU.
#
# ## Paper vs this run
#
# The paper's main tables (CC and SD-KL of Vi-ST and baselines, per movie) were **not available offline**; what is
# available are the authors' training logs and two figures on the first author's website (spec §9). We put those
# beside our numbers; they are real-data numbers and not targets for a simulation.

# %%
vist = results["vist"].scores
ln = results["ln"].scores
paper = pd.DataFrame([
    {"quantity": "Vi-ST CC (mean |r|), cross-movie, train mov1 → test mov2", "paper (authors' log, final SWA)": 0.3047,
     "this run": vist["cross"]["cc"]},
    {"quantity": "Vi-ST CC, cross-movie, best epoch", "paper (authors' log, final SWA)": 0.3281, "this run": np.nan},
    {"quantity": "Vi-ST CC, cross-movie, train mov2 → test mov1", "paper (authors' log, final SWA)": 0.2275,
     "this run": np.nan},
    {"quantity": "Vi-ST CC, within movie 1, all cells (website figure)", "paper (authors' log, final SWA)": 0.54,
     "this run": vist["within"]["cc"]},
    {"quantity": "Vi-ST CC, within movie 2, all cells (website figure)", "paper (authors' log, final SWA)": 0.39,
     "this run": np.nan},
    {"quantity": "LN model CC, cross-movie", "paper (authors' log, final SWA)": np.nan, "this run": ln["cross"]["cc"]},
]).set_index("quantity")
glue("vist_cc_cross", vist["cross"]["cc"])
glue("vist_cc_within", vist["within"]["cc"])
glue("ln_cc_cross", ln["cross"]["cc"])
glue("ln_cc_within", ln["within"]["cc"])
glue("vist_gap", vist["within"]["cc"] - vist["cross"]["cc"])
glue("vist_beats_ln", bool(vist["cross"]["cc"] > ln["cross"]["cc"]))
glue("vist_ref_cc_cross", results[REF].scores["cross"]["cc"])
paper.round(3)

# %% [markdown]
# On the held-out movie Vi-ST reaches CC = {glue:text}`vist_cc_cross:.3f` against {glue:text}`ln_cc_cross:.3f`
# for the LN model (Vi-ST better: {glue:text}`vist_beats_ln`); within movie 1 the numbers are
# {glue:text}`vist_cc_within:.3f` and {glue:text}`ln_cc_within:.3f`. Vi-ST's within − cross gap is
# {glue:text}`vist_gap:.3f` (LN's: {glue:text}`ln_gap:.3f`).
#
# ## Is it the seed?
#
# The authors ran unseeded; we retrain Vi-ST with other seeds (initialisation, dropout, window order) on the same
# simulated data, at the comparison budget, beside the reference run of that budget. The spread between seeds
# is the run-to-run noise against which the ablation differences below should be read. The LN model is fitted
# in closed form and has no seed.

# %%
seed_keys = [REF] + [f"vist, seed {s_}" for s_ in check_seeds]
seeds_table = pd.DataFrame([
    {"seed": configs[k].seed, "training steps": steps[k], "Vi-ST CC within": results[k].scores["within"]["cc"],
     "Vi-ST CC cross": results[k].scores["cross"]["cc"], "Vi-ST SD-KL cross": results[k].scores["cross"]["sdkl"]}
    for k in seed_keys
]).set_index("seed")
seeds_table["LN CC cross"] = ln["cross"]["cc"]
glue("ln_gap", ln["within"]["cc"] - ln["cross"]["cc"])
glue("n_seeds", len(seeds_table))
glue("seed_spread_cross", float(seeds_table["Vi-ST CC cross"].max() - seeds_table["Vi-ST CC cross"].min()))
glue("seeds_table", seeds_table)
seeds_table.round(3)

# %% [markdown]
# Over {glue:text}`n_seeds` seeds at the comparison budget, Vi-ST's cross-movie CC spans
# {glue:text}`seed_spread_cross:.3f`.

# %%
truth = load_truth(root) if m1.rate_true is not None else None
if truth is not None:
    types = truth["types"]
    rows = []
    for name in models:
        for split in ("within", "cross"):
            r = results[name].per_cell[split]
            for ty in sorted(set(types)):
                rows.append({"model": name, "test": split, "cell type": ty, "CC (mean r)": float(np.mean(r[types == ty]))})
    by_type = pd.DataFrame(rows)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
    for ax, split in zip(axes, ("within", "cross")):
        sub = by_type[by_type["test"] == split].pivot(index="model", columns="cell type", values="CC (mean r)")
        sub.loc[list(models)].plot.bar(ax=ax, rot=30)
        ax.set_title(f"{split}-movie"); ax.set_ylabel("CC (mean r over cells)")
        ax.legend(fontsize=7)
    ceil = float(np.mean(noise_ceiling_cc(m2)))
    for ax in axes:
        ax.axhline(ceil, color="k", ls=":", lw=0.8)
    fig.tight_layout()
    glue("fig_vist_by_type", fig)
    glue("ceiling_cross", ceil)
    glue("ln_subunit_within", float(np.mean(results["ln"].per_cell["within"][types == "ONOFF_subunit"])))
    glue("ln_subunit_cross", float(np.mean(results["ln"].per_cell["cross"][types == "ONOFF_subunit"])))
    for key_, name_ in (("vist", "vist"), ("ln", "ln")):
        for tag_, mask_ in (("subunit", types == "ONOFF_subunit"), ("linear", types != "ONOFF_subunit")):
            glue(f"{key_}_{tag_}_cross_r", float(np.mean(results[name_].per_cell["cross"][mask_])))
else:  # real recordings: no cell types
    for key_ in ("vist_subunit", "vist_linear", "ln_subunit", "ln_linear"):
        glue(f"{key_}_cross_r", float("nan"))

# %% [markdown]
# ```{glue:figure} fig_vist_by_type
# :name: fig-vist-by-type
# CC by cell type, within movie 1 (left) and on movie 2 (right); dotted: the noise ceiling on movie 2
# (CC of trial-averaged counts with the true rate, {glue:text}`ceiling_cross:.2f`). Linear ON/OFF cells are the LN
# model's home ground. ON-OFF subunit cells have a near-zero linear white-noise STA, yet within movie 1 the LN
# model predicts them with mean r = {glue:text}`ln_subunit_within:.2f` (the movie's luminance transients are not
# symmetric, so the rectified response has a linear part); on movie 2 this drops to
# {glue:text}`ln_subunit_cross:.2f` ({glue:text}`data_label`).
# ```

# %%
c = int(np.argmax(results["vist"].per_cell["cross"]))
fig, ax = plt.subplots(figsize=(8, 2.6))
tt = np.arange(min(300, m2.n_frames)) / 30
ax.plot(tt, m2.spike_avg[: len(tt), c], color="k", lw=0.9, label="target (spike_avg)")
ax.plot(tt, results["vist"].preds["cross"][c, : len(tt)], color="C3", lw=0.9, label="Vi-ST")
ax.plot(tt, results["ln"].preds["cross"][c, : len(tt)], color="C0", lw=0.9, alpha=0.8, label="LN")
ax.set_xlabel("time (s), movie 2"); ax.legend(fontsize=7)
glue("fig_vist_traces_cross", fig)

# %% [markdown]
# ```{glue:figure} fig_vist_traces_cross
# :name: fig-vist-traces-cross
# Cross-movie predictions for the cell Vi-ST predicts best ({glue:text}`data_label`).
# ```
#
# ## What the features carry: the best linear readout
#
# A network trained for a few hundred steps may simply be under-trained. "Feature ridge" separates that from
# the features themselves: the best linear readout of the same frozen features (top principal components,
# 15 lags, ridge), fitted in closed form like the LN model. If it transfers to movie 2 worse than the LN model on
# pixels, no readout of these features trained on movie 1 can be expected to do better without learning a
# nonlinearity that undoes the feature shift between the movies.

# %%
fr = results["feature_ridge"].scores
extractor = str(m1.attrs.get("feature_extractor", "dinov2_feats_0"))
diag = pd.DataFrame([
    {"model": "LN (pixels, 4×4 px pooled)", "CC within": ln["within"]["cc"], "CC cross": ln["cross"]["cc"]},
    {"model": f"feature ridge ({extractor})", "CC within": fr["within"]["cc"], "CC cross": fr["cross"]["cc"]},
    {"model": "Vi-ST (same features)", "CC within": vist["within"]["cc"], "CC cross": vist["cross"]["cc"]},
]).set_index("model")
diag["retained across movies"] = diag["CC cross"] / diag["CC within"]
tr_idx = m1.split_train
fit_train = [results["ln"].model.predict(m1.stimulus[tr_idx]), results["feature_ridge"].model.predict(m1.features[tr_idx]),
             predict(results["vist"].model, m1.features[tr_idx], m1.rf, device=cfg.device)]
diag["CC on its training frames"] = [pearson_cc(p_, m1.spike_avg[tr_idx].T)[1] for p_ in fit_train]
glue("vist_cc_train", float(diag["CC on its training frames"].iloc[2]))
glue("ln_cc_train", float(diag["CC on its training frames"].iloc[0]))
glue("fr_cc_within", fr["within"]["cc"])
glue("fr_cc_cross", fr["cross"]["cc"])
glue("feature_extractor", extractor)
diag.round(3)

# %% [markdown]
# The linear readout of the stand-in features ({glue:text}`feature_extractor`) reaches
# {glue:text}`fr_cc_within:.3f` within movie 1 and {glue:text}`fr_cc_cross:.3f` on movie 2, against
# {glue:text}`ln_cc_cross:.3f` for the LN model on pixels: a linear map of the tokens transfers between the movies
# about as well as a linear map of the pixels, and neither can express the subunit cells' rectification. What
# Vi-ST adds on top is learned nonlinear spatio-temporal processing of the tokens. On its own training frames
# Vi-ST reaches CC {glue:text}`vist_cc_train:.3f` (LN: {glue:text}`ln_cc_train:.3f`).
#
# ## SD-KL of the trained models
#
# The wrapper's mean is dominated by penalties: any cell scored +inf or nan counts 1000. We name the reason of
# every penalty (`neurokit.vist.metrics.sdkl_outcomes`) and report the median of the finite scores beside the
# mean. "singular widths" means that all peak widths of a trace are equal: when a prediction runs above the
# code's `high_cut = 1` (a constant chosen for the real recordings' rates), its peaks are measured on the
# clipped, flat trace and all get the same width.

# %%
sd_rows = []
for name in list(models) + list(ablations):
    for split, target in (("within", m1.spike_avg[m1.split_test].T), ("cross", m2.spike_avg.T)):
        pred_ = results[name].preds[split]
        labels = np.array(sdkl_outcomes(pred_, target))
        mean_, per_cell = spike_kde_divergence(pred_, target)
        row = {"model": name, "test": split, "SD-KL (mean, code)": mean_,
               "median of finite": float(np.median(per_cell[labels == "finite"])) if (labels == "finite").any() else np.nan}
        row.update({k: int((labels == k).sum()) for k in SDKL_OUTCOMES[1:]})
        pen = labels != "finite"
        row["pred frames > high_cut (penalised cells)"] = float((pred_[pen] > 1.0).mean()) if pen.any() else np.nan
        sd_rows.append(row)
sdkl_table = pd.DataFrame(sd_rows).set_index(["model", "test"])
n_pen = sdkl_table.loc["vist", list(SDKL_OUTCOMES[1:])].to_numpy().sum()
glue("vist_sdkl_penalised", int(n_pen))
glue("vist_sdkl_cross", vist["cross"]["sdkl"])
glue("vist_sdkl_median_cross", float(sdkl_table.loc[("vist", "cross"), "median of finite"]))
glue("ln_sdkl_cross", ln["cross"]["sdkl"])
glue("sdkl_table", sdkl_table)
sdkl_table.round(3)

# %% [markdown]
# Vi-ST's cross-movie SD-KL is {glue:text}`vist_sdkl_cross:.1f` (LN: {glue:text}`ln_sdkl_cross:.1f`), with
# {glue:text}`vist_sdkl_penalised` penalised cells over both tests; the median of its finite cross-movie scores is
# {glue:text}`vist_sdkl_median_cross:.2f`. A large mean therefore says "some cells got the 1000 penalty", not
# "the duration distributions are 100× further apart"; we keep the code's convention for comparability and show
# the breakdown instead of changing the metric.
#
# ## Ablations
#
# The website's ablation figure (digitised, ±0.002, "CC.", direction and aggregation not stated) gives: Vi-ST
# 0.334; remove RF mask 0.328; replace causal multiscale block 0.332; remove multiscale kernel 0.322; replace loss
# by RMSE 0.313. Our ablations: no AdaLN (no RF conditioning), no CMST (the multiscale temporal kernels removed,
# spatial 3×3 convolutions kept), no soft-DTW (loss = RMSE + ReLU terms), all at the comparison budget, beside the
# Vi-ST run of that budget.

# %%
abl_paper = {"vist": 0.334, "vist_no_adaln": 0.328, "vist_no_cmst": 0.322, "vist_no_sdtw": 0.313}
abl_rows = [REF, *ablations]
abl = results_table(dataclasses.replace(results[k], name=k) for k in abl_rows)[
    ["CC within", "CC cross", "SD-KL cross", "parameters"]]
abl.insert(0, "paper CC (ablation figure)", [abl_paper.get("vist" if k == REF else k, np.nan) for k in abl_rows])
abl.insert(1, "training steps", [steps[k] for k in abl_rows])
glue("abl_table", abl)
abl.round(3)

# %% [markdown]
# ## What the simulation can and cannot show
#
# *Can*: that the implementation trains end to end with the authors' recipe and metrics; that a model with learned
# nonlinear spatio-temporal processing of patch tokens captures cells an LN model cannot (the ON-OFF subunit cells,
# by construction of the simulation) and that this carries over to a movie it was not trained on; that a change
# of movie costs accuracy (the within − cross gaps); and, through the feature-ridge diagnostic, how much of the
# response is linear in the frozen tokens. *Cannot*: the size of any of these effects in real salamander retina;
# anything about DINOv2 (our tokens are pixel patches, a transparent stand-in for its linear patch embedding); the
# ranking of the paper's baselines (our reconstructions, trained at the short comparison budget); and a change of
# stimulus *class*. Both simulated movies are drawn from one procedural world, as the paper's two movies are both
# natural movies. In earlier versions of this simulation the second movie was low-contrast noise texture; there
# the LN model's linear filter transferred better than Vi-ST trained on a few hundred frames of objects.
#
# How Vi-ST and the LN model compare is a property of this simulated population and of the training budget. On
# movie 2 the mean r over the ON-OFF subunit cells is {glue:text}`vist_subunit_cross_r:.2f` for Vi-ST and
# {glue:text}`ln_subunit_cross_r:.2f` for the LN model; over the linear ON/OFF cells it is
# {glue:text}`vist_linear_cross_r:.2f` and {glue:text}`ln_linear_cross_r:.2f`. At the comparison budget Vi-ST's
# cross-movie CC is {glue:text}`vist_ref_cc_cross:.3f` (LN: {glue:text}`ln_cc_cross:.3f`), and the seed table shows
# how much a single run varies. The `paper` profile (90 cells, full recipe on a GPU) is the run
# that tests the claim at the paper's scale.
