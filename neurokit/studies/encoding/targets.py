"""Part I.3: networks as simulated "brains" (the paper's Fig. 2, after Han, Poggio & Cheung 2023).

A known network replaces the brain: each block of a *target* network, reduced to its first principal components,
becomes a set of "voxels"; every *source* model is encoded onto them exactly as onto the brain (best block per
fold by inner CV); and one asks whether the target's own family (image or video) predicts it better.

Beside the paper's design, controls that say what the test can see:

* **identity**: the target itself among the sources must win at its own blocks (the pipeline can find a
  network when it is there);
* **readout**: the target's blocks read through more principal components, or through random units;
* **weights**: a target with real (ImageNet) weights, with its real-weight relatives among the sources;
* the best single source of every block, to see what the winning model shares with the target.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurokit.errors import InputError
from neurokit.studies.encoding import _settings, inference
from neurokit.studies.encoding.families import family_labels
from neurokit.studies.encoding.inputs import load_inputs
from neurokit.studies.encoding.layers import check_scheduler, encode_models, single_threaded

__all__ = ["Settings", "settings", "TargetsResult", "run", "target_responses", "target_experiment"]


@dataclass(frozen=True)
class Settings:
    """Settings of the simulated-target chapter.

    Attributes
    ----------
    profile : str
    seed : int
    targets : tuple of str
        Target networks of the paper's design (random-init in ``embedded``).
    sources : tuple of str
        The source pool (a target never competes as its own source, except in the identity control).
    real_targets : tuple of str
        Targets with real weights for the weights control.
    real_sources : tuple of str
        Extra sources of that control (the real-weight relatives).
    n_clips, n_folds, test_fraction, inner_cv, n_components : see the families settings.
    n_target_components : int
        Principal components per target block (its "voxels").
    readout_units : int
        Random units per target block of the readout control (0 skips it).
    n_jobs : int
        Worker processes for the feature extraction of models not yet in the cache, and for the encodings.
    scheduler : str
        Where the source models' encodings run (see :func:`neurokit.studies.encoding.layers.encode_models`):
        ``"joblib"``, ``"sequential"``, ``"dask"`` or the address of a running Dask scheduler.
    """

    profile: str
    seed: int = 0
    targets: tuple = ("resnet50.tv_in1k", "x3d_s.k400")
    sources: tuple = ("resnet50.tv_in1k", "efficientnet_lite0.in1k", "vit_b16.augreg_in1k", "dino_vit_b16.in1k",
                      "x3d_xs.k400", "x3d_s.k400", "slow_r50_8x8.k400", "slow_r50_8x8.charades",
                      "slowfast_r50_8x8.k400", "slowfast_r50_8x8.charades")
    real_targets: tuple = ("efficientnet_lite0.in1k",)
    real_sources: tuple = ("efficientnet_lite1.in1k", "efficientnet_lite2.in1k")
    n_clips: int = 0
    n_folds: int = 4
    test_fraction: float = 0.1
    inner_cv: int = 5
    n_components: int | None = 100
    n_target_components: int = 20
    readout_units: int = 100
    n_jobs: int = 1
    scheduler: str = "joblib"

    def __post_init__(self):
        check_scheduler(self.scheduler)
        _settings.check_nonnegative(self, "seed", "n_clips", "readout_units")
        _settings.check_positive(self, "n_folds", "inner_cv", "n_target_components", "n_jobs")
        _settings.check_fraction(self, "test_fraction", 0.0, 1.0 / self.n_folds)
        if not self.targets:
            raise InputError("targets is empty: name at least one target network.")


PROFILES = {
    "smoke": dict(targets=("x3d_xs.k400", "resnet50.tv_in1k"),
                  sources=("resnet50.tv_in1k", "efficientnet_lite0.in1k", "x3d_xs.k400", "x3d_s.k400"),
                  real_targets=("efficientnet_lite0.in1k",), real_sources=(), n_clips=30, n_folds=2,
                  test_fraction=0.2, inner_cv=3, n_components=8, n_target_components=4, readout_units=8),
    "embedded": dict(n_clips=300, n_components=50, n_target_components=10, readout_units=20, n_jobs=2),
    "paper": dict(targets=("mvit_b_16x4.k400", "vit_b16.augreg_in1k", "resnet50.tv_in1k", "i3d_r50_8x8.k400"),
                  sources=("c2d_r50_8x8.k400", "convnext_b.fb_in1k", "deit_b16.fb_in1k", "dino_vit_b16.in1k",
                           "efficientnet_lite0.in1k", "i3d_r50_8x8.k400", "mae_vit_b16.in1k", "mvit_b_16x4.k400",
                           "resnet50.tv_in1k", "slow_r50_8x8.k400", "slowfast_r50_8x8.k400", "swin_b.ms_in1k",
                           "timesformer_b_8x32.k400", "videomae_b_16x4.k400", "vit_b16.augreg_in1k", "x3d_m.k400"),
                  real_targets=(), real_sources=(), n_jobs=2),
}


def settings(profile, **overrides):
    """The settings of ``profile`` with ``overrides`` (``None`` values keep the profile's)."""
    return _settings.resolve(Settings, PROFILES, profile, overrides)


@single_threaded
def target_responses(target_features, n_components=20, readout="pca", seed=0):
    """Each block of the target network as "voxels".

    Parameters
    ----------
    target_features : mapping of str to ndarray of shape (n_clips, n_features_block)
    n_components : int
        Principal components (``readout="pca"``) or random units (``"units"``) per block.
    readout : {"pca", "units"}
        ``"pca"``: scores on the first components of the z-scored block; ``"units"``: a random subset of its
        z-scored units.
    seed : int

    Returns
    -------
    dict
        ``{block: ndarray of shape (n_clips, k)}``.
    """
    if readout not in ("pca", "units"):
        raise InputError(f"readout must be 'pca' or 'units'; got {readout!r}.")
    rng = np.random.default_rng(seed)
    out = {}
    for block, X in target_features.items():
        X = np.asarray(X, dtype=np.float64)
        X = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0)
        k = min(int(n_components), X.shape[1], X.shape[0] - 1)
        if readout == "pca":
            U, s, _ = np.linalg.svd(X, full_matrices=False)
            out[block] = U[:, :k] * s[:k]
        else:
            out[block] = X[:, np.sort(rng.choice(X.shape[1], size=k, replace=False))]
    return out


def target_experiment(targets, features, folds, n_target_components=20, inner_cv=5, n_components=None, seed=0,
                      readouts=(("pca", None),), sources=None, n_jobs=1, scheduler="joblib"):
    """Encode every source model onto every block of every target, with every readout.

    All targets and readouts are stacked as the "subjects" of one block-wise encoding per source model
    (:func:`~neurokit.studies.encoding.layers.encode_model`): the ridge has one alpha per column, so this is
    exactly the separate fits, with one reduction and one factorisation per source block and fold.

    Parameters
    ----------
    targets : sequence of str
        Keys of ``features``.
    features : mapping of str to mapping of str to ndarray
        ``{model: {block: (n_clips, n_features)}}`` (the sources, and the targets).
    folds : list of (train, test)
    n_target_components : int
        Components (or units) per target block, unless a readout says otherwise.
    inner_cv, n_components, seed : see :func:`neurokit.studies.encoding.layers.encode_blocks`.
    readouts : sequence of (str, int or None)
        ``(readout, k)`` pairs (see :func:`target_responses`; ``k=None`` = ``n_target_components``).
    sources : sequence of str, optional
        Source models (default: every key of ``features``, the targets included).
    n_jobs : int
        Worker processes over source models.
    scheduler : str
        Where the source models' encodings run (:func:`~neurokit.studies.encoding.layers.encode_models`): each
        source model is one task.

    Returns
    -------
    pandas.DataFrame
        ``target, readout, model, roi`` (= target block), ``r`` (test r of the source's best block, chosen by inner
        CV, averaged over folds and the block's columns).
    """
    import pandas as pd

    missing = [t for t in targets if t not in features]
    if missing:
        raise InputError(f"targets {missing} have no features; extract them first (models: {sorted(features)}).")
    responses = {}
    for t in targets:
        for readout, k in readouts:
            responses[f"{t}|{readout}"] = target_responses(features[t], k or n_target_components, readout=readout,
                                                           seed=seed)
    sources = list(features) if sources is None else list(sources)
    encodings = encode_models({m: features[m] for m in sources}, responses, folds, n_jobs=n_jobs,
                              scheduler=scheduler, inner_cv=inner_cv, n_components=n_components, seed=seed)
    parts = [enc.chosen.groupby(["subject", "roi"], as_index=False, sort=False)["r"].mean().assign(model=m)
             for m, enc in encodings.items()]
    out = pd.concat(parts, ignore_index=True)
    out[["target", "readout"]] = out["subject"].str.split("|", n=1, expand=True)
    return out[["target", "readout", "model", "roi", "r"]]


@dataclass(frozen=True)
class TargetsResult:
    """What the simulated-target chapter shows.

    Attributes
    ----------
    settings : Settings
    labels : pandas.DataFrame
        Family labels and backbone of every model.
    scores : pandas.DataFrame
        ``analysis, target, model, roi, r`` for every analysis (``"paper design"``, ``"identity"``,
        ``"readout: units"``, ``"real weights"``).
    tests : pandas.DataFrame
        Per analysis, target and block: ``analysis, target, roi, mean_a`` (image), ``mean_b`` (video),
        ``p_models, p_architectures, mark, correct family, winner, correct wins, best source``.
    identity : pandas.DataFrame
        ``target, roi, winner, identity wins``.
    """

    settings: Settings
    labels: object = field(repr=False)
    scores: object = field(repr=False)
    tests: object = field(repr=False)
    identity: object = field(repr=False)


def _family_tables(scores, labels, analysis):
    import pandas as pd

    unit_of = dict(zip(labels.model, labels.backbone))
    truth = dict(zip(labels.model, labels.modality))
    rows = []
    for t, g in scores.groupby("target", sort=False):
        res = inference.family_test(g[["model", "roi", "r"]], labels, "modality", ("image", "video"), unit_of)
        best = g.loc[g.groupby("roi", sort=False)["r"].idxmax(), ["roi", "model"]].set_index("roi")["model"]
        res.insert(0, "target", t)
        res.insert(0, "analysis", analysis)
        res["correct family"] = truth[t]
        res["winner"] = np.where(res["mean_b"] > res["mean_a"], "video", "image")
        res["correct wins"] = res["winner"] == res["correct family"]
        res["best source"] = res["roi"].map(best)
        rows.append(res)
    return pd.concat(rows, ignore_index=True)


def run(s: Settings) -> TargetsResult:
    """The paper's design and its controls (see the module notes)."""
    import pandas as pd

    everyone = list(dict.fromkeys([*s.targets, *s.sources, *s.real_targets, *s.real_sources]))
    inputs = load_inputs(s.profile, everyone, seed=s.seed, n_clips=s.n_clips, n_folds=s.n_folds,
                         test_fraction=s.test_fraction, n_jobs=s.n_jobs)
    feats, folds = inputs.features, inputs.folds
    labels = family_labels(everyone)
    readouts = [("pca", s.n_target_components)] + ([("units", s.readout_units)] if s.readout_units else [])
    all_targets = list(dict.fromkeys([*s.targets, *s.real_targets]))
    raw = target_experiment(all_targets, feats, folds, n_target_components=s.n_target_components,
                            inner_cv=s.inner_cv, n_components=s.n_components, seed=s.seed, readouts=readouts,
                            sources=everyone, n_jobs=s.n_jobs, scheduler=s.scheduler)
    parts = []
    for t in s.targets:
        pool = set([t, *s.sources])
        pca = raw[(raw.target == t) & (raw.readout == "pca") & raw.model.isin(pool)]
        parts.append(pca.assign(analysis="identity"))
        parts.append(pca[pca.model != t].assign(analysis="paper design"))
        if s.readout_units:
            u = raw[(raw.target == t) & (raw.readout == "units") & raw.model.isin(pool) & (raw.model != t)]
            parts.append(u.assign(analysis="readout: units"))
    for t in s.real_targets:
        pool = set([*s.sources, *s.real_sources]) - {t}
        parts.append(raw[(raw.target == t) & (raw.readout == "pca") & raw.model.isin(pool)].assign(
            analysis="real weights"))
    scores = pd.concat(parts, ignore_index=True)[["analysis", "target", "model", "roi", "r"]]
    tests = pd.concat([_family_tables(scores[scores.analysis == a], labels, a)
                       for a in dict.fromkeys(scores.analysis) if a != "identity"], ignore_index=True)
    idn = scores[scores.analysis == "identity"]
    win = idn.loc[idn.groupby(["target", "roi"], sort=False)["r"].idxmax(), ["target", "roi", "model"]]
    win = win.rename(columns={"model": "winner"})
    win["identity wins"] = win["winner"] == win["target"]
    return TargetsResult(settings=s, labels=labels, scores=scores, tests=tests, identity=win.reset_index(drop=True))
