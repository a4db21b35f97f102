"""A simulated cc2017 (Wen et al. 2018) video-fMRI data set, written in the tensor layout NEURONS consumes.

The clips come from the procedural world of :mod:`neurokit.sim.video` (6 frames per 2-s clip, as the 3-fps
``GT_*_3fps.pt`` tensors). Every clip is summarised by **feature groups** (:data:`GROUPS`), each a known function
of its pixels, masks and labels:

========  ==========================================================================================
image     the clip's time-averaged frame low-passed to an 8×8 grid in three opponent channels
          (luminance, red–green, blue–yellow): the coarse colour and layout
motion    the key object's on-screen velocity and speed, the camera pan, a 4×4 motion-energy map
colour    the key object's colour name (one-hot)
object    key-object class (one-hot) and the classes present (multi-hot)
layout    the key object's time-averaged mask on a 4×4 grid, its centroid and area
body      person / dog present and whether either is the key object
face      which animate class (person, dog, bird, fish) the key object is, and whether one is present
scene     the background scene (one-hot)
========  ==========================================================================================

Every subject has the visual areas of :data:`ROI_ROLES`, each reading a planted mixture of groups (the "roles" a
post-hoc brain map of the NEURONS heads should find), plus voxels outside them that carry noise only, as the
unreliable voxels that cc2017's test–retest selection removes:

* V1, V2, V3 and V4 have **population receptive fields** (a Gaussian on the 8×8 grid, wider up the hierarchy, Dumoulin
  & Wandell 2008) over a random mix of the opponent channels of ``image``: early visual cortex carries the coarse
  image, which is what a blurry-video decoder can recover;
* MT reads motion through a 4×4 pRF on the motion-energy map plus direction tuning; LOC objects and layout; EBA
  bodies; FFA animate (face-bearing) classes; PPA scenes;
* each group's contribution to a voxel is scaled to a fixed share of unit signal variance (:data:`ROI_ROLES`), so
  ``share[v, g]`` is the planted importance of group g for voxel v.

fMRI: ``x = signal + noise_sd · eps`` with independent noise per repetition (2 for training clips, 10 for test
clips, averaged by the loader). There is no haemodynamic lag: fMRI sample i is paired with clip i, as in NEURONS'
code (the released tensors' alignment is undocumented).

Labels are built the way NEURONS builds them, from the simulator's exact masks: the key object by
:func:`find_key_object` (the rule of ``tasks_construction/find_key_obj.py``), concepts as multi-hot classes and
scenes, captions from the world's template.

Files (per subject ``s`` in 1..n_subjects)::

    subj0{s}_train_fmri.pt      float32 (N, 2, V_s)     two repetitions
    subj0{s}_test_fmri.pt       float32 (M, 10, V_s)    ten repetitions (averaged by the loader)
    GT_{train,test}_3fps.pt     float32 (N, 6, 3, H, W) in [0, 1]
    GT_{train,test}_caption.pt  list of str
    GT_{train,test}_concepts.pt uint8 (N, n_concepts) multi-hot
    key_objects_masks_{train,test}.pt uint8 (N, 6, H, W)
    key_objects_info_{train,test}.json  {idx: {"category": name}}
    concept_names.json
    sim_labels_{train,test}.json  per clip: key class, colour, palette index, scene, motion (simulation only)
    sim_truth.pt                 per subject: voxel ROI, planted shares per group, weights; the feature groups
    sim_config.json
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from neurokit._io import atomic_path, atomic_write_json
from neurokit.errors import InputError, UnknownNameError
from neurokit.sim import video as _video
from neurokit.sim.video import CLASSES, SCENES, VideoWorldConfig, make_clip

logger = logging.getLogger(__name__)

__all__ = ["CC2017SimConfig", "PROFILES", "REHEARSAL_SUBSAMPLE", "PAPER_COUNTS", "PAPER_VOXELS", "rehearsal_record",
           "simulate_cc2017", "find_key_object", "PRIORITY_CLASSES", "GROUPS", "ROI_ROLES", "ROIS", "SUBTASK_GROUPS",
           "MOTION_LABELS", "planted_importance", "clip_features"]

#: Bumped whenever the simulated data change (the registry re-simulates older copies).
SIM_VERSION = 3

#: Classes treated as "priority" (people and animals) by the key-object rule (displacement doubled).
PRIORITY_CLASSES = ("person", "dog", "bird", "fish")
#: Classes excluded as background by the key-object rule (none of the world's object classes are).
BACKGROUND_CLASSES: tuple[str, ...] = ()
#: Animate classes (the "face" group of FFA) and body classes (EBA).
ANIMATE_CLASSES = ("person", "dog", "bird", "fish")
BODY_CLASSES = ("person", "dog")
#: Key-object motion labels (the caption's motion phrase): still, or the nearest of four directions.
MOTION_LABELS = ("still", "right", "up", "left", "down")

#: Feature groups of a clip, in order.
GROUPS = ("image", "motion", "colour", "object", "layout", "body", "face", "scene")

#: Planted roles: ROI -> {group: share of the voxel's signal variance}; "other" voxels carry noise only.
ROI_ROLES: dict[str, dict[str, float]] = {
    "V1": {"image": 1.0},
    "V2": {"image": 1.0},
    "V3": {"image": 0.7, "layout": 0.3},
    "V4": {"colour": 0.6, "image": 0.4},
    "MT": {"motion": 1.0},
    "LOC": {"object": 0.6, "layout": 0.4},
    "EBA": {"body": 0.7, "motion": 0.3},
    "FFA": {"face": 1.0},
    "PPA": {"scene": 0.8, "image": 0.2},
}
ROIS = tuple(ROI_ROLES)
#: Share of each subject's voxels in each ROI (the rest are "other": noise only).
ROI_FRACTIONS = {"V1": 0.14, "V2": 0.12, "V3": 0.10, "V4": 0.08, "MT": 0.07, "LOC": 0.10, "EBA": 0.06,
                 "FFA": 0.06, "PPA": 0.08}
#: pRF width (s.d., in cells of the 8×8 image grid) of the areas that read ``image``.
PRF_SIGMA = {"V1": 0.6, "V2": 0.9, "V3": 1.3, "V4": 1.8, "PPA": 3.0}

#: What each NEURONS subtask's target is a function of (its planted importance is the share of these groups).
SUBTASK_GROUPS = {
    "seg": ("layout", "motion"),                                   # key-object masks move over the frames
    "cls": ("object", "body", "face", "scene"),                    # classes present and the scene
    "txt": ("colour", "object", "body", "face", "motion", "scene"),  # "a red car moves left on a road, with …"
    "rec": ("image",),                                             # the coarse colour layout of the frames
}

IMAGE_GRID = 8
MAP_GRID = 4


@dataclass(frozen=True)
class CC2017SimConfig:
    """Sizes of the simulated cc2017 set.

    Parameters
    ----------
    n_train, n_test : int
        Training clips (each with 2 repetitions) and test clips (10 repetitions).
    size : int
        Frame height and width (the real tensors are 224); a multiple of 8.
    n_voxels : tuple of int
        Voxels per subject (the real counts are 13447, 14828, 9114); one subject per entry.
    noise_sd : float
        Per-repetition noise standard deviation (the signal has unit variance in every ROI voxel).
    """

    n_train: int = 400
    n_test: int = 60
    size: int = 32
    n_voxels: tuple = (800, 900, 700)
    noise_sd: float = 1.5

    def __post_init__(self):
        if self.n_train < 8 or self.n_test < 4:
            raise InputError(f"need n_train >= 8 and n_test >= 4, got {self.n_train}, {self.n_test}.")
        if self.size < 16 or self.size % IMAGE_GRID:
            raise InputError(f"size must be a multiple of {IMAGE_GRID} and >= 16 pixels (the SSIM window is 11), "
                             f"got {self.size}.")
        if min(self.n_voxels) < 4 * len(ROIS):
            raise InputError(f"every subject needs >= {4 * len(ROIS)} voxels (4 per ROI), got {self.n_voxels}.")
        if not self.noise_sd > 0:
            raise InputError(f"noise_sd must be > 0, got {self.noise_sd}.")


#: The real cc2017 tensors' counts and per-sample shapes (NEURONS / NeuroClips layout): 18 x 240 training and
#: 5 x 240 test clips of 6 frames at 224 px, and the reliable voxels of subjects 1 / 2 / 3.
PAPER_COUNTS = {"n_train": 4320, "n_test": 1200}
PAPER_VOXELS = (13447, 14828, 9114)
PAPER_SIZE = 224
#: Clip counts of the ``rehearsal`` preset = the real counts (4320 + 1200) divided by this factor: 72 + 20 clips.
#: One 224-px clip weighs 3.6 MB as float32 frames and 10 MB as the (6, 256, 1664) frame tokens the paper model
#: trains on, so the full count would take about 20 GB of frames and 55 GB of tokens; the rehearsal of Part III
#: must run in minutes on two cores. Every per-sample shape is kept, and 72 + 20 clips still fill more than one
#: training batch of each stage and one evaluation batch of 20.
REHEARSAL_SUBSAMPLE = 60

PROFILES = {
    "smoke": CC2017SimConfig(n_train=48, n_test=16, size=32, n_voxels=(200, 180, 160), noise_sd=1.0),
    "embedded": CC2017SimConfig(),
    "paper": CC2017SimConfig(n_train=PAPER_COUNTS["n_train"], n_test=PAPER_COUNTS["n_test"], size=PAPER_SIZE,
                             n_voxels=PAPER_VOXELS),
    # the paper profile rehearsed (``neurokit book --profile paper --rehearse``): the real per-sample shapes (224-px
    # frames, 6 frames per clip at 3 fps, 2 / 10 repetitions, the real voxel counts of the 3 subjects), the clip
    # counts divided by REHEARSAL_SUBSAMPLE
    "rehearsal": CC2017SimConfig(n_train=PAPER_COUNTS["n_train"] // REHEARSAL_SUBSAMPLE,
                                 n_test=PAPER_COUNTS["n_test"] // REHEARSAL_SUBSAMPLE, size=PAPER_SIZE,
                                 n_voxels=PAPER_VOXELS),
}


def rehearsal_record(profile: str) -> dict | None:
    """What a ``rehearsal`` simulation changed from the paper's data (``None`` for the other presets): written into
    ``sim_config.json`` so that every consumer of the data can tell a rehearsal apart."""
    if profile != "rehearsal":
        return None
    cfg = PROFILES["rehearsal"]
    return {
        "rehearsal": True,
        "count_subsample_factor": REHEARSAL_SUBSAMPLE,
        "real_counts": dict(PAPER_COUNTS),
        "counts": {"n_train": cfg.n_train, "n_test": cfg.n_test},
        "shapes": "paper's per-sample shapes: 3 subjects with 13447 / 14828 / 9114 voxels, train fMRI (N, 2, V), "
                  "test fMRI (M, 10, V), clips of 6 frames at 3 fps, 3 x 224 x 224 px, key-object masks (N, 6, 224, "
                  "224)",
    }

N_FRAMES = 6
FPS = 3


def find_key_object(masks, object_classes, priority=PRIORITY_CLASSES, background=BACKGROUND_CLASSES):
    """NEURONS' rule-based key object (``tasks_construction/find_key_obj.py``).

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


def _pool(x, g):
    """Mean-pool the last two axes of ``x`` (..., H, W) to (..., g, g)."""
    *lead, H, W = x.shape
    return x.reshape(*lead, g, H // g, g, W // g).mean((-1, -3))


def _opponent(frames):
    """RGB (..., 3, H, W) in [0, 1] -> (luminance, red-green, blue-yellow) (..., 3, H, W)."""
    r, g, b = frames[..., 0, :, :], frames[..., 1, :, :], frames[..., 2, :, :]
    return np.stack([(r + g + b) / 3, r - g, b - (r + g) / 2], -3)


def palette_names() -> list[str]:
    """Every colour name the world's palettes use (sorted): the one-hot of the ``colour`` group."""
    return sorted({name for pals in _video._PALETTES.values() for name, _, _ in pals})


def palette_index(key_class: str, colour: str) -> int:
    """Index of ``colour`` among ``key_class``'s palettes (0–2; a class's colour names are distinct)."""
    return [name for name, _, _ in _video._PALETTES[key_class]].index(colour)


def motion_label(clip) -> str:
    """The caption's motion phrase as a label: ``"still"`` or the key object's direction."""
    return "still" if "stays still" in clip.caption else clip.direction_label


def clip_features(frames, key_mask, clip, colour_names) -> dict:
    """The feature groups of one clip (unnormalised), see the module docstring.

    Parameters
    ----------
    frames : ndarray of shape (F, 3, H, W), float in [0, 1]
    key_mask : ndarray of shape (F, H, W), uint8
        The key object's mask (NEURONS' rule).
    clip : neurokit.sim.video.Clip
    colour_names : sequence of str
        All colour names of the world (the one-hot of ``colour``).

    Returns
    -------
    dict
        Group name -> 1-D float array (image: (3, 8, 8) flattened channel-major; motion: 5 scalars then a 4×4 map).
    """
    F, _, H, W = frames.shape
    opp = _opponent(frames.mean(0))                                     # (3, H, W)
    image = _pool(opp, IMAGE_GRID).ravel()
    lum = frames.mean(1)                                                # (F, H, W)
    energy = _pool(np.abs(np.diff(lum, axis=0)).mean(0), MAP_GRID).ravel()
    m = key_mask.astype(float)
    yy, xx = np.mgrid[0:H, 0:W] / max(H, W)
    w = m.sum((1, 2)) + 1e-6
    cy, cx = (m * yy).sum((1, 2)) / w, (m * xx).sum((1, 2)) / w
    vel = [(cx[-1] - cx[0]) / (F - 1), (cy[-1] - cy[0]) / (F - 1)]
    speed = float(np.hypot(*vel))
    motion = np.concatenate([[vel[0], vel[1], speed, clip.camera_motion[0] / W, clip.camera_motion[1] / H], energy])
    colour = np.zeros(len(colour_names))
    colour[list(colour_names).index(clip.colour)] = 1
    present = {c for c in clip.object_classes[1:]}
    obj = np.concatenate([[2.0 * (clip.key_class == c) for c in CLASSES], [float(c in present) for c in CLASSES]])
    layout = np.concatenate([_pool(m.mean(0), MAP_GRID).ravel(), [cx.mean(), cy.mean(), m.mean()]])
    body = np.array([float("person" in present), float(clip.key_class == "person"), float("dog" in present),
                     float(clip.key_class == "dog")])
    face = np.array([float(clip.key_class == c) for c in ANIMATE_CLASSES] + [float(bool(present & set(ANIMATE_CLASSES)))])
    scene = np.array([float(clip.scene == s) for s in SCENES])
    return {"image": image, "motion": motion, "colour": colour, "object": obj, "layout": layout, "body": body,
            "face": face, "scene": scene}


def _group_weights(group, roi, n_feat, rng):
    """Read-out weights (n_feat,) of one voxel from one group (pRFs for image and the motion-energy map)."""
    if group == "image":
        g = IMAGE_GRID
        cy, cx = rng.uniform(-0.5, g - 0.5, 2)
        yy, xx = np.mgrid[0:g, 0:g]
        sigma = PRF_SIGMA.get(roi, 2.0)
        prf = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * sigma ** 2)).ravel()
        mix = rng.normal(size=3) * np.array([1.0, 0.7, 0.7])  # luminance-weighted opponent mix
        return np.outer(mix, prf).ravel()
    if group == "motion":
        g = MAP_GRID
        cy, cx = rng.uniform(-0.5, g - 0.5, 2)
        yy, xx = np.mgrid[0:g, 0:g]
        prf = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * 1.2 ** 2)).ravel()
        theta = rng.uniform(0, 2 * np.pi)  # preferred direction
        tuning = np.array([np.cos(theta), -np.sin(theta), rng.uniform(0.5, 1.0), 0.3 * rng.normal(), 0.3 * rng.normal()])
        return np.concatenate([tuning, prf])
    return rng.normal(size=n_feat)


def planted_importance(shares, groups) -> np.ndarray:
    """Planted importance of each voxel for a target that depends on ``groups``: the share of the voxel's signal
    variance that comes from those groups (0 for noise-only voxels).

    Parameters
    ----------
    shares : ndarray of shape (n_voxels, n_groups)
        ``sim_truth.pt``'s ``shares`` of one subject (columns in :data:`GROUPS` order).
    groups : sequence of str

    Returns
    -------
    ndarray of shape (n_voxels,)
    """
    bad = [g for g in groups if g not in GROUPS]
    if bad:
        raise UnknownNameError("feature group", bad[0], GROUPS)
    return np.asarray(shares)[:, [GROUPS.index(g) for g in groups]].sum(1)


def simulate_cc2017(root, profile: str = "embedded", seed: int = 0, config: CC2017SimConfig | None = None,
                    overwrite: bool = False) -> Path:
    """Simulate the cc2017 tensors under ``root`` (idempotent: an existing complete set is reused).

    Parameters
    ----------
    root : path-like
        Output folder (created).
    profile : {"smoke", "embedded", "paper", "rehearsal"}
        Size preset (see :data:`PROFILES`; ``rehearsal``: the paper's per-sample shapes, clip counts divided by
        :data:`REHEARSAL_SUBSAMPLE`, stated in ``sim_config.json``); ``config`` overrides it.
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
    stamp = {"config": asdict(config), "seed": int(seed), "version": SIM_VERSION,
             **({"rehearsal": rehearsal_record(profile)} if profile == "rehearsal" else {})}
    done = root / "sim_config.json"
    if done.exists() and not overwrite and json.loads(done.read_text()) == json.loads(json.dumps(stamp)):
        logger.info("cc2017 simulation already present in %s", root)
        return root

    def save(obj, name):
        # through a file object: given a path, torch.save names its archive after the (temporary) file, so the
        # bytes, and the checksums that key the world's models, would change from one simulation to the next
        with atomic_path(root / name) as tmp, open(tmp, "wb") as fh:
            torch.save(obj, fh)

    world = VideoWorldConfig(n_frames=N_FRAMES, size=config.size, fps=FPS, max_distractors=2)
    classes, scenes = list(CLASSES), list(SCENES)
    colour_names = palette_names()
    concept_names = classes + [f"scene:{s}" for s in scenes]
    atomic_write_json(root / "concept_names.json", concept_names)
    rng = np.random.default_rng([seed, 2017])
    feats = {}
    offset = {"train": 0, "test": 10_000_000}
    for split, n in (("train", config.n_train), ("test", config.n_test)):
        frames = np.zeros((n, N_FRAMES, 3, config.size, config.size), np.float32)
        kmasks = np.zeros((n, N_FRAMES, config.size, config.size), np.uint8)
        concepts = np.zeros((n, len(concept_names)), np.uint8)
        captions, info, labels, rows = [], {}, [], []
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
            labels.append({"key_class": clip.key_class, "colour": clip.colour,
                           "palette": palette_index(clip.key_class, clip.colour), "scene": clip.scene,
                           "motion": motion_label(clip)})
            rows.append(clip_features(frames[i], km, clip, colour_names))
        save(torch.from_numpy(frames), f"GT_{split}_3fps.pt")
        save(torch.from_numpy(kmasks), f"key_objects_masks_{split}.pt")
        save(torch.from_numpy(concepts), f"GT_{split}_concepts.pt")
        save(captions, f"GT_{split}_caption.pt")
        atomic_write_json(root / f"key_objects_info_{split}.json", info)
        atomic_write_json(root / f"sim_labels_{split}.json", labels)
        feats[split] = {g: np.stack([r[g] for r in rows]) for g in GROUPS}
    # standardise every feature on the training clips (constant features stay 0)
    stats = {g: (feats["train"][g].mean(0), feats["train"][g].std(0)) for g in GROUPS}
    z = {split: {g: np.where(stats[g][1] > 1e-8, (feats[split][g] - stats[g][0]) / np.maximum(stats[g][1], 1e-8), 0.0)
                 for g in GROUPS} for split in feats}
    truth = {"groups": list(GROUPS), "rois": list(ROIS), "noise_sd": float(config.noise_sd),
             "subtask_groups": {k: list(v) for k, v in SUBTASK_GROUPS.items()}}
    for s, V in enumerate(config.n_voxels, start=1):
        counts = {r: max(4, int(round(ROI_FRACTIONS[r] * V))) for r in ROIS}
        roi = np.full(V, "other", dtype=object)
        order = rng.permutation(V)  # ROI voxels scattered over the voxel vector, as a cortical mask flattens them
        start = 0
        for r in ROIS:
            roi[order[start:start + counts[r]]] = r
            start += counts[r]
        shares = np.zeros((V, len(GROUPS)), np.float32)
        signal = {split: np.zeros((len(z[split]["image"]), V)) for split in z}
        weights = {g: np.zeros((z["train"][g].shape[1], V), np.float32) for g in GROUPS}
        for v in range(V):
            for g, share in ROI_ROLES.get(roi[v], {}).items():
                w = _group_weights(g, roi[v], z["train"][g].shape[1], rng)
                sd = float(np.std(z["train"][g] @ w)) or 1.0
                w = w * np.sqrt(share) / sd          # this group gives ``share`` of unit variance on training clips
                weights[g][:, v] = w
                shares[v, GROUPS.index(g)] = share
                for split in z:
                    signal[split][:, v] += z[split][g] @ w
        for split, reps in (("train", 2), ("test", 10)):
            sig = signal[split].astype(np.float32)
            noise = rng.normal(scale=config.noise_sd, size=(len(sig), reps, V)).astype(np.float32)
            save(torch.from_numpy(sig[:, None, :] + noise), f"subj0{s}_{split}_fmri.pt")
        truth[f"subj0{s}"] = {
            "roi": [str(r) for r in roi], "shares": torch.from_numpy(shares),
            "W": {g: torch.from_numpy(weights[g]) for g in GROUPS},
            "signal_test": torch.from_numpy(signal["test"].astype(np.float32)),
        }
    truth["z_train"] = {g: torch.from_numpy(z["train"][g].astype(np.float32)) for g in GROUPS}
    truth["z_test"] = {g: torch.from_numpy(z["test"][g].astype(np.float32)) for g in GROUPS}
    save(truth, "sim_truth.pt")
    atomic_write_json(done, stamp)
    logger.info("simulated cc2017 (%s) in %s", profile, root)
    return root
