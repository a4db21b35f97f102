"""Simulated cc2017: the loader, the key-object rule, and the planted visual areas."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.data.cc2017 import load_cc2017
from neurokit.errors import DataError, InputError, UnknownNameError
from neurokit.sim.cc2017 import (
    GROUPS,
    PROFILES,
    ROI_ROLES,
    SUBTASK_GROUPS,
    CC2017SimConfig,
    find_key_object,
    planted_importance,
    simulate_cc2017,
)


@pytest.fixture(scope="module")
def smoke_root(tmp_path_factory):
    return simulate_cc2017(tmp_path_factory.mktemp("cc2017"), "smoke", seed=0)


@pytest.fixture(scope="module")
def small_root(tmp_path_factory):
    """Enough clips for a linear read-out to tell signal from noise."""
    cfg = CC2017SimConfig(n_train=200, n_test=40, size=32, n_voxels=(400,), noise_sd=1.0)
    return simulate_cc2017(tmp_path_factory.mktemp("cc2017s"), config=cfg, seed=0)


def test_layout_and_loader(smoke_root):
    cfg = PROFILES["smoke"]
    tr = torch.load(smoke_root / "subj01_train_fmri.pt", weights_only=True)
    te = torch.load(smoke_root / "subj01_test_fmri.pt", weights_only=True)
    gt = torch.load(smoke_root / "GT_train_3fps.pt", weights_only=True)
    assert tr.shape == (cfg.n_train, 2, cfg.n_voxels[0]) and te.shape == (cfg.n_test, 10, cfg.n_voxels[0])
    assert gt.shape == (cfg.n_train, 6, 3, cfg.size, cfg.size) and 0 <= gt.min() and gt.max() <= 1
    d = load_cc2017(smoke_root, 1)
    np.testing.assert_allclose(d.test_fmri, te.numpy().mean(1), rtol=1e-6)  # repeats averaged as in the paper
    assert len(d.train_captions) == cfg.n_train and d.train_masks.shape == (cfg.n_train, 6, cfg.size, cfg.size)
    # key-object masks are the simulator's exact masks of the chosen category
    assert all(k != "None" for k in d.train_key_class)
    assert d.train_masks.any(axis=(1, 2, 3)).all()
    # three subjects with their own voxel counts; world labels for the judges
    for s, v in enumerate(cfg.n_voxels, start=1):
        assert load_cc2017(smoke_root, s).n_voxels == v
    assert len(d.test_labels) == cfg.n_test and {"key_class", "palette", "scene", "motion"} <= set(d.test_labels[0])


def test_every_voxel_has_its_planted_role(smoke_root):
    truth = torch.load(smoke_root / "sim_truth.pt", weights_only=True)
    t = truth["subj01"]
    roi, shares = np.asarray(t["roi"]), t["shares"].numpy()
    assert set(roi) == set(ROI_ROLES) | {"other"}
    for r, roles in ROI_ROLES.items():
        expect = np.array([roles.get(g, 0.0) for g in GROUPS])
        np.testing.assert_allclose(shares[roi == r], np.broadcast_to(expect, shares[roi == r].shape), atol=1e-6)
    assert np.all(shares[roi == "other"] == 0)
    rec = planted_importance(shares, SUBTASK_GROUPS["rec"])
    assert rec[roi == "V1"].min() == 1.0 and rec[roi == "FFA"].max() == 0.0
    with pytest.raises(UnknownNameError, match="feature group"):
        planted_importance(shares, ("colour", "smell"))


def test_the_signal_has_the_planted_variance(small_root):
    """Each ROI voxel's signal has unit variance on the training clips; the test responses carry it."""
    truth = torch.load(small_root / "sim_truth.pt", weights_only=True)
    d = load_cc2017(small_root, 1)
    roi = np.asarray(truth["subj01"]["roi"])
    sig = truth["subj01"]["signal_test"].numpy()
    inside = roi != "other"
    r_in = [np.corrcoef(sig[:, v], d.test_fmri[:, v])[0, 1] for v in np.flatnonzero(inside)[:60]]
    assert np.mean(r_in) > 0.7                      # 10 averaged repeats at noise s.d. 1 against unit signal
    assert np.all(sig[:, ~inside] == 0)
    # repetition noise independent: the two training repeats correlate only through the signal
    tr = d.train_fmri
    assert np.corrcoef(tr[:, 0, inside].ravel(), tr[:, 1, inside].ravel())[0, 1] > 0.3
    assert abs(np.corrcoef(tr[:, 0, ~inside].ravel(), tr[:, 1, ~inside].ravel())[0, 1]) < 0.05


def test_coarse_image_is_in_early_visual_cortex_only(small_root):
    """A ridge read-out of the 8×8 colour image works from V1–V3 and fails from the noise-only voxels."""
    from sklearn.linear_model import Ridge

    truth = torch.load(small_root / "sim_truth.pt", weights_only=True)
    roi = np.asarray(truth["subj01"]["roi"])
    d = load_cc2017(small_root, 1)

    def pool(x):
        n, f, c, h, w = x.shape
        return x.mean(1).reshape(n, c, 8, h // 8, 8, w // 8).mean((3, 5)).reshape(n, -1)

    y_tr, y_te = pool(d.train_frames), pool(d.test_frames)
    shuffle = np.roll(np.arange(len(y_te)), 7)
    scores = {}
    for name, sel in (("early", np.isin(roi, ["V1", "V2", "V3"])), ("other", roi == "other")):
        p = Ridge(alpha=100.0).fit(d.train_fmri.mean(1)[:, sel], y_tr).predict(d.test_fmri[:, sel])
        own = np.mean([np.corrcoef(p[i], y_te[i])[0, 1] for i in range(len(p))])
        other = np.mean([np.corrcoef(p[i], y_te[shuffle[i]])[0, 1] for i in range(len(p))])
        scores[name] = own - other
    assert scores["early"] > 0.4 and abs(scores["other"]) < 0.15, scores


def test_find_key_object_rule():
    F, H = 6, 20
    masks = np.zeros((F, H, H), np.uint8)
    for f in range(F):
        masks[f, 2:6, 2 + 2 * f:6 + 2 * f] = 1      # a car moving right
        masks[f, 12:16, 12:16] = 2                  # a still dog
    cat, m = find_key_object(masks, ("background", "car", "dog"))
    assert cat == "dog"  # priority class wins even though it does not move
    cat, m = find_key_object(masks, ("background", "car", "ball"))
    assert cat == "car" and m.sum() == 6 * 16
    cat, m = find_key_object(np.zeros_like(masks), ("background", "car"))
    assert cat is None and m.sum() == 0


def test_loader_errors(tmp_path, smoke_root):
    with pytest.raises(DataError, match="neurokit data simulate cc2017"):
        load_cc2017(tmp_path / "nope", 1)
    with pytest.raises(InputError, match="available subjects"):
        load_cc2017(smoke_root, 4)


def test_simulation_is_deterministic(tmp_path):
    cfg = CC2017SimConfig(n_train=8, n_test=4, size=16, n_voxels=(40,))
    a = simulate_cc2017(tmp_path / "a", config=cfg, seed=3)
    b = simulate_cc2017(tmp_path / "b", config=cfg, seed=3)
    for name in ("subj01_train_fmri.pt", "GT_test_3fps.pt"):
        assert torch.equal(torch.load(a / name, weights_only=True), torch.load(b / name, weights_only=True))
    # byte for byte too: the checksums key the models trained on a world (the shipped world models)
    for name in sorted(p.name for p in a.iterdir()):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
