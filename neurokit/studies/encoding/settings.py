"""What each profile of Part I runs in place of the paper's own models and sizes.

The run settings of every analysis are frozen dataclasses in the analysis' own module (``families.settings``,
``connectivity.settings`` …, one ``Settings`` per module with its profiles, so that a chapter's staleness key
holds only what it runs). This module declares, per profile, the stand-ins a reader should know about
(``STAND_INS``: what the paper used, what this profile uses instead), which the book's landing page and summary
list; a test keeps the names here equal to the profiles' settings. :func:`rehearse` cuts the repetitions of any
of those settings for a rehearsal of the paper profile (``neurokit book --profile paper --rehearse``).
"""
from __future__ import annotations

import dataclasses

__all__ = ["STAND_INS", "REHEARSAL_MINIMA", "REHEARSAL_TEST_FRACTION", "rehearsal_minima", "rehearsal_changes",
           "rehearse"]

#: Repetition counts of the Part I settings and their rehearsal values: the fewest that run every code path (two
#: outer folds, so that predictions are assembled across folds; two clip permutations; one regrouping of voxels for
#: the region-label control; two cross-fitting folds of the connectivity encoder, whose 5 need 10 training clips
#: where a rehearsal's outer fold has 8). Models, blocks, subjects, clips, PCA sizes, inner folds and grids are never
#: cut.
REHEARSAL_MINIMA = {"n_permutations": 2, "n_clip_permutations": 2, "n_label_permutations": 1, "n_folds": 2,
                    "crossfit_cv": 2}


#: Outer-fold test fraction in a rehearsal: the rehearsal's 10 training clips (a hundredth of the paper's) give
#: 2 test clips per fold at 0.2 instead of 1 at the paper's 0.1, so correlations over test clips stay defined.
REHEARSAL_TEST_FRACTION = 0.2


def rehearsal_minima(cls) -> dict:
    """The :data:`REHEARSAL_MINIMA` entries that are fields of the settings dataclass ``cls``."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in REHEARSAL_MINIMA.items() if k in names}


def rehearse(s):
    """Part I settings ``s`` (any analysis' ``Settings`` of the paper profile) cut for a rehearsal of the paper
    profile: the changes of :func:`rehearsal_changes` (repetition counts lowered, two test clips per outer fold, the
    fits on a local Dask cluster with one worker killed mid-sweep), everything else kept.

    Parameters
    ----------
    s : dataclass
        A ``Settings`` of :mod:`neurokit.studies.encoding` (``families``, ``targets``, ``connectivity`` …) of the
        ``paper`` profile.

    Returns
    -------
    dataclass of the same type
    """
    from neurokit.errors import InputError

    if getattr(s, "profile", None) != "paper":
        raise InputError("only the paper profile is rehearsed; got settings of profile "
                         f"{getattr(s, 'profile', None)!r}.")
    return dataclasses.replace(s, **rehearsal_changes(type(s), dataclasses.asdict(s)))


def rehearsal_changes(cls, values) -> dict:
    """The fields of the settings dataclass ``cls`` that a rehearsal changes, given their current ``values``
    (a mapping of every field): each repetition count of :data:`REHEARSAL_MINIMA` lowered to its minimum,
    ``test_fraction`` raised to :data:`REHEARSAL_TEST_FRACTION`, ``scheduler`` (where the analysis has one) set to
    ``"dask"``, so the fits go through the sweep on a local Dask cluster as a cluster run would, and
    ``fault_drill`` (where it exists) on: one worker is killed mid-sweep and the re-run task's encoding is compared
    with an in-process run."""
    changes = {k: min(v, values[k]) for k, v in rehearsal_minima(cls).items()}
    names = {f.name for f in dataclasses.fields(cls)}
    if "test_fraction" in names:  # the rehearsal's 10 training clips: 2 test clips per outer fold, not 1
        changes["test_fraction"] = max(values["test_fraction"], REHEARSAL_TEST_FRACTION)
    if "scheduler" in names:
        changes["scheduler"] = "dask"
    if "fault_drill" in names:  # and one of its workers is killed mid-sweep, as a node failure would
        changes["fault_drill"] = True
    return changes


#: profile → ((what the paper used, what this profile uses instead), …)
STAND_INS = {
    "smoke": (
        ("37 models, 1000 clips, 10 subjects (Figs. 3–6)", "4 models, 30 clips, 2 subjects (code paths only)"),
    ),
    "embedded": (
        ("37 models on 1000 clips of 10 subjects (Figs. 3–4)",
         "10 models covering every family label, 300 clips, 2 subjects; clip-level tests below 4 subjects"),
        ("MViT-B-16×4 and SlowFast as connectivity base models (Fig. 5)",
         "X3D-S (x3d_s.k400) and SlowFast-R50 (slowfast_r50_8x8.k400), random weights"),
        ("3D-ResNet-50 beside ResNet-50 (Fig. 6b)",
         "Slow-R50 (slow_r50_8x8.k400) beside ResNet-50, both random weights"),
        ("TSM-ResNet-50 (Multi-Moments in Time) on BOLD Moments (Fig. 6d)", "X3D-S (x3d_s.k400), random weights"),
        ("MViT-B, ViT-B, ResNet-50 and I3D-R50 as simulated targets (Fig. 2)",
         "ResNet-50 and X3D-S (random weights); EfficientNet-Lite0 with its ImageNet weights as a control"),
    ),
    "paper": (),
}
