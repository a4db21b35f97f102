"""NEURONS evaluation metrics against the published definitions (eval_metrics.py / run_metrics.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter1d
from skimage.color import rgb2gray

from neurokit.errors import InputError
from neurokit.neurons import metrics as M


def _published_n_way(pred, class_id, n_way, num_trials=40, top_k=1):
    """Transcription of the authors' loop (global np.random), used as the oracle."""
    if isinstance(class_id, int):
        class_id = [class_id]
    pick_range = [i for i in np.arange(len(pred)) if i not in class_id]
    corrects = 0
    for t in range(num_trials):
        idxs_picked = np.random.choice(pick_range, n_way - 1, replace=False)
        for gt_id in class_id:
            pred_picked = torch.cat([pred[gt_id].unsqueeze(0), pred[idxs_picked]])
            pred_picked = pred_picked.argsort(descending=False)[-top_k:]
            if 0 in pred_picked:
                corrects += 1
                break
    return corrects / num_trials, np.sqrt(corrects / num_trials * (1 - corrects / num_trials) / num_trials)


def _frames(rng, h=32, w=40):
    a = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-60, 60, size=a.shape), 0, 255).astype(np.uint8)
    return a, b


def test_identical_frames():
    rng = np.random.default_rng(1)
    a, _ = _frames(rng)
    assert M.ssim_published(a, a) == pytest.approx(1.0)
    assert M.ssim(a, a) == pytest.approx(1.0)
    assert M.psnr(a, a) == float("inf")


def test_psnr_matches_skimage():
    from skimage.metrics import peak_signal_noise_ratio

    a, b = _frames(np.random.default_rng(2))
    assert M.psnr(a, b) == pytest.approx(peak_signal_noise_ratio(a, b, data_range=255), rel=1e-12)
    # a constant error of 1 grey level: 20 log10(255)
    c = a.copy(); c[a < 255] += 1; c[a == 255] -= 1
    assert M.psnr(a, c) == pytest.approx(20 * np.log10(255), rel=1e-12)


def _ssim_1d_columns(p, g, sigma=1.5, trunc=3.5):
    """Independent definition: mean over columns of a vertical 1-D Gaussian SSIM (data range 1)."""
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    f = lambda x: gaussian_filter1d(x, sigma, axis=0, truncate=trunc, mode="reflect")
    ux, uy = f(p), f(g)
    vx, vy, vxy = f(p * p) - ux ** 2, f(g * g) - uy ** 2, f(p * g) - ux * uy
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))
    r = int(trunc * sigma + 0.5)
    return s[r:-r].mean(axis=0).mean()


def test_ssim_published_is_mean_of_columnwise_1d_ssim():
    a, b = _frames(np.random.default_rng(3))
    ref = _ssim_1d_columns(rgb2gray(a), rgb2gray(b))
    assert M.ssim_published(a, b) == pytest.approx(ref, abs=1e-10)


def test_published_and_2d_ssim_differ_as_described():
    # horizontal-only structure: every column is constant along the vertical axis, so each 1-D vertical SSIM sees
    # a flat signal and only luminance matters; the 2-D SSIM sees the horizontal stripes and is much lower.
    rng = np.random.default_rng(4)
    row = rng.integers(0, 256, size=(1, 48, 1))
    gt = np.broadcast_to(row, (48, 48, 3)).astype(np.uint8)
    pred = np.broadcast_to(np.roll(row, 7, axis=1), (48, 48, 3)).astype(np.uint8)
    assert M.ssim(pred, gt) < 0.5
    # the column-wise score ignores horizontal structure entirely: a column permutation of the prediction
    # changes it only through luminance of matched columns, and transposed content changes it a lot
    assert M.ssim_published(pred, gt) != pytest.approx(M.ssim(pred, gt), abs=0.05)
    # the published SSIM is invariant to permuting columns of both images together; the 2-D one is not
    perm = rng.permutation(48)
    from scipy.ndimage import gaussian_filter
    a = (gaussian_filter(rng.random((48, 48, 3)), (3, 3, 0)) * 2550 % 256).astype(np.uint8)
    b = np.clip(a + rng.normal(0, 20, a.shape), 0, 255).astype(np.uint8)
    assert M.ssim_published(a[:, perm], b[:, perm]) == pytest.approx(M.ssim_published(a, b), abs=1e-12)
    assert abs(M.ssim(a[:, perm], b[:, perm]) - M.ssim(a, b)) > 0.02


def test_ssim_rejects_bad_input():
    a, b = _frames(np.random.default_rng(5))
    with pytest.raises(InputError, match="dtype"):
        M.ssim(a.astype(str), b)
    assert M.ssim_published(a[:, :5], b[:, :5]) <= 1  # column-wise: any width works, as in skimage
    with pytest.raises(InputError, match="window"):
        M.ssim(a[:, :5], b[:, :5])
    with pytest.raises(InputError, match="shape"):
        M.ssim_published(a, b[:-1])


@pytest.mark.parametrize("n_way,top_k,n_gt", [(2, 1, 3), (50, 1, 3), (50, 5, 1), (10, 1, 2)])
def test_n_way_bit_for_bit_with_published_loop(n_way, top_k, n_gt):
    rng = np.random.default_rng(6)
    probs = torch.softmax(torch.as_tensor(rng.normal(size=400), dtype=torch.float32), 0)
    gt = torch.as_tensor(rng.choice(400, n_gt, replace=False))
    for seed in (0, 1, 123):
        np.random.seed(seed)
        ref = _published_n_way(probs, gt, n_way, 100, top_k)
        ours = M.n_way_top_k_acc(probs.numpy(), gt.numpy(), n_way, 100, top_k, np.random.RandomState(seed))
        assert ours[0] == ref[0] and ours[1] == pytest.approx(ref[1], abs=0)


def test_n_way_uses_one_draw_per_trial_and_rng_order():
    # a shared rng across samples must advance exactly num_trials draws per sample, as the published loop does
    rng = np.random.default_rng(7)
    probs = [torch.softmax(torch.as_tensor(rng.normal(size=100), dtype=torch.float32), 0) for _ in range(5)]
    gts = [torch.as_tensor(rng.choice(100, 3, replace=False)) for _ in range(5)]
    np.random.seed(42)
    ref = [_published_n_way(p, g, 50, 30, 1)[0] for p, g in zip(probs, gts)]
    r = np.random.RandomState(42)
    ours = [M.n_way_top_k_acc(p.numpy(), g.numpy(), 50, 30, 1, r)[0] for p, g in zip(probs, gts)]
    assert ours == ref


def test_n_way_std_formula():
    rng = np.random.default_rng(8)
    p = rng.random(1000)
    acc, std = M.n_way_top_k_acc(p, [3], 2, 37, 1, np.random.RandomState(0))
    assert std == pytest.approx(np.sqrt(acc * (1 - acc) / 37), rel=1e-12)
    # perfect prediction: acc 1, std 0
    p = np.full(1000, 1e-6); p[5] = 1.0
    assert M.n_way_top_k_acc(p, [5], 50, 20, 1, np.random.RandomState(0)) == (1.0, 0.0)


def test_n_way_chance_levels():
    # random predictions independent of GT: 1 GT id → 1/n; n_gt ids sharing the distractors → n_gt/(n_gt+n-1)
    assert M.n_way_chance(2, 1) == pytest.approx(0.5) and M.n_way_chance(50, 1) == pytest.approx(0.02)
    assert M.n_way_chance(2, 3) == pytest.approx(0.75) and M.n_way_chance(50, 3) == pytest.approx(3 / 52)
    assert M.n_way_chance(50, 1, top_k=5) == pytest.approx(0.1)
    rng = np.random.default_rng(9)
    for n_way, n_gt, top_k in [(2, 1, 1), (50, 3, 1), (10, 3, 3)]:
        expected = M.n_way_chance(n_way, n_gt, top_k)
        accs = []
        r = np.random.RandomState(1)
        for _ in range(200):
            p = rng.random(400)
            gt = rng.choice(400, n_gt, replace=False)
            accs.append(M.n_way_top_k_acc(p, gt, n_way, 10, top_k, r)[0])
        se = np.sqrt(expected * (1 - expected) / 200) * 4 + 0.005
        assert abs(np.mean(accs) - expected) < se, (n_way, n_gt, np.mean(accs))


def test_n_way_errors():
    with pytest.raises(InputError, match="top_k"):
        M.n_way_top_k_acc(np.ones(10), [1], 2, 10, 2)
    with pytest.raises(InputError, match="distractors"):
        M.n_way_top_k_acc(np.ones(10), [1], 20, 10, 1)


def test_clip_pcc_reference_definition():
    rng = np.random.default_rng(10)
    feats = rng.normal(size=(7, 6, 16)).astype(np.float32)
    per = M.clip_pcc_per_video(feats)
    for v, s in zip(feats, per):
        n = v / np.linalg.norm(v, axis=1, keepdims=True)
        c = n @ n.T
        assert s == pytest.approx((c.sum() - np.trace(c)) / 30, abs=1e-5)
    mean, std = M.clip_pcc(feats)
    assert mean == pytest.approx(per.mean(), abs=1e-6) and std == pytest.approx(per.std(), abs=1e-6)
    # identical frames → 1; it ignores ground truth entirely
    same = np.repeat(rng.normal(size=(3, 1, 16)), 6, axis=1)
    assert M.clip_pcc(same)[0] == pytest.approx(1.0, abs=1e-6)


def test_frame_metrics_and_subtask_metrics():
    rng = np.random.default_rng(11)
    gt = rng.integers(0, 256, size=(3, 6, 24, 24, 3), dtype=np.uint8)
    out = M.frame_metrics_published(gt, gt)
    assert out["ssim"] == pytest.approx(1) and out["psnr"] == float("inf") and out["ssim_std"] == 0
    m = rng.random((6, 16, 16)) > 0.5
    assert M.dice_score(m, m) == pytest.approx(1) and M.iou_score(m, m) == pytest.approx(1)
    assert M.dice_score(m, ~m) == pytest.approx(0, abs=1e-6)
    # the published Dice (sigmoid of binary masks) is biased below 1 for a perfect prediction
    assert M.dice_published(m, m) < 0.9
    rec = M.per_class_recall(np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.0]]), np.array([[1, 0], [1, 1], [1, 0]]))
    assert rec[0] == pytest.approx(2 / 3) and rec[1] == pytest.approx(1.0)


def test_frame_classifier_scores_a_repeated_frame_once_and_alike():
    """The stand-in classifier memoises per frame: reordered or repeated frames get the same logits."""
    from neurokit.neurons.evaluation import FrameClassifier
    from neurokit.neurons.train import limit_threads

    frames = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    clf = FrameClassifier(size=64)
    with limit_threads(1):
        logits, feats = clf(frames)
        again, _ = clf(np.concatenate([frames[::-1], frames[:2]]))
        fresh, _ = FrameClassifier(size=64)(frames[2:3])
    assert logits.shape == (5, 1000) and feats.shape == (5, 1280) and len(clf._memo) == 5
    np.testing.assert_allclose(again[:5], logits[::-1], rtol=0, atol=0)
    np.testing.assert_allclose(again[5:], logits[:2], rtol=0, atol=0)
    np.testing.assert_allclose(fresh[0], logits[2], atol=1e-4)  # batch composition does not matter


def test_n_way_expected_is_the_limit_of_the_published_trials():
    """The exact expectation agrees with many seeded trials of the published function, top-1 and top-k."""
    rng = np.random.RandomState(0)
    probs = rng.dirichlet(np.ones(40), size=4)
    gt = np.stack([rng.choice(40, 3, replace=False) for _ in range(4)])
    for n_way, k in ((2, 1), (10, 1), (10, 3)):
        exact = M.n_way_expected(np.log(probs), gt, n_way, k)
        mc = [M.n_way_top_k_acc(probs[i], gt[i], n_way, 4000, k, np.random.RandomState(i))[0] for i in range(4)]
        np.testing.assert_allclose(exact, mc, atol=0.03)
    # a prediction that puts the GT first is always right; constant scores never are (ties lose, as published)
    top = np.zeros((1, 60))
    top[0, gt[0]] = 1
    assert M.n_way_expected(top, gt[:1], 50)[0] == 1.0
    assert M.n_way_expected(np.zeros((1, 60)), gt[:1], 50)[0] == 0.0
    # independent scores: the analytic chance level n_gt / (n_gt + n_way - 1)
    scores = np.random.default_rng(1).normal(size=(20000, 60))
    gts = np.tile([0, 1, 2], (20000, 1))
    assert M.n_way_expected(scores, gts, 50).mean() == pytest.approx(M.n_way_chance(50, 3), abs=0.004)


def test_pixel_correlation_and_video_scores():
    rng = np.random.default_rng(2)
    a = rng.integers(0, 256, (2, 6, 16, 16, 3), dtype=np.uint8)
    assert M.pixel_correlation(a[0, 0], a[0, 0]) == pytest.approx(1.0)
    inv = (255 - a[0, 0]).astype(np.uint8)
    assert M.pixel_correlation(a[0, 0], inv) == pytest.approx(-1.0)
    s = M.video_scores(a, a)
    assert s["pixcorr"].shape == (2,) and np.allclose(s["pixcorr"], 1) and np.allclose(s["ssim_2d"], 1)
    # a per-video mean of frame scores: the published frame-index aggregation has the same grand mean
    b = rng.integers(0, 256, a.shape, dtype=np.uint8)
    pub = M.frame_metrics_published(a, b)
    assert M.video_scores(a, b)["ssim"].mean() == pytest.approx(pub["ssim"], abs=1e-9)
