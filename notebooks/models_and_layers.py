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
#     timeout: 1200
# ---

# %% [markdown]
# # Models and layers
#
# The encoding study regresses 37 image and video networks onto brain responses, block by block (Gamal et al. 2024). This chapter
# introduces the companion's roster: where each architecture comes from, how the paper's figures label it
# (image or video, convolutional or transformer, fully or self-supervised, single or two streams, training
# data), how a clip is sampled for it, which modules are its blocks, and which weights this run uses. It then
# runs every model on simulated clips and shows how the features of each block behave.
#
# The paper never lists its full roster ("37 models, 26 video + 11 image" is a reviewer's count in the OpenReview
# discussion of Gamal et al. 2024; a handful of models are named in its figures). The models it names are here; the rest follow the candidate roster of the
# PyTorchVideo / PySlowFast / torchvision / timm zoos. Four named models (TimeSformer, OmniMAE, VideoMAE, TSM)
# exist in none of the installed libraries: we re-implement their architectures and mark them as substitutes.

# %% tags=["parameters"]
profile = "embedded"
models = "all"  # "all" or a comma-separated list of names from neurokit.features.list_extractors()
n_clips = 6  # at least 2; clips per model for the block statistics
input_size = 0  # at least 0; 0: each card's sampling for these weights (embedded: 64 px)
n_frames = 0  # at least 0; 0: each card's sampling
weights = "embedded"  # one of embedded, paper
seed = 0  # at least 0

# %%
import numpy as np
import pandas as pd

from neurokit.book import glue
from neurokit.features import FAMILY_RULE, create_extractor, extract_dataset, get_card, list_extractors, roster_table
from neurokit.features.stats import block_statistics, plot_block_statistics
from neurokit.plotting import set_style
from neurokit.sim.video import VideoWorldConfig, make_clip

set_style()
glue("profile", profile)
glue("data_label", f"simulated clips in every profile, {profile} profile, {weights} weights")  # no real stimuli here
names = list_extractors() if models == "all" else [m.strip() for m in models.split(",") if m.strip()]

# %% [markdown]
# ## The roster
# Every row below comes from a model card (`neurokit.features.get_card(name)`), a frozen record that is also
# the registry entry: `create_extractor(name)` builds exactly what the card describes. Our family rule, used for
# the *modality* column: **{glue:text}`family_rule`**.

# %%
table = roster_table()
cards = [get_card(n) for n in table["name"]]
glue("family_rule", FAMILY_RULE)
glue("n_models", len(table))
glue("n_video", int((table["modality"] == "video").sum()))
glue("n_image", int((table["modality"] == "image").sum()))
glue("n_ssl", int((table["supervision"] == "self-supervised").sum()))
glue("n_real", int(table["embedded weights"].str.startswith("real").sum()))
glue("n_substitute", int((table["substitute for"] != "").sum()))
glue("n_in_paper", sum(c.in_paper for c in cards))
glue("roster_table", table[["model", "modality", "architecture", "supervision", "streams", "train data", "source",
                            "blocks", "paper sampling", "embedded sampling", "embedded weights", "substitute for"]])

# %% [markdown]
# ```{glue:figure} roster_table
# :name: tab-roster
#
# The {glue:text}`n_models` registered models ({glue:text}`n_video` video, {glue:text}`n_image` image,
# {glue:text}`n_ssl` self-supervised). "embedded weights": only {glue:text}`n_real` models run with real
# (shipped ImageNet) weights in the embedded profile; every other model is randomly initialised (seeded) and
# labelled so. {glue:text}`n_substitute` entries are re-implementations standing in for models that no
# installed library provides. {glue:text}`n_in_paper` of the models are named in the paper.
# ```
#
# ## Paper vs this companion
# The paper's numbers below come from the paper and its OpenReview discussion ([R] = reported by a reviewer,
# [P] = read from the figure axes), as reference data; ours are counted from the registry of this run.

# %%
def _blocks(name):
    return len(get_card(name).layers)


paper_vs_run = pd.DataFrame(
    [
        ("models", "37 [R]", len(table)),
        ("video / image models", "26 / 11 [R]",
         f"{(table['modality'] == 'video').sum()} / {(table['modality'] == 'image').sum()}"),
        ("self-supervised models (all transformers)", "5 [R]",
         f"{(table['supervision'] == 'self-supervised').sum()} "
         f"({'all' if (table[table['supervision'] == 'self-supervised']['architecture'] == 'transformer').all() else 'not all'} transformers)"),
        ("video training sets", "K400, Charades, SSv2 [R]",
         ", ".join(sorted({c.train_data for c in cards if c.modality == "video"}))),
        ("blocks: ResNet-50", "7 [P]", _blocks("resnet50.tv_in1k")),
        ("blocks: I3D-R50", "7 [P]", _blocks("i3d_r50_8x8.k400")),
        ("blocks: ViT-B", "4 [P]", _blocks("vit_b16.augreg_in1k")),
        ("blocks: MViT-B", "5 [P]", _blocks("mvit_b_16x4.k400")),
        ("image-model frame sampling", "every 8th frame [R]", f"every {get_card('resnet50.tv_in1k').paper_sampling.stride}th frame (paper profile)"),
        ("weights", "pretrained", "pretrained (paper profile) / real or random-init, labelled (embedded)"),
    ],
    columns=["quantity", "paper (reference)", "this companion"],
).astype(str)
glue("paper_vs_run", paper_vs_run)

# %% [markdown]
# ```{glue:figure} paper_vs_run
# :name: tab-models-paper-vs-run
#
# Paper (reference values, transcribed) vs this companion's registry.
# ```
#
# ## Block features on simulated clips
# Each model now sees the same {glue:text}`n_clips_used` simulated clips (moving textured objects, see the data
# chapter), sampled as its card says, and every block is pooled to one vector per clip (mean over space, then
# time; image models: mean over their frames). Features go through the content-keyed cache, so later chapters
# that ask for the same models, clips and settings read them from disk. For each block we summarise two things
# across clips: **clip discriminability**, one minus the mean correlation between the feature vectors of
# different clips (0: the block sees every clip alike), and the **participation ratio** of the clip covariance,
# its effective number of dimensions (at most {glue:text}`max_pr`).

# %%
world = VideoWorldConfig()
clips = [make_clip(i, world, seed=seed).frames for i in range(n_clips)]
glue("n_clips_used", len(clips))
glue("max_pr", len(clips) - 1)
rows, sources = [], {}
for name in names:
    card = get_card(name)
    ex = create_extractor(name, device="cpu", weights=weights, input_size=input_size or None,
                          n_frames=(n_frames or None))
    feats = extract_dataset(ex, clips, progress=False)
    sources[name] = feats.meta["weights_source"]["kind"]
    rows.append(block_statistics(feats, card))
    del ex
stats = pd.concat(rows, ignore_index=True)
glue("n_models_run", len(names))

# %%
last = stats[stats["depth"] >= 0.99]
first = stats[stats["block"] == "B1"]
real_last = last[last["weights"].str.startswith("real")]
glue("disc_first", float(first["discriminability"].mean()))
glue("disc_last", float(last["discriminability"].mean()))
rand_last = last[~last["weights"].str.startswith("real")]
glue("disc_last_real", float(real_last["discriminability"].mean()) if len(real_last) else float("nan"))
glue("disc_last_random", float(rand_last["discriminability"].mean()) if len(rand_last) else float("nan"))
glue("real_vs_random", "better" if real_last["discriminability"].mean() > rand_last["discriminability"].mean()
     else "no better")
glue("pr_mean", float(stats["participation_ratio"].mean()))
fig = plot_block_statistics(stats, color_by="modality")
glue("fig_block_stats", fig)

# %% [markdown]
# ```{glue:figure} fig_block_stats
# :name: fig-block-stats
#
# Feature statistics of every block of {glue:text}`n_models_run` models on {glue:text}`n_clips_used` simulated
# clips, against relative block depth (block k of K at k/K). Left: clip discriminability (1 − mean correlation
# between clips' feature vectors). Right: participation ratio of the clip covariance. Colour: image vs video
# model; solid lines with markers: real (shipped ImageNet) weights; dashed: random-init weights.
# ({glue:text}`data_label`.)
# ```
#
# Averaged over models, the first block separates clips with a discriminability of
# {glue:text}`disc_first:.3f` and the last with {glue:text}`disc_last:.3f`. The last blocks of the models with
# real (ImageNet) weights reach {glue:text}`disc_last_real:.3f`, those of the random-init models
# {glue:text}`disc_last_random:.3f`: in this run the trained classifiers separate the clips
# {glue:text}`real_vs_random` than the random ones. Random-init deep blocks carry the architecture's inductive
# bias but no learned features, which is why the embedded profile's family comparisons demonstrate the
# pipeline, not the paper's claims: most of its models are random-init, labelled as such in every table and
# caption. The paper profile loads the pretrained checkpoints
# named in each card (sha256-checked) and refuses to run a model whose checkpoint is missing.

# %%
glue("block_table", stats[["display_name", "block", "dim", "discriminability", "participation_ratio", "weights"]]
     .round(3))

# %% [markdown]
# ```{glue:figure} block_table
# :name: tab-block-stats
#
# The numbers behind {numref}`fig-block-stats`, one row per block. ({glue:text}`data_label`.)
# ```
