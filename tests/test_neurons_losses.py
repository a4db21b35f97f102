"""NEURONS losses and the progressive schedule against the published definitions."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neurokit.neurons import losses as L


def _published_weights(total_epochs, epoch, batch, batches_per_epoch):
    """Transcription of train_neurons.get_loss_weights / log_weight (the oracle)."""
    period = total_epochs // 5 * 2
    out = []
    for start in [i * period // 2 for i in range(4)]:
        if start <= epoch < start + period:
            cur = (epoch - start) * batches_per_epoch + batch
            out.append(1 + 9 * np.abs(np.sin(cur / (period * batches_per_epoch) * np.pi)))
        else:
            out.append(1)
    return out


def test_loss_weights_match_published_schedule():
    for E, bpe in [(50, 432), (10, 7), (23, 3)]:
        for e in range(E):
            for it in (0, bpe // 2, bpe - 1):
                assert L.loss_weights(E, e, it, bpe) == pytest.approx(_published_weights(E, e, it, bpe), abs=0)


def test_loss_weights_shape_of_schedule():
    # paper: E=50 → P=20, windows start at 0, 10, 20, 30; peak weight 10 mid-window; 1 outside
    assert L.loss_weights(50, 10, 0, 432) == pytest.approx([10.0, 1.0, 1.0, 1.0])
    assert L.loss_weights(50, 45, 0, 432) == pytest.approx([1.0, 1.0, 1.0, 1 + 9 * abs(np.sin(15 / 20 * np.pi))])
    w = L.loss_weights(50, 49, 431, 432)
    assert w[:3] == [1.0, 1.0, 1.0] and 1 < w[3] < 1.1


def test_dice_loss_is_batch_pooled():
    torch.manual_seed(0)
    logits = torch.randn(4, 1, 8, 8) * 3
    mask = (torch.rand(4, 1, 8, 8) > 0.7).float()
    p = torch.sigmoid(logits)
    ref = 1 - (2 * (p * mask).sum() + 1e-7) / (p.sum() + mask.sum() + 1e-7)
    assert L.dice_loss(logits, mask).item() == pytest.approx(ref.item(), rel=1e-6)
    per_sample = torch.stack([L.dice_loss(logits[i:i + 1], mask[i:i + 1]) for i in range(4)]).mean()
    assert abs(per_sample.item() - ref.item()) > 1e-4  # pooled ≠ mean of per-sample losses
    assert L.dice_loss(torch.full((2, 1, 4, 4), 50.0), torch.ones(2, 1, 4, 4)).item() == pytest.approx(0, abs=1e-6)


def test_soft_clip_and_infonce():
    torch.manual_seed(1)
    t = F.normalize(torch.randn(6, 16), dim=-1)
    p_good = t.clone()
    p_bad = F.normalize(torch.randn(6, 16), dim=-1)
    assert L.soft_clip_loss(p_good, t, 0.1) < L.soft_clip_loss(p_bad, t, 0.1)
    # symmetric InfoNCE equals the mean of the two cross-entropies
    logits = p_bad @ t.T / 0.1
    ref = (F.cross_entropy(logits, torch.arange(6)) + F.cross_entropy(logits.T, torch.arange(6))) / 2
    assert L.info_nce(p_bad, t, 0.1).item() == pytest.approx(ref.item(), rel=1e-6)
    # soft targets with betas == 1 reduce MixCo to InfoNCE
    perm = torch.randperm(6)
    assert L.mixco_nce(p_bad, t, 0.1, perm, torch.ones(6), torch.zeros(6, dtype=bool)).item() == pytest.approx(ref.item(), rel=1e-5)
    # SoftCLIP with orthogonal targets (one-hot soft labels at a low temperature) is InfoNCE
    eye = torch.eye(6)
    p6 = F.normalize(torch.randn(6, 6), dim=-1)
    assert L.soft_clip_loss(p6, eye, 0.02).item() == pytest.approx(L.info_nce(p6, eye, 0.02).item(), rel=1e-6)
    temps = L.cosine_anneal(0.004, 0.0075, 50)
    assert temps[0].item() == pytest.approx(0.004) and temps[-1].item() == pytest.approx(0.0075)
