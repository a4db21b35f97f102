"""Which feature layer feeds Vi-ST (the paper's Fig. 5b), with EfficientNet-Lite0 blocks as the stand-in.

The paper compares DINOv2 layers ``L − n`` as Vi-ST's input (the poster lists the figure without values). No
DINOv2 weights are available offline; the only real pretrained image weights here are ImageNet
EfficientNet-Lite0's, so its blocks stand in for DINOv2's layers, beside the pixel-patch tokens the other
analyses use (a transparent stand-in for DINOv2's linear patch embedding, i.e. "layer 0").

Frames enter at ``layer_input_size`` pixels (64 in the simulated profiles, the stimulus's own size, so that block
B1, stride 4, lands on the 16 × 16 token grid; 128 px would cost four times as much); each block's map is brought
to 16 × 16 by average pooling (finer maps) or nearest-neighbour repetition (coarser maps: B2 is 8 × 8, B3 4 × 4),
giving tokens (T, 256, channels) row-major on the grid. Unlike DINOv2, whose layers all keep the 16 × 16 patch
grid, a CNN's deeper blocks are also coarser, so depth and resolution change together here.
Vi-ST is trained on each with the headline recipe and scored within movie 1 and on movie 2 (``MOVIE03``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from neurokit._io import atomic_path, sha256_json
from neurokit.config import cache_home
from neurokit.studies.vist.experiment import WITHIN, Job, Movies, run_jobs
from neurokit.studies.vist.settings import ViSTSettings

__all__ = ["LayerResult", "EXTRACTOR", "block_tokens", "layer_features", "jobs", "run"]

EXTRACTOR = "efficientnet_lite0.in1k"
GRID = 16
FEATURES_VERSION = 1


@dataclass(frozen=True)
class LayerResult:
    """Vi-ST per input feature set: name, what it is, channels, training steps, CC within, CC on movie 2,
    signed r on movie 2, SD-KL on movie 2 (``table``); the movie-2 store (``store``)."""

    table: pd.DataFrame
    store: str
    runs: dict = field(repr=False)


@torch.no_grad()
def block_tokens(frames: np.ndarray, blocks, input_size: int = 64, batch: int = 32) -> dict:
    """EfficientNet-Lite0 (ImageNet, shipped weights) block outputs as 16 × 16 token grids.

    Parameters
    ----------
    frames : ndarray of shape (T, H, W), uint8
        Grey frames (repeated to 3 channels).
    blocks : sequence of str
        Block names of the layer map (``"B1"`` … ``"B4"``).
    input_size : int
        Frames are resized to this side before the network.
    batch : int
        Frames per forward pass.

    Returns
    -------
    dict of str → ndarray of shape (T, 256, channels), float32
    """
    from neurokit.features import create_extractor, sampling

    ex = create_extractor(EXTRACTOR, layers=list(blocks), spatial_pool="none", temporal_pool="none",
                          input_size=input_size, device="cpu")
    card = ex.card
    ex.model.to(memory_format=torch.channels_last)  # depthwise convs: 2x faster on CPU than NCHW (batch 32)
    out = {b: [] for b in blocks}
    f = np.asarray(frames)
    for i in range(0, len(f), batch):
        chunk = np.repeat(f[i : i + batch, :, :, None], 3, axis=-1)
        x = sampling.to_tensor(chunk, input_size, card.mean, card.std).contiguous(memory_format=torch.channels_last)
        feats = ex.extract_prepared((x,))
        n = len(chunk)
        for b in blocks:
            a = torch.from_numpy(feats[b]).reshape(n, -1)
            c = int(card.block_dims[b])
            side = int(round(np.sqrt(a.shape[1] / c)))
            if side * side * c != a.shape[1]:
                raise RuntimeError(f"block {b}: cannot read a square map from {a.shape[1]} values per frame.")
            m = a.reshape(n, c, side, side)
            if side > GRID:
                m = F.adaptive_avg_pool2d(m, GRID)
            elif side < GRID:
                m = F.interpolate(m, size=(GRID, GRID), mode="nearest")
            out[b].append(m.flatten(2).transpose(1, 2).numpy().astype(np.float32))
    # C order, as read back from the cache: reductions over a transposed layout sum in another order, and the
    # standardised features (and every run's cache key) would differ in the last bits
    return {b: np.ascontiguousarray(np.concatenate(v)) for b, v in out.items()}


def layer_features(train, cross: dict, blocks, input_size: int, stores=("MOVIE03",)) -> dict:
    """Block tokens of movie 1 (``train``) and of the cross stores named in ``stores`` (cached under
    ``cache_home()/vist/``): {block: {store: (T, 256, channels)}}."""
    wanted = [train.movie, *[s for s in stores if s in cross]]
    out = {b: {} for b in blocks}
    for st in wanted:
        d = train if st == train.movie else cross[st]
        key = sha256_json({"v": FEATURES_VERSION, "extractor": EXTRACTOR, "blocks": list(blocks), "size": input_size,
                           "frames": _frames_hash(d.stimulus), "torch": torch.__version__.split("+")[0]})[:20]
        path = cache_home() / "vist" / f"features-{key}.npz"
        if path.is_file():
            with np.load(path) as z:
                got = {b: z[b] for b in blocks}
        else:
            got = block_tokens(d.stimulus, blocks, input_size)
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path, suffix=".npz") as tmp:
                with open(tmp, "wb") as fh:
                    np.savez(fh, **got)
        for b in blocks:
            out[b][st] = got[b]
    return out


def _frames_hash(frames: np.ndarray) -> str:
    import hashlib

    a = np.ascontiguousarray(frames)
    return hashlib.sha256(str(a.shape).encode() + memoryview(a).cast("B").tobytes()).hexdigest()


def jobs(s: ViSTSettings, store: str = "MOVIE03") -> list[Job]:
    cfg = s.train_config()
    return [Job(f"vist on {b}", "vist", cfg, s.video_layers, s.video_dim, feature_set=b, tests=(store,))
            for b in s.layers]


def run(s: ViSTSettings, movies: Movies, runs: dict | None = None) -> LayerResult:
    """Vi-ST on each EfficientNet-Lite0 block (``movies.features`` must hold them: see :func:`layer_features`),
    beside the reference run on the pixel-patch tokens."""
    from neurokit.features import get_card
    from neurokit.features.cards import load_layer_map

    store = "MOVIE03" if "MOVIE03" in movies.cross else next(iter(movies.cross))
    todo = jobs(s, store)
    if runs is None or not all(j.key in runs for j in todo) or "vist" not in runs:
        from neurokit.studies.vist import generalisation

        runs = {**(runs or {}), **run_jobs([*generalisation.jobs(s)[:1], *todo], movies, n_jobs=s.n_jobs,
                                           threads=s.torch_threads)}
    lm = load_layer_map(get_card(EXTRACTOR).layer_map)["blocks"]
    rows = [{"input": "pixel-patch tokens", "what": str(movies.train.attrs.get("feature_extractor", "tokens")),
             "channels": int(movies.train.features.shape[-1]), "run": "vist"}]
    for b in s.layers:
        rows.append({"input": f"EfficientNet-Lite0 {b}", "what": lm[b]["what"] if b in lm else b,
                     "channels": int(movies.features[b][movies.train.movie].shape[-1]), "run": f"vist on {b}"})
    for row in rows:
        r = runs[row.pop("run")]
        row.update({"training steps": r.steps, "CC within": r.scores[WITHIN]["cc"], "CC cross": r.scores[store]["cc"],
                    "signed r cross": r.scores[store]["cc_signed"], "SD-KL cross": r.scores[store]["sdkl"]})
    return LayerResult(pd.DataFrame(rows).set_index("input"), store, runs)
