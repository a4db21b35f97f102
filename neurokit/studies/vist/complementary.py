"""Complementary coding (the paper's Fig. 6): does modelling more cells at once help predict the best cells?

The poster's protocol: (1) sort the cells by the CC of the model trained on all of them and keep the top 8;
(2) train models on 90, 64, 32, 16, 8 and 1 cells; (3) compare the CCs of those 8 cells; (4) report their mean.
Here the subsets of ``n >= 8`` cells hold the top cells plus cells drawn at random; for ``n < 8`` the top cells
are split into groups of ``n`` (``n = 1``: one model per top cell); see
:func:`neurokit.vist.metrics.complementary_subsets`.
Vi-ST's width after the C3TCN equals the number of cells it models, so "more cells" is also "a wider network",
in the paper as here.

The top cells are chosen on the same test data on which every condition is then compared (the poster's
protocol); that favours the full model, whose own noise picked them. ``selection_bias`` measures it: the full
model's top-8 mean on movie 2 when the 8 are chosen on movie 2 itself, minus when they are chosen on movie 1's
held-out half.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neurokit.studies.vist.experiment import WITHIN, Job, Movies, run_jobs
from neurokit.studies.vist.settings import ViSTSettings
from neurokit.vist.metrics import complementary_subsets, top_k_cells, top_k_mean

__all__ = ["ComplementaryResult", "jobs", "run"]


@dataclass(frozen=True)
class ComplementaryResult:
    """What the complementary-coding analysis returns.

    Attributes
    ----------
    table : DataFrame
        Per number of cells modelled (index): models trained, training steps, top-k mean CC on the cross store
        (the poster's protocol), the same within movie 1, mean CC of all modelled cells.
    top : ndarray of int
        The top cells (by the full model's CC on the cross store).
    selection_bias : float
        See the module docstring.
    store : str
    """

    table: pd.DataFrame
    top: np.ndarray
    selection_bias: float
    store: str
    runs: dict = field(repr=False)


def _key(n: int, i: int, n_models: int) -> str:
    return f"vist, {n} cells" + (f" #{i + 1}" if n_models > 1 else "")


def jobs(s: ViSTSettings, n_cells: int, top, store: str) -> list[Job]:
    """The runs on fewer cells (the full population's run is the reference ``"vist"`` run)."""
    cfg = s.train_config()
    out = []
    for n in s.cell_counts:
        if n >= n_cells:
            continue
        subsets = complementary_subsets(n_cells, top, n, seed=s.seed)
        out += [Job(_key(n, i, len(subsets)), "vist", cfg, s.video_layers, s.video_dim,
                    cells=tuple(int(c) for c in sub), tests=(store,)) for i, sub in enumerate(subsets)]
    return out


def run(s: ViSTSettings, movies: Movies, runs: dict | None = None) -> ComplementaryResult:
    """The complementary-coding experiment (the full-population run is shared with the headline analysis)."""
    from neurokit.studies.vist import generalisation

    runs = dict(runs or {})
    if "vist" not in runs:
        runs.update(run_jobs(generalisation.jobs(s)[:1], movies, n_jobs=1, threads=s.torch_threads))
    store = "MOVIE03" if "MOVIE03" in movies.cross else next(iter(movies.cross))
    n_cells = movies.train.n_cells
    k = min(s.top_k, n_cells)
    full = runs["vist"]
    top = top_k_cells(full.per_cell[store], k)
    todo = jobs(s, n_cells, top, store)
    missing = [j for j in todo if j.key not in runs]
    if missing:
        runs.update(run_jobs(missing, movies, n_jobs=s.n_jobs, threads=s.torch_threads))
    rows = []
    sizes = sorted({min(n, n_cells) for n in s.cell_counts}, reverse=True)
    for n in sizes:
        if n >= n_cells:
            members = [full]
        else:
            n_models = len(complementary_subsets(n_cells, top, n, seed=s.seed))
            members = [runs[_key(n, i, n_models)] for i in range(n_models)]
        rows.append({
            "cells modelled": n, "models": len(members), "training steps": members[0].steps,
            f"top-{k} mean CC (cross)": top_k_mean([(m.cells, m.per_cell[store]) for m in members], top),
            f"top-{k} mean CC (within)": top_k_mean([(m.cells, m.per_cell[WITHIN]) for m in members], top),
            "mean CC of modelled cells (cross)": float(np.mean([m.scores[store]["cc"] for m in members])),
        })
    table = pd.DataFrame(rows).set_index("cells modelled")
    top_within = top_k_cells(full.per_cell[WITHIN], k)
    bias = float(np.mean(full.per_cell[store][top]) - np.mean(full.per_cell[store][top_within]))
    return ComplementaryResult(table, top, bias, store, runs)
