"""Part II, Vi-ST (Wu et al., ECCV 2024): the retina study behind the Vi-ST chapters.

:mod:`~neurokit.studies.vist.experiment` trains and scores the registered retina models
(:mod:`neurokit.vist.zoo`) within and across movies.
"""
