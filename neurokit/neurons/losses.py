"""NEURONS training losses and the progressive subtask schedule (Wang et al. 2025; the authors'
``utils.py`` and ``train_neurons.py``).

Stage-2 total loss::

    L = 30 L_prior + L_clipv + L_clipt + w1 L_seg + w2 L_cls + w3 L_txt + w4 L_rec

with ``(w1, w2, w3, w4) = loss_weights(total_epochs, epoch, iteration, batches_per_epoch)``.
"""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError

__all__ = [
    "loss_weights", "soft_clip_loss", "mixco_nce", "info_nce", "dice_loss", "cosine_anneal",
    "mixco", "bimixco_loss", "SUBTASKS",
]

#: Subtask order of the progressive schedule: seg → cls → txt → rec.
SUBTASKS = ("seg", "cls", "txt", "rec")


def loss_weights(total_epochs: int, epoch: int, iteration: int, batches_per_epoch: int) -> list[float]:
    """The "progressive learning" weights ``[w_seg, w_cls, w_txt, w_rec]`` (``get_loss_weights``).

    Period ``P = (total_epochs // 5) * 2``; task k's window starts at epoch ``k * P // 2`` and lasts P epochs
    (so windows overlap by half). Inside its window ``w = 1 + 9 |sin(pi * progress)|`` with
    ``progress = ((epoch - start) * batches_per_epoch + iteration) / (P * batches_per_epoch)``; outside, 1.

    Parameters
    ----------
    total_epochs : int
        Stage-2 epochs (50 in the paper, so P = 20 and the windows start at 0, 10, 20, 30).
    epoch : int
        Current epoch, from 0.
    iteration : int
        Batch index within the epoch, from 0.
    batches_per_epoch : int

    Returns
    -------
    list of 4 float
    """
    if total_epochs < 1 or batches_per_epoch < 1 or epoch < 0 or iteration < 0:
        raise InputError(f"loss_weights needs total_epochs >= 1, batches_per_epoch >= 1 and non-negative "
                         f"epoch/iteration; got {total_epochs}, {batches_per_epoch}, {epoch}, {iteration}.")
    period = total_epochs // 5 * 2
    weights = []
    for k in range(4):
        start = k * period // 2
        if start <= epoch < start + period:
            current = (epoch - start) * batches_per_epoch + iteration
            x = current / (period * batches_per_epoch) * np.pi
            weights.append(float(1 + 9 * np.abs(np.sin(x))))
        else:
            weights.append(1.0)
    return weights


def cosine_anneal(start: float, end: float, steps: int):
    """``end + (start - end)/2 (1 + cos(pi i/(steps-1)))`` for i in 0..steps-1 (``utils.cosine_anneal``).

    Returns a tensor of shape (steps,). The stage-2 SoftCLIP temperature is ``cosine_anneal(0.004, 0.0075, E)[e]``.
    """
    import torch

    if steps < 2:
        return torch.full((max(steps, 0),), float(start))
    return end + (start - end) / 2 * (1 + torch.cos(torch.pi * torch.arange(steps) / (steps - 1)))


def soft_clip_loss(preds, targs, temp: float = 0.125):
    """SoftCLIP: cross-entropy between brain→target similarities and the target→target soft labels.

    ``loss = ½ [CE(softmax(T Tᵀ/τ), log_softmax(P Tᵀ/τ)) + CE(same labels, log_softmax((P Tᵀ)ᵀ/τ))]``.

    Parameters
    ----------
    preds, targs : tensor of shape (n, d)
        L2-normalised predictions and targets (NEURONS: flattened per-frame motion embeddings and
        bigG tokens of all 6 frames, n = B·F).
    temp : float

    Returns
    -------
    scalar tensor
    """
    if preds.shape != targs.shape or preds.ndim != 2:
        raise InputError(f"soft_clip_loss needs two (n, d) tensors of equal shape, got {tuple(preds.shape)} "
                         f"and {tuple(targs.shape)}; flatten tokens with .flatten(1) first.")
    clip_clip = (targs @ targs.T) / temp
    brain_clip = (preds @ targs.T) / temp
    loss1 = -(brain_clip.log_softmax(-1) * clip_clip.softmax(-1)).sum(-1).mean()
    loss2 = -(brain_clip.T.log_softmax(-1) * clip_clip.softmax(-1)).sum(-1).mean()
    return (loss1 + loss2) / 2


def mixco_nce(preds, targs, temp: float = 0.1, perm=None, betas=None, select=None, bidirectional: bool = True):
    """MixCo / symmetric InfoNCE (``utils.mixco_nce``).

    Without ``perm``/``betas``/``select`` it is the symmetric InfoNCE ``½ [CE(P Tᵀ/τ, I) + CE(T Pᵀ/τ, I)]``
    used for the caption alignment (τ = 0.1). With them, the soft targets of a MixCo batch
    (``betas`` on the diagonal, ``1 - betas`` at the mixed partner).

    Parameters
    ----------
    preds, targs : tensor of shape (n, d), L2-normalised
    temp : float
    perm, betas, select : tensors from :func:`mixco`, optional
    bidirectional : bool

    Returns
    -------
    scalar tensor
    """
    import torch
    import torch.nn.functional as F

    if preds.shape[0] != targs.shape[0]:
        raise InputError(f"mixco_nce: {preds.shape[0]} predictions but {targs.shape[0]} targets.")
    brain_clip = (preds @ targs.T) / temp
    if perm is not None and betas is not None and select is not None:
        probs = torch.diag(betas)
        probs[torch.arange(preds.shape[0], device=preds.device), perm] = 1 - betas
        loss = -(brain_clip.log_softmax(-1) * probs).sum(-1).mean()
        if bidirectional:
            loss2 = -(brain_clip.T.log_softmax(-1) * probs.T).sum(-1).mean()
            loss = (loss + loss2) / 2
        return loss
    labels = torch.arange(brain_clip.shape[0], device=brain_clip.device)
    loss = F.cross_entropy(brain_clip, labels)
    if bidirectional:
        loss = (loss + F.cross_entropy(brain_clip.T, labels)) / 2
    return loss


def info_nce(preds, targs, temp: float = 0.1):
    """Symmetric InfoNCE (``mixco_nce`` without mixing)."""
    return mixco_nce(preds, targs, temp=temp)


def mixco(voxels, beta: float = 0.15, s_thresh: float = 0.5, generator=None):
    """MixCo voxel mixing (``utils.mixco``): mix a random half of the batch with a permuted partner.

    Parameters
    ----------
    voxels : tensor of shape (n, ...)
    beta : float
        Mixing coefficients ~ Beta(beta, beta).
    s_thresh : float
        Probability that a sample is mixed.

    Returns
    -------
    voxels_mixed, perm, betas, select
        ``betas`` is 1 for unmixed samples.
    """
    import torch

    n = voxels.shape[0]
    perm = torch.randperm(n, generator=generator)
    betas = torch.distributions.Beta(beta, beta).sample([n]).to(voxels.device, voxels.dtype)
    select = (torch.rand(n, generator=generator) <= s_thresh).to(voxels.device)
    shape = [-1] + [1] * (voxels.ndim - 1)
    mixed = voxels.clone()
    mixed[select] = voxels[select] * betas[select].reshape(shape) + voxels[perm][select] * (1 - betas[select]).reshape(shape)
    betas = betas.clone()
    betas[~select] = 1
    return mixed, perm, betas, select


def bimixco_loss(preds, targs, perm, betas, select, temp: float = 0.006):
    """Stage-1 BiMixCo: :func:`mixco_nce` with the MixCo soft targets (temperature 0.006)."""
    return mixco_nce(preds, targs, temp=temp, perm=perm, betas=betas, select=select)


def dice_loss(logits, mask, smooth: float = 1e-7):
    """``1 - soft Dice`` of ``sigmoid(logits)`` against a binary mask, **pooled over the whole batch**.

    As ``utils.DiceLoss``: one intersection and one union summed over every sample, frame and pixel, so a
    batch's large masks dominate its small ones (it is not a mean of per-sample Dice losses).

    Parameters
    ----------
    logits, mask : tensor of shape (B·F, 1, H, W)

    Returns
    -------
    scalar tensor in [0, 1]
    """
    import torch

    if logits.shape != mask.shape:
        raise InputError(f"dice_loss: logits {tuple(logits.shape)} and mask {tuple(mask.shape)} must match.")
    p = torch.sigmoid(logits)
    inter = torch.sum(p * mask)
    union = torch.sum(p) + torch.sum(mask)
    return 1 - (2.0 * inter + smooth) / (union + smooth)
