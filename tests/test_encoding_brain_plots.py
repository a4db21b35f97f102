"""nilearn ROI figures with the shipped MNI152 template (offline)."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from neurokit.errors import UnknownNameError
from neurokit.plotting.brain import ROI_DISPLAY_MNI, plot_region_graph, plot_roi_values, roi_coords


def test_roi_figures_render():
    rois = list(ROI_DISPLAY_MNI)
    fig = plot_roi_values({r: i / 9 for i, r in enumerate(rois)}, title="nc")
    assert fig.axes
    m = np.zeros((9, 9))
    m[1, 0] = 0.5
    assert plot_region_graph(m, rois).axes
    with pytest.raises(UnknownNameError):
        roi_coords(["MT"])
