"""Training runs of the Vi-ST study: train a registered model on movie 1, score it within movie 1 and on movie 2.

Protocol (one training run gives every number)
    Train on the first half of movie 1 (``split_train``). **Within movie** = the second half (``split_test``),
    which in the simulated retina continues the first half's scenes (pixel context conserved, as in the authors'
    within-movie protocol). **Cross movie** = each movie-2 store present (the rungs of the context-shift ladder in
    the simulation; the real movie 2 in the ``paper`` profile), both halves, each predicted as one sequence and
    joined per cell, as the authors' cross-movie validation does. Every test sequence is predicted from its own
    first frame. The authors' cross-movie runs train on both halves of one movie, twice our training frames.

Scores (:func:`score`): CC as the authors log it (mean ``|r|`` over cells), the signed mean r, the mean over cells
with r > 0, SD-KL (the code's wrapper and the supplement's pseudocode), per test set; the CC on the training
frames; optional learning curves (CC within and on the first cross set every ``curve_every`` epochs).

Runs are cached under ``cache_home()/vist/`` by a content key: the model, its loss, the model shape, the
training config, the cells, a fingerprint of the data and features, and a hash of the source of
:mod:`neurokit.vist` and of this module. Chapters that need the same run share it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from neurokit._io import atomic_path, sha256_json
from neurokit._progress import tqdm
from neurokit.config import available_cores, cache_home
from neurokit.data.retina import RetinaData
from neurokit.errors import InputError
from neurokit.studies.vist.stimuli import read_movies
from neurokit.vist import zoo
from neurokit.vist.loss import ViSTLoss
from neurokit.vist.metrics import (cc_aggregates, pearson_cc, spike_kde_divergence,
                                   spike_kde_divergence_pseudocode)
from neurokit.vist.model import count_parameters
from neurokit.vist.train import Sequence_, TrainConfig, predict, train

__all__ = ["Movies", "Job", "RunResult", "score", "read_movies", "make_movies", "load_movies", "run_jobs",
           "run_model", "RUN_VERSION"]

log = logging.getLogger(__name__)

#: Bump when what a run computes changes in this module (the cache key also hashes the model code).
RUN_VERSION = 1
#: Key of movie 1's held-out half among the test sets.
WITHIN = "within"


@dataclass(frozen=True)
class Movies:
    """The data of one study: movie 1 (training and within-movie test) and the cross-movie test stores.

    Attributes
    ----------
    train : neurokit.data.retina.RetinaData
        Movie 1.
    cross : dict of str → neurokit.data.retina.RetinaData
        Test stores by name (``"MOVIE03"``, and in the simulation the further rungs), in ladder order.
    features : dict of str → dict of str → ndarray
        Extra feature sets: name → {store name → (frames, 256, D)}, for the stores they cover (the feature-layer
        comparison); ``"tokens"`` (the stores' own ``dinov2_feats_0``) is always available.
    fingerprint : str
        Content hash of everything above (part of every run's cache key).
    eval_frames : int
        Score every test sequence on its first ``eval_frames`` frames (0: whole sequences). The models are causal,
        so those are the first frames of the whole-sequence prediction (a rehearsal's cut of evaluation time).
    """

    train: RetinaData
    cross: dict
    features: dict = field(default_factory=dict)
    fingerprint: str = ""
    eval_frames: int = 0

    def head(self, index: np.ndarray) -> np.ndarray:
        """The first :attr:`eval_frames` frames of the test sequence ``index`` (frame indices; all when 0)."""
        return index[: self.eval_frames] if self.eval_frames else index

    def scored_frames(self, store: str):
        """The frames of ``store`` that every run scores: ``"within"`` = movie 1's held-out half, a cross store =
        its two halves joined (each its first :attr:`eval_frames` when > 0; every frame otherwise)."""
        if store == WITHIN:
            return self.head(self.train.split_test)
        if not self.eval_frames:
            return slice(None)
        d = self.cross[store]
        return np.concatenate([self.head(d.split_train), self.head(d.split_test)])

    def target(self, store: str, cells=None) -> np.ndarray:
        """The measured rates (cells, T) that the predictions ``RunResult.preds[store]`` are scored against."""
        d = self.train if store == WITHIN else self.cross[store]
        y = d.spike_avg[self.scored_frames(store)]
        return (y if cells is None else y[:, np.asarray(cells)]).T

    def inputs(self, store: str, kind: str, feature_set: str = "tokens") -> np.ndarray:
        """Model input of ``store`` (``"MOVIE01"`` or a cross store): features or frames."""
        d = self.train if store == self.train.movie else self.cross[store]
        if kind == "frames":
            if d.stimulus is None:
                raise InputError(f"{store} has no stimulus frames; models that read frames need them.")
            return d.stimulus
        if feature_set == "tokens":
            return d.features
        try:
            return self.features[feature_set][store]
        except KeyError:
            raise InputError(f"feature set {feature_set!r} is not available for {store}; it covers "
                             f"{sorted(self.features.get(feature_set, {}))}.") from None


def _hash_array(h, a) -> None:
    a = np.ascontiguousarray(a)
    h.update(str((a.dtype.str, a.shape)).encode())
    h.update(memoryview(a).cast("B"))


def _fingerprint(train: RetinaData, cross: dict, features: dict) -> str:
    h = hashlib.sha256()
    for d in [train, *cross.values()]:
        h.update(d.movie.encode())
        for a in (d.spike_avg, d.features, d.rf, d.split_train, d.split_test):
            _hash_array(h, a)
        if d.stimulus is not None:
            _hash_array(h, d.stimulus)
    for name in sorted(features):
        for store in sorted(features[name]):
            h.update(f"{name}/{store}".encode())
            _hash_array(h, features[name][store])
    return h.hexdigest()


def standardize(train: RetinaData, others: dict, features: dict | None = None):
    """Z-score every feature set with movie 1's training frames' channel mean and std (our choice; the authors fed
    raw DINOv2 features). Returns (train, others, features) with new arrays."""
    tr = train.split_train
    f = train.features[tr]
    mu, sd = f.mean(axis=(0, 1)), f.std(axis=(0, 1)) + 1e-6
    z = lambda a, m, s: ((a - m) / s).astype(np.float32)  # noqa: E731
    train2 = dataclasses.replace(train, features=z(train.features, mu, sd))
    others2 = {k: dataclasses.replace(v, features=z(v.features, mu, sd)) for k, v in others.items()}
    feats2 = {}
    for name, by_store in (features or {}).items():
        ref = by_store[train.movie][tr]
        m, s = ref.mean(axis=(0, 1)), ref.std(axis=(0, 1)) + 1e-6
        feats2[name] = {st: z(a, m, s) for st, a in by_store.items()}
    return train2, others2, feats2


def make_movies(train: RetinaData, cross: dict, features: dict | None = None,
                standardize_features: bool = True, eval_frames: int = 0) -> Movies:
    """A :class:`Movies` bundle (features z-scored with movie 1's training frames when ``standardize_features``;
    see :func:`standardize`; test sequences scored on their first ``eval_frames`` frames when > 0)."""
    feats = dict(features or {})
    if standardize_features:
        train, cross, feats = standardize(train, cross, feats)
    fp = _fingerprint(train, cross, feats)
    if eval_frames:
        fp = hashlib.sha256(f"{fp}/eval_frames={int(eval_frames)}".encode()).hexdigest()
    return Movies(train, dict(cross), feats, fp, int(eval_frames))


def load_movies(root, cross_stores=None, standardize_features: bool = True, features: dict | None = None) -> Movies:
    """:func:`read_movies` then :func:`make_movies`."""
    m1, cross = read_movies(root, cross_stores)
    return make_movies(m1, cross, features, standardize_features)


# ------------------------------------------------------------------------------------------- scoring
def score(pred: np.ndarray, target: np.ndarray) -> dict:
    """Scores of predictions (cells, T) against targets (cells, T).

    ``cc`` (mean ``|r|``, the authors' ``val/corr``), ``cc_signed`` (mean r), ``cc_pos_mean`` / ``cc_pos_std`` (r > 0
    only, the code's export), ``n_negative``, ``sdkl`` (the code's wrapper, α = 0.5, KL(P_target ‖ P_pred)),
    ``sdkl_pseudocode`` (the supplement's Algorithm 1 as written) and ``r`` (per cell).
    """
    r, _ = pearson_cc(pred, target)
    agg = cc_aggregates(r)
    return {"cc": agg["abs_mean"], "cc_signed": agg["mean"], "cc_pos_mean": agg["pos_mean"],
            "cc_pos_std": agg["pos_std"], "n_negative": agg["n_negative"],
            "sdkl": spike_kde_divergence(pred, target)[0],
            "sdkl_pseudocode": spike_kde_divergence_pseudocode(pred, target)[0],
            "r": r}


# ------------------------------------------------------------------------------------------- jobs and results
@dataclass(frozen=True)
class Job:
    """One training run.

    Attributes
    ----------
    key : str
        Name of the result.
    model : str
        Registry name (:mod:`neurokit.vist.zoo`).
    config : TrainConfig or None
        Training recipe (trained models; ignored by closed-form ones).
    video_layers, video_dim : int
    feature_set : str
        ``"tokens"`` or a key of :attr:`Movies.features` (models that read features).
    cells : tuple of int or None
        Cells modelled (None: all).
    tests : tuple of str or None
        Cross stores to score (None: all of :attr:`Movies.cross` that the feature set covers).
    curve_every : int
        Epochs between learning-curve points (0: no curve).
    """

    key: str
    model: str
    config: TrainConfig | None = None
    video_layers: int = 6
    video_dim: int = 256
    feature_set: str = "tokens"
    cells: tuple | None = None
    tests: tuple | None = None
    curve_every: int = 0

    @property
    def trainable(self) -> bool:
        return zoo.get(self.model).trainable

    def cost(self) -> float:
        """A rough relative cost, to start the longest runs first."""
        if not self.trainable:
            return 0.01
        steps = self.config.epochs * self.config.batches_per_epoch if self.config else 1
        per = {"crnn": 0.3, "dinov2_mstcn": 0.9, "i3d_mstcn": 0.9}.get(self.model, 1.0)
        n = len(self.cells) if self.cells is not None else 24
        return steps * per * (0.45 + 0.55 * min(n, 24) / 24)


@dataclass
class RunResult:
    """Scores, predictions and curves of one run (see :func:`run_model`)."""

    key: str
    model: str
    scores: dict
    per_cell: dict = field(repr=False, default_factory=dict)
    preds: dict = field(repr=False, default_factory=dict)
    cells: np.ndarray = field(repr=False, default=None)
    train_cc: float = float("nan")
    steps: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    n_params: int = 0
    curve: list = field(repr=False, default_factory=list)
    history: list = field(repr=False, default_factory=list)
    cached: bool = False


def _code_hash() -> str:
    """Hash of the source of neurokit.vist (model, loss, training, registry, baselines) and of this module."""
    import neurokit.vist as v

    h = hashlib.sha256()
    base = Path(v.__file__).parent
    for f in sorted([*base.glob("*.py"), *base.glob("baselines/*.py"), Path(__file__)]):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def job_key(job: Job, movies: Movies) -> str:
    entry = zoo.get(job.model)
    cfg = dataclasses.asdict(job.config) if (job.config is not None and entry.trainable) else None
    return sha256_json({
        "version": RUN_VERSION, "model": job.model, "loss": entry.loss, "config": cfg,
        "shape": [job.video_layers, job.video_dim], "feature_set": job.feature_set if entry.inputs == "features"
        else "frames", "cells": None if job.cells is None else [int(c) for c in job.cells],
        "tests": None if job.tests is None else list(job.tests), "curve_every": int(job.curve_every),
        "data": movies.fingerprint, "code": _code_hash(), "torch": torch.__version__.split("+")[0],
    })[:20]


def _cache_path(key: str) -> Path:
    return cache_home() / "vist" / f"run-{key}.npz"


def _save(path: Path, res: RunResult) -> None:
    arrays = {f"pred/{k}": v for k, v in res.preds.items()}
    arrays.update({f"r/{k}": v for k, v in res.per_cell.items()})
    arrays["cells"] = np.asarray(res.cells)
    meta = {"key": res.key, "model": res.model, "scores": res.scores, "train_cc": res.train_cc, "steps": res.steps,
            "seconds": res.seconds, "cpu_seconds": res.cpu_seconds, "n_params": res.n_params, "curve": res.curve,
            "history": res.history}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def _load(path: Path) -> RunResult:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(bytes(z["meta"]).decode())
        preds = {k[5:]: z[k] for k in z.files if k.startswith("pred/")}
        per_cell = {k[2:]: z[k] for k in z.files if k.startswith("r/")}
        cells = z["cells"]
    return RunResult(meta["key"], meta["model"], meta["scores"], per_cell, preds, cells, meta["train_cc"],
                     meta["steps"], meta["seconds"], meta.get("cpu_seconds", float("nan")), meta["n_params"],
                     meta["curve"], meta["history"], cached=True)


def _predict_halves(model, trainable, x, d: RetinaData, rf, device, movies: Movies) -> np.ndarray:
    """Predictions (cells, T) of a cross store: each half as one sequence, joined per cell (the authors' way)."""
    out = []
    for half in (movies.head(d.split_train), movies.head(d.split_test)):
        xs = x[half]
        out.append(predict(model, xs, rf, device=device) if trainable else model.predict(xs))
    return np.concatenate(out, axis=1)


def run_model(job: Job, movies: Movies, progress: bool = False) -> RunResult:
    """Train ``job.model`` on movie 1's first half and score it (no cache; see :func:`run_jobs`)."""
    entry = zoo.get(job.model)
    d1 = movies.train
    cells = np.arange(d1.n_cells) if job.cells is None else np.asarray(job.cells, dtype=np.int64)
    tr, te = d1.split_train, d1.split_test
    te_s, tr_s = movies.head(te), movies.head(tr)  # the scored frames (all unless movies.eval_frames)
    x1 = movies.inputs(d1.movie, entry.inputs, job.feature_set)
    y1 = d1.spike_avg[:, cells]
    rf = d1.rf[cells]
    tests = list(job.tests) if job.tests is not None else [
        s for s in movies.cross if entry.inputs == "frames" or job.feature_set == "tokens"
        or s in movies.features.get(job.feature_set, {})]
    shape = zoo.ModelShape(feat_dim=int(x1.shape[-1]) if entry.inputs == "features" else d1.features.shape[-1],
                           n_cells=len(cells), size=d1.stimulus.shape[-1] if d1.stimulus is not None else 64,
                           video_layers=job.video_layers, video_dim=job.video_dim)
    t0, c0 = time.perf_counter(), time.process_time()
    curve, history = [], []
    if not entry.trainable:
        model = zoo.create(job.model, shape).fit(x1[tr], y1[tr])
        n_params = int(sum(np.size(getattr(model, a)) for a in ("coef_", "intercept_", "nonlin_") if hasattr(model, a)))
        steps, device = 0, "cpu"

        def pred(x):
            return model.predict(x)
    else:
        cfg = job.config or TrainConfig()
        device = cfg.device
        torch.manual_seed(cfg.seed)
        model = zoo.create(job.model, shape)
        seg = Sequence_(x1[tr], y1[tr], rf)
        loss = ViSTLoss(**entry.loss)
        steps = cfg.epochs * cfg.batches_per_epoch

        def pred(x):
            return predict(model, x, rf, device=device)

        if job.curve_every and job.curve_every < cfg.epochs:
            ckpt = Path(tempfile.mkdtemp(prefix="vist-curve-"))
            try:
                done = 0
                while done < cfg.epochs:
                    res = train(model, [seg], [], cfg, loss_fn=loss, checkpoint_dir=ckpt, stop_after=job.curve_every,
                                progress=progress)
                    model, done = res.model, len(res.history)
                    point = {"step": done * cfg.batches_per_epoch, "swa": done >= cfg.epochs,
                             WITHIN: pearson_cc(pred(x1[te_s]), y1[te_s].T)[1]}
                    if tests:
                        xc = movies.inputs(tests[0], entry.inputs, job.feature_set)
                        dc = movies.cross[tests[0]]
                        point[tests[0]] = pearson_cc(_predict_halves(model, True, xc, dc, rf, device, movies),
                                                     movies.target(tests[0], cells))[1]
                    curve.append(point)
                    model.train()
                history = res.history
            finally:
                shutil.rmtree(ckpt, ignore_errors=True)
        else:
            res = train(model, [seg], [], cfg, loss_fn=loss, progress=progress)
            model, history = res.model, res.history
        n_params = count_parameters(model)
    train_secs = time.perf_counter() - t0
    model_eval = model.eval() if entry.trainable else model
    preds = {WITHIN: pred(x1[te_s])}
    for s in tests:
        xc = movies.inputs(s, entry.inputs, job.feature_set)
        preds[s] = _predict_halves(model_eval, entry.trainable, xc, movies.cross[s], rf, device, movies)
    targets = {WITHIN: y1[te_s].T, **{s: movies.target(s, cells) for s in tests}}
    scores, per_cell = {}, {}
    for k, p in preds.items():
        sc = score(p, targets[k])
        per_cell[k] = sc.pop("r")
        scores[k] = sc
    train_cc = pearson_cc(pred(x1[tr_s]), y1[tr_s].T)[1]
    log.info("%s: %d steps, trained in %.1f s, scored in %.1f s", job.key, steps, train_secs,
             time.perf_counter() - t0 - train_secs)
    return RunResult(job.key, job.model, scores, per_cell, preds, cells, float(train_cc), steps,
                     time.perf_counter() - t0, time.process_time() - c0,
                     int(n_params), curve, [{k: float(v) for k, v in h.items()} for h in history])


def _run_job(job: Job, movies: Movies, threads: int, path: str, cache: bool):
    torch.set_num_threads(int(threads))
    res = run_model(job, movies)
    if cache:
        _save(Path(path), res)
    return job.key, res


def _threads(threads: int, workers: int) -> int:
    """``threads`` per worker, capped so that ``workers`` workers use at most :func:`available_cores` (at least 1):
    more threads than cores only slow a run down (the paper profile asks for 16)."""
    cap = max(1, available_cores() // max(1, workers))
    if threads > cap:
        log.info("%d torch threads per run asked for; this machine gives %d worker(s) %d each", threads, workers, cap)
    return min(threads, cap)


def run_jobs(jobs, movies: Movies, n_jobs: int = 1, threads: int = 1, cache: bool = True,
             progress: bool = False) -> dict:
    """Run (or read from the cache) several training runs, ``n_jobs`` worker processes at a time.

    Small CPU models use one core far better than two threads share it, so on a 2-core machine two
    single-threaded workers give close to twice the throughput of one two-threaded run. Every run seeds itself
    from its config, so results do not depend on ``n_jobs`` (up to floating-point differences between thread
    counts). The longest runs start first.

    Parameters
    ----------
    jobs : sequence of Job
    movies : Movies
    n_jobs : int
    threads : int
        ``torch.set_num_threads`` in each run, capped at :func:`available_cores` divided among the workers.
    cache : bool
        Read and write ``cache_home()/vist/run-<key>.npz``.
    progress : bool

    Returns
    -------
    dict
        ``job.key`` → :class:`RunResult`, in the order of ``jobs``.
    """
    jobs = list(jobs)
    keys = [j.key for j in jobs]
    if len(set(keys)) != len(keys):
        raise InputError(f"run_jobs: job keys must be unique; got {keys}.")
    if n_jobs is None or int(n_jobs) < 1:
        raise InputError(f"run_jobs: n_jobs must be a positive integer; got {n_jobs!r}.")
    out, todo = {}, []
    threads = _threads(int(threads), min(int(n_jobs), max(1, len(jobs))))
    for j in jobs:
        path = _cache_path(job_key(j, movies))
        if cache and path.is_file():
            try:
                out[j.key] = dataclasses.replace(_load(path), key=j.key)
                continue
            except (OSError, ValueError, KeyError) as err:  # a damaged cache file is recomputed
                log.warning("ignoring unreadable cached run %s: %s", path, err)
        todo.append((j, str(path)))
    todo.sort(key=lambda jp: -jp[0].cost())
    bar = tqdm(total=len(todo), disable=not progress, desc="training runs")
    if int(n_jobs) == 1 or len(todo) <= 1:
        before = torch.get_num_threads()
        try:
            for j, p in todo:
                k, r = _run_job(j, movies, threads, p, cache)
                out[k] = r
                bar.update()
        finally:
            torch.set_num_threads(before)
    else:
        from joblib import Parallel, delayed

        par = Parallel(n_jobs=int(n_jobs), backend="loky", return_as="generator_unordered")
        for k, r in par(delayed(_run_job)(j, movies, threads, p, cache) for j, p in todo):
            out[k] = r
            bar.update()
    bar.close()
    return {k: out[k] for k in keys}
