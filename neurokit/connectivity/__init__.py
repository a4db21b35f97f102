"""Region-to-region connectivity: the paper's inter/intra-region encoder, and what can identify direction.

- :class:`ConnectivityEncoder`: the paper's encoder (Gamal et al. 2024): base encoder + ``Ỹ_r = Σ_s A_rs · D(Ŷ_s)
  + b_r`` (intra / inter / full), leak-free cross-fitting by default, the leaky ``inputs="measured"`` reading for
  comparison. Its inputs are predicted voxels that all lie in one feature space; in the population its map is
  the orthogonal projector onto that space, symmetric whichever way the coupling runs.
- :class:`InstrumentedCouplingEncoder`: directed coupling from cross-fitted predictions when every region has
  features of its own (instruments); leak-free.
- :func:`trial_coupling`: which regions share stimulus-independent trial fluctuations (undirected).
- :func:`residual_coupling`: which regions are coupled, from cross-fitted residuals through low-rank summaries.
- :func:`default_base_estimator`: z-scored features, ridge with one exact leave-one-out alpha per voxel.
- :func:`matrix_agreement`, :func:`coupling_metrics`: a recovered matrix against a planted one.
"""
from neurokit.connectivity._agreement import coupling_metrics, matrix_agreement
from neurokit.connectivity._encoder import INPUTS, MODES, ConnectivityEncoder, default_base_estimator
from neurokit.connectivity._fluctuation import trial_coupling, trial_residuals
from neurokit.connectivity._instrumented import InstrumentedCouplingEncoder
from neurokit.connectivity._residual import residual_coupling

__all__ = ["ConnectivityEncoder", "InstrumentedCouplingEncoder", "default_base_estimator", "residual_coupling",
           "trial_coupling", "trial_residuals", "MODES", "INPUTS", "matrix_agreement", "coupling_metrics"]
