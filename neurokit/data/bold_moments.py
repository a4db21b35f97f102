"""Loader for the BOLD Moments Dataset (BMD) version-B prepared betas, real or simulated.

Layout under ``root`` (the OpenNeuro ds005165 tree, or ``neurokit data simulate bold_moments``)::

    derivatives/versionB/MNI152/prepared_allvoxel_pkl/sub-XX/sub-XX_roi-{l,r}{ROI}_betas_normalized.pkl
        (a dict: train_data_allvoxel of shape (1000, 3, V), test_data_allvoxel of shape (102, 10, V))
    derivatives/versionB/fsLR32k/GLM/sub-XX/prepared_betas/sub-XX_organized_betas_task-{train,test}_normalized.pkl
        (betas (n, reps, V), stim_order)
    derivatives/stimuli_metadata/mp4_h264/NNNN.mp4, derivatives/stimuli_metadata/annotations.json

Our nine ROIs map onto BMD's files: V1 = V1v + V1d, V2 = V2v + V2d, V3 = V3v + V3d, V4 = hV4, others by name;
each is the left-hemisphere parts followed by the right-hemisphere parts. Any other BMD ROI name (e.g.
``"OFA"``, ``"MT"``) is loaded as is.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurokit.data import _checks, safe_pickle
from neurokit.errors import DataError, InputError, UnknownNameError

__all__ = ["BoldMomentsData", "load_bold_moments", "load_bold_moments_betas", "ROI_PARTS", "ROI_DIR", "STIMULI_DIR"]

ROI_PARTS = {
    "V1": ("V1v", "V1d"), "V2": ("V2v", "V2d"), "V3": ("V3v", "V3d"), "V4": ("hV4",),
    "LOC": ("LOC",), "EBA": ("EBA",), "FFA": ("FFA",), "STS": ("STS",), "PPA": ("PPA",),
}
ROI_DIR = Path("derivatives/versionB/MNI152/prepared_allvoxel_pkl")
BETAS_DIR = Path("derivatives/versionB/fsLR32k/GLM")
STIMULI_DIR = Path("derivatives/stimuli_metadata")
N_REP_TRAIN, N_REP_TEST = 3, 10


@dataclass(frozen=True)
class BoldMomentsData:
    """BOLD Moments prepared betas per ROI, with the stimuli.

    Attributes
    ----------
    root : Path
    video_paths : tuple of Path
        ``mp4_h264/NNNN.mp4`` in order (empty when the stimuli are not installed).
    n_train, n_test : int
    subjects, rois : tuple of str
        Subjects as ``"sub-01"``.
    train : dict
        ``train[subject][roi]``: (n_train, n_voxels) if ``repeats_averaged`` else (n_train, 3, n_voxels).
    test : dict
        ``test[subject][roi]``: (n_test, n_voxels) or (n_test, 10, n_voxels).
    repeats_averaged : bool
    hemispheres : tuple of str
    annotations : dict or None
        ``annotations.json`` keyed ``"0001"`` … when present.
    simulated : bool
    """

    root: Path
    video_paths: tuple = field(repr=False)
    n_train: int
    n_test: int
    subjects: tuple
    rois: tuple
    train: dict = field(repr=False)
    test: dict = field(repr=False)
    repeats_averaged: bool
    hemispheres: tuple
    annotations: dict | None = field(default=None, repr=False)
    simulated: bool = False

    @property
    def responses(self) -> dict:
        """Alias of :attr:`train` (the name :class:`~neurokit.data.algonauts.AlgonautsData` uses)."""
        return self.train

    @property
    def split(self) -> np.ndarray:
        """``"train"``/``"test"`` per video, shape (n_train + n_test,)."""
        return np.array(["train"] * self.n_train + ["test"] * self.n_test)


def _norm_subject(s) -> str:
    m = re.fullmatch(r"sub-?(\d+)", str(s))
    if not m:
        raise InputError(f"subject {s!r} is not a subject name; use 'sub-01' (or 'sub01').")
    return f"sub-{int(m.group(1)):02d}"


def _present_subjects(root: Path) -> list[str]:
    d = root / ROI_DIR
    return sorted(p.name for p in d.iterdir() if p.is_dir() and re.fullmatch(r"sub-\d\d", p.name)) if d.is_dir() else []


def _available_rois(root: Path, sub: str) -> set[str]:
    pat = re.compile(rf"{sub}_roi-([lr])(.+)_betas_normalized\.pkl")
    return {m.group(2) for p in (root / ROI_DIR / sub).glob("*.pkl") if (m := pat.fullmatch(p.name))}


def load_bold_moments(root, subjects=None, rois=None, average_repeats: bool = True, hemispheres=("l", "r"),
                      dtype=np.float32) -> BoldMomentsData:
    """Load BMD prepared betas for ROIs (train and test repetitions) and the stimulus list.

    Parameters
    ----------
    root : str or Path
    subjects : list of str, optional
        ``"sub-01"`` or ``"sub01"`` (default: all present).
    rois : list of str, optional
        Our nine ROIs (default) or BMD ROI names.
    average_repeats : bool
        Average the repetitions (3 train, 10 test).
    hemispheres : tuple
        ``("l", "r")`` (default), ``("l",)`` or ``("r",)``.
    dtype : numpy dtype

    Returns
    -------
    BoldMomentsData

    Raises
    ------
    DataError
        Missing/corrupt/unsafe files, wrong shapes, NaNs, inconsistent sizes across files.
    UnknownNameError
        Unknown subject or ROI.
    """
    root = Path(root)
    hemispheres = tuple(hemispheres)
    if not hemispheres or any(h not in ("l", "r") for h in hemispheres):
        raise InputError(f"hemispheres must be a non-empty subset of ('l', 'r'); got {hemispheres}.")
    present = _present_subjects(root)
    if not present:
        raise DataError(f"no subject folders (sub-XX) under {root / ROI_DIR}. Download the BMD version-B prepared "
                        "betas there (see the data card) or run `neurokit data simulate bold_moments`.")
    subjects = present if subjects is None else [_norm_subject(s) for s in
                                                 ([subjects] if isinstance(subjects, str) else subjects)]
    for s in subjects:
        if s not in present:
            raise UnknownNameError("BOLD Moments subject", s, present)
    rois = list(ROI_PARTS) if rois is None else ([rois] if isinstance(rois, str) else list(rois))
    if not rois:
        raise InputError(f"rois is empty; pass at least one of {', '.join(ROI_PARTS)} (or None for all).")
    train: dict = {}
    test: dict = {}
    n_train = n_test = None
    for s in subjects:
        avail = _available_rois(root, s)
        train[s], test[s] = {}, {}
        for r in rois:
            parts = ROI_PARTS.get(r, (r,))
            if not all(p in avail for p in parts):
                valid = sorted(set(ROI_PARTS) | avail)
                if not any(p in avail for p in parts) and r not in ROI_PARTS:
                    raise UnknownNameError("BOLD Moments ROI", r, valid)
            tr_blocks, te_blocks = [], []
            for h in hemispheres:
                for p in parts:
                    path = root / ROI_DIR / s / f"{s}_roi-{h}{p}_betas_normalized.pkl"
                    obj = _checks.mapping(safe_pickle.load(path), path, ["train_data_allvoxel", "test_data_allvoxel"])
                    tr = _checks.response_array(obj["train_data_allvoxel"], path, "train_data_allvoxel",
                                                n_items=n_train, n_reps=N_REP_TRAIN)
                    te = _checks.response_array(obj["test_data_allvoxel"], path, "test_data_allvoxel",
                                                n_items=n_test, n_reps=N_REP_TEST)
                    if tr.shape[2] != te.shape[2]:
                        raise DataError(f"{path}: train has {tr.shape[2]} voxels but test has {te.shape[2]}.")
                    n_train, n_test = tr.shape[0], te.shape[0]
                    tr_blocks.append(tr)
                    te_blocks.append(te)
            tr, te = np.concatenate(tr_blocks, axis=2), np.concatenate(te_blocks, axis=2)
            train[s][r] = (tr.mean(axis=1) if average_repeats else tr).astype(dtype, copy=False)
            test[s][r] = (te.mean(axis=1) if average_repeats else te).astype(dtype, copy=False)
    vdir = root / STIMULI_DIR / "mp4_h264"
    videos = tuple(sorted(vdir.glob("*.mp4"))) if vdir.is_dir() else ()
    if videos and len(videos) != n_train + n_test:
        raise DataError(f"{vdir} holds {len(videos)} videos but the betas cover {n_train} train + {n_test} test "
                        "videos; the stimulus folder is incomplete.")
    ann_path = root / STIMULI_DIR / "annotations.json"
    annotations = None
    if ann_path.is_file():
        try:
            annotations = json.loads(ann_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise DataError(f"{ann_path} is not valid JSON ({exc}); re-download it.") from exc
    return BoldMomentsData(root=root, video_paths=videos, n_train=int(n_train), n_test=int(n_test),
                           subjects=tuple(subjects), rois=tuple(rois), train=train, test=test,
                           repeats_averaged=bool(average_repeats), hemispheres=hemispheres, annotations=annotations,
                           simulated=(root / "ground_truth" / "model.json").is_file())


def load_bold_moments_betas(root, subject, split: str = "train") -> tuple[np.ndarray, list[str]]:
    """Whole-brain prepared betas of one subject and split (fsLR32k layout).

    Returns
    -------
    betas : ndarray of shape (n_videos, n_repetitions, n_vertices)
    stim_order : list of str
        One stimulus name per row (e.g. ``"vid0001"``).
    """
    if split not in ("train", "test"):
        raise UnknownNameError("BOLD Moments split", split, ("train", "test"))
    s = _norm_subject(subject)
    path = Path(root) / BETAS_DIR / s / "prepared_betas" / f"{s}_organized_betas_task-{split}_normalized.pkl"
    obj = safe_pickle.load(path)
    if not isinstance(obj, tuple) or len(obj) < 2:
        raise DataError(f"{path} should hold a tuple (betas, stim_order[, mask]); got {type(obj).__name__}.")
    betas = _checks.response_array(obj[0], path, "betas", n_reps=N_REP_TRAIN if split == "train" else N_REP_TEST)
    order = [str(x) for x in np.asarray(obj[1]).ravel()]
    if len(order) != betas.shape[0]:
        raise DataError(f"{path}: stim_order has {len(order)} entries for {betas.shape[0]} rows of betas.")
    return betas, order
