"""Ablations of Vi-ST at the headline budget, beside the website's ablation figure.

Every variant is trained with the recipe of the reference Vi-ST run (same steps, batch, schedule and seed), and
scored on movie 1's held-out half and on movie 2 (the first cross store, the paper's Mov1 → Mov2). A difference
is read against the run-to-run spread of Vi-ST (its other seeds): an ablation that beats the reference by more
than that spread comes out in the paper's opposite order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neurokit.studies.vist import published
from neurokit.studies.vist.experiment import WITHIN, Job, Movies, run_jobs
from neurokit.studies.vist.generalisation import seed_key
from neurokit.studies.vist.settings import ViSTSettings
from neurokit.vist import zoo

__all__ = ["AblationResult", "jobs", "run"]


@dataclass(frozen=True)
class AblationResult:
    """What the ablation analysis returns.

    Attributes
    ----------
    table : DataFrame
        One row per variant (the reference first): what it changes, the paper's nearest ablation and its CC,
        training steps, parameters, CC within, CC cross, signed r cross, SD-KL cross (code), Δ CC cross against the
        reference, Δ in units of the seed spread, and the order against the paper ("as paper", "opposite",
        "within seed spread", "no counterpart").
    seed_spread : float
        Range of Vi-ST's cross-movie CC over its training seeds (at least two runs), the noise scale.
    opposite : tuple of str
        Variants ahead of the reference by more than the seed spread although the paper has them behind it.
    store : str
        The cross store of the comparison.
    """

    table: pd.DataFrame
    seed_spread: float
    opposite: tuple
    store: str
    runs: dict = field(repr=False)


def jobs(s: ViSTSettings) -> list[Job]:
    """The ablation runs (the reference and the seeds are the generalisation analysis's runs)."""
    cfg = s.train_config()
    return [Job(a, a, cfg, s.video_layers, s.video_dim) for a in s.ablations]


def run(s: ViSTSettings, movies: Movies, runs: dict | None = None) -> AblationResult:
    """Run (or read from the cache) the ablations and tabulate them beside the paper's figure."""
    from neurokit.studies.vist import generalisation

    todo = generalisation.jobs(s) + jobs(s)
    if runs is None or not all(j.key in runs for j in todo):
        runs = run_jobs(todo, movies, n_jobs=s.n_jobs, threads=s.torch_threads)
    store = next(iter(movies.cross))
    ref = runs["vist"].scores[store]["cc"]
    seeds = [runs["vist"].scores[store]["cc"]] + [runs[seed_key(k)].scores[store]["cc"] for k in s.check_seeds]
    spread = float(np.ptp(seeds)) if len(seeds) > 1 else float("nan")
    rows, opposite = [], []
    for k in ("vist", *s.ablations):
        r = runs[k]
        paper_name = published.ABLATION_OF_VARIANT.get(k)
        paper_cc = published.ABLATION.get(paper_name, np.nan) if paper_name else np.nan
        c = r.scores[store]["cc"]
        delta = c - ref
        if k == "vist":
            order = "reference"
        elif paper_name is None:
            order = "no counterpart"
        elif abs(delta) <= spread or np.isnan(spread):
            order = "within seed spread"
        else:
            paper_delta = paper_cc - published.ABLATION["Vi-ST"]
            order = "as paper" if np.sign(delta) == np.sign(paper_delta) else "opposite"
            if order == "opposite":
                opposite.append(k)
        rows.append({"variant": k, "what it changes": zoo.get(k).description, "paper ablation": paper_name or "—",
                     "paper CC": paper_cc, "training steps": r.steps, "parameters": r.n_params,
                     "CC within": r.scores[WITHIN]["cc"], "CC cross": c, "signed r cross": r.scores[store]["cc_signed"],
                     "SD-KL cross": r.scores[store]["sdkl"], "Δ CC cross": delta,
                     "Δ / seed spread": delta / spread if spread else np.nan, "order vs paper": order})
    return AblationResult(pd.DataFrame(rows).set_index("variant"), spread, tuple(opposite), store, runs)
