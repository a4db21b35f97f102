"""The simulated brain: planted structure is really in the data, noise ceilings match, deterministic."""
from __future__ import annotations

import json

import numpy as np
import pytest

from neurokit.data import load_algonauts2021, load_bold_moments
from neurokit.data.checksums import write_checksums
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


def test_planted_connectivity_is_in_the_stimulus_driven_signals(medium, monkeypatch):
    """Switching the planted connections on raises the variance a target shares with its sources' signals
    more than for unconnected pairs (regions sharing feature groups share variance either way)."""
    _, gt = medium

    def shared(connections):
        monkeypatch.setattr(brain, "CONNECTIONS", connections)
        sig = {r: d["signal"] for r, d in brain._subject_signals(MEDIUM, 0, 0, gt.static, gt.motion).items()}
        pcs = {r: np.linalg.svd(sig[r] - sig[r].mean(0), full_matrices=False)[0][:, :8] for r in gt.rois}
        # R2 of target t on the 8 leading components of source s (a projection: signals are centred)
        return np.array([[np.mean(((pcs[s].T @ sig[t]) ** 2).sum(0) / (sig[t] ** 2).sum(0)) if s != t else 0.0
                          for s in gt.rois] for t in gt.rois])

    with_c, without_c = shared(dict(brain.CONNECTIONS)), shared({})
    C = gt.connectivity
    n = len(gt.rois)
    unconnected = ~np.eye(n, dtype=bool) & (C == 0) & (C.T == 0)
    gain = with_c - without_c
    # connected pairs gain shared variance; unconnected pairs gain too (sources that share feature groups with
    # the target pass on variance the target already had a part of), but less
    assert gain[C > 0].mean() > 0.03 and (gain[C > 0] > 0.005).mean() >= 0.8
    assert gain[C > 0].mean() > gain[unconnected].mean() + 0.01
    assert _spearman(C[C > 0], gain[C > 0]) > 0


def test_feature_residuals_carry_no_coupling(medium):
    """Coupling acts on the stimulus drive only: after the features, what is left is private to each region."""
    _, gt = medium
    X1 = np.column_stack([gt.static, gt.motion, np.ones(len(gt.static))])
    resid = {}
    for r in gt.rois:
        y = gt.get("sub01", r, "signal")
        resid[r] = y - X1 @ np.linalg.lstsq(X1, y, rcond=None)[0]
    means = {r: resid[r].mean(1) for r in gt.rois}
    C = gt.connectivity
    for t, s in zip(*np.nonzero(C)):
        assert abs(np.corrcoef(means[gt.rois[t]], means[gt.rois[s]])[0, 1]) < 0.25


def test_static_rois_get_no_motion_even_through_connections(medium):
    """FFA and PPA (static) are a function of the appearance features alone; EBA and STS are not."""
    _, gt = medium
    for roi in ("FFA", "PPA"):
        y = gt.get("sub01", roi, "signal")
        # 23 motion columns that carry nothing add ~0.01 of in-sample R2 with 360 clips
        assert np.mean(_r2(np.hstack([gt.static, gt.motion]), y) - _r2(gt.static, y)) < 0.03
        assert np.mean(_r2(gt.static, y)) > 0.5
    for roi in ("EBA", "STS"):
        y = gt.get("sub01", roi, "signal")
        assert np.mean(_r2(np.hstack([gt.static, gt.motion]), y) - _r2(gt.static, y)) > 0.2


def test_video_like_features_win_only_in_dynamic_rois(medium):
    """The family contrast the chapters test is recoverable: 'image models' see appearance features only,
    'video models' appearance and motion (random mixtures of each, plus noise columns); cross-validated
    ridge encoding then favours video in the dynamic ROIs (Welch test over models) and not in FFA/PPA."""
    import pandas as pd

    from neurokit.studies.encoding.families import family_tests
    from neurokit.studies.encoding.inputs import disjoint_test_folds
    from neurokit.studies.encoding.layers import encode_blocks

    root, gt = medium
    data = load_algonauts2021(root)
    n = data.n_train
    rng = np.random.default_rng(7)
    S, Mo = gt.static[:n], gt.motion[:n]
    models, labels = {}, []
    for i in range(4):
        mix = lambda X, p: X @ rng.standard_normal((X.shape[1], p)) + 0.5 * rng.standard_normal((n, p))
        models[f"img{i}"] = mix(S, 40)
        models[f"vid{i}"] = np.hstack([mix(S, 40), mix(Mo, 20)])
        labels += [{"model": f"img{i}", "modality": "image"}, {"model": f"vid{i}", "modality": "video"}]
    folds = disjoint_test_folds(n, n_folds=2, test_fraction=0.2, seed=0)
    resp = {r: data.responses["sub01"][r] for r in data.rois}
    rows = []
    for name, X in models.items():
        df = encode_blocks({"X": X}, resp, folds, inner_cv=3, n_components=None, seed=0).chosen
        rows.append(df.groupby("roi", as_index=False)["r"].mean().assign(model=name))
    scores = pd.concat(rows, ignore_index=True)
    tests = family_tests(scores, pd.DataFrame(labels), contrasts=["modality"])
    tests = tests.set_index("roi")
    gap = tests["mean_b"] - tests["mean_a"]
    for roi in gt.dynamic_rois:
        assert gap[roi] > 0.02 and tests.loc[roi, "p"] < 0.05, (roi, gap[roi], tests.loc[roi, "p"])
    for roi in ("FFA", "PPA"):
        assert not (gap[roi] > 0 and tests.loc[roi, "p"] < 0.05), (roi, gap[roi], tests.loc[roi, "p"])


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
    from neurokit.catalog.registry import ensure

    alone = ensure("bold_moments", "smoke", data_home=tmp_path / "a")
    ensure("algonauts2021", "smoke", data_home=tmp_path / "b")
    reused = ensure("bold_moments", "smoke", data_home=tmp_path / "b")
    sa, sb = json.loads((alone / "checksums.json").read_text()), json.loads((reused / "checksums.json").read_text())
    assert sa == sb


def test_resimulated_world_reproduces_the_planted_signals_and_changes_only_the_coupling(medium):
    """resimulate_responses: with the planted matrix it gives back the stored signals; with Cᵀ or without coupling
    every region without incoming or outgoing connections is unchanged, and the noise is the same draw."""
    root, gt = medium
    C = brain.connectivity_matrix()
    resp, sig = brain.resimulate_responses(root, noise_seed=3)
    for roi in brain.ROIS:
        np.testing.assert_allclose(sig["sub01"][roi], gt.get("sub01", roi, "signal")[:MEDIUM.n_train], atol=1e-5)
    r0, s0 = brain.resimulate_responses(root, connectivity=np.zeros_like(C), noise_seed=3)
    rt, st = brain.resimulate_responses(root, connectivity=C.T, noise_seed=3)
    for roi in brain.ROIS:
        i = brain.ROIS.index(roi)
        noise = resp["sub01"][roi] - sig["sub01"][roi][:, None, :]
        np.testing.assert_allclose(r0["sub01"][roi] - s0["sub01"][roi][:, None, :], noise, atol=1e-5)
        if C[i].sum() == 0:  # no input in C: the same signal without coupling
            np.testing.assert_allclose(s0["sub01"][roi], sig["sub01"][roi], atol=1e-6)
        if C[:, i].sum() == 0:  # no input in Cᵀ either
            np.testing.assert_allclose(st["sub01"][roi], s0["sub01"][roi], atol=1e-6)
    with pytest.raises(Exception, match="matrix"):
        brain.resimulate_responses(root, connectivity=np.zeros((3, 3)))


def test_world_is_the_same_rendered_by_one_or_two_workers():
    cfg = brain.BrainSimConfig(n_train=10, n_test=4, n_subjects=1, voxel_scale=1 / 40, min_voxels=4, max_voxels=6,
                               video=VideoWorldConfig(n_frames=6, size=16, fps=2))
    a = brain.simulate_world(cfg, seed=2, n_jobs=1)
    b = brain.simulate_world(cfg, seed=2, n_jobs=2)
    np.testing.assert_array_equal(a.static, b.static)
    np.testing.assert_array_equal(a.motion, b.motion)
    assert a.clips == b.clips
    np.testing.assert_array_equal(a.subjects["sub01"]["V1"]["signal"], b.subjects["sub01"]["V1"]["signal"])
