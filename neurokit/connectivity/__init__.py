"""The inter/intra-region connectivity encoder of Gamal et al. (spec section 9) and its region-weight matrix.

- :class:`ConnectivityEncoder`: base encoder + ``Ỹ_r = Σ_s A_rs · D(Ŷ_s) + b_r`` (intra / inter / full),
  leak-free cross-fitting by default, the leaky ``inputs="measured"`` reading for comparison.
- :class:`LooRidge`: the closed-form ridge (leave-one-out alpha per target) used for ``A`` and, by default,
  for the base model.
- :func:`make_planted_regions`: a small synthetic problem with a planted inter-region matrix, for tests and
  the smoke profile.
- :func:`matrix_agreement`: correlation between a recovered and a planted region matrix.
- :func:`residual_coupling`: which regions are coupled, from cross-fitted residuals (our addition).
"""
from neurokit.connectivity._encoder import INPUTS, MODES, ConnectivityEncoder
from neurokit.connectivity._ridge import LooRidge
from neurokit.connectivity._residual import residual_coupling
from neurokit.connectivity._synthetic import PlantedRegions, make_planted_regions, matrix_agreement

__all__ = ["ConnectivityEncoder", "LooRidge", "residual_coupling", "MODES", "INPUTS", "make_planted_regions", "PlantedRegions",
           "matrix_agreement"]
