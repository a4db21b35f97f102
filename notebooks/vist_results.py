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
# difference is due to the change of stimulus statistics alone. (The authors' cross-movie runs train on both
# halves of one movie and test on both halves of the other; their within-movie protocol uses halves.)
#
# Baselines are **our reconstructions** (no baseline code was published): "DINOv2+MSTCN" = the same frozen
# features with the 3-D MS-TCN stage and a linear readout; "I3D+MSTCN" = a **random-init, frozen** I3D-style 3-D
# conv stem on the frames (no Kinetics weights offline) with the same head; CRNN after Zheng et al. 2021; and the
# classic LN model (ridge filter on pooled pixels, 15 lags, softplus). "feature ridge" is a diagnostic, not a
# published model: the best *linear* readout (lagged ridge) of the same frozen features Vi-ST gets. All trained
# models use the same loop
# (AdamW, warm-up + cosine, SWA, BN recompute) and loss; the embedded profile shrinks epochs, batches and widths.

# %% tags=["parameters"]
profile = "embedded"
seed = 0
models = ["vist", "dinov2_mstcn", "i3d_mstcn", "crnn", "ln", "feature_ridge"]
check_seeds = [1]
ablations = ["vist_no_adaln", "vist_no_cmst", "vist_no_sdtw"]
epochs = 10
batches_per_epoch = 2
batch_size = 2
window = 48
lr = 5e-3
video_layers = 3
video_dim = 16
standardize = True
torch_threads = 1

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from neurokit.book import glue, glue_profile
from neurokit.data import ensure
from neurokit.data.retina import load_retina, load_truth, noise_ceiling_cc
from neurokit.plotting import set_style
from neurokit.vist.experiments import results_table, run_model, standardize_features
from neurokit.vist.metrics import SDKL_OUTCOMES, pearson_cc, sdkl_outcomes, spike_kde_divergence
from neurokit.vist.train import TrainConfig, config_dict, predict

set_style()
label = glue_profile(profile)
torch.set_num_threads(torch_threads)
root = ensure("vist_retina", profile=profile, seed=seed)
m1, m2 = load_retina(root, "movie1"), load_retina(root, "movie2")
if standardize:
    m1, m2 = standardize_features(m1, m2)
paper_recipe = profile == "paper"
cfg = TrainConfig() if paper_recipe else TrainConfig(
    epochs=epochs, batches_per_epoch=batches_per_epoch, batch_size=batch_size, window=window, lr=lr,
    lr_start=lr / 16, lr_min=lr / 8, swa_lr=lr / 8, warmup=max(1, epochs // 6), swa_start=epochs - max(1, epochs // 4),
    swa_anneal=max(1, epochs // 6), seed=seed, device="cpu", eval_every=0)
results = {}
for name in list(models) + list(ablations):
    results[name] = run_model(name, m1, m2, cfg, video_layers=video_layers, video_dim=video_dim)
table = results_table(results[n] for n in models)
glue("train_seconds", float(sum(r.seconds for r in results.values())))
glue("n_steps", int(cfg.epochs * cfg.batches_per_epoch))
glue("frames_per_step", int(cfg.batch_size * cfg.window))
table.round(3)

# %% [markdown]
# Training everything took {glue:text}`train_seconds:.0f` s on this machine ({glue:text}`profile` profile), with
# {glue:text}`n_steps` optimizer steps of {glue:text}`frames_per_step` frames per model — the paper uses 1440 steps
# of 16 × 128 frames on a GPU. With so little training the comparison says more about sample efficiency than
# about the architectures; the `paper` profile runs the full recipe.
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
# simulated data. The LN model is fitted in closed form and has no seed.

# %%
seed_rows = [{"seed": seed, "Vi-ST CC within": vist["within"]["cc"], "Vi-ST CC cross": vist["cross"]["cc"],
              "Vi-ST SD-KL cross": vist["cross"]["sdkl"]}]
for s_ in check_seeds:
    cfg_s = TrainConfig(**{**config_dict(cfg), "seed": int(s_)})
    r_s = run_model("vist", m1, m2, cfg_s, video_layers=video_layers, video_dim=video_dim)
    seed_rows.append({"seed": int(s_), "Vi-ST CC within": r_s.scores["within"]["cc"],
                      "Vi-ST CC cross": r_s.scores["cross"]["cc"], "Vi-ST SD-KL cross": r_s.scores["cross"]["sdkl"]})
seeds_table = pd.DataFrame(seed_rows).set_index("seed")
seeds_table["LN CC cross"] = ln["cross"]["cc"]
glue("ln_gap", ln["within"]["cc"] - ln["cross"]["cc"])
glue("n_seeds", len(seeds_table))
glue("vist_cross_best_seed", float(seeds_table["Vi-ST CC cross"].max()))
glue("vist_beats_ln_any_seed", bool((seeds_table["Vi-ST CC cross"] > ln["cross"]["cc"]).any()))
glue("seeds_table", seeds_table)
seeds_table.round(3)

# %% [markdown]
# Over {glue:text}`n_seeds` seeds the best cross-movie CC of Vi-ST is {glue:text}`vist_cross_best_seed:.3f`
# (LN: {glue:text}`ln_cc_cross:.3f`; Vi-ST better for at least one seed: {glue:text}`vist_beats_ln_any_seed`).

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
# A network trained for a few dozen steps may simply be under-trained. "Feature ridge" separates that from
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
# {glue:text}`fr_cc_within:.3f` within movie 1 but {glue:text}`fr_cc_cross:.3f` on movie 2, against
# {glue:text}`ln_cc_cross:.3f` for the LN model on pixels. In this simulated world the ImageNet CNN features of
# movie 1's textured objects and of movie 2's low-contrast drifting textures are not related to the cells'
# responses in the same way, so what is learned on one movie transfers poorly — the paper's claim rests on
# DINOv2 features being more invariant than that, which this stand-in cannot test. Vi-ST also under-fits in this
# budget: CC {glue:text}`vist_cc_train:.3f` on its own training frames, against {glue:text}`ln_cc_train:.3f` for
# the LN model.
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
# spatial 3×3 convolutions kept), no soft-DTW (loss = RMSE + ReLU terms).

# %%
abl_paper = {"vist": 0.334, "vist_no_adaln": 0.328, "vist_no_cmst": 0.322, "vist_no_sdtw": 0.313}
abl = results_table(results[n] for n in ["vist", *ablations])[["CC within", "CC cross", "SD-KL cross", "parameters"]]
abl.insert(0, "paper CC (ablation figure)", [abl_paper.get(n, np.nan) for n in abl.index])
glue("abl_table", abl)
abl.round(3)

# %% [markdown]
# ## What the simulation can and cannot show
#
# *Can*: that the implementation trains end to end with the authors' recipe and metrics; that a change of
# stimulus statistics between movies costs accuracy (the within − cross gap), since the simulated cells keep
# movie 1's gains on movie 2; and, through the feature-ridge diagnostic, whether the frozen features carry a
# response code that transfers between the movies at all. *Cannot*: the size of any of these effects in real
# salamander retina, anything about DINOv2 (our features are an ImageNet EfficientNet stand-in, and the
# diagnostic above shows they transfer poorly here), or the ranking of the paper's baselines: our baselines are
# reconstructions, the embedded training is far shorter than the paper's 1440 steps, and single-seed
# differences between ablations of a few hundredths are within run-to-run noise (see the seed table).
#
# *What did not work*: the acceptance target of issue #8 — Vi-ST beating the LN model on the held-out movie — is
# not reached in the embedded build (see the glued comparison above; it is recomputed on every build). Longer
# training (up to 80 steps), pixel-patch tokens instead of CNN features, a shallower EfficientNet stage, no
# dropout and loss windows with full stimulus history were tried outside the book (single runs on the same data)
# and none brought Vi-ST's cross-movie CC up to the LN model's; the feature-ridge diagnostic explains most of it
# for the CNN features, and the short CPU budget, which leaves Vi-ST under-fitting its own training frames, the
# rest. The `paper` profile (90 cells, full recipe on a GPU) is the run that can
# test the claim at the paper's scale.
