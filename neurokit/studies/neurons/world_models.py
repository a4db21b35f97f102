"""The models a simulated cc2017 world needs besides NEURONS itself, trained on its training clips: the video
generator (:mod:`neurokit.neurons.generator`) and the two semantic judges (:mod:`neurokit.neurons.judge`).

Training them takes minutes of CPU, more than the book's time budget, so the embedded profile **ships** them:
``assets/world_models-embedded.safetensors`` (float16), listed with its sha256, the settings and the training data's
hashes in ``assets/world_models.json``. ``scripts/train_neurons_world_models.py`` regenerates the file bit for bit
(single-threaded, seeded; a slow test checks the hash). :func:`load` uses the shipped file when its key (settings
plus the hashes of the training split) matches the world at hand, else a content-keyed copy under
``cache_home()/neurons/``, else trains (the smoke profile always trains its tiny versions, in seconds).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from neurokit._io import atomic_path, atomic_write_json, sha256_file, sha256_json
from neurokit.config import cache_home
from neurokit.data.cc2017 import load_cc2017
from neurokit.errors import DataError, InputError
from neurokit.neurons import generator as G
from neurokit.neurons import judge as J
from neurokit.neurons.text import embed_captions
from neurokit.sim.cc2017 import MOTION_LABELS
from neurokit.sim.video import CLASSES, SCENES
from neurokit.studies.neurons.settings import WorldModelSettings

logger = logging.getLogger(__name__)

__all__ = ["WorldModels", "load", "train", "world_key", "write_assets", "prompt", "FRAME_FACTORS", "VIDEO_FACTORS",
           "factor_labels", "ASSETS", "MANIFEST"]

ASSETS = Path(__file__).parent / "assets"
MANIFEST = ASSETS / "world_models.json"
VERSION = 2

#: The world's categories, factor by factor (frame judge; the video judge adds motion).
FRAME_FACTORS = J.JudgeFactors((("key_class", len(CLASSES)), ("palette", 3), ("scene", len(SCENES))))
VIDEO_FACTORS = J.JudgeFactors(FRAME_FACTORS.sizes + (("motion", len(MOTION_LABELS)),))
_TRAIN_FILES = ("GT_train_3fps.pt", "GT_train_caption.pt", "sim_labels_train.json", "key_objects_info_train.json")


def prompt(caption: str, concept: str | None = None) -> str:
    """The generator's prompt: the caption, with the concept appended as NEURONS appends it (``caption, concept``)."""
    return f"{caption}, {concept}" if concept else caption


def factor_labels(labels, factors: J.JudgeFactors) -> np.ndarray:
    """World labels (``CC2017Data.*_labels``) → int array (n, n_factors) in the order of ``factors``."""
    maps = {"key_class": lambda d: CLASSES.index(d["key_class"]), "palette": lambda d: int(d["palette"]),
            "scene": lambda d: SCENES.index(d["scene"]), "motion": lambda d: MOTION_LABELS.index(d["motion"])}
    return np.array([[maps[n](d) for n in factors.names] for d in labels], dtype=np.int64)


@dataclass
class WorldModels:
    """The generator and the judges of one world.

    Attributes
    ----------
    generator : neurokit.neurons.generator.LatentVideoGenerator
    frame_judge : neurokit.neurons.judge.FrameJudge
    video_judge : neurokit.neurons.judge.VideoJudge
    settings : WorldModelSettings
    key : str
        Content key (settings + training data).
    source : {"shipped", "cache", "trained"}
    seconds : float
        Training time (0 when loaded).
    """

    generator: G.LatentVideoGenerator
    frame_judge: J.FrameJudge
    video_judge: J.VideoJudge
    settings: WorldModelSettings
    key: str
    source: str
    seconds: float = 0.0

    def state_dict(self) -> dict:
        out = {}
        for name, m in (("generator", self.generator), ("frame_judge", self.frame_judge),
                        ("video_judge", self.video_judge)):
            out.update({f"{name}.{k}": v for k, v in m.state_dict().items()})
        return out


def _data_hashes(root: Path) -> dict:
    sums = root / "checksums.json"
    table = json.loads(sums.read_text()) if sums.exists() else {}
    files = table.get("files", table) if isinstance(table, dict) else {}
    out = {}
    for name in _TRAIN_FILES:
        entry = files.get(name)
        digest = entry.get("sha256") if isinstance(entry, dict) else entry
        out[name] = digest if isinstance(digest, str) else sha256_file(root / name)
    return out


def world_key(root, settings: WorldModelSettings) -> str:
    """Content key of the world models for the data in ``root``: the settings, the hashes of the training split's
    frames, captions and labels, and the frame size."""
    root = Path(root)
    frame_size = int(torch.load(root / "GT_test_3fps.pt", weights_only=True).shape[-1])
    return sha256_json({"settings": settings.key(), "data": _data_hashes(root), "frame_size": frame_size,
                        "version": VERSION})[:20]


def _build(settings: WorldModelSettings, frame_size: int):
    cond_dim = 384 if settings.text_method == "minilm" else 64
    cfg = G.GeneratorConfig(frame_size=frame_size, ae_channels=tuple(settings.ae_channels),
                            unet_channels=tuple(settings.unet_channels), cond_dim=cond_dim)
    torch.manual_seed(settings.seed)
    gen = G.LatentVideoGenerator(cfg)
    fj = J.FrameJudge(FRAME_FACTORS, width=settings.judge_width)
    vj = J.VideoJudge(VIDEO_FACTORS, width=settings.judge_width)
    return gen, fj, vj


def train(root, settings: WorldModelSettings, progress: bool = False) -> WorldModels:
    """Train the generator and both judges on the training split of the cc2017 folder ``root`` (subject 1's
    files hold the frames, captions and labels every subject shares).

    The generator's conditions: for each training frame, the text embedding of its clip's caption, or (half of
    the frames, drawn with the seed) of the caption with the key object's class appended, the two prompt forms
    the reconstruction uses (a decoded semantic embedding, and NEURONS' caption + concept)."""
    root = Path(root)
    data = load_cc2017(root, 1)
    if data.train_labels is None:
        raise DataError(f"{root} has no sim_labels_train.json: the world models train on a simulated world's labels.")
    t0 = time.perf_counter()
    gen, fj, vj = _build(settings, data.frame_size)
    dim = gen.config.cond_dim
    caps = list(data.train_captions)
    keys = [d["key_class"] for d in data.train_labels]
    e_cap = embed_captions(caps, settings.text_method, dim)
    e_con = embed_captions([prompt(c, k) for c, k in zip(caps, keys)], settings.text_method, dim)
    n, f = data.train_frames.shape[:2]
    rng = np.random.default_rng(settings.seed)
    use_concept = rng.random((n, f)) < 0.5
    cond = np.where(use_concept[..., None], e_con[:, None], e_cap[:, None]).reshape(n * f, dim)
    frames = torch.from_numpy(data.train_frames).flatten(0, 1)
    G.train_autoencoder(gen, frames, steps=settings.ae_steps, batch_size=settings.ae_batch, lr=settings.ae_lr,
                        seed=settings.seed, progress=progress)
    G.train_denoiser(gen, frames, torch.from_numpy(cond), steps=settings.denoiser_steps,
                     batch_size=settings.denoiser_batch, lr=settings.denoiser_lr, cond_drop=settings.cond_drop,
                     seed=settings.seed, progress=progress)
    yv = factor_labels(data.train_labels, VIDEO_FACTORS)
    J.train_judge(fj, frames, np.repeat(yv[:, :3], f, 0), epochs=settings.judge_frame_epochs, lr=settings.judge_lr,
                  seed=settings.seed, progress=progress)
    J.train_judge(vj, torch.from_numpy(data.train_frames), yv, epochs=settings.judge_video_epochs,
                  lr=settings.judge_lr, seed=settings.seed, progress=progress)
    return WorldModels(gen, fj, vj, settings, world_key(root, settings), "trained", time.perf_counter() - t0)


def _save(models: WorldModels, path: Path) -> None:
    from safetensors.torch import save_file

    state = {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in models.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        # one metadata entry: safetensors writes its metadata map in no fixed order, which would change the bytes
        save_file(state, str(tmp), metadata={"neurokit": f"world models, float16, key {models.key}"})


def _restore(path: Path, settings: WorldModelSettings, frame_size: int, key: str, source: str) -> WorldModels:
    from safetensors.torch import load_file

    state = load_file(str(path))
    gen, fj, vj = _build(settings, frame_size)
    for name, m in (("generator", gen), ("frame_judge", fj), ("video_judge", vj)):
        own = {k[len(name) + 1:]: v for k, v in state.items() if k.startswith(name + ".")}
        ref = m.state_dict()
        m.load_state_dict({k: v.to(ref[k].dtype) for k, v in own.items()})
        m.eval()
    return WorldModels(gen, fj, vj, settings, key, source)


def write_assets(models: WorldModels, root, profile: str = "embedded", manifest: Path = MANIFEST) -> dict:
    """Write the models as the shipped file of ``profile`` and record it in the manifest with the hashes of the
    training data in ``root`` (the regeneration script's last step). Returns the manifest entry."""
    path = manifest.parent / f"world_models-{profile}.safetensors"
    _save(models, path)
    entry = {"file": path.name, "sha256": sha256_file(path), "bytes": path.stat().st_size, "key": models.key,
             "settings": models.settings.key(), "data": _data_hashes(Path(root)), "version": VERSION}
    table = json.loads(manifest.read_text()) if manifest.exists() else {}
    table[profile] = entry
    atomic_write_json(manifest, table)
    return entry


def load(root, settings: WorldModelSettings, profile: str = "embedded", allow_training: bool = True,
         progress: bool = False) -> WorldModels:
    """The world models for the cc2017 folder ``root``: shipped, cached or trained (see the module docstring).

    Raises
    ------
    DataError
        A shipped file whose sha256 differs from the manifest, or no match and ``allow_training=False``.
    """
    root = Path(root)
    key = world_key(root, settings)
    frame_size = int(torch.load(root / "GT_test_3fps.pt", weights_only=True).shape[-1])
    table = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    entry = table.get(profile)
    if entry and entry.get("key") == key:
        path = MANIFEST.parent / entry["file"]
        got = sha256_file(path) if path.exists() else None
        if got != entry["sha256"]:
            raise DataError(f"{path} has sha256 {got}, the manifest {MANIFEST} says {entry['sha256']}; restore the "
                            "file from the repository or regenerate it with scripts/train_neurons_world_models.py.")
        return _restore(path, settings, frame_size, key, "shipped")
    cached = cache_home() / "neurons" / f"world-models-{key}.safetensors"
    if cached.exists():
        return _restore(cached, settings, frame_size, key, "cache")
    if not allow_training:
        raise DataError(f"no world models for key {key} (shipped: {entry.get('key') if entry else None}); "
                        "train them with scripts/train_neurons_world_models.py.")
    if profile == "embedded":
        logger.warning("the shipped world models do not match this world (key %s vs %s); training them here, which "
                       "takes minutes", key, entry.get("key") if entry else None)
    models = train(root, settings, progress=progress)
    _save(models, cached)
    restored = _restore(cached, settings, frame_size, key, "trained")  # the float16 copy, as a shipped file is used
    restored.seconds = models.seconds
    return restored


def check_manifest(profile: str = "embedded") -> dict:
    """The manifest entry of ``profile`` (raises InputError when there is none)."""
    table = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    if profile not in table:
        raise InputError(f"{MANIFEST} has no entry for profile {profile!r}; entries: {sorted(table)}.")
    return table[profile]
