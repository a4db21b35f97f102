"""Part I of the book: dynamics-based neural encoding with inter/intra-region connectivity (Gamal et al. 2024).

One module per analysis, each with a frozen ``Settings`` dataclass, ``settings(profile, **overrides)`` and
``run(settings) -> Result``; chapters import the modules they use (this package imports nothing, so a chapter's
staleness key holds exactly the modules it can reach).

- :mod:`~neurokit.studies.encoding.published`: the paper's numbers with their sources.
- :mod:`~neurokit.studies.encoding.inputs`: data set, subjects, clips, disjoint test folds, model features.
- :mod:`~neurokit.studies.encoding.layers`: block-wise encoding with the block chosen inside each training split.
- :mod:`~neurokit.studies.encoding.inference`: tests at the sizes the profiles run at (clips resampled below
  four subjects, architectures as the unit of family tests).
- :mod:`~neurokit.studies.encoding.dataset` (Part I.1), :mod:`~neurokit.studies.encoding.families` (I.2),
  :mod:`~neurokit.studies.encoding.targets` (I.3), :mod:`~neurokit.studies.encoding.connectivity` and
  :mod:`~neurokit.studies.encoding.identifiability` (I.4), :mod:`~neurokit.studies.encoding.open_questions`
  (I.5).
- :mod:`~neurokit.studies.encoding.figures`: one function per figure; :mod:`~neurokit.studies.encoding.claims`:
  the claims the chapters test, judged from their glued numbers.
"""
