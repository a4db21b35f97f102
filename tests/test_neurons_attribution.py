"""Voxel attribution of the NEURONS heads: exact on linear maps, per clip, refused where clips interact."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.errors import InputError, UnknownNameError
from neurokit.neurons.attribution import voxel_attribution
from neurokit.neurons.model import NeuronsModel, create_config
from neurokit.neurons.train import limit_threads


@pytest.fixture(autouse=True)
def _one_thread():
    with limit_threads(1):
        yield


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    cfg = create_config("tiny", n_voxels=(30,), n_concepts=5, batch_coupled=False, use_prior=False)
    return NeuronsModel(cfg).eval()


def test_matches_the_jacobian_column_norms(model):
    """The probe estimate converges to the mean squared Jacobian column norm (computed exactly here)."""
    x = torch.randn(3, 30)
    est = voxel_attribution(model, x.numpy(), heads=("cls",), n_probes=400, batch_size=3, seed=0)["cls"]
    jac = torch.stack([torch.autograd.functional.jacobian(lambda v: model.concepts(model.motion(model.encode(v[None])))[0], xi)
                       for xi in x])  # (3, K, V)
    exact = (jac ** 2).sum(1).mean(0).numpy() / jac.shape[1]
    assert np.corrcoef(est, exact)[0, 1] > 0.95
    np.testing.assert_allclose(est.sum(), exact.sum(), rtol=0.15)


def test_a_voxel_the_model_ignores_gets_nothing(model):
    with torch.no_grad():
        saved = model.ridge.linears[0].weight[:, 7].clone()
        model.ridge.linears[0].weight[:, 7] = 0
    try:
        out = voxel_attribution(model, np.random.default_rng(0).normal(size=(4, 30)), n_probes=2, batch_size=2)
    finally:
        with torch.no_grad():
            model.ridge.linears[0].weight[:, 7] = saved
    assert set(out) == {"seg", "cls", "txt", "rec"}
    for h, a in out.items():
        assert a[7] == 0 and (np.delete(a, 7) > 0).all(), h


def test_clips_are_independent_and_coupling_is_refused(model):
    x = np.random.default_rng(1).normal(size=(4, 30))
    a = voxel_attribution(model, x, heads=("cls",), n_probes=300, batch_size=4, seed=2)["cls"]
    b = voxel_attribution(model, x, heads=("cls",), n_probes=300, batch_size=1, seed=3)["cls"]
    assert np.corrcoef(a, b)[0, 1] > 0.9  # one estimand whatever the batching (other probes, same limit)
    model.text_seg_dec.batch_coupled = True
    try:
        with pytest.raises(InputError, match="per-sample"):
            voxel_attribution(model, x)
    finally:
        model.text_seg_dec.batch_coupled = False
    with pytest.raises(UnknownNameError, match="subtask head"):
        voxel_attribution(model, x, heads=("smell",))
