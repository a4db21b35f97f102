"""Glue values into the page and into the chapter's result record."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from neurokit._io import atomic_write_json, atomic_write_text
from neurokit.config import rehearsing
from neurokit.book.figdata import figure_data

RESULTS_ENV = "NEUROKIT_RESULTS_FILE"
FIGDATA_ENV = "NEUROKIT_FIGDATA_DIR"


def is_simulated(profile: str) -> bool:
    """True for the profiles that run on simulated data (``smoke``, ``embedded``, and a rehearsal of ``paper``)."""
    return profile != "paper" or rehearsing()


def data_label(profile: str) -> str:
    """Caption phrase naming the data behind a figure, e.g. ``"simulated data, embedded profile"``."""
    if profile == "paper" and rehearsing():
        return ("REHEARSAL of the paper profile: simulated data at the paper's shapes, random weights, minimal "
                "repetitions (no result)")
    kind = "simulated data with known ground truth" if is_simulated(profile) else "real data"
    return f"{kind}, {profile} profile"


def _to_record(value: Any):
    """A JSON-safe version of ``value`` for the result record, or ``None`` for figures and tables."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if np is not None and isinstance(value, np.generic):
        return _to_record(value.item())
    if np is not None and isinstance(value, np.ndarray) and value.size <= 1000:
        return [_to_record(v) for v in value.ravel().tolist()]
    if isinstance(value, (list, tuple)) and len(value) <= 1000:
        return [_to_record(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_record(v) for k, v in value.items()}
    try:  # pandas DataFrame → records
        import pandas as pd

        if isinstance(value, pd.DataFrame) and value.size <= 5000:
            return json.loads(value.to_json(orient="split", double_precision=10))
    except ImportError:  # pragma: no cover
        pass
    return None


def record(name: str, value: Any) -> None:
    """Add ``name: value`` to the chapter's result JSON (when run by the book runner)."""
    path = os.environ.get(RESULTS_ENV)
    rec = _to_record(value)
    if not path or rec is None:
        return

    p = Path(path)
    data = json.loads(p.read_text()) if p.exists() else {}
    data[name] = rec
    atomic_write_json(p, data)


def save_figure_data(name: str, fig, data=None) -> None:
    """Write the data behind figure ``name`` as CSV (when run by the book runner)."""
    out = os.environ.get(FIGDATA_ENV)
    if not out:
        return

    table = data if data is not None else figure_data(fig)
    index = data is not None and not isinstance(table.index, __import__("pandas").RangeIndex)
    atomic_write_text(Path(out) / f"{name}.csv", table.to_csv(index=index))


def glue(name: str, value: Any, display: bool = False, data=None) -> None:
    """Glue ``value`` under ``name`` for ``{glue:text}``/``{glue:figure}`` and record it.

    Figures are rendered to PNG, closed (so they are not shown twice), and the numbers they draw are saved as
    CSV for the page's download link (``data``, a DataFrame, replaces the automatic extraction). Returns None,
    so a ``glue(...)`` call that ends a cell prints nothing.
    """
    try:
        from myst_nb import glue as _glue
    except ImportError:  # outside a notebook environment: only record
        _glue = None
    shown = value
    try:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        if isinstance(value, Figure):
            # render explicitly, so the page gets the image whatever matplotlib backend the kernel runs
            import io

            from IPython.display import Image

            save_figure_data(name, value, data)
            buf = io.BytesIO()
            value.savefig(buf, format="png", dpi=150, bbox_inches="tight")
            plt.close(value)
            shown = Image(data=buf.getvalue(), format="png")
    except ImportError:  # pragma: no cover
        pass
    try:  # a glued table is its own data: offer it as CSV like a figure's numbers
        import pandas as pd

        if isinstance(value, pd.DataFrame):
            save_figure_data(name, None, data=value)
    except ImportError:  # pragma: no cover
        pass
    if _glue is not None:
        _glue(name, shown, display=display)
    record(name, value)


def glue_profile(profile: str) -> str:
    """Glue ``data_label`` and ``profile`` for captions; return the label."""
    label = data_label(profile)
    glue("data_label", label)
    glue("profile", profile)
    return label
