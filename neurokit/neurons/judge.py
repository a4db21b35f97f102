"""Classifiers that know a world's classes: the semantic judges of the N-way metrics on simulated clips.

The published evaluation scores semantic N-way accuracy with classifiers of real footage (ViT-B/16 on ImageNet
for frames, VideoMAE on Kinetics-400 for videos, :mod:`neurokit.neurons.metrics`): the ground truth of a clip is
the classifier's top-3 classes on the true video, and a reconstruction scores when one of them beats N−1 random
distractors in the classifier's output on the reconstruction. A classifier of photographs says little about a
procedural world. These judges are small CNNs trained on the world's own training clips, with one softmax head per
**factor** of the world's categories:

* :class:`FrameJudge` (stands for ViT-B/16): key-object class × its colour (palette) × scene per frame;
* :class:`VideoJudge` (stands for VideoMAE): the same factors plus the key object's motion (still or one of four
  directions), from the 6 frames stacked with their differences (early fusion).

The joint distribution over the category grid is the product of the heads (``log p = Σ_h log p_h``): 8 × 3 × 6 =
144 frame categories and × 5 = 720 video categories, a label space of the size of Kinetics-400, so the published
50-way protocol (top-3 ground-truth ids, 100 trials) runs unchanged. The pooled features of the frame judge stand
in for CLIP ViT-L/14 image features in CLIP-pcc.
"""
from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from neurokit._progress import tqdm
from neurokit.errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["JudgeFactors", "FrameJudge", "VideoJudge", "WorldJudge", "train_judge", "joint_log_probs", "judge_outputs",
           "all_combinations"]


@dataclass(frozen=True)
class JudgeFactors:
    """The factors of a world's categories: name -> number of values (in order)."""

    sizes: tuple  # ((name, n_values), ...)

    @property
    def names(self):
        return [n for n, _ in self.sizes]

    @property
    def n_joint(self) -> int:
        return int(np.prod([k for _, k in self.sizes]))

    def joint_index(self, labels) -> np.ndarray:
        """Joint category id of each row of ``labels`` (n, n_factors) int (row-major over the factors)."""
        labels = np.asarray(labels)
        return np.ravel_multi_index(tuple(labels.T), [k for _, k in self.sizes])


def _trunk(c_in, width):
    return nn.Sequential(
        nn.Conv2d(c_in, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(True), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(True), nn.MaxPool2d(2),
        nn.Conv2d(2 * width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(True),
        nn.AdaptiveAvgPool2d(1), nn.Flatten())


class FrameJudge(nn.Module):
    """Per-frame judge: (n, 3, S, S) in [0, 1] → per-factor logits and pooled features (n, 2·width)."""

    def __init__(self, factors: JudgeFactors, width: int = 32):
        super().__init__()
        self.factors = factors
        self.trunk = _trunk(3, width)
        self.heads = nn.ModuleDict({n: nn.Linear(2 * width, k) for n, k in factors.sizes})

    def forward(self, x):
        f = self.trunk(2 * x - 1)
        return {n: h(f) for n, h in self.heads.items()}, f


class VideoJudge(nn.Module):
    """Video judge: (n, F, 3, S, S) in [0, 1] → per-factor logits; frames and frame differences stacked."""

    def __init__(self, factors: JudgeFactors, n_frames: int = 6, width: int = 32):
        super().__init__()
        self.factors = factors
        self.n_frames = n_frames
        self.trunk = _trunk(3 * n_frames + 3 * (n_frames - 1), width)
        self.heads = nn.ModuleDict({n: nn.Linear(2 * width, k) for n, k in factors.sizes})

    def forward(self, x):
        if x.ndim != 5 or x.shape[1] != self.n_frames:
            raise InputError(f"VideoJudge expects (n, {self.n_frames}, 3, S, S), got {tuple(x.shape)}.")
        v = 2 * x - 1
        z = torch.cat([v.flatten(1, 2), (v[:, 1:] - v[:, :-1]).flatten(1, 2)], 1)
        f = self.trunk(z)
        return {n: h(f) for n, h in self.heads.items()}, f


def joint_log_probs(logits: dict, factors: JudgeFactors) -> torch.Tensor:
    """Per-factor logits → log-probabilities over the joint category grid, shape (n, n_joint)."""
    out = None
    for name, k in factors.sizes:
        lp = F.log_softmax(logits[name], -1)
        out = lp if out is None else (out[:, :, None] + lp[:, None, :]).flatten(1)
    return out


def train_judge(model: nn.Module, x, labels, epochs: int = 20, batch_size: int = 64, lr: float = 3e-3, seed: int = 0,
                progress: bool = False) -> list[float]:
    """Fit a judge with the sum of per-factor cross-entropies (AdamW, one-cycle), random horizontal shifts.

    Parameters
    ----------
    model : FrameJudge or VideoJudge
    x : tensor of shape (n, 3, S, S) or (n, F, 3, S, S) in [0, 1]
    labels : int array of shape (n, n_factors)
        Factor values in the order of ``model.factors``.

    Returns
    -------
    list of float
        Mean loss per epoch.
    """
    x = torch.as_tensor(x, dtype=torch.float32)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    if len(x) != len(y) or y.shape[1] != len(model.factors.sizes):
        raise InputError(f"need one label row of {len(model.factors.sizes)} factors per sample; got {tuple(x.shape)} "
                         f"inputs and {tuple(y.shape)} labels.")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    steps = max(len(x) // batch_size, 1)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps)
    model.train()
    hist = []
    for _ in tqdm(range(epochs), disable=not progress, desc="judge"):
        perm = torch.randperm(len(x), generator=gen)
        acc = []
        for i in range(steps):
            idx = perm[i * batch_size:(i + 1) * batch_size]
            xb = x[idx]
            shift = int(torch.randint(-2, 3, (1,), generator=gen))
            xb = torch.roll(xb, shift, dims=-1)  # small translations: the judge must not memorise positions
            logits, _ = model(xb)
            loss = sum(F.cross_entropy(logits[n], y[idx, j]) for j, n in enumerate(model.factors.names))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            acc.append(float(loss.detach()))
        hist.append(float(np.mean(acc)))
    model.eval()
    return hist


@torch.no_grad()
def judge_outputs(model: nn.Module, x, batch_size: int = 256):
    """Joint log-probabilities (n, n_joint), per-factor predictions (n, n_factors) and features (n, d)."""
    model.eval()
    x = torch.as_tensor(x, dtype=torch.float32)
    lps, preds, feats = [], [], []
    for s in range(0, len(x), batch_size):
        logits, f = model(x[s:s + batch_size])
        lps.append(joint_log_probs(logits, model.factors))
        preds.append(torch.stack([logits[n].argmax(-1) for n in model.factors.names], 1))
        feats.append(f)
    return torch.cat(lps).numpy(), torch.cat(preds).numpy(), torch.cat(feats).numpy()


def all_combinations(factors: JudgeFactors):
    """Every joint category as a tuple of factor values, in joint-index order."""
    return list(itertools.product(*[range(k) for _, k in factors.sizes]))


class WorldJudge:
    """The two judges behind the evaluation's judge interface (``frame_outputs``, ``video_scores``: uint8 frames
    in, joint log-probabilities and features out)."""

    def __init__(self, frame_judge: FrameJudge, video_judge: VideoJudge):
        self.frame_judge, self.video_judge = frame_judge, video_judge

    @staticmethod
    def _float(x):
        a = torch.from_numpy(np.ascontiguousarray(x)).float() / 255.0
        return a.movedim(-1, -3)

    def frame_outputs(self, frames):
        """(n, H, W, 3) uint8 → joint log-probabilities (n, n_joint) and pooled features (n, d)."""
        lp, _, f = judge_outputs(self.frame_judge, self._float(frames))
        return lp, f

    def video_scores(self, videos):
        """(n, F, H, W, 3) uint8 → joint log-probabilities (n, n_joint)."""
        lp, _, _ = judge_outputs(self.video_judge, self._float(videos))
        return lp

    def predict(self, videos):
        """Per-factor predictions of the video judge (n, n_factors), for its accuracy on true videos."""
        return judge_outputs(self.video_judge, self._float(videos))[1]
