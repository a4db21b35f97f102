"""The catalog by name: every data set, looked up by its key (``"algonauts2021"``, ``"bold_moments"``,
``"vist_retina"``, ``"cc2017"``)."""
from __future__ import annotations

from pathlib import Path

from neurokit.catalog import algonauts2021, bold_moments, cc2017, retina
from neurokit.catalog._base import Dataset
from neurokit.errors import UnknownNameError

__all__ = ["DATASETS", "get", "dataset_root", "ensure", "fingerprint", "load"]

#: Every data set of the catalog, by name.
DATASETS: dict[str, Dataset] = {d.name: d for d in (algonauts2021.DATASET, bold_moments.DATASET, retina.DATASET,
                                                   cc2017.DATASET)}


def get(name: str) -> Dataset:
    """The :class:`~neurokit.catalog._base.Dataset` called ``name``; an unknown name lists the valid ones."""
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise UnknownNameError("data set", str(name), DATASETS) from None


def dataset_root(name: str, profile: str = "embedded", data_home=None, seed: int = 0) -> Path:
    """Where data set ``name`` lives for ``profile`` (see :meth:`Dataset.root`)."""
    return get(name).root(profile, data_home, seed)


def ensure(name: str, profile: str = "embedded", data_home=None, seed: int = 0, force: bool = False) -> Path:
    """:meth:`Dataset.ensure` of data set ``name``: its root, simulated first if needed."""
    return get(name).ensure(profile, data_home=data_home, seed=seed, force=force)


def fingerprint(name: str, profile: str = "embedded", data_home=None, seed: int = 0) -> str:
    """:meth:`Dataset.fingerprint` of data set ``name``."""
    return get(name).fingerprint(profile, data_home, seed)


def load(name: str, profile: str = "embedded", data_home=None, seed: int = 0, **kwargs):
    """:meth:`Dataset.load` of data set ``name``."""
    return get(name).load(profile, data_home=data_home, seed=seed, **kwargs)
