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
# # Paper vs this book: the claims ledger
#
# One row per claim of the three papers: the paper's number as published (with its source), what the simulated
# world of this build planted for it, what this build measured, the chance or control level, and a verdict
# computed from those numbers. **In the `embedded` and `smoke` profiles every measured value comes from simulated
# data with known ground truth**: a row tests whether the *analysis* recovers what the simulation planted (and does
# not find it in a control where it is absent), not whether the paper's finding about real brains holds; only the
# `paper` profile, on the real data sets, tests the latter. A claim that the simulated world cannot test says so
# ("not testable in this world"), and its chapter shows why.

# %% [markdown]
# ```{include} ../_substitutes.md
# ```

# %% tags=["parameters"]
profile = "embedded"

# %% tags=["hide-input"]
import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from neurokit.book import glue, glue_profile
from neurokit.claims import VERDICTS, evaluate
from neurokit.plotting import PAGE_WIDTH, set_style, verdict_colors
from neurokit.studies.encoding import claims as encoding_claims
from neurokit.studies.neurons import claims as neurons_claims
from neurokit.studies.vist import claims as vist_claims

set_style()
glue_profile(profile)

# %% tags=["hide-input"]
build = Path(os.environ.get("NEUROKIT_BUILD_DIR_ACTIVE", "_build"))
results = {}
for f in sorted((build / "results" / profile).glob("*.json")):
    if not f.name.endswith(".provenance.json"):
        results[f.stem] = json.loads(f.read_text()).get("numbers", {})

CLAIMS = [*encoding_claims.CLAIMS, *vist_claims.CLAIMS, *neurons_claims.CLAIMS]
rows = [evaluate(c, results.get(c.chapter)) for c in CLAIMS]
ledger = pd.DataFrame(rows)
missing = ledger[ledger["verdict"] == "not run"]
glue("ledger", ledger.drop(columns=["missing"]))
glue("n_claims", len(ledger))
glue("n_missing", len(missing))
for v in VERDICTS:
    glue("n_" + v.replace(" ", "_"), int((ledger["verdict"] == v).sum()))


def link(chapter):
    return f"[{chapter}]({chapter}.ipynb)" if chapter in results else f"{chapter} (not run)"


shown = ledger.assign(chapter=ledger["chapter"].map(link), paper=ledger["paper"] + " — " + ledger["source"])
shown = shown[["part", "claim", "paper", "planted", "this build", "control", "verdict", "chapter"]]
shown = shown.map(lambda v: str(v).replace("|", "\\|"))  # a literal bar would split the Markdown table
display(Markdown(shown.to_markdown(index=False)))

# %% [markdown]
# The ledger holds {glue:text}`n_claims` claims ({glue:text}`data_label`): {glue:text}`n_recovered` recovered,
# {glue:text}`n_partly_recovered` partly recovered, {glue:text}`n_not_recovered` not recovered and
# {glue:text}`n_not_testable_in_this_world` not testable in this world; {glue:text}`n_missing` rows lack a number
# (their chapter did not run or did not record it). Nothing here is tuned to match the paper's numbers: where a
# row is not recovered, its chapter shows the evidence and discusses why.

# %% tags=["hide-input"]
counts = ledger.pivot_table(index="part", columns="verdict", values="key", aggfunc="count", fill_value=0)
counts = counts.reindex(columns=[v for v in VERDICTS if v in counts.columns])
fig, ax = plt.subplots(figsize=(PAGE_WIDTH * 0.75, 1.9))
left = pd.Series(0, index=counts.index)
colors = verdict_colors()
for v in counts.columns:
    ax.barh([f"Part {p}" for p in counts.index], counts[v], left=left, color=colors[v], label=v)
    left += counts[v]
ax.invert_yaxis()
ax.set_xlabel("claims")
fig.legend(loc="upper center", ncol=len(counts.columns), fontsize=7, frameon=False)
fig.tight_layout(rect=(0, 0, 1, 0.82))
glue("fig_ledger", fig, data=counts.reset_index())

# %% [markdown]
# ```{glue:figure} fig_ledger
# :name: fig-ledger
#
# Verdicts of the ledger per Part ({glue:text}`data_label`).
# ```
