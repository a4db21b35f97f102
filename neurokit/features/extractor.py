"""``create_extractor``: a model from the registry, ready to turn one clip into pooled block features."""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import torch

from neurokit.config import rehearsing, resolve_device
from neurokit.errors import DataError, InputError, UnknownNameError
from neurokit.features import hooks, pooling, precision as _precision, sampling
from neurokit.features.builders import build_model
from neurokit.features._roster import get_card
from neurokit.features.cards import ModelCard, Sampling, load_layer_map
from neurokit.features.weights import (REHEARSAL_WEIGHTS, check_weights, embedded_source, load_paper_weights,
                                       paper_weights_path, rehearsal_source, verify_paper_file)

log = logging.getLogger(__name__)

# Bump when sampling, pooling, block maps or the random initialisation change what a configuration computes,
# so cached features from older code are not reused (the cache key includes it and the library versions).
FEATURES_VERSION = 1

# Clips per forward pass in bf16 (see Extractor.default_batch_size): as many as fit in this many input pixels
# (frames x height x width), at most MAX_BATCH. At the embedded sizes (64 px) that is 16 clips of 4 or 8 frames
# and 12 SlowFast clips (16 + 4 frames); at the paper's sizes (224 px, 8 frames or more) one or two clips.
# Measured per clip, bf16, 64 px, 1 thread: X3D-XS 15.1 ms alone, 5.7 ms in 4s, 4.1 in 8s, 3.3 in 16s;
# SlowFast-R50 32.7 ms in 6s, 31.0 in 12s, 30.2 in 16s; ResNet-50 (4 frames a clip) 32.1, 18.3, 16.4, 16.1.
BATCH_PIXELS = 2 ** 20
MAX_BATCH = 16


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
    precision : {"bf16", "f32"}
        Of the forward pass (see :mod:`neurokit.features.precision`); features are float32 either way.
    memory_format : {"contiguous", "channels_last"}
        Layout of the model's weights and input (channels-last for convolutional models in bf16).
    """

    def __init__(self, card: ModelCard, model: torch.nn.Module, layers: dict, sampling_: Sampling,
                 spatial_pool: str, temporal_pool: str, device: torch.device, weights: str, weights_source: dict,
                 precision: str = "f32", memory_format: str = "contiguous"):
        self.card, self.model, self.layers = card, model, layers
        self.sampling, self.spatial_pool, self.temporal_pool = sampling_, spatial_pool, temporal_pool
        self.device, self.weights, self.weights_source = device, weights, weights_source
        self.precision, self.memory_format = precision, memory_format
        lm = load_layer_map(card.layer_map)
        self._prefix = int(lm.get("prefix_tokens", 1))
        self._layouts = {b: card.layouts[b] for b in layers}

    def __repr__(self) -> str:
        s = self.sampling
        return (f"Extractor({self.card.name!r}, layers={list(self.layers)}, frames={s.n_frames}x{s.stride}, "
                f"size={s.size}, pool=({self.spatial_pool}, {self.temporal_pool}), "
                f"weights={self.weights_source['kind']}, precision={self.precision})")

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
            "precision": self.precision,
            "memory_format": self.memory_format,
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

    def _frames(self, clip) -> torch.Tensor:
        """uint8 clip (frames, H, W, 3) → its sampled, resized, normalised frames (n, 3, size, size), float32."""
        clip = sampling.check_clip(clip, self.card.name, self.card.min_frames)
        idx, resampled = self.frame_indices(clip.shape[0])
        if resampled:
            log.debug("%s: clip of %d frames resampled to %d", self.card.name, clip.shape[0], len(idx))
        return sampling.to_tensor(clip[idx], self.sampling.size, self.card.mean, self.card.std).to(self.device)

    def _model_args(self, frames: list) -> tuple:
        """Sampled frames of one or more clips → the positional arguments of one forward pass, in the memory format.

        ``"frames"`` models get the frames of every clip concatenated along the batch axis; clip models a batch of
        ``(clips, 3, T, S, S)``; SlowFast the list ``[slow, fast]`` of such batches.
        """
        fmt = self.memory_format
        kind = self.card.input_kind
        if kind == "frames":
            x = frames[0] if len(frames) == 1 else torch.cat(frames)
            return (_precision.to_memory_format(x, fmt),)
        if len(frames) == 1:
            x = frames[0].permute(1, 0, 2, 3).unsqueeze(0)  # (1, 3, T, S, S)
        else:
            x = torch.stack([f.permute(1, 0, 2, 3) for f in frames])
        if kind == "clip":
            return (_precision.to_memory_format(x, fmt),)
        alpha = self.card.builder_kwargs["alpha"]  # slowfast: slow pathway = every alpha-th fast frame
        t = x.shape[2]
        slow_idx = torch.linspace(0, t - 1, max(t // alpha, 1)).long().to(x.device)
        return (_precision.to_memory_format([x.index_select(2, slow_idx), x], fmt),)

    def prepare(self, clip) -> tuple:
        """uint8 clip (frames, H, W, 3) → the positional arguments of the model's forward."""
        return self._model_args([self._frames(clip)])

    def prepare_batch(self, clips) -> tuple[tuple, list[tuple[int, int]]]:
        """Several uint8 clips → the arguments of one forward pass over all of them, and each clip's rows.

        Returns
        -------
        args : tuple
            Positional arguments of the model's forward.
        spans : list of (start, stop)
            Rows of the batch axis that belong to each clip (its frames for ``"frames"`` models, one row otherwise).
        """
        frames = [self._frames(c) for c in clips]
        if self.card.input_kind == "frames":
            stops = np.cumsum([f.shape[0] for f in frames]).tolist()
            spans = list(zip([0] + stops[:-1], stops))
        else:
            spans = [(i, i + 1) for i in range(len(frames))]
        return self._model_args(frames), spans

    def default_batch_size(self) -> int:
        """Clips per forward pass that :func:`extract_dataset` uses by default.

        bf16: as many clips as fit in ``BATCH_PIXELS`` input pixels (at most ``MAX_BATCH``); each clip's bf16
        features are the same bytes whatever the batch (see :meth:`extract_batch`), and batching is what keeps the
        small embedded inputs efficient. f32: one clip, the path the float32 features have always come from
        (float32 kernels change the last bits with the batch size, which would make cached features depend on how
        clips were grouped). Image models that keep every frame (``n_frames=None``) have no fixed size per clip and
        run one clip at a time.
        """
        s = self.sampling
        if self.precision == "f32" or s.n_frames is None:
            return 1
        frames = s.n_frames
        if self.card.input_kind == "slowfast":
            frames += max(s.n_frames // self.card.builder_kwargs["alpha"], 1)
        return int(max(1, min(MAX_BATCH, BATCH_PIXELS // (frames * s.size ** 2))))

    # ---------------------------------------------------------------- forward
    def _pool(self, name, out, spans):
        """One block's output → one float32 vector per clip (the rows of ``spans``; ``None``: a single clip)."""
        grid = getattr(self.model, "token_grid", None)
        parts = [out] if spans is None else [_rows(out, a, b) for a, b in spans]
        return [pooling.pool(p, self._layouts[name], self.spatial_pool, self.temporal_pool, prefix_tokens=self._prefix,
                             grid=grid).cpu() for p in parts]

    def _run(self, args: tuple, spans) -> list[dict[str, np.ndarray]]:
        if self.card.input_kind == "slowfast":  # SlowFast mutates its input list in place
            args = (list(args[0]),)
        if self.precision == "bf16" and _n_rows(args) == 1:
            # oneDNN multiplies a single row (a lone clip's pooled vector in a classifier head) with another
            # kernel than two or more, and the bf16 result can differ in the last bit; a duplicated row keeps
            # every clip's features the same bytes whatever the batch it runs in
            args = _precision.to_memory_format(_repeat_rows(args), self.memory_format)
            spans = spans or [(0, 1)]
        with (torch.inference_mode(), _precision.autocast(self.device, self.precision),
              hooks.capture(self.model, self.layers, lambda name, out: self._pool(name, out, spans)) as store):
            hooks.run_captured(self.model, *args)
        missing = [n for n in self.layers if n not in store]
        if missing:
            raise RuntimeError(f"{self.card.name}: layers {missing} did not run in the forward pass; the layer map "
                               f"{self.card.layer_map}.json is wrong for this model")
        n_clips = 1 if spans is None else len(spans)
        return [{n: store[n][i].numpy() for n in self.layers} for i in range(n_clips)]

    def extract_prepared(self, args: tuple, spans: list | None = None):
        """Features from already-prepared input (one forward pass, cut short after the last requested layer).

        Parameters
        ----------
        args : tuple
            From :meth:`prepare` (one clip) or :meth:`prepare_batch`.
        spans : list of (start, stop), optional
            From :meth:`prepare_batch`; then one dict per clip is returned.

        Returns
        -------
        dict of str → ndarray of shape (n_features,), float32, or a list of them (one per span)
        """
        out = self._run(args, spans)
        return out[0] if spans is None else out

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
            mean/max pooling. ``.meta`` records the weights source, the sampling and the precision.
        """
        feats = self.extract_prepared(self.prepare(clip))
        return Features(feats, self._clip_meta(clip))

    def extract_batch(self, clips) -> list[Features]:
        """:meth:`extract` of several clips in one forward pass (what :func:`extract_dataset` runs).

        In bf16 each clip's features are byte-identical to :meth:`extract` of that clip alone, whatever the other
        clips of the batch and its place in it: oneDNN's bf16 kernels compute the rows of a batch independently
        (checked for all 37 registered models at the embedded sizes with one thread, ten of them with two; the
        tests check six), and a batch of one row runs as two identical rows, because a single row takes another
        matrix-product kernel. Clips may have any length (video models sample each to ``n_frames``; image models
        may get different numbers of frames).

        Parameters
        ----------
        clips : sequence of ndarray of uint8, shape (frames, height, width, 3)

        Returns
        -------
        list of Features
            One per clip, as from :meth:`extract`.
        """
        clips = list(clips)
        if not clips:
            return []
        args, spans = self.prepare_batch(clips)
        feats = self.extract_prepared(args, spans)
        return [Features(f, self._clip_meta(c)) for f, c in zip(feats, clips)]

    def _clip_meta(self, clip) -> dict:
        n_total = np.asarray(clip).shape[0]
        _, resampled = self.frame_indices(n_total)
        return {**self.meta(), "resampled": bool(resampled), "n_input_frames": int(n_total)}

    def forward(self, args: tuple):
        """The bare forward pass (no hooks) on prepared input, in the extractor's precision, for benchmarks."""
        if self.card.input_kind == "slowfast":
            args = (list(args[0]),)
        with torch.inference_mode(), _precision.autocast(self.device, self.precision):
            return self.model(*args)


def _n_rows(args: tuple) -> int:
    x = args[0][0] if isinstance(args[0], list) else args[0]
    return int(x.shape[0])


def _repeat_rows(args: tuple) -> tuple:
    """The forward arguments with their single batch row duplicated (SlowFast: in both pathways)."""
    if isinstance(args[0], list):
        return ([torch.cat([x, x]) for x in args[0]],)
    return (torch.cat([args[0], args[0]]),)


def _rows(out, start: int, stop: int):
    """Rows ``start:stop`` of the batch axis of a block output (a tensor, or the tensors of a list/tuple)."""
    if isinstance(out, torch.Tensor):
        return out[start:stop]
    if isinstance(out, (list, tuple)):
        return type(out)(_rows(o, start, stop) for o in out)
    return out  # e.g. the [T, H, W] grid sizes MViT returns beside its tokens
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
                     n_frames: int | None = None, precision: str = "auto") -> Extractor:
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
        ``"paper"``: pretrained weights from the local hub caches, sha256-checked; missing → error, except in a
        rehearsal of the paper profile (:func:`neurokit.config.rehearsing`), where the card's random
        initialisation stands in, at the paper's sampling, labelled ``"random-init (rehearsal)"`` in
        :meth:`Extractor.config` (so in every cache key) and :meth:`Extractor.meta`.
    spatial_pool, temporal_pool : {"mean", "max", "none"}
    input_size : int, optional
        Crop size override (default: the card's sampling for these weights).
    n_frames : int, optional
        Frames override (video: clip length; image: most frames kept at the stride).
    precision : {"auto", "bf16", "f32"}
        Of the forward pass. ``"bf16"``: bfloat16 autocast, channels-last convolutional models, about 2-4x faster
        than float32 on CPUs with AVX512-BF16/AMX (``benchmarks/extraction.py``); features still float32, within
        the tolerances of :mod:`neurokit.features.precision` of the float32 ones. ``"f32"``: the float32 path.
        ``"auto"`` (default): bf16 where the device has bfloat16 units, f32 elsewhere. The resolved value is part
        of :meth:`Extractor.config`, so the cache never mixes the two.

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
    if precision != "auto" and precision not in _precision.PRECISIONS:
        raise InputError(f"precision must be 'auto' or one of {_precision.PRECISIONS}, got {precision!r}")
    base = card.sampling(weights)
    size = int(input_size or base.size)
    frames = n_frames if n_frames is not None else base.n_frames
    if card.modality == "video" and (frames is None or frames < 1):
        raise InputError(f"n_frames must be a positive integer for the video model {name}, got {frames!r}")
    samp = Sampling(None if frames is None else int(frames), base.stride, size)
    dev = resolve_device(device)
    # refuse (missing or corrupt file, substitute model) before any expensive build
    label = weights
    try:
        path = paper_weights_path(card) if weights == "paper" else None
    except DataError as err:
        if not rehearsing():
            raise
        path, label = None, REHEARSAL_WEIGHTS
        source = rehearsal_source(card, str(err))
        log.warning("rehearsal: %s runs with random init in place of its missing pretrained weights", name)
    else:
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
            raise DataError(f"{path.name} does not fit {name} built for {build_frames}x{size}: {err}. Use the "
                            "card's paper sampling (no input_size/n_frames override) with paper weights.") from err
    prec = _precision.resolve_precision(precision, dev)
    fmt = _precision.memory_format_for(card.architecture, prec)
    model = _precision.prepare_model(model.to(dev).eval(), prec, fmt)
    return Extractor(card, model, chosen, samp, spatial_pool, temporal_pool, dev, label, source, prec, fmt)
