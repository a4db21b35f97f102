"""The reconstruction study: videos generated from the decoded subtasks, scored with the published protocol
against the shuffled-fMRI control, chance and a no-fMRI baseline, for NEURONS-style and NeuroClips-style
conditioning on every subject.

Conditioning (the generator of :mod:`neurokit.studies.neurons.world_models`, as NEURONS conditions AnimateDiff):

* ``NEURONS``: prompt = the decoded caption + the decoded top-1 concept; initial latents = the decoded blurry
  video × the decoded key-object mask, stretched 6 → 16 frames, noised to the first DDIM step;
* ``NeuroClips-style``: the decoded semantic embedding of a model trained without subtask heads (one vector, in
  the caption-embedding space) and its blurry video as initial latents, no mask;
* ``no fMRI``: the null condition and pure noise, the generator's prior alone (the same video for every clip,
  since every clip is generated with the same seed, as published).

Every video is generated with ``seed`` (``torch.manual_seed(0)`` per clip in the published script), and the
decoders are per-sample, so generating from another clip's fMRI gives that clip's video: the shuffled-fMRI
control is the generated set scored against a derangement of the ground truth (one fixed derangement for every
metric). Semantic scores are the published N-way protocol in expectation over its distractors
(:func:`neurokit.neurons.metrics.n_way_expected`), with the world's judges and, as a second column, the
EfficientNet-Lite0 stand-in. Intervals are 95 % bootstraps over test videos (the same resampled videos for every
subject).

In the ``paper`` profile the generator is the published stack (AnimateDiff v3 + SparseCtrl-RGB on SD 1.5,
:func:`neurokit.neurons.pipeline.load_paper_pipeline`, 16 frames of 256 px, the scored frames decoded) and the
judges are the published ones (:class:`neurokit.neurons.paper_judges.PaperJudge`), both from local copies listed in
``pipeline_manifest``; a rehearsal builds the same architectures with random weights. NEURONS-style: the decoded
caption + top-1 concept, the masked blurry video as the motion prior, its first frame as the SparseCtrl keyframe;
NeuroClips-style: the caption decoded by the ablation's model and its blurry video, no mask; no fMRI: an empty
prompt, pure noise and no keyframe; oracle: the true caption and key object, frames and masks. The ground-truth
frames are resized to the generated 256 px for the pixel metrics.
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
from neurokit.config import cache_home
from neurokit.data.cc2017 import load_cc2017
from neurokit.errors import DataError
from neurokit.neurons import metrics as M
from neurokit.neurons.evaluation import FrameClassifier, judge_outputs, semantic_scores
from neurokit.neurons.judge import WorldJudge
from neurokit.neurons.pipeline import EVAL_FRAMES
from neurokit.neurons.text import embed_captions
from neurokit.neurons.train import to_uint8_frames
from neurokit.studies.neurons import world_models as W
from neurokit.studies.neurons.decoding import CONDITIONS, DecodingResult
from neurokit.studies.neurons.settings import ReconstructionSettings, WorldModelSettings

logger = logging.getLogger(__name__)

__all__ = ["ReconstructionResult", "run", "METRICS", "SEMANTIC", "PIXEL", "derangement", "summary", "gains",
           "robustness", "per_subject", "judge_note", "VERSION"]

VERSION = 2
#: The primary judge of each profile kind: the world's own judges (simulated worlds), the published ones (paper).
WORLD_JUDGE, PAPER_JUDGE = "world", "paper"
SEMANTIC = ("video_2way", "video_50way", "frame_2way", "frame_50way", "clip_pcc")
PIXEL = ("pixcorr", "ssim", "ssim_2d", "psnr")
METRICS = SEMANTIC + PIXEL
JUDGES = (WORLD_JUDGE, PAPER_JUDGE, "stand-in")
VARIANTS = ("recon", "shuffled")


def derangement(n: int, seed: int = 0) -> np.ndarray:
    """A fixed permutation of ``range(n)`` without fixed points (``roll`` by ``1 + n // 3``, as the decoding
    chapter's controls)."""
    return np.roll(np.arange(n), 1 + n // 3) if n > 1 else np.zeros(1, int)


@dataclass(frozen=True)
class ReconstructionResult:
    """Generated videos and their per-video scores.

    Attributes
    ----------
    settings : ReconstructionSettings
    subjects : tuple of int
    n_videos : int
    videos : dict
        ``(subject, condition) -> uint8 (n_videos, 6, S, S, 3)``, the scored frames [4, 6, …, 14] of 16;
        ``"no fMRI"`` (one video, the same for every clip) and ``"oracle"`` (true prompt, frames and masks).
    scores : dict
        ``(subject, condition, variant, judge) -> {metric: (n_videos,)}``; variant "recon" or "shuffled", judge
        :attr:`judge` or "stand-in" (pixel metrics are under both judges).
    baseline : dict
        ``judge -> {metric: (n_videos,)}`` of the no-fMRI video against every clip, and ``"oracle/<judge>"`` of
        the videos generated from the true prompt, frames and masks (the ceiling).
    gt_consistency : dict
        ``judge -> (n_videos,)`` CLIP-pcc of the true videos (their consistency ceiling).
    judge_accuracy : dict
        Factor -> accuracy of the video judge on the true test videos.
    world : str
        Where the generator and judges came from ("shipped", "cache", "trained" for a world's models; "published
        weights" or "random-init (rehearsal)" in the paper profile).
    seconds : dict
    judge : str
        The primary judge: "world" (a simulated world's judges) or "paper" (ViT-B/16, VideoMAE, CLIP ViT-L/14).
    """

    settings: ReconstructionSettings
    subjects: tuple
    n_videos: int
    videos: dict
    scores: dict
    baseline: dict
    gt_consistency: dict
    judge_accuracy: dict
    world: str
    seconds: dict
    judge: str = WORLD_JUDGE


def _conditions(decoding: DecodingResult, subject: int, n: int, text_method: str, dim: int) -> dict:
    """Generator inputs per condition: text condition (n, dim), blurry (n, 6, 3, h, w), mask or None."""
    names = decoding.concept_names
    out = {}
    neu = decoding.condition(subject, "NEURONS").decoded
    concepts = [names[int(i)].replace("scene:", "") for i in neu["top_concept"][:n]]
    prompts = [W.prompt(c, k) for c, k in zip(neu["captions"][:n], concepts)]
    out["NEURONS"] = (torch.from_numpy(embed_captions(prompts, text_method, dim)), neu["blurry"][:n],
                      neu["mask_probs"][:n], prompts)
    ncl = decoding.condition(subject, "NeuroClips-style").decoded
    emb = torch.nn.functional.normalize(ncl["text_emb"][:n].float(), dim=-1)
    out["NeuroClips-style"] = (emb, ncl["blurry"][:n], None, None)
    return out


def _generate(state, config, cond, blurry, mask, settings: ReconstructionSettings, threads: int = 1):
    """Worker: rebuild the generator from its state and generate the scored frames (uint8)."""
    from neurokit.neurons.generator import LatentVideoGenerator

    torch.set_num_threads(int(threads))
    gen = LatentVideoGenerator(config)
    gen.load_state_dict(state)
    gen.eval()
    v = gen.generate(cond, blurry, mask, num_inference_steps=settings.steps, guidance_scale=settings.guidance,
                     shared_noise=settings.shared_noise, frames=EVAL_FRAMES, seed=settings.seed, bf16=settings.bf16)
    return to_uint8_frames(v.numpy())


def run(settings: ReconstructionSettings, decoding: DecodingResult, root, world: WorldModelSettings,
        profile: str = "embedded") -> ReconstructionResult:
    """Generate and score (cached under ``cache_home()/neurons/recon-<key>.pt``).

    Raises
    ------
    DataError
        In the ``paper`` profile without a rehearsal: the published weights are needed (see
        :func:`refuse_random_weights`).
    """
    if profile == "paper":
        refuse_random_weights(settings)
        return _run_paper(settings, decoding, root)
    root = Path(root)
    t0 = time.perf_counter()
    models = W.load(root, world, profile)
    subjects = decoding.subjects
    data, n, runs = _test_clips(settings, decoding, root)
    key = sha256_json({"settings": settings.key(), "world": models.key, "runs": runs, "n": n,
                       "version": VERSION})[:20]
    path = cache_home() / "neurons" / f"recon-{key}.pt"
    t1 = time.perf_counter()
    if path.exists():
        videos, _ = _load_videos(path)
    else:
        videos = _generate_all(models, decoding, subjects, n, settings, data)
        _save_videos(path, videos)
    t2 = time.perf_counter()
    gt = to_uint8_frames(data.test_frames[:n])
    judges = {WORLD_JUDGE: WorldJudge(models.frame_judge, models.video_judge),
              "stand-in": FrameClassifier(size=settings.stand_in_size)}
    scores, baseline, consistency = _score(videos, gt, judges, n)
    labels = W.factor_labels(data.test_labels[:n], W.VIDEO_FACTORS) if data.test_labels else None
    acc = {}
    if labels is not None:
        pred = judges[WORLD_JUDGE].predict(gt)
        acc = {name: float(np.mean(pred[:, i] == labels[:, i])) for i, name in enumerate(W.VIDEO_FACTORS.names)}
    t3 = time.perf_counter()
    return ReconstructionResult(settings, subjects, n, videos, scores, baseline, consistency, acc, models.source,
                                {"world_models": t1 - t0, "generate": t2 - t1, "score": t3 - t2})


def _test_clips(settings: ReconstructionSettings, decoding: DecodingResult, root):
    """The first subject's data, the number of test clips to generate and the decoding runs they come from."""
    data = load_cc2017(root, decoding.subjects[0])
    n = len(data.test_frames) if settings.n_videos is None else min(int(settings.n_videos), len(data.test_frames))
    runs = sorted(f"{s}|{c}|{decoding.keys[(s, CONDITIONS[c])]}" for s in decoding.subjects for c in CONDITIONS)
    return data, n, runs


def _save_videos(path: Path, videos: dict, **extra) -> None:
    """Cache generated videos (keys ``(subject, condition)`` or a name) with ``extra`` entries, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save({"keys": [list(k) if isinstance(k, tuple) else k for k in videos],
                    "videos": [torch.from_numpy(v) for v in videos.values()], **extra}, tmp)


def _load_videos(path: Path):
    """The videos of :func:`_save_videos` and the stored record."""
    stored = torch.load(path, weights_only=True)
    videos = {(int(k[0]), k[1]) if isinstance(k, (list, tuple)) else k: v.numpy()
              for k, v in zip(stored["keys"], stored["videos"])}
    return videos, stored


def refuse_random_weights(settings: ReconstructionSettings) -> None:
    """The ``paper`` profile generates and judges with the published weights only (never random or world-trained
    ones): without a rehearsal, ``pipeline_manifest`` must list their local copies."""
    if settings.rehearsal:
        return
    if not settings.pipeline_manifest:
        raise DataError("the paper profile generates with the published AnimateDiff + SparseCtrl weights and judges "
                        "with ViT-B/16, VideoMAE-K400 and CLIP ViT-L/14: set pipeline_manifest to a YAML manifest of "
                        "local copies (see neurokit/neurons/paper_weights.example.yaml); random or world-trained "
                        "generators are not used on real data.")


def _paper_device():
    """The device and dtype of the paper profile: float16 on a GPU as published, bfloat16 on a CPU."""
    from neurokit.config import resolve_device

    device = resolve_device(None)
    return device, torch.float16 if str(device).startswith("cuda") else torch.bfloat16


def _paper_generator(settings: ReconstructionSettings):
    """The published generator (manifest), or its architecture with random weights (rehearsal), and its label."""
    from neurokit.neurons.pipeline import build_paper_architecture, load_paper_pipeline

    device, dtype = _paper_device()
    if settings.rehearsal:
        return build_paper_architecture(settings.seed, dtype).to(device), "random-init (rehearsal)"
    return load_paper_pipeline(settings.pipeline_manifest, device=device, dtype=dtype), "published weights"


def _paper_judge(settings: ReconstructionSettings):
    """The published judges (manifest), or their architectures with random weights (rehearsal)."""
    from neurokit.neurons.paper_judges import PaperJudge

    device, dtype = _paper_device()
    if settings.rehearsal:
        return PaperJudge(random_init=True, device=device, dtype=dtype, seed=settings.seed)
    return PaperJudge(settings.pipeline_manifest, device=device, dtype=dtype)


def _paper_jobs(decoding: DecodingResult, data, subjects, n: int) -> list:
    """(key, generate_video keyword arguments) of every clip the paper profile generates."""
    names = decoding.concept_names
    jobs = []
    for s in subjects:
        neu = decoding.condition(s, "NEURONS").decoded
        for i in range(n):
            jobs.append(((s, "NEURONS"), dict(caption=neu["captions"][i], blurry=neu["blurry"][i],
                                              mask=neu["mask_probs"][i],
                                              concept=names[int(neu["top_concept"][i])].replace("scene:", ""))))
        ncl = decoding.condition(s, "NeuroClips-style").decoded
        for i in range(n):
            jobs.append(((s, "NeuroClips-style"), dict(caption=ncl["captions"][i], blurry=ncl["blurry"][i])))
    shape = tuple(decoding.condition(subjects[0], "NEURONS").decoded["blurry"].shape[1:])
    jobs.append(("no fMRI", dict(caption="", blurry=torch.zeros(shape), use_blurry_init=False, use_keyframe=False,
                                 suffix=False)))
    for i in range(n):
        jobs.append(("oracle", dict(caption=data.test_captions[i], concept=data.test_key_class[i],
                                    blurry=torch.from_numpy(data.test_frames[i]),
                                    mask=torch.from_numpy(data.test_masks[i].astype(np.float32)))))
    return jobs


def _run_paper(settings: ReconstructionSettings, decoding: DecodingResult, root) -> ReconstructionResult:
    """The paper profile: the published generator and judges (or, rehearsed, their architectures at random init)."""
    import gc

    from neurokit.neurons.pipeline import generate_video

    root = Path(root)
    t0 = time.perf_counter()
    subjects = decoding.subjects
    data, n, runs = _test_clips(settings, decoding, root)
    gen_id = "random-init (rehearsal)" if settings.rehearsal else sha256_json(
        Path(settings.pipeline_manifest).read_text())
    key = sha256_json({"settings": settings.key(), "generator": gen_id, "runs": runs, "n": n,
                       "version": VERSION})[:20]
    path = cache_home() / "neurons" / f"recon-paper-{key}.pt"
    if path.exists():
        videos, stored = _load_videos(path)
        source = stored["source"]
        t1 = t2 = time.perf_counter()
    else:
        pipe, source = _paper_generator(settings)
        t1 = time.perf_counter()
        out = {}
        for k, kw in tqdm(_paper_jobs(decoding, data, subjects, n), desc="generating (AnimateDiff + SparseCtrl)"):
            v, _ = generate_video(pipe, num_inference_steps=settings.steps, guidance_scale=settings.guidance,
                                  seed=settings.seed, frames=EVAL_FRAMES, **kw)
            out.setdefault(k, []).append(np.clip(np.round(v * 255), 0, 255).astype(np.uint8))
        videos = {k: np.stack(v) for k, v in out.items()}
        videos["no fMRI"] = videos["no fMRI"][:1]
        _save_videos(path, videos, source=source)
        del pipe
        gc.collect()
        t2 = time.perf_counter()
    size = videos["no fMRI"].shape[-2]
    gt = torch.nn.functional.interpolate(torch.from_numpy(data.test_frames[:n]).flatten(0, 1), size=(size, size),
                                         mode="bilinear", align_corners=False, antialias=True)
    gt = to_uint8_frames(gt.reshape(n, -1, *gt.shape[1:]).numpy())
    judges = {PAPER_JUDGE: _paper_judge(settings), "stand-in": FrameClassifier(size=settings.stand_in_size)}
    scores, baseline, consistency = _score(videos, gt, judges, n)
    t3 = time.perf_counter()
    return ReconstructionResult(settings, subjects, n, videos, scores, baseline, consistency, {}, source,
                                {"world_models": t1 - t0, "generate": t2 - t1, "score": t3 - t2}, PAPER_JUDGE)


def _oracle(data, n, text_method, dim):
    """The true prompt (caption + key object), the true frames as the blurry video and the true key-object masks:
    what the generator makes of perfect decoding (the ceiling of the reconstructions)."""
    prompts = [W.prompt(c, k) for c, k in zip(data.test_captions[:n], data.test_key_class[:n])]
    cond = torch.from_numpy(embed_captions(prompts, text_method, dim))
    return cond, torch.from_numpy(data.test_frames[:n]), torch.from_numpy(data.test_masks[:n].astype(np.float32))


def _generate_all(models, decoding, subjects, n, settings, data):
    gen = models.generator
    state = {k: v.clone() for k, v in gen.state_dict().items()}
    dim = gen.config.cond_dim
    jobs = []
    for s in subjects:
        for c, (cond, blurry, mask, _) in _conditions(decoding, s, n, models.settings.text_method, dim).items():
            jobs.append(((s, c), cond, blurry, mask))
    null = gen.null_cond.detach()[None]
    jobs.append(("no fMRI", null, None, None))
    jobs.append(("oracle", *_oracle(data, n, models.settings.text_method, dim)))
    if settings.n_jobs > 1 and len(jobs) > 1:
        from joblib import Parallel, delayed

        par = Parallel(n_jobs=int(settings.n_jobs), backend="loky")
        outs = par(delayed(_generate)(state, gen.config, c, b, m, settings) for _, c, b, m in jobs)
    else:
        outs = [_generate(state, gen.config, c, b, m, settings, threads=torch.get_num_threads())
                for _, c, b, m in jobs]
    return {k: v for (k, *_), v in zip(jobs, outs)}


def _score(videos, gt, judges: dict, n: int):
    """Per-video scores of every generated set under every judge, the no-fMRI and oracle baselines and the true
    videos' CLIP-pcc."""
    pairing = derangement(n)
    scores, baseline, consistency = {}, {}, {}
    gt_out = {j: judge_outputs(judge, gt) for j, judge in judges.items()}
    pix = {}
    for key, v in videos.items():
        if key in ("no fMRI", "oracle"):
            continue
        pix[(key, "recon")] = M.video_scores(v, gt)
        pix[(key, "shuffled")] = M.video_scores(v, gt[pairing])
    base_v = np.repeat(videos["no fMRI"], n, 0)
    pix_base = M.video_scores(base_v, gt)
    for j, judge in judges.items():
        for key, v in videos.items():
            if key in ("no fMRI", "oracle"):
                continue
            out = judge_outputs(judge, v)
            for variant, pr in (("recon", None), ("shuffled", pairing)):
                sc = semantic_scores(out, gt_out[j], pr)
                sc.update(pix[(key, variant)])
                scores[(*key, variant, j)] = sc
        sc = semantic_scores(judge_outputs(judge, base_v), gt_out[j])
        sc.update(pix_base)
        baseline[j] = sc
        sc = semantic_scores(judge_outputs(judge, videos["oracle"]), gt_out[j])
        sc.update(M.video_scores(videos["oracle"], gt))
        baseline[f"oracle/{j}"] = sc
        consistency[j] = M.clip_pcc_per_video(gt_out[j].features)
    return scores, baseline, consistency


# ------------------------------------------------------------------------------------------- summaries
def _boot_idx(n, n_boot, seed):
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def summary(result: ReconstructionResult, judge: str | None = None, condition: str = "NEURONS") -> "pandas.DataFrame":  # noqa: F821
    """One row per metric: this run (3-subject mean), its 95 % interval, the shuffled-fMRI control and its
    interval, chance, the no-fMRI baseline and the oracle (true prompt, frames and masks)."""
    import pandas as pd

    judge = judge or result.judge
    idx = _boot_idx(result.n_videos, result.settings.n_boot, result.settings.seed)
    rows = []
    for m in METRICS:
        rec = np.stack([result.scores[(s, condition, "recon", judge)][m] for s in result.subjects])
        sh = np.stack([result.scores[(s, condition, "shuffled", judge)][m] for s in result.subjects])
        chance = M.n_way_chance(int(m.split("_")[1][:-3]), 3) if "way" in m else np.nan
        bm = np.nanmean(result.baseline[judge][m])
        om = np.nanmean(result.baseline[f"oracle/{judge}"][m])
        rows.append((m, np.nanmean(rec), *_ci(rec, idx), np.nanmean(sh), *_ci(sh, idx), chance, bm, om))
    return pd.DataFrame(rows, columns=["metric", "this run", "CI low", "CI high", "shuffled fMRI", "shuffled CI low",
                                       "shuffled CI high", "chance", "no fMRI", "oracle"]).set_index("metric")


def judge_note(result: ReconstructionResult) -> str:
    """What the primary judge of ``result`` is, in words (labelled as random weights in a rehearsal)."""
    from neurokit.neurons.paper_judges import JUDGE_NOTE

    if result.judge == WORLD_JUDGE:
        return "the world's judges (frame and video classifiers trained on the world's clips)"
    return JUDGE_NOTE + (" (random weights: a rehearsal)" if result.settings.rehearsal else "")


def _ci(x, idx):
    """Bootstrap interval of the mean over subjects and videos (videos resampled jointly across subjects)."""
    x = np.asarray(x, dtype=np.float64)
    boots = np.nanmean(x[:, idx], axis=(0, 2))
    lo, hi = np.nanquantile(boots, [0.025, 0.975])
    return float(lo), float(hi)


def gains(result: ReconstructionResult, judge: str | None = None) -> "pandas.DataFrame":  # noqa: F821
    """NEURONS-style vs NeuroClips-style: ``mean_NEURONS / mean_NeuroClips − 1`` per metric (the abstract's
    +26.6 % and +19.1 % are this ratio for CLIP-pcc and video 50-way), with a paired bootstrap interval."""
    import pandas as pd

    judge = judge or result.judge
    idx = _boot_idx(result.n_videos, result.settings.n_boot, result.settings.seed)
    rows = []
    for m in METRICS:
        a = np.stack([result.scores[(s, "NEURONS", "recon", judge)][m] for s in result.subjects]).astype(float)
        b = np.stack([result.scores[(s, "NeuroClips-style", "recon", judge)][m] for s in result.subjects]).astype(float)
        ratio = np.nanmean(a) / np.nanmean(b) - 1
        boots = np.nanmean(a[:, idx], axis=(0, 2)) / np.nanmean(b[:, idx], axis=(0, 2)) - 1
        lo, hi = np.nanquantile(boots, [0.025, 0.975])
        rows.append((m, np.nanmean(a), np.nanmean(b), ratio, lo, hi))
    return pd.DataFrame(rows, columns=["metric", "NEURONS-style", "NeuroClips-style", "gain", "gain CI low",
                                       "gain CI high"]).set_index("metric")


def robustness(result: ReconstructionResult, judge: str | None = None) -> "pandas.DataFrame":  # noqa: F821
    """Per metric, the standard deviation across videos and subjects (all per-video values pooled) and across the
    subject means, for both conditions (the paper's robustness claim: lower stds for NEURONS)."""
    import pandas as pd

    judge = judge or result.judge
    rows = []
    for m in METRICS:
        row = [m]
        for c in CONDITIONS:
            x = np.stack([result.scores[(s, c, "recon", judge)][m] for s in result.subjects]).astype(float)
            row += [float(np.nanstd(x)), float(np.nanstd(np.nanmean(x, 1)))]
        rows.append(row)
    df = pd.DataFrame(rows, columns=["metric", "NEURONS-style std (videos × subjects)", "NEURONS-style std (subjects)",
                                     "NeuroClips-style std (videos × subjects)", "NeuroClips-style std (subjects)"])
    df["NEURONS lower"] = df.iloc[:, 1] < df.iloc[:, 3]
    return df.set_index("metric")


def per_subject(result: ReconstructionResult, judge: str | None = None, condition: str = "NEURONS") -> "pandas.DataFrame":  # noqa: F821
    """Per-subject means of the video metrics the paper reports per subject, with the shuffled control."""
    import pandas as pd

    judge = judge or result.judge
    idx = _boot_idx(result.n_videos, result.settings.n_boot, result.settings.seed)
    rows = []
    for s in result.subjects:
        r = result.scores[(s, condition, "recon", judge)]
        sh = result.scores[(s, condition, "shuffled", judge)]
        lo, hi = _ci(np.asarray(r["video_50way"])[None], idx)
        control = float(np.nanmean(sh["video_50way"]))
        rows.append((f"S{s}", *(float(np.nanmean(r[m])) for m in ("video_2way", "video_50way", "clip_pcc")),
                     lo, hi, control, lo > control))
    return pd.DataFrame(rows, columns=["subject", "video 2-way", "video 50-way", "CLIP-pcc", "50-way CI low",
                                       "50-way CI high", "video 50-way, shuffled fMRI",
                                       "interval above shuffled"]).set_index("subject")
