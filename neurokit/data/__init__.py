"""Data sets: registry, simulation on demand, loaders for the real on-disk formats, manifests.

The same loader reads the real files (``paper`` profile) and the simulated copy written in the same
layout (``smoke``, ``embedded``)::

    from neurokit.data import ensure, load_algonauts2021
    root = ensure("algonauts2021", profile="embedded")      # simulates on first use
    data = load_algonauts2021(root, subjects=["sub01"], rois=["V1", "EBA"])

Loaders (imported on first use): :func:`load_algonauts2021`, :func:`load_bold_moments`,
:func:`load_retina`, :func:`load_cc2017`. Pickles are read through :mod:`neurokit.data.safe_pickle`.
"""
from __future__ import annotations

import importlib

from neurokit.data.registry import DATASETS, DatasetSpec, dataset_root, ensure, fingerprint, get_spec, load

_LAZY = {
    "load_algonauts2021": "neurokit.data.algonauts",
    "AlgonautsData": "neurokit.data.algonauts",
    "load_bold_moments": "neurokit.data.bold_moments",
    "BoldMomentsData": "neurokit.data.bold_moments",
    "load_retina": "neurokit.data.retina",
    "load_cc2017": "neurokit.data.cc2017",
    "read_video": "neurokit.data.video",
    "load_manifest": "neurokit.data.manifests",
}

__all__ = ["DATASETS", "DatasetSpec", "dataset_root", "ensure", "fingerprint", "get_spec", "load", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'neurokit.data' has no attribute {name!r}")
