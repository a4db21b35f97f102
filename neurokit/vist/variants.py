"""Vi-ST and the ablations of the paper's table, as registered models (:mod:`neurokit.vist.registry`)."""
from __future__ import annotations

from neurokit.vist.model import ViST
from neurokit.vist.registry import register


def _vist(shape, **kwargs):
    return ViST(video_layers=shape.video_layers, video_dim=shape.video_dim, feat_dim=shape.feat_dim,
                n_cells=shape.n_cells, **kwargs)


@register("vist", inputs="features", description="Vi-ST: RF-conditioned causal dilated 3-D TCN with CMST blocks")
def _build_vist(shape):
    return _vist(shape)


@register("vist_no_adaln", inputs="features", description="Vi-ST without AdaLN-Zero RF conditioning")
def _build_vist_no_adaln(shape):
    return _vist(shape, use_adaln=False)


@register("vist_no_cmst", inputs="features", description="Vi-ST with single-scale (1-frame) CMST windows")
def _build_vist_no_cmst(shape):
    return _vist(shape, cmst_windows=[[1]] * 4)


@register("vist_no_sdtw", inputs="features", loss={"use_sdtw": False},
          description="Vi-ST trained without the soft-DTW term of the loss")
def _build_vist_no_sdtw(shape):
    return _vist(shape)


@register("vist_per_cell_rf", inputs="features", description="Vi-ST with one RF conditioning vector per cell")
def _build_vist_per_cell_rf(shape):
    return _vist(shape, rf_mode="per_cell")
