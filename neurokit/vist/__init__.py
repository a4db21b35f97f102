"""Vi-ST (Wu et al., ECCV 2024): retinal video encoder, its loss, metrics, baselines and training loop.

Submodules: :mod:`~neurokit.vist.model`, :mod:`~neurokit.vist.softdtw`, :mod:`~neurokit.vist.loss`,
:mod:`~neurokit.vist.metrics`, :mod:`~neurokit.vist.baselines`, :mod:`~neurokit.vist.train`,
:mod:`~neurokit.vist.rf`, :mod:`~neurokit.vist.features`.
"""
