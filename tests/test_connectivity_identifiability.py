"""What region weights can identify: the paper's model is a symmetric projector; the instrumented encoder recovers
a planted directed matrix and follows its transpose; trial residuals find the undirected graph only."""
from __future__ import annotations

import numpy as np
import pytest

from neurokit.connectivity import (ConnectivityEncoder, InstrumentedCouplingEncoder, coupling_metrics,
                                   matrix_agreement, trial_coupling)
from neurokit.errors import InputError
from neurokit.regression import RidgeCV
from neurokit.sim.brain import connectivity_matrix
from neurokit.sim.regions import make_instrumented_regions, make_planted_regions

C = connectivity_matrix()


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _fit(world, seed=0):
    return InstrumentedCouplingEncoder(cv=5, random_state=seed).fit(world.shared, world.Y, world.regions, world.own)


@pytest.fixture(scope="module")
def planted_and_transposed():
    worlds = {k: make_instrumented_regions(M, n_samples=500, voxels_per_region=8, seed=3)
              for k, M in (("C", C), ("CT", C.T))}
    return worlds, {k: _fit(w) for k, w in worlds.items()}


def test_instrumented_world_has_disjoint_instruments_without_linear_part():
    w = make_instrumented_regions(C, n_samples=400, voxels_per_region=4, seed=0)
    X1 = np.column_stack([np.ones(len(w.shared)), w.shared])
    for name, F in w.own.items():
        beta = np.linalg.lstsq(X1, F, rcond=None)[0]
        assert np.abs(X1 @ beta).max() < 1e-8, name  # no part linear in the shared features
        assert np.allclose(F.mean(0), 0) and np.allclose(F.std(0), 1)
    t = make_instrumented_regions(C.T, n_samples=400, voxels_per_region=4, seed=0)
    # the transposed world differs in the coupling only: same features, drives and nuisance parameters
    np.testing.assert_array_equal(w.shared, t.shared)
    np.testing.assert_array_equal(w.drive, t.drive)
    np.testing.assert_array_equal(w.noise_sd, t.noise_sd)
    assert not np.allclose(w.signal, t.signal)
    with pytest.raises(InputError, match="n_shared"):
        make_instrumented_regions(C, n_shared=10)


def test_instrumented_encoder_recovers_the_planted_directed_matrix(planted_and_transposed):
    worlds, encs = planted_and_transposed
    m = coupling_metrics(encs["C"].coupling_, C)
    assert m["directed_r"] > 0.85, m
    assert m["auc"] > 0.95 and m["direction_accuracy"] >= 0.9, m
    assert np.all(np.diag(encs["C"].coupling_) == 0)


def test_instrumented_encoder_follows_the_transpose(planted_and_transposed):
    worlds, encs = planted_and_transposed
    W = encs["CT"].coupling_
    assert matrix_agreement(W, C.T) > 0.85
    assert matrix_agreement(W, C) < 0.3  # it does not keep the original direction
    edges = [(r, s) for r in range(9) for s in range(9) if C[r, s] > 0]
    a = [encs["C"].coupling_[r, s] - encs["C"].coupling_[s, r] for r, s in edges]
    b = [W[r, s] - W[s, r] for r, s in edges]
    assert np.all(np.sign(a) == -np.sign(b))  # every edge's direction reverses with the coupling


def test_instrumented_encoder_predicts_held_out_clips_better_than_its_base():
    w = make_instrumented_regions(C, n_samples=500, voxels_per_region=8, seed=5)
    tr, te = np.arange(440), np.arange(440, 500)
    own = {k: v[tr] for k, v in w.own.items()}
    enc = InstrumentedCouplingEncoder(cv=5).fit(w.shared[tr], w.Y[tr], w.regions, own)
    own_te = {k: v[te] for k, v in w.own.items()}
    full = np.mean(list(enc.score_regions(w.shared[te], own_te, w.Y[te]).values()))
    base = np.mean(list(enc.score_regions(w.shared[te], own_te, w.Y[te], base=True).values()))
    assert full > base


def test_instrumented_encoder_errors_are_clear():
    w = make_instrumented_regions(C, n_samples=60, voxels_per_region=2, seed=0)
    with pytest.raises(InputError, match="own features missing"):
        InstrumentedCouplingEncoder(cv=3).fit(w.shared, w.Y, w.regions, {"V1": w.own["V1"]})
    with pytest.raises(InputError, match="one label per voxel"):
        InstrumentedCouplingEncoder(cv=3).fit(w.shared, w.Y, w.regions[:-1], w.own)
    with pytest.raises(InputError, match="cross-fitting"):
        InstrumentedCouplingEncoder(cv=1).fit(w.shared, w.Y, w.regions, w.own)


def test_paper_model_on_predicted_voxels_is_a_symmetric_projector():
    """Noise-free, in sample, without penalty or standardisation: A = (P_X Y)⁺ P_X Y, the orthogonal projector
    onto the row space of the predicted voxels: symmetric, idempotent, rank = number of features; its region
    weights are symmetric whatever the planted direction, so they cannot recover it."""
    d = make_planted_regions(n_samples=300, n_features=25, voxels_per_region=6, planted=C, noise=0.0, seed=2)
    tiny = [1e-10]
    enc = ConnectivityEncoder(base_estimator=RidgeCV(alphas=tiny, cv="loo"), inputs="insample", alphas=tiny,
                              standardize=False).fit(d.X, d.signal, d.regions)
    A = enc.coef_
    scale = np.abs(A).max()
    assert np.abs(A - A.T).max() < 1e-6 * scale
    assert np.abs(A @ A - A).max() < 1e-6 * scale
    assert round(np.trace(A)) == 25
    m = coupling_metrics(enc.region_weights_raw_, C)
    assert m["symmetry"] > 0.999
    W = enc.region_weights_raw_
    off = ~np.eye(9, dtype=bool)
    np.testing.assert_allclose(W[off], W.T[off], rtol=1e-6)  # the same weight both ways: no direction
    # and the same world with the coupling reversed gives the same kind of matrix: symmetric again
    dt = make_planted_regions(n_samples=300, n_features=25, voxels_per_region=6, planted=C.T, noise=0.0, seed=2)
    Wt = ConnectivityEncoder(base_estimator=RidgeCV(alphas=tiny, cv="loo"), inputs="insample", alphas=tiny,
                             standardize=False).fit(dt.X, dt.signal, dt.regions).region_weights_raw_
    np.testing.assert_allclose(Wt[off], Wt.T[off], rtol=1e-6)


def test_trial_residuals_find_the_undirected_graph_but_not_its_direction():
    out = {}
    for k, M in (("C", C), ("CT", C.T), ("S", (C + C.T) / 2)):
        w = make_instrumented_regions(M, n_samples=600, voxels_per_region=12, seed=1)
        out[k] = trial_coupling(w.trials, w.regions)[1]
    assert matrix_agreement(out["C"], C, undirected=True) > 0.6
    edges = [(r, s) for r in range(9) for s in range(9) if C[r, s] > 0]
    asym = {k: np.array([W[r, s] - W[s, r] for r, s in edges]) for k, W in out.items()}
    # the direction it reads is the same whether the coupling runs one way, the other, or both
    assert np.mean(np.sign(asym["C"]) != np.sign(asym["CT"])) < 0.3
    assert np.mean(np.sign(asym["C"]) != np.sign(asym["S"])) < 0.3


def test_coupling_metrics_on_exact_matrices():
    m = coupling_metrics(C, C)
    assert m["directed_r"] == pytest.approx(1.0) and m["auc"] == 1.0 and m["direction_accuracy"] == 1.0
    mt = coupling_metrics(C.T, C)
    assert mt["direction_accuracy"] == 0.0 and mt["undirected_r"] == pytest.approx(1.0)
    with pytest.raises(InputError):
        coupling_metrics(np.zeros((3, 3)), C)
