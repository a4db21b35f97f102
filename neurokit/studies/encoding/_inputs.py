"""The preamble every Part I chapter shares: data set, subjects, clips, CV folds and model features."""
from __future__ import annotations

from dataclasses import dataclass, field

from neurokit.catalog import algonauts2021
from neurokit.data.algonauts import load_algonauts2021
from neurokit.studies.encoding._cv import disjoint_test_folds
from neurokit.studies.encoding._layers import model_features


@dataclass(frozen=True)
class EncodingInputs:
    """What a Part I chapter works on (see :func:`load_inputs`).

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
    """

    root: object
    data: object = field(repr=False)
    subjects: list
    rois: list
    n: int
    folds: list = field(repr=False)
    features: dict = field(repr=False)
    weights: str

    def responses(self, subject):
        """``{roi: (n, n_voxels)}`` of one subject, restricted to the chapter's clips."""
        return {r: self.data.responses[subject][r][: self.n] for r in self.rois}


def load_inputs(profile, models=(), seed=0, n_subjects=0, n_clips=0, n_folds=4, test_fraction=0.1):
    """Ensure and load Algonauts 2021, choose subjects and clips, draw the folds, extract the models' features.

    Parameters
    ----------
    profile : {"smoke", "embedded", "paper"}
        ``paper`` uses pretrained weights; the others the embedded ones.
    models : sequence of str
        Registry names whose block features are needed.
    seed : int
        Simulation seed and fold seed.
    n_subjects, n_clips : int
        First ``n_subjects`` subjects and first ``n_clips`` training clips (0 = all).
    n_folds : int
    test_fraction : float

    Returns
    -------
    EncodingInputs
    """
    root = algonauts2021.ensure(profile, seed=seed)
    data = load_algonauts2021(root)
    subjects = list(data.subjects[: n_subjects or None])
    n = min(n_clips, data.n_train) if n_clips else data.n_train
    folds = disjoint_test_folds(n, n_folds=n_folds, test_fraction=test_fraction, seed=seed)
    weights = "paper" if profile == "paper" else "embedded"
    feats = model_features(list(dict.fromkeys(models)), data.train_video_paths[:n], weights=weights) if models else {}
    return EncodingInputs(root=root, data=data, subjects=subjects, rois=list(data.rois), n=n, folds=folds,
                          features=feats, weights=weights)
