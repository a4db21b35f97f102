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
#     run_last: true
#     inputs: ["{build}/results/{profile}/*.json"]
#     timeout: 300
# ---

# %% [markdown]
# # Paper vs this book: what holds, on what data
#
# One row per claim or headline number of the three papers, with the paper's value, what this build measured,
# and the chapter that shows it. **In the `embedded` and `smoke` profiles every measured value comes from
# simulated data with known ground truth**: those rows test whether each *analysis* recovers what the simulation
# planted, not whether the papers' *findings* about real brains hold. Only the `paper` profile, on the real data
# sets, can test the latter. This page is assembled from the result records of the other chapters of this build.

# %% tags=["parameters"]
profile = "embedded"

# %% tags=["hide-input"]
import json
import os
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from neurokit.book import glue, glue_profile

glue_profile(profile)
build = Path(os.environ.get("NEUROKIT_BUILD_DIR_ACTIVE", "_build"))
results = {}
for f in sorted((build / "results" / profile).glob("*.json")):
    if not f.name.endswith(".provenance.json"):
        results[f.stem] = json.loads(f.read_text()).get("numbers", {})


def get(chapter, key, fmt="{:.3f}"):
    v = results.get(chapter, {}).get(key)
    if v is None:
        return "not run"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return fmt.format(v)
    return str(v)


def link(chapter):
    return f"[{chapter}]({chapter}.ipynb)" if chapter in results else f"{chapter} (not run)"


ROWS = [
    # (part, claim, paper's value, this run, chapter)
    ("I", "Video models encode dynamic ROIs better than image models (Fig. 3)",
     "video > image in 7 of 9 ROIs (***/** except FFA, PPA: ns)",
     f"video wins in {get('encoding_families', 'dyn_wins')} planted-dynamic ROIs "
     f"(mean gap {get('encoding_families', 'dyn_gap')} r); across ROIs the gap tracks the planted motion share, "
     f"r = {get('encoding_families', 'gap_motion_r', '{:.2f}')}", "encoding_families"),
    ("I", "No video advantage in static ROIs (FFA, PPA)", "ns in FFA, PPA",
     f"video wins in {get('encoding_families', 'static_wins')} planted-static ROIs "
     f"(mean gap {get('encoding_families', 'static_gap')} r)", "encoding_families"),
    ("I", "Encoding fits run", "> 2 million", f"{get('encoding_families', 'n_fits')} per-voxel fits",
     "encoding_families"),
    ("I", "The correct family wins per block of a known target network (Fig. 2)",
     "clearest for MViT-B and ViT-B targets",
     f"{get('encoding_targets', 'n_correct')} of {get('encoding_targets', 'n_blocks')} blocks "
     f"({get('encoding_targets', 'n_correct_sig')} significant)", "encoding_targets"),
    ("I", "The connectivity encoder improves encoding (Fig. 5a)", "+0.009 to +0.028 r",
     f"{get('encoding_connectivity', 'gain_full', '{:+.3f}')} r leak-free; "
     f"{get('encoding_connectivity', 'gain_leaky', '{:+.3f}')} r with measured responses as inputs (leaky)",
     "encoding_connectivity"),
    ("I", "Region-weight matrix vs the planted connectivity (Fig. 5c)", "no ground truth in the paper",
     f"r = {get('encoding_connectivity', 'r_planted_directed')} (leak-free), "
     f"{get('encoding_connectivity', 'r_planted_leaky')} (leaky)", "encoding_connectivity"),
    ("I", "Noise ceilings estimated from repeats vs planted", "—",
     f"mean abs. error {get('encoding_data', 'nc_error')}", "encoding_data"),
    ("II", "Vi-ST parameter count (paper configuration)", "1,702,952 (authors' log)",
     f"{get('vist_model', 'n_params', '{:,}')}", "vist_model"),
    ("II", "Causal temporal reach", "183 frames (t … t+182)", f"{get('vist_model', 'reach')} frames", "vist_model"),
    ("II", "Vi-ST cross-movie CC", "0.305 / 0.228 (authors' logs, mean |r|)",
     f"{get('vist_results', 'vist_cc_cross')} (LN baseline {get('vist_results', 'ln_cc_cross')})", "vist_results"),
    ("II", "Vi-ST beats the LN model across movies", "— (no LN baseline in the paper)",
     get("vist_results", "vist_beats_ln"), "vist_results"),
    ("II", "Within- vs cross-movie gap", "—", f"{get('vist_results', 'vist_gap')} CC", "vist_results"),
    ("II", "Receptive-field maps vs the true RFs (linear cells)", "—", f"r = {get('vist_data', 'rf_r_linear')}",
     "vist_data"),
]
for key, label, paper in (("seg_dice", "Key-object segmentation Dice", "35.63 %"),
                          ("concept_acc", "Concept recognition", "human 0.735 … fish 0.292 (recall)"),
                          ("video_2way", "Video-based 2-way accuracy", "0.863"),
                          ("video_50way", "Video-based 50-way accuracy", "0.262"),
                          ("clip_pcc", "CLIP-pcc (temporal consistency)", "0.934")):
    for chapter in ("neurons_decoding", "neurons_reconstruction"):
        if key in results.get(chapter, {}):
            ROWS.append(("III", label, paper, get(chapter, key), chapter))
            break

table = pd.DataFrame(ROWS, columns=["part", "claim or number", "paper", f"this build ({profile})", "chapter"])
table["chapter"] = table["chapter"].map(link)
table = table.map(lambda v: str(v).replace("|", "\\|"))  # literal bars would split the Markdown table
glue("summary_table", table)
display(Markdown(table.to_markdown(index=False)))
glue("n_claims", len(table))

# %% [markdown]
# The table lists {glue:text}`n_claims` rows ({glue:text}`data_label`). Where this build's value disagrees with
# what the simulation planted (for example a model family that does not win where it should, or a model that
# does not beat its baseline), the chapter says so and why; nothing here is tuned to match the paper's numbers.
