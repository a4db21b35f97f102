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
#     inputs: ["benchmarks/results/paper_costs.json", "benchmarks/results/rehearsal_extraction.json",
#              "benchmarks/results/rehearsal_build.json"]
#     timeout: 300
# ---

# %% [markdown]
# # Running the paper profile
#
# The `paper` profile runs every chapter on the real data sets with pretrained weights, on a GPU. This page says
# what that takes: the work each Part does, counted in floating-point operations at the paper's shapes, turned
# into **estimates** of GPU time; the disk the feature caches need; and the number of fits of Part I and how a
# cluster can share them. Every figure below is an estimate and says its basis. The operation counts come from
# `benchmarks/paper_costs.py`, which builds each network at its paper configuration on PyTorch's `meta` device
# (shapes only, nothing computed) and counts its operations with `torch.utils.flop_counter` (a multiply-add
# counts as two). GPU time assumes a sustained fraction of the GPU's dense bf16 peak, both parameters below:
# change them for your GPU and re-run this page (`neurokit run paper_plan -p utilisation=0.4`).
#
# Before a real run, `neurokit book --profile paper --rehearse` executes the same code paths on simulated data at
# the paper's shapes with random weights (every page stamped as a rehearsal), so that shape or configuration
# errors surface in minutes on a CPU rather than after hours of download and extraction.

# %% tags=["parameters"]
profile = "embedded"
gpu = "NVIDIA H100 SXM"
gpu_bf16_tflops = 989.0  # in [1, 100000]
utilisation = 0.3  # in [0.01, 1]
results_dir = "benchmarks/results"

# %% tags=["hide-input"]
import json
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from neurokit.book import glue, glue_profile

glue_profile(profile)
costs_file = Path(results_dir) / "paper_costs.json"
costs = json.loads(costs_file.read_text()) if costs_file.is_file() else None
if costs is None:
    display(Markdown("**Not measured yet:** run `python benchmarks/paper_costs.py` and rebuild."))
rate = gpu_bf16_tflops * 1e12 * utilisation  # sustained FLOP/s assumed


def gpu_hours(flop: float) -> float:
    return flop / rate / 3600


glue("gpu", gpu)
glue("gpu_tflops", gpu_bf16_tflops)
glue("utilisation", utilisation)

# %% [markdown]
# These are counts of arithmetic: a run also reads and decodes videos, moves data and waits on the CPU, and at
# these sizes that often takes longer than the arithmetic. Read the estimates as lower bounds of GPU time and as
# the relative weight of each step.
#
# ## Part I: feature extraction and fits
#
# Each of the 37 networks sees every Mini-Algonauts video (1,000 training + 102 test, 3 s at 30 frames per
# second) at its paper sampling; the connectivity chapter's BOLD Moments analysis adds its one base network on
# 1,000 + 102 clips.

# %% tags=["hide-input"]
if costs is not None:
    nets = pd.DataFrame(costs["networks"]).set_index("model")
    n_clips = 1000 + 102
    bmd_model = costs["ridge"]["bmd_model"]
    nets["TFLOP (Mini-Algonauts)"] = nets["gflop_per_clip"] * n_clips / 1e3
    table = nets[["modality", "architecture", "input_size", "frames_seen", "gflop_per_clip",
                  "TFLOP (Mini-Algonauts)"]].rename(
        columns={"input_size": "input (px)", "frames_seen": "frames seen", "gflop_per_clip": "GFLOP per clip"})
    display(table.sort_values("GFLOP per clip", ascending=False).round(1))
    extract_flop = float(nets["gflop_per_clip"].sum() * 1e9 * n_clips)
    extract_flop += float(nets.loc[bmd_model, "gflop_per_clip"]) * 1e9 * n_clips if bmd_model in nets.index else 0
    cache_bytes = float(costs["ridge"]["block_floats_all_models"] * n_clips * 4)
    r = costs["ridge"]
    glue("i_extract_pflop", extract_flop / 1e15)
    glue("i_extract_gpu_min", 60 * gpu_hours(extract_flop))
    glue("i_cache_gib", cache_bytes / 2**30)
    glue("i_fits", int(r["per_voxel_fits"]))
    glue("i_blocks", int(r["model_blocks"]))
    glue("i_voxels", int(r["roi_voxels_all_subjects"]))
    glue("bmd_model", bmd_model)

# %% [markdown]
# Extraction of all 37 networks: {glue:text}`i_extract_pflop:.1f` PFLOP, about {glue:text}`i_extract_gpu_min:.1f`
# GPU-minutes of arithmetic on one {glue:text}`gpu` at {glue:text}`utilisation:.0%` of {glue:text}`gpu_tflops:.0f` TFLOP/s
# (estimate; video decoding and data loading, which often dominate at these sizes, are not included). The
# mean-pooled block features of every network on every clip take {glue:text}`i_cache_gib:.2f` GiB of feature cache
# (float32).
#
# **Fits.** {glue:text}`i_blocks` network blocks × {glue:text}`i_voxels` ROI voxels of the 10 subjects gives
# {glue:text}`i_fits` per-voxel ridge fits. They are cheap one by one (closed form, shared decompositions, one
# penalty per voxel by cross-validation) and independent across (network, block, subject): that is the unit a
# cluster shares. With `neurokit.regression.sweep.run_sweep`, each such task is one job; a Dask cluster
# (`dask.distributed.LocalCluster`, or a `dask-jobqueue` cluster on a batch system) runs them on its workers, and
# a task whose worker dies is run again elsewhere.

# %% [markdown]
# ## Part II: DINOv2 features and Vi-ST training

# %% tags=["hide-input"]
if costs is not None:
    v, d = costs["vist"], costs["dinov2"]
    runs = v["runs_in_results_chapter"]
    dino_flop = d["gflop_per_frame"] * 1e9 * sum(d["frames"].values())
    run_flop = v["gflop_per_step"] * 1e9 * v["steps_per_run"]
    part2 = pd.DataFrame(
        index=["DINOv2 ViT-L/14 features, per frame",
               f"Vi-ST training step ({v['batch'][0]} windows x {v['batch'][1]} frames)"],
        data=dict(zip(["GFLOP per unit", "units", "GPU-hours (estimate)"],
                      [[d["gflop_per_frame"], v["gflop_per_step"]],
                       [sum(d["frames"].values()), v["steps_per_run"] * runs],
                       [gpu_hours(dino_flop), gpu_hours(run_flop * runs)]])))
    part2.index.name = "unit"
    display(part2.round(3))
    glue("ii_params", f"{v['parameters']:,}")
    glue("ii_runs", runs)
    glue("ii_run_gpu_min", 60 * gpu_hours(run_flop))
    glue("ii_gpu_min", 60 * float(part2["GPU-hours (estimate)"].sum()))

# %% [markdown]
# The paper's Vi-ST ({glue:text}`ii_params` parameters) trains for the authors' 30 epochs of 48 steps; one run is
# about {glue:text}`ii_run_gpu_min:.1f` GPU-minutes of arithmetic (estimate; an upper bound for the baselines, which are smaller).
# The results chapter trains {glue:text}`ii_runs` runs (models, seeds and ablations at equal budget), about
# {glue:text}`ii_gpu_min:.0f` GPU-minutes in all with the features. The soft-DTW term of the loss runs on the CPU
# and is not counted.
#
# ## Part III: video generation

# %% tags=["hide-input"]
if costs is not None:
    n = costs["neurons"]
    videos = n["test_clips_per_subject"] * n["subjects"]
    per_video = n["gflop_per_step"] * n["steps_per_video"] + n.get("gflop_vae_per_video", 0.0)
    glue("iii_tflop_video", per_video / 1e3)
    glue("iii_tflop_step", n["gflop_per_step"] / 1e3)
    glue("iii_videos", f"{videos:,}")
    glue("iii_gpu_h", gpu_hours(per_video * 1e9 * videos))
    glue("iii_unet_params", f"{n.get('motion_unet_parameters', n['unet_parameters']) / 1e9:.2f} G")
    glue("iii_ctrl_params", f"{n.get('sparsectrl_parameters', 0) / 1e6:.0f} M")

# %% [markdown]
# Each reconstructed clip runs Stable Diffusion 1.5's UNet with AnimateDiff's motion modules
# ({glue:text}`iii_unet_params` parameters) and SparseCtrl ({glue:text}`iii_ctrl_params`) for 25 denoising steps
# with classifier-free guidance on 16 frames at 256 px, {glue:text}`iii_tflop_step:.1f` TFLOP per step, then the
# VAE: {glue:text}`iii_tflop_video:.0f` TFLOP per clip in all (counted on the meta device; the text encoder is not
# counted). The 1,200 test clips of each of the 3 subjects ({glue:text}`iii_videos` clips) take about
# {glue:text}`iii_gpu_h:.1f` GPU-hours (estimate); training the decoders of the four subtasks is small beside it.
# The rehearsal on this machine runs the same stack with random weights, at one denoising step.
#
# ## Rehearsal measurements on this machine

# %% tags=["hide-input"]
reh_file = Path(results_dir) / "rehearsal_extraction.json"
if reh_file.is_file():
    reh = json.loads(reh_file.read_text())
    res = pd.DataFrame([r for r in reh["results"] if r.get("status") == "ok"])
    res["input"] = [f"{p['n_frames'] or 1} x {p['size']} px" for p in res["paper_sampling"]]
    tidy = res.pivot_table(index=["model", "input"], columns="precision",
                           values=["s_per_clip_cpu", "peak_rss_over_baseline_mib"], aggfunc="first")
    tidy.columns = [f"{'CPU s per clip' if v == 's_per_clip_cpu' else 'peak memory (MiB)'}, {p}"
                    for v, p in tidy.columns]
    display(tidy.round(2))
    failed = [r["model"] for r in reh["results"] if r.get("status") != "ok"]
    if failed:
        display(Markdown("**Not measured:** " + ", ".join(sorted(set(failed)))))
    glue("reh_total_bf16_s", float(res.loc[res.precision == "bf16", "s_per_clip_cpu"].sum()))
    commit = str(reh.get("versions", {}).get("commit", ""))[:10]
    glue("reh_measured", f"measured {str(reh.get('date', ''))[:10]} at commit {commit}")
else:
    display(Markdown("**Not measured yet:** `python benchmarks/rehearsal_extraction.py` times each network's "
                     "extraction per clip and its peak memory at the paper configuration, on this CPU."))
    glue("reh_measured", "not measured yet")
    glue("reh_total_bf16_s", float("nan"))

# %% [markdown]
# Per-network extraction time and peak memory at the paper configuration with random weights, on the CPU that
# builds this book ({glue:text}`reh_measured`; one thread, one clip after a warm-up): the whole roster takes
# {glue:text}`reh_total_bf16_s:.0f` CPU seconds per 90-frame clip in bf16. Peak memory is the resident memory
# above the process's baseline while the network extracts one clip; a GPU run needs memory of the same order per
# network at batch size one.

# %% [markdown]
# ## The whole rehearsal
#
# `neurokit book --profile paper --rehearse` runs every chapter's paper code path on this CPU: the data simulated
# at the paper's per-sample shapes (counts subsampled by the factors each data card states), random weights of
# the same architectures, the fewest repetitions that run every code path (each chapter's settings table lists
# them), Part I's fits on a local Dask cluster with one worker killed mid-sweep, and the site. Timed from a clean
# build directory, data home and cache by `python benchmarks/book_build.py --rehearse`:

# %% tags=["hide-input"]
rb_file = Path(results_dir) / "rehearsal_build.json"
if rb_file.is_file():
    rb = json.loads(rb_file.read_text())
    failed = list(rb.get("failed_chapters", []))
    per = pd.DataFrame({"wall time (s)": pd.Series(rb.get("chapter_wall_times_s", {})).round(0)})
    per["status"] = "executed"
    for name in failed:
        per.loc[name, "status"] = "FAILED"
    display(per.sort_values("wall time (s)", ascending=False))
    load = rb.get("loadavg_before", [float("nan")])[0]
    glue("rb_total_min", rb["clean_build_s"] / 60)
    glue("rb_measured", f"measured {str(rb.get('started', ''))[:10]} at commit {str(rb.get('commit', ''))[:10]}, "
                        f"load average {load:.1f} before the build, {rb.get('machine', '')}")
    glue("rb_status", "completed with every chapter executed" if rb.get("clean_build_rc") == 0 and not failed
         else f"completed with {len(failed)} chapter(s) failed ({', '.join(failed) or 'see the record'})")
else:
    display(Markdown("**Not measured yet:** `python benchmarks/book_build.py --rehearse` times the whole "
                     "rehearsal on this CPU."))
    glue("rb_total_min", float("nan"))
    glue("rb_measured", "not measured yet")
    glue("rb_status", "not run")

# %% [markdown]
# The whole rehearsal {glue:text}`rb_status`, in {glue:text}`rb_total_min:.1f` minutes including the site
# ({glue:text}`rb_measured`). A failed chapter's page says why.
