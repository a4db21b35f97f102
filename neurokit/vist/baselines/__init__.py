"""Baselines for the Vi-ST tables — **our reconstructions** (the authors published no baseline code).

* :class:`~neurokit.vist.baselines.linear.LNModel` — the field's classic floor: a linear spatio-temporal filter on the pixel stimulus (ridge
  regression on 16x16-pooled frames, 15 lags) followed by a per-cell softplus nonlinearity fitted by least
  squares. Not in the paper's tables; added as the classic reference.
* :class:`~neurokit.vist.baselines.mstcn.FeatureMSTCN` — "DINOv2+MSTCN": the same frozen per-frame patch features as Vi-ST, the MS-TCN single
  stage lifted to 3-D (Vi-ST's C3TCN), then 2x2 average pooling and a per-frame linear readout — i.e. Vi-ST
  without RF conditioning and without the CMST blocks.
* :class:`~neurokit.vist.baselines.mstcn.I3DMSTCN` — "I3D+MSTCN": an I3D-style inflated 3-D conv stem on the raw frames (**random-init and
  frozen**: no Kinetics weights are available offline), giving a 16x16 grid of 32-d tokens, then the same
  MS-TCN head. It measures what a non-pretrained video front end gives, not what I3D gives.
* :class:`~neurokit.vist.baselines.linear.FeatureRidge` — a diagnostic, not a published model: the best *linear* readout of the same frozen
  patch features Vi-ST gets (top principal components, 15 lags, ridge with the penalty chosen on held-out
  training frames). It shows how much of the response is linearly available in the features and whether that
  transfers to the other movie, independently of how well a network trains in a small budget.
* :class:`~neurokit.vist.baselines.crnn.CRNN` — after the convolutional-recurrent RGC model of Zheng et al. (Patterns 2021): a per-frame 2-D
  CNN on the pixels, a GRU over time, a linear readout with softplus.

All torch baselines are called like Vi-ST, ``model(x, rf_mask=None) -> (B, cells, T)`` (``rf_mask`` ignored),
and are trained with the same loop and loss (:mod:`neurokit.vist.train`).
"""
from __future__ import annotations

from neurokit.vist.baselines.crnn import CRNN
from neurokit.vist.baselines.linear import FeatureRidge, LNModel
from neurokit.vist.baselines.mstcn import I3DMSTCN, FeatureMSTCN, I3DStem

__all__ = ["CRNN", "FeatureMSTCN", "I3DMSTCN", "I3DStem", "LNModel", "FeatureRidge"]
