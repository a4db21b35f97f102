"""The simulated brain: planted structure is really in the data, noise ceilings match, deterministic."""
from __future__ import annotations

import json

import numpy as np
import pytest

from neurokit.data import load_algonauts2021, load_bold_moments
from neurokit.data.registry import write_checksums
from neurokit.sim import brain
from neurokit.sim.video import VideoWorldConfig

# big enough for statistics, small enough for seconds: 300 train + 60 test tiny clips, one subject
MEDIUM = brain.BrainSimConfig(n_train=300, n_test=60, n_subjects=1, voxel_scale=1 / 6, min_voxels=30, max_voxels=40,
                              video=VideoWorldConfig(n_frames=6, size=16, fps=2))


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Tiny linear algebra: one BLAS thread avoids oversubscription on a shared 2-core machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _rank(x):
    """Ranks with ties averaged (as scipy.stats.rankdata), without importing scipy.stats."""
    ranks = np.empty(len(x))
    ranks[np.argsort(x, kind="stable")] = np.arange(len(x))
    _, inv = np.unique(x, return_inverse=True)
    return (np.bincount(inv, ranks) / np.bincount(inv))[inv]


def _spearman(a, b):
    return np.corrcoef(_rank(a), _rank(b))[0, 1]


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    root = tmp_path_factory.mktemp("alg_medium")
    brain.simulate_algonauts2021(root, seed=0, config=MEDIUM)
    return root, brain.load_ground_truth(root)


def test_hrf_and_frame_weights():
    t = np.arange(0, 30, 0.1)
    h = brain.hrf(t)
    assert 4.5 < t[np.argmax(h)] < 5.5  # canonical peak near 5 s
    assert h.min() < 0  # undershoot
    w = brain.hrf_frame_weights(45, 15)
    assert w.shape == (45,) and w.sum() == pytest.approx(1.0) and (w >= 0).all()


def test_connectivity_matrix_is_directed_with_zero_diagonal():
    C = brain.connectivity_matrix()
    assert C.shape == (9, 9) and np.all(np.diag(C) == 0)
    assert not np.allclose(C, C.T)
    assert C[brain.ROIS.index("V2"), brain.ROIS.index("V1")] == 0.5
    assert set(brain.DYNAMIC_ROIS) == {"V1", "V2", "V3", "V4", "LOC", "EBA", "STS"}
    assert set(brain.STATIC_ROIS) == {"FFA", "PPA"}


def _r2(X, y):
    X1 = np.column_stack([X, np.ones(len(X))])
    beta, *_ = np.linalg.lstsq(X1, y, rcond=None)
    res = y - X1 @ beta
    return 1 - (res**2).sum(0) / ((y - y.mean(0)) ** 2).sum(0)


def test_dynamic_rois_depend_more_on_motion_than_static_rois(medium):
    """Unique motion variance (R2(static+motion) - R2(static)) is larger in STS/EBA than in FFA/PPA."""
    _, gt = medium
    unique = {}
    for roi in gt.rois:
        y = gt.get("sub01", roi, "signal")
        unique[roi] = float(np.mean(_r2(np.hstack([gt.static, gt.motion]), y) - _r2(gt.static, y)))
    assert min(unique["STS"], unique["EBA"]) > 3 * max(unique["FFA"], unique["PPA"])
    assert np.mean([unique[r] for r in gt.dynamic_rois]) > np.mean([unique["FFA"], unique["PPA"]])


def test_planted_connectivity_is_in_the_signals(medium):
    """After removing what the stimulus features explain, a target's residual shares variance with its planted
    sources' residuals (their private latents travel along C) and hardly with unconnected regions'."""
    _, gt = medium
    feats = np.hstack([gt.static, gt.motion])
    X1 = np.column_stack([feats, np.ones(len(feats))])
    resid = {}
    for r in gt.rois:
        y = gt.get("sub01", r, "signal")
        resid[r] = y - X1 @ np.linalg.lstsq(X1, y, rcond=None)[0]
    pcs = {r: np.linalg.svd(resid[r], full_matrices=False)[0][:, :4] for r in gt.rois}
    n = len(gt.rois)
    # pcs are orthonormal and the residuals centred, so R2 of resid[t] on pcs[s] is a projection
    R = np.array([[np.mean(((pcs[s].T @ resid[t]) ** 2).sum(0) / (resid[t] ** 2).sum(0)) if s != t else 0.0
                   for s in gt.rois] for t in gt.rois])
    C = gt.connectivity
    off = ~np.eye(n, dtype=bool)
    connected = C > 0
    unconnected = off & (C == 0) & (C.T == 0)
    assert R[connected].mean() > 3 * R[unconnected].mean()
    assert _spearman(C[off], R[off]) > 0.4


def test_split_half_noise_ceiling_matches_the_planted_one(medium):
    """Tolerances: GLMsingle NC (3 train repeats, 300 clips) within 0.06 per voxel on average and 0.03 for the
    mean; Spearman-Brown split-half reliability of the 10 test repeats (60 clips) correlates > 0.8 with the planted
    NC_10 across voxels and its mean is within 0.05."""
    root, gt = medium
    data = load_algonauts2021(root, average_repeats=False)
    for roi in gt.rois:
        y = data.responses["sub01"][roi].astype(np.float64)  # (300, 3, V)
        noise_var = y.var(axis=1, ddof=1).mean(0)
        signal_var = np.clip(y.reshape(-1, y.shape[2]).var(0, ddof=1) - noise_var, 0, None)
        ncsnr = np.sqrt(signal_var / noise_var)
        nc3_hat = ncsnr**2 / (ncsnr**2 + 1 / 3)
        nc3 = gt.get("sub01", roi, "nc_n3")
        assert np.mean(np.abs(nc3_hat - nc3)) < 0.06, roi
        assert abs(nc3_hat.mean() - nc3.mean()) < 0.03, roi
    rng = np.random.default_rng(0)
    est, planted = [], []
    for roi in gt.rois:
        test = gt.get("sub01", roi, "test").astype(np.float64)  # (60, 10, V)
        rs = []
        for _ in range(20):
            perm = rng.permutation(10)
            a, b = test[:, perm[:5]].mean(1), test[:, perm[5:]].mean(1)
            a, b = a - a.mean(0), b - b.mean(0)
            rs.append((a * b).sum(0) / np.sqrt((a**2).sum(0) * (b**2).sum(0)))
        rho = np.mean(rs, axis=0)
        est.append(2 * rho / (1 + rho))
        planted.append(gt.get("sub01", roi, "nc_n10"))
    est, planted = np.concatenate(est), np.concatenate(planted)
    assert np.corrcoef(est, planted)[0, 1] > 0.8
    assert abs(est.mean() - planted.mean()) < 0.05


def test_loaded_responses_are_signal_plus_the_planted_noise(medium):
    root, gt = medium
    data = load_algonauts2021(root)
    for roi in gt.rois:
        signal = gt.get("sub01", roi, "signal")[: data.n_train]
        resid = data.responses["sub01"][roi] - signal
        expected_var = 1.0 / gt.get("sub01", roi, "ncsnr") ** 2 / 3
        ratio = resid.var(0) / expected_var
        assert 0.8 < np.median(ratio) < 1.2, roi


def test_same_seed_gives_byte_identical_files_other_seed_differs(tmp_path):
    tiny = brain.BrainSimConfig(n_train=12, n_test=4, n_subjects=2, voxel_scale=1 / 40, min_voxels=3, max_voxels=6,
                                video=VideoWorldConfig(n_frames=6, size=16, fps=2))
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for root, seed in ((a, 0), (b, 0), (c, 1)):
        root.mkdir()
        brain.simulate_algonauts2021(root, seed=seed, config=tiny)
    sa, sb, sc = write_checksums(a), write_checksums(b), write_checksums(c)
    assert sa == sb
    pkl = "participants_data_v2021/mini_track/sub01/V1.pkl"
    assert sa[pkl] != sc[pkl]


def test_bold_moments_layout_normalisation_and_same_subjects(tmp_path):
    cfg = brain.BrainSimConfig(n_train=40, n_test=8, n_subjects=1, voxel_scale=1 / 20, min_voxels=8, max_voxels=12,
                               video=VideoWorldConfig(n_frames=6, size=16, fps=2))
    alg, bmd = tmp_path / "alg", tmp_path / "bmd"
    alg.mkdir(), bmd.mkdir()
    brain.simulate_algonauts2021(alg, seed=3, config=cfg)
    brain.simulate_bold_moments(bmd, seed=3, config=cfg)
    g_alg, g_bmd = brain.load_ground_truth(alg), brain.load_ground_truth(bmd)
    np.testing.assert_array_equal(g_alg.get("sub01", "EBA", "signal"), g_bmd.get("sub01", "EBA", "signal"))
    data = load_bold_moments(bmd, average_repeats=False)
    assert data.n_train == 40 and data.n_test == 8 and len(data.video_paths) == 48
    for roi in brain.ROIS:
        tr = data.train["sub-01"][roi]
        assert tr.shape[:2] == (40, 3) and data.test["sub-01"][roi].shape[:2] == (8, 10)
        flat = tr.reshape(-1, tr.shape[2]).astype(np.float64)  # z-scored with the training trials (ddof=1)
        np.testing.assert_allclose(flat.mean(0), 0, atol=1e-5)
        np.testing.assert_allclose(flat.std(0, ddof=1), 1, atol=1e-4)
    # hemisphere/part files reassemble the ROI in ground-truth voxel order
    sig = g_bmd.get("sub01", "V1", "signal")[:40]
    r = [np.corrcoef(data.train["sub-01"]["V1"].mean(1)[:, v], sig[:, v])[0, 1] for v in range(sig.shape[1])]
    assert np.median(r) > 0.5
    ann = json.loads((bmd / "derivatives/stimuli_metadata/annotations.json").read_text())
    assert ann["0001"]["set"] == "train" and ann["0041"]["set"] == "test"


def test_bold_moments_reuses_a_sibling_algonauts_world_with_identical_bytes(tmp_path):
    """ensure() puts data sets side by side; BMD then copies the Algonauts clips instead of re-rendering them."""
    from neurokit.data import ensure

    alone = ensure("bold_moments", "smoke", data_home=tmp_path / "a")
    ensure("algonauts2021", "smoke", data_home=tmp_path / "b")
    reused = ensure("bold_moments", "smoke", data_home=tmp_path / "b")
    sa, sb = json.loads((alone / "checksums.json").read_text()), json.loads((reused / "checksums.json").read_text())
    assert sa == sb
