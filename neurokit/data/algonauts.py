"""Loader for the Algonauts 2021 challenge data (mini and full track), real or simulated.

Layout (``root`` = the unzipped download, or ``neurokit data simulate algonauts2021``)::

    AlgonautsVideos268_All_30fpsmax/NNNN_<id>.mp4      sorted order; the first n_train are training videos
    participants_data_v2021/mini_track/subXX/{ROI}.pkl  {"train": (n_train, 3, V)}
    participants_data_v2021/full_track/subXX/WB.pkl     {"train": (n_train, 3, V_wb), "voxel_mask": (78, 93, 71)}

The real release has no test responses (the organisers hold them); the split is implied: the number of
training videos is the first axis of the ``train`` arrays (1000), the remaining sorted videos (102) are test.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurokit.data import _checks, safe_pickle
from neurokit.errors import InputError, DataError, UnknownNameError

__all__ = ["AlgonautsData", "load_algonauts2021", "ROIS", "VIDEO_DIR", "SUBJECT_DATA_DIR"]

ROIS = ("V1", "V2", "V3", "V4", "LOC", "EBA", "FFA", "STS", "PPA")
VIDEO_DIR = "AlgonautsVideos268_All_30fpsmax"
SUBJECT_DATA_DIR = "participants_data_v2021"
N_REPEATS = 3


@dataclass(frozen=True)
class AlgonautsData:
    """Algonauts 2021 responses and videos.

    Attributes
    ----------
    root : Path
    video_paths : tuple of Path
        All videos in canonical (sorted) order, train first.
    n_train : int
        Number of training videos (responses exist only for these).
    split : ndarray of shape (n_videos,), str
        ``"train"`` or ``"test"`` per video.
    subjects, rois : tuple of str
    responses : dict
        ``responses[subject][roi]``: float32 array of shape (n_train, n_voxels) when ``repeats_averaged``,
        else (n_train, 3, n_voxels). With ``track="full"`` the ROI is ``"WB"``.
    repeats_averaged : bool
    track : {"mini", "full"}
    voxel_masks : dict
        Full track only: ``voxel_masks[subject]`` bool array of shape (78, 93, 71) whose ones (C order)
        index the voxel axis of ``responses[subject]["WB"]``.
    simulated : bool
        True when ``root`` holds simulated data (it has ``ground_truth/``).
    """

    root: Path
    video_paths: tuple = field(repr=False)
    n_train: int
    split: np.ndarray = field(repr=False)
    subjects: tuple
    rois: tuple
    responses: dict = field(repr=False)
    repeats_averaged: bool
    track: str
    voxel_masks: dict = field(default_factory=dict, repr=False)
    simulated: bool = False

    @property
    def train_video_paths(self) -> tuple:
        return self.video_paths[: self.n_train]

    @property
    def test_video_paths(self) -> tuple:
        return self.video_paths[self.n_train:]

    def n_voxels(self, subject: str, roi: str) -> int:
        return int(self.responses[subject][roi].shape[-1])


def _subjects_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"sub\d\d", p.name)) \
        if folder.is_dir() else []


def load_algonauts2021(root, subjects=None, rois=None, average_repeats: bool = True, track: str = "mini",
                       dtype=np.float32) -> AlgonautsData:
    """Load Algonauts 2021 fMRI responses and the video list.

    Parameters
    ----------
    root : str or Path
        Data set root (see the module docstring).
    subjects : list of str, optional
        e.g. ``["sub01", "sub04"]`` (default: all present).
    rois : list of str, optional
        Mini track: a subset of ``V1 V2 V3 V4 LOC EBA FFA STS PPA`` (default: all). Ignored for the full track.
    average_repeats : bool
        Average the 3 repetitions (as the devkit does before fitting).
    track : {"mini", "full"}
        ``"full"`` reads ``WB.pkl`` and its voxel mask.
    dtype : numpy dtype
        Returned response dtype.

    Returns
    -------
    AlgonautsData

    Raises
    ------
    DataError
        Missing/corrupt/unsafe files, wrong shapes, NaNs, inconsistent training-set sizes.
    UnknownNameError
        Unknown subject or ROI.
    """
    root = Path(root)
    if track not in ("mini", "full"):
        raise UnknownNameError("Algonauts track", track, ("mini", "full"))
    vdir = root / VIDEO_DIR
    videos = tuple(sorted(vdir.glob("*.mp4"))) if vdir.is_dir() else ()
    if not videos:
        raise DataError(f"no videos found in {vdir}. Unzip the Algonauts 2021 videos there (see the data card), or "
                        "run `neurokit data simulate algonauts2021` for the simulated copy.")
    bad_names = [p.name for p in videos if not re.match(r"^\d{4}_", p.name)]
    if bad_names:
        raise DataError(f"{vdir} holds video(s) not named NNNN_<id>.mp4, e.g. {bad_names[:3]}; the sorted order "
                        "would not be the canonical one. Remove stray files.")
    tdir = root / SUBJECT_DATA_DIR / f"{track}_track"
    present = _subjects_in(tdir)
    if not present:
        raise DataError(f"no subject folders (subXX) in {tdir}. Place participants_data_v2021/ from the download "
                        "under the data set root.")
    if subjects is None:
        subjects = present
    subjects = [subjects] if isinstance(subjects, str) else list(subjects)
    for s in subjects:
        if s not in present:
            raise UnknownNameError("Algonauts subject", s, present)
    if track == "full":
        rois = ["WB"]
    else:
        rois = list(ROIS) if rois is None else ([rois] if isinstance(rois, str) else list(rois))
        if not rois:
            raise InputError(f"rois is empty; pass at least one of {', '.join(ROIS)} (or None for all).")
        for r in rois:
            if r not in ROIS:
                raise UnknownNameError("Algonauts ROI", r, ROIS)
    responses: dict = {}
    masks: dict = {}
    n_train = None
    for s in subjects:
        responses[s] = {}
        for r in rois:
            path = tdir / s / f"{r}.pkl"
            obj = _checks.mapping(safe_pickle.load(path), path, ["train"] + (["voxel_mask"] if track == "full" else []))
            arr = _checks.response_array(obj["train"], path, "train", n_items=n_train, n_reps=N_REPEATS)
            if n_train is None:
                n_train = arr.shape[0]
                if n_train >= len(videos):
                    raise DataError(f"{path}: 'train' has {n_train} videos but {vdir} holds only {len(videos)}; "
                                    "the video folder is incomplete (expected train + test videos).")
            if track == "full":
                mask = np.asarray(obj["voxel_mask"])
                if mask.ndim != 3 or not np.isin(mask, (0, 1)).all():
                    raise DataError(f"{path}: 'voxel_mask' must be a 3-D 0/1 array, got shape {mask.shape}.")
                if int(mask.sum()) != arr.shape[2]:
                    raise DataError(f"{path}: 'voxel_mask' has {int(mask.sum())} ones but 'train' has "
                                    f"{arr.shape[2]} voxels; they must match.")
                masks[s] = mask.astype(bool)
            responses[s][r] = (arr.mean(axis=1) if average_repeats else arr).astype(dtype, copy=False)
    split = np.array(["train"] * n_train + ["test"] * (len(videos) - n_train))
    return AlgonautsData(root=root, video_paths=videos, n_train=int(n_train), split=split, subjects=tuple(subjects),
                         rois=tuple(rois), responses=responses, repeats_averaged=bool(average_repeats), track=track,
                         voxel_masks=masks, simulated=(root / "ground_truth" / "model.json").is_file())
