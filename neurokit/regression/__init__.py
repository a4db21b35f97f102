"""Voxelwise encoding: batched ridge with per-target CV alphas, scoring, noise ceilings, layer encoders, sweeps."""
from neurokit.regression._layers import BestLayerEncoder, LayerWeightedEncoder
from neurokit.regression._ridge import RidgeCV, check_alphas, make_folds
from neurokit.regression._scoring import (
    ncsnr,
    noise_ceiling_from_ncsnr,
    noise_normalized_score,
    pearsonr,
    split_half_noise_ceiling,
)
from neurokit.regression._solvers import SOLVERS

__all__ = [
    "RidgeCV",
    "LayerWeightedEncoder",
    "BestLayerEncoder",
    "SOLVERS",
    "check_alphas",
    "make_folds",
    "pearsonr",
    "split_half_noise_ceiling",
    "ncsnr",
    "noise_ceiling_from_ncsnr",
    "noise_normalized_score",
]
