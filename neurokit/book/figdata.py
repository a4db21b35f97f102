"""The data behind a figure: every plotted number of a matplotlib figure as a tidy table.

Each figure glued in a chapter is saved beside the executed notebook as CSV, and its page gets a
"data behind this figure" download link, so a reader can re-plot or check any figure without re-running it.
"""
from __future__ import annotations

import numpy as np


def figure_data(fig):
    """Return a tidy ``pandas.DataFrame`` of the numbers drawn in ``fig``.

    Columns: ``axes`` (panel title or index), ``artist`` (line, points, bar, image, mesh), ``label``,
    ``x``, ``y``, ``value``, ``row``, ``col``. Lines give their vertices, scatter plots their points (and colour
    values), bars their positions and heights, images and heat maps every cell.
    """
    import pandas as pd
    from matplotlib.collections import PathCollection, QuadMesh
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    rows: list[dict] = []
    for i, ax in enumerate(fig.axes):
        name = ax.get_title() or ax.get_ylabel() or f"axes {i}"
        for line in ax.get_lines():
            if not isinstance(line, Line2D):
                continue
            x, y = (np.asarray(a, dtype=float) for a in line.get_data())
            label = line.get_label()
            rows += [{"axes": name, "artist": "line", "label": label, "x": a, "y": b} for a, b in zip(x, y)]
        for coll in ax.collections:
            if isinstance(coll, QuadMesh):
                arr = np.asarray(coll.get_array())
                if arr.ndim == 1:  # flattened mesh: recover the grid from the coordinates
                    coords = coll.get_coordinates()
                    arr = arr.reshape(coords.shape[0] - 1, coords.shape[1] - 1)
                rows += [{"axes": name, "artist": "mesh", "label": coll.get_label(), "row": r, "col": c,
                          "value": float(v)} for (r, c), v in np.ndenumerate(arr)]
            elif isinstance(coll, PathCollection):
                pts = np.asarray(coll.get_offsets(), dtype=float)
                vals = coll.get_array()
                for k, (a, b) in enumerate(pts):
                    rows.append({"axes": name, "artist": "points", "label": coll.get_label(), "x": a, "y": b,
                                 "value": float(vals[k]) if vals is not None and k < len(vals) else np.nan})
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_height() != 0 and patch.get_visible():
                rows.append({"axes": name, "artist": "bar", "label": patch.get_label(),
                             "x": patch.get_x() + patch.get_width() / 2, "y": patch.get_height(),
                             "value": patch.get_width()})
        for im in ax.images:
            if isinstance(im, AxesImage):
                arr = np.asarray(im.get_array())
                if arr.ndim == 2:
                    rows += [{"axes": name, "artist": "image", "label": im.get_label(), "row": r, "col": c,
                              "value": float(v)} for (r, c), v in np.ndenumerate(arr)]
                else:  # RGB pictures: record their size only
                    rows.append({"axes": name, "artist": "picture", "label": im.get_label(),
                                 "row": arr.shape[0], "col": arr.shape[1]})
        for text in ax.texts:
            rows.append({"axes": name, "artist": "text", "label": text.get_text(),
                         "x": text.get_position()[0], "y": text.get_position()[1]})
    cols = ["axes", "artist", "label", "x", "y", "value", "row", "col"]
    return pd.DataFrame(rows, columns=cols)
