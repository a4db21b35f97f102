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
#     timeout: 1200
# ---

# %% [markdown]
# # NEURONS 2: decoding the four subtasks from fMRI
#
# NEURONS trains in two stages (spec §3–4). **Stage 1** maps each subject's voxels through a ridge layer and an
# MLP-mixer backbone to a set of image tokens (OpenCLIP ViT-bigG in the paper), with a BiMixCo contrastive loss.
# **Stage 2** freezes that backbone and trains a diffusion prior, a motion projection to 6 frames, and four heads
# on the shared "motion" tokens: key-object **segmentation** (a text-driven video decoder conditioned on the key
# object's name), **concept** recognition (multi-label), **scene description** (a prefix captioner), and a
# **blurry video**. The subtask losses are weighted by a "progressive learning" schedule that emphasises one task
# after another.
#
# Here every part runs on the simulated cc2017 set of the previous chapter, at CPU sizes, and each subtask is scored
# against its chance level and against the simulation's truth.
#
# ```{admonition} Stand-ins used in the simulated profiles
# * image tokens: a fixed random projection of each patch's pixels plus the caption embedding, not OpenCLIP bigG;
#   and, because CLIP patch tokens carry the semantics of what lies in each patch while raw pixel projections do
#   not, a fixed "key object here" vector (plus the object's class-name embedding) added to each patch token in
#   proportion to the share of the patch the key object covers (`object_tokens`; 0 switches it off). Without it the
#   stage-1 targets hold almost no linearly readable trace of where the object is, and the segmentation head
#   learned one mean blob for every clip (Dice equal to its chance level);
# * caption embeddings: all-MiniLM-L6-v2 (real weights, 384-d), not bigG text (1280-d);
# * captioner: a 2-layer GPT-2 **trained from scratch** on the captions with a word vocabulary (the paper fine-tunes
#   pretrained GPT-2 124M on CLIP-BPE ids);
# * blurry-video target: RGB frames at the decoder's output size (the paper: SD-1.5 VAE latents).
# * diffusion prior: **bypassed** in `embedded` (`use_prior = False`, so `prior_out = clip_vision_embeds`). At
#   this size and budget (2 layers, a few hundred steps) the prior did not learn well enough: with it, the
#   segmentation Dice stayed at the level of another clip's masks in our development runs, without it the same
#   training beats that level. The `paper` profile keeps it.
# * schedule: 5 stage-2 epochs, the fewest for which the progressive schedule is not flat (its period is
#   `(epochs // 5) · 2`: with 4 epochs every weight stays 1), so each head gets its 10×-weighted window in turn
#   (segmentation first, the blurry video last), and `rec_scale` multiplies the blurry-video loss (1 as published).
# * attention: the authors' **batch-coupled** text attention makes every clip's output a mixture of the batch's
#   texts and did not learn within this CPU budget, so the default here is the **per-sample** variant
#   (`batch_coupled = False`, our fix); the last section shows the published behaviour on the same weights.
# ```

# %% tags=["parameters"]
profile = "embedded"
subject = 1
training = {}  # overrides of the profile's training run, e.g. {"stage1_epochs": 20} (see the table below)
run_ablations = True
ablation_epochs = 1

# %%
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import torch

from neurokit.book import glue, glue_profile
from neurokit.catalog import cc2017
from neurokit.data.cc2017 import load_cc2017
from neurokit.studies.neurons.experiment import run_ablations as _run_ablations, run_decoding
from neurokit.studies.neurons.settings import decoding_settings
from neurokit.neurons.train import decode_test
from neurokit.plotting import row_caption, set_style, tight_grid

set_style()
glue_profile(profile)
run_settings = decoding_settings(profile, training)  # the reconstruction chapter reuses this same run
settings = run_settings.as_kwargs()
seed, eval_batch, batch_coupled = run_settings.seed, run_settings.eval_batch, run_settings.batch_coupled
root = cc2017.ensure(profile, seed=seed)
data = load_cc2017(root, subject)
run = run_decoding(root, subject, return_model=True, **settings)
m = run["metrics"]
for k, v in m.items():
    if isinstance(v, float):
        glue(k, v)
glue("train_seconds", float(sum(run["seconds"].values())))
glue("batch_coupled_used", str(batch_coupled))
glue("tab_neurons_settings", pd.DataFrame({"setting": list(settings), "value": [str(v) for v in settings.values()]}))
{k: round(v, 1) for k, v in run["seconds"].items()}

# %% [markdown]
# ## Subtask scores against chance
# The simulated fMRI carries the key object's coarse position and size and the clip's coarse colour layout (planted
# in the simulation, and checked with a linear read-out in the previous chapter), so the segmentation and the
# blurry video *can* beat chance; the question is whether the pipeline extracts it.
#
# Chance levels: segmentation, the same predicted masks scored against the masks of *another* test clip (a
# prediction that ignores the brain, e.g. one mean blob for every clip, scores the same on both);
# concepts, 0.5 AUC and the expected hit rate of a random top-1 / random 2-way draw (the published N-way protocol
# with the clip's positive concepts as GT ids); captions, 1/m for top-1 retrieval among the m test captions and
# 0.5 for 2-way; the key-object word in a generated caption, always naming the most frequent training key object;
# blurry video, the same frames scored against a shuffled test clip.

# %%
rows = [
    ("key-object segmentation", "Dice", m["seg_dice"], m["seg_dice_chance"], "35.63 % (Dice)"),
    ("key-object segmentation", "IoU", m["seg_iou"], np.nan, "–"),
    ("key-object segmentation", "Dice as published (sigmoid of binary masks)", m["seg_dice_published"], np.nan, "35.63 %"),
    ("concept recognition", "macro ROC AUC", m["concept_auc"], 0.5, "–"),
    ("concept recognition", "top-1 concept is present", m["concept_top1"], m["concept_top1_chance"], "–"),
    ("concept recognition", "2-way (published N-way protocol)", m["concept_2way"], m["concept_2way_chance"], "–"),
    ("scene description", "caption retrieval top-1", m["caption_top1"], m["caption_top1_chance"], "–"),
    ("scene description", "caption retrieval 2-way", m["caption_2way"], m["caption_2way_chance"], "–"),
    ("scene description", "generated caption names the key object", m["caption_key_word"], m["caption_key_word_chance"], "verb acc. 0.243"),
    ("scene description", "BLEU-1 of generated caption", m["caption_bleu1"], np.nan, "0.238"),
    ("blurry video", "SSIM (published, column-wise)", m["blurry_ssim"], m["blurry_ssim_chance"], "–"),
    ("blurry video", "SSIM (2-D)", m["blurry_ssim_2d"], m["blurry_ssim_2d_chance"], "–"),
    ("blurry video", "PSNR (dB)", m["blurry_psnr"], m["blurry_psnr_chance"], "–"),
]
table = pd.DataFrame(rows, columns=["subtask", "metric", "this run", "chance", "paper (S1–3, real data)"])
table["this run − chance"] = table["this run"] - table["chance"]
glue("tab_neurons_subtasks", table.round(3))
table.round(3)

# %% [markdown]
# ```{glue:figure} tab_neurons_subtasks
# :name: tab-neurons-subtasks
#
# Subtask scores on the test clips of subject 1 with their chance levels, beside the paper's published numbers
# (reference data transcribed from the spec, real cc2017; not comparable to a simulation) ({glue:text}`data_label`).
# ```
#
# The segmentation Dice is {glue:text}`seg_dice:.3f` against {glue:text}`seg_dice_chance:.3f` for another clip's
# masks; concepts reach a macro AUC of {glue:text}`concept_auc:.3f`; the predicted caption embedding retrieves the
# right caption among the test clips {glue:text}`caption_top1:.1%` of the time (chance
# {glue:text}`caption_top1_chance:.1%`), and the blurry video's 2-D SSIM is {glue:text}`blurry_ssim_2d:.3f` against
# {glue:text}`blurry_ssim_2d_chance:.3f` for a shuffled clip. Training and decoding took
# {glue:text}`train_seconds:.0f` s.

# %%
dec = run["decoded"]
n_show = 4
fig, axes = plt.subplots(3 * n_show, 6, figsize=(7.0, 3.4 * n_show))
masks_pred = dec["mask_probs"].numpy() > 0.5
S = masks_pred.shape[-1]
for r in range(n_show):
    for f in range(6):
        gt = np.moveaxis(data.test_frames[r, f], 0, -1)
        axes[3 * r, f].imshow(gt)
        axes[3 * r + 1, f].imshow(np.moveaxis(dec["blurry"][r, f].numpy(), 0, -1))
        axes[3 * r + 2, f].imshow(data.test_masks[r, f], cmap="gray", vmin=0, vmax=1)
        axes[3 * r + 2, f].contour(np.kron(masks_pred[r, f], np.ones((gt.shape[0] // S, gt.shape[0] // S))),
                                   levels=[0.5], colors="tab:orange", linewidths=1)
    axes[3 * r, 0].set_ylabel("GT", fontsize=7)
    axes[3 * r + 1, 0].set_ylabel("blurry", fontsize=7)
    axes[3 * r + 2, 0].set_ylabel("mask", fontsize=7)
    row_caption(axes[3 * r, 0], f"true: {data.test_captions[r][:110]}")
    row_caption(axes[3 * r + 1, 0], f"decoded: {dec['captions'][r][:110]}")
for ax in axes.ravel():
    ax.set_xticks([]); ax.set_yticks([])
tight_grid(fig)
glue("fig_neurons_subtasks", fig)

# %% [markdown]
# ```{glue:figure} fig_neurons_subtasks
# :name: fig-neurons-subtasks
#
# Four test clips decoded from fMRI: ground-truth frames, the decoded blurry video, and the true key-object mask
# (white) with the decoded mask (orange outline); above each, the true and the generated caption
# ({glue:text}`data_label`).
# ```

# %%
recall = np.array(m["concept_recall"], dtype=float)
fig, ax = plt.subplots(figsize=(7.0, 2.4))
ax.bar(range(len(recall)), recall)
ax.axhline(0.5, color="grey", lw=0.8, ls="--")
ax.set_xticks(range(len(recall)), data.concept_names, rotation=60, ha="right", fontsize=7)
ax.set_ylabel("recall (threshold 0.5)")
fig.tight_layout()
glue("fig_neurons_concept_recall", fig)

# %% [markdown]
# ```{glue:figure} fig_neurons_concept_recall
# :name: fig-neurons-concept-recall
#
# Per-concept "accuracy" as the paper reports it: recall of each class at a 0.5 threshold
# (paper, real data: human 0.735, food 0.600, animal 0.450, water body 0.310, fish 0.292) ({glue:text}`data_label`).
# ```
#
# ## Ablation of the subtasks
# The paper's ablation (subject 1) adds the subtasks one by one on top of the brain model with the blurry-video
# loss, then the progressive schedule. Here the same sequence, each trained from the same stage-1 model for
# `ablation_epochs` stage-2 epochs (fewer than the main run, so compare rows with each other, not with the table
# above).

# %%
paper_ablation = pd.DataFrame(
    [("brain model + L_rec", 0.814, 0.164, 0.894), ("+ L_seg", 0.834, 0.225, 0.926), ("+ L_cls", 0.836, 0.234, 0.911),
     ("+ L_txt", 0.847, 0.213, 0.923), ("+ progressive learning", 0.856, 0.235, 0.937)],
    columns=["configuration", "paper 2-way", "paper 50-way", "paper CLIP-pcc"])
if run_ablations:
    abl = _run_ablations(root, subject, **dict(settings, stage2_epochs=ablation_epochs))
    ours = pd.DataFrame([(k, v["seg_dice"], v["concept_auc"], v["caption_top1"], v["blurry_ssim_2d"])
                         for k, v in abl.items()],
                        columns=["configuration", "Dice", "concept AUC", "caption top-1", "blurry SSIM 2-D"])
    ablation = paper_ablation.merge(ours, on="configuration")
else:
    ablation = paper_ablation
glue("ablation_schedule_note", "flat (every weight 1), so the last two rows are the same training"
     if ablation_epochs < 5 else "active")
glue("tab_neurons_ablation", ablation.round(3))
ablation.round(3)

# %% [markdown]
# ```{glue:figure} tab_neurons_ablation
# :name: tab-neurons-ablation
#
# Subtask ablation. Left: the paper's video metrics on real data (subject 1, reference data transcribed from the
# spec). Right: this run's subtask scores for the same configurations ({glue:text}`data_label`).
# ```
#
# At `ablation_epochs` stage-2 epochs the progressive schedule is {glue:text}`ablation_schedule_note`; rows trained
# this briefly say which heads switch on, not how much each adds. The full ablation at the main run's length costs
# five stage-2 trainings, more than this profile's time budget.
#
# ## The batch-coupling quirk
# In the authors' text-driven decoder the text tensor has shape (B, T), so every image patch attends over *all B
# texts of the batch*, and the decoder's "temporal" attention runs over all B·F frames of the batch. Decoded outputs
# therefore change with the batch they are decoded in (10 clips in training, 20 at inference). The same trained
# model, decoded in batches of different sizes:

# %%
from neurokit.neurons.metrics import dice_score

model, prep = run["model"], run["prep"]
n_c = min(len(prep.test_fmri), 2 * eval_batch)
sub = prep.__class__(**{**prep.__dict__, "test_fmri": prep.test_fmri[:n_c]})
rows = []
for coupled in (True, False):
    model.text_seg_dec.batch_coupled = coupled
    ref = None
    for bs in (eval_batch, 5, 1):
        d = decode_test(model, sub, bs, seed, sample_prior=False, generate_captions=False)
        masks = d["mask_probs"].numpy() > 0.5
        dice = float(np.mean([dice_score(masks[i], prep.test_masks[i].numpy()) for i in range(n_c)]))
        ref = d["blurry"] if ref is None else ref
        rows.append(("batch-coupled (published)" if coupled else "per-sample (ours)", bs, dice,
                     float((d["blurry"] - ref).abs().max())))
model.text_seg_dec.batch_coupled = batch_coupled
coupling = pd.DataFrame(rows, columns=["attention", "decode batch size", "Dice",
                                       f"max |Δ blurry| vs batch {eval_batch}"])
glue("tab_neurons_coupling", coupling.round(4))
coupling.round(4)

# %% [markdown]
# ```{glue:figure} tab_neurons_coupling
# :name: tab-neurons-coupling
#
# One set of trained weights decoded with the published batch-coupled attention and with the per-sample
# attention, in batches of 1, 5 and 20 clips (prior bypassed so that only the decoder differs). With coupling the
# outputs for the *same* clip move with the batch it is decoded in; per sample they do not
# ({glue:text}`data_label`). `NeuronsConfig(batch_coupled=False)` (each clip attends to its own text, added to the
# query so that the vision features survive; temporal attention over the clip's own frames) is our fix and a
# behavioural change; in this profile the model is trained with `batch_coupled` = {glue:text}`batch_coupled_used`.
# ```
