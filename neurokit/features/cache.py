"""``extract_dataset``: features of many clips, with a content-keyed, resumable on-disk cache.

Layout under ``cache_home()/features/``::

    <model>/<config key>/config.json           what the key stands for (model card hash, layers, sampling, pooling,
                                                weights and their sha256, storage dtype)
    <model>/<config key>/<layer>/<clip sha256>.npy   one pooled vector per clip and layer

The clip key is the sha256 of the stimulus content (the file's bytes for paths, dtype + shape + bytes for arrays),
so renaming a file or reordering the list reuses the cache, and changing a single pixel does not. Each file is
written atomically (temporary file + rename), clip by clip, so a run that is killed resumes where it stopped
without recomputing finished clips, and the finished cache is byte-identical to an uninterrupted run.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from neurokit._io import atomic_save_npy, atomic_write_json, sha256_file, sha256_json
from neurokit.config import cache_home
from neurokit.errors import InputError

log = logging.getLogger(__name__)

DTYPES = ("float32", "float16")


def clip_key(video) -> str:
    """sha256 of a stimulus: the file's bytes for a path, dtype + shape + bytes for an array."""
    if isinstance(video, (str, os.PathLike)):
        return sha256_file(video)
    a = np.ascontiguousarray(video)
    h = hashlib.sha256(f"{a.dtype.str}|{a.shape}|".encode())
    h.update(a.data)
    return h.hexdigest()


def _load(video) -> np.ndarray:
    if isinstance(video, (str, os.PathLike)):
        from neurokit.data.video import read_video

        return read_video(video)
    return np.asarray(video)


def cache_dir(extractor, dtype: str = "float32") -> Path:
    """The folder holding ``extractor``'s cached features (one per configuration and storage dtype)."""
    cfg = {**extractor.config(), "dtype": dtype}
    return cache_home() / "features" / extractor.card.name / sha256_json(cfg)[:20]


def extract_dataset(extractor, videos: Sequence, cache: bool = True, dtype: str = "float32",
                    progress: bool = True) -> "Features":
    """Features of every video, one row per video.

    Parameters
    ----------
    extractor : Extractor
        From :func:`create_extractor`.
    videos : sequence of paths or of uint8 arrays (frames, H, W, 3)
        Paths are decoded with :func:`neurokit.data.video.read_video`.
    cache : bool
        Read and write the on-disk cache (``cache_home()/features``).
    dtype : {"float32", "float16"}
        Storage and return dtype (float16 halves the cache; features are computed in float32).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    Features
        ``{layer: ndarray of shape (n_videos, n_features)}``; ``.meta`` holds the extractor configuration, the
        weights source, the clip keys and how many clips came from the cache.
    """
    from neurokit._progress import tqdm

    from neurokit.features.extractor import Features

    if dtype not in DTYPES:
        raise InputError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    videos = list(videos)
    if not videos:
        raise InputError("videos is empty; pass a list of video paths or uint8 arrays (frames, H, W, 3)")
    layers = list(extractor.layers)
    root = cache_dir(extractor, dtype) if cache else None
    if root is not None:
        atomic_write_json(root / "config.json", {**extractor.meta(), "dtype": dtype})
    rows: dict[str, list] = {name: [] for name in layers}
    keys, n_cached = [], 0
    for video in tqdm(videos, desc=f"features {extractor.card.name}", disable=not progress, unit="clip"):
        key = clip_key(video)
        keys.append(key)
        paths = {name: root / name / f"{key}.npy" for name in layers} if root is not None else None
        if paths is not None and all(p.is_file() for p in paths.values()):
            cached = _read_cached(paths)
            if cached is not None:
                for name in layers:
                    rows[name].append(cached[name])
                n_cached += 1
                continue
        feats = extractor.extract(_load(video))
        for name in layers:
            v = feats[name].astype(dtype)
            if paths is not None:
                atomic_save_npy(paths[name], v)
            rows[name].append(v)
    if n_cached:
        log.info("%s: %d of %d clips read from the cache %s", extractor.card.name, n_cached, len(videos), root)
    out = {name: np.stack(rows[name]) for name in layers}
    meta = {**extractor.meta(), "dtype": dtype, "clip_keys": keys, "n_from_cache": n_cached,
            "cache_dir": str(root) if root is not None else None}
    return Features(out, meta)


def _read_cached(paths: dict) -> dict | None:
    """Read one clip's cached layers; a truncated or corrupted entry is reported and recomputed (None)."""
    out = {}
    for name, path in paths.items():
        try:
            out[name] = np.load(path, allow_pickle=False)
        except (ValueError, EOFError, OSError) as err:
            log.warning("feature cache entry %s is unreadable (%s); recomputing this clip", path, err)
            return None
    return out
