"""Model cards: one frozen record per extractor, which is both the registry entry and its documentation.

A card says where the architecture comes from, how the paper's figures label it (the *family* labels),
how a clip is sampled for it, which modules are its blocks (the layer map, stored as JSON data in
``layer_maps/``), which weights each profile uses (with their sha256), the licence and the citation,
and, where the paper's model has no implementation in the installed packages, which model it
substitutes for.

Family rule (ours, stated in every video card): **a model is a video model when any operation before its
classifier mixes information across frames** (3D/(2+1)D convolutions, temporal pooling, temporal shift,
space-time attention). Image models see frames one at a time and their per-frame features are averaged.
By this rule C2D-R50 (2D convolutions but a temporal max-pool after ``res2``, trained on Kinetics clips) is a
*video* model, although some zoos (Net2Brain) tag it ``image-k400``.
"""
from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

from neurokit._io import sha256_json
from neurokit.errors import UnknownNameError

MODALITIES = ("image", "video")
ARCHITECTURES = ("convolutional", "transformer")
SUPERVISIONS = ("fully-supervised", "self-supervised")
STREAMS = ("single", "two")

FAMILY_RULE = (
    "video = any operation before the classifier mixes information across frames "
    "(3D/(2+1)D convolution, temporal pooling, temporal shift or space-time attention); "
    "image = frames processed independently, per-frame features averaged"
)


@dataclass(frozen=True)
class Sampling:
    """How a clip becomes model input.

    Attributes
    ----------
    n_frames : int or None
        Frames fed to the model. Video models: the clip length of their test-time sampling (the fast
        pathway for SlowFast). Image models: the most frames kept among those taken every ``stride``
        frames (``None`` keeps them all).
    stride : int
        Temporal stride in frames (paper: "sampling rate of eight" for image models).
    size : int
        Short side after resizing, then a centre crop of ``size`` x ``size`` pixels.
    """

    n_frames: int | None
    stride: int
    size: int

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ModelCard:
    """A registered feature extractor: architecture, family labels, sampling, layers, weights and provenance.

    See the module docstring for the family rule. ``layers`` maps block names (``B1`` … ``Bk``, the axes of
    the paper's figures) to module paths; ``block_dims`` gives each block's feature size after mean pooling
    over space and time (the default), so ``extract`` returns vectors of exactly these lengths.
    """

    name: str
    display_name: str
    source: str  # timm | pytorchvideo | torchvision | efficientnet_lite_pytorch | neurokit
    builder: str
    builder_kwargs: Mapping[str, Any]
    layer_map: str
    modality: str
    architecture: str
    supervision: str
    streams: str
    train_data: str
    num_classes: int
    paper_sampling: Sampling
    embedded_sampling: Sampling
    min_frames: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    input_kind: str  # frames | clip | slowfast
    temporal_handling: str
    embedded_weights: str  # "shipped" or "random-init"
    embedded_weights_sha256: str | None
    paper_weights: Mapping[str, Any]
    licence: str
    citation: str
    substitute_for: str | None = None
    in_paper: bool = False
    notes: str = ""
    layers: Mapping[str, str] = field(default_factory=dict)
    layouts: Mapping[str, str] = field(default_factory=dict)
    block_dims: Mapping[str, int] = field(default_factory=dict)

    @property
    def family(self) -> dict[str, str]:
        """The four family labels of the paper's figures plus the training data set."""
        return {
            "modality": self.modality,
            "architecture": self.architecture,
            "supervision": self.supervision,
            "streams": self.streams,
            "train_data": self.train_data,
        }

    @property
    def block_names(self) -> list[str]:
        return list(self.layers)

    def sampling(self, weights: str = "embedded") -> Sampling:
        """The default sampling of a profile's weights (``"embedded"`` or ``"paper"``)."""
        return self.paper_sampling if weights == "paper" else self.embedded_sampling

    def weights_label(self) -> str:
        """``"real (shipped)"``, ``"random-init"``, with ``"substitute"`` appended where relevant."""
        lab = "real (shipped)" if self.embedded_weights == "shipped" else "random-init"
        return lab + (" · substitute" if self.substitute_for else "")

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["family"] = self.family
        return d

    @functools.cached_property
    def card_hash(self) -> str:
        """Content hash of the whole card (changes when anything about the model changes); computed once per card,
        which is frozen (it is part of every clip's metadata)."""
        return sha256_json(self.as_dict())


# --------------------------------------------------------------------------------------------- layer maps
@lru_cache(maxsize=None)
def load_layer_map(name: str) -> dict:
    """The JSON layer map ``layer_maps/<name>.json``: ``{"blocks": {B: {"module", "layout", "what"}}, …}``."""
    root = resources.files("neurokit.features") / "layer_maps"
    path = root / f"{name}.json"
    if not path.is_file():
        valid = [p.name[:-5] for p in root.iterdir() if p.name.endswith(".json") and not p.name.startswith("_")]
        raise UnknownNameError("layer map", name, valid)
    return json.loads(path.read_text())
