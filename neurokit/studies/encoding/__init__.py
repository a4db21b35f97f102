"""Part I analysis loops (Gamal et al.): CV splits, layerwise encoding, family tests, the connectivity
experiment, permutation nulls, and the paper's digitised numbers as reference data (:mod:`paper_values`)."""
from neurokit.studies.encoding import paper_values
from neurokit.studies.encoding._connectivity import (
    DEFAULT_VARIANTS,
    connectivity_experiment,
    noise_normalised_comparison,
    paired_gains,
)
from neurokit.studies.encoding._cv import disjoint_test_folds
from neurokit.studies.encoding._inputs import EncodingInputs, load_inputs
from neurokit.studies.encoding._families import (
    CONTRASTS,
    effect_direction_summary,
    family_labels,
    family_tests,
    model_means,
    paper_vs_run,
)
from neurokit.studies.encoding._targets import target_experiment, target_responses
from neurokit.studies.encoding._layers import best_block, choose_block, layer_scores, model_features, permutation_null

__all__ = [
    "paper_values", "load_inputs", "EncodingInputs", "disjoint_test_folds", "layer_scores", "best_block", "choose_block", "permutation_null", "model_features",
    "family_labels", "family_tests", "model_means", "paper_vs_run", "effect_direction_summary", "CONTRASTS",
    "connectivity_experiment", "noise_normalised_comparison", "paired_gains", "DEFAULT_VARIANTS", "target_experiment", "target_responses",
]
