"""Simulated cc2017 and its loader."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.data.cc2017 import load_cc2017
from neurokit.errors import DataError, InputError
from neurokit.sim.cc2017 import PROFILES, find_key_object, simulate_cc2017


@pytest.fixture(scope="module")
def smoke_root(tmp_path_factory):
    return simulate_cc2017(tmp_path_factory.mktemp("cc2017"), "smoke", seed=0)


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


def test_fmri_carries_the_planted_signal(smoke_root):
    truth = torch.load(smoke_root / "sim_truth.pt", weights_only=True)
    d = load_cc2017(smoke_root, 1)
    W = truth["subj01"]["W"].numpy()
    pred = truth["z_test"].numpy() @ W
    inf = truth["subj01"]["informative"].numpy()
    # test average of 10 repeats correlates with the planted signal on informative voxels, not elsewhere
    r = [np.corrcoef(pred[:, v], d.test_fmri[:, v])[0, 1] for v in np.flatnonzero(inf)[:50]]
    r0 = [np.corrcoef(pred[:, v] if pred[:, v].std() > 0 else np.random.rand(len(pred)), d.test_fmri[:, v])[0, 1]
          for v in np.flatnonzero(~inf)[:50]]
    assert np.mean(r) > 0.5 and abs(np.mean(r0)) < 0.15
    # repetition noise independent: train repeats correlate only through the signal
    assert np.corrcoef(d.train_fmri[:, 0, inf].ravel(), d.train_fmri[:, 1, inf].ravel())[0, 1] > 0.1


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
        load_cc2017(smoke_root, 3)


def test_simulation_is_deterministic(tmp_path):
    from neurokit.sim.cc2017 import CC2017SimConfig
    cfg = CC2017SimConfig(n_train=8, n_test=4, size=16, n_voxels=(20,))
    a = simulate_cc2017(tmp_path / "a", config=cfg, seed=3)
    b = simulate_cc2017(tmp_path / "b", config=cfg, seed=3)
    for name in ("subj01_train_fmri.pt", "GT_test_3fps.pt"):
        assert torch.equal(torch.load(a / name, weights_only=True), torch.load(b / name, weights_only=True))
