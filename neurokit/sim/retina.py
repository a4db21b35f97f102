"""Simulated salamander-like retina in the Vi-ST data layout (data set ``vist_retina``).

A population of retinal ganglion cells (RGCs) with **known** spatio-temporal receptive fields watches movie 1 and
the rungs of a ladder of context shifts for movie 2 (:mod:`neurokit.sim.retina_stimuli`); spikes are Poisson with
repeated trials at 30 Hz.

Cells (three types: by default half ON-OFF subunit cells, the other half alternating ON / OFF)
    * ``ON`` / ``OFF``: linear-nonlinear (LN) cells. Spatial RF = difference of Gaussians (centre σc,
      surround 2σc, surround weight 0.6), temporal filter = biphasic (difference of two 3rd-order gamma
      kernels, 15 frames = 0.5 s), sign +1 (ON) / -1 (OFF). The generator signal is standardised with movie 1's
      mean/std (fixed gains).
    * ``ONOFF_subunit``: nonlinear spatial integration: 7 small Gaussian subunits tile the centre; each takes its
      local *contrast* against a running local mean luminance (1 s), filters it with the cell's temporal filter and
      full-wave rectifies it; the subunits are summed and divided by the cell's recent drive (contrast gain
      control, :func:`subunit_drive`). Its linear STA is near zero, so an LN model cannot capture it — the part of
      the population where rich image features should help. Its amplitude is set so that its mean rate on the
      white-noise recording equals a per-cell target rate.

    Every cell's drive passes through a softplus nonlinearity ``a·softplus(β(z-θ))/β`` giving the expected spike
    count per 1/30 s bin, and Poisson spikes are drawn for ``n_trials`` repeats.

Movies (embedded and paper profiles: 1800 and 1600 frames, the lengths of the paper's movies)
    * ``MOVIE01`` (paper's "movie 1"): scenes of :func:`neurokit.sim.video.make_clip` (textured objects moving
      over textured backgrounds, camera pans), grey; its second half continues the first half's scenes, so the
      within-movie split into halves conserves pixel context, as the authors' within-movie protocol does.
    * movie 2 at three rungs of context shift (:data:`~neurokit.sim.retina_stimuli.LADDER`): ``MOVIE03`` (the
      paper's "movie 2"; another draw of movie 1's world), ``MOVIE03_NOVEL`` (new objects, silhouettes,
      textures and backgrounds with movie 1's statistics) and ``MOVIE03_NOISE`` (a change of stimulus class:
      drifting 1/f² noise textures with global contrast flicker). All three have movie 1's pixel mean and RMS
      contrast.

Files (one zarr v3 group per movie: ``MOVIE01_zarr``, ``MOVIE03_zarr``, ``MOVIE03_NOVEL_zarr``, ``MOVIE03_NOISE_zarr``)
    ``spike_avg (frames, cells)`` float32 trial-averaged counts per frame (the regression target),
    ``spikes (trials, frames, cells)`` uint8 counts, ``rate_true (frames, cells)`` expected counts,
    ``stimulus (frames, S, S)`` uint8 grey frames, ``dinov2_feats_0 (frames, 256, D)`` float32 features of a
    stand-in extractor (name in attrs ``feature_extractor``; see :mod:`neurokit.features.grid`),
    ``rf_to_dinov2 (cells, 16, 16)`` RF maps estimated with :func:`neurokit.stats.rf.estimate_rf_maps` from a
    simulated white-noise recording, attrs ``split_train`` / ``split_test`` (first / second half of frames),
    ``ladder_level`` (0 for movie 1) and ``ladder_rung``.
    Ground truth in ``<root>/truth.npz``: true spatial RFs (cells, S, S), temporal filters (cells, 15), cell
    types, nonlinearity parameters, positions; and ``<root>/card.json`` describing the simulation.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from neurokit._io import atomic_write_json
from neurokit.errors import InputError, UnknownNameError
from neurokit.features.grid import EXTRACTORS, extract_grid_features
from neurokit.sim.retina_stimuli import LADDER, SCENE_FRAMES, ladder_movie, scene_movie, white_noise_frames
from neurokit.stats.rf import estimate_rf_maps

log = logging.getLogger(__name__)

SIM_VERSION = 5
N_LAGS = 15
TAU_LUM = 30.0  #: frames; running local mean luminance of a subunit (1 s)
TAU_GAIN = 10.0  #: frames; contrast gain control time constant of the subunit cells
C50 = 0.05  #: semi-saturation of the subunit cells' divisive normalisation (contrast units)
CELL_TYPES = ("ON", "OFF", "ONOFF_subunit")

#: Sizes per profile. frames = (movie 1, movie 2); size = stimulus pixels; grid = feature grid.
PROFILE_SIZES = {
    "smoke": dict(n_cells=6, frames=(160, 140), size=32, n_trials=5, extractor="random_conv_s16", wn_frames=800),
    "embedded": dict(n_cells=24, frames=(1800, 1600), size=64, n_trials=10, extractor="pixel_patch",
                     wn_frames=3000),
    "paper": dict(n_cells=90, frames=(1800, 1600), size=64, n_trials=20, extractor="efficientnet_lite0_s16",
                  wn_frames=6000),
    # the paper profile rehearsed: the paper's per-sample shapes (90 cells, DINOv2-L-shaped tokens 256 x 1024, 16x16
    # RF maps, 20 trials), frame counts 1800 / 1600 divided by REHEARSAL_SUBSAMPLE
    "rehearsal": dict(n_cells=90, frames=(1800 // 4, 1600 // 4), size=64, n_trials=20,
                      extractor="vit_l14_patch_embed_random", wn_frames=6000),
}
#: Frame counts of the ``rehearsal`` preset = the paper's 1800 / 1600 frames divided by this factor: the full
#: DINOv2-L-shaped feature arrays (frames, 256, 1024) float32 of the four movies would take 6.9 GB on disk and in
#: memory; a quarter (1.7 GB) keeps every per-frame shape and more frames per half than a 128-frame training window.
REHEARSAL_SUBSAMPLE = 4


# ------------------------------------------------------------------------------------------- stimuli
def movie1_frames(n_frames: int, size: int, seed: int = 0) -> np.ndarray:
    """Grey frames (n_frames, size, size) uint8 of movie 1: scenes of the procedural object world whose second half
    continues the first half's scenes (:func:`neurokit.sim.retina_stimuli.scene_movie`)."""
    return np.clip(np.rint(scene_movie(n_frames, size, seed, "objects")), 0, 255).astype(np.uint8)


def movie2_frames(n_frames: int, size: int, seed: int = 0, rung: str = "same_world",
                  reference: np.ndarray | None = None) -> np.ndarray:
    """Grey frames (n_frames, size, size) uint8 of movie 2 at a rung of the context-shift ladder
    (:data:`~neurokit.sim.retina_stimuli.LADDER`), matched in pixel mean and RMS contrast to ``reference``
    (default: movie 1 of the same seed and size, 1800 frames)."""
    ref = movie1_frames(1800, size, seed) if reference is None else reference
    return ladder_movie(rung, n_frames, size, seed, ref)


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
    threshold = rng.uniform(0.4, 1.0, n_cells)
    amplitude = rng.uniform(0.5, 0.9, n_cells)
    sub = types == "ONOFF_subunit"
    threshold[sub] += 0.6  # subunit cells: z = normalised drive (mean ≈ 1), fire on above-average local contrast
    target_rate = np.where(sub, rng.uniform(0.1, 0.25, n_cells), np.nan)
    return {
        "positions": pos, "types": types, "sigma_center": sigma_c, "tau": taus, "spatial": spatial,
        "temporal": temporal, "subunits": subunits,
        "threshold": threshold, "beta": np.full(n_cells, 3.0), "amplitude": amplitude, "target_rate": target_rate,
    }


def calibrate_subunit_amplitude(pop: dict, g_reference: np.ndarray) -> None:
    """Set the amplitude of the subunit cells so that their mean expected count per frame on the reference
    recording (the white-noise RF-mapping stimulus, neither movie) equals their ``target_rate`` (in place)."""
    sub = np.array([s is not None for s in pop["subunits"]])
    if not sub.any():
        return
    b, th = pop["beta"][sub], pop["threshold"][sub]
    unit = (np.logaddexp(0.0, b * (g_reference[:, sub] - th)) / b).mean(0)
    pop["amplitude"][sub] = pop["target_rate"][sub] / np.maximum(unit, 1e-9)


def _causal_filter(u: np.ndarray, f: np.ndarray) -> np.ndarray:
    """u (T, k) filtered causally in time with f (n_lags,) for every column: y[t] = Σ_l f[l] u[t-l]."""
    y = np.zeros_like(u)
    for lag, w in enumerate(f):
        if lag == 0:
            y += w * u
        else:
            y[lag:] += w * u[:-lag]
    return y


def _running_mean(u: np.ndarray, tau: float) -> np.ndarray:
    """Causal exponential running mean over axis 0 (time constant ``tau`` frames), started at ``u[0]``."""
    a = 1.0 / tau
    out = np.empty_like(u)
    m = u[0].copy()
    for t in range(len(u)):
        m = m + a * (u[t] - m)
        out[t] = m
    return out


def subunit_drive(frames: np.ndarray, subunits: np.ndarray, temporal: np.ndarray, tau_lum: float = TAU_LUM,
                  tau_gain: float = TAU_GAIN, c50: float = C50) -> np.ndarray:
    """Normalised drive (T,) of one ON-OFF subunit cell for grey frames (T, S, S) uint8.

    Each subunit k sees its Gaussian-weighted luminance I_k(t) (0 … 1); its local **contrast** is taken relative to
    a running local mean luminance L_k (time constant ``tau_lum``): c_k = (I_k − L_k) / (L_k + 0.05). The contrast is
    filtered with the cell's biphasic temporal filter and full-wave rectified (ON-OFF), and the subunits are
    summed: ``d(t) = Σ_k |f * c_k|``. Contrast gain control divides d by the cell's recent drive (running mean over
    ``tau_gain`` frames, one frame delayed) plus ``c50``: g = d / (c50 + n). g is dimensionless and of order 1 for
    any overall contrast, so the cell fires in both movies.
    """
    return _subunit_drive(_luminance(frames), subunits, temporal, tau_lum, tau_gain, c50)


def _luminance(frames: np.ndarray) -> np.ndarray:
    """Grey frames (T, S, S) uint8 → luminance (T, S²) float64 in [0, 1]."""
    return frames.reshape(len(frames), -1).astype(np.float64) / 255.0


def _subunit_drive(lum, subunits, temporal, tau_lum=TAU_LUM, tau_gain=TAU_GAIN, c50=C50) -> np.ndarray:
    """:func:`subunit_drive` from luminance frames (T, S²) computed once for the whole population."""
    k = subunits.reshape(len(subunits), -1).T  # (S², n_sub)
    I = lum @ k
    L = _running_mean(I, tau_lum)
    c = (I - L) / (L + 0.05)
    d = np.abs(_causal_filter(c, temporal)).sum(1)
    n = np.concatenate([[d[0]], _running_mean(d, tau_gain)[:-1]])
    return d / (c50 + n)


def generator_signal(frames: np.ndarray, pop: dict) -> np.ndarray:
    """Raw generator signal (T, cells) of the population for grey frames (T, S, S) uint8.

    ON / OFF cells: linear filter of the contrast frames. ON-OFF subunit cells: the normalised, dimensionless
    drive of :func:`subunit_drive`.
    """
    s = frames.reshape(len(frames), -1).astype(np.float64) / 127.5 - 1.0  # contrast in [-1, 1]
    n = len(pop["types"])
    g = np.zeros((len(frames), n))
    lum = _luminance(frames) if any(k is not None for k in pop["subunits"]) else None
    for c in range(n):
        if pop["subunits"][c] is None:
            g[:, c] = _causal_filter(s @ pop["spatial"][c].ravel()[:, None], pop["temporal"][c])[:, 0]
        else:
            g[:, c] = _subunit_drive(lum, pop["subunits"][c], pop["temporal"][c])
    return g


def firing_rate(g: np.ndarray, pop: dict, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Expected spike count per frame (T, cells): a·softplus(β(z-θ))/β.

    ON / OFF cells: z = (g − mean)/std with the gains of movie 1 (``mean``, ``std``). ON-OFF subunit cells: z = g
    itself (already normalised by their gain control); their amplitude ``a`` was set from a per-cell target mean
    rate (see :func:`simulate_retina`), so ``mean``/``std`` are ignored for them.
    """
    sub = np.array([s is not None for s in pop["subunits"]])
    z = np.where(sub, g, (g - mean) / std)
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
    profile : {"smoke", "embedded", "paper", "rehearsal"}
        Sizes from :data:`PROFILE_SIZES` (``paper`` = full-size simulation: 90 cells, 1800/1600 frames;
        ``rehearsal`` = the paper profile rehearsed: 90 cells, DINOv2-L-shaped tokens (frames, 256, 1024), frame
        counts / :data:`REHEARSAL_SUBSAMPLE`, stated in ``card.json``).
    seed : int
        Simulation seed.
    **overrides
        Any key of :data:`PROFILE_SIZES` entries (e.g. ``n_cells=12``).

    Returns
    -------
    Path
        ``root``.
    """
    if profile not in PROFILE_SIZES:
        raise UnknownNameError("retina simulation profile", profile, PROFILE_SIZES)
    cfg = {**PROFILE_SIZES[profile], **overrides}
    unknown = set(overrides) - set(PROFILE_SIZES["smoke"])
    if unknown:
        raise InputError(f"unknown simulate_retina option(s) {sorted(unknown)}; valid: {sorted(PROFILE_SIZES['smoke'])}.")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    S, n_cells = int(cfg["size"]), int(cfg["n_cells"])
    pop = make_population(n_cells, S, seed)
    movies = {"MOVIE01": movie1_frames(cfg["frames"][0], S, seed)}
    for rung in LADDER:
        movies[rung.store] = ladder_movie(rung.name, cfg["frames"][1], S, seed, movies["MOVIE01"])
    g1 = generator_signal(movies["MOVIE01"], pop)
    mean, std = g1.mean(0), g1.std(0) + 1e-12
    rng = np.random.default_rng([seed, 13])
    # RF mapping experiment: white-noise checkerboard on the 16x16 grid, STA (energy STA for subunit cells)
    wn = white_noise_frames(int(cfg["wn_frames"]), S, 16, seed)
    g_wn = generator_signal(wn, pop)  # RF-mapping recording at its own operating point (gain set on white noise)
    calibrate_subunit_amplitude(pop, g_wn)  # subunit cells: per-cell target mean rate, not movie-1 gains
    wn_rate = firing_rate(g_wn, pop, g_wn.mean(0), g_wn.std(0) + 1e-12)
    wn_spikes = rng.poisson(wn_rate * 4.0)  # 4 repeats pooled
    rf_est = estimate_rf_maps(wn[:, :: S // 16, :: S // 16], wn_spikes, n_lags=N_LAGS)[0].astype(np.float32)
    for name, frames in movies.items():
        rate = firing_rate(generator_signal(frames, pop) if name != "MOVIE01" else g1, pop, mean, std)
        spikes = rng.poisson(np.broadcast_to(rate, (int(cfg["n_trials"]),) + rate.shape)).astype(np.uint8)
        feats = extract_grid_features(frames, cfg["extractor"], grid=16)
        T = len(frames)
        rung = next((r for r in LADDER if r.store == name), None)
        attrs = {
            "split_train": list(range(T // 2)), "split_test": list(range(T // 2, T)),
            "scene_frames": SCENE_FRAMES, "ladder_level": 0 if rung is None else rung.level,
            "ladder_rung": "movie 1" if rung is None else rung.name,
            "feature_extractor": cfg["extractor"], "feature_extractor_description": EXTRACTORS[cfg["extractor"]],
            "simulated": True, "fps": 30, "profile": profile, "seed": int(seed),
            **({"rehearsal": True, "count_subsample_factor": REHEARSAL_SUBSAMPLE} if profile == "rehearsal" else {}),
        }
        _write_zarr(root / f"{name}_zarr", {
            "spike_avg": spikes.mean(0).astype(np.float32), "spikes": spikes, "rate_true": rate.astype(np.float32),
            "stimulus": frames, "dinov2_feats_0": feats, "rf_to_dinov2": rf_est,
        }, attrs)
    np.savez_compressed(
        root / "truth.npz", spatial=pop["spatial"].astype(np.float32), temporal=pop["temporal"],
        types=pop["types"].astype(str), positions=pop["positions"], sigma_center=pop["sigma_center"],
        threshold=pop["threshold"], beta=pop["beta"], amplitude=pop["amplitude"], tau=pop["tau"],
        target_rate=pop["target_rate"], tau_lum=TAU_LUM, tau_gain=TAU_GAIN, c50=C50,
        generator_mean=mean, generator_std=std,
    )
    atomic_write_json(root / "card.json", {
        "name": "vist_retina", "simulated": True, "profile": profile, "seed": int(seed), "sim_version": SIM_VERSION,
        "n_cells": n_cells, "cell_types": {t: int((pop["types"] == t).sum()) for t in CELL_TYPES},
        "frames": {k: int(len(v)) for k, v in movies.items()}, "fps": 30,
        "ladder": [{"level": r.level, "rung": r.name, "store": r.store, "changes": r.changes, "keeps": r.keeps}
                   for r in LADDER],
        "stimulus_pixels": S, "n_trials": int(cfg["n_trials"]), "feature_extractor": cfg["extractor"],
        "feature_extractor_description": EXTRACTORS[cfg["extractor"]],
        "rf_maps": "estimated from a simulated white-noise checkerboard (16x16 checks) by STA / energy STA",
        **({"rehearsal": {"rehearsal": True, "count_subsample_factor": REHEARSAL_SUBSAMPLE,
                          "real_counts": {"frames": [1800, 1600]}, "counts": {"frames": list(cfg["frames"])},
                          "shapes": "paper's per-sample shapes: 90 cells, features (frames, 256, 1024) from a "
                                    "random-init ViT-L/14 patch embedding at 224 px (no pretrained weights), RF maps "
                                    "(cells, 16, 16), 20 trials, 30 Hz"}} if profile == "rehearsal" else {}),
        "split": "split_train = first half of each movie's frames, split_test = second half; the second half "
                 f"continues the first half's scenes ({SCENE_FRAMES} frames of each scene per half), so pixel context "
                 "is conserved between them",
    })
    return root
