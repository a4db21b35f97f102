"""Part I.1: the data set, its sizes, and the noise ceilings every later score is measured against.

Two estimates of the noise ceiling per voxel from the repeats of the training clips (3 in Algonauts 2021):

* **split-half**: Pearson r between the mean of one half of the repeats and the mean of the other, corrected
  with Spearman–Brown ``2ρ/(1 + ρ)`` (:func:`neurokit.stats.split_half_noise_ceiling`). With 3 repeats the halves
  are 1 and 2 repeats, so the correction for two *equal* halves does not fit the data: the estimate is of the
  reliability of a 2-repeat mean rather than of the 3-repeat mean the encoders are fitted to;
* **ncsnr**: the GLMsingle / NSD / BOLD Moments signal-to-noise ratio from the across-repeat variance,
  ``NC = ncsnr² / (ncsnr² + 1/n)`` with ``n = 3`` (:func:`neurokit.stats.ncsnr`,
  :func:`neurokit.stats.noise_ceiling_from_ncsnr`), which uses every repeat and the right ``n``.

In a simulated world both stand beside the planted value ``ncsnr²/(ncsnr² + 1/3)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurokit.stats import ncsnr, noise_ceiling_from_ncsnr, split_half_noise_ceiling
from neurokit.studies.encoding import _settings

__all__ = ["Settings", "settings", "DatasetResult", "run", "noise_ceilings"]


@dataclass(frozen=True)
class Settings:
    """Settings of the data chapter (the simulated world's seed; the sizes are the data set's own)."""

    profile: str
    seed: int = 0

    def __post_init__(self):
        _settings.check_nonnegative(self, "seed")


PROFILES = {"smoke": {}, "embedded": {}, "paper": {}}


def settings(profile, **overrides):
    """The settings of ``profile`` with ``overrides``."""
    return _settings.resolve(Settings, PROFILES, profile, overrides)


def noise_ceilings(repeats, seed=0):
    """Both noise-ceiling estimates for one ROI.

    Parameters
    ----------
    repeats : ndarray of shape (n_clips, n_repeats, n_voxels)

    Returns
    -------
    dict
        ``split_half`` and ``ncsnr`` (fractions of variance, shape (n_voxels,)).
    """
    R = np.asarray(repeats, dtype=np.float64)
    return {"split_half": split_half_noise_ceiling(R, rng=seed),
            "ncsnr": noise_ceiling_from_ncsnr(ncsnr(R), R.shape[1]) / 100.0}


@dataclass(frozen=True)
class DatasetResult:
    """What the data chapter shows.

    Attributes
    ----------
    settings : Settings
    root : Path
    n_train, n_videos, n_subjects : int
    rois, subjects : list of str
    sizes : pandas.DataFrame
        Voxels per ROI (rows) and subject (columns).
    ceilings : pandas.DataFrame
        ``subject, roi, split_half, ncsnr, planted`` (means over voxels; ``planted`` NaN on real data).
    planted : ndarray or None
        Planted coupling ``C[target, source]`` in ``rois`` order (simulated data only).
    truth : pandas.DataFrame or None
        ``motion share, dynamic`` per ROI (simulated only).
    simulated : bool
    """

    settings: Settings
    root: object
    n_train: int
    n_videos: int
    n_subjects: int
    rois: list
    subjects: list
    sizes: object = field(repr=False)
    ceilings: object = field(repr=False)
    planted: object = field(repr=False)
    truth: object = field(repr=False)
    simulated: bool = True


def run(s: Settings) -> DatasetResult:
    """Load the data set, count voxels, estimate the noise ceilings and read the planted truth."""
    import pandas as pd

    from neurokit.catalog import algonauts2021
    from neurokit.data.algonauts import load_algonauts2021

    root = algonauts2021.ensure(s.profile, seed=s.seed)
    data = load_algonauts2021(root, average_repeats=False)
    rois = list(data.rois)
    sizes = pd.DataFrame({sub: {r: data.n_voxels(sub, r) for r in rois} for sub in data.subjects})
    gt = None
    if data.simulated:
        from neurokit.sim.brain import load_ground_truth

        gt = load_ground_truth(root)
    rows = []
    for sub in data.subjects:
        for r in rois:
            nc = noise_ceilings(data.responses[sub][r], seed=s.seed)
            rows.append({"subject": sub, "roi": r, "split_half": float(np.mean(nc["split_half"])),
                         "ncsnr": float(np.mean(nc["ncsnr"])),
                         "planted": float(np.mean(gt.get(sub, r, "nc_n3"))) if gt is not None else np.nan})
    planted = truth = None
    if gt is not None:
        order = [list(gt.rois).index(r) for r in rois]
        planted = np.asarray(gt.connectivity)[np.ix_(order, order)]
        truth = pd.DataFrame({"motion share": [gt.model["motion_share"][r] for r in rois],
                              "dynamic": [r in gt.dynamic_rois for r in rois]}, index=rois)
    return DatasetResult(settings=s, root=root, n_train=data.n_train, n_videos=len(data.video_paths),
                         n_subjects=len(data.subjects), rois=rois, subjects=list(data.subjects), sizes=sizes,
                         ceilings=pd.DataFrame(rows), planted=planted, truth=truth, simulated=bool(data.simulated))
