"""Progress bars for the whole package: tqdm's notebook bar where ipywidgets is installed, its text bar elsewhere.

``tqdm.auto`` warns ("IProgress not found") at import in a Jupyter kernel without ipywidgets, and that warning
then appears on every executed chapter page. The fallback it announces is the text bar, which is what the book
wants, so the warning is silenced here, once, and every module imports :data:`tqdm` from this one place.
"""
from __future__ import annotations

import warnings

from tqdm.std import TqdmWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm

__all__ = ["tqdm"]
