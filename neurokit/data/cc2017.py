"""Loader for the cc2017 tensors in the layout NEURONS consumes (real download or its simulation).

The test fMRI is averaged over its 10 repetitions at load time, as NEURONS does; the training fMRI keeps its
2 repetitions (stage 1 alternates them by epoch, stage 2 uses repetition 0).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurokit.errors import DataError, InputError

__all__ = ["CC2017Data", "load_cc2017"]


@dataclass(frozen=True)
class CC2017Data:
    """One subject's cc2017 tensors.

    Attributes
    ----------
    subject : int
    train_fmri : ndarray of shape (n_train, 2, n_voxels), float32
        Both training repetitions.
    test_fmri : ndarray of shape (n_test, n_voxels), float32
        Mean over the 10 test repetitions.
    test_fmri_reps : ndarray of shape (n_test, 10, n_voxels), float32
    train_frames, test_frames : ndarray of shape (n, 6, 3, H, W), float32 in [0, 1]
    train_captions, test_captions : list of str
    train_concepts, test_concepts : ndarray of shape (n, n_concepts), uint8 multi-hot
    train_masks, test_masks : ndarray of shape (n, 6, H, W), uint8 key-object masks
    train_key_class, test_key_class : list of str
        Key-object category per clip (``"None"`` when there is none).
    concept_names : list of str
    train_labels, test_labels : list of dict or None
        Per-clip world labels of a simulated set (``sim_labels_*.json``: key class, colour, palette index, scene,
        motion); ``None`` for the real data, which have none.
    root : Path
    """

    subject: int
    train_fmri: np.ndarray = field(repr=False)
    test_fmri: np.ndarray = field(repr=False)
    test_fmri_reps: np.ndarray = field(repr=False)
    train_frames: np.ndarray = field(repr=False)
    test_frames: np.ndarray = field(repr=False)
    train_captions: list = field(repr=False)
    test_captions: list = field(repr=False)
    train_concepts: np.ndarray = field(repr=False)
    test_concepts: np.ndarray = field(repr=False)
    train_masks: np.ndarray = field(repr=False)
    test_masks: np.ndarray = field(repr=False)
    train_key_class: list = field(repr=False)
    test_key_class: list = field(repr=False)
    concept_names: list = field(repr=False)
    train_labels: list | None = field(default=None, repr=False)
    test_labels: list | None = field(default=None, repr=False)
    root: Path = None

    @property
    def n_voxels(self) -> int:
        return int(self.train_fmri.shape[-1])

    @property
    def frame_size(self) -> int:
        return int(self.train_frames.shape[-1])

    def __repr__(self) -> str:
        return (f"CC2017Data(subject={self.subject}, n_train={len(self.train_fmri)}, n_test={len(self.test_fmri)}, "
                f"n_voxels={self.n_voxels}, frames={self.train_frames.shape[1:]}, "
                f"n_concepts={len(self.concept_names)})")


def _load(path: Path):
    import torch

    if not path.exists():
        raise DataError(
            f"missing cc2017 file {path}. Simulate the set with `neurokit data simulate cc2017` "
            "or download the real tensors (gongzx/cc2017_dataset + McGregorW/NEURONS) into that folder.")
    try:
        obj = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as err:  # torch raises several types for corrupt/unsafe files
        raise DataError(f"cannot read {path} with torch.load(weights_only=True): {err}. "
                        "Delete the file and re-create it.") from err
    return obj.numpy() if hasattr(obj, "numpy") else obj


def load_cc2017(root, subject: int = 1) -> CC2017Data:
    """Load one subject of a cc2017 folder, checking every shape against every other.

    Parameters
    ----------
    root : path-like
        Folder with ``subj0{s}_{train,test}_fmri.pt``, ``GT_{train,test}_3fps.pt``, ``GT_*_caption.pt``,
        ``GT_*_concepts.pt``, ``key_objects_masks_*.pt``, ``key_objects_info_*.json``, ``concept_names.json``.
    subject : int
        1, 2 or 3 (as in the NEURONS code; not 0-based).

    Returns
    -------
    CC2017Data
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"cc2017 folder {root} does not exist; simulate it with `neurokit data simulate cc2017`, or place the real tensors there.")
    available = sorted(int(p.name[5]) for p in root.glob("subj0*_train_fmri.pt"))
    if subject not in available:
        raise InputError(f"subject {subject!r} not found in {root}; available subjects: {available} "
                         "(subjects are numbered from 1, as in NEURONS).")
    tr = np.asarray(_load(root / f"subj0{subject}_train_fmri.pt"), np.float32)
    te_reps = np.asarray(_load(root / f"subj0{subject}_test_fmri.pt"), np.float32)
    out = {}
    for split in ("train", "test"):
        out[f"{split}_frames"] = np.asarray(_load(root / f"GT_{split}_3fps.pt"), np.float32)
        out[f"{split}_captions"] = list(_load(root / f"GT_{split}_caption.pt"))
        out[f"{split}_concepts"] = np.asarray(_load(root / f"GT_{split}_concepts.pt"))
        out[f"{split}_masks"] = np.asarray(_load(root / f"key_objects_masks_{split}.pt"))
        info_path = root / f"key_objects_info_{split}.json"
        if not info_path.exists():
            raise DataError(f"missing {info_path}; re-create the folder with simulate_cc2017.")
        info = json.loads(info_path.read_text())
        out[f"{split}_key_class"] = [info[str(i)]["category"] for i in range(len(info))]
        labels = root / f"sim_labels_{split}.json"
        out[f"{split}_labels"] = json.loads(labels.read_text()) if labels.exists() else None
    names = json.loads((root / "concept_names.json").read_text())
    if tr.ndim != 3 or tr.shape[1] != 2:
        raise DataError(f"subj0{subject}_train_fmri.pt has shape {tr.shape}; expected (n_train, 2, n_voxels).")
    if te_reps.ndim != 3 or te_reps.shape[2] != tr.shape[2]:
        raise DataError(f"subj0{subject}_test_fmri.pt has shape {te_reps.shape}; expected (n_test, n_reps, "
                        f"{tr.shape[2]}) with the training voxel count.")
    for split, n in (("train", len(tr)), ("test", len(te_reps))):
        f = out[f"{split}_frames"]
        if f.ndim != 5 or f.shape[0] != n or f.shape[2] != 3:
            raise DataError(f"GT_{split}_3fps.pt has shape {f.shape}; expected ({n}, F, 3, H, W) to match the fMRI.")
        checks = {
            "captions": len(out[f"{split}_captions"]), "concepts": len(out[f"{split}_concepts"]),
            "masks": len(out[f"{split}_masks"]), "key objects": len(out[f"{split}_key_class"]),
        }
        if out[f"{split}_labels"] is not None:
            checks["world labels"] = len(out[f"{split}_labels"])
        for what, m in checks.items():
            if m != n:
                raise DataError(f"{split} {what} hold {m} clips but the fMRI holds {n}; the folder is inconsistent.")
        if out[f"{split}_masks"].shape[1:] != (f.shape[1], f.shape[3], f.shape[4]):
            raise DataError(f"{split} masks {out[f'{split}_masks'].shape} do not match frames {f.shape}.")
        if out[f"{split}_concepts"].shape[1] != len(names):
            raise DataError(f"{split} concepts have {out[f'{split}_concepts'].shape[1]} columns but "
                            f"concept_names.json lists {len(names)}.")
    for a, name in ((tr, "train fMRI"), (te_reps, "test fMRI")):
        if not np.isfinite(a).all():
            raise DataError(f"{name} of subject {subject} contains NaN/inf values.")
    return CC2017Data(subject=subject, train_fmri=tr, test_fmri=te_reps.mean(1), test_fmri_reps=te_reps,
                      concept_names=names, root=root, **out)
