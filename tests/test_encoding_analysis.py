"""Part I analysis helpers on tiny synthetic inputs with planted answers: folds, block choice made on training
clips only, family tests over independent units, clip-level tests, no subject-level marks below four subjects."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from neurokit.errors import InputError, UnknownNameError
from neurokit.sim.regions import make_planted_regions
from neurokit.studies.encoding import connectivity, families, inference, published
from neurokit.studies.encoding.inputs import disjoint_test_folds
from neurokit.studies.encoding.layers import choose_block_per_fold, encode_blocks


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


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
    """Two ROIs: 'early' driven by block B1's features, 'late' by B2's; B3 is noise."""
    B1, B2, B3 = rng.standard_normal((n, 30)), rng.standard_normal((n, 30)), rng.standard_normal((n, 30))
    early = B1[:, :5] @ rng.standard_normal((5, 8)) + 0.8 * rng.standard_normal((n, 8))
    late = B2[:, :5] @ rng.standard_normal((5, 6)) + 0.8 * rng.standard_normal((n, 6))
    return {"B1": B1, "B2": B2, "B3": B3}, {"early": early, "late": late}


def test_encode_blocks_picks_the_planted_block(rng):
    feats, resp = _planted_blocks(rng)
    folds = disjoint_test_folds(160, n_folds=2, test_fraction=0.25, seed=0)
    enc = encode_blocks(feats, resp, folds, inner_cv=3)
    assert set(enc.scores.columns) >= {"subject", "fold", "roi", "block", "r", "inner_mse"}
    assert len(enc.scores) == 2 * 3 * 2
    c = enc.chosen
    assert (c.loc[c.roi == "early", "block"] == "B1").all() and (c.loc[c.roi == "late", "block"] == "B2").all()
    assert (c["r"] > 0.5).all()
    assert enc.predictions[""][0].shape == (40, 14)


def test_no_test_clip_enters_any_choice(rng):
    """For each outer fold, replace that fold's test clips by values that would make the noise block B3 the best
    (a scaled copy of its features); the fold's choices, per ROI and for all ROIs at once, stay the same. (The
    test clips of one fold are training clips of the others, so each fold is poisoned on its own.)"""
    feats, resp = _planted_blocks(rng)
    folds = disjoint_test_folds(160, n_folds=3, test_fraction=0.2, seed=1)
    clean = encode_blocks(feats, {"s1": resp}, folds, inner_cv=3)
    for f, (_, te) in enumerate(folds):
        poisoned = {k: v.copy() for k, v in resp.items()}
        for k in poisoned:
            poisoned[k][te] = 50.0 * feats["B3"][te][:, : poisoned[k].shape[1]]
        dirty = encode_blocks(feats, {"s1": poisoned}, folds, inner_cv=3)
        cols = ["subject", "fold", "roi", "block"]
        a, b = clean.chosen[clean.chosen.fold == f], dirty.chosen[dirty.chosen.fold == f]
        pd.testing.assert_frame_equal(a[cols].reset_index(drop=True), b[cols].reset_index(drop=True))
        ca, cb = choose_block_per_fold(clean.scores), choose_block_per_fold(dirty.scores)
        assert (ca[ca.fold == f].block.to_numpy() == cb[cb.fold == f].block.to_numpy()).all()
        sa, sb = clean.scores[clean.scores.fold == f], dirty.scores[dirty.scores.fold == f]
        np.testing.assert_allclose(sa["inner_mse"], sb["inner_mse"])
        assert not np.allclose(sa["r"], sb["r"])  # the poison did reach this fold's test scores


def test_stacked_subjects_equal_separate_fits(rng):
    feats, resp = _planted_blocks(rng)
    other = {k: v[::-1].copy() + rng.standard_normal(v.shape) for k, v in resp.items()}
    folds = disjoint_test_folds(160, n_folds=2, test_fraction=0.25, seed=0)
    both = encode_blocks(feats, {"a": resp, "b": other}, folds, inner_cv=3)
    alone = encode_blocks(feats, {"b": other}, folds, inner_cv=3)
    np.testing.assert_allclose(both.scores[both.scores.subject == "b"]["r"].to_numpy(), alone.scores["r"].to_numpy(),
                               atol=1e-10)


def test_no_subject_level_marks_below_four_subjects(rng):
    for n in (2, 3):
        res = inference.subject_test(rng.standard_normal(n) + 5, rng.standard_normal(n))
        assert res["mark"] == "" and np.isnan(res["p"])
    res = inference.subject_test(rng.standard_normal(10) + 5, rng.standard_normal(10))
    assert res["mark"] == "***"
    assert inference.mark(0.001, n_units=2, unit="subjects") == ""
    assert inference.mark(0.001, n_units=2, unit="clips") == "**"
    # the chapters' tables: two subjects, a large planted gain, no subject mark printed anywhere
    d = make_planted_regions(n_samples=200, n_features=40, voxels_per_region=5, inherit=0.7, seed=0)
    resp = {roi: d.Y[:, d.regions == roi] for roi in d.region_names[:3]}
    folds = disjoint_test_folds(200, n_folds=2, test_fraction=0.2, seed=0)
    Y, preds, labels, parts = {}, {}, {}, []
    for sub in ("s1", "s2"):
        sc, _, p, lab = connectivity.connectivity_experiment([d.X, d.X], resp, folds,
                                                             {"full, leaky": {"mode": "full", "inputs": "measured"}},
                                                             cv=3, leaky_dropout=0.0)
        preds[sub], labels[sub] = p, lab
        Y[sub] = [np.concatenate([resp[r] for r in resp], axis=1)[te] for _, te in folds]
        parts.append(sc.assign(subject=sub))
    per_subject = pd.concat(parts).groupby(["subject", "roi", "variant"], as_index=False)["r"].mean()
    t = connectivity.gain_table(Y, preds, labels, "full, leaky", 200, 0, per_subject_scores=per_subject)
    assert (t["mark_subjects"] == "").all() and t["p_subjects"].isna().all()
    assert (t["gain"] > 0).all() and (t["mark"] != "").all() and (t["unit"] == "clips").all()


def test_clip_permutation_test_statistic_and_calibration(rng):
    n, V = 40, 6
    Y = rng.standard_normal((n, V))
    good = Y + rng.standard_normal((n, V))
    bad = Y + 3 * rng.standard_normal((n, V))
    labels = np.array(["A"] * 3 + ["B"] * 3)
    t = inference.clip_permutation_test({"s": [Y]}, {"s": [bad]}, {"s": [good]}, {"s": labels},
                                        n_permutations=400, seed=0)
    from neurokit.stats import pearsonr

    r = pearsonr(Y, good) - pearsonr(Y, bad)
    np.testing.assert_allclose(t["diff"], [r[:3].mean(), r[3:].mean()], atol=1e-12)
    assert (t["p"] < 0.05).all()
    # two exchangeable predictions: p-values are not concentrated near 0
    ps = [inference.clip_permutation_test({"s": [Y]}, {"s": [Y + rng.standard_normal((n, V))]},
                                          {"s": [Y + rng.standard_normal((n, V))]}, {"s": labels},
                                          n_permutations=100, seed=k)["p"].to_numpy() for k in range(10)]
    assert np.mean(np.concatenate(ps) < 0.05) < 0.3


def _cards():
    fam = {"img_c1": ("image", "convolutional", "fully-supervised"),
           "img_c2": ("image", "convolutional", "fully-supervised"),
           "img_t1": ("image", "transformer", "self-supervised"),
           "vid_a1": ("video", "convolutional", "fully-supervised"),
           "vid_a2": ("video", "convolutional", "fully-supervised"),
           "vid_a3": ("video", "convolutional", "fully-supervised")}
    return lambda m: SimpleNamespace(modality=fam[m][0], architecture=fam[m][1], supervision=fam[m][2],
                                     streams="single", train_data="x")


def test_family_tests_over_architectures_undo_pseudo_replication(rng):
    """Three variants of one video architecture: over models Welch finds a difference, over architectures there
    is one video unit and no test; the mixed model with the architecture as random effect is far less sure."""
    models = ["img_c1", "img_c2", "img_t1", "vid_a1", "vid_a2", "vid_a3"]
    labels = families.family_labels(models, card_getter=_cards())
    rows = []
    for m, mod in zip(labels.model, labels.modality):
        rows.append({"model": m, "roi": "STS", "r": (0.30 if mod == "video" else 0.20) + 0.004 * rng.standard_normal()})
    scores = pd.DataFrame(rows)
    unit_of = {"img_c1": "a", "img_c2": "b", "img_t1": "c", "vid_a1": "v", "vid_a2": "v", "vid_a3": "v"}
    t = inference.family_test(scores, labels, "modality", ("image", "video"), unit_of).iloc[0]
    assert t.p_models < 0.01
    assert t.n_arch_b == 1 and np.isnan(t.p_architectures) and t["mark"] == ""
    old = families.family_tests(scores, labels, contrasts=["modality"]).iloc[0]
    assert old.p == pytest.approx(t.p_models)


def test_family_tests_find_planted_video_advantage_only_in_dynamic_roi(rng):
    models = ["img_c1", "img_c2", "img_t1", "vid_a1", "vid_a2", "vid_a3"]
    labels = families.family_labels(models, card_getter=_cards())
    rows = []
    for m, mod in zip(labels.model, labels.modality):
        rows.append({"model": m, "roi": "STS", "r": (0.30 if mod == "video" else 0.20) + 0.005 * rng.standard_normal()})
        rows.append({"model": m, "roi": "PPA", "r": 0.20 + 0.005 * rng.standard_normal()})
    tests = families.family_tests(pd.DataFrame(rows), labels, contrasts=["modality"])
    summ = families.effect_direction_summary(tests, dynamic_rois=["STS"]).set_index("roi")
    assert summ.loc["STS", "video_wins"] and summ.loc["STS", "p"] < 0.01
    assert not summ.loc["PPA", "video_wins"]
    table = families.paper_vs_run(tests)
    sts = table[(table.roi == "STS") & (table.contrast == "modality")].iloc[0]
    assert sts["paper a"] == 0.169 and sts["paper b"] == 0.187 and sts["run b"] > sts["run a"]


def test_backbone_groups_variants_of_one_network():
    from neurokit.features import get_card

    bb = {m: families.backbone(get_card(m)) for m in ("slow_r50_8x8.k400", "slow_r50_8x8.charades",
                                                       "slowfast_r50_8x8.k400", "slowfast_r50_8x8.charades",
                                                       "vit_b16.augreg_in1k", "dino_vit_b16.in1k", "x3d_xs.k400",
                                                       "x3d_s.k400", "resnet50.tv_in1k")}
    assert bb["slow_r50_8x8.k400"] == bb["slow_r50_8x8.charades"]
    assert bb["slowfast_r50_8x8.k400"] == bb["slowfast_r50_8x8.charades"]
    assert bb["vit_b16.augreg_in1k"] == bb["dino_vit_b16.in1k"]
    assert len({bb["x3d_xs.k400"], bb["x3d_s.k400"], bb["resnet50.tv_in1k"], bb["slow_r50_8x8.k400"]}) == 4


def test_published_values_are_well_formed():
    assert published.FIG5C.shape == (9, 9) and published.FIG5C.max() <= 1.0
    f3 = published.table("fig3")
    assert len(f3) == 27 and set(f3.mark) <= {"ns", "*", "**", "***"}
    assert len(published.table("fig2")) == 5 + 4 + 7 + 7
    a = published.table("fig5a")
    assert (a["gain"] > 0).all()  # every published connectivity bar is above its base bar
    for name in ("fig2", "fig3", "fig4a", "fig4b", "fig4c", "fig5a", "fig5b", "fig6ac", "fig6d"):
        assert "source" in published.table(name).columns, name
    six = published.fig6ac_pairs()
    assert set(six.pair) == set(published.FIG6AC) and (six.video.dropna() > six.image.dropna()).all()
    counts = published.roi_voxel_counts()
    assert counts["LOC"] > 1000 and len(counts) == 9
    with pytest.raises(UnknownNameError):
        published.table("fig9")


def test_fig5c_follows_source_size():
    """The analysis of the paper's matrix: column means vs 1/voxel count, with an exact permutation p."""
    from neurokit.studies.encoding.identifiability import size_analysis

    a = size_analysis(published.FIG5C, published.roi_voxel_counts().to_numpy())
    assert a["r"] > 0.95 and a["p_perm"] < 0.01
    # a matrix whose columns are exactly 1/size gives r = 1 and the smallest possible p
    sizes = np.arange(1, 10) * 10.0
    M = np.tile(1 / sizes, (9, 1))
    b = size_analysis(M, sizes)
    assert b["r"] == pytest.approx(1.0) and b["p_perm"] == pytest.approx(2 / 362880, rel=0.5)


def test_connectivity_experiment_runs_variants_and_shows_leak():
    d = make_planted_regions(n_samples=300, n_features=100, voxels_per_region=6, seed=0)
    resp = {roi: d.Y[:, d.regions == roi] for roi in d.region_names}
    folds = disjoint_test_folds(300, n_folds=2, test_fraction=0.2, seed=0)
    scores, weights, preds, labels = connectivity.connectivity_experiment([d.X, d.X], resp, folds,
                                                                          connectivity.VARIANTS, cv=3)
    assert set(scores.variant) == {"base", *connectivity.VARIANTS}
    assert weights["full"][0]["weights"].shape == (9, 9)
    mean = scores.groupby("variant")["r"].mean()
    assert mean["full, leaky"] > mean["full"] + 0.05
    assert preds["full"][0].shape == (60, 54)


def test_full_encoder_gain_does_not_depend_on_the_region_labels():
    """The label-permutation control: the full encoder maps every voxel to every voxel, so regrouping voxels
    into random regions of the same sizes leaves its predictions unchanged; the intra encoder changes. And a
    refit on shared base predictions equals a fresh fit."""
    from neurokit.connectivity import ConnectivityEncoder

    d = make_planted_regions(n_samples=200, n_features=40, voxels_per_region=5, seed=1)
    perm = np.random.default_rng(0).permutation(d.regions)
    enc = ConnectivityEncoder(cv=3).fit(d.X, d.Y, d.regions)
    np.testing.assert_allclose(enc.refit(regions=perm).predict(d.X), enc.predict(d.X), atol=1e-10)
    intra = enc.refit(mode="intra")
    assert not np.allclose(intra.predict(d.X), enc.refit(regions=perm, mode="intra").predict(d.X))
    fresh = ConnectivityEncoder(cv=3, mode="intra").fit(d.X, d.Y, d.regions)
    np.testing.assert_allclose(intra.predict(d.X), fresh.predict(d.X), atol=1e-10)
    leaky = enc.refit(inputs="measured", dropout=0.5)
    fresh = ConnectivityEncoder(cv=3, inputs="measured", dropout=0.5).fit(d.X, d.Y, d.regions)
    np.testing.assert_allclose(leaky.coef_, fresh.coef_, atol=1e-10)
    with pytest.raises(InputError, match="refit cannot change"):
        enc.refit(cv=4)
    # the experiment's relabeled scores: full is absent (nothing to control), intra differs from the true one
    resp = {roi: d.Y[:, d.regions == roi] for roi in d.region_names}
    folds = disjoint_test_folds(200, n_folds=2, test_fraction=0.2, seed=0)
    true = np.concatenate([[r] * resp[r].shape[1] for r in resp])
    sc, *_ = connectivity.connectivity_experiment([d.X, d.X], resp, folds, {"intra": {"mode": "intra"}}, cv=3,
                                                  relabelings={"p1": (perm[np.argsort(np.argsort(true))], ("intra",))})
    assert set(sc["labels"]) == {"true", "p1"}


def test_settings_validate_and_accept_overrides():
    s = families.settings("embedded", n_clips=100)
    assert s.n_clips == 100 and s.profile == "embedded"
    assert families.settings("embedded", n_clips=None).n_clips == 300
    with pytest.raises(UnknownNameError):
        families.settings("embedded", n_clip=3)
    with pytest.raises(InputError):
        families.settings("embedded", n_folds=0)
    with pytest.raises(UnknownNameError):
        families.settings("nope")


def test_eq1_per_roi_from_one_fit_equals_the_shared_encoder_per_roi(rng):
    """layer_weighted fits Eq. 1 for every ROI from one multi-output LayerWeightedEncoder; per ROI it must equal
    LayerWeightedEncoder(layer_weights="shared") fitted on that ROI alone."""
    from neurokit.regression import LayerWeightedEncoder
    from neurokit.studies.encoding.layers import reduce_block
    from neurokit.studies.encoding.open_questions import layer_weighted

    feats, resp = _planted_blocks(rng)
    folds = disjoint_test_folds(160, n_folds=2, test_fraction=0.25, seed=0)
    scores, preds, weights = layer_weighted(feats, {"s": resp}, folds, inner_cv=3, n_components=10)
    train, test = folds[0]
    red = {b: reduce_block(X, folds, 10, 0)[0] for b, X in feats.items()}
    one = LayerWeightedEncoder(cv=3, inner_cv=3, layer_weights="shared").fit(
        {b: v[0] for b, v in red.items()}, resp["late"][train])
    np.testing.assert_allclose(preds["s"][0][:, 8:], one.predict({b: v[1] for b, v in red.items()}), atol=1e-8)
    w = weights[(weights.fold == 0) & (weights.roi == "late")].set_index("block")["omega"]
    np.testing.assert_allclose(w.to_numpy(), one.layer_weights_, atol=1e-8)
    assert w["B2"] > w["B1"] and w["B2"] > w["B3"]  # Eq. 1 puts its weight on the planted block


def test_result_cache_round_trips_tables_and_arrays_and_computes_once():
    from neurokit.studies.encoding import _cache

    calls = []

    def compute():
        calls.append(1)
        return {"t": pd.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"], "b": [True, False]}),
                "m": {("C", "est"): np.eye(2)}, "l": [np.arange(3)]}

    a = _cache.cached("test_kind", {"k": 1}, compute)
    b = _cache.cached("test_kind", {"k": 1}, compute)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(a["t"], b["t"])
    np.testing.assert_array_equal(b["m"][("C", "est")], np.eye(2))
    np.testing.assert_array_equal(b["l"][0], np.arange(3))
    _cache.cached("test_kind", {"k": 2}, compute)
    assert len(calls) == 2
