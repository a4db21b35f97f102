"""Part II, Vi-ST (Wu et al., ECCV 2024): the retina study behind the Vi-ST chapters.

Modules (import the ones you use; nothing is imported here):

* :mod:`~neurokit.studies.vist.published` — the paper's numbers with their sources (poster table, website figures,
  the authors' logs, the supplement);
* :mod:`~neurokit.studies.vist.settings` — the run settings of each profile, ``settings(profile, **overrides)``;
* :mod:`~neurokit.studies.vist.stimuli` — the context-shift ladder's test sets and their statistics;
* :mod:`~neurokit.studies.vist.experiment` — training runs (train on movie 1, score within and across movies),
  cached by content;
* one module per analysis, each with ``run(settings, movies) -> Result``:
  :mod:`~neurokit.studies.vist.generalisation` (every model at equal budget on every rung),
  :mod:`~neurokit.studies.vist.ablations`, :mod:`~neurokit.studies.vist.layers` (which feature layer, Fig. 5b),
  :mod:`~neurokit.studies.vist.complementary` (complementary coding, Fig. 6); :mod:`~neurokit.studies.vist.results`
  runs all four at once;
* :mod:`~neurokit.studies.vist.figures`, :mod:`~neurokit.studies.vist.prose` — figures and the sentences that
  follow the numbers;
* :mod:`~neurokit.studies.vist.claims` — ``CLAIMS``, the paper's claims that Part II tests, with their judges.
"""
