"""NEURONS (Wang et al., ICCV 2025): fMRI-to-video reconstruction with decoupled subtasks.

Submodules (imported on first use):

``metrics``
    the published evaluation metrics (column-wise SSIM, 2-D SSIM, PSNR, N-way top-k, CLIP-pcc, sub-task Dice).
``losses``
    SoftCLIP, (Mix)InfoNCE, batch-pooled Dice and the progressive subtask schedule ``loss_weights``.
``model``
    ``NeuronsModel``: ridge + MLP-mixer backbone, diffusion prior, motion projection, four heads; configs.
``train``
    stage-1/stage-2 training, test decoding, sub-task scores against chance.
``pipeline``
    AnimateDiff + SparseCtrl generation conditioned as NEURONS (blurry init noised to ``timesteps[0]``).
``evaluation``
    the published video evaluation with the shipped EfficientNet-Lite0 as a stand-in classifier.
``experiment``
    cached decoding runs and ablations shared by the book chapters.
``text``
    caption embeddings (MiniLM / bag of words), word tokenizer, caption scores.
"""
from __future__ import annotations

from neurokit._lazy import lazy_submodules

__all__ = ["metrics", "losses", "model", "train", "pipeline", "evaluation", "experiment", "text"]


__getattr__ = lazy_submodules(__name__, __all__)
