"""Everything the Vi-ST results chapter trains, in one call: ``run(settings) -> ViSTResults``.

The runs of the four analyses (:mod:`~neurokit.studies.vist.generalisation`, :mod:`~neurokit.studies.vist.ablations`,
:mod:`~neurokit.studies.vist.layers`, :mod:`~neurokit.studies.vist.complementary`) are gathered into two batches
so that the worker processes stay busy (the longest runs first): every run that does not depend on another, then
the complementary-coding runs, whose cells depend on the reference run's top cells. Runs are cached by content
(:func:`neurokit.studies.vist.experiment.run_jobs`), so a chapter re-run or another chapter reuses them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from neurokit.studies.vist import ablations, complementary, generalisation, layers
from neurokit.studies.vist.experiment import Movies, make_movies, read_movies, run_jobs
from neurokit.studies.vist.settings import ViSTSettings
from neurokit.vist.metrics import top_k_cells

__all__ = ["ViSTResults", "run", "prepare"]


@dataclass(frozen=True)
class ViSTResults:
    """The four analyses of the results chapter and what they cost.

    Attributes
    ----------
    settings : ViSTSettings
    movies : Movies
    generalisation, ablations : results of those modules
    layers, complementary : results of those modules, or None when ``settings`` leaves them out
    costs : DataFrame
        Per analysis: runs, of which read from the cache, and the summed wall and CPU seconds of the runs.
    seconds : dict
        Wall seconds of the feature extraction (``"features"``), of each batch of runs and in all; and
        ``"run_seconds"`` / ``"run_cpu_seconds"``: the summed wall and CPU seconds of the runs computed in this call
        (one thread each; cached runs count nothing).
    """

    settings: ViSTSettings
    movies: Movies = field(repr=False)
    generalisation: object
    ablations: object
    layers: object
    complementary: object
    costs: object
    seconds: dict


def prepare(s: ViSTSettings, root=None) -> tuple[Movies, float]:
    """The data of the study (movie 1, the cross stores, the EfficientNet-Lite0 block tokens when ``s.layers``; test
    sequences scored on their first ``s.eval_frames`` frames when > 0), and the seconds the feature extraction
    took."""
    if root is None:
        from neurokit.catalog import retina

        root = retina.ensure(s.profile, seed=s.seed)
    m1, cross = read_movies(root)
    t0 = time.perf_counter()
    feats = layers.layer_features(m1, cross, s.layers, s.layer_input_size) if s.layers else {}
    t_feat = time.perf_counter() - t0
    return make_movies(m1, cross, feats, s.standardize, eval_frames=s.eval_frames), t_feat


def run(s: ViSTSettings, root=None, progress: bool = False) -> ViSTResults:
    """Train and score everything of the results chapter (cached runs are read back)."""
    t0 = time.perf_counter()
    movies, t_feat = prepare(s, root)
    first = generalisation.jobs(s) + ablations.jobs(s) + (layers.jobs(s) if s.layers else [])
    groups = {"headline and ladder": [j.key for j in generalisation.jobs(s)],
              "ablations": [j.key for j in ablations.jobs(s)],
              "feature layers": [j.key for j in layers.jobs(s)] if s.layers else []}
    t1 = time.perf_counter()
    runs = run_jobs(first, movies, n_jobs=s.n_jobs, threads=s.torch_threads, progress=progress)
    t2 = time.perf_counter()
    comp = None
    if s.cell_counts:
        store = "MOVIE03" if "MOVIE03" in movies.cross else next(iter(movies.cross))
        top = top_k_cells(runs["vist"].per_cell[store], min(s.top_k, movies.train.n_cells))
        second = complementary.jobs(s, movies.train.n_cells, top, store)
        groups["complementary coding"] = [j.key for j in second]
        runs.update(run_jobs(second, movies, n_jobs=s.n_jobs, threads=s.torch_threads, progress=progress))
        comp = complementary.run(s, movies, runs)
    t3 = time.perf_counter()
    gen = generalisation.run(s, movies, runs)
    abl = ablations.run(s, movies, runs)
    lay = layers.run(s, movies, runs) if s.layers else None
    seconds = {"features": t_feat, "first batch": t2 - t1, "complementary batch": t3 - t2,
               "total": time.perf_counter() - t0,
               "run_seconds": float(sum(r.seconds for r in runs.values() if not r.cached)),
               "run_cpu_seconds": float(sum(r.cpu_seconds for r in runs.values() if not r.cached)),
               "cached runs": int(sum(r.cached for r in runs.values())), "runs": len(runs)}
    import pandas as pd

    costs = pd.DataFrame([{"analysis": g, "runs": len(keys), "cached": sum(runs[k].cached for k in keys),
                           "wall seconds": sum(runs[k].seconds for k in keys if not runs[k].cached),
                           "CPU seconds": sum(runs[k].cpu_seconds for k in keys if not runs[k].cached)}
                          for g, keys in groups.items()]).set_index("analysis")
    return ViSTResults(s, movies, gen, abl, lay, comp, costs, seconds)
