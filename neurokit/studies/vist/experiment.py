"""Experiment runners behind the Vi-ST chapters: train a model on one movie, score it within and across movies.

Protocol used by the simulated profiles (one training run gives both numbers)
    train on the first half (``split_train``) of the training movie; **within-movie** = the second half
    (``split_test``) of the same movie, **cross-movie** = the whole other movie (both halves joined per cell,
    as the authors' cross-movie validation). The difference is then purely the change of stimulus. The
    authors' cross-movie runs train on *both* halves of one movie; this single-run protocol trains on half as
    many frames, and the chapters say so.

Every model is scored with the authors' metrics: CC = mean ``|r|`` over cells (:func:`~neurokit.vist.metrics.pearson_cc`),
the mean over cells with r > 0, and SD-KL (:func:`~neurokit.vist.metrics.spike_kde_divergence`, code defaults).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from neurokit._progress import tqdm
from neurokit.data.retina import RetinaData
from neurokit.vist import zoo
from neurokit.vist.loss import ViSTLoss
from neurokit.vist.metrics import pearson_cc, positive_mean_std, spike_kde_divergence
from neurokit.vist.model import count_parameters
from neurokit.vist.train import Sequence_, TrainConfig, predict, train

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """Scores and predictions of one trained model."""

    name: str
    scores: dict
    preds: dict = field(repr=False, default_factory=dict)
    per_cell: dict = field(repr=False, default_factory=dict)
    seconds: float = 0.0
    n_params: int = 0
    history: list = field(repr=False, default_factory=list)
    model: object = field(repr=False, default=None)


def score(pred: np.ndarray, target: np.ndarray) -> dict:
    """CC (mean ``|r|``), CC over r > 0 (mean, std), SD-KL (code wrapper) for pred/target (cells, T)."""
    r, cc = pearson_cc(pred, target)
    pm, ps = positive_mean_std(r)
    sd, _ = spike_kde_divergence(pred, target)
    return {"cc": cc, "cc_pos_mean": pm, "cc_pos_std": ps, "sdkl": sd, "r": r}


def _inputs(name: str, d: RetinaData) -> np.ndarray:
    return d.stimulus if zoo.get(name).inputs == "frames" else d.features


def standardize_features(train_movie: RetinaData, test_movie: RetinaData):
    """Z-score the feature channels with the training frames' mean/std (our choice; the authors fed raw DINOv2
    features). Returns new (train, test) RetinaData objects."""
    import dataclasses

    f = train_movie.features[train_movie.split_train]
    mu, sd = f.mean(axis=(0, 1)), f.std(axis=(0, 1)) + 1e-6
    return tuple(dataclasses.replace(d, features=((d.features - mu) / sd).astype(np.float32))
                 for d in (train_movie, test_movie))


def run_model(name: str, train_movie: RetinaData, test_movie: RetinaData, config: TrainConfig | None = None,
              video_layers: int = 6, video_dim: int = 256, checkpoint_dir=None, progress: bool = False) -> RunResult:
    """Train ``name`` on ``train_movie``'s first half; score within (second half) and cross (``test_movie``).

    Returns
    -------
    RunResult
        ``scores["within"]`` and ``scores["cross"]`` dicts (see :func:`score`), predictions (cells, T).
    """
    entry = zoo.get(name)
    tr, te = train_movie.split_train, train_movie.split_test
    t0 = time.perf_counter()
    x_tr = _inputs(name, train_movie)
    shape = zoo.ModelShape(feat_dim=train_movie.features.shape[-1], n_cells=train_movie.n_cells,
                           size=train_movie.stimulus.shape[-1] if train_movie.stimulus is not None else 64,
                           video_layers=video_layers, video_dim=video_dim)
    if not entry.trainable:
        m = zoo.create(name, shape).fit(x_tr[tr], train_movie.spike_avg[tr])
        p_within = m.predict(x_tr)[:, te]  # run on the whole movie: the filter history crosses the split
        p_cross = m.predict(_inputs(name, test_movie))
        n_params = int(m.coef_.size + m.intercept_.size + getattr(m, "nonlin_", np.zeros(0)).size)
        history, model = [], m
    else:
        torch.manual_seed(config.seed if config else 0)
        model = zoo.create(name, shape)
        loss = ViSTLoss(**entry.loss)
        seg = Sequence_(x_tr[tr], train_movie.spike_avg[tr], train_movie.rf)
        cfg = config or TrainConfig()
        res = train(model, [seg], [], cfg, loss_fn=loss, checkpoint_dir=checkpoint_dir, progress=progress)
        model, history = res.model, res.history
        p_within = predict(model, x_tr[te], train_movie.rf, device=cfg.device)
        p_cross = predict(model, _inputs(name, test_movie), train_movie.rf, device=cfg.device)
        n_params = count_parameters(model)
    secs = time.perf_counter() - t0
    s_w = score(p_within, train_movie.spike_avg[te].T)
    s_c = score(p_cross, test_movie.spike_avg.T)
    return RunResult(
        name=name, scores={"within": {k: v for k, v in s_w.items() if k != "r"},
                           "cross": {k: v for k, v in s_c.items() if k != "r"}},
        preds={"within": p_within, "cross": p_cross}, per_cell={"within": s_w["r"], "cross": s_c["r"]},
        seconds=secs, n_params=n_params, history=history, model=model,
    )


def _run_job(job, train_movie, test_movie, threads):
    torch.set_num_threads(int(threads))
    key, name, config, kwargs = job
    return key, run_model(name, train_movie, test_movie, config, **kwargs)


def run_models(jobs, train_movie: RetinaData, test_movie: RetinaData, n_jobs: int = 1, threads: int = 1,
               progress: bool = False) -> dict:
    """Run several :func:`run_model` jobs, in ``n_jobs`` worker processes when ``n_jobs > 1``.

    Small CPU models use one core far better than two threads share it (PyTorch's 3-D convolution backward
    scales poorly), so on a 2-core machine two single-threaded workers give close to twice the throughput of one
    two-threaded run. Every run seeds itself from its config, so the results do not depend on ``n_jobs``
    (up to floating-point differences between thread counts).

    Parameters
    ----------
    jobs : sequence of (key, name, config, kwargs)
        ``key`` names the result; ``name``, ``config`` and ``kwargs`` (e.g. ``video_layers``) go to
        :func:`run_model`.
    n_jobs : int
        Worker processes (joblib/loky); 1 runs in this process.
    threads : int
        ``torch.set_num_threads`` in each run (workers and the in-process path alike).
    progress : bool
        tqdm bar over finished jobs.

    Returns
    -------
    dict
        ``key`` → :class:`RunResult`, in the order of ``jobs``.
    """
    jobs = [tuple(j) for j in jobs]
    keys = [j[0] for j in jobs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"run_models: job keys must be unique; got {keys}.")
    if n_jobs is None or int(n_jobs) < 1:
        raise ValueError(f"run_models: n_jobs must be a positive integer; got {n_jobs!r}.")
    bar = tqdm(total=len(jobs), disable=not progress, desc="training runs")
    out = {}
    if int(n_jobs) == 1 or len(jobs) == 1:
        before = torch.get_num_threads()
        try:
            for job in jobs:
                k, r = _run_job(job, train_movie, test_movie, threads)
                out[k] = r
                bar.update()
        finally:
            torch.set_num_threads(before)
    else:
        from joblib import Parallel, delayed

        par = Parallel(n_jobs=int(n_jobs), backend="loky", return_as="generator_unordered")
        for k, r in par(delayed(_run_job)(job, train_movie, test_movie, threads) for job in jobs):
            out[k] = r
            bar.update()
    bar.close()
    return {k: out[k] for k in keys}


def results_table(results) -> "pandas.DataFrame":  # noqa: F821
    """One row per model: within/cross CC (mean ``|r|``), CC r>0 mean, SD-KL, gap, parameters, seconds."""
    import pandas as pd

    rows = []
    for r in results:
        w, c = r.scores["within"], r.scores["cross"]
        rows.append({"model": r.name, "CC within": w["cc"], "CC cross": c["cc"], "gap (within-cross)": w["cc"] - c["cc"],
                     "CC>0 mean cross": c["cc_pos_mean"], "SD-KL within": w["sdkl"], "SD-KL cross": c["sdkl"],
                     "parameters": r.n_params, "seconds": r.seconds})
    return pd.DataFrame(rows).set_index("model")
