r"""Simulated fMRI responses to the procedural videos, written in the Algonauts 2021 and BOLD Moments layouts.

Generative model
----------------
Stimuli. Clip ``i`` (``i = 0 … n_train + n_test − 1``; the first ``n_train`` are the training videos) is
:func:`neurokit.sim.video.make_clip` ``(i, config.video, seed)``.

Features (computed from the pixels and the world's ground truth, no DNN). Per frame ``t`` we compute

* static appearance ``s_t``: ``colour`` (mean R, G, B, saturation), ``layout`` (4×4 grid of mean luminance),
  ``texture`` (oriented gradient energy at 0°, 90°, 45°, 135° and Laplacian energy in a 2×2 grid),
  ``category`` (screen area of each object class) and ``scene`` (one-hot background);
* motion ``m_t``: ``motion_energy`` (4×4 grid of mean ``|L_t − L_{t−1}|``), ``flicker`` (global mean
  ``|L_t − L_{t−1}|``) and ``kinematics`` (key object speed and velocity, camera pan speed and velocity).

A haemodynamic response turns the frame series into one value per clip, as a "TR-average 5–9 s"
beta does: with the canonical double-gamma HRF
:math:`h(\tau) = \frac{\tau^5 e^{-\tau}}{5!} - \frac{1}{6}\frac{\tau^{15} e^{-\tau}}{15!}`,

.. math::
   x = \sum_t w_t\, f_t, \qquad
   w_t \propto \frac{1}{5}\sum_{\tau \in \{5,6,7,8,9\}\,\mathrm{s}} h(\tau - t/\mathrm{fps}), \quad \sum_t w_t = 1.

Each feature column is then z-scored over all clips: ``S`` (n_clips, p_static), ``M`` (n_clips, p_motion).

Voxels. ROI ``r`` (``ROIS``) samples the feature groups ``ROI_FEATURES[r]``. For voxel ``v`` of ROI ``r``
(``z(·)`` = z-score over clips, ``W`` i.i.d. standard normal on the ROI's groups and 0 elsewhere) the
static and motion drives are

.. math::
   a^{s}_v = z(S\,W^{s}_{:,v}), \quad a^{m}_v = z(M\,W^{m}_{:,v}),

with ``μ_r = MOTION_SHARE[r]``: ROIs with ``μ_r ≥ 0.3`` are labelled *dynamic* (V1–V4, LOC, EBA, STS; shares
0.5–0.85); FFA and PPA are *static* (``μ_r = 0``: no motion feature reaches them, directly or through
connections). ``ε_r`` (n_clips, 6) is a stimulus-specific latent private to the region that no stimulus
feature explains (share ``u = config.private_share``) with standard-normal loadings ``L``.

Connectivity. A region passes on its *stimulus drive*, not its private latent, so what a target inherits is
a function of the stimulus that a source region's (out-of-fold) predicted voxels carry. Target ``r`` receives
from source ``s`` a voxel-to-voxel map ``G_{rs}`` (i.i.d. standard normal, (V_s, V_r)) of the source's
static and motion drives, mixed in the *target's* proportion ``μ_r`` (a static region inherits only
appearance):

.. math::
   y^{*}_{:,v} = z\Big(\sqrt{1-u}\, z\big(\sqrt{1-\mu_r}\,a^{s}_v + \sqrt{\mu_r}\,a^{m}_v\big)
   + \sqrt{u}\,\epsilon_r L_{:,v}
   + \sum_{s \ne r} C_{rs}\; z\big(\sqrt{1-\mu_r}\, z(a^{s,(s)} G_{rs,:,v}) + \sqrt{\mu_r}\, z(a^{m,(s)} G_{rs,:,v})\big)\Big),

with the planted directed matrix ``C`` (rows = target, columns = source; :data:`CONNECTIONS`), zero diagonal
and no cascade (the term uses the source's own drives). The signal has unit variance over clips.

Noise. Repetition ``j`` of clip ``i`` is ``y_{ijv} = y^{*}_{iv} + σ_v ξ_{ijv}`` with ``ξ`` i.i.d. N(0, 1) and
``σ_v = 1/ncsnr_v``, ``ncsnr_v ~ U(NCSNR_RANGE[r])``. The planted noise ceilings follow (signal variance 1):

* GLMsingle noise ceiling for the mean of ``n`` repeats: ``NC_n = ncsnr² / (ncsnr² + 1/n)`` (a fraction;
  ×100 for %), equal to the Spearman–Brown reliability of the ``n``-repeat mean;
* split-half correlation of two means of ``n/2`` repeats each: ``ncsnr² / (ncsnr² + 2/n)``;
* the Algonauts scoring ceiling on the 10-repeat test mean: ``sqrt(NC_10)``.

Whole brain. The voxels of every ROI sit in compact blobs of a (78, 93, 71) grid (pseudo-anatomical
positions; not MNI coordinates), plus ``config.extra_wb_fraction`` unassigned pure-noise voxels. The
whole-brain voxel axis follows the C-order of the mask's ones, as in the real ``WB.pkl``.

BOLD Moments. The same subjects (same signals), with independent noise draws, each voxel z-scored with the
training trials' mean and standard deviation (ddof=1) and that transform applied to the test trials (the
prepared-betas normalisation, done over all training trials at once since there are no sessions here).
ROIs are split into hemispheres (``l``/``r``) and V1–V3 into ventral/dorsal parts, V4 is named ``hV4``.
"""
from __future__ import annotations

import json
import logging
import math
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from neurokit._io import atomic_path, atomic_write_json, sha256_file
from neurokit._progress import tqdm
from neurokit.data import safe_pickle
from neurokit.data.algonauts import ROIS as ALGONAUTS_ROIS
from neurokit.errors import DataError, InputError, UnknownNameError
from neurokit.sim.video import CLASSES, SCENES, VideoWorldConfig, clip_metadata, make_clip, write_mp4

__all__ = [
    "ROIS", "MOTION_SHARE", "DYNAMIC_ROIS", "STATIC_ROIS", "CONNECTIONS", "connectivity_matrix",
    "ROI_FEATURES", "NCSNR_RANGE", "ALGONAUTS_VOXELS", "BrainSimConfig", "PROFILES", "SIM_VERSION",
    "hrf", "hrf_frame_weights", "clip_features", "feature_names", "simulate_world", "SimulatedWorld",
    "simulate_algonauts2021", "simulate_bold_moments", "BrainGroundTruth", "load_ground_truth",
    "planted_noise_ceiling", "BMD_ROI_PARTS", "WB_SHAPE", "resimulate_responses", "REHEARSAL_SUBSAMPLE",
    "rehearsal_record",
]

log = logging.getLogger(__name__)

SIM_VERSION = 3

ROIS: tuple[str, ...] = ALGONAUTS_ROIS  #: the nine ROIs of the Algonauts 2021 mini track, in the data set's order

#: Planted share of each ROI's feature-driven variance that comes from motion features.
MOTION_SHARE: dict[str, float] = {
    "V1": 0.60, "V2": 0.60, "V3": 0.65, "V4": 0.50, "LOC": 0.50, "EBA": 0.75, "FFA": 0.0, "STS": 0.85, "PPA": 0.0,
}
DYNAMIC_ROIS: tuple[str, ...] = tuple(r for r in ROIS if MOTION_SHARE[r] >= 0.3)
STATIC_ROIS: tuple[str, ...] = tuple(r for r in ROIS if MOTION_SHARE[r] < 0.3)

#: Planted directed connectivity ``{(target, source): C[target, source]}``; all other entries are 0.
CONNECTIONS: dict[tuple[str, str], float] = {
    ("V2", "V1"): 0.50, ("V3", "V2"): 0.50, ("V4", "V3"): 0.45, ("LOC", "V4"): 0.50, ("EBA", "LOC"): 0.40,
    ("FFA", "LOC"): 0.35, ("PPA", "V3"): 0.30, ("STS", "EBA"): 0.50, ("STS", "FFA"): 0.30,
    ("V1", "V4"): 0.35, ("V2", "LOC"): 0.25,
}

#: Feature groups each ROI samples: (static groups, motion groups).
ROI_FEATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "V1": (("layout", "texture"), ("motion_energy", "flicker")),
    "V2": (("layout", "texture", "colour"), ("motion_energy", "flicker")),
    "V3": (("layout", "texture"), ("motion_energy", "kinematics")),
    "V4": (("colour", "texture"), ("motion_energy",)),
    "LOC": (("category", "texture"), ("motion_energy", "kinematics")),
    "EBA": (("category",), ("kinematics", "motion_energy")),
    "FFA": (("category", "colour"), ("flicker",)),
    "STS": (("category",), ("kinematics", "flicker")),
    "PPA": (("scene", "layout"), ("motion_energy",)),
}
#: Extra weight on some category features (body-selective EBA, face/animate-selective FFA).
_CATEGORY_GAIN = {"EBA": {"person": 3.0}, "FFA": {"person": 2.5, "dog": 2.5}}

#: Range of per-voxel ncsnr (signal sd / noise sd) per ROI.
NCSNR_RANGE: dict[str, tuple[float, float]] = {
    "V1": (0.35, 1.1), "V2": (0.35, 1.0), "V3": (0.3, 0.95), "V4": (0.3, 0.95), "LOC": (0.3, 0.95),
    "EBA": (0.4, 1.2), "FFA": (0.35, 1.0), "STS": (0.25, 0.7), "PPA": (0.25, 0.7),
}

#: Real Mini-Algonauts voxel counts (third-party table, see the data card); the simulation scales them.
ALGONAUTS_VOXELS: dict[str, tuple[int, ...]] = {
    "V1": (232, 285, 164, 176, 326, 286, 195, 300, 271, 238),
    "V2": (231, 231, 271, 209, 196, 281, 189, 238, 265, 249),
    "V3": (261, 270, 270, 212, 176, 229, 174, 223, 245, 188),
    "V4": (107, 95, 111, 117, 73, 108, 55, 85, 94, 60),
    "LOC": (1843, 1348, 1237, 1153, 1397, 1356, 1117, 1244, 1515, 1034),
    "EBA": (351, 183, 376, 368, 309, 308, 101, 55, 191, 162),
    "FFA": (68, 157, 80, 210, 69, 119, 89, 163, 76, 69),
    "STS": (341, 421, 278, 398, 219, 173, 80, 306, 346, 120),
    "PPA": (425, 153, 368, 225, 210, 216, 33, 150, 262, 165),
}

WB_SHAPE = (78, 93, 71)
# blob centres in the WB grid (x: left-right, y: posterior-anterior, z: inferior-superior); pseudo-anatomical
_CENTRES = {
    "V1": (39, 8, 30), "V2": (39, 13, 33), "V3": (40, 18, 37), "V4": (30, 18, 24), "LOC": (22, 24, 28),
    "EBA": (60, 25, 33), "FFA": (28, 33, 19), "STS": (14, 42, 38), "PPA": (50, 36, 23),
}

#: BOLD Moments file names of our 9 ROIs (per hemisphere).
BMD_ROI_PARTS: dict[str, tuple[str, ...]] = {
    "V1": ("V1v", "V1d"), "V2": ("V2v", "V2d"), "V3": ("V3v", "V3d"), "V4": ("hV4",),
    "LOC": ("LOC",), "EBA": ("EBA",), "FFA": ("FFA",), "STS": ("STS",), "PPA": ("PPA",),
}

_STATIC_GROUPS = ("colour", "layout", "texture", "category", "scene")
_MOTION_GROUPS = ("motion_energy", "flicker", "kinematics")


@dataclass(frozen=True)
class BrainSimConfig:
    """Sizes of a simulated fMRI data set.

    Parameters
    ----------
    n_train, n_test : int
        Training and test clips (Algonauts/BMD: 1000 and 102).
    n_rep_train, n_rep_test : int
        Repetitions (3 and 10 in both real data sets).
    n_subjects : int
        Subjects ``sub01 …``.
    voxel_scale : float
        Voxel count of ROI r for subject k = ``ALGONAUTS_VOXELS[r][k] * voxel_scale``, clipped to
        ``[min_voxels, max_voxels]``.
    private_share : float
        Share ``u`` of each region's own signal that is stimulus-specific but unexplained by features.
    extra_wb_fraction : float
        Unassigned pure-noise voxels in the whole-brain track, as a fraction of the ROI voxels.
    video : VideoWorldConfig
        The clips.
    """

    n_train: int = 1000
    n_test: int = 102
    n_rep_train: int = 3
    n_rep_test: int = 10
    n_subjects: int = 3
    voxel_scale: float = 1 / 8
    min_voxels: int = 20
    max_voxels: int = 200
    private_share: float = 0.2
    extra_wb_fraction: float = 0.2
    video: VideoWorldConfig = field(default_factory=VideoWorldConfig)

    def __post_init__(self):
        if self.n_train < 4 or self.n_test < 2:
            raise InputError(f"BrainSimConfig needs n_train >= 4 and n_test >= 2; got {self.n_train}, {self.n_test}.")
        if self.n_rep_train < 2 or self.n_rep_test < 2:
            raise InputError("BrainSimConfig needs at least 2 repetitions for train and test (noise ceilings).")
        if not 1 <= self.n_subjects <= 10:
            raise InputError(f"n_subjects must be in 1..10 (the real data sets have 10); got {self.n_subjects}.")
        if not 0 <= self.private_share < 1:
            raise InputError(f"private_share must be in [0, 1); got {self.private_share}.")
        if self.n_train + self.n_test > 9999:
            raise InputError("at most 9999 clips (4-digit video numbers).")

    @property
    def n_clips(self) -> int:
        return self.n_train + self.n_test

    def n_voxels(self, roi: str, subject_index: int) -> int:
        n = round(ALGONAUTS_VOXELS[roi][subject_index] * self.voxel_scale)
        return int(min(max(n, self.min_voxels), self.max_voxels))


#: Clip counts of the ``rehearsal`` preset = the real counts (1000 training + 102 test clips) divided by these
#: factors (rounded): 10 + 5 clips. Rendering one clip at the real size (90 frames of 268x268 px) takes about 6 s
#: on one CPU core and running it through all 37 networks of the roster about 80 s more (bf16), so the full 1102
#: clips would take about a day on this machine; every per-sample shape is kept. The test split keeps 5 clips so that
#: correlations across test clips are defined.
REHEARSAL_SUBSAMPLE = {"n_train": 100, "n_test": 20}

#: Sizes per profile. ``embedded``: the real split and repeats, 3 subjects, 20–200 voxels per ROI;
#: ``smoke``: 40 + 8 tiny clips, 2 subjects, 4–12 voxels per ROI. ``rehearsal`` (the paper profile rehearsed,
#: ``neurokit book --profile paper --rehearse``): the paper's per-sample shapes (10 subjects, the real per-subject
#: per-ROI voxel counts of :data:`ALGONAUTS_VOXELS`, the 78x93x71 whole-brain grid, 3 / 10 repetitions, 3-s clips of
#: 90 frames at 30 fps, 268x268 px as ``AlgonautsVideos268_All_30fpsmax``) with the clip counts divided by
#: :data:`REHEARSAL_SUBSAMPLE`.
PROFILES: dict[str, BrainSimConfig] = {
    "embedded": BrainSimConfig(),
    "smoke": BrainSimConfig(
        n_train=40, n_test=8, n_subjects=2, voxel_scale=1 / 40, min_voxels=4, max_voxels=12,
        video=VideoWorldConfig(n_frames=12, size=32, fps=4),
    ),
    "rehearsal": BrainSimConfig(
        n_train=round(1000 / REHEARSAL_SUBSAMPLE["n_train"]), n_test=round(102 / REHEARSAL_SUBSAMPLE["n_test"]),
        n_subjects=10,
        voxel_scale=1.0, min_voxels=1, max_voxels=10**6, video=VideoWorldConfig(n_frames=90, size=268, fps=30),
    ),
}


def rehearsal_record(profile: str) -> dict | None:
    """What a ``rehearsal`` simulation changed from the paper's data (``None`` for the other presets): written into
    ``ground_truth/model.json`` so that every consumer of the data can tell a rehearsal apart."""
    if profile != "rehearsal":
        return None
    cfg = PROFILES["rehearsal"]
    return {
        "rehearsal": True,
        "count_subsample_factor": dict(REHEARSAL_SUBSAMPLE),
        "real_counts": {"n_train": 1000, "n_test": 102},
        "counts": {"n_train": cfg.n_train, "n_test": cfg.n_test},
        "shapes": "paper's per-sample shapes: 10 subjects, real per-ROI voxel counts, 78x93x71 whole-brain grid, "
                  "3 / 10 repetitions, clips of 90 frames of 268x268 px at 30 fps",
    }


def _config_for(profile: str) -> BrainSimConfig:
    if profile not in PROFILES:
        raise UnknownNameError("simulation profile", profile, PROFILES)
    return PROFILES[profile]


# ------------------------------------------------------------------------------------------- HRF
def hrf(t) -> np.ndarray:
    """Canonical double-gamma HRF (SPM shape: peak ≈ 5 s, undershoot ≈ 15 s, ratio 1/6) at times ``t`` (s)."""
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, None)
    return t**5 * np.exp(-t) / math.factorial(5) - t**15 * np.exp(-t) / math.factorial(15) / 6.0


def hrf_frame_weights(n_frames: int, fps: float, window=(5.0, 6.0, 7.0, 8.0, 9.0)) -> np.ndarray:
    """Weights ``w`` of shape (n_frames,) (sum 1) mapping frame features to a TR-averaged beta (see module doc)."""
    onsets = np.arange(n_frames) / float(fps)
    w = np.mean([hrf(tau - onsets) for tau in window], axis=0)
    w = np.clip(w, 0, None)
    return w / w.sum()


# -------------------------------------------------------------------------------------- features
def feature_names() -> tuple[list[str], list[str], dict[str, list[int]]]:
    """Names of the static and motion features and the column indices of each group.

    Returns
    -------
    static_names, motion_names : list of str
    groups : dict
        ``{group: column indices}`` (static groups index ``static_names``, motion groups ``motion_names``).
    """
    static = ["colour:R", "colour:G", "colour:B", "colour:saturation"]
    static += [f"layout:lum_{i}{j}" for i in range(4) for j in range(4)]
    static += [f"texture:{o}_{i}{j}" for o in ("e0", "e90", "e45", "e135", "lap") for i in range(2) for j in range(2)]
    static += [f"category:{c}" for c in CLASSES]
    static += [f"scene:{s}" for s in SCENES]
    motion = [f"motion_energy:{i}{j}" for i in range(4) for j in range(4)] + ["flicker:global"]
    motion += ["kinematics:speed", "kinematics:vx", "kinematics:vy", "kinematics:camera_speed",
               "kinematics:camera_vx", "kinematics:camera_vy"]
    groups: dict[str, list[int]] = {}
    for names in (static, motion):
        for i, n in enumerate(names):
            groups.setdefault(n.split(":")[0], []).append(i)
    return static, motion, groups


def _grid_mean(x: np.ndarray, g: int) -> np.ndarray:
    """Mean of (T, H, W) over a g×g grid of blocks -> (T, g, g)."""
    T, H, W = x.shape
    re = np.linspace(0, H, g + 1).astype(int)[:-1]
    ce = np.linspace(0, W, g + 1).astype(int)[:-1]
    s = np.add.reduceat(np.add.reduceat(x, re, axis=1), ce, axis=2)
    counts = np.outer(np.diff(np.append(re, H)), np.diff(np.append(ce, W)))
    return s / counts[None]


def clip_features(clip, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Static and motion features of one clip, HRF-weighted over frames.

    Parameters
    ----------
    clip : neurokit.sim.video.Clip
    weights : ndarray of shape (T,), optional
        Frame weights (default :func:`hrf_frame_weights` for the clip's length and fps).

    Returns
    -------
    static : ndarray of shape (p_static,)
    motion : ndarray of shape (p_motion,)
        In the order of :func:`feature_names`.
    """
    f = clip.frames.astype(np.float32) / 255.0
    T = f.shape[0]
    w = hrf_frame_weights(T, clip.fps) if weights is None else np.asarray(weights, np.float64)
    lum = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
    colour = np.concatenate([f.mean(axis=(1, 2)), (f.max(-1) - f.min(-1)).mean(axis=(1, 2))[:, None]], 1)
    layout = _grid_mean(lum, 4).reshape(T, 16)
    gx = np.zeros_like(lum)
    gy = np.zeros_like(lum)
    gx[:, :, 1:] = np.diff(lum, axis=2)
    gy[:, 1:, :] = np.diff(lum, axis=1)
    lap = np.zeros_like(lum)
    lap[:, 1:-1, 1:-1] = (4 * lum[:, 1:-1, 1:-1] - lum[:, :-2, 1:-1] - lum[:, 2:, 1:-1]
                          - lum[:, 1:-1, :-2] - lum[:, 1:-1, 2:])
    tex = [np.abs(gx), np.abs(gy), np.abs(gx + gy) / np.sqrt(2), np.abs(gx - gy) / np.sqrt(2), np.abs(lap)]
    texture = np.concatenate([_grid_mean(e, 2).reshape(T, 4) for e in tex], 1)
    area = np.zeros((T, len(CLASSES)), np.float32)
    npix = clip.masks.shape[1] * clip.masks.shape[2]
    counts = np.stack([np.bincount(m.ravel(), minlength=len(clip.object_classes)) for m in clip.masks])
    for k, cls in enumerate(clip.object_classes[1:], start=1):
        area[:, CLASSES.index(cls)] += counts[:, k] / npix
    scene = np.zeros((T, len(SCENES)), np.float32)
    scene[:, SCENES.index(clip.scene)] = 1.0
    static_t = np.concatenate([colour, layout, texture, area, scene], 1)

    d = np.abs(np.diff(lum, axis=0, prepend=lum[:1]))  # frame 0 has no motion
    energy = _grid_mean(d, 4).reshape(T, 16)
    flicker = d.mean(axis=(1, 2))[:, None]
    sp = clip.speed * clip.fps / lum.shape[2]  # frame widths per second
    vx, vy = sp * math.cos(clip.direction), sp * math.sin(clip.direction)
    cx, cy = (c * clip.fps / lum.shape[2] for c in clip.camera_motion)
    kin = np.tile([sp, vx, vy, math.hypot(cx, cy), cx, -cy], (T, 1))
    motion_t = np.concatenate([energy, flicker, kin], 1)
    return (w @ static_t).astype(np.float64), (w @ motion_t).astype(np.float64)


def _z(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """z-score along ``axis`` (population sd); constant columns become 0."""
    x = x - x.mean(axis=axis, keepdims=True)
    sd = x.std(axis=axis, keepdims=True)
    return np.divide(x, sd, out=np.zeros_like(x), where=sd > 1e-12)


# ------------------------------------------------------------------------------------ the world
@dataclass(frozen=True)
class SimulatedWorld:
    """Clips' features and labels plus every subject's planted signals (no noise yet).

    Attributes
    ----------
    config : BrainSimConfig
    seed : int
    static, motion : ndarray of shape (n_clips, p_static) / (n_clips, p_motion)
        z-scored features.
    clips : list of dict
        :func:`neurokit.sim.video.clip_metadata` per clip.
    subjects : dict
        Subject (``"sub01"`` …) → ROI → its planted quantities (``w_static``, ``w_motion``, ``signal``,
        ``ncsnr``, ``own`` …).
    """

    config: BrainSimConfig
    seed: int
    static: np.ndarray = field(repr=False)
    motion: np.ndarray = field(repr=False)
    clips: list = field(repr=False)
    subjects: dict = field(repr=False)


def connectivity_matrix() -> np.ndarray:
    """The planted (9, 9) matrix ``C[target, source]`` in :data:`ROIS` order."""
    C = np.zeros((len(ROIS), len(ROIS)))
    for (tgt, src), c in CONNECTIONS.items():
        C[ROIS.index(tgt), ROIS.index(src)] = c
    return C


def planted_noise_ceiling(ncsnr, n: int) -> np.ndarray:
    """GLMsingle noise ceiling (fraction) for the mean of ``n`` repeats: ``ncsnr² / (ncsnr² + 1/n)``."""
    ncsnr = np.asarray(ncsnr, np.float64)
    return ncsnr**2 / (ncsnr**2 + 1.0 / n)


def _subject_signals(config: BrainSimConfig, seed: int, k: int, S: np.ndarray, M: np.ndarray,
                     connections: dict | None = None) -> dict:
    _, _, groups = feature_names()
    rng = np.random.default_rng([seed, 101, k])
    n = S.shape[0]
    u = config.private_share
    out = {}
    for r in ROIS:
        V = config.n_voxels(r, k)
        sg, mg = ROI_FEATURES[r]
        ws = np.zeros((S.shape[1], V))
        for g in sg:
            idx = groups[g]
            ws[idx] = rng.standard_normal((len(idx), V))
        for cls, gain in _CATEGORY_GAIN.get(r, {}).items():
            ws[groups["category"][CLASSES.index(cls)]] *= gain
        wm = np.zeros((M.shape[1], V))
        for g in mg:
            idx = groups[g]
            wm[idx] = rng.standard_normal((len(idx), V))
        a_s, a_m = _z(S @ ws), _z(M @ wm)
        private = _z(rng.standard_normal((n, 6)) @ rng.standard_normal((6, V)))
        lo, hi = NCSNR_RANGE[r]
        out[r] = {"w_static": ws, "w_motion": wm, "a_static": a_s, "a_motion": a_m, "private": private,
                  "ncsnr": rng.uniform(lo, hi, size=V)}
    for r in ROIS:  # own drive, plus the sources' drives mixed in the target's static/motion proportion
        mu = MOTION_SHARE[r]
        d = out[r]
        own = math.sqrt(1 - u) * _z(math.sqrt(1 - mu) * d["a_static"] + math.sqrt(mu) * d["a_motion"])
        y = own + math.sqrt(u) * d["private"]
        V = y.shape[1]
        for s in ROIS:
            c = (CONNECTIONS if connections is None else connections).get((r, s), 0.0)
            if c:
                src = out[s]
                G = rng.standard_normal((src["a_static"].shape[1], V))
                y += c * _z(math.sqrt(1 - mu) * _z(src["a_static"] @ G) + math.sqrt(mu) * _z(src["a_motion"] @ G))
        d["signal_scale"] = y.std(axis=0)
        d["signal"] = _z(y)
    for d in out.values():
        for key in ("a_static", "a_motion", "private"):
            del d[key]
    return out


def _clip_workers(n_clips: int) -> int:
    """Worker processes for rendering ``n_clips`` clips: two where the machine has them and the world is big
    enough to repay starting them (each clip is rendered from its own seed, so the result does not depend on
    the number of workers)."""
    return min(2, os.cpu_count() or 1) if n_clips >= 200 else 1


def _render_clips(indices, video_config, seed, weights, video_writer):
    """Render clips ``indices``: (static features, motion features, labels) per clip; write each through
    ``video_writer``."""
    out = []
    for i in indices:
        clip = make_clip(int(i), video_config, seed)
        if video_writer is not None:
            video_writer(int(i), clip)
        s, m = clip_features(clip, weights)
        out.append((s, m, clip_metadata(clip)))
    return out


def simulate_world(config: BrainSimConfig, seed: int = 0, video_writer=None, progress: bool = False,
                   precomputed: tuple | None = None, n_jobs: int | None = None) -> SimulatedWorld:
    """Make the clips, their features and every subject's noise-free signals.

    Parameters
    ----------
    config : BrainSimConfig
    seed : int
    video_writer : callable, optional
        ``video_writer(i, clip)`` is called for each clip (e.g. to write its MP4) before it is discarded.
    progress : bool
        Show a progress bar over clips.
    precomputed : tuple (static, motion, clips), optional
        z-scored features and clip labels of this same world (from a sibling data set's ``ground_truth/``);
        the clips are then not regenerated and ``video_writer`` is not called.
    n_jobs : int, optional
        Worker processes rendering the clips (default: two from 200 clips up where the machine has two cores;
        the world is the same for any value).

    Returns
    -------
    SimulatedWorld
    """
    if precomputed is not None:
        S, M, metas = precomputed
        subjects = {f"sub{k + 1:02d}": _subject_signals(config, seed, k, S, M) for k in range(config.n_subjects)}
        return SimulatedWorld(config=config, seed=seed, static=S, motion=M, clips=list(metas), subjects=subjects)

    w = hrf_frame_weights(config.video.n_frames, config.video.fps)
    n_workers = _clip_workers(config.n_clips) if n_jobs is None else int(n_jobs)
    if n_workers > 1:
        from joblib import Parallel, delayed

        chunks = np.array_split(np.arange(config.n_clips), 4 * n_workers)
        rendered = Parallel(n_jobs=n_workers, backend="loky")(
            delayed(_render_clips)(c, config.video, seed, w, video_writer) for c in chunks)
        rendered = [x for part in rendered for x in part]
    else:
        rendered = _render_clips(tqdm(range(config.n_clips), desc="clips", disable=not progress, leave=False),
                                 config.video, seed, w, video_writer)
    statics, motions, metas = [], [], []
    for i, (s, m, meta) in enumerate(rendered):
        statics.append(s)
        motions.append(m)
        meta["split"] = "train" if i < config.n_train else "test"
        metas.append(meta)
    S = _z(np.stack(statics))
    M = _z(np.stack(motions))
    subjects = {f"sub{k + 1:02d}": _subject_signals(config, seed, k, S, M) for k in range(config.n_subjects)}
    return SimulatedWorld(config=config, seed=seed, static=S, motion=M, clips=metas, subjects=subjects)


def _wb_layout(config: BrainSimConfig, seed: int, k: int, counts: dict[str, int]):
    """Voxel positions of subject k: returns (mask (78,93,71) uint8, roi_of_wb (V_wb,), index_in_roi (V_wb,))."""
    rng = np.random.default_rng([seed, 202, k])
    grid = np.indices(WB_SHAPE).reshape(3, -1).T.astype(np.float64)
    taken = np.zeros(len(grid), bool)
    flat_of = {}
    for r in ROIS:
        c = np.asarray(_CENTRES[r], np.float64) + rng.uniform(-2, 2, 3)
        d = np.linalg.norm(grid - c, axis=1) + rng.uniform(0, 1.5, len(grid))  # irregular blobs
        d[taken] = np.inf
        sel = np.argpartition(d, counts[r])[: counts[r]]
        sel = sel[np.argsort(d[sel])]
        taken[sel] = True
        flat_of[r] = sel
    n_extra = int(round(config.extra_wb_fraction * sum(counts.values())))
    centre, radii = np.array([39.0, 46.0, 35.0]), np.array([30.0, 40.0, 28.0])
    inside = (((grid - centre) / radii) ** 2).sum(1) < 1
    pool = np.flatnonzero(inside & ~taken)
    extra = np.sort(rng.choice(pool, size=n_extra, replace=False))
    all_flat = np.concatenate([flat_of[r] for r in ROIS] + [extra])
    roi_id = np.concatenate([np.full(counts[r], i) for i, r in enumerate(ROIS)] + [np.full(n_extra, -1)])
    idx_in = np.concatenate([np.arange(counts[r]) for r in ROIS] + [np.arange(n_extra)])
    order = np.argsort(all_flat)
    mask = np.zeros(int(np.prod(WB_SHAPE)), np.uint8)
    mask[all_flat] = 1
    return mask.reshape(WB_SHAPE), roi_id[order], idx_in[order]


def _noisy(signal: np.ndarray, ncsnr: np.ndarray, n_rep: int, rng) -> np.ndarray:
    """(n, V) signal -> (n, n_rep, V) float32 repetitions with noise sd 1/ncsnr."""
    noise = rng.standard_normal((signal.shape[0], n_rep, signal.shape[1])) / ncsnr[None, None, :]
    return (signal[:, None, :] + noise).astype(np.float32)


def _save_npz(path: Path, arrays: dict) -> None:
    with atomic_path(path, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def _write_ground_truth(root: Path, world: SimulatedWorld, dataset: str, extra_subject_arrays: dict,
                        profile: str = "embedded") -> None:
    gt = root / "ground_truth"
    gt.mkdir(parents=True, exist_ok=True)
    cfg = world.config
    static_names, motion_names, groups = feature_names()
    atomic_write_json(gt / "model.json", {
        "dataset": dataset, "seed": world.seed, "sim_version": SIM_VERSION, "config": asdict(cfg),
        **({"rehearsal": rehearsal_record(profile)} if profile == "rehearsal" else {}),
        "rois": list(ROIS), "dynamic_rois": list(DYNAMIC_ROIS), "static_rois": list(STATIC_ROIS),
        "motion_share": MOTION_SHARE, "roi_features": {r: {"static": list(s), "motion": list(m)}
                                                        for r, (s, m) in ROI_FEATURES.items()},
        "connectivity": {"rows_target_cols_source": connectivity_matrix().tolist(), "order": list(ROIS)},
        "ncsnr_range": NCSNR_RANGE, "private_share": cfg.private_share,
        "n_train": cfg.n_train, "n_test": cfg.n_test, "n_rep_train": cfg.n_rep_train, "n_rep_test": cfg.n_rep_test,
        "subjects": sorted(world.subjects), "feature_groups": groups,
        "video": {"n_frames": cfg.video.n_frames, "size": cfg.video.size, "fps": cfg.video.fps},
        "hrf_frame_weights": hrf_frame_weights(cfg.video.n_frames, cfg.video.fps).tolist(),
        "voxels": {sub: {r: int(d[r]["signal"].shape[1]) for r in ROIS} for sub, d in world.subjects.items()},
        "noise_ceiling": "NC_n = ncsnr^2 / (ncsnr^2 + 1/n) (fraction); split-half r of two n/2-repeat means = "
                         "ncsnr^2 / (ncsnr^2 + 2/n); signal variance 1 over all clips",
    })
    atomic_write_json(gt / "clips.json", world.clips)
    _save_npz(gt / "features.npz", {"static": world.static, "motion": world.motion,
                                   "static_names": np.array(static_names), "motion_names": np.array(motion_names)})
    for sub, rois in world.subjects.items():
        arrays = {}
        for r, d in rois.items():
            arrays[f"{r}__w_static"] = d["w_static"].astype(np.float32)
            arrays[f"{r}__w_motion"] = d["w_motion"].astype(np.float32)
            arrays[f"{r}__signal"] = d["signal"].astype(np.float32)
            arrays[f"{r}__ncsnr"] = d["ncsnr"]
            arrays[f"{r}__signal_scale"] = d["signal_scale"]
            for n in sorted({1, cfg.n_rep_train, cfg.n_rep_test}):
                arrays[f"{r}__nc_n{n}"] = planted_noise_ceiling(d["ncsnr"], n)
        arrays.update(extra_subject_arrays.get(sub, {}))
        _save_npz(gt / f"{sub}.npz", arrays)


def _video_id(i: int, meta: dict) -> str:
    return f"{i + 1:04d}_sim-{meta['key_class']}-{meta['scene']}-{meta['seed']}-{i:05d}"


def simulate_algonauts2021(root, profile: str = "embedded", seed: int = 0, progress: bool = False,
                           config: BrainSimConfig | None = None) -> None:
    """Write a simulated Algonauts 2021 data set (mini and full track) into the empty folder ``root``.

    Layout (as the real download, plus ``ground_truth/``)::

        AlgonautsVideos268_All_30fpsmax/NNNN_<id>.mp4            n_train + n_test clips, sorted = canonical order
        participants_data_v2021/mini_track/subXX/{ROI}.pkl       {"train": float32 (n_train, 3, V)}
        participants_data_v2021/full_track/subXX/WB.pkl          {"train": (n_train, 3, V_wb),
                                                                  "voxel_mask": (78, 93, 71)}
        ground_truth/model.json, clips.json, features.npz, subXX.npz (weights, signals, ncsnr, planted
                     noise ceilings, held-out test repeats "{ROI}__test" (n_test, 10, V), WB voxel labels)

    Parameters
    ----------
    root : Path
        Existing empty folder.
    profile : {"smoke", "embedded", "rehearsal"}
        Sizes (:data:`PROFILES`; ``rehearsal``: the paper's per-sample shapes, counts / :data:`REHEARSAL_SUBSAMPLE`,
        stamped in ``ground_truth/model.json``).
    seed : int
    progress : bool
        Progress bar over clips.
    config : BrainSimConfig, optional
        Overrides the profile's sizes (for tests and bigger machines).
    """
    root = Path(root)
    cfg = config or _config_for(profile)
    vdir = root / "AlgonautsVideos268_All_30fpsmax"
    vdir.mkdir(parents=True, exist_ok=True)

    def writer(i, clip):
        write_mp4(vdir / f"{_video_id(i, clip_metadata(clip))}.mp4", clip.frames, clip.fps)

    world = simulate_world(cfg, seed, video_writer=writer, progress=progress)
    extra = {}
    for k, (sub, rois) in enumerate(sorted(world.subjects.items())):
        rng = np.random.default_rng([seed, 303, k])
        train = {}
        test = {}
        for r in ROIS:
            d = rois[r]
            train[r] = _noisy(d["signal"][: cfg.n_train], d["ncsnr"], cfg.n_rep_train, rng)
            test[r] = _noisy(d["signal"][cfg.n_train:], d["ncsnr"], cfg.n_rep_test, rng)
            safe_pickle.dump({"train": train[r]}, root / "participants_data_v2021" / "mini_track" / sub / f"{r}.pkl")
        counts = {r: train[r].shape[2] for r in ROIS}
        mask, roi_id, idx_in = _wb_layout(cfg, seed, k, counts)
        n_extra = int((roi_id == -1).sum())
        extra_train = _noisy(np.zeros((cfg.n_train, n_extra)), np.ones(n_extra), cfg.n_rep_train, rng)
        blocks = [train[r] for r in ROIS] + [extra_train]
        wb_concat = np.concatenate(blocks, axis=2)
        offsets = np.cumsum([0] + [b.shape[2] for b in blocks])
        col = np.array([offsets[i if i >= 0 else len(ROIS)] + j for i, j in zip(roi_id, idx_in)])
        wb = wb_concat[:, :, col]
        safe_pickle.dump({"train": wb, "voxel_mask": mask},
                         root / "participants_data_v2021" / "full_track" / sub / "WB.pkl")
        extra[sub] = {f"{r}__test": test[r] for r in ROIS}
        extra[sub]["wb_roi"] = roi_id.astype(np.int8)
        extra[sub]["wb_index_in_roi"] = idx_in.astype(np.int32)
    _write_ground_truth(root, world, "algonauts2021", extra, profile)


def simulate_bold_moments(root, profile: str = "embedded", seed: int = 0, progress: bool = False,
                          config: BrainSimConfig | None = None, reuse_from=None) -> None:
    """Write a simulated BOLD Moments data set (version-B prepared betas) into the empty folder ``root``.

    Layout (paths as in the real derivatives, plus ``ground_truth/``)::

        derivatives/stimuli_metadata/mp4_h264/NNNN.mp4
        derivatives/stimuli_metadata/annotations.json          {"0001": {"set", "objects", "scenes", "actions",
                                                                          "text_descriptions", …}}
        derivatives/versionB/fsLR32k/GLM/sub-XX/prepared_betas/sub-XX_organized_betas_task-{train,test}_normalized.pkl
                                                                (betas (n, reps, V_all), stim_order)
        derivatives/versionB/MNI152/prepared_allvoxel_pkl/sub-XX/sub-XX_roi-{l,r}{ROI}_betas_normalized.pkl
                                                                dict: train_data_allvoxel (n_train, 3, V),
                                                                      test_data_allvoxel (n_test, 10, V)
        ground_truth/…                                          as for algonauts2021 (same subjects and signals)

    The whole-brain betas hold the ROI voxels in :data:`ROIS` order followed by the unassigned voxels;
    ``ground_truth/subXX.npz`` has ``bmd_part_{l,r}{PART}`` index arrays into each ROI's voxels.
    Parameters are those of :func:`simulate_algonauts2021`, and ``reuse_from``: the folder of a simulated
    ``algonauts2021`` data set of the same world, whose clips and features are reused when it was made with the
    same config, seed and :data:`SIM_VERSION` and its videos match its checksums (optional).
    """
    root = Path(root)
    cfg = config or _config_for(profile)
    meta_dir = root / "derivatives" / "stimuli_metadata"
    vdir = meta_dir / "mp4_h264"
    vdir.mkdir(parents=True, exist_ok=True)

    def writer(i, clip):
        write_mp4(vdir / f"{i + 1:04d}.mp4", clip.frames, clip.fps)

    reused = None if reuse_from is None else _reuse_world(Path(reuse_from), cfg, seed)
    if reused is not None:  # same world already simulated for algonauts2021: copy its clips, reuse its features
        S, M, metas, videos = reused
        for i, src in enumerate(videos):
            try:  # a hard link saves the space of a second copy (read-only data, same bytes)
                os.link(src, vdir / f"{i + 1:04d}.mp4")
            except OSError:
                shutil.copyfile(src, vdir / f"{i + 1:04d}.mp4")
        world = simulate_world(cfg, seed, precomputed=(S, M, metas))
    else:
        world = simulate_world(cfg, seed, video_writer=writer, progress=progress)
    annotations = {}
    for i, m in enumerate(world.clips):
        objs = [c for c in m["object_classes"][1:]]
        verb = "staying still" if "stays still" in m["caption"] else f"moving {m['direction_label']}"
        annotations[f"{i + 1:04d}"] = {
            "set": m["split"], "bmd_matrixfilename": f"vid_idx{i + 1:04d}",
            "MiT_filename": f"simulated/{_video_id(i, m)}.mp4", "objects": [objs] * 5, "scenes": [m["scene"]] * 5,
            "actions": [verb] * 5, "text_descriptions": [m["caption"]] * 5,
        }
    atomic_write_json(meta_dir / "annotations.json", annotations)
    stim_train = np.array([f"vid{i + 1:04d}" for i in range(cfg.n_train)])
    stim_test = np.array([f"vid{i + 1:04d}" for i in range(cfg.n_train, cfg.n_clips)])
    extra = {}
    for k, (sub, rois) in enumerate(sorted(world.subjects.items())):
        bsub = f"sub-{sub[3:]}"
        rng = np.random.default_rng([seed, 404, k])
        blocks_tr, blocks_te = [], []
        extra[sub] = {}
        for r in ROIS:
            d = rois[r]
            tr = _noisy(d["signal"][: cfg.n_train], d["ncsnr"], cfg.n_rep_train, rng).astype(np.float64)
            te = _noisy(d["signal"][cfg.n_train:], d["ncsnr"], cfg.n_rep_test, rng).astype(np.float64)
            mean = tr.reshape(-1, tr.shape[2]).mean(0)
            sd = tr.reshape(-1, tr.shape[2]).std(0, ddof=1)
            tr, te = ((tr - mean) / sd).astype(np.float32), ((te - mean) / sd).astype(np.float32)
            blocks_tr.append(tr)
            blocks_te.append(te)
            V = tr.shape[2]
            parts = BMD_ROI_PARTS[r]
            chunks = np.array_split(np.arange(V), 2 * len(parts))  # l parts first, then r parts
            for h_i, hemi in enumerate("lr"):
                for p_i, part in enumerate(parts):
                    idx = chunks[h_i * len(parts) + p_i]
                    extra[sub][f"bmd_part_{hemi}{part}"] = idx
                    safe_pickle.dump(
                        {"train_data_allvoxel": tr[:, :, idx], "test_data_allvoxel": te[:, :, idx]},
                        root / "derivatives" / "versionB" / "MNI152" / "prepared_allvoxel_pkl" / bsub
                        / f"{bsub}_roi-{hemi}{part}_betas_normalized.pkl")
        n_extra = int(round(cfg.extra_wb_fraction * sum(b.shape[2] for b in blocks_tr)))
        ex_tr = _noisy(np.zeros((cfg.n_train, n_extra)), np.ones(n_extra), cfg.n_rep_train, rng)
        ex_te = _noisy(np.zeros((cfg.n_test, n_extra)), np.ones(n_extra), cfg.n_rep_test, rng)
        mu, sd = ex_tr.reshape(-1, n_extra).mean(0), ex_tr.reshape(-1, n_extra).std(0, ddof=1)
        blocks_tr.append(((ex_tr - mu) / sd).astype(np.float32))
        blocks_te.append(((ex_te - mu) / sd).astype(np.float32))
        gdir = root / "derivatives" / "versionB" / "fsLR32k" / "GLM" / bsub / "prepared_betas"
        safe_pickle.dump((np.concatenate(blocks_tr, 2), stim_train),
                         gdir / f"{bsub}_organized_betas_task-train_normalized.pkl")
        safe_pickle.dump((np.concatenate(blocks_te, 2), stim_test),
                         gdir / f"{bsub}_organized_betas_task-test_normalized.pkl")
        labels = [np.full(rois[r]["signal"].shape[1], i) for i, r in enumerate(ROIS)] + [np.full(n_extra, -1)]
        extra[sub]["wb_roi"] = np.concatenate(labels).astype(np.int8)
    _write_ground_truth(root, world, "bold_moments", extra, profile)


def _reuse_world(sib: Path, cfg: BrainSimConfig, seed: int):
    """Features, labels and MP4 paths of the same world from the complete simulated ``algonauts2021`` set ``sib``.

    When ``sib`` was made with the same config, seed and :data:`SIM_VERSION`, and its videos still match its
    checksums, the BOLD Moments simulation reuses them (hard links where the file system allows; byte-identical
    result in a fraction of the time). Returns ``None`` otherwise.
    """
    try:
        model = json.loads((sib / "ground_truth" / "model.json").read_text())
        sums = json.loads((sib / "checksums.json").read_text())
    except (OSError, ValueError):
        return None
    if model.get("sim_version") != SIM_VERSION or model.get("seed") != int(seed) or model.get("config") != json.loads(
            json.dumps(asdict(cfg))):
        return None
    videos = sorted((sib / "AlgonautsVideos268_All_30fpsmax").glob("*.mp4"))
    if len(videos) != cfg.n_clips:
        return None
    for v in videos:
        if sums.get(v.relative_to(sib).as_posix()) != sha256_file(v):
            log.warning("not reusing %s: %s fails its checksum", sib, v)
            return None
    try:
        with np.load(sib / "ground_truth" / "features.npz", allow_pickle=False) as f:
            S, M = f["static"], f["motion"]
        metas = json.loads((sib / "ground_truth" / "clips.json").read_text())
    except (OSError, ValueError, KeyError):
        return None
    if S.shape[0] != cfg.n_clips or len(metas) != cfg.n_clips:
        return None
    log.info("reusing the clips and features of %s", sib)
    return S, M, metas, videos


# ---------------------------------------------------------------------------------- ground truth
@dataclass(frozen=True)
class BrainGroundTruth:
    """What a simulated fMRI data set was made from (read back by :func:`load_ground_truth`).

    Attributes
    ----------
    model : dict
        ``ground_truth/model.json`` (ROIs, dynamic labels, motion shares, connectivity, sizes).
    connectivity : ndarray of shape (9, 9)
        Planted ``C[target, source]`` in ``rois`` order.
    static, motion : ndarray of shape (n_clips, p_static) / (n_clips, p_motion)
    static_names, motion_names : list of str
    clips : list of dict
        Per-clip labels (class, caption, speed, direction, split …).
    subjects : dict
        ``{subject: {key: array}}`` from ``ground_truth/<subject>.npz`` (keys like ``"V1__signal"``
        (n_clips, V), ``"V1__ncsnr"`` (V,), ``"V1__nc_n3"``, ``"V1__test"`` (n_test, 10, V) …).
    """

    root: Path
    model: dict
    connectivity: np.ndarray = field(repr=False)
    static: np.ndarray = field(repr=False)
    motion: np.ndarray = field(repr=False)
    static_names: list = field(repr=False)
    motion_names: list = field(repr=False)
    clips: list = field(repr=False)
    subjects: dict = field(repr=False)

    @property
    def rois(self) -> tuple:
        return tuple(self.model["rois"])

    @property
    def dynamic_rois(self) -> tuple:
        return tuple(self.model["dynamic_rois"])

    def get(self, subject: str, roi: str, key: str) -> np.ndarray:
        """``subjects[subject][f"{roi}__{key}"]`` with a clear error when absent."""
        try:
            return self.subjects[subject][f"{roi}__{key}"]
        except KeyError:
            raise UnknownNameError("ground-truth entry", f"{subject}/{roi}__{key}",
                                   [f"{s}/{k}" for s, d in self.subjects.items() for k in d]) from None


def load_ground_truth(root) -> BrainGroundTruth:
    """Read ``<root>/ground_truth/`` of a simulated ``algonauts2021`` or ``bold_moments`` data set."""
    gt = Path(root) / "ground_truth"
    if not (gt / "model.json").is_file():
        raise DataError(f"no ground truth under {gt}: {root} is not a simulated fMRI data set (real data have "
                        "none). Simulate one with `neurokit data simulate --profile embedded`.")
    model = json.loads((gt / "model.json").read_text())
    with np.load(gt / "features.npz", allow_pickle=False) as f:
        static, motion = f["static"], f["motion"]
        static_names, motion_names = f["static_names"].tolist(), f["motion_names"].tolist()
    subjects = {}
    for sub in model["subjects"]:
        with np.load(gt / f"{sub}.npz", allow_pickle=False) as f:
            subjects[sub] = {k: f[k] for k in f.files}
    return BrainGroundTruth(
        root=Path(root), model=model, connectivity=np.asarray(model["connectivity"]["rows_target_cols_source"]),
        static=static, motion=motion, static_names=static_names, motion_names=motion_names,
        clips=json.loads((gt / "clips.json").read_text()), subjects=subjects,
    )


def _matrix_to_connections(C) -> dict:
    C = np.asarray(C, dtype=float)
    if C.shape != (len(ROIS), len(ROIS)):
        raise InputError(f"connectivity must be a ({len(ROIS)}, {len(ROIS)}) matrix in ROIS order; got {C.shape}.")
    return {(ROIS[r], ROIS[s]): float(C[r, s]) for r in range(len(ROIS)) for s in range(len(ROIS))
            if r != s and C[r, s] != 0}


def resimulate_responses(root, connectivity=None, n_clips=None, subjects=None, noise_seed=0):
    """The training responses of a simulated Algonauts world re-drawn with another coupling matrix, in memory.

    Everything but the coupling is the world's own: its features, each voxel's weights, private latent and
    ncsnr (these draws do not depend on the matrix). Used for controls, e.g. the transposed world ``Cᵀ``.
    Noise is drawn afresh from ``noise_seed``, identically for every ``connectivity``, so two calls that differ
    only in the matrix differ only in the coupling.

    Parameters
    ----------
    root : path
        A simulated ``algonauts2021`` (or ``bold_moments``) folder (it has ``ground_truth/``).
    connectivity : ndarray of shape (9, 9), optional
        ``C[target, source]`` in :data:`ROIS` order (default: the planted one).
    n_clips : int, optional
        First training clips to return (default all).
    subjects : sequence of str, optional
        Default: every subject.
    noise_seed : int

    Returns
    -------
    responses : dict
        ``{subject: {roi: float32 (n_clips, n_rep_train, V)}}``.
    signals : dict
        ``{subject: {roi: (n_clips, V)}}`` noise-free signals.
    """
    gt = load_ground_truth(root)
    if gt.model.get("sim_version") != SIM_VERSION:
        raise DataError(f"{root} was simulated with version {gt.model.get('sim_version')}, this code writes "
                        f"{SIM_VERSION}; re-simulate it (`neurokit data simulate --force algonauts2021`).")
    cfg_d = dict(gt.model["config"])
    cfg_d["video"] = VideoWorldConfig(**cfg_d["video"])
    cfg = BrainSimConfig(**cfg_d)
    conns = None if connectivity is None else _matrix_to_connections(connectivity)
    n = cfg.n_train if n_clips is None else min(int(n_clips), cfg.n_train)
    names = sorted(gt.subjects) if subjects is None else list(subjects)
    responses, signals = {}, {}
    for sub in names:
        k = int(sub[3:]) - 1
        sig = _subject_signals(cfg, int(gt.model["seed"]), k, gt.static, gt.motion, connections=conns)
        rng = np.random.default_rng([int(noise_seed), 505, k])
        responses[sub], signals[sub] = {}, {}
        for r in ROIS:
            signals[sub][r] = sig[r]["signal"][:n]
            responses[sub][r] = _noisy(sig[r]["signal"][:n], sig[r]["ncsnr"], cfg.n_rep_train, rng)
    return responses, signals
