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
#     inputs: ["benchmarks/results/*.json"]
#     timeout: 600
# ---

# %% [markdown]
# # Benchmarks: speed and memory against peers
#
# Speed and memory goals live here, not in timed tests. Each benchmark script in `benchmarks/` measures
# neurokit **and its peers in the same run, on the same machine and data**, prints the ratios and saves them
# as JSON in `benchmarks/results/`; this page plots the saved results (it does not re-run them). Re-run one
# with e.g. `python benchmarks/ridge.py` and rebuild. The machine these were measured on is shared: each record
# carries its load average, and single runs can vary by ±30 %.

# %% tags=["parameters"]
profile = "embedded"
results_dir = "benchmarks/results"

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from neurokit.book import glue, glue_profile
from neurokit.plotting import PAGE_WIDTH, palette, set_style

set_style()
glue_profile(profile)
RESULTS = Path(results_dir)


def load(name):
    f = RESULTS / f"{name}.json"
    return json.loads(f.read_text()) if f.is_file() else None


def missing(name, script, figure=None):
    """Say that a benchmark has not been run; glue a labelled placeholder where a figure is expected."""
    display(Markdown(f"**Not measured yet:** no `{name}` results; run `python benchmarks/{script}` and rebuild."))
    if figure:
        fig, ax = plt.subplots(figsize=(PAGE_WIDTH * 0.6, 0.8))
        ax.axis("off")
        ax.text(0.5, 0.5, f"not measured yet: python benchmarks/{script}", ha="center", va="center")
        glue(figure, fig)


# %% [markdown]
# ## Voxelwise ridge regression
# neurokit's `RidgeCV` (one penalty per voxel, 5-fold CV, shared decompositions) against himalaya's `RidgeCV`
# and `KernelRidgeCV` and scikit-learn's `RidgeCV` (efficient leave-one-out, `fit_intercept=True`), at
# n_train = 900, n_test = 100, on the same data and alphas (`benchmarks/ridge.py`).

# %%
ridge = load("ridge")
if ridge is None:
    missing("ridge", "ridge.py", "fig_bench_ridge")
else:
    from neurokit.plotting.benchmarks import plot_ridge_benchmark

    fig = plot_ridge_benchmark(RESULTS / "ridge.json")
    glue("fig_bench_ridge", fig)
    summary = pd.DataFrame(ridge["summary"])
    display(summary.round(3))
    glue("ridge_summary", summary)

# %% [markdown]
# ```{glue:figure} fig_bench_ridge
# :name: fig-bench-ridge
#
# Ridge benchmark: wall time per method and problem size, and neurokit's speed-up and fraction of the
# machine's measured matrix-multiply peak (measured on this project's 2-core machine; not simulated data
# for a paper figure but synthetic regression problems).
# ```

# %% [markdown]
# ## Soft-DTW divergence (the Vi-ST loss)
# Forward + backward of the soft-DTW divergence (γ = 0.1, squared Euclidean cost) on batches of 40 windows of
# 90 cells, against tslearn's `SoftDTWLossPyTorch` with a matrix-product distance (its fastest configuration),
# and the gradient error against central finite differences in float64 (`benchmarks/softdtw.py`).

# %%
sdtw = load("softdtw")
if sdtw is None:
    missing("softdtw", "softdtw.py", "fig_bench_softdtw")
    glue("sdtw_grad_error", float("nan"))
else:
    t = pd.DataFrame(sdtw["timing"])
    t = t[t["T"] >= 90]
    table = t.pivot_table(index=["T", "dtype"], columns="impl", values="median_s")
    table["tslearn / neurokit"] = table["tslearn_mmdist"] / table["neurokit"]
    display(table.round(4))
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH * 0.7, PAGE_WIDTH * 0.35))
    labels = [f"T = {a}\n{b}" for a, b in table.index]
    x = np.arange(len(labels))
    for i, impl in enumerate(["neurokit", "tslearn_mmdist"]):
        ax.bar(x + (i - 0.5) * 0.38, table[impl], width=0.38, label=impl, color=palette()[i])
    ax.set_xticks(x, labels)
    ax.set_ylabel("seconds per fwd+bwd")
    ax.legend()
    glue("fig_bench_softdtw", fig)
    grad = pd.Series(sdtw["grad_error_vs_fd"], name="relative gradient error vs finite differences")
    display(grad.to_frame())
    glue("sdtw_grad_error", float(sdtw["grad_error_vs_fd"]["neurokit"]))
    glue("sdtw_speedup_t90_f32", float(table.loc[(90, "float32"), "tslearn / neurokit"]))

# %% [markdown]
# ```{glue:figure} fig_bench_softdtw
# :name: fig-bench-softdtw
#
# Soft-DTW divergence, forward + backward, seconds per batch (median of repeats). neurokit's float64 gradient
# agrees with finite differences to {glue:text}`sdtw_grad_error:.1e` relative (tslearn's torch wrapper rounds
# its DP table to float32).
# ```

# %% [markdown]
# ## The Vi-ST training step
# One training step (forward, loss, backward, AdamW) of the embedded Vi-ST configuration on CPU, this build's
# model against the previous implementation of the same function kept in the tests (`tests/_vist_reference.py`),
# CPU seconds on one thread, and the held-out CC of both after the same training budget
# (`benchmarks/vist_step.py`). The fraction of the peak is the step's floating-point work over the one-thread
# matrix-product peak measured in the same run.

# %%
vs = load("vist_step")
if vs is None:
    missing("vist_step", "vist_step.py")
else:
    tim = vs["timing"]
    step = pd.DataFrame({impl: {"step (s CPU)": tim[impl]["step_cpu_s"], "forward (s CPU)": tim[impl]["forward_cpu_s"],
                                "backward (s CPU)": tim[impl]["backward_cpu_s"],
                                "fraction of matmul peak": tim[impl]["fraction_of_matmul_peak"]}
                         for impl in ("reference", "current") if impl in tim}).T
    display(step.round(3))
    trained = pd.DataFrame(vs["training"]).pivot_table(index="seed", columns="impl",
                                                       values=["cc_within", "cc_cross"])
    display(trained.round(3))
    glue("vist_step_speedup", float(vs["speedup"]["step"]))
    glue("vist_step_peak_fraction", float(tim["current"]["fraction_of_matmul_peak"]))
    glue("vist_step_load", f"{vs['machine']['loadavg_before'][0]:.1f}")
    glue("vist_step_commit", vs["git"]["commit"][:10])

# %% [markdown]
# The step runs {glue:text}`vist_step_speedup:.2f` times faster than the previous implementation and reaches
# {glue:text}`vist_step_peak_fraction:.0%` of the matrix-product peak (commit {glue:text}`vist_step_commit`,
# load average {glue:text}`vist_step_load` when measured); held-out CC stays within the spread of seeds.

# %% [markdown]
# ## Feature extraction in bf16
# Multi-block feature extraction (one forward pass with hooks on every block) in float32 and in bfloat16 on
# CPUs with bf16 units, against the bare forward pass of the same model in the same precision
# (`benchmarks/extraction.py`: CPU seconds per clip, medians over interleaved rounds, one thread). The second
# table shows what bf16 changes in the features: the correlation of each block with its float32 counterpart and
# the encoding scores of the best block.

# %%
ext = load("extraction")
if ext is None:
    missing("extraction", "extraction.py")
else:
    rows = []
    for r in ext["results"]:
        t = r["seconds_per_clip"]
        rows.append({"model": r["model"], "blocks": r["n_layers"], "f32 extract (ms/clip)": 1e3 * t["f32_extract"],
                     "bf16 extract (ms/clip)": 1e3 * t["bf16_extract"],
                     "bf16 / f32 speed": t["f32_extract"] / t["bf16_extract"],
                     "extract / bare (f32)": r["extract_over_bare_f32"],
                     "extract / bare (bf16)": r["extract_over_bare_bf16"]})
    ext_table = pd.DataFrame(rows).set_index("model")
    display(ext_table.round(3))
    agree = []
    for name, m in ext["agreement"]["models"].items():
        enc = m["encoding"]
        agree.append({"model": name, "weights": m["weights"], "lowest block r (bf16 vs f32)": m["min_block_r"],
                      "largest |Δr| best block": enc["best_block_max_abs_dr_roi"],
                      "mean r f32": enc["mean_r_f32"], "mean r bf16": enc["mean_r_bf16"],
                      "within tolerances": all(m["within_tolerances"].values())})
    agree_table = pd.DataFrame(agree).set_index("model")
    display(agree_table.round(4))
    summ = ext["summary"]
    glue("ext_speedup_median", float(summ["speedup_median"]))
    glue("ext_speedup_min", float(summ["speedup_min"]))
    glue("ext_over_bare_min", float(summ["extract_over_bare_min"]))
    glue("ext_min_block_r", float(agree_table["lowest block r (bf16 vs f32)"].min()))
    glue("ext_load", f"{ext['machine']['loadavg_before'][0]:.1f}")

# %% [markdown]
# Median over models, bf16 extraction runs {glue:text}`ext_speedup_median:.2f` times faster than float32 (slowest
# model {glue:text}`ext_speedup_min:.2f`×); extraction keeps at least {glue:text}`ext_over_bare_min:.2f` of the
# bare forward pass's throughput; every block's bf16 features correlate with float32 at r ≥
# {glue:text}`ext_min_block_r:.4f`. Load average when measured: {glue:text}`ext_load`.

# %% [markdown]
# ## Building the book
# A clean build of the whole book, a rebuild with nothing changed, and the re-run of one chapter with a new
# parameter (`benchmarks/book_build.py`).

# %%
bb = load("book_build")
if bb is None:
    missing("book_build", "book_build.py", "fig_bench_book")
else:
    when = pd.Series({"measured": bb.get("started", "not recorded"), "commit": str(bb.get("commit", "not recorded"))[:12],
                      "machine": bb.get("machine"), "load average before": bb.get("load_before"),
                      "chapters executed by the no-change rebuild": bb.get("no_change_executed", "not recorded")})
    display(when.to_frame("value"))
    goals = bb.get("goals", {})
    measured = {"clean_build_s": bb.get("clean_build_s"), "no_change_rebuild_s": bb.get("no_change_rebuild_s"),
                "rerun_overhead_s": bb.get("rerun_overhead_s")}
    display(pd.DataFrame([{"quantity": k, "measured (s)": v, "goal (s)": goals.get(k),
                           "measured / goal": v / goals[k] if v is not None and goals.get(k) else float("nan")}
                          for k, v in measured.items()]).set_index("quantity").round(2))
    times = pd.Series(bb.get("chapter_wall_times_s", {}), name="seconds").sort_values()
    parts = {"Part I (encoding_*)": "encoding_", "Part II (vist_*)": "vist_", "Part III (neurons_*)": "neurons_"}
    display(pd.DataFrame([{"part": name, "chapters": int(times.index.str.startswith(pre).sum()),
                           "execution (s)": float(times[times.index.str.startswith(pre)].sum()),
                           "budget (s)": {"encoding_": 200.0, "vist_": 170.0, "neurons_": 130.0}[pre]}
                          for name, pre in parts.items()]).set_index("part").round(1))
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 0.25 * len(times) + 0.8))
    ax.barh(times.index, times.values, color=palette()[0])
    ax.set_xlabel(f"execution time (s), {bb['profile']} profile")
    glue("fig_bench_book", fig)

# %% [markdown]
# ```{glue:figure} fig_bench_book
# :name: fig-bench-book
#
# Execution time of each chapter in the last clean build measured by `benchmarks/book_build.py` (cold data and
# feature caches: simulation and feature extraction are included in the chapters that first need them).
# ```

# %% [markdown]
# ## Peak memory of each Part
# Peak resident memory (the kernel and its children) while each chapter executes under the embedded profile
# (`benchmarks/memory.py`; budget: {glue:text}`mem_budget_gib` GiB per Part).

# %%
mem = load("memory")
if mem is None:
    missing("memory", "memory.py")
    glue("mem_budget_gib", float("nan"))
else:
    glue("mem_budget_gib", float(mem["budget_gib"]))
    rows = []
    for part, p in mem["parts"].items():
        chapters = p["chapters"]
        dates = sorted({str(mem["chapters"][c].get("measured", mem.get("date", "")))[:10] for c in chapters})
        statuses = sorted({mem["chapters"][c].get("status", "?") for c in chapters})
        rows.append({"part": part.replace(" (not in _toc.yml)", ""), "chapters": ", ".join(chapters),
                     "peak (GiB)": p["peak_rss_gib"], "budget (GiB)": mem["budget_gib"],
                     "within budget": "yes" if p["within_budget"] else "no",
                     "chapter runs": ", ".join(statuses), "measured": ", ".join(dates),
                     "commit": str(mem.get("commit", "not recorded"))[:12]})
    memory_table = pd.DataFrame(rows).set_index("part")
    glue("memory_table", memory_table)
    display(memory_table)
