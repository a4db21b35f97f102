"""A resumable sweep over (model, layer, subject, ROI, fold) tasks on joblib, Dask, or in-process.

Every task is a JSON-serialisable mapping (its fields, e.g. ``{"model": "x3d_s", "layer": "blocks.4",
"subject": 1, "roi": "EBA", "fold": 0}``). Its result is written atomically to
``results_dir/<key>.json``, where ``<key>`` is derived from the task's fields (readable prefix + a hash of
the canonical JSON), so a rerun after a crash, a ``KeyboardInterrupt`` or a killed worker **skips every
task already done** and recomputes only the rest. The final table is always assembled from those files, in
the order of ``tasks``, so it is identical however many times the sweep was interrupted and on whichever
backend it ran.

Scaling out
-----------
``backend="dask"`` with ``scheduler=None`` starts a ``distributed.LocalCluster(n_workers=n_jobs,
threads_per_worker=1, dashboard_address=None)``. ``scheduler="tcp://host:8786"`` (or a
``distributed.Client``) uses an existing cluster: start one with ``dask scheduler`` plus ``dask worker``
on each machine, or on SLURM with dask-jobqueue::

    from dask_jobqueue import SLURMCluster
    from distributed import Client
    cluster = SLURMCluster(cores=8, processes=1, memory="32GB", walltime="04:00:00")
    cluster.adapt(minimum_jobs=1, maximum_jobs=50)
    run_sweep(tasks, task_fn, "/shared/results", backend="dask", scheduler=Client(cluster))

``results_dir`` must then be on a file system that every worker sees. Dask reschedules the tasks of a
worker that dies (up to ``distributed.scheduler.allowed-failures`` times), and since results are keyed
files, a task that was half-way when its worker died is simply recomputed.

Counting fits
-------------
The paper's "two million regression fits" counts per-voxel models. Here a task that fits
:class:`~neurokit.regression.RidgeCV` to v voxels reports ``n_fits = v``: one ridge model per voxel (its
alpha chosen by inner CV, which is part of that fit, not extra fits). ``df.attrs["n_fits"]`` is the sum
over tasks; :func:`count_fits` also gives the number of linear solves behind it.
"""
from __future__ import annotations

import json
import logging
import re
import traceback
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np

from neurokit._io import atomic_write_json, sha256_json
from neurokit._progress import tqdm
from neurokit.errors import InputError, NeurokitError, UnknownNameError
from neurokit.regression._ridge import RidgeCV
from neurokit.stats._scoring import pearsonr

logger = logging.getLogger(__name__)

BACKENDS = ("joblib", "dask", "sequential")


class SweepError(NeurokitError, RuntimeError):
    """Some tasks of a sweep failed; the others are saved and a rerun computes only the failed ones."""


def task_key(task: Mapping) -> str:
    """File-name key of a task: its fields as ``k=v`` joined by ``__`` (sanitised, truncated) + a 12-hex hash."""
    readable = "__".join(f"{k}={v}" for k, v in sorted(task.items()))
    readable = re.sub(r"[^A-Za-z0-9._=-]+", "-", readable)[:100]
    return f"{readable}__{sha256_json(dict(task))[:12]}"


def _to_json_scalar(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return v.item()
        raise InputError("task results must be scalars per column; return one row per voxel/ROI instead of arrays.")
    return v


def _rows(result) -> list[dict]:
    """Normalise a task result (dict, list of dicts or DataFrame) to a list of JSON-able row dicts."""
    if hasattr(result, "to_dict") and hasattr(result, "columns"):
        result = result.to_dict(orient="records")
    if isinstance(result, Mapping):
        result = [result]
    if not isinstance(result, list) or not all(isinstance(r, Mapping) for r in result):
        raise InputError(f"task_fn must return a dict, a list of dicts or a DataFrame, got {type(result).__name__}.")
    return [{str(k): _to_json_scalar(v) for k, v in r.items()} for r in result]


def _run_one(task: dict, task_fn: Callable, results_dir: str) -> tuple[str, str | None]:
    """Run one task unless its result file exists; returns (key, error traceback or None)."""
    key = task_key(task)
    path = Path(results_dir) / f"{key}.json"
    if path.exists():
        return key, None
    try:
        rows = _rows(task_fn(dict(task)))
        atomic_write_json(path, {"task": task, "rows": rows})
    except Exception:  # reported to the caller with the task key; other tasks go on
        return key, traceback.format_exc()
    return key, None


def _check_tasks(tasks) -> list[dict]:
    tasks = [dict(t) for t in tasks]
    for t in tasks:
        try:
            json.dumps(t, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise InputError(f"task {t!r} is not JSON-serialisable ({err}); use str/int/float/bool fields.") from err
    keys = [task_key(t) for t in tasks]
    if len(set(keys)) != len(keys):
        raise InputError("tasks contain duplicates; every (model, layer, subject, ROI, fold) task must be unique.")
    return tasks


def load_results(tasks: Iterable[Mapping], results_dir) -> "pandas.DataFrame":  # noqa: F821
    """Assemble the table of a (finished) sweep from its result files, in the order of ``tasks``.

    Returns
    -------
    pandas.DataFrame
        One row per result row: the task fields first, then the result columns. ``attrs["n_fits"]`` is the
        sum of the ``n_fits`` column when tasks report it.
    """
    import pandas as pd

    records = []
    for t in tasks:
        path = Path(results_dir) / f"{task_key(t)}.json"
        if not path.exists():
            raise InputError(f"no result for task {dict(t)!r} in {results_dir}; run the sweep first.")
        blob = json.loads(path.read_text())
        for row in blob["rows"]:
            clash = set(row) & set(t)
            if clash:
                raise InputError(f"result columns {sorted(clash)} repeat task fields; rename them in task_fn.")
            records.append({**t, **row})
    df = pd.DataFrame.from_records(records)
    if "n_fits" in df.columns:
        df.attrs["n_fits"] = int(df["n_fits"].sum())
    return df


def run_sweep(tasks, task_fn: Callable, results_dir, backend: str = "joblib", n_jobs: int = 2,
              scheduler=None, progress: bool = True):
    """Run ``task_fn`` on every task not yet done, then return the table of all results.

    Parameters
    ----------
    tasks : iterable of mapping
        One JSON-serialisable mapping per task, e.g. ``{"model": ..., "layer": ..., "subject": ...,
        "roi": ..., "fold": ...}``. Tasks must be unique.
    task_fn : callable
        ``task_fn(task) -> dict | list[dict] | DataFrame`` of scalar columns. Must be picklable
        (a module-level function or a ``functools.partial`` of one) for the joblib and Dask backends,
        and deterministic if reruns are to give identical tables.
    results_dir : path
        Where the per-task result files live (shared by all workers).
    backend : {"joblib", "dask", "sequential"}, default "joblib"
    n_jobs : int, default 2
        joblib processes, or LocalCluster workers for ``backend="dask"`` without a scheduler.
    scheduler : str, distributed.Client or None
        Dask scheduler address (e.g. ``"tcp://10.0.0.1:8786"``) or a Client. None: a LocalCluster.
    progress : bool, default True
        Show a tqdm progress bar.

    Returns
    -------
    pandas.DataFrame
        See :func:`load_results`; ``attrs["n_fits"]`` counts per-voxel fits (see the module docstring),
        ``attrs["n_computed"]`` the tasks computed by this call (the rest were already done).

    Raises
    ------
    SweepError
        If any task raised; completed tasks are saved, so fix the cause and rerun.
    """
    if backend not in BACKENDS:
        raise UnknownNameError("sweep backend", backend, BACKENDS)
    tasks = _check_tasks(tasks)
    results_dir = Path(results_dir).resolve()  # workers may run elsewhere: pass an absolute path
    results_dir.mkdir(parents=True, exist_ok=True)
    todo = [t for t in tasks if not (results_dir / f"{task_key(t)}.json").exists()]
    logger.info("sweep: %d tasks, %d already done, %d to run on %s", len(tasks), len(tasks) - len(todo),
                len(todo), backend)
    bar = tqdm(total=len(todo), disable=not progress, desc="sweep")
    errors = []

    def done(key, err):
        bar.update(1)
        if err is not None:
            logger.error("sweep task %s failed:\n%s", key, err)
            errors.append((key, err))

    if todo and backend == "sequential":
        for t in todo:
            done(*_run_one(t, task_fn, str(results_dir)))
    elif todo and backend == "joblib":
        from joblib import Parallel, delayed

        par = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        for key, err in par(delayed(_run_one)(t, task_fn, str(results_dir)) for t in todo):
            done(key, err)
    elif todo:
        _run_dask(todo, task_fn, str(results_dir), n_jobs, scheduler, done)
    bar.close()
    if errors:
        raise SweepError(
            f"{len(errors)} of {len(todo)} sweep tasks failed (first: {errors[0][0]}):\n{errors[0][1]}\n"
            f"The {len(todo) - len(errors)} others are saved in {results_dir}; fix the cause and rerun to "
            "compute only the missing tasks."
        )
    df = load_results(tasks, results_dir)
    df.attrs["n_computed"] = len(todo)
    return df


def _run_dask(todo, task_fn, results_dir, n_jobs, scheduler, done):
    from distributed import Client, LocalCluster, as_completed

    own = None
    if scheduler is None:
        own = LocalCluster(n_workers=n_jobs, threads_per_worker=1, dashboard_address=None, processes=True)
        client = Client(own)
    elif isinstance(scheduler, str):
        client = Client(scheduler)
    else:
        client = scheduler
    try:
        futs = [client.submit(_run_one, t, task_fn, results_dir, key=f"sweep-{task_key(t)}", pure=False)
                for t in todo]
        for fut in as_completed(futs):
            try:
                key, err = fut.result()
            except Exception:  # e.g. KilledWorker after too many worker deaths
                key, err = fut.key, traceback.format_exc()
            done(key, err)
    finally:
        if own is not None:
            client.close()
            own.close()
        elif isinstance(scheduler, str):
            client.close()


def count_fits(n_voxels: int, n_alphas: int | None = None, n_folds: int | None = None) -> dict:
    """Fit accounting for one RidgeCV task on ``n_voxels`` voxels.

    Returns
    -------
    dict
        ``per_voxel_fits`` = n_voxels (the convention reported in the book: one ridge model per voxel), and,
        when ``n_alphas`` and ``n_folds`` are given, ``ridge_solves`` = n_voxels × (n_alphas × n_folds + 1)
        (every alpha on every fold, plus the refit).
    """
    out = {"per_voxel_fits": int(n_voxels)}
    if n_alphas is not None and n_folds is not None:
        out["ridge_solves"] = int(n_voxels) * (int(n_alphas) * int(n_folds) + 1)
    return out


def demo_ridge_task(task: Mapping, n_samples: int = 120, n_features: int = 20, n_voxels: int = 40,
                    noise: float = 1.0) -> list[dict]:
    """A self-contained **simulated** encoding task: planted weights, RidgeCV, held-out Pearson r.

    The data are drawn from a generator seeded by the task's key, so the result is a deterministic function
    of the task (what a resumable sweep needs). The held-out fold is ``task["fold"] % 4`` of 4 contiguous
    blocks. Used by the tests and the book's sweep demonstration; real sweeps pass their own ``task_fn``.

    Returns
    -------
    list of dict
        One row: ``mean_r`` (mean held-out r over voxels), ``median_alpha``, ``n_fits`` (= n_voxels).
    """
    from threadpoolctl import threadpool_limits

    seed = int(sha256_json(dict(task))[:8], 16)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    W = rng.standard_normal((n_features, n_voxels)) * rng.uniform(0, 1, n_voxels)
    Y = X @ W + noise * rng.standard_normal((n_samples, n_voxels))
    test = np.zeros(n_samples, bool)
    block = n_samples // 4
    f = int(task.get("fold", 0)) % 4
    test[f * block:(f + 1) * block] = True
    with threadpool_limits(1):  # bitwise-reproducible across joblib/Dask workers
        model = RidgeCV(alphas=np.logspace(-2, 4, 13), cv=5).fit(X[~test], Y[~test])
        r = pearsonr(Y[test], model.predict(X[test]))
    return [{"mean_r": float(np.nanmean(r)), "median_alpha": float(np.median(model.best_alphas_)),
             "n_fits": count_fits(n_voxels)["per_voxel_fits"]}]
