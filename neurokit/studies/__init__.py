"""The three studies the book reproduces, one package each, all of the same shape: the paper's published numbers
(each with its source), the runs of each chapter (settings per profile in, one result out) and their figures.

:mod:`neurokit.studies.encoding`
    Dynamics-based encoding (Gamal et al. 2024): DNN blocks regressed onto fMRI ROIs, family tests, simulated
    target networks, the connectivity encoder.
:mod:`neurokit.studies.vist`
    Vi-ST (Wu et al., ECCV 2024): retinal ganglion cell responses to natural movies.
:mod:`neurokit.studies.neurons`
    NEURONS (Wang et al., ICCV 2025): fMRI-to-video reconstruction through decoupled subtasks.

Nothing is imported here: each chapter imports the modules it uses.
"""
