"""The registry of retina models: Vi-ST, its ablations and the baselines, each registered where it is defined.

A model is created from its name and the shape of the problem, through the zoo (which imports every module that
registers one)::

    model = zoo.create("crnn", ModelShape(feat_dim=18, n_cells=24, size=64))

Every entry says what it reads (``"features"``: per-frame patch tokens (T, 256, D); ``"frames"``: the grey
stimulus (T, H, W)), whether it is trained by :func:`neurokit.vist.train.train` (a torch module) or fitted in
closed form (an estimator with ``fit(x, rates)`` and ``predict(x) -> (cells, T)``), and the loss options it
trains with. Adding a model is one file with one :func:`register` call (and its import in the zoo).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from neurokit.errors import InputError, UnknownNameError

__all__ = ["ModelShape", "ModelEntry", "MODELS", "register"]

INPUTS = ("features", "frames")


@dataclass(frozen=True)
class ModelShape:
    """The shape of a retina problem, from which every registered model is built.

    Attributes
    ----------
    feat_dim : int
        Feature channels D of the patch tokens.
    n_cells : int
    size : int
        Stimulus frame side (pixels).
    video_layers, video_dim : int
        Depth and width of the temporal convolutional stack (Vi-ST and the MS-TCN baselines).
    """

    feat_dim: int
    n_cells: int
    size: int = 64
    video_layers: int = 6
    video_dim: int = 256


@dataclass(frozen=True)
class ModelEntry:
    """One registered model.

    Attributes
    ----------
    name : str
    build : callable
        ``build(shape: ModelShape)`` → a torch module (``trainable``) or an unfitted estimator.
    inputs : {"features", "frames"}
    trainable : bool
        Trained by the Vi-ST training loop (True) or fitted in closed form (False).
    loss : dict
        Keyword arguments of :class:`~neurokit.vist.loss.ViSTLoss` (trainable models).
    description : str
    """

    name: str
    build: Callable = field(repr=False)
    inputs: str
    trainable: bool = True
    loss: dict = field(default_factory=dict)
    description: str = ""


#: Every registered model, by name, in registration order.
MODELS: dict[str, ModelEntry] = {}


def register(name: str, *, inputs: str, trainable: bool = True, loss: dict | None = None, description: str = ""):
    """Decorator registering a builder ``f(shape: ModelShape)`` under ``name``."""
    if inputs not in INPUTS:
        raise UnknownNameError("model input", inputs, INPUTS)

    def deco(build):
        if name in MODELS and MODELS[name].build is not build:
            raise InputError(f"a retina model called {name!r} is already registered; choose another name.")
        MODELS[name] = ModelEntry(name, build, inputs, trainable, dict(loss or {}), description)
        return build

    return deco
