"""Vi-ST (Wu et al., ECCV 2024): the retinal video encoder, its loss, metrics, training loop and baselines.

Submodules (import the one you need; nothing is imported here, so that using one part does not load the others):
:mod:`~neurokit.vist.model` (the network), :mod:`~neurokit.vist.softdtw`, :mod:`~neurokit.vist.loss`,
:mod:`~neurokit.vist.metrics`, :mod:`~neurokit.vist.train`, :mod:`~neurokit.vist.registry` and
:mod:`~neurokit.vist.zoo` (every model by name: :mod:`~neurokit.vist.variants` and
:mod:`~neurokit.vist.baselines`).
"""
