"""The layer-weighted encoder (Eq. 1) recovers planted layer structure and beats the best single layer on mixtures."""
import numpy as np
import pytest

from neurokit.errors import InputError
from neurokit.regression import LayerWeightedEncoder, RidgeCV
from neurokit.stats import pearsonr

ALPHAS = np.logspace(-2, 4, 7)


def _layers(rng, n=300, mix=(1.0, 0.0, 0.0), v=12, noise=1.0):
    p = (10, 15, 8)
    Xs = {f"block{i}": rng.standard_normal((n, q)) for i, q in enumerate(p)}
    Y = sum(m * X @ rng.standard_normal((X.shape[1], v)) / np.sqrt(X.shape[1])
            for m, X in zip(mix, Xs.values()))
    return Xs, Y + noise * rng.standard_normal((n, v)) + 1.5


def _best_single_layer(Xs, Y):
    """The block with the lowest inner-CV error (the usual alternative to Eq. 1), refitted: (name, model)."""
    fits = {k: RidgeCV(alphas=ALPHAS).fit(X, Y) for k, X in Xs.items()}
    name = min(fits, key=lambda k: fits[k].cv_scores_.min(0).mean())
    return name, fits[name]


def test_layer_weights_find_the_planted_layer(rng):
    Xs, Y = _layers(rng, mix=(0.0, 1.5, 0.0))
    enc = LayerWeightedEncoder(alphas=ALPHAS).fit(Xs, Y)
    w = enc.layer_weights_
    assert w.shape == (3,) and (w >= 0).all()
    assert w[1] > 0.8 and w[0] < 0.1 and w[2] < 0.1
    assert enc.coef_.shape == (12, 33)
    # predict is literally Eq. 1: Σ_l ω_l (W_l X_l) + c
    manual = sum(w[i] * m.predict(X) for i, (m, X) in enumerate(zip(enc.layer_models_, Xs.values())))
    np.testing.assert_allclose(enc.predict(Xs) - manual, np.broadcast_to(enc.predict(Xs)[0] - manual[0], manual.shape),
                               atol=1e-10)
    assert _best_single_layer(Xs, Y)[0] == "block1"


def test_mixture_of_layers_beats_best_single_layer(rng):
    Xs, Y = _layers(rng, n=500, mix=(1.0, 1.0, 0.0))
    tr, te = slice(0, 400), slice(400, None)
    Xtr = {k: v[tr] for k, v in Xs.items()}
    Xte = {k: v[te] for k, v in Xs.items()}
    lw = LayerWeightedEncoder(alphas=ALPHAS).fit(Xtr, Y[tr])
    name, bl = _best_single_layer(Xtr, Y[tr])
    r_lw = pearsonr(Y[te], lw.predict(Xte)).mean()
    r_bl = pearsonr(Y[te], bl.predict(Xte[name])).mean()
    assert r_lw > r_bl + 0.05
    assert lw.layer_weights_[0] > 0.5 and lw.layer_weights_[1] > 0.5 and lw.layer_weights_[2] < 0.15
    # per-target weights and one layer == a plain RidgeCV up to the (non-negative) scale ω
    pt = LayerWeightedEncoder(alphas=ALPHAS, layer_weights="per_target").fit(Xtr, Y[tr])
    assert pt.layer_weights_.shape == (3, 12)
    one = LayerWeightedEncoder(alphas=ALPHAS).fit([Xtr["block0"]], Y[tr])
    ridge = RidgeCV(alphas=ALPHAS).fit(Xtr["block0"], Y[tr])
    np.testing.assert_allclose(one.coef_, one.layer_weights_[0] * ridge.coef_, rtol=1e-10)


def test_layer_input_errors(rng):
    Xs, Y = _layers(rng, n=60)
    with pytest.raises(InputError, match="same number of samples"):
        LayerWeightedEncoder().fit({"a": Xs["block0"], "b": Xs["block1"][:50]}, Y)
    with pytest.raises(InputError, match="rows"):
        LayerWeightedEncoder().fit(Xs, Y[:50])
    enc = LayerWeightedEncoder(alphas=ALPHAS).fit(Xs, Y)
    with pytest.raises(InputError, match="do not match"):
        enc.predict({"x": Xs["block0"]})
