"""Part I.2: image vs video (and the other family contrasts) across ROIs, and single-model comparisons.

The paper's Fig. 3 (family means per ROI with Welch tests over models) and Fig. 4 (Slow vs SlowFast, Kinetics vs
Charades, OmniMAE vs TimeSformer, six video models), run on the profile's world:

* every model encoded block by block (:func:`neurokit.studies.encoding.layers.encode_model`), the block chosen
  per (subject, fold, ROI) by the inner-CV error on that fold's training clips;
* one score per model and ROI = test r averaged over voxels, folds and subjects (the dots of Fig. 3);
* family tests three ways (:func:`neurokit.studies.encoding.inference.family_test`): the paper's Welch test over
  models, the same over architectures, and a mixed model with the architecture as random effect;
* pairs of models per ROI by a paired permutation test over test clips (and over subjects where there are at
  least four).
"""
from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurokit.errors import InputError
from neurokit.stats import fdr_bh, significance_mark, welch_ttest
from neurokit.studies.encoding import _settings, inference, published
from neurokit.studies.encoding.inputs import load_inputs
from neurokit.studies.encoding.layers import (KillWorkerOnce, check_scheduler, encode_model, encode_models,
                                              same_encoding)

log = logging.getLogger(__name__)

__all__ = ["Settings", "settings", "FamiliesResult", "run", "CONTRASTS", "FIG4_PAIRS", "family_labels",
           "backbone", "family_tests", "paper_vs_run", "effect_direction_summary"]

#: Card attribute → the paper's two groups.
CONTRASTS = {c: (a, b) for c, a, b in published.FIG3_CONTRASTS}

#: Fig. 4a/4b pairs (a, b): b − a is tested. Pairs with a model missing from the roster are skipped.
FIG4_PAIRS = (("slow_r50_8x8.k400", "slowfast_r50_8x8.k400"), ("slow_r50_8x8.charades", "slowfast_r50_8x8.charades"),
              ("slow_r50_8x8.k400", "slow_r50_8x8.charades"), ("omnimae_b_16x4.pretrain", "omnimae_b_16x4.ssv2_ft"),
              ("omnimae_b_16x4.ssv2_ft", "timesformer_b_8x32.ssv2"))

_EMBEDDED_MODELS = ("resnet50.tv_in1k", "efficientnet_lite0.in1k", "vit_b16.augreg_in1k", "dino_vit_b16.in1k",
                    "x3d_xs.k400", "x3d_s.k400", "slow_r50_8x8.k400", "slow_r50_8x8.charades",
                    "slowfast_r50_8x8.k400", "slowfast_r50_8x8.charades")


@dataclass(frozen=True)
class Settings:
    """Settings of the family comparison.

    Attributes
    ----------
    profile : str
    seed : int
        Simulation, fold and permutation seed.
    models : tuple of str
        Registry names (every family label must have at least two models for its test).
    n_subjects, n_clips : int
        First subjects and training clips used (0 = all).
    n_folds, test_fraction : int, float
        Disjoint outer test folds.
    inner_cv : int
        Inner folds for the per-voxel alphas and the block choice.
    n_components : int or None
        PCA components per block (fitted on each training split).
    n_permutations : int
        Clip permutations per paired test.
    six_models : tuple of str
        The Fig. 4c comparison (video models of the roster).
    n_jobs : int
        Worker processes for the feature extraction of models not yet in the cache, and for the encodings.
    scheduler : str
        Where the encodings run (see :func:`neurokit.studies.encoding.layers.encode_models`): ``"joblib"``
        (worker processes), ``"sequential"``, ``"dask"`` (a local Dask cluster of ``n_jobs`` workers) or the
        address of a running Dask scheduler (``"tcp://host:8786"``).
    fault_drill : bool
        Kill one worker of the local Dask cluster while it encodes a model in the middle of the roster
        (:class:`~neurokit.studies.encoding.layers.KillWorkerOnce`), let the sweep re-run that task, and compare
        its encoding with an in-process run of the same model (``scheduler="dask"`` only; a rehearsal does this).
    """

    profile: str
    seed: int = 0
    models: tuple = _EMBEDDED_MODELS
    n_subjects: int = 0
    n_clips: int = 0
    n_folds: int = 4
    test_fraction: float = 0.1
    inner_cv: int = 5
    n_components: int | None = 100
    n_permutations: int = 1000
    six_models: tuple = ("x3d_xs.k400", "x3d_s.k400", "slow_r50_8x8.k400", "slow_r50_8x8.charades",
                         "slowfast_r50_8x8.k400", "slowfast_r50_8x8.charades")
    n_jobs: int = 1
    scheduler: str = "joblib"
    fault_drill: bool = False

    def __post_init__(self):
        check_scheduler(self.scheduler)
        if self.fault_drill and self.scheduler != "dask":
            raise InputError(f"fault_drill kills a worker of a local Dask cluster: use it with scheduler='dask' "
                             f"(got scheduler={self.scheduler!r}).")
        _settings.check_nonnegative(self, "seed", "n_subjects", "n_clips")
        _settings.check_positive(self, "n_folds", "inner_cv", "n_permutations", "n_jobs")
        _settings.check_fraction(self, "test_fraction", 0.0, 1.0 / self.n_folds)
        if len(self.models) < 4:
            raise InputError(f"families needs at least 4 models (two per group of a contrast); got {self.models}.")
        missing = [m for m in self.six_models if m not in self.models]
        if missing:
            raise InputError(f"six_models {missing} are not in models; add them to models or drop them.")


PROFILES = {
    "smoke": dict(models=("resnet50.tv_in1k", "efficientnet_lite0.in1k", "x3d_xs.k400", "x3d_s.k400"),
                  n_subjects=2, n_clips=30, n_folds=2, test_fraction=0.2, inner_cv=3, n_components=8,
                  n_permutations=50, six_models=("x3d_xs.k400", "x3d_s.k400")),
    "embedded": dict(models=_EMBEDDED_MODELS, n_subjects=2, n_clips=300, n_components=50, n_jobs=2),
    "paper": dict(models=("c2d_r50_8x8.k400", "convnext_b.fb_in1k", "csn_r101_32x2.k400", "deit_b16.fb_in1k",
                          "dino_vit_b16.in1k", "efficientnet_lite0.in1k", "efficientnet_lite1.in1k",
                          "efficientnet_lite2.in1k", "i3d_r50_8x8.k400", "mae_vit_b16.in1k", "mocov3_vit_b16.in1k",
                          "mvit_b_16x4.k400", "mvit_b_32x3.k400", "mvitv2_s_16x4.k400", "omnimae_b_16x4.pretrain",
                          "omnimae_b_16x4.ssv2_ft", "r2plus1d_r50_16x4.k400", "resnet50.tv_in1k", "slow_r50_4x16.k400",
                          "slow_r50_8x8.charades", "slow_r50_8x8.k400", "slowfast_r101_8x8.k400",
                          "slowfast_r50_4x16.k400", "slowfast_r50_8x8.charades", "slowfast_r50_8x8.k400",
                          "slowfast_r50_8x8.ssv2", "swin3d_t_16x2.k400", "swin_b.ms_in1k", "timesformer_b_8x32.k400",
                          "timesformer_b_8x32.ssv2", "tsm_r50_8x8.mmit", "videomae_b_16x4.k400", "vit_b16.augreg_in1k",
                          "x3d_l.k400", "x3d_m.k400", "x3d_s.k400", "x3d_xs.k400"),
                  six_models=("i3d_r50_8x8.k400", "slow_r50_8x8.k400", "slowfast_r50_8x8.k400", "x3d_m.k400",
                              "mvit_b_16x4.k400", "timesformer_b_8x32.k400"), n_jobs=2),
}


def settings(profile, **overrides):
    """The settings of ``profile`` with ``overrides`` (``None`` values keep the profile's)."""
    return _settings.resolve(Settings, PROFILES, profile, overrides)


# ------------------------------------------------------------------------------------------ labels
def backbone(card):
    """The architecture a model instantiates, ignoring its training data and head (``card``: a model card).

    Models with the same backbone (Slow-R50 on Kinetics or Charades; ViT-B/16 supervised, DINO, MAE, MoCo v3) are
    one architecture sampled several times, not independent members of a family.
    """
    kw = dict(card.builder_kwargs)
    core = kw.get("model_name") or kw.get("hub") or kw.get("model") or kw.get("config") or kw.get("variant") or ""
    extra = [f"{k}={kw[k]}" for k in ("model_depth", "alpha", "attention", "tubelet") if k in kw]
    if card.builder == "ptv_x3d":
        core = f"x3d_{kw.get('variant')}"
    return ":".join([card.builder, str(core), *extra])


def family_labels(models, card_getter=None):
    """Family labels and backbone of each model from its card.

    Parameters
    ----------
    models : sequence of str
    card_getter : callable, optional
        ``name -> card`` (default :func:`neurokit.features.get_card`).

    Returns
    -------
    pandas.DataFrame
        ``model, modality, architecture, supervision, streams, train_data, backbone``.
    """
    import pandas as pd

    if card_getter is None:
        from neurokit.features import get_card as card_getter
    rows = []
    for m in models:
        c = card_getter(m)
        rows.append({"model": m, "modality": c.modality, "architecture": c.architecture,
                     "supervision": c.supervision, "streams": c.streams, "train_data": c.train_data,
                     "backbone": backbone(c) if hasattr(c, "builder") else m})
    return pd.DataFrame(rows)


def family_tests(model_scores, labels, contrasts=None):
    """The paper's test: Welch's t-test between the two groups over *models*, per ROI, FDR over the table.

    Parameters
    ----------
    model_scores : pandas.DataFrame
        ``model, roi, r``.
    labels : pandas.DataFrame
        From :func:`family_labels`.
    contrasts : sequence of str, optional

    Returns
    -------
    pandas.DataFrame
        ``roi, contrast, group_a, group_b, n_a, n_b, mean_a, mean_b, t, d, p, p_fdr, mark, mark_fdr``.
    """
    import pandas as pd

    from neurokit.stats import compare_families

    contrasts = list(CONTRASTS) if contrasts is None else list(contrasts)
    df = model_scores.merge(labels, on="model", how="left")
    if df[contrasts].isna().any().any():
        missing = sorted(df.loc[df[contrasts].isna().any(axis=1), "model"].unique())
        raise InputError(f"no family labels for models {missing}; add them to `labels`.")
    out = []
    for c in contrasts:
        a, b = CONTRASTS[c]
        sub = df[df[c].isin([a, b])]
        ok = sub.groupby(["roi", c]).size().unstack(fill_value=0)
        keep = ok[(ok.reindex(columns=[a, b], fill_value=0) >= 2).all(axis=1)].index
        sub = sub[sub["roi"].isin(keep)]
        if sub.empty:
            continue
        res = compare_families(sub, value="r", group=c, by="roi", pairs=[(a, b)])
        res.insert(1, "contrast", c)
        out.append(res)
    if not out:
        raise InputError("no ROI has at least two models in both groups of any contrast; add models.")
    table = pd.concat(out, ignore_index=True)
    _, table["p_fdr"] = fdr_bh(table["p"].to_numpy())
    table["mark_fdr"] = list(significance_mark(table["p_fdr"].to_numpy()))
    return table


def paper_vs_run(tests):
    """The paper's Fig. 3 family means beside this run's: ``roi, contrast, paper a, paper b, paper mark, run a,
    run b, run mark, run p_fdr``."""
    paper = published.fig3_families().rename(columns={"mean_a": "paper a", "mean_b": "paper b", "mark": "paper mark"})
    run = tests[["roi", "contrast", "mean_a", "mean_b", "mark", "p_fdr"]].rename(
        columns={"mean_a": "run a", "mean_b": "run b", "mark": "run mark", "p_fdr": "run p_fdr"})
    t = paper.drop(columns=["source"]).merge(run, on=["roi", "contrast"], how="outer")
    order = {r: i for i, r in enumerate(published.ROIS)}
    return t.sort_values(["contrast", "roi"], key=lambda s: s.map(order) if s.name == "roi" else s) \
        .reset_index(drop=True)


def effect_direction_summary(tests, dynamic_rois, contrast="modality", p_column="p"):
    """Does the video family win in the planted-dynamic ROIs and not in the static ones?

    Parameters
    ----------
    tests : pandas.DataFrame
        :func:`family_tests` or :func:`~neurokit.studies.encoding.inference.family_test` output.
    dynamic_rois : sequence of str
    contrast : str
    p_column : str
        The p-value that decides a win (``"p"`` over models; ``"p_architectures"`` over architectures).

    Returns
    -------
    pandas.DataFrame
        ``roi, dynamic, video_minus_image, p, video_wins`` (``video_wins``: b > a with p < 0.05).
    """
    t = tests[tests["contrast"] == contrast].copy()
    t["dynamic"] = t["roi"].isin(list(dynamic_rois))
    t["video_minus_image"] = t["mean_b"] - t["mean_a"]
    t["p"] = t[p_column]
    t["video_wins"] = (t["video_minus_image"] > 0) & (t["p"] < 0.05)
    return t[["roi", "dynamic", "video_minus_image", "p", "video_wins"]].reset_index(drop=True)


# ------------------------------------------------------------------------------------------- run
@dataclass(frozen=True)
class FamiliesResult:
    """Everything the family chapter shows.

    Attributes
    ----------
    settings : Settings
    subjects, rois : list of str
    n : int
        Training clips used.
    labels : pandas.DataFrame
        :func:`family_labels`.
    layers : pandas.DataFrame
        ``model, subject, fold, roi, block, r, inner_mse``: every block.
    chosen : pandas.DataFrame
        ``model, subject, fold, roi, block, r``: the block chosen on each fold's training clips.
    per_subject, model_scores : pandas.DataFrame
        ``model, subject, roi, r`` and ``model, roi, r``.
    tests : pandas.DataFrame
        :func:`family_tests` (the paper's test, over models).
    unit_tests : pandas.DataFrame
        :func:`~neurokit.studies.encoding.inference.family_test` for every contrast (models, architectures,
        mixed model).
    check : pandas.DataFrame
        :func:`effect_direction_summary` against the planted dynamic ROIs, wins decided over architectures.
    contrast : dict
        The dynamic − static contrast, video − image, tested once over architectures (``diff, t, p, d,
        n_video, n_image``).
    motion : pandas.DataFrame
        ``roi, motion_share, video_minus_image`` (planted share; NaN on real data).
    pairs : pandas.DataFrame
        Fig. 4a/4b pairs: ``pair, roi, a, b, diff, p, mark, unit`` (clip permutation test) and the subject-level
        test columns ``p_subjects, mark_subjects`` (empty below four subjects).
    six : pandas.DataFrame
        Fig. 4c: ``model, roi, r``.
    n_fits : int
        Per-voxel ridge fits (one per voxel, block, model, subject and fold; inner CV not counted).
    simulated : bool
    dynamic_rois : tuple of str
    fault_drill : dict or None
        With ``settings.fault_drill``: ``model`` (whose worker was killed), ``worker_killed`` (the worker really
        died), ``identical`` (its encoding equals an in-process run, bit for bit).
    """

    settings: Settings
    subjects: list
    rois: list
    n: int
    labels: object = field(repr=False)
    layers: object = field(repr=False)
    chosen: object = field(repr=False)
    per_subject: object = field(repr=False)
    model_scores: object = field(repr=False)
    tests: object = field(repr=False)
    unit_tests: object = field(repr=False)
    check: object = field(repr=False)
    contrast: dict = field(repr=False)
    motion: object = field(repr=False)
    pairs: object = field(repr=False)
    six: object = field(repr=False)
    n_fits: int = 0
    simulated: bool = True
    dynamic_rois: tuple = ()
    fault_drill: dict | None = None


def _ground_truth(inputs):
    if not inputs.simulated:
        return ("V1", "V2", "V3", "V4", "LOC", "EBA", "STS"), {}  # the paper's result, for the same tables
    from neurokit.sim.brain import load_ground_truth

    gt = load_ground_truth(inputs.root)
    return tuple(gt.dynamic_rois), dict(gt.model["motion_share"])


def pair_tests(encodings, responses, pairs, n_permutations, seed):
    """Paired comparisons per ROI: clip permutation test, and the subject test where there are >= 4 subjects.

    Parameters
    ----------
    encodings : mapping of model to :class:`~neurokit.studies.encoding.layers.BlockEncoding`
    responses : mapping of subject to mapping of roi to ndarray of shape (n_clips, n_voxels)
    pairs : sequence of (a, b)
    n_permutations, seed : int

    Returns
    -------
    pandas.DataFrame
        ``pair, roi, a, b, diff, p, mark, unit, n_subjects, p_subjects, mark_subjects``.
    """
    import pandas as pd

    from neurokit.studies.encoding.layers import stack_rois

    rows = []
    for k, (a, b) in enumerate(pairs):
        if a not in encodings or b not in encodings:
            continue
        ea, eb = encodings[a], encodings[b]
        Y = {s: [stack_rois(responses[s])[1][te] for te in ea.tests] for s in responses}
        perm = inference.clip_permutation_test(Y, ea.predictions, eb.predictions, ea.labels,
                                               n_permutations=n_permutations, seed=seed + k)
        sa = ea.chosen.groupby(["roi", "subject"])["r"].mean()
        sb = eb.chosen.groupby(["roi", "subject"])["r"].mean()
        for _, row in perm.iterrows():
            subj = inference.subject_test(sb.loc[row.roi].to_numpy(), sa.loc[row.roi].to_numpy())
            rows.append({"pair": f"{b} vs {a}", "roi": row.roi, "a": sa.loc[row.roi].mean(),
                         "b": sb.loc[row.roi].mean(), "diff": row["diff"], "p": row.p, "mark": row.mark,
                         "unit": row.unit, "n_subjects": subj["n_subjects"], "p_subjects": subj["p"],
                         "mark_subjects": subj["mark"]})
    return pd.DataFrame(rows, columns=["pair", "roi", "a", "b", "diff", "p", "mark", "unit", "n_subjects",
                                       "p_subjects", "mark_subjects"])


def run(s: Settings) -> FamiliesResult:
    """Encode every model, test the families and the pairs (see the module notes)."""
    import pandas as pd

    inputs = load_inputs(s.profile, s.models, seed=s.seed, n_subjects=s.n_subjects, n_clips=s.n_clips,
                         n_folds=s.n_folds, test_fraction=s.test_fraction, n_jobs=s.n_jobs)
    responses = inputs.all_responses()
    kw = dict(inner_cv=s.inner_cv, n_components=s.n_components, seed=s.seed)
    hook = drill = None
    if s.fault_drill:
        victim = s.models[len(s.models) // 2]
        drill_dir = Path(tempfile.mkdtemp(prefix="neurokit-drill-"))
        hook = KillWorkerOnce(victim, str(drill_dir / "killed"))
    encodings = encode_models({m: inputs.features[m] for m in s.models}, responses, inputs.folds, n_jobs=s.n_jobs,
                              scheduler=s.scheduler, hook=hook, **kw)
    if s.fault_drill:
        again = encode_model(victim, inputs.features[victim], responses, inputs.folds, cache=False, **kw)
        drill = {"model": victim, "worker_killed": (drill_dir / "killed").exists(),
                 "identical": same_encoding(encodings[victim], again)}
        shutil.rmtree(drill_dir, ignore_errors=True)
        log.info("fault drill: %s", drill)
    layers = pd.concat([e.scores.assign(model=m) for m, e in encodings.items()], ignore_index=True)
    chosen = pd.concat([e.chosen.assign(model=m) for m, e in encodings.items()], ignore_index=True)
    per_subject = chosen.groupby(["model", "subject", "roi"], as_index=False)["r"].mean()
    model_scores = per_subject.groupby(["model", "roi"], as_index=False)["r"].mean()
    labels = family_labels(s.models)
    tests = family_tests(model_scores, labels)
    unit_of = dict(zip(labels.model, labels.backbone))
    unit_tests = pd.concat([inference.family_test(model_scores, labels, c, CONTRASTS[c], unit_of)
                            for c in CONTRASTS if labels[c].isin(CONTRASTS[c]).sum() >= 2], ignore_index=True)
    dynamic, share = _ground_truth(inputs)
    check = effect_direction_summary(unit_tests, dynamic, p_column="p_architectures")
    # the planted contrast, tested once: per architecture, mean r over dynamic ROIs − over static ROIs
    static = [r for r in inputs.rois if r not in dynamic]
    wide = model_scores.pivot_table(index="model", columns="roi", values="r")
    diff = wide[[r for r in inputs.rois if r in dynamic]].mean(axis=1) - (wide[static].mean(axis=1) if static else 0)
    lab = labels.set_index("model")
    per_arch = pd.DataFrame({"d": diff, "arch": lab.loc[diff.index, "backbone"],
                             "video": lab.loc[diff.index, "modality"] == "video"}).groupby(["arch", "video"]).d.mean()
    per_arch = per_arch.reset_index()
    v, i = per_arch[per_arch.video].d.to_numpy(), per_arch[~per_arch.video].d.to_numpy()
    if len(v) >= 2 and len(i) >= 2 and static:
        res = welch_ttest(v, i)
        contrast = {"diff": float(v.mean() - i.mean()), "t": res.t, "p": res.p, "d": res.d,
                    "n_video": len(v), "n_image": len(i)}
    else:
        contrast = {"diff": np.nan, "t": np.nan, "p": np.nan, "d": np.nan, "n_video": len(v), "n_image": len(i)}
    motion = pd.DataFrame({"roi": check["roi"], "motion_share": [share.get(r, np.nan) for r in check["roi"]],
                           "video_minus_image": check["video_minus_image"]})
    pairs = pair_tests(encodings, responses, FIG4_PAIRS, s.n_permutations, s.seed)
    six = model_scores[model_scores.model.isin(s.six_models)].reset_index(drop=True)
    voxels = sum(np.asarray(v_).shape[1] for v_ in responses[inputs.subjects[0]].values())
    n_fits = int(len(layers) / len(inputs.rois) / len(inputs.subjects) * voxels * len(inputs.subjects))
    return FamiliesResult(settings=s, subjects=inputs.subjects, rois=inputs.rois, n=inputs.n, labels=labels,
                          layers=layers, chosen=chosen, per_subject=per_subject, model_scores=model_scores,
                          tests=tests, unit_tests=unit_tests, check=check, contrast=contrast, motion=motion,
                          pairs=pairs, six=six, n_fits=n_fits, simulated=inputs.simulated, dynamic_rois=dynamic,
                          fault_drill=drill)
