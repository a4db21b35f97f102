"""Voxelwise encoding: the one ridge (batched, one cross-validated or leave-one-out alpha per target), in-fold PCA,
the paper's layer-weighted encoder (Eq. 1) and sweeps of many fits."""
from neurokit.regression._layers import LayerWeightedEncoder
from neurokit.regression._pca import PCA, reducer, standardize_reduce
from neurokit.regression._ridge import DEFAULT_ALPHAS, RidgeCV, check_alphas, make_folds
from neurokit.regression._solvers import SOLVERS

__all__ = [
    "RidgeCV",
    "DEFAULT_ALPHAS",
    "LayerWeightedEncoder",
    "PCA",
    "reducer",
    "standardize_reduce",
    "SOLVERS",
    "check_alphas",
    "make_folds",
]
