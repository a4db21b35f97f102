"""Algonauts 2021 (mini and full track): :func:`neurokit.data.algonauts.load_algonauts2021` and its simulation."""
from __future__ import annotations

from neurokit.catalog._base import Dataset
from neurokit.data.algonauts import load_algonauts2021
from neurokit.sim import brain


def _simulate(root, profile, seed=0, data_home=None):
    brain.simulate_algonauts2021(root, profile, seed=seed)


DATASET = Dataset("algonauts2021", "Algonauts 2021 challenge (mini and full track)", _simulate,
                  load_algonauts2021, brain.SIM_VERSION)
ensure, load, root, fingerprint = DATASET.ensure, DATASET.load, DATASET.root, DATASET.fingerprint
