"""The inter/intra-region connectivity encoder of Gamal et al. (spec section 9) and its region-weight matrix.

- :class:`ConnectivityEncoder`: base encoder + ``Ỹ_r = Σ_s A_rs · D(Ŷ_s) + b_r`` (intra / inter / full),
  leak-free cross-fitting by default, the leaky ``inputs="measured"`` reading for comparison.
- :func:`default_base_estimator`: the default base model (z-scored features, ridge with one exact
  leave-one-out alpha per voxel, :class:`neurokit.regression.RidgeCV` with ``cv="loo"``).
- :func:`matrix_agreement`: correlation between a recovered and a planted region matrix.
- :func:`residual_coupling`: which regions are coupled, from cross-fitted residuals (our addition).
"""
from neurokit.connectivity._encoder import INPUTS, MODES, ConnectivityEncoder, default_base_estimator
from neurokit.connectivity._residual import residual_coupling
from neurokit.connectivity._agreement import matrix_agreement

__all__ = ["ConnectivityEncoder", "default_base_estimator", "residual_coupling", "MODES", "INPUTS", "matrix_agreement"]
