"""Which voxels drive each NEURONS subtask head: gradient attribution from the heads back to the voxels.

NEURONS claims that its decoupled heads correspond to the functional organisation of visual cortex (the paper
maps voxel importance per subtask onto the cortex). Here the importance of voxel v for head h is its **mean
squared sensitivity**, the squared norm of the Jacobian column of the head's output with respect to the voxel,
averaged over clips:

``A_h[v] = E_clips || ∂ y_h / ∂ x_v ||² / dim(y_h)``,

estimated without forming the Jacobian by random output probes (``E_u (u · ∂y/∂x_v)² = ||∂y/∂x_v||²`` for
``u ~ N(0, I)``; Hutchinson 1989). Head outputs: mask logits (segmentation, conditioned on the decoded top-1
concept as at inference), concept logits, the caption embedding that prefixes the captioner (scene description),
and the blurry video. The per-sample model (``batch_coupled=False``) keeps clips independent, so one backward
pass over a batch gives every clip's own gradients; the batch-coupled model mixes clips and is refused. A model
with a diffusion prior is attributed through the prior's condition (the heads applied to ``clip_vision_embeds``).
"""
from __future__ import annotations

import numpy as np
import torch

from neurokit.errors import InputError, UnknownNameError

__all__ = ["HEADS", "voxel_attribution"]

#: The subtask heads, in the order of the progressive schedule.
HEADS = ("seg", "cls", "txt", "rec")


def _outputs(model, voxels, subj_idx, head):
    cve = model.encode(voxels, subj_idx)
    m = model.motion(cve)
    if head == "cls":
        return model.concepts(m)
    if head == "txt":
        return model.text_embedding(m)
    if head == "rec":
        return model.blurry(m)
    with torch.no_grad():
        top = model.key_concept(torch.sigmoid(model.concepts(m)))
    return model.segment(m, model.concept_text[top])


def voxel_attribution(model, fmri, subj_idx: int = 0, heads=HEADS, n_probes: int = 4, batch_size: int = 20,
                      seed: int = 0) -> dict:
    """Mean squared sensitivity of each head's output to each voxel.

    Parameters
    ----------
    model : neurokit.neurons.model.NeuronsModel
        A trained model with ``batch_coupled=False``.
    fmri : array of shape (n_clips, n_voxels)
        Test fMRI (the clips over which sensitivities are averaged).
    subj_idx : int
    heads : sequence of {"seg", "cls", "txt", "rec"}
    n_probes : int
        Random output probes per clip (more: less estimator noise).
    batch_size : int
    seed : int

    Returns
    -------
    dict
        head -> ndarray of shape (n_voxels,), non-negative.
    """
    bad = [h for h in heads if h not in HEADS]
    if bad:
        raise UnknownNameError("subtask head", bad[0], HEADS)
    if getattr(model.text_seg_dec, "batch_coupled", False):
        raise InputError("voxel_attribution needs a per-sample model (NeuronsConfig(batch_coupled=False)): the "
                         "batch-coupled decoder mixes the clips of a batch, so a clip's gradient is not its own.")
    x_all = torch.as_tensor(np.asarray(fmri), dtype=torch.float32)
    if x_all.ndim != 2:
        raise InputError(f"fmri must be (n_clips, n_voxels), got {tuple(x_all.shape)}.")
    if n_probes < 1:
        raise InputError(f"n_probes must be >= 1, got {n_probes}.")
    gen = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    out = {}
    try:
        for head in heads:
            acc = torch.zeros(x_all.shape[1], dtype=torch.float64)
            for s in range(0, len(x_all), batch_size):
                x = x_all[s:s + batch_size].clone().requires_grad_(True)
                y = _outputs(model, x, subj_idx, head).flatten(1)
                for p in range(n_probes):
                    u = torch.randn(y.shape, generator=gen)
                    (g,) = torch.autograd.grad((u * y).sum(), x, retain_graph=p < n_probes - 1)
                    acc += (g.double() ** 2).sum(0)
            out[head] = (acc / (len(x_all) * n_probes * y.shape[1])).numpy()
    finally:
        model.train(was_training)
    return out
