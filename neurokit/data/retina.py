"""Loader for the Vi-ST retina data layout (real preprocessed Onken et al. 2017 stores or the simulation).

``load_retina(root, movie)`` reads ``<root>/<MOVIE>_zarr`` (``MOVIE01`` = paper's movie 1, ``MOVIE03`` = the
paper's "movie 2") and returns a frozen :class:`RetinaData` with shape and NaN checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurokit.errors import DataError, InputError, UnknownNameError
from neurokit.stats import pearsonr

__all__ = ["RetinaData", "load_retina", "MOVIES", "movie_store"]

#: Paper name → store name (the paper's "movie 2" is MOVIE03 in the authors' code).
MOVIES = {"movie1": "MOVIE01", "movie2": "MOVIE03", "MOVIE01": "MOVIE01", "MOVIE03": "MOVIE03",
          "movie01": "MOVIE01", "movie03": "MOVIE03",
          # simulated data only: the further rungs of the context-shift ladder for movie 2
          "MOVIE03_NOVEL": "MOVIE03_NOVEL", "MOVIE03_NOISE": "MOVIE03_NOISE"}


@dataclass(frozen=True)
class RetinaData:
    """One movie of a retina recording in the Vi-ST layout.

    Attributes
    ----------
    movie : str
        ``"MOVIE01"`` or ``"MOVIE03"``.
    spike_avg : ndarray of shape (frames, cells), float32
        Trial-averaged spike counts per frame (the regression target).
    features : ndarray of shape (frames, 256, D), float32
        Per-frame patch features (``dinov2_feats_0``).
    rf : ndarray of shape (cells, 16, 16), float32
        RF maps on the patch grid (``rf_to_dinov2``).
    split_train, split_test : ndarray of int
        Frame indices of the two halves.
    spikes : ndarray of shape (trials, frames, cells) or None
    rate_true : ndarray of shape (frames, cells) or None
        Expected counts (simulation only).
    stimulus : ndarray of shape (frames, H, W) uint8 or None
    attrs : dict
        Store attributes (``feature_extractor``, ``simulated``, …).
    root : Path
    """

    movie: str
    spike_avg: np.ndarray = field(repr=False)
    features: np.ndarray = field(repr=False)
    rf: np.ndarray = field(repr=False)
    split_train: np.ndarray = field(repr=False)
    split_test: np.ndarray = field(repr=False)
    spikes: np.ndarray | None = field(default=None, repr=False)
    rate_true: np.ndarray | None = field(default=None, repr=False)
    stimulus: np.ndarray | None = field(default=None, repr=False)
    attrs: dict = field(default_factory=dict, repr=False)
    root: Path | None = None

    def __post_init__(self):
        T, C = self.spike_avg.shape
        if self.features.ndim != 3 or self.features.shape[0] != T or self.features.shape[1] != 256:
            raise DataError(f"{self.movie}: dinov2_feats_0 must have shape ({T}, 256, D); got {self.features.shape}. "
                            "Re-extract the features or re-run the simulation.")
        if self.rf.shape != (C, 16, 16):
            raise DataError(f"{self.movie}: rf_to_dinov2 must have shape ({C}, 16, 16); got {self.rf.shape}.")
        for name in ("split_train", "split_test"):
            idx = getattr(self, name)
            if idx.ndim != 1 or len(idx) == 0 or idx.min() < 0 or idx.max() >= T:
                raise DataError(f"{self.movie}: attribute {name} must list frame indices in [0, {T}); got "
                                f"{len(idx)} indices in [{idx.min() if len(idx) else '-'}, "
                                f"{idx.max() if len(idx) else '-'}].")
        for name in ("spike_avg", "features", "rf"):
            a = getattr(self, name)
            if not np.isfinite(a).all():
                raise DataError(f"{self.movie}: {name} holds {int((~np.isfinite(a)).sum())} NaN/inf values; the "
                                "store is corrupt — delete it and re-run the simulation or preprocessing.")

    @property
    def n_frames(self) -> int:
        return int(self.spike_avg.shape[0])

    @property
    def n_cells(self) -> int:
        return int(self.spike_avg.shape[1])


def movie_store(root, movie: str) -> Path:
    """Path of the zarr store of ``movie`` under ``root`` (or under ``root/20150423_90/``, the authors' layout)."""
    key = MOVIES.get(str(movie))
    if key is None:
        raise UnknownNameError("movie", movie, sorted(MOVIES))
    direct = Path(root) / f"{key}_zarr"
    nested = Path(root) / "20150423_90" / f"{key}_zarr"  # the authors' folder name (manifest layout)
    return nested if (not direct.exists() and nested.exists()) else direct


def load_retina(root, movie: str = "MOVIE01", load_stimulus: bool = True) -> RetinaData:
    """Load one movie's store.

    Parameters
    ----------
    root : path
        Folder holding ``MOVIE01_zarr`` and ``MOVIE03_zarr`` (e.g. made by ``neurokit data simulate vist_retina``).
    movie : str
        ``"MOVIE01"``/``"movie1"`` or ``"MOVIE03"``/``"movie2"``.
    load_stimulus : bool
        Also read the stimulus frames when present.

    Returns
    -------
    RetinaData

    Raises
    ------
    DataError
        Missing store or array, wrong shapes, NaN values.
    """
    import zarr

    path = movie_store(root, movie)
    if not path.is_dir():
        raise DataError(f"no retina store at {path}. Create it with `neurokit data simulate vist_retina` "
                        "(simulated) or place the preprocessed MOVIE01_zarr/MOVIE03_zarr stores there.")
    try:
        g = zarr.open_group(str(path), mode="r")
    except Exception as e:  # noqa: BLE001
        raise DataError(f"cannot open zarr store {path}: {e}. Delete it and re-create it.") from e
    keys = set(g.array_keys())
    missing = {"spike_avg", "dinov2_feats_0", "rf_to_dinov2"} - keys
    if missing:
        raise DataError(f"{path} lacks array(s) {sorted(missing)}; it has {sorted(keys)}. Re-create the store.")
    attrs = dict(g.attrs)
    for a in ("split_train", "split_test"):
        if a not in attrs:
            raise DataError(f"{path} lacks attribute {a!r} (list of frame indices). Re-create the store.")
    spike_avg = np.asarray(g["spike_avg"][...], dtype=np.float32)
    if spike_avg.ndim != 2:
        raise DataError(f"{path}: spike_avg must be (frames, cells); got shape {spike_avg.shape}.")
    return RetinaData(
        movie=path.name[: -len("_zarr")], spike_avg=spike_avg,
        features=np.asarray(g["dinov2_feats_0"][...], dtype=np.float32),
        rf=np.asarray(g["rf_to_dinov2"][...], dtype=np.float32),
        split_train=np.asarray(attrs["split_train"], dtype=np.int64),
        split_test=np.asarray(attrs["split_test"], dtype=np.int64),
        spikes=np.asarray(g["spikes"][...]) if "spikes" in keys else None,
        rate_true=np.asarray(g["rate_true"][...], dtype=np.float32) if "rate_true" in keys else None,
        stimulus=np.asarray(g["stimulus"][...]) if (load_stimulus and "stimulus" in keys) else None,
        attrs=attrs, root=Path(root),
    )


def load_truth(root) -> dict:
    """The simulation's ground truth (``truth.npz``) as a dict of arrays; DataError for real data."""
    p = Path(root) / "truth.npz"
    if not p.is_file():
        raise DataError(f"{p} not found: ground truth exists only for simulated retina data sets.")
    with np.load(p, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def noise_ceiling_cc(data: RetinaData) -> np.ndarray:
    """Per-cell CC between trial-averaged counts and the true rate (simulation only): the best any model can do."""
    if data.rate_true is None:
        raise InputError("noise_ceiling_cc needs rate_true (simulated data).")
    return np.nan_to_num(pearsonr(data.rate_true, data.spike_avg))
