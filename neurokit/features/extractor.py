"""``create_extractor``: a model from the registry, ready to turn one clip into pooled block features."""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import torch

from neurokit.config import resolve_device
from neurokit.errors import InputError, UnknownNameError
from neurokit.features import hooks, pooling, sampling
from neurokit.features.builders import build_model
from neurokit.features._roster import get_card
from neurokit.features.cards import ModelCard, Sampling, load_layer_map
from neurokit.features.weights import (check_weights, embedded_source, load_paper_weights,
                                       paper_weights_path, verify_paper_file)

log = logging.getLogger(__name__)

# Bump when sampling, pooling, block maps or the random initialisation change what a configuration computes,
# so cached features from older code are not reused (the cache key includes it and the library versions).
FEATURES_VERSION = 1


def _code_versions() -> dict:
    import timm
    import torchvision

    return {"neurokit.features": FEATURES_VERSION, "torch": torch.__version__.split("+")[0],
            "torchvision": torchvision.__version__.split("+")[0], "timm": timm.__version__}


class Features(dict):
    """``{layer: ndarray}`` plus ``meta``: model, weights source (real or random-init), sampling, pooling."""

    def __init__(self, data=(), meta=None):
        super().__init__(data)
        self.meta = dict(meta or {})


class Extractor:
    """A built model with the hooks, sampling and pooling of one configuration. Make it with :func:`create_extractor`.

    Attributes
    ----------
    card : ModelCard
    layers : dict of str → str
        Requested block name → module path, in forward order.
    sampling : Sampling
        Frames, stride and crop size actually used (card default for the weights, plus overrides).
    weights_source : dict
        ``kind`` ("shipped", "random-init" or "pretrained"), ``sha256``, ``real`` (bool).
    """

    def __init__(self, card: ModelCard, model: torch.nn.Module, layers: dict, sampling_: Sampling,
                 spatial_pool: str, temporal_pool: str, device: torch.device, weights: str, weights_source: dict):
        self.card, self.model, self.layers = card, model, layers
        self.sampling, self.spatial_pool, self.temporal_pool = sampling_, spatial_pool, temporal_pool
        self.device, self.weights, self.weights_source = device, weights, weights_source
        lm = load_layer_map(card.layer_map)
        self._prefix = int(lm.get("prefix_tokens", 1))
        self._layouts = {b: card.layouts[b] for b in layers}

    def __repr__(self) -> str:
        s = self.sampling
        return (f"Extractor({self.card.name!r}, layers={list(self.layers)}, frames={s.n_frames}x{s.stride}, "
                f"size={s.size}, pool=({self.spatial_pool}, {self.temporal_pool}), "
                f"weights={self.weights_source['kind']})")

    # ---------------------------------------------------------------- configuration (cache keys, provenance)
    def config(self) -> dict:
        """Everything that determines the features besides the clip (used in cache keys)."""
        return {
            "model": self.card.name,
            "card_hash": self.card.card_hash,
            "layers": self.layers,
            "sampling": self.sampling.as_dict(),
            "spatial_pool": self.spatial_pool,
            "temporal_pool": self.temporal_pool,
            "weights": self.weights,
            "weights_sha256": self.weights_source["sha256"],
            "code": _code_versions(),
        }

    def meta(self) -> dict:
        return {**self.config(), "weights_source": self.weights_source,
                "substitute_for": self.card.substitute_for}

    # ---------------------------------------------------------------- input
    def frame_indices(self, n_total: int) -> tuple[np.ndarray, bool]:
        """Indices of the frames the model sees in a clip of ``n_total`` frames (see :func:`sampling.frame_indices`)."""
        s = self.sampling
        return sampling.frame_indices(n_total, s.n_frames, s.stride, self.card.modality)

    def prepare(self, clip) -> tuple:
        """uint8 clip (frames, H, W, 3) → the positional arguments of the model's forward."""
        clip = sampling.check_clip(clip, self.card.name, self.card.min_frames)
        idx, resampled = self.frame_indices(clip.shape[0])
        if resampled:
            log.debug("%s: clip of %d frames resampled to %d", self.card.name, clip.shape[0], len(idx))
        x = sampling.to_tensor(clip[idx], self.sampling.size, self.card.mean, self.card.std).to(self.device)
        kind = self.card.input_kind
        if kind == "frames":
            return (x,)
        x = x.permute(1, 0, 2, 3).unsqueeze(0)  # (1, 3, T, S, S)
        if kind == "clip":
            return (x,)
        alpha = self.card.builder_kwargs["alpha"]  # slowfast: slow pathway = every alpha-th fast frame
        t = x.shape[2]
        slow_idx = torch.linspace(0, t - 1, max(t // alpha, 1)).long().to(x.device)
        return ([x.index_select(2, slow_idx), x],)

    # ---------------------------------------------------------------- forward
    def _pool(self, name, out):
        grid = getattr(self.model, "token_grid", None)
        return pooling.pool(out, self._layouts[name], self.spatial_pool, self.temporal_pool,
                            prefix_tokens=self._prefix, grid=grid).cpu()

    def extract_prepared(self, args: tuple) -> dict[str, np.ndarray]:
        """Features from already-prepared input (one forward pass, cut short after the last requested layer)."""
        if self.card.input_kind == "slowfast":  # SlowFast mutates its input list in place
            args = (list(args[0]),)
        with torch.inference_mode(), hooks.capture(self.model, self.layers, self._pool) as store:
            hooks.run_captured(self.model, *args)
        missing = [n for n in self.layers if n not in store]
        if missing:
            raise RuntimeError(f"{self.card.name}: layers {missing} did not run in the forward pass; the layer map "
                               f"{self.card.layer_map}.json is wrong for this model")
        return {n: store[n].numpy() for n in self.layers}

    def extract(self, clip) -> Features:
        """Pooled features of every requested block for one clip.

        Parameters
        ----------
        clip : ndarray of uint8, shape (frames, height, width, 3)
            Any size: resized (short side) and centre-cropped to ``sampling.size``.

        Returns
        -------
        Features
            ``{block: ndarray of shape (n_features,)}`` (float32); ``n_features`` is ``card.block_dims[block]`` for
            mean/max pooling. ``.meta`` records the weights source and the sampling.
        """
        feats = self.extract_prepared(self.prepare(clip))
        n_total = np.asarray(clip).shape[0]
        _, resampled = self.frame_indices(n_total)
        return Features(feats, {**self.meta(), "resampled": bool(resampled), "n_input_frames": int(n_total)})

    def forward(self, args: tuple):
        """The bare forward pass (no hooks) on prepared input, for benchmarks."""
        if self.card.input_kind == "slowfast":
            args = (list(args[0]),)
        with torch.inference_mode():
            return self.model(*args)


def _select_layers(card: ModelCard, layers) -> dict[str, str]:
    if isinstance(layers, str):
        layers = card.block_names if layers == "blocks" else [layers]
    layers = list(layers)
    if not layers:
        raise InputError(f"no layers requested for {card.name}; pass layers='blocks' or some of {card.block_names}")
    for b in layers:
        if b not in card.layers:
            raise UnknownNameError(f"layer of {card.name}", b, card.block_names)
    order = card.block_names
    return {b: card.layers[b] for b in sorted(set(layers), key=order.index)}


def create_extractor(name: str, layers: str | Sequence[str] = "blocks", device=None, weights: str = "embedded",
                     spatial_pool: str = "mean", temporal_pool: str = "mean", input_size: int | None = None,
                     n_frames: int | None = None) -> Extractor:
    """Build the registered model ``name`` and return an :class:`Extractor`.

    Parameters
    ----------
    name : str
        A name from :func:`list_extractors`.
    layers : "blocks", str or list of str
        Block names (``"B1"`` …); ``"blocks"`` = all of the card's blocks.
    device : str or torch.device, optional
        Default: CUDA when available, else CPU.
    weights : {"embedded", "paper"}
        ``"embedded"``: shipped real weights (efficientnet-lite) or the card's seeded random initialisation.
        ``"paper"``: pretrained weights from the local hub caches, sha256-checked; missing → error.
    spatial_pool, temporal_pool : {"mean", "max", "none"}
    input_size : int, optional
        Crop size override (default: the card's sampling for these weights).
    n_frames : int, optional
        Frames override (video: clip length; image: most frames kept at the stride).

    Returns
    -------
    Extractor
    """
    card = get_card(name)
    check_weights(weights)
    for arg, val in (("spatial_pool", spatial_pool), ("temporal_pool", temporal_pool)):
        if val not in pooling.POOLS:
            raise InputError(f"{arg} must be one of {pooling.POOLS}, got {val!r}")
    chosen = _select_layers(card, layers)
    base = card.sampling(weights)
    size = int(input_size or base.size)
    frames = n_frames if n_frames is not None else base.n_frames
    if card.modality == "video" and (frames is None or frames < 1):
        raise InputError(f"n_frames must be a positive integer for the video model {name}, got {frames!r}")
    samp = Sampling(None if frames is None else int(frames), base.stride, size)
    dev = resolve_device(device)
    # refuse (missing or corrupt file, substitute model) before any expensive build
    path = paper_weights_path(card) if weights == "paper" else None
    source = verify_paper_file(card, path) if path is not None else embedded_source(card)
    build_frames = samp.n_frames or 1
    try:
        model = build_model(card, size, build_frames)
    except (RuntimeError, ValueError, AssertionError, ZeroDivisionError) as err:
        raise InputError(f"cannot build {name} for input {build_frames} frames x {size}px: {err}. Use the card's "
                         f"sampling ({base.n_frames} frames, {base.size}px) or another input_size/n_frames.") from err
    if path is not None:
        try:
            load_paper_weights(model, card, path)
        except RuntimeError as err:  # shape mismatches, e.g. positional embeddings built for another size
            from neurokit.errors import DataError

            raise DataError(f"{path.name} does not fit {name} built for {build_frames}x{size}: {err}. Use the "
                            "card's paper sampling (no input_size/n_frames override) with paper weights.") from err
    model = model.to(dev).eval()
    return Extractor(card, model, chosen, samp, spatial_pool, temporal_pool, dev, weights, source)
