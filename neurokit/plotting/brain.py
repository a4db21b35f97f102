"""Brain figures for Part I with the templates nilearn ships (MNI152, fsaverage5); no parcellation is needed.

The Mini-Algonauts ROIs come as voxel lists, not coordinates, and nilearn ships no visual-area atlas, so the
ROIs are drawn as markers at **approximate, literature-typical MNI positions** (right hemisphere) chosen for
display only; every caption must say so.
"""
from __future__ import annotations

import numpy as np

from neurokit.errors import UnknownNameError
from neurokit.plotting import PAGE_WIDTH

#: Approximate right-hemisphere MNI coordinates (mm) for display; not derived from any subject's data.
ROI_DISPLAY_MNI = {
    "V1": (8, -90, 2), "V2": (14, -88, 10), "V3": (22, -88, 14), "V4": (30, -76, -10), "LOC": (42, -78, -4),
    "EBA": (48, -70, 4), "FFA": (40, -52, -18), "STS": (52, -44, 10), "PPA": (26, -44, -8),
}


def roi_coords(rois):
    """MNI display coordinates of ``rois``.

    Returns
    -------
    ndarray of shape (n_rois, 3)
    """
    missing = [r for r in rois if r not in ROI_DISPLAY_MNI]
    if missing:
        raise UnknownNameError("display ROI", missing[0], ROI_DISPLAY_MNI)
    return np.array([ROI_DISPLAY_MNI[r] for r in rois], dtype=float)


def plot_roi_values(values, title="", cmap="viridis", vmin=None, vmax=None, figure=None):
    """ROI markers on the MNI152 template, coloured by a value per ROI (e.g. the noise ceiling).

    Parameters
    ----------
    values : mapping of str to float
        ROI → value.
    title : str
    cmap : str
    vmin, vmax : float, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from nilearn import plotting

    rois = list(values)
    v = np.array([values[r] for r in rois], dtype=float)
    fig = figure or plt.figure(figsize=(PAGE_WIDTH, 2.6))
    coords = roi_coords(rois)
    display = plotting.plot_markers(v, coords, node_cmap=cmap, node_vmin=vmin, node_vmax=vmax, node_size=60,
                                    display_mode="ortho", title=title, figure=fig, colorbar=True)
    _label_nodes(display, coords, rois)
    return fig


def _label_nodes(display, coords, rois) -> None:
    """Write each ROI's name beside its marker in every view of an ortho display (x: sagittal, y: coronal,
    z: axial; each view plots two of the three MNI coordinates)."""
    views = {"x": (1, 2), "y": (0, 2), "z": (0, 1)}
    for key, axes in getattr(display, "axes", {}).items():
        if key not in views:
            continue
        i, j = views[key]
        for (c, name) in zip(coords, rois):
            axes.ax.annotate(name, (c[i], c[j]), xytext=(3, 3), textcoords="offset points", fontsize=5.5,
                             color="0.1", zorder=10)


def plot_region_graph(matrix, rois, title="", threshold=0.0, figure=None):
    """A directed region-coupling matrix drawn as a connectome on the MNI152 glass brain.

    Parameters
    ----------
    matrix : ndarray of shape (n_rois, n_rois)
        Rows target, columns source (drawn symmetrised: nilearn draws undirected edges).
    rois : sequence of str
    threshold : float
        Edges with weight ≤ threshold are hidden.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from nilearn import plotting

    m = np.asarray(matrix, dtype=float)
    sym = np.maximum(m, m.T)
    sym[sym <= threshold] = 0.0
    np.fill_diagonal(sym, 0.0)
    fig = figure or plt.figure(figsize=(PAGE_WIDTH, 2.6))
    coords = roi_coords(rois)
    display = plotting.plot_connectome(sym, coords, node_size=30, edge_cmap="viridis", edge_vmin=0,
                                       edge_vmax=max(sym.max(), 1e-9), title=title, figure=fig, colorbar=True,
                                       display_mode="ortho")
    _label_nodes(display, coords, rois)
    return fig
