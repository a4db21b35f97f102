"""Feature extraction: a registry of image and video DNNs with model cards, per-model block maps, one-pass
multi-layer extraction with hooks, a content-keyed on-disk feature cache, and patch-grid tokens for the retina.

>>> from neurokit.features import list_extractors, create_extractor
>>> ex = create_extractor("i3d_r50_8x8.k400", layers="blocks")   # doctest: +SKIP
>>> feats = ex.extract(clip)          # {"B1": (64,), …, "B7": (400,)}  # doctest: +SKIP

The forward pass runs in bfloat16 on CPUs with bfloat16 units and in float32 elsewhere (``precision="auto"``;
``"bf16"`` / ``"f32"`` force one): see :mod:`neurokit.features.precision` for what changes and the tolerances.
"""
from neurokit import _progress  # noqa: F401  (first import of tqdm.auto, without its notebook warning)
from neurokit.features._roster import get_card, list_extractors, roster_table
from neurokit.features.cache import extract_dataset
from neurokit.features.cards import FAMILY_RULE, ModelCard, Sampling
from neurokit.features.extractor import Extractor, Features, create_extractor

__all__ = [
    "list_extractors", "get_card", "roster_table", "ModelCard", "Sampling", "FAMILY_RULE",
    "create_extractor", "Extractor", "Features", "extract_dataset",
]
