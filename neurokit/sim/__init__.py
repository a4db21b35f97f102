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
``neurokit.sim.regions``
    small worlds of coupled regions with a planted inter-region matrix.
"""
from __future__ import annotations

from neurokit._lazy import lazy_submodules

__all__ = ["video", "brain", "retina", "cc2017", "regions"]


__getattr__ = lazy_submodules(__name__, __all__)
