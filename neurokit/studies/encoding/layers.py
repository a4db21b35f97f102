"""Block-wise encoding of many ROIs and subjects at once, with every choice made inside the training split.

For each outer fold and each block of a model, the block's features are z-scored and PCA-reduced with the
training clips' statistics, and one :class:`neurokit.regression.RidgeCV` (one alpha per voxel, inner K-fold CV
on the training clips) maps them to the voxels of every ROI of every subject at once: the subjects see the same
clips, so they share the reduction and the factorisations, and a per-voxel alpha makes the stacked fit exactly
the separate fits. The block of each (subject, fold, ROI) is the one with the lowest inner-CV error of that
fold, so no test clip enters any choice (``tests/test_encoding_analysis.py`` poisons the test clips and checks
that every choice stays the same).
"""
from __future__ import annotations

import functools
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurokit.errors import InputError
from neurokit.regression import DEFAULT_ALPHAS, RidgeCV, standardize_reduce
from neurokit.stats import pearsonr
from neurokit.studies.encoding import _cache

__all__ = ["single_threaded", "BlockEncoding", "encode_blocks", "encode_model", "encode_models", "SCHEDULERS",
           "check_scheduler", "KillWorkerOnce", "same_encoding",
           "choose_block_per_fold", "model_features", "stack_rois", "reduce_block"]


def single_threaded(fn):
    """Run ``fn`` with the BLAS and OpenMP pools limited to one thread.

    The encoding problems are small (a few hundred clips, at most ~100 PCA components, a few thousand voxels per
    fit), so a second BLAS thread gains little and costs a synchronisation per matrix product; on a machine whose
    cores are busy (other jobs, chapters executed in parallel) the waiting threads stall each other. Measured on
    2 cores, the fits of the embedded ``encoding_targets`` chapter: 25.4 s with two OpenBLAS threads and 4.8 s with
    one on an idle machine; 130.6 s and 8.5 s beside two busy processes. One thread also makes the numbers
    independent of the core count.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return fn(*args, **kwargs)

    return wrapper


def stack_rois(responses):
    """``{roi: (n, V_roi)}`` → (rois, Y of shape (n, ΣV), labels of shape (ΣV,))."""
    rois = list(responses)
    Y = np.concatenate([np.asarray(responses[r], dtype=np.float64) for r in rois], axis=1)
    labels = np.concatenate([[r] * np.asarray(responses[r]).shape[1] for r in rois])
    return rois, Y, labels


@dataclass(frozen=True)
class BlockEncoding:
    """Block-wise encoding of one model (see :func:`encode_blocks`).

    Attributes
    ----------
    scores : pandas.DataFrame
        ``subject, fold, roi, block, r, inner_mse``: test r (mean over the ROI's voxels) and inner-CV error (mean
        squared error of z-scored responses over the ROI's voxels, training clips only) of every block.
    chosen : pandas.DataFrame
        ``subject, fold, roi, block, r``: the block with the lowest inner error per (subject, fold, ROI).
    predictions : dict
        ``{subject: [ndarray of shape (n_test_fold, n_voxels)]}``, one array per fold: test-clip predictions of
        the chosen block of each ROI, in units of the training-z-scored responses (absent when not kept).
    tests : list of ndarray
        Test-clip indices of each fold.
    labels : dict
        ``{subject: ndarray of shape (n_voxels,)}``, ROI of every voxel in the prediction arrays.
    """

    scores: object
    chosen: object
    predictions: dict = field(repr=False)
    tests: list = field(repr=False)
    labels: dict = field(repr=False)


_REDUCED: dict = {}


def reduce_block(X, folds, n_components=None, seed=0):
    """Each fold's z-scored, PCA-reduced block (:func:`neurokit.regression.standardize_reduce`, fitted on the
    fold's training clips), computed once per content and shared within and across chapters.

    The reduction is most of the cost of a block-wise encoding (a randomised SVD per block and fold), and every
    Part I chapter reduces the same blocks on the same folds: the result is kept in memory and in the result
    cache (key: sha256 of the block and of the folds, the settings and the method's source).

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_features)
    folds : list of (train, test)
    n_components : int or None
    seed : int

    Returns
    -------
    list of (X_train, X_test) float64 arrays, one pair per fold
    """
    key = {"X": _cache.array_hash(np.asarray(X)), "folds": _cache.array_hash([np.asarray(te) for _, te in folds]),
           "n_components": n_components, "seed": seed}
    mem = _cache.array_hash([key["X"], key["folds"], str(n_components), str(seed)])
    if mem not in _REDUCED:
        def compute():
            A = np.asarray(X)
            return [standardize_reduce(np.asarray(A[tr], np.float64), np.asarray(A[te], np.float64), n_components,
                                       seed) for tr, te in folds]

        _REDUCED[mem] = [tuple(pair) for pair in _cache.cached("reduced", key, compute)]
        if len(_REDUCED) > 512:  # bound the memory of a long session
            _REDUCED.pop(next(iter(_REDUCED)))
    return _REDUCED[mem]


def _finite_mean(r):
    """Mean of the finite values (a constant voxel has no r), NaN when there is none, without a warning."""
    r = np.asarray(r, dtype=float)
    ok = np.isfinite(r)
    return float(r[ok].mean()) if ok.any() else float("nan")


def _as_subjects(responses):
    first = next(iter(responses.values()))
    if isinstance(first, dict):
        return {str(s): d for s, d in responses.items()}
    return {"": responses}


@single_threaded
def encode_blocks(features, responses, folds, alphas=None, inner_cv=5, n_components=None, seed=0,
                  keep_predictions=True):
    """Encode every ROI of every subject from every block, fold by fold; choose blocks on training clips only.

    Parameters
    ----------
    features : mapping of str to ndarray of shape (n_clips, n_features_block)
        Block name → features of every clip.
    responses : mapping
        ``{subject: {roi: ndarray of shape (n_clips, n_voxels_roi)}}``, or one subject's ``{roi: array}``.
    folds : list of (train, test) index arrays
    alphas : array-like, optional
        Ridge grid (default :data:`neurokit.regression.DEFAULT_ALPHAS`).
    inner_cv : int
    n_components : int or None
        PCA components of the z-scored block (fitted on the training clips); ``None`` keeps all features.
    seed : int
    keep_predictions : bool
        Keep the chosen blocks' test predictions (for clip-level tests).

    Returns
    -------
    BlockEncoding
    """
    import pandas as pd

    if not features:
        raise InputError("features is empty: pass {block name: (n_clips, n_features) array}.")
    alphas = DEFAULT_ALPHAS if alphas is None else alphas
    subj = _as_subjects(responses)
    stacked = {s: stack_rois(d) for s, d in subj.items()}
    Y = np.concatenate([stacked[s][1] for s in subj], axis=1)
    owner = np.concatenate([[s] * stacked[s][1].shape[1] for s in subj])
    roi_of = np.concatenate([stacked[s][2] for s in subj])
    n = Y.shape[0]
    blocks = list(features)
    groups = [(s, roi, np.flatnonzero((owner == s) & (roi_of == roi))) for s in subj for roi in stacked[s][0]]
    rows, chosen_rows = [], []
    preds = {s: [] for s in subj}
    for block in blocks:
        if np.asarray(features[block]).shape[0] != n:
            raise InputError(f"block {block!r} has {np.asarray(features[block]).shape[0]} clips but the responses "
                             f"have {n}.")
    reduced = {block: reduce_block(features[block], folds, n_components, seed) for block in blocks}
    for f, (train, test) in enumerate(folds):
        ymu, ysd = Y[train].mean(0), Y[train].std(0)
        ysd[ysd == 0] = 1.0
        Ytr, Yte = (Y[train] - ymu) / ysd, (Y[test] - ymu) / ysd
        fold_pred, fold_inner, fold_r = {}, {}, {}
        for block in blocks:
            Xtr, Xte = reduced[block][f]
            model = RidgeCV(alphas=alphas, cv=inner_cv).fit(Xtr, Ytr)
            P = model.predict(Xte)
            fold_pred[block] = P if keep_predictions else None
            fold_r[block] = pearsonr(Yte, P)
            fold_inner[block] = model.cv_scores_.min(0)
            for s, roi, idx in groups:
                rows.append({"subject": s, "fold": f, "roi": roi, "block": block, "r": _finite_mean(fold_r[block][idx]),
                             "inner_mse": float(fold_inner[block][idx].mean())})
        out = {s: np.empty((len(test), stacked[s][1].shape[1])) for s in subj} if keep_predictions else None
        offsets = {s: np.flatnonzero(owner == s)[0] for s in subj}
        for s, roi, idx in groups:
            best = min(blocks, key=lambda b: fold_inner[b][idx].mean())  # first minimum on ties: block order
            chosen_rows.append({"subject": s, "fold": f, "roi": roi, "block": best,
                                "r": _finite_mean(fold_r[best][idx])})
            if keep_predictions:
                out[s][:, idx - offsets[s]] = fold_pred[best][:, idx]
        if keep_predictions:
            for s in subj:
                preds[s].append(out[s])
    return BlockEncoding(scores=pd.DataFrame(rows), chosen=pd.DataFrame(chosen_rows),
                         predictions=preds if keep_predictions else {},
                         tests=[np.asarray(te) for _, te in folds], labels={s: stacked[s][2] for s in subj})


def encode_model(model, features, responses, folds, alphas=None, inner_cv=5, n_components=None, seed=0,
                 cache=True):
    """:func:`encode_blocks` for one registry model, through the shared result cache.

    Two chapters asking for the same model, responses, folds and settings get one computation; the key holds the
    sha256 of the features, the responses and the folds, the settings and the method's source code.

    Parameters
    ----------
    model : str
        Registry name (part of the key, for readability of the cache).
    features, responses, folds, alphas, inner_cv, n_components, seed : see :func:`encode_blocks`.
    cache : bool

    Returns
    -------
    BlockEncoding
    """
    key = {"model": model, "features": _cache.array_hash(features), "responses": _cache.array_hash(responses),
           "folds": _cache.array_hash([te for _, te in folds]), "alphas": None if alphas is None else list(alphas),
           "inner_cv": inner_cv, "n_components": n_components, "seed": seed}

    def compute():
        enc = encode_blocks(features, responses, folds, alphas=alphas, inner_cv=inner_cv,
                            n_components=n_components, seed=seed)
        return {"scores": enc.scores, "chosen": enc.chosen, "predictions": enc.predictions,
                "tests": enc.tests, "labels": enc.labels}

    d = _cache.cached("blocks", key, compute, enabled=cache)
    return BlockEncoding(scores=d["scores"], chosen=d["chosen"], predictions=d["predictions"],
                         tests=list(d["tests"]), labels=d["labels"])


@single_threaded
def _encode_worker(model, features, responses, folds, kw):
    return encode_model(model, features, responses, folds, **kw)


#: How :func:`encode_models` runs its models: in worker processes (``"joblib"``), in this process
#: (``"sequential"``), on a local Dask cluster (``"dask"``), or on an existing Dask cluster given by its address
#: (``"tcp://host:8786"``).
SCHEDULERS = ("joblib", "sequential", "dask")


class KillWorkerOnce:
    """A fault drill for a Dask sweep (an :func:`encode_models` ``hook``): the first worker to start ``model``'s
    task writes its process id to ``marker`` and kills itself with SIGKILL, as a node failure would; the sweep must
    run that task again on a surviving worker. Never pass it to an in-process run."""

    def __init__(self, model: str, marker: str):
        self.model, self.marker = str(model), str(marker)

    def __call__(self, task) -> None:
        if task["model"] == self.model and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)


def same_encoding(a: BlockEncoding, b: BlockEncoding) -> bool:
    """True when two encodings are identical: every score, chosen block and test prediction, bit for bit."""
    if not (a.scores.equals(b.scores) and a.chosen.equals(b.chosen)) or a.predictions.keys() != b.predictions.keys():
        return False
    return all(len(a.predictions[k]) == len(b.predictions[k])
               and all(np.array_equal(x, y) for x, y in zip(a.predictions[k], b.predictions[k]))
               for k in a.predictions)


def check_scheduler(scheduler: str) -> str:
    """``scheduler`` if it names an engine of :data:`SCHEDULERS` or a Dask scheduler address, else an error."""
    if isinstance(scheduler, str) and (scheduler in SCHEDULERS or "://" in scheduler):
        return scheduler
    raise InputError(f"scheduler must be one of {SCHEDULERS} or a Dask scheduler address such as "
                     f"'tcp://10.0.0.1:8786'; got {scheduler!r}.")


@single_threaded
def _sweep_task(task, features, responses, folds, kw, hook=None):
    """One sweep task: encode one model into the shared result cache; report its per-voxel fits."""
    if hook is not None:
        hook(task)
    model = task["model"]
    enc = encode_model(model, features[model], responses, folds, **{**kw, "cache": True})
    n_voxels = sum(len(v) for v in enc.labels.values())
    return {"n_fits": int(n_voxels * len(features[model])), "blocks": len(features[model])}


def encode_models(features, responses, folds, n_jobs=1, scheduler="joblib", hook=None, **kw):
    """:func:`encode_model` for several models, in ``n_jobs`` worker processes (one BLAS thread each).

    Parameters
    ----------
    features : mapping of model to mapping of block to ndarray
    responses, folds : see :func:`encode_blocks`
    n_jobs : int
        Worker processes (``"joblib"``) or local Dask workers (``"dask"``).
    scheduler : str
        One of :data:`SCHEDULERS` or a Dask scheduler address. With Dask, each model is one task of
        :func:`neurokit.regression.sweep.run_sweep`: its encoding goes to the content-keyed result cache (which
        every worker must see, ``NEUROKIT_CACHE`` on a shared file system), a task whose worker dies is run
        again, and the encodings returned are read back from that cache, identical to an in-process run.
    hook : callable, optional
        Called with each sweep task (a dict with the model's name) in the worker before it runs (logging, fault
        injection in tests). Dask schedulers only.
    **kw
        ``alphas, inner_cv, n_components, seed, cache`` of :func:`encode_model`.

    Returns
    -------
    dict
        ``{model: BlockEncoding}`` in the order of ``features``.
    """
    check_scheduler(scheduler)
    models = list(features)
    if scheduler == "dask" or "://" in scheduler:
        from neurokit.config import cache_home
        from neurokit.regression.sweep import run_sweep

        job = _cache.array_hash([_cache.array_hash(features[m]) for m in models] + [
            _cache.array_hash(responses), _cache.array_hash([te for _, te in folds]),
        np.frombuffer(repr(sorted(kw.items())).encode(), dtype=np.uint8)])
        tasks = [{"model": m} for m in models]
        run_sweep(tasks, functools.partial(_sweep_task, features=features, responses=responses, folds=folds,
                                           kw=kw, hook=hook),
                  Path(cache_home()) / "sweeps" / job[:16], backend="dask", n_jobs=int(n_jobs),
                  scheduler=None if scheduler == "dask" else scheduler, progress=False)
        kw = {**kw, "cache": True}
        done = [encode_model(m, features[m], responses, folds, **kw) for m in models]  # read from the cache
    elif scheduler == "joblib" and int(n_jobs) > 1 and len(models) > 1:
        from joblib import Parallel, delayed

        done = Parallel(n_jobs=int(n_jobs), backend="loky")(
            delayed(_encode_worker)(m, features[m], responses, folds, kw) for m in models)
    else:
        done = [encode_model(m, features[m], responses, folds, **kw) for m in models]
    return dict(zip(models, done))


def choose_block_per_fold(scores):
    """One block per (subject, fold) for a model that feeds every ROI at once (the connectivity encoder).

    The block with the lowest inner-CV error averaged over ROIs (each ROI weighted equally), from that fold's
    training clips only.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``BlockEncoding.scores``.

    Returns
    -------
    pandas.DataFrame
        ``subject, fold, block``.
    """
    m = scores.groupby(["subject", "fold", "block"], sort=False)["inner_mse"].mean().reset_index()
    idx = m.groupby(["subject", "fold"], sort=False)["inner_mse"].idxmin()
    return m.loc[idx, ["subject", "fold", "block"]].reset_index(drop=True)


def _extract_one(model, videos, weights, device, extractor_kwargs):
    """Worker: fill the feature cache for one model (one torch thread per worker)."""
    import torch

    from neurokit.features import create_extractor, extract_dataset

    torch.set_num_threads(1)
    ex = create_extractor(model, layers="blocks", weights=weights, device=device, **extractor_kwargs)
    extract_dataset(ex, list(videos), cache=True, progress=False)
    return model


def _uncached(models, videos, weights, device, extractor_kwargs):
    """The models whose block features of ``videos`` are not all in the feature cache."""
    from pathlib import Path

    keys = _clip_keys(videos)
    out = []
    for m in models:
        where = _known_location(m, weights, device, extractor_kwargs)
        if where is None:
            from neurokit.features import create_extractor
            from neurokit.features.cache import cache_dir

            ex = create_extractor(m, layers="blocks", weights=weights, device=device, **extractor_kwargs)
            where = {"dir": str(cache_dir(ex)), "layers": list(ex.layers)}
        root = Path(where["dir"])
        if not all((root / layer / f"{k}.npy").is_file() for layer in where["layers"] for k in keys):
            out.append(m)
    return out


def model_features(models, videos, weights="embedded", device=None, progress=False, n_jobs=1, **extractor_kwargs):
    """Block features of several registry models for the same videos, through the shared feature cache.

    Parameters
    ----------
    models : sequence of str
        Registry names (:func:`neurokit.features.list_extractors`).
    videos : sequence of paths
    weights : {"embedded", "paper"}
    device : str, optional
    progress : bool
    n_jobs : int
        Worker processes for the models not yet in the cache (one torch thread each). Extraction is most of a
        clean build's time, and one single-threaded worker per core is faster than one process with two threads
        on small CPU models; the features are the same (each clip is computed by one model in one process).
    **extractor_kwargs
        Passed to :func:`neurokit.features.create_extractor` (e.g. ``temporal_pool="none"``).

    Returns
    -------
    dict
        ``{model: {block: ndarray of shape (n_videos, n_features)}}``.
    """
    models, videos = list(dict.fromkeys(models)), list(videos)
    if int(n_jobs) > 1 and len(models) > 1:
        todo = _uncached(models, videos, weights, device, extractor_kwargs)
        if len(todo) > 1:
            from joblib import Parallel, delayed

            Parallel(n_jobs=min(int(n_jobs), len(todo)), backend="loky")(
                delayed(_extract_one)(m, videos, weights, device, extractor_kwargs) for m in todo)
    out = {}
    keys = None
    for m in models:
        where = _known_location(m, weights, device, extractor_kwargs)
        if where is not None:
            keys = keys if keys is not None else _clip_keys(videos)
            feats = _read_location(where, keys)
            if feats is not None:
                out[m] = feats
                continue
        from neurokit.features import create_extractor, extract_dataset  # torch: only when something is missing

        ex = create_extractor(m, layers="blocks", weights=weights, device=device, **extractor_kwargs)
        feats = extract_dataset(ex, videos, cache=True, progress=progress)
        out[m] = {b: np.asarray(x, dtype=np.float32) for b, x in feats.items()}
        _remember_location(m, weights, device, extractor_kwargs, ex)
    return out


# Where a model's features live in the feature cache, remembered per (model, weights, options, source of
# neurokit.features), so that a chapter whose features are all cached reads them without building the network
# (building the Part I roster's networks costs more than reading their features).
def _location_key(model, weights, device, extractor_kwargs):
    from neurokit.config import rehearsing

    key = {"model": model, "weights": weights, "device": str(device), "kwargs": dict(sorted(extractor_kwargs.items())),
           "features_code": _cache.code_hash(("features",))}
    if weights == "paper" and rehearsing():  # random init stands in for missing files: never the real run's entry
        key["rehearsal"] = True
    return key


def _known_location(model, weights, device, extractor_kwargs):
    from neurokit._io import sha256_json
    from neurokit.config import cache_home

    path = cache_home() / "results" / "encoding" / "feature_locations" / \
        f"{sha256_json(_location_key(model, weights, device, extractor_kwargs))[:24]}.json"
    if not path.is_file():
        return None
    import json

    try:
        return json.loads(path.read_text())
    except ValueError:
        return None


def _remember_location(model, weights, device, extractor_kwargs, extractor):
    from neurokit._io import atomic_write_json, sha256_json
    from neurokit.config import cache_home
    from neurokit.features.cache import cache_dir

    path = cache_home() / "results" / "encoding" / "feature_locations" / \
        f"{sha256_json(_location_key(model, weights, device, extractor_kwargs))[:24]}.json"
    atomic_write_json(path, {"dir": str(cache_dir(extractor)), "layers": list(extractor.layers)})


def _clip_keys(videos):
    """The feature cache's clip keys (sha256 of each file's bytes, as ``neurokit.features.cache.clip_key``), without
    importing the feature extractors."""
    from neurokit._io import sha256_file

    return [sha256_file(v) for v in videos]


def _read_location(where, keys):
    """``{block: (n_clips, n_features) float32}`` from the feature cache folder, or None if any clip is missing.

    The first read of a (folder, clip list) stacks the per-clip files into one array per block under
    ``cache_home()/results/encoding/feature_stacks/`` (one file instead of one per clip; the folder and the clip keys
    are both content hashes, so a stack never goes stale).
    """
    from pathlib import Path

    from neurokit._io import atomic_save_npy, sha256_json
    from neurokit.config import cache_home

    root = Path(where["dir"])
    stacks = cache_home() / "results" / "encoding" / "feature_stacks" / sha256_json([where["dir"], list(keys)])[:24]
    out = {}
    for layer in where["layers"]:
        stacked = stacks / f"{layer}.npy"
        if stacked.is_file():
            try:
                out[layer] = np.load(stacked, allow_pickle=False)
                continue
            except (ValueError, OSError, EOFError):
                pass
        paths = [root / layer / f"{k}.npy" for k in keys]
        if not all(p.is_file() for p in paths):
            return None
        try:
            out[layer] = np.stack([np.load(p, allow_pickle=False) for p in paths]).astype(np.float32)
        except (ValueError, OSError, EOFError):
            return None
        atomic_save_npy(stacked, out[layer])
    return out
