"""Evaluation metrics of NEURONS / NeuroClips / MinD-Video, exactly as their evaluation code runs.

The reference is ``eval_metrics.py`` and ``run_metrics.py`` of xmed-lab/NEURONS (commit ``4e4fd54``),
which NeuroClips and MinD-Video share. Each function states which quirk of the published code it keeps and,
where a clean variant exists, which function computes it.

============================  =======================================================================
published (quirk kept)        clean variant
============================  =======================================================================
:func:`ssim_published`        :func:`ssim` (2-D Gaussian SSIM on the grey image)
:func:`n_way_top_k_acc`       same function with a seeded ``rng`` (the authors never seed)
:func:`clip_pcc`              :func:`clip_pcc_per_video` (the per-video scores, before averaging)
============================  =======================================================================

All image metrics take ``uint8`` frames of shape ``(H, W, 3)``.
"""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError

__all__ = [
    "ssim_published", "ssim", "ssim_rgb_mindvideo", "psnr",
    "n_way_top_k_acc", "n_way_chance", "n_way_accuracy", "clip_pcc", "clip_pcc_per_video",
    "frame_metrics_published", "dice_score", "iou_score", "dice_published",
    "per_class_recall", "split_eval_gif", "pixel_correlation", "video_scores", "n_way_expected", "ssim_frames",
]


# --------------------------------------------------------------------------------------------------
# input checks
def _check_pair(pred, gt, name: str = "frames", min_h: int = 11, min_w: int = 11):
    pred = np.asarray(pred)
    gt = np.asarray(gt)
    if pred.shape != gt.shape:
        raise InputError(f"{name}: pred has shape {pred.shape} but gt has shape {gt.shape}; they must match.")
    if pred.ndim != 3 or pred.shape[-1] != 3:
        raise InputError(
            f"{name}: expected one RGB frame of shape (H, W, 3), got {pred.shape}. "
            "Pass frames channel-last (e.g. np.moveaxis(x, 0, -1)) one at a time."
        )
    for a, which in ((pred, "pred"), (gt, "gt")):
        if a.dtype.kind not in "uif":
            raise InputError(f"{name}: {which} has dtype {a.dtype}; pass uint8 frames in [0, 255] as the published "
                             "evaluation does (floats are used as given, like skimage would).")
    if pred.shape[0] < min_h or pred.shape[1] < min_w:
        raise InputError(f"{name}: frames of {pred.shape[:2]} are smaller than the 11-pixel Gaussian SSIM window "
                         f"(needs H >= {min_h} and W >= {min_w}).")
    return pred, gt


# --------------------------------------------------------------------------------------------------
# SSIM / PSNR
def ssim_published(pred, gt) -> float:
    """SSIM exactly as NEURONS' ``ssim_metric`` computes it (a mean of per-column 1-D SSIMs).

    ``rgb2gray`` on both frames, then ``skimage.metrics.structural_similarity(gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False, data_range=1.0, channel_axis=-1)``. On a 2-D grey image
    ``channel_axis=-1`` turns every **column** into a "channel": the value is the mean over the W columns of a
    1-D vertical SSIM with an 11-tap Gaussian window, not a 2-D SSIM. Horizontal structure is ignored.

    Parameters
    ----------
    pred, gt : ndarray of shape (H, W, 3), uint8

    Returns
    -------
    float
        1.0 for identical frames.
    """
    from skimage.color import rgb2gray
    from skimage.metrics import structural_similarity

    pred, gt = _check_pair(pred, gt, "ssim_published", min_w=1)  # columns are channels: any width
    return float(structural_similarity(
        rgb2gray(pred), rgb2gray(gt), channel_axis=-1, gaussian_weights=True, sigma=1.5,
        use_sample_covariance=False, data_range=1.0))


def ssim(pred, gt) -> float:
    """Ordinary 2-D SSIM (Wang et al. 2004) on the grey frames: the clean counterpart of :func:`ssim_published`.

    Settings: ``rgb2gray`` (values in [0, 1]), ``data_range=1.0``, 2-D Gaussian window ``sigma=1.5``
    (11×11), ``use_sample_covariance=False``, K1 = 0.01, K2 = 0.03, mean over the valid-window SSIM map.
    The only difference from :func:`ssim_published` is the absence of ``channel_axis=-1``.

    Parameters
    ----------
    pred, gt : ndarray of shape (H, W, 3), uint8

    Returns
    -------
    float
    """
    from skimage.color import rgb2gray
    from skimage.metrics import structural_similarity

    pred, gt = _check_pair(pred, gt, "ssim")
    return float(structural_similarity(
        rgb2gray(pred), rgb2gray(gt), gaussian_weights=True, sigma=1.5,
        use_sample_covariance=False, data_range=1.0))


def ssim_rgb_mindvideo(pred, gt) -> float:
    """MinD-Video's original SSIM (``ssim_metric_org``): RGB, ``data_range=255``, 7×7 uniform window."""
    from skimage.metrics import structural_similarity

    pred, gt = _check_pair(pred, gt, "ssim_rgb_mindvideo", 7, 7)
    return float(structural_similarity(pred, gt, data_range=255, channel_axis=-1))


def psnr(pred, gt) -> float:
    """PSNR as ``skimage.metrics.peak_signal_noise_ratio(pred, gt, data_range=255)`` on RGB uint8 frames.

    Parameters
    ----------
    pred, gt : ndarray of shape (H, W, 3), uint8

    Returns
    -------
    float
        In dB; ``inf`` for identical frames (skimage would divide by zero with a warning).
    """
    pred, gt = _check_pair(pred, gt, "psnr", 1, 1)
    err = np.mean((gt.astype(np.float64) - pred.astype(np.float64)) ** 2)
    if err == 0:
        return float("inf")
    return float(10 * np.log10((255.0 ** 2) / err))


# --------------------------------------------------------------------------------------------------
# N-way top-k
def n_way_top_k_acc(probs, gt_ids, n_way: int, num_trials: int = 100, top_k: int = 1, rng=None):
    """The published N-way top-k semantic accuracy of one sample (``eval_metrics.n_way_top_k_acc``).

    ``pick_range`` is the ascending list of class ids not in ``gt_ids``. For each of ``num_trials`` trials,
    ``rng.choice(pick_range, n_way - 1, replace=False)`` draws the distractors (one draw per trial, even
    when several GT ids are tested); then, for each GT id in the given order, the candidate vector
    ``[probs[gt], probs[distractors]]`` is sorted ascending (``torch.argsort``) and the trial is a hit as
    soon as index 0 is among the last ``top_k``.

    Parameters
    ----------
    probs : array of shape (n_classes,)
        Predicted class probabilities (the published code uses the softmax of the prediction's logits).
    gt_ids : int or sequence of int
        Ground-truth class ids (published: the top-3 logits of the GT frame, in ascending-logit order).
    n_way : int
        Candidates per trial (the GT plus ``n_way - 1`` distractors).
    num_trials : int, default 100
    top_k : int, default 1
    rng : numpy.random.RandomState or None
        The random source. ``None`` uses the global ``np.random`` state, as the published code does
        (unseeded). ``np.random.RandomState(seed)`` reproduces ``np.random.seed(seed)`` followed by the
        published function bit for bit. A ``np.random.Generator`` also works but draws differently.

    Returns
    -------
    acc : float
        Hits / ``num_trials``.
    std : float
        ``sqrt(acc (1 - acc) / num_trials)``: the binomial standard error of this sample's trials
        (the published "±" is the mean of these over samples, not a spread across samples or subjects).
    """
    import torch

    pred = torch.as_tensor(np.asarray(probs))
    if pred.ndim != 1:
        raise InputError(f"probs must be 1-D (n_classes,), got shape {tuple(pred.shape)}; call once per sample.")
    if isinstance(gt_ids, (int, np.integer)):
        gt_ids = [int(gt_ids)]
    gt_list = [int(g) for g in np.asarray(gt_ids).ravel()]
    n_classes = len(pred)
    if any(g < 0 or g >= n_classes for g in gt_list):
        raise InputError(f"gt_ids {gt_list} out of range for {n_classes} classes.")
    if not (1 <= top_k < n_way):
        raise InputError(f"need 1 <= top_k < n_way, got top_k={top_k}, n_way={n_way} (the published code asserts n_way > top_k).")
    if num_trials < 1:
        raise InputError(f"num_trials must be >= 1, got {num_trials}.")
    gt_set = set(gt_list)
    pick_range = [i for i in np.arange(n_classes) if int(i) not in gt_set]
    if n_way - 1 > len(pick_range):
        raise InputError(
            f"n_way={n_way} needs {n_way - 1} distractors but only {len(pick_range)} classes are not GT ids; "
            "lower n_way or use a classifier with more classes.")
    choice = np.random.choice if rng is None else rng.choice
    corrects = 0
    for _ in range(num_trials):
        idxs_picked = choice(pick_range, n_way - 1, replace=False)
        for gt_id in gt_list:
            pred_picked = torch.cat([pred[gt_id].unsqueeze(0), pred[idxs_picked]])
            pred_picked = pred_picked.argsort(descending=False)[-top_k:]
            if 0 in pred_picked:
                corrects += 1
                break
    acc = corrects / num_trials
    return acc, float(np.sqrt(acc * (1 - acc) / num_trials))


def n_way_chance(n_way: int, n_gt: int = 3, top_k: int = 1) -> float:
    """Chance level of :func:`n_way_top_k_acc` when predictions are independent of the GT.

    A trial is a hit when the best of the ``n_gt`` GT ids beats all but at most ``top_k - 1`` of the
    ``n_way - 1`` distractors (the distractors are shared by the GT ids). With exchangeable scores, the
    probability that exactly ``j`` distractors rank above every GT id is
    ``(d)_j * n_gt * (m - j - 1)! / m!`` with ``d = n_way - 1``, ``m = d + n_gt``, summed over ``j < top_k``.
    For top-1 this is ``n_gt / (n_gt + n_way - 1)``: 0.75 for 2-way and 0.058 for 50-way with the published
    top-3 GT ids (not 0.5 and 0.02).
    """
    from math import factorial

    d, m = n_way - 1, n_way - 1 + n_gt
    total = 0.0
    for j in range(min(top_k, d + 1)):
        total += factorial(d) / factorial(d - j) * n_gt * factorial(m - j - 1) / factorial(m)
    return float(total)


def n_way_expected(pred_scores, gt_ids, n_way: int, top_k: int = 1) -> np.ndarray:
    """The expectation of :func:`n_way_top_k_acc` over its random distractors, exactly (the limit of infinitely
    many trials), for many samples at once.

    A trial draws ``n_way - 1`` distinct distractors from the ``M`` classes that are not GT ids and is a hit when
    fewer than ``top_k`` of them score above the best GT id (a tie counts as above: the published ``argsort``
    puts the GT first among equal values, so it loses them). With ``A`` non-GT classes above the best GT id, the
    number drawn above it is hypergeometric, so the hit probability is
    ``sum_{j < top_k} C(A, j) C(M - A, n_way - 1 - j) / C(M, n_way - 1)``. The published 100-trial average is a
    Monte Carlo estimate of this value (standard error up to 0.05 per sample).

    Parameters
    ----------
    pred_scores : array of shape (n_samples, n_classes)
        Probabilities, or any monotone transform of them (log-probabilities avoid ties from underflow).
    gt_ids : int array of shape (n_samples, n_gt)
    n_way, top_k : int

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    from scipy.stats import hypergeom

    s = np.asarray(pred_scores, dtype=np.float64)
    g = np.asarray(gt_ids)
    if s.ndim != 2 or g.ndim != 2 or len(s) != len(g):
        raise InputError(f"need scores (n, n_classes) and gt_ids (n, n_gt); got {s.shape} and {g.shape}.")
    n, c = s.shape
    if not (1 <= top_k < n_way) or n_way - 1 > c - g.shape[1]:
        raise InputError(f"n_way={n_way}, top_k={top_k} impossible with {c} classes and {g.shape[1]} GT ids.")
    rows = np.arange(n)[:, None]
    best = s[rows, g].max(1)
    is_gt = np.zeros_like(s, dtype=bool)
    is_gt[rows, g] = True
    above = ((s >= best[:, None]) & ~is_gt).sum(1)  # a tie loses: constant scores must not look perfect
    m = c - is_gt.sum(1)
    return hypergeom.cdf(top_k - 1, m, above, n_way - 1)


def n_way_accuracy(pred_probs, gt_probs_or_ids, n_way: int, num_trials: int = 100, top_k: int = 1,
                   n_gt: int = 3, rng=None):
    """Published aggregation over samples: mean accuracy ± mean per-sample binomial std.

    Parameters
    ----------
    pred_probs : array of shape (n_samples, n_classes)
        Class probabilities of the predictions.
    gt_probs_or_ids : array of shape (n_samples, n_classes) or (n_samples, n_gt) int
        Either GT logits/probabilities (their top-``n_gt`` become the GT ids, ascending, as published) or
        the GT ids themselves (integer array).
    n_way, num_trials, top_k, rng
        As in :func:`n_way_top_k_acc` (one ``rng`` shared by all samples, in order).
    n_gt : int, default 3

    Returns
    -------
    mean_acc : float
    mean_std : float
        The published "±".
    accs : ndarray of shape (n_samples,)
    """
    pred_probs = np.asarray(pred_probs)
    g = np.asarray(gt_probs_or_ids)
    if g.dtype.kind in "iu" and g.shape[-1] != pred_probs.shape[-1]:
        gt_ids = g
    else:
        gt_ids = np.argsort(g, axis=-1, kind="stable")[:, -n_gt:]
    accs, stds = [], []
    for p, ids in zip(pred_probs, gt_ids):
        a, s = n_way_top_k_acc(p, ids, n_way, num_trials, top_k, rng)
        accs.append(a)
        stds.append(s)
    return float(np.mean(accs)), float(np.mean(stds)), np.asarray(accs)


# --------------------------------------------------------------------------------------------------
# CLIP-pcc (a temporal-consistency score, not a correlation)
def clip_pcc_per_video(frame_features) -> np.ndarray:
    """Per-video mean off-diagonal cosine similarity between the frame embeddings of one video.

    As ``eval_metrics.clip_score_frame``: ``sklearn`` cosine-similarity matrix, diagonal set to 0,
    ``sum / (F (F - 1))``. It uses no ground truth: it measures how similar the predicted frames are to each
    other (temporal consistency), whatever the name says.

    Parameters
    ----------
    frame_features : array of shape (n_videos, n_frames, d)

    Returns
    -------
    ndarray of shape (n_videos,)
    """
    from sklearn.metrics.pairwise import cosine_similarity

    x = np.asarray(frame_features)
    if x.ndim != 3 or x.shape[1] < 2:
        raise InputError(f"frame_features must have shape (n_videos, n_frames >= 2, d), got {x.shape}.")
    scores = []
    for video in x:
        m = cosine_similarity(video)
        np.fill_diagonal(m, 0)
        scores.append(m.sum() / (len(video) * (len(video) - 1)))
    return np.asarray(scores)


def clip_pcc(frame_features):
    """The published "CLIP-pcc": mean and (population) std over videos of :func:`clip_pcc_per_video`.

    Parameters
    ----------
    frame_features : array of shape (n_videos, n_frames, d)
        Published: CLIP ViT-L/14 ``get_image_features`` of the 6 predicted frames.

    Returns
    -------
    mean : float
    std : float
        ``np.std`` (ddof 0) across videos.
    """
    scores = list(clip_pcc_per_video(frame_features))
    return float(np.mean(scores)), float(np.std(scores))


# --------------------------------------------------------------------------------------------------
# the frame-index loop of run_metrics.py
def frame_metrics_published(pred_videos, gt_videos):
    """SSIM (published variant) and PSNR aggregated as ``run_metrics.py`` does.

    For each frame index i, the mean and std over clips; then the mean over i of the means and the mean over
    i of the stds (the published "±").

    Parameters
    ----------
    pred_videos, gt_videos : ndarray of shape (n_clips, n_frames, H, W, 3), uint8

    Returns
    -------
    dict
        ``ssim``, ``ssim_std``, ``psnr``, ``psnr_std`` (published) and ``ssim_2d``, ``ssim_2d_std`` (clean).
    """
    p = np.asarray(pred_videos)
    g = np.asarray(gt_videos)
    if p.shape != g.shape or p.ndim != 5:
        raise InputError(f"expected two arrays of shape (n_clips, n_frames, H, W, 3), got {p.shape} and {g.shape}.")
    out = {k: [] for k in ("ssim", "ssim_std", "psnr", "psnr_std", "ssim_2d", "ssim_2d_std")}
    for i in range(p.shape[1]):
        s = ssim_frames(p[:, i], g[:, i], published=True)
        q = [psnr(a, b) for a, b in zip(p[:, i], g[:, i])]
        s2 = ssim_frames(p[:, i], g[:, i], published=False)
        for key, vals in (("ssim", s), ("psnr", q), ("ssim_2d", s2)):
            out[key].append(np.mean(vals))
            with np.errstate(invalid="ignore"):  # std of identical frames' inf PSNR is nan, as published
                out[key + "_std"].append(np.std(vals))
    return {k: float(np.mean(v)) for k, v in out.items()}


def split_eval_gif(gif):
    """Split a saved evaluation GIF ``(F, H, 2W', 3)`` into GT (left) and prediction (right) halves.

    As ``run_metrics.py``: ``np.split(gif, 2, axis=2)``. With ``make_grid(padding=2)`` the GT image starts at
    column 2 of its half and the prediction at column 1 (a 1-px misalignment; borders included).
    """
    gif = np.asarray(gif)
    if gif.ndim != 4 or gif.shape[2] % 2:
        raise InputError(f"expected a GIF array (F, H, 2*W, 3) with an even width, got {gif.shape}.")
    gt, pred = np.split(gif, 2, axis=2)
    return gt, pred


# --------------------------------------------------------------------------------------------------
# sub-task metrics
def dice_score(pred_mask, gt_mask, smooth: float = 1e-7) -> float:
    """Dice of two binary masks (any shape, pooled over all elements): ``2|A∩B| / (|A| + |B|)``."""
    p = np.asarray(pred_mask, dtype=np.float64)
    g = np.asarray(gt_mask, dtype=np.float64)
    if p.shape != g.shape:
        raise InputError(f"mask shapes differ: {p.shape} vs {g.shape}.")
    return float((2 * (p * g).sum() + smooth) / (p.sum() + g.sum() + smooth))


def iou_score(pred_mask, gt_mask, smooth: float = 1e-7) -> float:
    """Intersection over union of two binary masks (pooled over all elements)."""
    p = np.asarray(pred_mask).astype(bool)
    g = np.asarray(gt_mask).astype(bool)
    if p.shape != g.shape:
        raise InputError(f"mask shapes differ: {p.shape} vs {g.shape}.")
    return float(((p & g).sum() + smooth) / ((p | g).sum() + smooth))


def dice_published(pred_mask, gt_mask, smooth: float = 1e-7) -> float:
    """The sub-task Dice as ``gen_decoupled_outputs.py`` reports it: ``1 - DiceLoss(binary_mask, gt)``.

    ``DiceLoss`` applies a sigmoid to its input, here an already-binarised {0, 1} mask, so predicted
    background counts as 0.5 and object as 0.731: the value is biased (it is not the Dice of the masks).
    """
    p = 1.0 / (1.0 + np.exp(-np.asarray(pred_mask, dtype=np.float64)))
    g = np.asarray(gt_mask, dtype=np.float64)
    return float((2 * (p * g).sum() + smooth) / (p.sum() + g.sum() + smooth))


def per_class_recall(pred_labels, true_labels, threshold: float = 0.5):
    """Per-concept "accuracy" as published: recall TP / positives per class, predictions thresholded.

    Parameters
    ----------
    pred_labels : array of shape (n_samples, n_classes)
        Probabilities (thresholded at ``threshold``) or binary predictions.
    true_labels : array of shape (n_samples, n_classes), binary

    Returns
    -------
    ndarray of shape (n_classes,)
        NaN for classes without positives.
    """
    p = np.asarray(pred_labels) >= threshold
    t = np.asarray(true_labels).astype(bool)
    if p.shape != t.shape:
        raise InputError(f"label shapes differ: {p.shape} vs {t.shape}.")
    pos = t.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pos > 0, (p & t).sum(0) / np.maximum(pos, 1), np.nan)


# --------------------------------------------------------------------------------------------------
# per-video scores for confidence intervals
def pixel_correlation(pred, gt) -> float:
    """Pearson r between the flattened pixels of two frames (MindEye's PixCorr): coarse colour and layout.

    Parameters
    ----------
    pred, gt : ndarray of shape (H, W, 3), uint8 or float

    Returns
    -------
    float
        NaN when either frame is constant.
    """
    pred, gt = _check_pair(pred, gt, "pixel_correlation", 1, 1)
    a = np.asarray(pred, np.float64).ravel()
    b = np.asarray(gt, np.float64).ravel()
    a, b = a - a.mean(), b - b.mean()
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den > 0 else float("nan")


def _ssim_map(x, y, sigma):
    """skimage's SSIM map (Gaussian window, truncate 3.5, reflect, population covariance, data range 1) over the
    axes where ``sigma`` is non-zero, for a whole stack at once."""
    from scipy.ndimage import gaussian_filter

    f = lambda a: gaussian_filter(a, sigma=sigma, truncate=3.5, mode="reflect")
    ux, uy = f(x), f(y)
    vx, vy, vxy = f(x * x) - ux * ux, f(y * y) - uy * uy, f(x * y) - ux * uy
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    return ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))


def ssim_frames(pred, gt, published: bool = True):
    """:func:`ssim_published` (or, with ``published=False``, :func:`ssim`) of many frame pairs at once.

    The same arithmetic as skimage's ``structural_similarity`` (Gaussian σ = 1.5 truncated at 3.5, i.e. an
    11-tap window, reflect padding, the map cropped by 5 pixels where filtered), vectorised over the frames; the
    published variant filters along the rows of each column only (every column a "channel").

    Parameters
    ----------
    pred, gt : ndarray of shape (n, H, W, 3), uint8

    Returns
    -------
    ndarray of shape (n,)
    """
    from skimage.color import rgb2gray

    p, g = np.asarray(pred), np.asarray(gt)
    if p.shape != g.shape or p.ndim != 4 or p.shape[-1] != 3:
        raise InputError(f"expected two stacks of frames (n, H, W, 3), got {p.shape} and {g.shape}.")
    if p.shape[1] < 11 or (not published and p.shape[2] < 11):
        raise InputError(f"frames of {p.shape[1:3]} are smaller than the 11-pixel Gaussian SSIM window.")
    x, y = rgb2gray(p), rgb2gray(g)
    pad = 5
    if published:
        m = _ssim_map(x, y, (0, 1.5, 0))[:, pad:-pad, :]
    else:
        m = _ssim_map(x, y, (0, 1.5, 1.5))[:, pad:-pad, pad:-pad]
    return m.mean(axis=(1, 2), dtype=np.float64)


def video_scores(pred_videos, gt_videos) -> dict:
    """Per-video pixel scores (mean over frames): ``pixcorr``, ``ssim`` (published column-wise variant),
    ``ssim_2d`` and ``psnr``, each an array of shape (n_videos,), for bootstrap intervals over videos.

    Parameters
    ----------
    pred_videos, gt_videos : ndarray of shape (n_videos, n_frames, H, W, 3), uint8
    """
    p, g = np.asarray(pred_videos), np.asarray(gt_videos)
    if p.shape != g.shape or p.ndim != 5:
        raise InputError(f"expected two arrays of shape (n_videos, n_frames, H, W, 3), got {p.shape} and {g.shape}.")
    n, f = p.shape[:2]
    pf, gf = p.reshape(n * f, *p.shape[2:]), g.reshape(n * f, *g.shape[2:])
    a = pf.reshape(n * f, -1).astype(np.float64)
    b = gf.reshape(n * f, -1).astype(np.float64)
    a, b = a - a.mean(1, keepdims=True), b - b.mean(1, keepdims=True)
    den = np.sqrt((a * a).sum(1) * (b * b).sum(1))
    with np.errstate(invalid="ignore", divide="ignore"):
        pix = np.where(den > 0, (a * b).sum(1) / den, np.nan)
        mse = ((pf.astype(np.float64) - gf.astype(np.float64)) ** 2).reshape(n * f, -1).mean(1)
        ps = np.where(mse > 0, 10 * np.log10(255.0 ** 2 / np.maximum(mse, 1e-300)), np.inf)
    per = {"pixcorr": pix, "ssim": ssim_frames(pf, gf, True), "ssim_2d": ssim_frames(pf, gf, False), "psnr": ps}
    with np.errstate(invalid="ignore"):
        return {k: (np.nanmean(v.reshape(n, f), 1) if k == "pixcorr" else v.reshape(n, f).mean(1))
                for k, v in per.items()}
