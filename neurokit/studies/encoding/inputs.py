"""What every Part I chapter starts from: data set, subjects, clips, disjoint test folds and model features."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurokit.errors import InputError

__all__ = ["EncodingInputs", "load_inputs", "disjoint_test_folds"]


def disjoint_test_folds(n_samples, n_folds=4, test_fraction=0.1, seed=0):
    """``n_folds`` train/test splits whose test sets are disjoint (our reading of the paper's four-fold CV).

    Each fold tests on ``round(test_fraction · n_samples)`` clips and trains on all the others (90 % / 10 % as the
    reviewers report). With 1000 clips and 4 folds, 400 clips are tested once and 600 never.

    Parameters
    ----------
    n_samples : int
    n_folds : int
    test_fraction : float in (0, 1/n_folds]
    seed : int

    Returns
    -------
    list of (train, test) pairs of int ndarrays
    """
    n_test = int(round(test_fraction * n_samples))
    if n_folds < 1 or n_test < 2 or n_folds * n_test > n_samples:
        raise InputError(
            f"cannot draw {n_folds} disjoint test sets of {n_test} clips from {n_samples}: lower n_folds or "
            f"test_fraction (need n_folds × test_fraction ≤ 1 and at least 2 test clips)."
        )
    order = np.random.default_rng(seed).permutation(n_samples)
    folds = []
    for k in range(n_folds):
        test = np.sort(order[k * n_test:(k + 1) * n_test])
        train = np.setdiff1d(np.arange(n_samples), test)
        folds.append((train, test))
    return folds


@dataclass(frozen=True)
class EncodingInputs:
    """What a Part I analysis works on (see :func:`load_inputs`).

    Attributes
    ----------
    root : Path
        Data set root.
    data : neurokit.data.algonauts.AlgonautsData
    subjects : list of str
    rois : list of str
    n : int
        Training clips used (the first ``n`` in canonical order).
    folds : list of (train, test) index arrays
        Disjoint test folds over the ``n`` clips.
    features : dict
        ``{model: {block: ndarray of shape (n, n_features)}}``.
    weights : {"embedded", "paper"}
    simulated : bool
    """

    root: object
    data: object = field(repr=False)
    subjects: list
    rois: list
    n: int
    folds: list = field(repr=False)
    features: dict = field(repr=False)
    weights: str
    simulated: bool

    def responses(self, subject):
        """``{roi: (n, n_voxels)}`` of one subject, restricted to the analysis' clips."""
        return {r: self.data.responses[subject][r][: self.n] for r in self.rois}

    def all_responses(self):
        """``{subject: {roi: (n, n_voxels)}}``."""
        return {s: self.responses(s) for s in self.subjects}


def load_inputs(profile, models=(), seed=0, n_subjects=0, n_clips=0, n_folds=4, test_fraction=0.1, n_jobs=1):
    """Ensure and load Algonauts 2021, choose subjects and clips, draw the folds, extract the models' features.

    Parameters
    ----------
    profile : {"smoke", "embedded", "paper"}
        ``paper`` uses pretrained weights and the real data; the others simulated data and the embedded weights.
    models : sequence of str
        Registry names whose block features are needed.
    seed : int
        Simulation seed and fold seed.
    n_subjects, n_clips : int
        First ``n_subjects`` subjects and first ``n_clips`` training clips (0 = all).
    n_folds : int
    test_fraction : float
    n_jobs : int
        Worker processes for feature extraction (:func:`~neurokit.studies.encoding.layers.model_features`).

    Returns
    -------
    EncodingInputs
    """
    from neurokit.catalog import algonauts2021
    from neurokit.data.algonauts import load_algonauts2021
    from neurokit.studies.encoding.layers import model_features

    root = algonauts2021.ensure(profile, seed=seed)
    data = load_algonauts2021(root)
    subjects = list(data.subjects[: n_subjects or None])
    n = min(n_clips, data.n_train) if n_clips else data.n_train
    folds = disjoint_test_folds(n, n_folds=n_folds, test_fraction=test_fraction, seed=seed)
    weights = "paper" if profile == "paper" else "embedded"
    feats = model_features(list(dict.fromkeys(models)), data.train_video_paths[:n], weights=weights,
                           n_jobs=n_jobs) if models else {}
    return EncodingInputs(root=root, data=data, subjects=subjects, rois=list(data.rois), n=n, folds=folds,
                          features=feats, weights=weights, simulated=bool(getattr(data, "simulated", False)))
