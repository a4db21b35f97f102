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
          description="Vi-ST trained on RMSE + negative-output penalty (the soft-DTW terms dropped)")
def _build_vist_no_sdtw(shape):
    return _vist(shape)


@register("vist_rmse_only", inputs="features", loss={"use_sdtw": False, "w_neg": 0.0},
          description="Vi-ST trained on the RMSE term alone (the paper's ablation 'replace loss by RMSE')")
def _build_vist_rmse_only(shape):
    return _vist(shape)


@register("vist_sdtw_stride1", inputs="features", loss={"window_stride": 1},
          description="Vi-ST with soft-DTW windows at every start frame (the poster's formula; the code steps w//2)")
def _build_vist_sdtw_stride1(shape):
    return _vist(shape)


@register("vist_per_cell_rf", inputs="features", description="Vi-ST with one RF conditioning vector per cell")
def _build_vist_per_cell_rf(shape):
    return _vist(shape, rf_mode="per_cell")
