"""The book: running chapters (papermill + jupytext), staleness, provenance, and helpers for notebooks.

Notebook-side helpers (used inside chapters):

- :func:`glue` glues a value for the page (myst-nb) **and** records it in the chapter's result JSON,
  so every number in the prose comes from the run and is kept in the provenance.
- :func:`data_label` is the phrase every figure caption carries ("simulated data, embedded profile").
"""
from __future__ import annotations

from neurokit import _progress  # noqa: F401  (first import of tqdm.auto, without its notebook warning)
from neurokit.book._glue import data_label, glue, glue_profile, is_simulated

__all__ = ["glue", "glue_profile", "data_label", "is_simulated"]
