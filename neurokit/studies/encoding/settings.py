"""What each profile of Part I runs in place of the paper's own models and sizes.

The run settings of every analysis are frozen dataclasses in the analysis' own module (``families.settings``,
``connectivity.settings`` …, one ``Settings`` per module with its profiles, so that a chapter's staleness key
holds only what it runs). This module declares, per profile, the stand-ins a reader should know about
(``STAND_INS``: what the paper used, what this profile uses instead), which the book's landing page and summary
list; a test keeps the names here equal to the profiles' settings.
"""
from __future__ import annotations

__all__ = ["STAND_INS"]

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
