"""The decoding study: NEURONS trained on every subject, the NeuroClips-style ablation, the subtask ablation and
the voxel attribution of each head, with the simulated truth to compare against.

Stage 1 (the brain model) is trained once per subject (cached under ``cache_home()/neurons/stage1-<key>.pt``);
then one stage-2 run per (subject, configuration) starts from it, in worker processes, each cached under
``cache_home()/neurons/job-<key>.pt`` (so a changed setting retrains only the runs it touches, and the
reconstruction chapter reads the decoded outputs without training). Stage 2 seeds itself, so a run started from
the shared stage-1 state gives the numbers of a run that trains its own stage 1:

* ``NEURONS`` = the paper's full model (all four subtask heads with the progressive schedule);
* ``NeuroClips-style`` = the first row of the paper's ablation, "brain model + L_rec": the blurry-video head and
  the semantic (caption) embedding only, no subtask decoupling, as NeuroClips conditions its generator;
* the three intermediate rows of the ablation on ``ablation_subject``.

Each NEURONS and NeuroClips-style run also measures which voxels drive each of its heads
(:func:`neurokit.neurons.attribution.voxel_attribution`), which this module compares with the roles the
simulation planted (:func:`attribution_agreement`).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from neurokit._io import atomic_path, sha256_json
from neurokit._progress import tqdm
from neurokit.config import available_cores, cache_home
from neurokit.errors import InputError
from neurokit.neurons.attribution import HEADS, voxel_attribution
from neurokit.neurons.train import ABLATIONS
from neurokit.sim.cc2017 import SUBTASK_GROUPS, planted_importance
from neurokit.studies.neurons.experiment import data_fingerprint, run_decoding
from neurokit.studies.neurons.settings import StudySettings

logger = logging.getLogger(__name__)

__all__ = ["CONDITIONS", "SubjectRun", "DecodingResult", "jobs", "run", "attribution_agreement",
           "roi_attribution", "attribution_shares", "mean_ci", "blurry_table", "subtask_table", "ablation_table",
           "load_model", "SUBTASK_ROWS", "VERSION"]

VERSION = 2
#: The two conditions every subject trains: name -> row of the paper's ablation.
CONDITIONS = {"NEURONS": "+ progressive learning", "NeuroClips-style": "brain model + L_rec"}
#: Heads attributed per condition (the NeuroClips-style model has only the blurry video and the caption embedding).
ATTRIBUTED = {"NEURONS": HEADS, "NeuroClips-style": ("txt", "rec")}


@dataclass(frozen=True)
class SubjectRun:
    """One trained configuration on one subject.

    Attributes
    ----------
    subject : int
    configuration : str
        A row of :data:`neurokit.neurons.train.ABLATIONS`.
    metrics : dict
        :func:`neurokit.neurons.train.evaluate_subtasks` scores (floats, lists).
    decoded : dict
        Test-set outputs: ``blurry`` (m, F, 3, H, W) in [0, 1], ``mask_probs``, ``concept_probs``,
        ``top_concept``, ``captions``, ``text_emb``.
    per_video : dict
        Per-video scores (blurry pixel scores own / shuffled, segmentation Dice own / shuffled).
    attribution : dict or None
        head -> voxel importance (n_voxels,).
    seconds : dict
    model : dict or None
        The first subject's NEURONS model as its ``config`` and ``state`` entries (see :func:`load_model`).
    weights : dict or None
        Where the pretrained parts' weights came from (``{"gpt2": "pretrained" | "random-init" |
        "random-init (rehearsal)"}``).
    """

    subject: int
    configuration: str
    metrics: dict
    decoded: dict
    per_video: dict
    attribution: dict | None
    seconds: dict
    model: dict | None = None
    weights: dict | None = None


@dataclass(frozen=True)
class DecodingResult:
    """Every run of the study and the simulated truth.

    Attributes
    ----------
    settings : StudySettings
    runs : dict
        ``(subject, configuration) -> SubjectRun``.
    truth : dict
        subject -> {"roi": array of str (n_voxels,), "shares": (n_voxels, n_groups)}; empty for real data.
    concept_names : list of str
    keys : dict
        ``(subject, configuration) -> cache key`` of each run (content keys: settings and data).
    seconds : float
        Wall time of the runs this call executed (0 when everything was cached).
    """

    settings: StudySettings
    runs: dict
    truth: dict
    concept_names: list
    keys: dict
    seconds: float = 0.0

    @property
    def subjects(self) -> tuple:
        return tuple(self.settings.subjects)

    def condition(self, subject: int, name: str) -> SubjectRun:
        """The run of condition ``name`` ("NEURONS" or "NeuroClips-style") on ``subject``."""
        return self.runs[(subject, CONDITIONS[name])]


def jobs(settings: StudySettings) -> list[tuple[int, str]]:
    """(subject, configuration) of every run: both conditions per subject, the ablation rows on one."""
    out = []
    for s in settings.subjects:
        names = list(ABLATIONS) if (settings.ablations and s == settings.ablation_subject) else \
            [CONDITIONS["NeuroClips-style"], CONDITIONS["NEURONS"]]
        out += [(int(s), n) for n in names]
    return out


def _job_key(root, subject, configuration, settings: StudySettings) -> str:
    return sha256_json({"subject": subject, "configuration": configuration, "ablation": ABLATIONS[configuration],
                        "training": settings.training.as_kwargs(), "probes": settings.attribution_probes,
                        "data": data_fingerprint(root), "version": VERSION})[:20]


def _to_tensors(obj):
    if isinstance(obj, dict):
        return {k: _to_tensors(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(obj)
    return obj


def _stage1_path(root, subject, settings: StudySettings) -> Path:
    key = sha256_json({"subject": subject, "training": settings.training.as_kwargs(),
                       "data": data_fingerprint(root), "version": VERSION, "stage": 1})[:20]
    return cache_home() / "neurons" / f"stage1-{key}.pt"


def _cached_stage1(root, subject, settings: StudySettings, threads: int = 1) -> Path:
    """Train stage 1 of ``subject`` unless cached (worker function); the path of its state."""
    path = _stage1_path(root, subject, settings)
    if not path.exists():
        torch.set_num_threads(int(threads))
        r = run_decoding(root, subject, stage1_only=True, cache=False, threads=threads, checkpoint=True,
                         **settings.training.as_kwargs())
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            torch.save({"state": r["stage1_state"], "seconds": r["seconds"]}, tmp)
    return path


def _job(root, subject, configuration, settings: StudySettings, threads: int = 1) -> dict:
    """Train stage 2 of one configuration on one subject from the subject's stage-1 state, decode the test clips,
    attribute the heads (worker function)."""
    torch.set_num_threads(int(threads))
    ab = ABLATIONS[configuration]
    t0 = time.perf_counter()
    # memory-mapped: the stage-1 weights stay in the page cache instead of a second private copy beside the model's
    stage1 = torch.load(_cached_stage1(root, subject, settings, threads), weights_only=True, mmap=True)
    r = run_decoding(root, subject, subtasks=tuple(ab["subtasks"]), progressive=bool(ab["progressive"]),
                     captions="txt" in ab["subtasks"], return_model=True, cache=False, threads=threads,
                     stage1_state=stage1["state"], checkpoint=True, **settings.training.as_kwargs())
    r["seconds"].update({f"shared {k}": float(v) for k, v in stage1["seconds"].items()})
    cond = {v: k for k, v in CONDITIONS.items()}.get(configuration)
    attribution, secs = None, dict(r["seconds"])
    if cond is not None and not settings.training.batch_coupled:
        t1 = time.perf_counter()
        attr = voxel_attribution(r["model"], r["prep"].test_fmri, r["prep"].subj_idx, ATTRIBUTED[cond],
                                 n_probes=settings.attribution_probes, seed=settings.training.seed)
        attribution = {k: torch.from_numpy(v) for k, v in attr.items()}
        secs["attribution"] = time.perf_counter() - t1
    secs["total"] = time.perf_counter() - t0
    model = None
    if cond == "NEURONS" and subject == settings.subjects[0]:  # kept for the batch-coupling demonstration
        model = {"config": r["config"], "state": {k: v.detach().cpu().clone() for k, v in r["model"].state_dict().items()}}
    return {"subject": subject, "configuration": configuration, "metrics": r["metrics"], "decoded": r["decoded"],
            "per_video": r["per_video"], "attribution": attribution, "seconds": secs, "model": model,
            "weights": r["weights"]}


def _cached_job(root, subject, configuration, settings, threads=1):
    path = cache_home() / "neurons" / f"job-{_job_key(root, subject, configuration, settings)}.pt"
    if path.exists():
        return torch.load(path, weights_only=True)
    rec = _job(root, subject, configuration, settings, threads)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save(_to_tensors(rec), tmp)
    return rec


def _truth(root: Path, subjects) -> dict:
    path = Path(root) / "sim_truth.pt"
    if not path.exists():
        return {}
    t = torch.load(path, weights_only=True)
    return {s: {"roi": np.asarray(t[f"subj0{s}"]["roi"]), "shares": t[f"subj0{s}"]["shares"].numpy()}
            for s in subjects if f"subj0{s}" in t}


def run(settings: StudySettings, root, progress: bool = False) -> DecodingResult:
    """All runs of the study on the cc2017 folder ``root`` (cached per run; see the module docstring).

    Parameters
    ----------
    settings : StudySettings
    root : path-like
        A cc2017 folder (:func:`neurokit.data.cc2017.load_cc2017`).
    progress : bool
        A bar over finished runs.
    """
    import json

    root = Path(root)
    todo = jobs(settings)
    t0 = time.perf_counter()
    # the paper model runs one job at a time (n_jobs=1): let it use every core rather than one
    threads = max(1, available_cores() // int(settings.n_jobs)) if settings.training.config == "paper" else 1
    keyed = {(s, c): cache_home() / "neurons" / f"job-{_job_key(root, s, c, settings)}.pt" for s, c in todo}
    missing = [j for j in todo if not keyed[j].exists()]
    if missing:
        _warm_text_cache(root, settings)
        subjects = sorted({s for s, _ in missing if not _stage1_path(root, s, settings).exists()})
        if len(subjects) > 1 and settings.n_jobs > 1:
            from joblib import Parallel, delayed

            Parallel(n_jobs=int(settings.n_jobs), backend="loky")(
                delayed(_cached_stage1)(root, s, settings) for s in subjects)
        for s in subjects:
            _cached_stage1(root, s, settings, threads)
    out = {}
    bar = tqdm(total=len(todo), disable=not progress, desc="training runs")
    if len(missing) > 1 and settings.n_jobs > 1:
        from joblib import Parallel, delayed

        par = Parallel(n_jobs=int(settings.n_jobs), backend="loky", return_as="generator_unordered")
        for rec in par(delayed(_cached_job)(root, s, c, settings) for s, c in missing):
            out[(int(rec["subject"]), rec["configuration"])] = rec
            bar.update()
    for s, c in todo:
        if (s, c) not in out:
            out[(s, c)] = _cached_job(root, s, c, settings, threads)
            bar.update()
    bar.close()
    runs = {}
    for (s, c), rec in out.items():
        runs[(s, c)] = SubjectRun(s, c, rec["metrics"], dict(rec["decoded"]), rec["per_video"], rec["attribution"],
                                  rec["seconds"], rec.get("model"), rec.get("weights"))
    names = json.loads((root / "concept_names.json").read_text())
    keys = {j: _job_key(root, *j, settings) for j in todo}
    return DecodingResult(settings, {j: runs[j] for j in todo}, _truth(root, settings.subjects), names, keys,
                          time.perf_counter() - t0 if missing else 0.0)


def _warm_text_cache(root, settings):
    """Embed the captions once here, so that the workers read them from the cache instead of loading the model."""
    if settings.training.text_method != "minilm":
        return
    from neurokit.data.cc2017 import load_cc2017
    from neurokit.neurons.text import embed_captions

    d = load_cc2017(root, settings.subjects[0])
    embed_captions(d.train_captions, "minilm")
    embed_captions(d.test_captions, "minilm")
    embed_captions([f"a {n}" if not n.startswith("scene:") else f"a scene of {n[6:]}" for n in d.concept_names],
                   "minilm")


# ------------------------------------------------------------------------------------------- attribution
def roi_attribution(importance, roi) -> dict:
    """Share of the total importance that falls in each ROI (and in ``"other"``): ``{roi: share}``."""
    importance = np.asarray(importance, dtype=np.float64)
    roi = np.asarray(roi)
    total = importance.sum()
    names = [r for r in dict.fromkeys(roi.tolist())]
    return {r: float(importance[roi == r].sum() / total) if total > 0 else float("nan") for r in names}


def attribution_agreement(result: DecodingResult, condition: str = "NEURONS") -> "pandas.DataFrame":  # noqa: F821
    """Rank correlation between each head's voxel attribution and the importance the simulation planted.

    For every subject and head: Spearman's ρ over voxels between the attribution and the planted importance of
    the head's own subtask (:data:`neurokit.sim.cc2017.SUBTASK_GROUPS`), and, as the specificity control, the mean
    ρ with the planted importance of the *other* subtasks; and Spearman's ρ over ROIs (with "other") between the
    ROI shares of attributed and of planted importance.

    Returns
    -------
    DataFrame
        Columns ``subject, head, rho_voxels, rho_voxels_other, rho_rois``; empty without simulated truth.
    """
    import pandas as pd
    from scipy.stats import spearmanr

    rows = []
    for s, head, attr, roi, planted in _attributions(result, condition):
        a = np.asarray(attr, dtype=np.float64)
        rho = spearmanr(a, planted[head]).statistic
        other = np.mean([spearmanr(a, planted[h]).statistic for h in planted if h != head])
        ra, rp = roi_attribution(a, roi), roi_attribution(planted[head], roi)
        keys = list(ra)
        rho_r = spearmanr([ra[k] for k in keys], [rp[k] for k in keys]).statistic
        rows.append((s, head, float(rho), float(other), float(rho_r)))
    return pd.DataFrame(rows, columns=["subject", "head", "rho_voxels", "rho_voxels_other", "rho_rois"])


def _attributions(result: DecodingResult, condition: str):
    """``(subject, head, attribution, voxel ROI labels, planted importance per head)`` for every head of every
    subject with an attribution and simulated truth; the planted importances are computed once per subject."""
    for s in result.subjects:
        run_ = result.condition(s, condition)
        if run_.attribution is None or s not in result.truth:
            continue
        roi, shares = result.truth[s]["roi"], result.truth[s]["shares"]
        planted = {h: planted_importance(shares, SUBTASK_GROUPS[h]) for h in SUBTASK_GROUPS}
        for head, attr in run_.attribution.items():
            yield s, head, attr, roi, planted


def load_model(run_: SubjectRun):
    """Rebuild the trained :class:`neurokit.neurons.model.NeuronsModel` kept with a run (the first subject's
    NEURONS run keeps its weights)."""
    from neurokit.neurons.model import NeuronsConfig, NeuronsModel

    if run_.model is None:
        raise InputError(f"run {run_.subject}/{run_.configuration} kept no weights; only the first subject's NEURONS "
                         "run does.")
    cfg = {k: tuple(v) if isinstance(v, list) else v for k, v in run_.model["config"].items()}
    model = NeuronsModel(NeuronsConfig(**cfg))
    model.load_state_dict(run_.model["state"])
    return model.eval()


def mean_ci(arrays, n_boot=2000, seed=0):
    """Mean over subjects and videos of per-video arrays (one per subject, same videos) and its bootstrap
    interval (videos resampled jointly across subjects)."""
    x = np.stack([np.asarray(a, dtype=np.float64) for a in arrays])
    idx = np.random.default_rng(seed).integers(0, x.shape[1], size=(n_boot, x.shape[1]))
    boots = np.nanmean(x[:, idx], axis=(0, 2))
    lo, hi = np.nanquantile(boots, [0.025, 0.975])
    return float(np.nanmean(x)), float(lo), float(hi)


def blurry_table(result: DecodingResult, condition: str = "NEURONS") -> "pandas.DataFrame":  # noqa: F821
    """The blurry decoder against the shuffled-fMRI control: pixel correlation, SSIM (published and 2-D), PSNR;
    3-subject means with 95 % intervals over test videos."""
    import pandas as pd

    rows = []
    for k, name in (("pixcorr", "pixel correlation"), ("ssim", "SSIM (published, column-wise)"),
                    ("ssim_2d", "SSIM (2-D)"), ("psnr", "PSNR (dB)")):
        own = mean_ci([result.condition(s, condition).per_video["blurry"][k] for s in result.subjects])
        sh = mean_ci([result.condition(s, condition).per_video["blurry_shuffled"][k] for s in result.subjects])
        rows.append((name, *own, *sh))
    return pd.DataFrame(rows, columns=["metric", "this run", "CI low", "CI high", "shuffled fMRI", "shuffled CI low",
                                       "shuffled CI high"]).set_index("metric")


SUBTASK_ROWS = (
    ("key-object segmentation", "Dice (threshold 0.5)", "seg_dice", "seg_dice_chance", "another clip's masks"),
    ("key-object segmentation", "IoU", "seg_iou", None, ""),
    ("key-object segmentation", "Dice as published (sigmoid of binary masks)", "seg_dice_published", None, ""),
    ("concept recognition", "macro ROC AUC", "concept_auc", 0.5, "0.5"),
    ("concept recognition", "top-1 concept is present", "concept_top1", "concept_top1_chance", "random concept"),
    ("concept recognition", "2-way (published N-way protocol)", "concept_2way", "concept_2way_chance",
     "protocol chance"),
    ("scene description", "caption-embedding retrieval, top-1", "caption_top1", "caption_top1_chance", "1 / clips"),
    ("scene description", "caption-embedding retrieval, 2-way", "caption_2way", "caption_2way_chance", "0.5"),
    ("scene description", "verb accuracy: the caption's verb phrase is right", "caption_verb_acc",
     "caption_verb_acc_chance", "most common verb"),
    ("scene description", "the caption names the key object", "caption_key_word", "caption_key_word_chance",
     "most common key object"),
    ("scene description", "BLEU-1 of the generated caption", "caption_bleu1", None, ""),
    ("blurry video", "pixel correlation", "blurry_pixcorr", "blurry_pixcorr_chance", "shuffled fMRI"),
    ("blurry video", "SSIM (published, column-wise)", "blurry_ssim", "blurry_ssim_chance", "shuffled fMRI"),
    ("blurry video", "SSIM (2-D)", "blurry_ssim_2d", "blurry_ssim_2d_chance", "shuffled fMRI"),
    ("blurry video", "PSNR (dB)", "blurry_psnr", "blurry_psnr_chance", "shuffled fMRI"),
)


def subtask_table(result: DecodingResult, condition: str = "NEURONS") -> "pandas.DataFrame":  # noqa: F821
    """Every subtask score: the mean over subjects, each subject, and the chance or control level."""
    import pandas as pd

    rows = []
    for task, metric, key, chance, kind in SUBTASK_ROWS:
        vals = [float(result.condition(s, condition).metrics.get(key, np.nan)) for s in result.subjects]
        if isinstance(chance, str):
            ch = float(np.mean([result.condition(s, condition).metrics[chance] for s in result.subjects]))
        else:
            ch = np.nan if chance is None else float(chance)
        rows.append((task, metric, float(np.mean(vals)), *vals, ch, kind))
    cols = ["subtask", "metric", "mean", *[f"S{s}" for s in result.subjects], "chance / control", "control is"]
    return pd.DataFrame(rows, columns=cols)


def ablation_table(result: DecodingResult) -> "pandas.DataFrame":  # noqa: F821
    """The subtask ablation on ``ablation_subject``: subtask scores of each configuration."""
    import pandas as pd

    s = result.settings.ablation_subject
    rows = []
    for name, ab in ABLATIONS.items():
        if (s, name) not in result.runs:
            continue
        m = result.runs[(s, name)].metrics
        rows.append((name, "progressive" if ab["progressive"] else "flat", m["seg_dice"], m["seg_dice_chance"],
                     m["concept_auc"], m["caption_top1"], m.get("caption_verb_acc", np.nan), m["blurry_pixcorr"],
                     m["blurry_pixcorr_chance"]))
    return pd.DataFrame(rows, columns=["configuration", "schedule", "Dice", "Dice, shuffled", "concept AUC",
                                       "caption top-1", "verb accuracy", "blurry pixel r",
                                       "blurry pixel r, shuffled"]).set_index("configuration")


def attribution_shares(result: DecodingResult, condition: str = "NEURONS") -> "pandas.DataFrame":  # noqa: F821
    """Per head and area: the share of attributed and of planted importance (means over subjects)."""
    import pandas as pd

    rows = []
    for s, head, attr, roi, planted in _attributions(result, condition):
        a = roi_attribution(np.asarray(attr), roi)
        p = roi_attribution(planted[head], roi)
        rows += [(s, head, r, a[r], p[r]) for r in a]
    df = pd.DataFrame(rows, columns=["subject", "head", "roi", "attributed", "planted"])
    order = ["V1", "V2", "V3", "V4", "MT", "LOC", "EBA", "FFA", "PPA", "other"]
    df["roi"] = pd.Categorical(df["roi"], [r for r in order if r in set(df["roi"])], ordered=True)
    df["head"] = pd.Categorical(df["head"], [h for h in HEADS if h in set(df["head"])], ordered=True)
    out = df.groupby(["head", "roi"], observed=True)[["attributed", "planted"]].mean().reset_index()
    return out.sort_values(["head", "roi"]).reset_index(drop=True)
