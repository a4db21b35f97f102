"""cc2017 video-fMRI (Wen et al. 2018) in the NEURONS tensor layout: :func:`neurokit.data.cc2017.load_cc2017` and
its simulation."""
from __future__ import annotations

from neurokit.catalog._base import Dataset
from neurokit.data.cc2017 import load_cc2017
from neurokit.sim import cc2017


def _simulate(root, profile, seed=0, data_home=None):
    cc2017.simulate_cc2017(root, profile, seed=seed)


DATASET = Dataset("cc2017", "cc2017 video-fMRI (Wen et al. 2018), NEURONS tensor layout", _simulate, load_cc2017,
                  cc2017.SIM_VERSION)
ensure, load, root, fingerprint = DATASET.ensure, DATASET.load, DATASET.root, DATASET.fingerprint
