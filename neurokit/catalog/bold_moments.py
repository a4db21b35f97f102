"""BOLD Moments (version-B prepared betas): :func:`neurokit.data.bold_moments.load_bold_moments` and its simulation.

The simulated BOLD Moments set shares its world with the simulated Algonauts set of the same profile and seed;
when that one exists, its clips and features are reused instead of rendered again.
"""
from __future__ import annotations

from neurokit.catalog import algonauts2021
from neurokit.catalog._base import Dataset
from neurokit.data.bold_moments import load_bold_moments
from neurokit.sim import brain


def _simulate(root, profile, seed=0, data_home=None):
    # the simulators' "rehearsal" preset is the data of the paper profile rehearsed (its sibling's root is paper's)
    sibling = algonauts2021.root("paper" if profile == "rehearsal" else profile, data_home, seed)
    brain.simulate_bold_moments(root, profile, seed=seed, reuse_from=sibling if sibling.is_dir() else None)


DATASET = Dataset("bold_moments", "BOLD Moments Dataset (BMD)", _simulate, load_bold_moments, brain.SIM_VERSION)
ensure, load, root, fingerprint = DATASET.ensure, DATASET.load, DATASET.root, DATASET.fingerprint
