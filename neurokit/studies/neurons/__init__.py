"""Part III, NEURONS (Wang et al., ICCV 2025): the reconstruction study behind the NEURONS chapters.

:mod:`~neurokit.studies.neurons.settings` holds the training run of each profile;
:mod:`~neurokit.studies.neurons.experiment` runs and caches it (and the subtask ablation).
"""
