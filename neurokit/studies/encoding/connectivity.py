"""Part I.4: the paper's inter/intra-region connectivity encoder in the profile's world (Figs. 5 and 6).

* Fig. 5a/5b: base encoder vs the leak-free connectivity encoder (``full``, ``intra``, ``inter``, zero
  diagonal) and the leaky reading (measured responses as inputs), per ROI, for two base models; each gain tested
  by a paired permutation over test clips (:mod:`neurokit.studies.encoding.inference`), and against a
  **region-label permutation** control (voxels regrouped at random into regions of the same sizes).
* Fig. 5c: region-weight matrices beside the planted coupling, and a **transposed-world** control: the same world
  re-drawn with ``Cᵀ`` (:func:`neurokit.sim.brain.resimulate_responses`), to see whether each estimator's matrix
  follows the transpose; and the same world without coupling, where a gain that remains is not connectivity.
  A noise-free check shows the projector: the paper's map on predicted voxels is symmetric.
* Fig. 6a–c: an image and a video base model, both with connectivity, per ROI: within one architecture
  (ResNet-50 vs a Slow/I3D-R50 video network) beside the paper's confounded pair (ResNet-50 vs SlowFast).
* Fig. 6d: BOLD Moments, official split, noise-normalised correlation.

Every base block is chosen per outer fold from that fold's training clips
(:func:`~neurokit.studies.encoding.layers.choose_block_per_fold`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurokit.connectivity import ConnectivityEncoder, coupling_metrics, residual_coupling
from neurokit.errors import InputError
from neurokit.regression import RidgeCV, standardize_reduce
from neurokit.stats import ncsnr, noise_ceiling_from_ncsnr
from neurokit.studies.encoding import _cache, _settings, inference
from neurokit.studies.encoding.inputs import disjoint_test_folds, load_inputs
from neurokit.studies.encoding.layers import (check_scheduler, choose_block_per_fold, encode_model, encode_models,
                                              reduce_block, single_threaded, stack_rois)

__all__ = ["Settings", "settings", "ConnectivityResult", "run", "VARIANTS", "connectivity_experiment",
           "noise_normalised_comparison", "gain_table", "world_controls", "projector_check"]

#: Variants of the main base model (name → ConnectivityEncoder arguments; the leaky dropout is set in run()).
VARIANTS = {
    "full": {"mode": "full"},
    "intra": {"mode": "intra"},
    "inter": {"mode": "inter"},
    "full, zero diagonal": {"mode": "full", "zero_diagonal": True},
    "full, leaky": {"mode": "full", "inputs": "measured"},
}


@dataclass(frozen=True)
class Settings:
    """Settings of the connectivity chapter.

    Attributes
    ----------
    profile : str
    seed : int
    base_model : str
        The main base model (the paper's MViT-B).
    second_model : str
        The other base model of Fig. 5a (the paper's SlowFast).
    image_model, same_arch_video : str
        Fig. 6a–c: an image model, and a video model of the same architecture (ResNet-50 vs Slow/I3D-R50); the
        paper's confounded pair is ``image_model`` vs ``second_model``.
    n_subjects, n_clips, n_folds, test_fraction, inner_cv, n_components : see the families settings
        (the same values let this chapter reuse the family chapter's block encodings from the cache).
    crossfit_cv : int
        Folds of the cross-fitted base predictions inside each training split.
    leaky_dropout : float
        Dropout of the leaky reading (the paper's hint that dropout "alleviates" the identity shortcut).
    coupling_components : int
        Components per region of the residual-coupling reading.
    n_permutations : int
        Clip permutations per test.
    n_label_permutations : int
        Random regroupings of voxels for the region-label control.
    bmd_model : str
        Base model of Fig. 6d (BOLD Moments).
    bmd_min_nc : float
        Noise-ceiling threshold (percent) of Fig. 6d.
    n_jobs : int
        Worker processes for the per-model, per-subject experiments.
    scheduler : str
        Where the base models' block encodings run (see
        :func:`neurokit.studies.encoding.layers.encode_models`): ``"joblib"``, ``"sequential"``, ``"dask"`` or the
        address of a running Dask scheduler.
    """

    profile: str
    seed: int = 0
    base_model: str = "x3d_s.k400"
    second_model: str = "slowfast_r50_8x8.k400"
    image_model: str = "resnet50.tv_in1k"
    same_arch_video: str = "slow_r50_8x8.k400"
    n_subjects: int = 0
    n_clips: int = 0
    n_folds: int = 4
    test_fraction: float = 0.1
    inner_cv: int = 5
    n_components: int | None = 100
    crossfit_cv: int = 5
    leaky_dropout: float = 0.5
    coupling_components: int = 2
    n_permutations: int = 1000
    n_label_permutations: int = 3
    bmd_model: str = "tsm_r50_8x8.mmit"
    bmd_min_nc: float = 10.0
    n_jobs: int = 1
    scheduler: str = "joblib"

    def __post_init__(self):
        check_scheduler(self.scheduler)
        _settings.check_nonnegative(self, "seed", "n_subjects", "n_clips", "n_label_permutations")
        _settings.check_positive(self, "n_folds", "inner_cv", "crossfit_cv", "coupling_components",
                                 "n_permutations", "n_jobs")
        _settings.check_fraction(self, "test_fraction", 0.0, 1.0 / self.n_folds)
        if not 0 <= self.leaky_dropout < 1:
            raise InputError(f"leaky_dropout must lie in [0, 1); got {self.leaky_dropout!r}.")


PROFILES = {
    "smoke": dict(base_model="x3d_xs.k400", second_model="x3d_s.k400", image_model="resnet50.tv_in1k",
                  same_arch_video="x3d_s.k400", n_subjects=2, n_clips=30, n_folds=2, test_fraction=0.2,
                  inner_cv=3, crossfit_cv=3, n_components=8, n_permutations=50, n_label_permutations=1,
                  bmd_model="x3d_xs.k400"),
    "embedded": dict(n_subjects=2, n_clips=300, n_components=50, bmd_model="x3d_s.k400", n_jobs=2),
    "paper": dict(base_model="mvit_b_16x4.k400", same_arch_video="i3d_r50_8x8.k400", n_label_permutations=10,
                  n_jobs=2),
}


def settings(profile, **overrides):
    """The settings of ``profile`` with ``overrides`` (``None`` values keep the profile's)."""
    return _settings.resolve(Settings, PROFILES, profile, overrides)


# ---------------------------------------------------------------------------------------- pieces
@single_threaded
def connectivity_experiment(X_by_fold, responses, folds, variants, cv=5, n_components=None, seed=0,
                            leaky_dropout=0.5, relabelings=None):
    """Base encoder vs connectivity encoders on the same folds, keeping the test predictions.

    One base model is cross-fitted per fold and shared by every variant
    (:meth:`~neurokit.connectivity.ConnectivityEncoder.refit`), exactly as separate fits would give.

    Parameters
    ----------
    X_by_fold : list of ndarray of shape (n_clips, n_features)
        Base features for each fold (the block chosen on that fold's training clips).
    responses : mapping of str to ndarray of shape (n_clips, n_voxels_roi)
        ROI → responses of one subject (all ROIs enter the connectivity map).
    folds : list of (train, test)
    variants : mapping of str to dict
        Name → :class:`~neurokit.connectivity.ConnectivityEncoder` arguments after the base model (``mode``,
        ``inputs``, ``zero_diagonal`` …); ``inputs="measured"`` variants (the leaky reading) get
        ``dropout=leaky_dropout`` and the measured test responses as inputs.
    cv : int
        Cross-fitting folds.
    n_components : int or None
    seed : int
    relabelings : mapping of str to (ndarray of shape (n_voxels,), sequence of str), optional
        Name → (another region label per voxel, the variants to run with it): the label-permutation control.
        Scores are still reported per true ROI.

    Returns
    -------
    scores : pandas.DataFrame
        ``fold, roi, variant, labels, r`` (``variant="base"`` for the base encoder, ``labels="true"`` or the
        relabeling's name).
    weights : dict
        Variant → list over folds of dicts with ``weights``, ``contributions`` (n_regions, n_regions) and
        ``regions`` (true labels only).
    predictions : dict
        Variant (and ``"base"``) → list over folds of ndarray of shape (n_test, n_voxels) (true labels only).
    labels : ndarray of shape (n_voxels,)
        ROI of every voxel.
    """
    import pandas as pd

    rois, Y, labels = stack_rois(responses)
    relabelings = relabelings or {}
    rows, weights = [], {k: [] for k in variants}
    preds = {k: [] for k in ("base", *variants)}

    def params(kw):
        kw = dict(kw)
        if kw.get("inputs") == "measured":
            kw.setdefault("dropout", leaky_dropout)
        return kw

    def score(name, tag, P, test):
        r = np.nan_to_num(_pearson(Y[test], P))
        for roi in rois:
            rows.append({"fold": f, "roi": roi, "variant": name, "labels": tag, "r": float(r[labels == roi].mean())})

    for f, (train, test) in enumerate(folds):
        Xtr, Xte = reduce_block(X_by_fold[f], folds, n_components, seed)[f]
        first = ConnectivityEncoder(cv=cv, random_state=seed).fit(Xtr, Y[train], labels)
        preds["base"].append(first.predict_base(Xte))
        score("base", "true", preds["base"][-1], test)
        for name, kw in variants.items():
            enc = first.refit(**params(kw))
            ym = Y[test] if enc.inputs == "measured" else None
            preds[name].append(enc.predict(Xte, Y_measured=ym))
            weights[name].append({"weights": enc.region_weights_raw_, "contributions": enc.region_contributions_raw_,
                                  "regions": enc.regions_})
            score(name, "true", preds[name][-1], test)
        for tag, (relabel, names) in relabelings.items():
            score("base", tag, preds["base"][-1], test)
            for name in names:
                enc = first.refit(regions=relabel, **params(variants.get(name, {"mode": name})))
                ym = Y[test] if enc.inputs == "measured" else None
                score(name, tag, enc.predict(Xte, Y_measured=ym), test)
    return pd.DataFrame(rows), weights, preds, labels


def _pearson(Y, P):
    from neurokit.stats import pearsonr

    return pearsonr(np.asarray(Y, float), np.asarray(P, float))


def gain_table(Y, preds, labels, variant, n_permutations, seed, per_subject_scores=None):
    """Gain of ``variant`` over ``base`` per ROI with the clip permutation test (and the subject test).

    Parameters
    ----------
    Y : mapping subject → list over folds of (n_test, n_voxels) measured test responses
    preds : mapping subject → mapping variant → list over folds of predictions
    labels : mapping subject → (n_voxels,) ROI labels
    variant : str
    n_permutations, seed : int
    per_subject_scores : pandas.DataFrame, optional
        ``subject, roi, variant, r`` (folds averaged) for the subject-level test.

    Returns
    -------
    pandas.DataFrame
        ``roi, base, conn, gain, p, mark, unit, p_subjects, mark_subjects``.
    """
    base = {s: preds[s]["base"] for s in preds}
    conn = {s: preds[s][variant] for s in preds}
    t = inference.clip_permutation_test(Y, base, conn, labels, n_permutations=n_permutations, seed=seed)
    t = t.rename(columns={"diff": "gain"})
    if per_subject_scores is not None:
        w = per_subject_scores.pivot_table(index=["roi", "subject"], columns="variant", values="r")
        rows = []
        for roi in t.roi:
            sub = w.loc[roi]
            st = inference.subject_test(sub[variant].to_numpy(), sub["base"].to_numpy())
            rows.append({"roi": roi, "base": sub["base"].mean(), "conn": sub[variant].mean(),
                         "p_subjects": st["p"], "mark_subjects": st["mark"]})
        import pandas as pd

        t = pd.DataFrame(rows).merge(t, on="roi")
    return t


@single_threaded
def noise_normalised_comparison(X_train, train, X_test, test_repeats, variant=None, cv=5, n_components=None,
                                min_nc=10.0, seed=0):
    """Fig. 6d: base vs connectivity encoder on a held-out split, scored by noise-normalised correlation.

    The encoder (leak-free ``full`` unless ``variant`` says otherwise) is fitted on the training clips of all
    regions at once; each test voxel's Pearson r with the mean of its test repeats is divided by ``sqrt(NC/100)``,
    ``NC% = 100·ncsnr²/(ncsnr² + 1/n)`` from the test repeats (GLMsingle / BOLD Moments convention, ``n`` = test
    repeats). Voxels with ``NC < min_nc`` percent are left out; the normalised r is averaged within each region.

    Returns
    -------
    table : pandas.DataFrame
        ``roi, base, conn, n_voxels, nc_mean`` (noise-normalised r; ``nc_mean`` in percent).
    details : dict
        ``Y`` (n_test, n_voxels) repeat means, ``base`` and ``conn`` predictions, ``labels``, ``weight`` (per-voxel
        ``1/sqrt(NC/100)``, 0 for voxels left out) for the clip test.
    """
    import pandas as pd

    rois, Y, labels = stack_rois(train)
    reps = np.concatenate([np.asarray(test_repeats[r], dtype=np.float64) for r in rois], axis=2)
    nc = noise_ceiling_from_ncsnr(ncsnr(reps), reps.shape[1])
    Yte = reps.mean(1)
    Xtr, Xte = standardize_reduce(np.asarray(X_train, np.float64), np.asarray(X_test, np.float64), n_components,
                                  seed)
    enc = ConnectivityEncoder(cv=cv, random_state=seed, **(variant or {"mode": "full"})).fit(Xtr, Y, labels)
    p_base, p_conn = enc.predict_base(Xte), enc.predict(Xte)
    r_base, r_conn = np.nan_to_num(_pearson(Yte, p_base)), np.nan_to_num(_pearson(Yte, p_conn))
    keep = nc >= min_nc
    norm = np.sqrt(np.where(keep, nc, np.nan) / 100.0)
    rows = []
    for roi in rois:
        m = (labels == roi) & keep
        rows.append({"roi": roi, "base": float(np.mean(r_base[m] / norm[m])) if m.any() else np.nan,
                     "conn": float(np.mean(r_conn[m] / norm[m])) if m.any() else np.nan,
                     "n_voxels": int(m.sum()), "nc_mean": float(nc[labels == roi].mean())})
    weight = np.where(keep, 1.0 / np.where(keep, norm, 1.0), 0.0)
    return pd.DataFrame(rows), {"Y": Yte, "base": p_base, "conn": p_conn, "labels": labels, "weight": weight}


def _relabel(labels, rng):
    """The same region sizes, voxels assigned at random."""
    return np.asarray(labels)[rng.permutation(len(labels))]


# ------------------------------------------------------------------------------------------ result
@dataclass(frozen=True)
class ConnectivityResult:
    """Everything the connectivity chapter shows (see the module notes).

    Attributes
    ----------
    settings : Settings
    subjects, rois : list of str
    n : int
    blocks : pandas.DataFrame
        ``model, subject, fold, block`` chosen per fold on training clips.
    scores : pandas.DataFrame
        ``model, subject, fold, roi, variant, r``.
    gains : pandas.DataFrame
        ``model, variant, roi, base, conn, gain, p, mark, unit, p_subjects, mark_subjects``.
    label_control : pandas.DataFrame
        ``variant, labels, gain`` (mean gain over ROIs and subjects with the true and with permuted labels).
    matrices : dict
        Name → (n_rois, n_rois) region matrix (rows target): ``"full"``, ``"full, leaky"`` (``mean |A|``, the
        paper's statistic), ``"full (contributions)"``, ``"residual coupling"``, ``"planted"`` (simulated only).
    transposed : pandas.DataFrame
        ``world, estimator, directed_r, undirected_r, auc, direction_accuracy, symmetry`` (against the planted
        matrix of that world); empty on real data.
    transposed_matrices : dict
        ``(world, estimator)`` → matrix.
    world_gains : pandas.DataFrame
        ``world, subject, roi, gain``: the leak-free full encoder's held-out gain in the world re-drawn as planted
        (``"C"``) and without coupling (``"no coupling"``); empty on real data.
    projector : dict
        Noise-free check: ``symmetry_error`` (``max |A − Aᵀ| / max |A|``), ``idempotence_error``, ``rank``,
        ``corr_w_wt``, ``directed_r``, ``undirected_r``; empty on real data.
    fig6 : pandas.DataFrame
        ``pair, kind, roi, image, video, diff, p, mark, unit``.
    bmd : pandas.DataFrame
        Fig. 6d per ROI: ``roi, base, conn, gain, p, mark, unit, voxels kept, mean NC %``.
    bmd_block : str
    simulated : bool
    """

    settings: Settings
    subjects: list
    rois: list
    n: int
    blocks: object = field(repr=False)
    scores: object = field(repr=False)
    gains: object = field(repr=False)
    label_control: object = field(repr=False)
    matrices: dict = field(repr=False)
    transposed: object = field(repr=False)
    transposed_matrices: dict = field(repr=False)
    world_gains: object = field(repr=False)
    projector: dict = field(repr=False)
    fig6: object = field(repr=False)
    bmd: object = field(repr=False)
    bmd_block: str = ""
    simulated: bool = True


def _world_estimators(X, responses, rois, s):
    """The three readings of a region matrix on one subject's training clips (fit on every clip)."""
    _, Y, labels = stack_rois(responses)
    Xs, _ = standardize_reduce(X, X[:2], s.n_components, s.seed)
    full = ConnectivityEncoder(cv=s.crossfit_cv, random_state=s.seed).fit(Xs, Y, labels)
    leaky = ConnectivityEncoder(cv=s.crossfit_cv, random_state=s.seed, inputs="measured",
                                dropout=s.leaky_dropout).fit(Xs, Y, labels)
    _, resid = residual_coupling(Xs, Y, labels, n_components=s.coupling_components, cv=s.crossfit_cv,
                                 random_state=s.seed)
    order = [list(full.regions_).index(r) for r in rois]
    pick = np.ix_(order, order)
    return {"paper model (leak-free)": full.region_weights_raw_[pick],
            "paper model (leaky)": leaky.region_weights_raw_[pick],
            "residual coupling": resid[pick]}


@single_threaded
def world_controls(root, X, Xf_by_subject, subjects, rois, n, folds, s):
    """The same world re-drawn with ``C`` (as planted), ``Cᵀ`` and no coupling at all (identical noise draws).

    * Each estimator's region matrix (fit on every training clip) in the ``C`` and ``Cᵀ`` worlds, with metrics
      against that world's own planted matrix: does the matrix follow the transpose?
    * The leak-free ``full`` encoder's held-out gain in the ``C`` world and in the world without coupling: a gain
      that needs no coupling is not evidence of coupling.

    Returns
    -------
    metrics : pandas.DataFrame
        ``world, estimator, directed_r, undirected_r, auc, direction_accuracy, symmetry``.
    matrices : dict
        ``(world, estimator)`` → matrix, and ``(world, "planted")``.
    gains : pandas.DataFrame
        ``world, subject, roi, gain`` (mean over folds).
    """
    import pandas as pd

    from neurokit.sim.brain import ROIS as SIM_ROIS
    from neurokit.sim.brain import connectivity_matrix, resimulate_responses

    C = connectivity_matrix()
    order = [SIM_ROIS.index(r) for r in rois]
    rows, mats, gains = [], {}, []
    for world, CC in (("C", C), ("Cᵀ", C.T), ("no coupling", np.zeros_like(C))):
        resp, _ = resimulate_responses(root, connectivity=CC, n_clips=n, subjects=subjects, noise_seed=s.seed)
        means = {sub: {r: resp[sub][r].mean(1) for r in rois} for sub in subjects}
        if world != "no coupling":
            planted = CC[np.ix_(order, order)]
            acc = {}
            for sub in subjects:
                for k, v in _world_estimators(X, means[sub], rois, s).items():
                    acc.setdefault(k, []).append(v)
            for k, v in acc.items():
                W = np.mean(v, axis=0)
                mats[(world, k)] = W
                rows.append({"world": world, "estimator": k, **coupling_metrics(W, planted)})
            mats[(world, "planted")] = planted
        if world != "Cᵀ":
            for sub in subjects:
                sc, *_ = connectivity_experiment(Xf_by_subject[sub], means[sub], folds, {"full": VARIANTS["full"]},
                                                 cv=s.crossfit_cv, n_components=s.n_components, seed=s.seed)
                g = sc[sc["labels"] == "true"].pivot_table(index=["fold", "roi"], columns="variant", values="r")
                g = (g["full"] - g["base"]).groupby("roi", sort=False).mean()
                gains += [{"world": world, "subject": sub, "roi": roi, "gain": v} for roi, v in g.items()]
    return pd.DataFrame(rows), mats, pd.DataFrame(gains)


@single_threaded
def projector_check(root, X, subject, rois, n, s):
    """The paper's map on noise-free predicted voxels (in-sample, least squares, no standardisation): a
    projector, symmetric whatever the planted direction."""
    from neurokit.sim.brain import ROIS as SIM_ROIS
    from neurokit.sim.brain import connectivity_matrix, load_ground_truth

    gt = load_ground_truth(root)
    Y = np.concatenate([gt.get(subject, r, "signal")[:n].astype(np.float64) for r in rois], axis=1)
    labels = np.concatenate([[r] * gt.get(subject, r, "signal").shape[1] for r in rois])
    Xs, _ = standardize_reduce(X, X[:2], s.n_components, s.seed)
    tiny = [1e-9]
    enc = ConnectivityEncoder(base_estimator=RidgeCV(alphas=tiny, cv="loo"), inputs="insample", alphas=tiny,
                              standardize=False).fit(Xs, Y, labels)
    A = enc.coef_
    order = [SIM_ROIS.index(r) for r in rois]
    planted = connectivity_matrix()[np.ix_(order, order)]
    m = coupling_metrics(enc.region_weights_raw_, planted)
    scale = np.abs(A).max()
    return {"symmetry_error": float(np.abs(A - A.T).max() / scale),
            "idempotence_error": float(np.abs(A @ A - A).max() / scale), "rank": int(round(np.trace(A))),
            "n_voxels": int(A.shape[0]), "corr_w_wt": m["symmetry"], "directed_r": m["directed_r"],
            "undirected_r": m["undirected_r"], "weights": enc.region_weights_raw_}


# -------------------------------------------------------------------------------------------- run
def _fold_features(feats, blocks, model, subject, n_folds):
    b = blocks[(blocks.model == model) & (blocks.subject == subject)].set_index("fold")["block"]
    return [feats[model][b.loc[f]] for f in range(n_folds)]


def run(s: Settings) -> ConnectivityResult:
    """Run every analysis of the connectivity chapter (see the module notes)."""
    import pandas as pd

    models = list(dict.fromkeys([s.base_model, s.second_model, s.image_model, s.same_arch_video]))
    inputs = load_inputs(s.profile, models, seed=s.seed, n_subjects=s.n_subjects, n_clips=s.n_clips,
                         n_folds=s.n_folds, test_fraction=s.test_fraction)
    subjects, rois, n, folds, feats = inputs.subjects, inputs.rois, inputs.n, inputs.folds, inputs.features
    responses = inputs.all_responses()
    # the family chapter's encodings, from the cache when it ran with the same settings
    encodings = encode_models({m: feats[m] for m in models}, responses, folds, n_jobs=s.n_jobs,
                              scheduler=s.scheduler, inner_cv=s.inner_cv, n_components=s.n_components, seed=s.seed)
    blocks = pd.concat([choose_block_per_fold(enc.scores).assign(model=m) for m, enc in encodings.items()],
                       ignore_index=True)

    variants = {s.base_model: VARIANTS, s.second_model: {"full": VARIANTS["full"]},
                s.image_model: {"full": VARIANTS["full"]}, s.same_arch_video: {"full": VARIANTS["full"]}}
    rng = np.random.default_rng(s.seed)
    jobs = []
    for m in models:
        for sub in subjects:
            relabel = None
            if m == s.base_model and s.n_label_permutations:
                true = stack_rois(responses[sub])[2]
                relabel = {f"permuted {k + 1}": (_relabel(true, rng), ("intra",))
                           for k in range(s.n_label_permutations)}
            jobs.append((m, sub, _fold_features(feats, blocks, m, sub, len(folds)), relabel))
    if s.n_jobs > 1:
        from joblib import Parallel, delayed

        done = Parallel(n_jobs=s.n_jobs, backend="loky")(
            delayed(_cached_experiment)(m, sub, Xf, responses[sub], folds, variants[m], s, rl)
            for m, sub, Xf, rl in jobs)
    else:
        done = [_cached_experiment(m, sub, Xf, responses[sub], folds, variants[m], s, rl) for m, sub, Xf, rl in jobs]
    score_parts, preds, weights, Ytest, labels = [], {}, {}, {}, {}
    for (m, sub, _, _), (sc, w, p, lab) in zip(jobs, done):
        score_parts.append(sc.assign(model=m, subject=sub))
        preds.setdefault(m, {})[sub] = p
        weights.setdefault(m, {})[sub] = w
        labels[sub] = lab
        Ytest[sub] = [stack_rois(responses[sub])[1][te] for _, te in folds]
    all_scores = pd.concat(score_parts, ignore_index=True)
    scores = all_scores[all_scores["labels"] == "true"].drop(columns="labels").reset_index(drop=True)
    per_subject = scores.groupby(["model", "subject", "roi", "variant"], as_index=False)["r"].mean()

    gains = []
    for m in models:
        for k, v in enumerate([x for x in variants[m]]):
            g = gain_table(Ytest, preds[m], labels, v, s.n_permutations, s.seed + k,
                           per_subject_scores=per_subject[per_subject.model == m])
            gains.append(g.assign(model=m, variant=v))
    gains = pd.concat(gains, ignore_index=True)

    # region-label control (main base model): mean gain over folds, ROIs and subjects, true vs regrouped voxels
    # (the full encoder maps every voxel to every voxel: its gain is the same under any grouping)
    lc = all_scores[all_scores.model == s.base_model]
    w_ = lc.pivot_table(index=["subject", "labels", "fold", "roi"], columns="variant", values="r")
    ctrl = []
    for (sub, tag), g in w_.groupby(level=["subject", "labels"], sort=False):
        for v in ("intra", "inter", "full"):
            if v in g.columns and g[v].notna().any():
                ctrl.append({"variant": v, "labels": tag, "subject": sub, "gain": float((g[v] - g["base"]).mean())})
    label_control = pd.DataFrame(ctrl)

    # region matrices of the main base model, averaged over subjects and folds
    order = None
    mats = {}
    for key, stat in (("full", "weights"), ("full, leaky", "weights"), ("full (contributions)", "contributions")):
        v = "full" if key.startswith("full (") else key
        stack = []
        for sub in subjects:
            for w in weights[s.base_model][sub][v]:
                names = list(w["regions"])
                order = [names.index(r) for r in rois]
                stack.append(np.asarray(w[stat])[np.ix_(order, order)])
        mats[key] = np.mean(stack, axis=0)
    resid = []
    for sub in subjects:
        X0 = _fold_features(feats, blocks, s.base_model, sub, len(folds))[0]
        tr = folds[0][0]
        _, Y0, lab0 = stack_rois(responses[sub])
        Xs, _ = standardize_reduce(np.asarray(X0[tr], np.float64), np.asarray(X0[tr][:2], np.float64),
                                   s.n_components, s.seed)
        names, W = residual_coupling(Xs, Y0[tr], lab0, n_components=s.coupling_components, cv=s.crossfit_cv,
                                     random_state=s.seed)
        o = [list(names).index(r) for r in rois]
        resid.append(W[np.ix_(o, o)])
    mats["residual coupling"] = np.mean(resid, axis=0)

    transposed, tmats, projector = pd.DataFrame(), {}, {}
    world_gains = pd.DataFrame(columns=["world", "subject", "roi", "gain"])
    if inputs.simulated:
        from neurokit.sim.brain import ROIS as SIM_ROIS
        from neurokit.sim.brain import connectivity_matrix

        o = [SIM_ROIS.index(r) for r in rois]
        mats["planted"] = connectivity_matrix()[np.ix_(o, o)]
        b0 = blocks[(blocks.model == s.base_model) & (blocks.subject == subjects[0]) & (blocks.fold == 0)].block.iloc[0]
        X = np.asarray(feats[s.base_model][b0], np.float64)
        Xf = {sub: _fold_features(feats, blocks, s.base_model, sub, len(folds)) for sub in subjects}
        key = {"X": _cache.array_hash(X), "Xf": _cache.array_hash(Xf), "root": str(inputs.root), "n": n,
               "subjects": subjects, "folds": _cache.array_hash([te for _, te in folds]),
               "settings": [s.crossfit_cv, s.n_components, s.seed, s.leaky_dropout, s.coupling_components],
               "gt": _cache.array_hash(mats["planted"])}
        d = _cache.cached("world_controls", key, lambda: dict(zip(
            ("metrics", "matrices", "gains"), world_controls(inputs.root, X, Xf, subjects, rois, n, folds, s))))
        transposed, tmats, world_gains = d["metrics"], d["matrices"], d["gains"]
        projector = projector_check(inputs.root, X, subjects[0], rois, n, s)

    fig6 = _fig6(Ytest, preds, labels, per_subject, s)
    bmd, bmd_block = _fig6d(s, inputs)
    return ConnectivityResult(settings=s, subjects=subjects, rois=rois, n=n, blocks=blocks, scores=scores,
                              gains=gains, label_control=label_control, matrices=mats, transposed=transposed,
                              transposed_matrices=tmats, world_gains=world_gains, projector=projector, fig6=fig6,
                              bmd=bmd,
                              bmd_block=bmd_block, simulated=inputs.simulated)


@single_threaded
def _cached_experiment(model, subject, Xf, responses, folds, variants, s, relabelings=None):
    key = {"model": model, "subject": subject, "X": _cache.array_hash(Xf), "Y": _cache.array_hash(responses),
           "folds": _cache.array_hash([te for _, te in folds]), "variants": variants,
           "relabel": None if not relabelings else {k: [_cache.array_hash(np.asarray(v[0]).astype(str)), list(v[1])]
                                                     for k, v in relabelings.items()},
           "cv": s.crossfit_cv, "n_components": s.n_components, "seed": s.seed, "dropout": s.leaky_dropout}

    def compute():
        sc, w, p, lab = connectivity_experiment(Xf, responses, folds, variants, cv=s.crossfit_cv,
                                                n_components=s.n_components, seed=s.seed,
                                                leaky_dropout=s.leaky_dropout, relabelings=relabelings)
        return {"scores": sc, "weights": w, "preds": p, "labels": lab}

    d = _cache.cached("connectivity", key, compute)
    return d["scores"], d["weights"], d["preds"], d["labels"]


def _fig6(Ytest, preds, labels, per_subject, s):
    import pandas as pd

    rows = []
    for kind, video in (("same architecture", s.same_arch_video), ("paper's pair", s.second_model)):
        if video == s.image_model:
            continue
        a = {sub: preds[s.image_model][sub]["full"] for sub in Ytest}
        b = {sub: preds[video][sub]["full"] for sub in Ytest}
        t = inference.clip_permutation_test(Ytest, a, b, labels, n_permutations=s.n_permutations, seed=s.seed + 7)
        ps = per_subject[per_subject.variant == "full"].groupby(["model", "roi"])["r"].mean()
        for _, row in t.iterrows():
            rows.append({"pair": f"{s.image_model} vs {video}", "kind": kind, "roi": row.roi,
                         "image": ps.loc[(s.image_model, row.roi)], "video": ps.loc[(video, row.roi)],
                         "diff": row["diff"], "p": row.p, "mark": row.mark, "unit": row.unit})
    return pd.DataFrame(rows)


def _fig6d(s, inputs):
    """BOLD Moments: base vs connectivity, noise-normalised, official split; clip test on the 102 test clips."""
    import pandas as pd

    from neurokit.catalog import bold_moments
    from neurokit.data import load_bold_moments
    from neurokit.studies.encoding import published
    from neurokit.studies.encoding.layers import model_features

    root = bold_moments.ensure(s.profile, seed=s.seed)
    if (root / "ground_truth").is_dir():
        from neurokit.sim.brain import BMD_ROI_PARTS

        bmd_rois = [p for parts in BMD_ROI_PARTS.values() for p in parts]
    else:
        bmd_rois = list(published.FIG6D)
    bmd = load_bold_moments(root, rois=bmd_rois, average_repeats=False)
    subjects = list(bmd.subjects[: s.n_subjects or None])
    ntr = min(s.n_clips, bmd.n_train) if s.n_clips else bmd.n_train
    videos = list(bmd.video_paths[:ntr]) + list(bmd.video_paths[bmd.n_train:])
    weights = "paper" if s.profile == "paper" else "embedded"
    f6 = model_features([s.bmd_model], videos, weights=weights)[s.bmd_model]
    folds = disjoint_test_folds(ntr, n_folds=s.n_folds, test_fraction=s.test_fraction, seed=s.seed)
    resp0 = {subjects[0]: {r: bmd.train[subjects[0]][r][:ntr].mean(1) for r in bmd_rois}}
    enc = encode_model(s.bmd_model, {b: x[:ntr] for b, x in f6.items()}, resp0, folds, inner_cv=s.inner_cv,
                       n_components=s.n_components, seed=s.seed)
    # one block for the official split: the most frequent per-fold choice (training clips only)
    block = choose_block_per_fold(enc.scores)["block"].mode().iloc[0]
    X = f6[block]
    parts, Y, pb, pc, lab, wts = [], {}, {}, {}, {}, {}
    for sub in subjects:
        df, det = noise_normalised_comparison(
            X[:ntr], {r: bmd.train[sub][r][:ntr].mean(1) for r in bmd_rois}, X[ntr:],
            {r: bmd.test[sub][r] for r in bmd_rois}, cv=s.crossfit_cv, n_components=s.n_components,
            min_nc=s.bmd_min_nc, seed=s.seed)
        parts.append(df.assign(subject=sub))
        keep = det["weight"] > 0  # voxels above the noise-ceiling threshold, each r scaled by 1/sqrt(NC)
        Y[sub], pb[sub], pc[sub] = [det["Y"][:, keep]], [det["base"][:, keep]], [det["conn"][:, keep]]
        lab[sub], wts[sub] = det["labels"][keep], det["weight"][keep]
    nn = pd.concat(parts, ignore_index=True)
    t = inference.clip_permutation_test(Y, pb, pc, lab, n_permutations=s.n_permutations, seed=s.seed + 11,
                                        weights=wts)
    run6 = nn.groupby("roi", sort=False).agg(base=("base", "mean"), conn=("conn", "mean"),
                                             voxels_kept=("n_voxels", "sum"), nc_mean=("nc_mean", "mean"))
    run6["gain"] = run6["conn"] - run6["base"]
    run6 = run6.join(t.set_index("roi")[["p", "mark", "unit"]])
    return run6.reset_index().rename(columns={"voxels_kept": "voxels kept", "nc_mean": "mean NC %"}), block
