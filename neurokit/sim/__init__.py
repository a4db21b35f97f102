"""Simulated worlds with known ground truth, written in the real data sets' on-disk formats.

Submodules (imported on first use, so ``import neurokit.sim`` stays light):

``neurokit.sim.video``
    procedural video world (textured objects of known classes, masks, captions) and MP4 writing.
``neurokit.sim.brain``
    simulated fMRI (9 ROIs, static and motion features, HRF, planted connectivity, repeat noise) in the
    Mini-Algonauts 2021 and BOLD Moments layouts.
``neurokit.sim.retina``
    simulated retinal ganglion cells in the Vi-ST layout.
``neurokit.sim.cc2017``
    simulated cc2017-like video fMRI for the NEURONS pipeline.
"""
from __future__ import annotations

import importlib

__all__ = ["video", "brain", "retina", "cc2017"]


def __getattr__(name: str):
    if name in __all__:
        module = importlib.import_module(f"neurokit.sim.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'neurokit.sim' has no attribute {name!r}")
