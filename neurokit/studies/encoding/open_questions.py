"""Part I.5: what the paper leaves open, the choices this book makes, and how much they move the result.

* the checklist of unspecified protocol items and this book's choice for each;
* sensitivity of one model's score to the PCA size, the alpha grid, the pooling and the frames;
* the paper's Eq. 1 (a layer-weighted encoder over all blocks, :class:`neurokit.regression.LayerWeightedEncoder`)
  beside best-block selection on the same folds, with a clip permutation test per ROI;
* the chance level: the same pipeline with the clips' responses shuffled.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from neurokit.errors import InputError
from neurokit.regression import LayerWeightedEncoder
from neurokit.studies.encoding import _settings, inference
from neurokit.studies.encoding.inputs import load_inputs
from neurokit.studies.encoding.layers import (encode_model, model_features, reduce_block, single_threaded,
                                              stack_rois)

__all__ = ["Settings", "settings", "OpenQuestionsResult", "run", "CHOICES", "parse_grid", "layer_weighted"]

#: The paper's unspecified items, this book's choice, and where the book tests it.
CHOICES = (
    ("frames per clip, resolution", "each model card's embedded sampling (short clips, small crops); paper profile: "
     "the card defaults", "frames sweep below (where listed)"),
    ("temporal / spatial pooling", "mean over time and space per block", "pooling sweep below"),
    ("dimensionality reduction", "z-score + PCA fitted on each training split", "PCA sweep below"),
    ("block definitions", "per-model block maps of neurokit.features (B1…Bk as in the figures)", "—"),
    ("regression and alpha grid", "ridge, one alpha per voxel by inner 5-fold CV", "alpha-grid sweep below"),
    ("Eq. 1 (layer-weighted) vs one block", "best block per fold and ROI by inner CV; Eq. 1 fitted by stacking "
     "(per-block ridges, non-negative block weights on out-of-fold predictions)", "Eq. 1 comparison below"),
    ("where hyper-parameters are tuned", "inside each training split only (alphas, PCA, block choice per outer "
     "fold)", "checked in the package's tests: test clips replaced by poison, every choice unchanged"),
    ("CV test folds", "4 disjoint folds of 10 % of the training clips, fixed seed", "—"),
    ("aggregation", "voxel → ROI mean per fold → folds → subjects (one value per model and ROI)", "—"),
    ("Welch-test samples", "per-model scores, as the paper; beside them per-architecture scores and a mixed "
     "model with the architecture as random effect", "Part I.2"),
    ("pairwise tests (Fig. 4–6)", "paired t-test over subjects with at least 4 subjects; below that a paired "
     "permutation test over test clips", "Parts I.2, I.4"),
    ("model roster (37)", "neurokit.features registry (37 cards); embedded: a subset covering every family",
     "Part I.2"),
    ("connectivity model", "closed-form ridge, marginalised dropout, cross-fitted inputs (leak-free); leaky "
     "variant beside", "Part I.4"),
    ("Fig. 5c normalisation", "mean |A_rs|, one global rescale to [0, 1]", "Part I.4"),
    ("BMD noise ceiling / split", "NC = ncsnr²/(ncsnr² + 1/n), official test split (n = 10)", "Part I.4 (Fig. 6d)"),
    ("'2 million fits'", "one fit per voxel, block, model, subject and fold", "Part I.2"),
)


@dataclass(frozen=True)
class Settings:
    """Settings of the open-questions chapter.

    Attributes
    ----------
    profile : str
    seed : int
    model : str
        The model whose score the sensitivities move.
    n_subjects, n_clips, n_folds, test_fraction, inner_cv, n_components : as in the families settings (the
        baseline row reuses that chapter's encoding from the cache).
    pca_grid : tuple of int
        PCA sizes (0 = no reduction).
    alpha_grids : tuple of str
        ``"low:high:count"`` log-spaced grids.
    pooling : tuple of str
        Spatial and temporal pooling of the blocks.
    frames : tuple of int
        Frame counts (0 = the card's).
    n_permutations : int
        Shuffles of the chance level.
    n_clip_permutations : int
        Clip permutations of the Eq. 1 comparison.
    """

    profile: str
    seed: int = 0
    model: str = "x3d_xs.k400"
    n_subjects: int = 0
    n_clips: int = 0
    n_folds: int = 4
    test_fraction: float = 0.1
    inner_cv: int = 5
    n_components: int | None = 100
    pca_grid: tuple = (10, 50, 100, 0)
    alpha_grids: tuple = ("1e-1:1e5:13", "1e2:1e4:3", "1e-3:1e1:5")
    pooling: tuple = ("mean", "max")
    frames: tuple = (0,)
    n_permutations: int = 10
    n_clip_permutations: int = 1000

    def __post_init__(self):
        _settings.check_nonnegative(self, "seed", "n_subjects", "n_clips")
        _settings.check_positive(self, "n_folds", "inner_cv", "n_permutations", "n_clip_permutations")
        _settings.check_fraction(self, "test_fraction", 0.0, 1.0 / self.n_folds)
        for g in self.alpha_grids:
            parse_grid(g)
        bad = [p for p in self.pooling if p not in ("mean", "max")]
        if bad:
            raise InputError(f"pooling must be 'mean' or 'max'; got {bad}.")


PROFILES = {
    "smoke": dict(n_subjects=1, n_clips=30, n_folds=2, test_fraction=0.2, inner_cv=3, n_components=8,
                  pca_grid=(4, 8), alpha_grids=("1e-1:1e5:7", "1e2:1e4:3"), pooling=("mean",), n_permutations=2,
                  n_clip_permutations=50),
    "embedded": dict(n_subjects=2, n_clips=300, n_components=50, pca_grid=(10, 50, 100, 0), n_permutations=5),
    "paper": dict(model="mvit_b_16x4.k400", frames=(0, 8), n_permutations=100),
}


def settings(profile, **overrides):
    """The settings of ``profile`` with ``overrides`` (``None`` values keep the profile's)."""
    return _settings.resolve(Settings, PROFILES, profile, overrides)


def parse_grid(g):
    """``"low:high:count"`` → ``np.logspace(log10 low, log10 high, count)``."""
    try:
        lo, hi, k = g.split(":")
        out = np.logspace(np.log10(float(lo)), np.log10(float(hi)), int(k))
    except (ValueError, AttributeError):
        raise InputError(f"alpha grid {g!r} must read 'low:high:count', e.g. '1e-1:1e5:13'.") from None
    if not (out > 0).all() or len(out) < 1:
        raise InputError(f"alpha grid {g!r} must have positive bounds and count >= 1.")
    return out


def _shared_weights(P, Y):
    """Non-negative block weights ω (one per block for all columns) and intercepts for ``Y ≈ Σ_l ω_l P_l + c``.

    P : (n_blocks, n, v) out-of-fold predictions; Y : (n, v). Least squares over all columns at once, in the
    (n_blocks × n_blocks) Gram form.
    """
    from scipy.optimize import nnls

    Pc = P - P.mean(axis=1, keepdims=True)
    Yc = Y - Y.mean(0)
    G = np.einsum("lnv,mnv->lm", Pc, Pc)
    b = np.einsum("lnv,nv->l", Pc, Yc)
    G = G + 1e-12 * np.trace(G) / len(G) * np.eye(len(G))
    R = np.linalg.cholesky(G).T
    omega, _ = nnls(R, np.linalg.solve(R.T, b))
    return omega, Y.mean(0) - np.tensordot(omega, P.mean(axis=1), axes=1)


@single_threaded
def layer_weighted(features, responses, folds, inner_cv=5, n_components=None, seed=0):
    """The paper's Eq. 1 per subject, ROI and fold: all blocks at once, one non-negative weight per block.

    :class:`neurokit.regression.LayerWeightedEncoder` fits one ridge per block (alpha per voxel by inner CV) and
    the block weights ω on the out-of-fold predictions of those ridges. The ridges are per voxel, so one encoder
    fitted on every voxel of every ROI and subject gives each voxel's per-block ridges and out-of-fold predictions
    exactly as separate fits would; ω is then fitted per subject and ROI on that ROI's out-of-fold predictions
    (Eq. 1: one scalar per block for the ROI), as ``layer_weights="shared"`` does on one ROI (checked in
    ``tests/test_encoding_analysis.py``).

    Parameters
    ----------
    features : mapping block → (n_clips, n_features)
    responses : mapping subject → mapping roi → (n_clips, n_voxels)
    folds : list of (train, test)

    Returns
    -------
    scores : pandas.DataFrame
        ``subject, fold, roi, r``.
    predictions : dict
        ``{subject: [ndarray (n_test, n_voxels)]}`` per fold.
    weights : pandas.DataFrame
        ``subject, fold, roi, block, omega`` (the fitted block weights).
    """
    import pandas as pd

    from neurokit.stats import pearsonr

    stacked = {s: stack_rois(r) for s, r in responses.items()}
    Y = np.concatenate([stacked[s][1] for s in responses], axis=1)
    edges = np.cumsum([0] + [stacked[s][1].shape[1] for s in responses])
    rows, wrows, preds = [], [], {s: [] for s in responses}
    blocks = list(features)
    for f, (train, test) in enumerate(folds):
        red = {b: reduce_block(X, folds, n_components, seed)[f] for b, X in features.items()}
        tr = {b: v[0] for b, v in red.items()}
        te = {b: v[1] for b, v in red.items()}
        enc = LayerWeightedEncoder(cv=inner_cv, inner_cv=inner_cv, layer_weights="per_target").fit(tr, Y[train])
        oof = enc.oof_predictions_  # (n_blocks, n_train, n_voxels)
        per_block = np.stack([m.predict(te[b]) for b, m in zip(enc.layer_names_, enc.layer_models_)])
        for k, (s, (rois, _, labels)) in enumerate(stacked.items()):
            P = np.empty((len(test), len(labels)))
            for roi in rois:
                cols = edges[k] + np.flatnonzero(labels == roi)
                omega, icpt = _shared_weights(oof[:, :, cols], Y[train][:, cols])
                P[:, labels == roi] = np.tensordot(omega, per_block[:, :, cols], axes=1) + icpt
                r = np.atleast_1d(pearsonr(Y[test][:, cols], P[:, labels == roi]))
                rows.append({"subject": s, "fold": f, "roi": roi,
                             "r": float(r[np.isfinite(r)].mean()) if np.isfinite(r).any() else float("nan")})
                wrows += [{"subject": s, "fold": f, "roi": roi, "block": b, "omega": float(w)}
                          for b, w in zip(blocks, omega)]
            preds[s].append(P)
    return pd.DataFrame(rows), preds, pd.DataFrame(wrows)


@dataclass(frozen=True)
class OpenQuestionsResult:
    """What the open-questions chapter shows.

    Attributes
    ----------
    settings : Settings
    choices : pandas.DataFrame
        ``item, choice here, where tested``.
    sensitivity : pandas.DataFrame
        ``choice, value, mean r``.
    eq1 : pandas.DataFrame
        Per ROI: ``roi, best block, Eq. 1, diff, p, mark, unit``.
    eq1_weights : pandas.DataFrame
        Mean block weight ω per ROI and block.
    null : pandas.DataFrame
        ``permutation, roi, r`` with shuffled responses.
    real_mean : float
        Mean r of the same pipeline unshuffled.
    """

    settings: Settings
    choices: object = field(repr=False)
    sensitivity: object = field(repr=False)
    eq1: object = field(repr=False)
    eq1_weights: object = field(repr=False)
    null: object = field(repr=False)
    real_mean: float = float("nan")


def run(s: Settings) -> OpenQuestionsResult:
    """Checklist, sensitivities, Eq. 1 vs best block, chance level."""
    import pandas as pd

    inputs = load_inputs(s.profile, [s.model], seed=s.seed, n_subjects=s.n_subjects, n_clips=s.n_clips,
                         n_folds=s.n_folds, test_fraction=s.test_fraction)
    feats, folds = inputs.features[s.model], inputs.folds
    resp = inputs.all_responses()

    def score(features, model_key, **kw):
        kw.setdefault("n_components", s.n_components)
        enc = encode_model(model_key, features, resp, folds, inner_cv=s.inner_cv, seed=s.seed, **kw)
        return float(enc.chosen["r"].mean()), enc

    sens = []
    base_r, base_enc = score(feats, s.model)
    for k in s.pca_grid:
        r = base_r if (k or None) == s.n_components else score(feats, s.model, n_components=k or None)[0]
        sens.append(("PCA components", "all" if not k else str(k), r))
    for g in s.alpha_grids:
        sens.append(("alpha grid", g, score(feats, s.model, alphas=parse_grid(g))[0]))
    weights = "paper" if s.profile == "paper" else "embedded"
    videos = inputs.data.train_video_paths[: inputs.n]
    for pool in s.pooling:
        f = feats if pool == "mean" else model_features([s.model], videos, weights=weights, spatial_pool=pool,
                                                        temporal_pool=pool)[s.model]
        sens.append(("pooling (space and time)", pool, base_r if pool == "mean" else score(f, f"{s.model}:{pool}")[0]))
    for nf in s.frames:
        if not nf:
            continue
        f = model_features([s.model], videos, weights=weights, n_frames=int(nf))[s.model]
        sens.append(("frames", str(nf), score(f, f"{s.model}:frames{nf}")[0]))
    sensitivity = pd.DataFrame(sens, columns=["choice", "value", "mean r"])

    # Eq. 1 beside best-block selection, same folds, same PCA
    eq_scores, eq_preds, eq_w = layer_weighted(feats, resp, folds, inner_cv=s.inner_cv,
                                               n_components=s.n_components, seed=s.seed)
    Y = {sub: [stack_rois(resp[sub])[1][te] for te in base_enc.tests] for sub in resp}
    t = inference.clip_permutation_test(Y, base_enc.predictions, eq_preds, base_enc.labels,
                                        n_permutations=s.n_clip_permutations, seed=s.seed)
    best = base_enc.chosen.groupby("roi")["r"].mean()
    eq = eq_scores.groupby("roi")["r"].mean()
    eq1 = pd.DataFrame({"roi": t.roi, "best block": best.reindex(t.roi).to_numpy(),
                        "Eq. 1": eq.reindex(t.roi).to_numpy(), "diff": t["diff"], "p": t.p, "mark": t.mark,
                        "unit": t.unit})
    eq1_weights = eq_w.groupby(["roi", "block"], as_index=False)["omega"].mean()

    # chance level: the last block, responses shuffled across clips
    block = list(feats)[-1]
    rng = np.random.default_rng(s.seed)
    null = []
    for p in range(s.n_permutations):
        perm = rng.permutation(inputs.n)
        shuffled = {sub: {roi: np.asarray(y)[perm] for roi, y in d.items()} for sub, d in resp.items()}
        enc = encode_model(f"{s.model}:null{p}", {block: feats[block]}, shuffled, folds, inner_cv=s.inner_cv,
                           n_components=s.n_components, seed=s.seed)
        df = enc.chosen.groupby("roi", as_index=False)["r"].mean()
        null.append(df.assign(permutation=p))
    null = pd.concat(null, ignore_index=True)[["permutation", "roi", "r"]]
    real = base_enc.scores[base_enc.scores.block == block]["r"].mean()
    choices = pd.DataFrame(CHOICES, columns=["item", "choice here", "where tested"])
    return OpenQuestionsResult(settings=s, choices=choices,
                               sensitivity=sensitivity, eq1=eq1, eq1_weights=eq1_weights, null=null,
                               real_mean=float(real))
