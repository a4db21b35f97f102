"""Every retina model of the book by name: Vi-ST, its ablations and the baselines.

>>> from neurokit.vist import zoo
>>> zoo.list_models()[:2]
['vist', 'vist_no_adaln']
"""
from __future__ import annotations

from neurokit.errors import UnknownNameError
from neurokit.vist import baselines, variants  # noqa: F401  (importing them registers their models)
from neurokit.vist.registry import MODELS, ModelEntry, ModelShape

__all__ = ["list_models", "get", "create", "ModelShape"]


def list_models(trainable: bool | None = None) -> list[str]:
    """Names of the registered models (all, or only the trainable / closed-form ones)."""
    return [n for n, e in MODELS.items() if trainable is None or e.trainable == trainable]


def get(name: str) -> ModelEntry:
    """The registry entry of ``name``; an unknown name lists the valid ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownNameError("retina model", name, MODELS) from None


def create(name: str, shape: ModelShape):
    """A new, untrained instance of model ``name`` for a problem of the given shape."""
    return get(name).build(shape)
