"""Simulated salamander-like retina in the Vi-ST data layout (data set ``vist_retina``).

A population of retinal ganglion cells (RGCs) with **known** spatio-temporal receptive fields watches two
"movies" with different statistics; spikes are Poisson with repeated trials at 30 Hz.

Cells (three types: by default half ON-OFF subunit cells, the other half alternating ON / OFF)
    * ``ON`` / ``OFF``: linear-nonlinear (LN) cells. Spatial RF = difference of Gaussians (centre σc,
      surround 2σc, surround weight 0.6), temporal filter = biphasic (difference of two 3rd-order gamma
      kernels, 15 frames = 0.5 s), sign +1 (ON) / -1 (OFF).
    * ``ONOFF_subunit``: nonlinear spatial integration: 7 small Gaussian subunits tile the centre, each
      temporally filtered and **full-wave rectified** before summation (local contrast energy). Its linear
      STA is near zero, so an LN model cannot capture it — the part of the population where rich image
      features should help.
    The generator signal of each cell is standardised with movie 1's mean/std (fixed gains: movie 2 drives
    cells in another regime), passed through a softplus nonlinearity ``a·softplus(β(z-θ))/β`` giving the
    expected spike count per 1/30 s bin, and Poisson spikes are drawn for ``n_trials`` repeats.

Movies
    * ``MOVIE01`` (paper's "movie 1"): clips of :func:`neurokit.sim.video.make_clip` (textured objects moving
      over textured backgrounds, camera pans), grey.
    * ``MOVIE03`` (paper's "movie 2"): 1/f² noise textures at lower contrast under jittery, fixational-eye-
      movement-like drift, a new texture every 2 s, plus slow global luminance flicker.

Files (per movie, ``<root>/MOVIE01_zarr`` and ``<root>/MOVIE03_zarr``, zarr v3 groups)
    ``spike_avg (frames, cells)`` float32 trial-averaged counts per frame (the regression target),
    ``spikes (trials, frames, cells)`` uint8 counts, ``rate_true (frames, cells)`` expected counts,
    ``stimulus (frames, S, S)`` uint8 grey frames, ``dinov2_feats_0 (frames, 256, D)`` float32 features of a
    stand-in extractor (name in attrs ``feature_extractor``; see :mod:`neurokit.vist.features`),
    ``rf_to_dinov2 (cells, 16, 16)`` RF maps estimated with :func:`neurokit.vist.rf.estimate_rf_maps` from a
    simulated white-noise recording, attrs ``split_train`` / ``split_test`` (first / second half of frames).
    Ground truth in ``<root>/truth.npz``: true spatial RFs (cells, S, S), temporal filters (cells, 15), cell
    types, nonlinearity parameters, positions; and ``<root>/card.json`` describing the simulation.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from neurokit._io import atomic_write_json
from neurokit.config import check_profile
from neurokit.errors import InputError

log = logging.getLogger(__name__)

SIM_VERSION = 2
N_LAGS = 15
CELL_TYPES = ("ON", "OFF", "ONOFF_subunit")

#: Sizes per profile. frames = (movie 1, movie 2); size = stimulus pixels; grid = feature grid.
PROFILE_SIZES = {
    "smoke": dict(n_cells=6, frames=(160, 140), size=32, n_trials=5, extractor="random_conv_s16", wn_frames=800),
    "embedded": dict(n_cells=24, frames=(720, 600), size=64, n_trials=10, extractor="efficientnet_lite0_s8",
                     wn_frames=3000),
    "paper": dict(n_cells=90, frames=(1800, 1600), size=64, n_trials=20, extractor="efficientnet_lite0_s16",
                  wn_frames=6000),
}


# ------------------------------------------------------------------------------------------- stimuli
def movie1_frames(n_frames: int, size: int, seed: int = 0) -> np.ndarray:
    """Grey frames (n_frames, size, size) uint8 from procedural object-motion clips (3 s each)."""
    from neurokit.sim.video import VideoWorldConfig, make_clip

    cfg = VideoWorldConfig(n_frames=90, size=size, fps=30, max_distractors=2, max_speed=0.6)
    out, i = [], 0
    while sum(len(c) for c in out) < n_frames:
        rgb = make_clip(i, cfg, seed=seed).frames.astype(np.float32)
        out.append((rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).clip(0, 255).astype(np.uint8))
        i += 1
    return np.concatenate(out)[:n_frames]


def _pink_texture(rng, size: int, alpha: float = 2.0) -> np.ndarray:
    f = np.fft.fftfreq(size)
    fr = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)
    fr[0, 0] = 1.0
    spec = (rng.standard_normal((size, size)) + 1j * rng.standard_normal((size, size))) / fr ** (alpha / 2)
    spec[0, 0] = 0
    tex = np.real(np.fft.ifft2(spec))
    return tex / tex.std()


def movie2_frames(n_frames: int, size: int, seed: int = 0) -> np.ndarray:
    """Grey frames (n_frames, size, size) uint8: jittering 1/f² textures, new texture every 60 frames."""
    rng = np.random.default_rng([seed, 3])
    big = 2 * size
    frames = np.empty((n_frames, size, size), dtype=np.float32)
    pos = np.zeros(2)
    for t in range(n_frames):
        if t % 60 == 0:
            tex = _pink_texture(rng, big)
            pos = rng.uniform(0, size, 2)
        pos = (pos + rng.normal(0, 1.2, 2) + 0.4) % size  # jitter + slow drift
        y, x = int(pos[0]), int(pos[1])
        frames[t] = tex[y : y + size, x : x + size]
    flicker = 1.0 + 0.25 * np.sin(2 * np.pi * np.arange(n_frames) / 47.0)
    lum = 127.5 + 24.0 * frames * flicker[:, None, None]  # lower contrast than movie 1
    return lum.clip(0, 255).astype(np.uint8)


def white_noise_frames(n_frames: int, size: int, checks: int = 16, seed: int = 0) -> np.ndarray:
    """Gaussian checkerboard white noise (n_frames, size, size) uint8 with ``checks`` x ``checks`` checks.

    Gaussian (contrast std 0.4, clipped) rather than binary so that the energy STA of the subunit cells is
    informative (for ±1 checks the squared contrast is constant).
    """
    rng = np.random.default_rng([seed, 7])
    wn = (127.5 + 127.5 * np.clip(0.4 * rng.standard_normal((n_frames, checks, checks)), -1, 1)).astype(np.uint8)
    rep = size // checks
    return np.repeat(np.repeat(wn, rep, axis=1), rep, axis=2)


# ------------------------------------------------------------------------------------------- cells
def _gauss(size, cy, cx, sigma):
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    g = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma**2))
    return g / g.sum()


def temporal_filter(tau: float, n_lags: int = N_LAGS) -> np.ndarray:
    """Biphasic temporal filter (n_lags,) over lags 0 … n_lags-1 frames, unit L2 norm."""
    t = np.arange(n_lags, dtype=np.float64) + 0.5
    f = (t / tau) ** 3 * np.exp(-t / tau) - 0.8 * (t / (1.6 * tau)) ** 3 * np.exp(-t / (1.6 * tau)) / 1.6
    return f / np.linalg.norm(f)


def make_population(n_cells: int, size: int, seed: int = 0, subunit_fraction: float = 0.5) -> dict:
    """Random cell parameters: positions, types, spatial kernels (pixels) and temporal filters.

    ``subunit_fraction`` of the cells are ON-OFF subunit cells, the rest alternate ON / OFF.
    """
    rng = np.random.default_rng([seed, 11])
    scale = size / 64.0
    n_side = int(np.ceil(np.sqrt(n_cells)))
    lo, hi = 0.2 * size, 0.8 * size
    gy, gx = np.meshgrid(np.linspace(lo, hi, n_side), np.linspace(lo, hi, n_side), indexing="ij")
    order = rng.permutation(n_side * n_side)[:n_cells]
    pos = np.stack([gy.ravel()[order], gx.ravel()[order]], 1) + rng.normal(0, 1.5 * scale, (n_cells, 2))
    n_sub = int(round(subunit_fraction * n_cells))
    types = np.array(["ONOFF_subunit" if i % 2 == 1 and i // 2 < n_sub else ("ON", "OFF")[(i // 2) % 2]
                      for i in range(n_cells)])
    if (types == "ONOFF_subunit").sum() < n_sub:  # fewer odd slots than requested: fill from the end
        free = np.nonzero(types != "ONOFF_subunit")[0][::-1][: n_sub - (types == "ONOFF_subunit").sum()]
        types[free] = "ONOFF_subunit"
    sigma_c = rng.uniform(2.0, 3.0, n_cells) * scale
    taus = rng.uniform(1.2, 2.2, n_cells)
    spatial = np.zeros((n_cells, size, size))
    subunits = []
    for c in range(n_cells):
        cy, cx = pos[c]
        if types[c] == "ONOFF_subunit":
            offs = [(0, 0)] + [(np.sin(a), np.cos(a)) for a in np.linspace(0, 2 * np.pi, 7)[:-1]]
            ks = [_gauss(size, cy + 1.2 * sigma_c[c] * dy, cx + 1.2 * sigma_c[c] * dx, 0.6 * sigma_c[c])
                  for dy, dx in offs]
            subunits.append(np.stack(ks))
            spatial[c] = np.mean(ks, axis=0)  # the envelope of the subunits ("true RF" footprint)
        else:
            dog = _gauss(size, cy, cx, sigma_c[c]) - 0.6 * _gauss(size, cy, cx, 2 * sigma_c[c])
            spatial[c] = (1.0 if types[c] == "ON" else -1.0) * dog
            subunits.append(None)
    temporal = np.stack([temporal_filter(t) for t in taus])
    return {
        "positions": pos, "types": types, "sigma_center": sigma_c, "tau": taus, "spatial": spatial,
        "temporal": temporal, "subunits": subunits,
        "threshold": rng.uniform(0.4, 1.0, n_cells), "beta": np.full(n_cells, 3.0),
        "amplitude": rng.uniform(0.5, 0.9, n_cells),
    }


def _causal_filter(u: np.ndarray, f: np.ndarray) -> np.ndarray:
    """u (T, k) filtered causally in time with f (n_lags,) for every column: y[t] = Σ_l f[l] u[t-l]."""
    y = np.zeros_like(u)
    for lag, w in enumerate(f):
        if lag == 0:
            y += w * u
        else:
            y[lag:] += w * u[:-lag]
    return y


def generator_signal(frames: np.ndarray, pop: dict) -> np.ndarray:
    """Raw generator signal (T, cells) of the population for grey frames (T, S, S) uint8."""
    s = frames.reshape(len(frames), -1).astype(np.float64) / 127.5 - 1.0  # contrast in [-1, 1]
    n = len(pop["types"])
    g = np.zeros((len(frames), n))
    for c in range(n):
        if pop["subunits"][c] is None:
            g[:, c] = _causal_filter(s @ pop["spatial"][c].ravel()[:, None], pop["temporal"][c])[:, 0]
        else:
            k = pop["subunits"][c].reshape(len(pop["subunits"][c]), -1).T  # (S², n_sub)
            u = _causal_filter(s @ k, pop["temporal"][c])
            g[:, c] = np.abs(u).sum(1)
    return g


def firing_rate(g: np.ndarray, pop: dict, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Expected spike count per frame (T, cells): a·softplus(β(z-θ))/β with z = (g - mean)/std."""
    z = (g - mean) / std
    b = pop["beta"]
    return pop["amplitude"] * np.logaddexp(0.0, b * (z - pop["threshold"])) / b


# ------------------------------------------------------------------------------------------- writer
def _write_zarr(path: Path, arrays: dict, attrs: dict) -> None:
    import zarr

    tmp = path.parent / f".{path.name}.tmp"
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    g = zarr.open_group(str(tmp), mode="w")
    for name, a in arrays.items():
        chunks = (min(len(a), 256),) + tuple(a.shape[1:])
        arr = g.create_array(name, shape=a.shape, dtype=a.dtype, chunks=chunks)
        arr[...] = a
    g.attrs.update(attrs)
    tmp.rename(path)


def simulate_retina(root, profile: str = "embedded", seed: int = 0, **overrides) -> Path:
    """Simulate the ``vist_retina`` data set into ``root`` (see the module docstring for the layout).

    Parameters
    ----------
    root : path
        Existing (empty) folder; the registry renames it into place afterwards.
    profile : {"smoke", "embedded", "paper"}
        Sizes from :data:`PROFILE_SIZES` (``paper`` = full-size simulation: 90 cells, 1800/1600 frames).
    seed : int
        Simulation seed.
    **overrides
        Any key of :data:`PROFILE_SIZES` entries (e.g. ``n_cells=12``).

    Returns
    -------
    Path
        ``root``.
    """
    from neurokit.vist.features import EXTRACTORS, extract_grid_features
    from neurokit.vist.rf import estimate_rf_maps

    check_profile(profile)
    cfg = {**PROFILE_SIZES[profile], **overrides}
    unknown = set(overrides) - set(PROFILE_SIZES["smoke"])
    if unknown:
        raise InputError(f"unknown simulate_retina option(s) {sorted(unknown)}; valid: {sorted(PROFILE_SIZES['smoke'])}.")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    S, n_cells = int(cfg["size"]), int(cfg["n_cells"])
    pop = make_population(n_cells, S, seed)
    movies = {"MOVIE01": movie1_frames(cfg["frames"][0], S, seed), "MOVIE03": movie2_frames(cfg["frames"][1], S, seed)}
    g1 = generator_signal(movies["MOVIE01"], pop)
    mean, std = g1.mean(0), g1.std(0) + 1e-12
    rng = np.random.default_rng([seed, 13])
    # RF mapping experiment: white-noise checkerboard on the 16x16 grid, STA (energy STA for subunit cells)
    wn = white_noise_frames(int(cfg["wn_frames"]), S, 16, seed)
    g_wn = generator_signal(wn, pop)  # RF-mapping recording at its own operating point (gain set on white noise)
    wn_rate = firing_rate(g_wn, pop, g_wn.mean(0), g_wn.std(0) + 1e-12)
    wn_spikes = rng.poisson(wn_rate * 4.0)  # 4 repeats pooled
    rf_est = estimate_rf_maps(wn[:, :: S // 16, :: S // 16], wn_spikes, n_lags=N_LAGS)[0].astype(np.float32)
    for name, frames in movies.items():
        rate = firing_rate(generator_signal(frames, pop) if name != "MOVIE01" else g1, pop, mean, std)
        spikes = rng.poisson(np.broadcast_to(rate, (int(cfg["n_trials"]),) + rate.shape)).astype(np.uint8)
        feats = extract_grid_features(frames, cfg["extractor"], grid=16)
        T = len(frames)
        attrs = {
            "split_train": list(range(T // 2)), "split_test": list(range(T // 2, T)),
            "feature_extractor": cfg["extractor"], "feature_extractor_description": EXTRACTORS[cfg["extractor"]],
            "simulated": True, "fps": 30, "profile": profile, "seed": int(seed),
        }
        _write_zarr(root / f"{name}_zarr", {
            "spike_avg": spikes.mean(0).astype(np.float32), "spikes": spikes, "rate_true": rate.astype(np.float32),
            "stimulus": frames, "dinov2_feats_0": feats, "rf_to_dinov2": rf_est,
        }, attrs)
    np.savez_compressed(
        root / "truth.npz", spatial=pop["spatial"].astype(np.float32), temporal=pop["temporal"],
        types=pop["types"].astype(str), positions=pop["positions"], sigma_center=pop["sigma_center"],
        threshold=pop["threshold"], beta=pop["beta"], amplitude=pop["amplitude"], tau=pop["tau"],
        generator_mean=mean, generator_std=std,
    )
    atomic_write_json(root / "card.json", {
        "name": "vist_retina", "simulated": True, "profile": profile, "seed": int(seed), "sim_version": SIM_VERSION,
        "n_cells": n_cells, "cell_types": {t: int((pop["types"] == t).sum()) for t in CELL_TYPES},
        "frames": {"MOVIE01": int(cfg["frames"][0]), "MOVIE03": int(cfg["frames"][1])}, "fps": 30,
        "stimulus_pixels": S, "n_trials": int(cfg["n_trials"]), "feature_extractor": cfg["extractor"],
        "feature_extractor_description": EXTRACTORS[cfg["extractor"]],
        "rf_maps": "estimated from a simulated white-noise checkerboard (16x16 checks) by STA / energy STA",
        "split": "split_train = first half of each movie's frames, split_test = second half",
    })
    return root
