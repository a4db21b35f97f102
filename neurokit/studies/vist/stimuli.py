"""How far each test movie is from the training frames: the statistics of the context-shift ladder.

For grey frames (T, S, S) uint8: pixel mean and RMS contrast, mean absolute frame difference (temporal change),
the slope of the radially averaged spatial power spectrum, and the **context distance**: the median distance from
a test patch (8 × 8 px, mean removed) to its nearest neighbour among movie 1's training patches, relative to the
same for movie 1's held-out half. The within-movie split should sit near 1 (pixel context conserved) and the rungs
above it, increasingly.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["LADDER_STORES", "read_movies", "frame_statistics", "patch_distance", "ladder_statistics"]

#: The movie-2 stores in ladder order (the real recordings have only the first).
LADDER_STORES = ("MOVIE03", "MOVIE03_NOVEL", "MOVIE03_NOISE")


def read_movies(root, cross_stores=None):
    """Movie 1 and the movie-2 stores under ``root`` (default: those of :data:`LADDER_STORES` that exist, in
    ladder order), as :class:`~neurokit.data.retina.RetinaData`: ``(movie1, {store: data})``."""
    from neurokit.data.retina import load_retina, movie_store

    m1 = load_retina(root, "MOVIE01")
    if cross_stores is None:
        cross_stores = [s for s in LADDER_STORES if movie_store(root, s).is_dir()]
    return m1, {s: load_retina(root, s) for s in cross_stores}


def spectral_slope(frames: np.ndarray, n: int = 64, seed: int = 0) -> float:
    """Slope of log power against log spatial frequency (radial average, frequencies 2 … S/4 cycles per frame)."""
    f = np.asarray(frames, dtype=np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(f), size=min(n, len(f)), replace=False)
    S = f.shape[-1]
    p = np.zeros((S, S))
    for i in idx:
        x = f[i] - f[i].mean()
        p += np.abs(np.fft.fft2(x)) ** 2
    fy, fx = np.meshgrid(np.fft.fftfreq(S) * S, np.fft.fftfreq(S) * S, indexing="ij")
    r = np.rint(np.sqrt(fy**2 + fx**2)).astype(int)
    ks = np.arange(2, S // 4 + 1)
    radial = np.array([p[r == k].mean() for k in ks])
    return float(np.polyfit(np.log(ks), np.log(radial), 1)[0])


def frame_statistics(frames: np.ndarray) -> dict:
    """Pixel mean, RMS contrast (pixel std / mean), mean absolute frame difference (grey levels) and spectral slope."""
    f = np.asarray(frames, dtype=np.float64)
    return {"pixel mean": float(f.mean()), "RMS contrast": float(f.std() / f.mean()),
            "mean |frame difference|": float(np.abs(np.diff(f, axis=0)).mean()), "spectral slope": spectral_slope(f)}


def _patches(frames: np.ndarray, n: int, size: int, rng) -> np.ndarray:
    f = np.asarray(frames, dtype=np.float32) / 255.0
    T, S, _ = f.shape
    t = rng.integers(0, T, n)
    y, x = rng.integers(0, S - size + 1, n), rng.integers(0, S - size + 1, n)
    p = np.stack([f[a, b : b + size, c : c + size] for a, b, c in zip(t, y, x)]).reshape(n, -1)
    return p - p.mean(1, keepdims=True)


def patch_distance(train_frames: np.ndarray, test_frames: np.ndarray, n_test: int = 1500, n_train: int = 15000,
                   size: int = 8, seed: int = 0) -> float:
    """Median distance from a test patch to its nearest training patch (8 × 8 px, each patch's mean removed)."""
    rng = np.random.default_rng(seed)
    a = _patches(train_frames, n_train, size, rng)
    b = _patches(test_frames, n_test, size, rng)
    a2 = (a**2).sum(1)
    best = np.full(len(b), np.inf)
    for i in range(0, len(b), 500):
        bb = b[i : i + 500]
        d = (bb**2).sum(1)[:, None] + a2[None] - 2 * bb @ a.T
        best[i : i + 500] = d.min(1)
    return float(np.median(np.sqrt(np.maximum(best, 0))))


def ladder_statistics(movie1, cross: dict, seed: int = 0) -> pd.DataFrame:
    """One row per test set: movie 1's held-out half ("within"), then each cross store (with its ladder level).

    Parameters
    ----------
    movie1 : neurokit.data.retina.RetinaData
        Movie 1 (its ``split_train`` frames are the training frames).
    cross : dict of str → neurokit.data.retina.RetinaData

    Returns
    -------
    DataFrame
        Index: test set; columns: level, rung, the :func:`frame_statistics` and ``context distance`` (the
        :func:`patch_distance` to movie 1's training frames divided by the within-movie one).
    """
    train = movie1.stimulus[movie1.split_train]
    sets = {"within (movie 1, 2nd half)": (0, "within", movie1.stimulus[movie1.split_test])}
    for name, d in cross.items():
        sets[name] = (int(d.attrs.get("ladder_level", 1)), str(d.attrs.get("ladder_rung", "movie 2")), d.stimulus)
    rows = []
    for name, (lv, rung, fr) in sets.items():
        rows.append({"test set": name, "level": lv, "rung": rung, **frame_statistics(fr),
                     "patch distance": patch_distance(train, fr, seed=seed)})
    out = pd.DataFrame(rows).set_index("test set")
    out["context distance"] = out["patch distance"] / out["patch distance"].iloc[0]
    return out
