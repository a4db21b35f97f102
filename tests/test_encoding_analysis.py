"""Part I analysis helpers on tiny synthetic inputs with planted answers."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from neurokit.sim.regions import make_planted_regions
from neurokit.studies.encoding import (
    best_block,
    connectivity_experiment,
    disjoint_test_folds,
    effect_direction_summary,
    family_labels,
    family_tests,
    layer_scores,
    paired_gains,
    paper_values,
    paper_vs_run,
    permutation_null,
)
from neurokit.errors import InputError, UnknownNameError


def test_disjoint_folds():
    folds = disjoint_test_folds(1000, n_folds=4, test_fraction=0.1, seed=3)
    tests = [set(te.tolist()) for _, te in folds]
    assert all(len(t) == 100 for t in tests)
    assert all(not (a & b) for i, a in enumerate(tests) for b in tests[i + 1:])
    for tr, te in folds:
        assert len(tr) == 900 and not set(tr.tolist()) & set(te.tolist())
    again = disjoint_test_folds(1000, n_folds=4, test_fraction=0.1, seed=3)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, again))
    with pytest.raises(InputError, match="disjoint"):
        disjoint_test_folds(100, n_folds=4, test_fraction=0.3)


def _planted_blocks(rng, n=160):
    """Two ROIs: 'early' driven by block B1's features, 'late' by B2's."""
    B1, B2 = rng.standard_normal((n, 30)), rng.standard_normal((n, 30))
    early = B1[:, :5] @ rng.standard_normal((5, 8)) + 0.8 * rng.standard_normal((n, 8))
    late = B2[:, :5] @ rng.standard_normal((5, 6)) + 0.8 * rng.standard_normal((n, 6))
    return {"B1": B1, "B2": B2}, {"early": early, "late": late}


def test_layer_scores_and_best_block_pick_the_planted_block(rng):
    feats, resp = _planted_blocks(rng)
    folds = disjoint_test_folds(160, n_folds=2, test_fraction=0.25, seed=0)
    df = layer_scores(feats, resp, folds, inner_cv=3)
    assert set(df.columns) >= {"block", "fold", "roi", "r", "inner_mse"} and len(df) == 2 * 2 * 2
    best = best_block(df)
    assert (best.loc[best.roi == "early", "block"] == "B1").all()
    assert (best.loc[best.roi == "late", "block"] == "B2").all()
    assert (best["r"] > 0.5).all()


def test_encoding_loops_run_single_threaded_and_restore_the_pools(rng, monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    from neurokit.studies.encoding import _layers

    seen = []
    real_ridge = _layers.RidgeCV

    def spy(*args, **kwargs):
        seen.append([p["num_threads"] for p in threadpool_info()])
        return real_ridge(*args, **kwargs)

    monkeypatch.setattr(_layers, "RidgeCV", spy)
    feats, resp = _planted_blocks(rng)
    folds = disjoint_test_folds(160, n_folds=2, test_fraction=0.25, seed=0)
    with threadpool_limits(limits=2):
        before = [p["num_threads"] for p in threadpool_info()]
        layer_scores(feats, resp, folds, inner_cv=3)
        after = [p["num_threads"] for p in threadpool_info()]
    assert seen and all(n == 1 for threads in seen for n in threads)  # every fit ran on one thread
    assert after == before  # the caller's pools are given back


def test_permutation_null_is_near_zero(rng):
    feats, resp = _planted_blocks(rng)
    folds = disjoint_test_folds(160, n_folds=2, test_fraction=0.25, seed=0)
    null = permutation_null(feats["B1"], {"early": resp["early"]}, folds, n_permutations=4, inner_cv=3)
    assert abs(null["r"].mean()) < 0.1
    real = layer_scores({"B1": feats["B1"]}, {"early": resp["early"]}, folds, inner_cv=3)["r"].mean()
    assert real > null["r"].max() + 0.3


def _cards():
    fam = {"img_c1": ("image", "convolutional", "fully-supervised"),
           "img_c2": ("image", "convolutional", "fully-supervised"),
           "img_t1": ("image", "transformer", "self-supervised"),
           "vid_c1": ("video", "convolutional", "fully-supervised"),
           "vid_c2": ("video", "convolutional", "fully-supervised"),
           "vid_t1": ("video", "transformer", "self-supervised")}
    return lambda m: SimpleNamespace(modality=fam[m][0], architecture=fam[m][1], supervision=fam[m][2],
                                     streams="single", train_data="x")


def test_family_tests_find_planted_video_advantage_only_in_dynamic_roi(rng):
    labels = family_labels(["img_c1", "img_c2", "img_t1", "vid_c1", "vid_c2", "vid_t1"], card_getter=_cards())
    rows = []
    for m, mod in zip(labels.model, labels.modality):
        for rep in range(5):  # five noisy "subjects" per model, averaged below
            rows.append({"model": m, "roi": "STS", "r": (0.30 if mod == "video" else 0.20) + 0.005 * rng.standard_normal()})
            rows.append({"model": m, "roi": "PPA", "r": 0.20 + 0.005 * rng.standard_normal()})
    scores = pd.DataFrame(rows).groupby(["model", "roi"], as_index=False)["r"].mean()
    tests = family_tests(scores, labels, contrasts=["modality"])
    summ = effect_direction_summary(tests, dynamic_rois=["STS"]).set_index("roi")
    assert summ.loc["STS", "video_wins"] and summ.loc["STS", "p"] < 0.01
    assert not summ.loc["PPA", "video_wins"]
    assert {"p_fdr", "mark_fdr"} <= set(tests.columns)
    table = paper_vs_run(tests)
    sts = table[(table.roi == "STS") & (table.contrast == "modality")].iloc[0]
    assert sts["paper a"] == 0.169 and sts["paper b"] == 0.187 and sts["run b"] > sts["run a"]


def test_paper_values_are_well_formed():
    assert paper_values.FIG5C.shape == (9, 9) and paper_values.FIG5C.max() <= 1.0
    f3 = paper_values.table("fig3")
    assert len(f3) == 27 and set(f3.mark) <= {"ns", "*", "**", "***"}
    assert len(paper_values.table("fig2")) == 5 + 4 + 7 + 7
    a = paper_values.table("fig5a")
    assert (a["gain"] > 0).all()  # every published connectivity bar is above its base bar
    with pytest.raises(UnknownNameError):
        paper_values.table("fig9")


def test_connectivity_experiment_runs_variants_and_shows_leak():
    d = make_planted_regions(n_samples=300, n_features=100, voxels_per_region=6, seed=0)
    resp = {roi: d.Y[:, d.regions == roi] for roi in d.region_names}
    folds = disjoint_test_folds(300, n_folds=2, test_fraction=0.2, seed=0)
    scores, weights = connectivity_experiment(d.X, resp, folds, cv=3)
    assert set(scores.variant) == {"base", "full", "intra", "inter", "full, leaky (measured inputs)"}
    assert weights["full"].shape == (2, 9, 9)
    mean = scores.groupby("variant")["r"].mean()
    assert mean["full, leaky (measured inputs)"] > mean["full"] + 0.05
    scores["subject"] = scores["fold"]
    g = paired_gains(scores, "full, leaky (measured inputs)")
    assert len(g) == 9 and (g["gain"] > 0).mean() > 0.8


def test_target_experiment_excludes_target_and_ranks_the_twin_first(rng):
    from neurokit.studies.encoding import target_experiment

    n = 120
    base = rng.standard_normal((n, 20))
    feats = {
        "target": {"B1": base @ rng.standard_normal((20, 30))},
        "twin": {"B1": base @ rng.standard_normal((20, 25)) + 0.1 * rng.standard_normal((n, 25))},
        "stranger": {"B1": rng.standard_normal((n, 25))},
    }
    folds = disjoint_test_folds(n, n_folds=2, test_fraction=0.2, seed=0)
    out = target_experiment("target", feats, folds, n_target_components=5, inner_cv=3)
    assert "target" not in set(out.model)
    r = out.set_index("model")["r"]
    assert r["twin"] > 0.8 and r["stranger"] < 0.3
    with pytest.raises(InputError, match="no features"):
        target_experiment("nope", feats, folds)


def test_noise_normalised_comparison_reaches_one_for_a_perfect_model(rng):
    """A linear world the base model learns almost exactly: its noise-normalised r is close to 1 (the raw r
    is limited by the repeat noise alone), and the ceiling reported is the one planted."""
    from neurokit.studies.encoding import noise_normalised_comparison

    n_tr, n_te, p, reps, sd = 600, 200, 10, 10, 2.0
    X = rng.standard_normal((n_tr + n_te, p))
    sig = {r: X @ rng.standard_normal((p, 15)) for r in ("A", "B")}
    sig = {r: (s - s.mean(0)) / s.std(0) for r, s in sig.items()}
    train = {r: s[:n_tr] + sd / np.sqrt(3) * rng.standard_normal((n_tr, 15)) for r, s in sig.items()}
    test = {r: s[n_tr:, None, :] + sd * rng.standard_normal((n_te, reps, 15)) for r, s in sig.items()}
    df = noise_normalised_comparison(X[:n_tr], train, X[n_tr:], test, cv=3, min_nc=0.0).set_index("roi")
    planted_nc = 100 / (1 + sd**2 / reps)   # ncsnr = 1/sd, NC% = 100 ncsnr^2 / (ncsnr^2 + 1/n)
    assert np.allclose(df["nc_mean"], planted_nc, atol=5)
    assert np.all(np.abs(df["base"] - 1) < 0.08), df
    assert np.all(df["n_voxels"] == 15)
