"""Generalisation: every model at equal budget, within movie 1 and on each rung of the context-shift ladder.

The poster's claim is that Vi-ST loses less than the baselines when the test movie changes (within-movie CC
0.789 → cross-movie 0.334, against ≈0.85 → ≈0.10 for I3D+MSTCN and DINOv2+MSTCN). Here every model of
``settings.models`` is trained once on movie 1 with the same recipe and scored within movie 1 (second half,
pixel context conserved) and on every movie-2 store; the **drop** is within − cross per rung.

The inference unit is the cell: confidence intervals of a drop difference resample cells (the per-cell ``|r|``
within and across), with the models fixed. The run-to-run spread of Vi-ST comes from its other seeds.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neurokit.studies.vist.experiment import WITHIN, Job, Movies, RunResult, run_jobs
from neurokit.studies.vist.settings import ViSTSettings
from neurokit.vist import zoo

__all__ = ["GeneralisationResult", "jobs", "run", "POSTER_BASELINES", "drop_difference_ci"]

#: Baselines of the poster's table that have cross-movie values (their mean drop is the paper's comparison).
POSTER_BASELINES = ("dinov2_mstcn", "i3d_mstcn")


@dataclass(frozen=True)
class GeneralisationResult:
    """What the generalisation analysis returns.

    Attributes
    ----------
    table : DataFrame
        One row per model (index): training steps, parameters, CC on its training frames, CC within, then per
        cross store its CC and drop, the signed mean r within and on the first store, seconds.
    ladder : DataFrame
        Long form: model, level, rung, store, CC within, CC cross, drop, retained (cross / within).
    seeds : DataFrame
        Vi-ST per training seed: CC within and per store, drop per store.
    budget : DataFrame or None
        The reference Vi-ST at the budget and at twice it (``settings.budget_check``): training steps, CC within and
        per store.
    curves : DataFrame
        Learning curves of the trained models: model, step, CC within, CC on the first store.
    drop_ci : DataFrame
        Per store: Vi-ST drop, mean drop of the poster's baselines, their difference (baselines − Vi-ST) and its
        95 % interval over cells resampled with replacement.
    stores : tuple of str
        Cross stores in ladder order.
    runs : dict
        Run key → :class:`~neurokit.studies.vist.experiment.RunResult`.
    """

    table: pd.DataFrame
    ladder: pd.DataFrame
    seeds: pd.DataFrame
    curves: pd.DataFrame
    drop_ci: pd.DataFrame
    budget: object
    stores: tuple
    runs: dict = field(repr=False)


def seed_key(seed: int) -> str:
    return f"vist, seed {int(seed)}"


#: Result key of the reference Vi-ST trained with twice the budget (``settings.budget_check``).
DOUBLE = "vist, twice the steps"


def jobs(s: ViSTSettings) -> list[Job]:
    """The headline runs: every model of ``s.models`` at ``s.train_config()``, and Vi-ST at the other seeds."""
    cfg = s.train_config()
    out = [Job(m, m, cfg, s.video_layers, s.video_dim, curve_every=s.curve_every if zoo.get(m).trainable else 0)
           for m in s.models]
    out += [Job(seed_key(k), "vist", s.train_config(k), s.video_layers, s.video_dim) for k in s.check_seeds]
    if s.budget_check:
        out.append(Job(DOUBLE, "vist", s.train_config(budget=2), s.video_layers, s.video_dim))
    return out


def _level(store: str, movies: Movies) -> tuple[int, str]:
    d = movies.cross[store]
    return int(d.attrs.get("ladder_level", 1)), str(d.attrs.get("ladder_rung", "movie 2"))


def drop_difference_ci(runs: dict, store: str, baselines=POSTER_BASELINES, n_boot: int = 2000,
                       seed: int = 0) -> tuple[float, float, float]:
    """Mean drop of ``baselines`` minus Vi-ST's drop on ``store``, with a 95 % interval over resampled cells.

    A drop is mean over cells of ``|r|`` within − ``|r|`` on ``store``. Cells are resampled with replacement (the same
    cells for every model), the models and their predictions stay fixed. Returns (difference, low, high).
    """
    per_cell = {m: np.abs(runs[m].per_cell[WITHIN]) - np.abs(runs[m].per_cell[store]) for m in ("vist", *baselines)}
    diff = np.mean([per_cell[b] for b in baselines], axis=0) - per_cell["vist"]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diff), size=(n_boot, len(diff)))
    boot = diff[idx].mean(1)
    return float(diff.mean()), float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))


def run(s: ViSTSettings, movies: Movies, runs: dict | None = None) -> GeneralisationResult:
    """Run (or read from the cache) the headline runs and tabulate them (see :class:`GeneralisationResult`)."""
    todo = jobs(s)
    runs = runs if runs is not None and all(j.key in runs for j in todo) else run_jobs(
        todo, movies, n_jobs=s.n_jobs, threads=s.torch_threads)
    stores = tuple(movies.cross)
    rows, ladder = [], []
    for m in s.models:
        r: RunResult = runs[m]
        w = r.scores[WITHIN]["cc"]
        row = {"model": m, "training steps": r.steps if zoo.get(m).trainable else "closed form",
               "parameters": r.n_params, "CC training frames": r.train_cc, "CC within": w}
        for st in stores:
            c = r.scores[st]["cc"]
            level, name = _level(st, movies)
            row[f"CC {st}"] = c
            row[f"drop {st}"] = w - c
            ladder.append({"model": m, "level": level, "rung": name, "store": st, "CC within": w, "CC cross": c,
                           "drop": w - c, "retained": c / w if w else np.nan})
        row["signed r within"] = r.scores[WITHIN]["cc_signed"]
        row[f"signed r {stores[0]}"] = r.scores[stores[0]]["cc_signed"] if stores else np.nan
        row["seconds"] = r.seconds
        rows.append(row)
    table = pd.DataFrame(rows).set_index("model")
    seed_rows = []
    for k, sd in [("vist", s.seed)] + [(seed_key(x), x) for x in s.check_seeds]:
        r = runs[k]
        row = {"seed": sd, "training steps": r.steps, "CC within": r.scores[WITHIN]["cc"]}
        for st in stores:
            row[f"CC {st}"] = r.scores[st]["cc"]
            row[f"drop {st}"] = r.scores[WITHIN]["cc"] - r.scores[st]["cc"]
        seed_rows.append(row)
    seeds = pd.DataFrame(seed_rows).set_index("seed")
    curve_rows = []
    first = stores[0] if stores else None
    for m in s.models:
        for p in runs[m].curve:
            curve_rows.append({"model": m, "step": p["step"], "swa": p["swa"], "CC within": p[WITHIN],
                               f"CC {first or 'cross'}": p.get(first, np.nan)})
    curves = pd.DataFrame(curve_rows)
    ci_rows = []
    base = [b for b in POSTER_BASELINES if b in runs]
    for st in stores:
        level, name = _level(st, movies)
        vd = runs["vist"].scores[WITHIN]["cc"] - runs["vist"].scores[st]["cc"]
        bd = float(np.mean([runs[b].scores[WITHIN]["cc"] - runs[b].scores[st]["cc"] for b in base])) if base else np.nan
        d, lo, hi = drop_difference_ci(runs, st, base, seed=s.seed) if base else (np.nan,) * 3
        ci_rows.append({"level": level, "rung": name, "store": st, "Vi-ST drop": vd, "baseline drop (mean)": bd,
                        "baselines − Vi-ST": d, "95% CI low": lo, "95% CI high": hi})
    drop_ci = pd.DataFrame(ci_rows).set_index("level")
    budget = None
    if s.budget_check:
        budget = pd.DataFrame([{"run": k, "training steps": runs[k].steps, "CC within": runs[k].scores[WITHIN]["cc"],
                                **{f"CC {st}": runs[k].scores[st]["cc"] for st in stores}} for k in ("vist", DOUBLE)]
                              ).set_index("run")
    return GeneralisationResult(table, pd.DataFrame(ladder), seeds, curves, drop_ci, budget, stores, runs)
