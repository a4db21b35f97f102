"""The Vi-ST retina recordings (salamander RGCs, two natural movies): :func:`neurokit.data.retina.load_retina` and
its simulation."""
from __future__ import annotations

from neurokit.catalog._base import Dataset
from neurokit.data.retina import load_retina
from neurokit.sim import retina


def _simulate(root, profile, seed=0, data_home=None):
    retina.simulate_retina(root, profile, seed=seed)


DATASET = Dataset("vist_retina", "Salamander retina natural movies (Onken et al. 2017), Vi-ST layout", _simulate,
                  load_retina, retina.SIM_VERSION)
ensure, load, root, fingerprint = DATASET.ensure, DATASET.load, DATASET.root, DATASET.fingerprint
