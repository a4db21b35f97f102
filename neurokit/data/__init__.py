"""Data formats and loaders: the real on-disk layouts of the book's data sets, manifests and checksums.

The same loader reads the real files (``paper`` profile) and the simulated copy written in the same layout
(``smoke``, ``embedded``; ``neurokit data simulate`` writes them)::

    from neurokit.data import load_algonauts2021
    data = load_algonauts2021(root, subjects=["sub01"], rois=["V1", "EBA"])

This layer knows the formats only: where each data set lives, and how it is simulated, is the catalog's
business (one layer up).

Pickles are read through :mod:`neurokit.data.safe_pickle`.
"""
from __future__ import annotations

from neurokit.data.algonauts import AlgonautsData, load_algonauts2021
from neurokit.data.bold_moments import BoldMomentsData, load_bold_moments
from neurokit.data.cc2017 import load_cc2017
from neurokit.data.checksums import check_checksums, write_checksums
from neurokit.data.manifests import load_manifest
from neurokit.data.retina import RetinaData, load_retina
from neurokit.data.video import read_video

__all__ = ["AlgonautsData", "load_algonauts2021", "BoldMomentsData", "load_bold_moments", "load_cc2017",
           "RetinaData", "load_retina", "read_video", "load_manifest", "check_checksums", "write_checksums"]
