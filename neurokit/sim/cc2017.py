"""A simulated cc2017 (Wen et al. 2018) video-fMRI data set, written in the tensor layout NEURONS consumes.

The clips come from the procedural world of :mod:`neurokit.sim.video` (6 frames per 2-s clip, as the 3-fps
``GT_*_3fps.pt`` tensors). Each clip's fMRI response is a known linear read-out of a **latent description**
of the clip plus Gaussian noise that is independent across repetitions:

``x = W z + sigma * eps``, with ``z`` = [key-object class one-hot, present-class multi-hot, scene one-hot,
key-object centroid and velocity, key-object area, the clip's mean frame at 4×4×3, the key-object mask
at 4×4] (z-scored), ``W`` a fixed Gaussian matrix per subject (``sim_truth.pt``) and a share of voxels
(``1 - frac_informative``) carrying noise only, like the unreliable voxels that cc2017's test–retest
selection removes.

There is no haemodynamic lag: fMRI sample i is paired with clip i, as in NEURONS' code (the released
tensors' alignment is undocumented; see the spec §1.1).

Labels are built the way NEURONS builds them (§2 of the spec), from the simulator's exact masks:

* key object: :func:`find_key_object`, the rule of ``tasks_construction/find_key_obj.py`` (largest
  summed centroid displacement, doubled for people/animals, priority classes first);
* concepts: multi-hot over the world's object classes and scenes (``concept_names.json``);
* captions: the world's template caption (standing in for BLIP-2 / Qwen2.5-VL captions).

Files (per subject ``s`` in 1..n_subjects)::

    subj0{s}_train_fmri.pt      float32 (N, 2, V_s)     two repetitions
    subj0{s}_test_fmri.pt       float32 (M, 10, V_s)    ten repetitions (averaged by the loader)
    GT_{train,test}_3fps.pt     float32 (N, 6, 3, H, W) in [0, 1]
    GT_{train,test}_caption.pt  list of str
    GT_{train,test}_concepts.pt uint8 (N, n_concepts) multi-hot
    key_objects_masks_{train,test}.pt uint8 (N, 6, H, W)
    key_objects_info_{train,test}.json  {idx: {"category": name}}
    concept_names.json, sim_truth.pt (W, z, noise sd per subject), sim_config.json
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from neurokit._io import atomic_path, atomic_write_json
from neurokit.errors import InputError, UnknownNameError
from neurokit.sim.video import CLASSES, SCENES, VideoWorldConfig, make_clip

logger = logging.getLogger(__name__)

__all__ = ["CC2017SimConfig", "PROFILES", "simulate_cc2017", "find_key_object", "PRIORITY_CLASSES"]

#: Bumped whenever the simulated data change (the registry re-simulates older copies).
SIM_VERSION = 1

#: Classes treated as "priority" (people and animals) by the key-object rule (displacement doubled).
PRIORITY_CLASSES = ("person", "dog", "bird", "fish")
#: Classes excluded as background by the key-object rule (none of the world's object classes are).
BACKGROUND_CLASSES: tuple[str, ...] = ()


@dataclass(frozen=True)
class CC2017SimConfig:
    """Sizes of the simulated cc2017 set.

    Parameters
    ----------
    n_train, n_test : int
        Training clips (each with 2 repetitions) and test clips (10 repetitions).
    size : int
        Frame height and width (the real tensors are 224).
    n_voxels : tuple of int
        Voxels per subject (the real counts are 13447, 14828, 9114).
    frac_informative : float
        Share of voxels driven by the clip; the rest are noise only.
    noise_sd : float
        Per-repetition noise standard deviation (the signal part has unit variance per informative voxel).
    """

    n_train: int = 400
    n_test: int = 80
    size: int = 32
    n_voxels: tuple = (800, 900, 700)
    frac_informative: float = 0.6
    noise_sd: float = 1.5

    def __post_init__(self):
        if self.n_train < 8 or self.n_test < 4:
            raise InputError(f"need n_train >= 8 and n_test >= 4, got {self.n_train}, {self.n_test}.")
        if self.size < 16:
            raise InputError(f"size must be >= 16 pixels (the SSIM window is 11), got {self.size}.")
        if not 0 < self.frac_informative <= 1:
            raise InputError(f"frac_informative must be in (0, 1], got {self.frac_informative}.")


PROFILES = {
    "smoke": CC2017SimConfig(n_train=48, n_test=16, size=32, n_voxels=(200,), noise_sd=1.0),
    "embedded": CC2017SimConfig(),
    "paper": CC2017SimConfig(n_train=4320, n_test=1200, size=64, n_voxels=(13447, 14828, 9114)),
}

N_FRAMES = 6
FPS = 3


def find_key_object(masks, object_classes, priority=PRIORITY_CLASSES, background=BACKGROUND_CLASSES):
    """NEURONS' rule-based key object (``tasks_construction/find_key_obj.py``, spec §2.4).

    Per category, the centroid displacement between consecutive frames is summed (doubled for priority
    classes; background categories are skipped). If a priority class is present, the top-1 among the priority
    classes wins; otherwise the top-1 among classes whose last-seen area ratio is below 0.5, falling back to all.

    Parameters
    ----------
    masks : ndarray of shape (F, H, W), int
        Instance ids per pixel (0 = background).
    object_classes : sequence of str
        ``object_classes[k]`` is the class of instance k (index 0 is the background).

    Returns
    -------
    category : str or None
        ``None`` when no object is visible (the published label is "None" with an all-zero mask).
    mask : ndarray of shape (F, H, W), uint8
        The pixels of that category in every frame.
    """
    masks = np.asarray(masks)
    F, H, W = masks.shape
    cats = sorted({c for k, c in enumerate(object_classes) if k > 0 and c not in background})
    disp, last_area, present = {}, {}, []
    for c in cats:
        ids = [k for k, cc in enumerate(object_classes) if cc == c and k > 0]
        m = np.isin(masks, ids)
        if not m.any():
            continue
        present.append(c)
        cents = [np.argwhere(m[f]).mean(0) if m[f].any() else None for f in range(F)]
        d = 0.0
        for a, b in zip(cents[:-1], cents[1:]):
            if a is not None and b is not None:
                d += float(np.linalg.norm(b - a))
        disp[c] = d * (2.0 if c in priority else 1.0)
        seen = [f for f in range(F) if m[f].any()]
        last_area[c] = m[seen[-1]].sum() / (H * W)
    if not present:
        return None, np.zeros((F, H, W), np.uint8)
    pri = [c for c in present if c in priority]
    if pri:
        pool = pri
    else:
        pool = [c for c in present if last_area[c] < 0.5] or present
    best = max(pool, key=lambda c: (disp[c], -pool.index(c)))
    ids = [k for k, cc in enumerate(object_classes) if cc == best and k > 0]
    return best, np.isin(masks, ids).astype(np.uint8)


def _latent(frames, masks_key, clip, classes, scenes):
    """The clip's latent description z (unnormalised), shape (n_latent,)."""
    F, H, W, _ = frames.shape
    onehot = np.zeros(len(classes)); onehot[classes.index(clip.key_class)] = 1
    present = np.zeros(len(classes))
    for c in clip.object_classes[1:]:
        present[classes.index(c)] = 1
    scene = np.zeros(len(scenes)); scene[scenes.index(clip.scene)] = 1
    m = masks_key.astype(float)
    area = m.mean()
    yy, xx = np.mgrid[0:H, 0:W] / max(H, W)
    w = m.sum((1, 2)) + 1e-6
    cy = (m * yy).sum((1, 2)) / w
    cx = (m * xx).sum((1, 2)) / w
    motion = [cx[-1] - cx[0], cy[-1] - cy[0]]
    pos = [cx.mean(), cy.mean()]
    g = 4
    mean_frame = frames.astype(float).mean(0) / 255.0
    low = mean_frame.reshape(g, H // g, g, W // g, 3).mean((1, 3)).ravel()
    low_mask = m.mean(0).reshape(g, H // g, g, W // g).mean((1, 3)).ravel()
    return np.concatenate([onehot * 2, present, scene, pos, motion, [area], low, low_mask])


def simulate_cc2017(root, profile: str = "embedded", seed: int = 0, config: CC2017SimConfig | None = None,
                    overwrite: bool = False) -> Path:
    """Simulate the cc2017 tensors under ``root`` (idempotent: an existing complete set is reused).

    Parameters
    ----------
    root : path-like
        Output folder (created).
    profile : {"smoke", "embedded", "paper"}
        Size preset (see :data:`PROFILES`); ``config`` overrides it.
    seed : int
        Seed of the clips, the read-out weights and the noise.
    config : CC2017SimConfig, optional
    overwrite : bool
        Re-simulate even if the files exist.

    Returns
    -------
    Path
        ``root``.
    """
    import torch

    if config is None:
        if profile not in PROFILES:
            raise UnknownNameError("profile", profile, PROFILES)
        config = PROFILES[profile]
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = {"config": asdict(config), "seed": int(seed), "version": 1}
    done = root / "sim_config.json"
    if done.exists() and not overwrite and json.loads(done.read_text()) == json.loads(json.dumps(stamp)):
        logger.info("cc2017 simulation already present in %s", root)
        return root

    def save(obj, name):
        with atomic_path(root / name) as tmp:
            torch.save(obj, tmp)

    world = VideoWorldConfig(n_frames=N_FRAMES, size=config.size, fps=FPS, max_distractors=2)
    classes, scenes = list(CLASSES), list(SCENES)
    concept_names = classes + [f"scene:{s}" for s in scenes]
    atomic_write_json(root / "concept_names.json", concept_names)
    rng = np.random.default_rng([seed, 2017])
    z_all = {}
    offset = {"train": 0, "test": 10_000_000}
    for split, n in (("train", config.n_train), ("test", config.n_test)):
        frames = np.zeros((n, N_FRAMES, 3, config.size, config.size), np.float32)
        kmasks = np.zeros((n, N_FRAMES, config.size, config.size), np.uint8)
        concepts = np.zeros((n, len(concept_names)), np.uint8)
        captions, info, z = [], {}, []
        for i in range(n):
            clip = make_clip(offset[split] + i, world, seed=seed)
            cat, km = find_key_object(clip.masks, clip.object_classes)
            frames[i] = clip.frames.transpose(0, 3, 1, 2) / 255.0
            kmasks[i] = km
            for c in clip.object_classes[1:]:
                if np.isin(clip.masks, [k for k, cc in enumerate(clip.object_classes) if cc == c]).any():
                    concepts[i, classes.index(c)] = 1
            concepts[i, len(classes) + scenes.index(clip.scene)] = 1
            captions.append(clip.caption)
            info[str(i)] = {"category": cat if cat is not None else "None", "world_key_class": clip.key_class}
            z.append(_latent(clip.frames, km, clip, classes, scenes))
        save(torch.from_numpy(frames), f"GT_{split}_3fps.pt")
        save(torch.from_numpy(kmasks), f"key_objects_masks_{split}.pt")
        save(torch.from_numpy(concepts), f"GT_{split}_concepts.pt")
        save(captions, f"GT_{split}_caption.pt")
        atomic_write_json(root / f"key_objects_info_{split}.json", info)
        z_all[split] = np.asarray(z)
    mu, sd = z_all["train"].mean(0), z_all["train"].std(0) + 1e-6
    truth = {}
    for s, V in enumerate(config.n_voxels, start=1):
        n_lat = mu.size
        n_inf = max(1, int(round(config.frac_informative * V)))
        W = np.zeros((n_lat, V), np.float32)
        W[:, :n_inf] = rng.normal(size=(n_lat, n_inf)) / np.sqrt(n_lat)
        perm = rng.permutation(V)  # informative voxels scattered over the "cortex"
        W = W[:, perm]
        for split, reps in (("train", 2), ("test", 10)):
            zs = (z_all[split] - mu) / sd
            signal = (zs @ W).astype(np.float32)
            noise = rng.normal(scale=config.noise_sd, size=(len(zs), reps, V)).astype(np.float32)
            save(torch.from_numpy(signal[:, None, :] + noise), f"subj0{s}_{split}_fmri.pt")
        truth[f"subj0{s}"] = {"W": torch.from_numpy(W), "informative": torch.from_numpy(np.any(W != 0, 0))}
    truth["z_train"] = torch.from_numpy(((z_all["train"] - mu) / sd).astype(np.float32))
    truth["z_test"] = torch.from_numpy(((z_all["test"] - mu) / sd).astype(np.float32))
    truth["noise_sd"] = float(config.noise_sd)
    save(truth, "sim_truth.pt")
    atomic_write_json(done, stamp)
    logger.info("simulated cc2017 (%s) in %s", profile, root)
    return root
