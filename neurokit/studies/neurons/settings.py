"""Run settings of the NEURONS study, per profile: one frozen dataclass per analysis and a function
``settings(analysis, profile, overrides)``.

* :class:`DecodingSettings`: one NEURONS training run (stage 1 and stage 2) on one subject;
* :class:`StudySettings`: the decoding study of the second chapter, which the reconstruction chapter reuses from
  the cache (both read it here, so they cannot drift apart): which subjects, the training run, the ablation and
  the voxel attribution;
* :class:`WorldModelSettings`: the generator and the semantic judges trained on the simulated world's training
  clips (the embedded profile ships them, trained with these settings, by the study's ``world_models`` module);
* :class:`ReconstructionSettings`: generation and evaluation of the third chapter.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from neurokit.config import check_profile, rehearsing
from neurokit.errors import InputError, UnknownNameError

__all__ = ["DecodingSettings", "StudySettings", "WorldModelSettings", "ReconstructionSettings", "PROFILES",
           "ANALYSES", "settings", "decoding_settings", "rehearse", "REHEARSAL_CUTS", "REHEARSAL_CPU_FIT"]


def _positive(obj, names):
    for name in names:
        v = getattr(obj, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InputError(f"setting {name} must be a positive integer; got {v!r}.")


@dataclass(frozen=True)
class DecodingSettings:
    """One NEURONS training run (stage 1 and stage 2) on one subject; the keyword arguments of ``run_decoding``
    (the study's ``experiment`` module).

    Attributes
    ----------
    config : {"tiny", "embedded", "paper"}
        Model size (:func:`neurokit.neurons.model.create_config`).
    stage1_epochs, stage2_epochs : int
        Epochs of the brain-model stage and of the subtask stage (the progressive schedule needs at least 5
        stage-2 epochs to be other than flat: its period is ``(epochs // 5) · 2``).
    stage1_batch, stage2_batch : int
    lr : float
    text_method : {"minilm", "bow"}
        Caption embeddings: all-MiniLM-L6-v2 (real weights) or a bag of words.
    use_prior : bool
        Train and use the diffusion prior (False bypasses it: ``prior_out = clip_vision_embeds``).
    batch_coupled : bool
        The authors' batch-coupled text attention (True) or the per-sample variant.
    eval_batch : int
    object_tokens : float
        Scale of the key-object vector in the frame-token stand-in.
    rec_scale : float
        Extra factor on the stage-2 blurry-video loss.
    seed : int
    steps_per_epoch : int or None
        Cap on the batches of every epoch (``None``: every batch, as published; a rehearsal runs a few).
    prior_steps : int or None
        Sampling steps of the diffusion prior at decoding (``None``: all its timesteps, as published).
    hidden : int or None
        Width of the ridge output and the mixer blocks (``None``: the configuration's; see
        :data:`REHEARSAL_CPU_FIT`).
    rehearsal : bool
        A rehearsal of the paper profile (:func:`rehearse`; recorded in every run's cache key).
    bf16 : bool
        Train under bfloat16 autocast (mixed precision, as the authors' accelerate scripts train in float16 on a
        GPU); the paper profile does.
    """

    config: str = "embedded"
    stage1_epochs: int = 30
    stage2_epochs: int = 5
    stage1_batch: int = 32
    stage2_batch: int = 10
    lr: float = 3e-3
    text_method: str = "minilm"
    use_prior: bool = False
    batch_coupled: bool = False
    eval_batch: int = 20
    object_tokens: float = 1.0
    rec_scale: float = 2.0
    seed: int = 0
    steps_per_epoch: int | None = None
    prior_steps: int | None = None
    hidden: int | None = None
    rehearsal: bool = False
    bf16: bool = False

    def __post_init__(self):
        _positive(self, ("stage1_epochs", "stage2_epochs", "stage1_batch", "stage2_batch", "eval_batch"))
        _positive(self, [n for n in ("steps_per_epoch", "prior_steps", "hidden") if getattr(self, n) is not None])
        if not self.lr > 0:
            raise InputError(f"training setting lr must be > 0; got {self.lr!r}.")
        for name, choices in (("config", ("tiny", "embedded", "paper")), ("text_method", ("minilm", "bow"))):
            if getattr(self, name) not in choices:
                raise UnknownNameError(f"value of training setting {name}", getattr(self, name), choices)
        if self.object_tokens < 0 or self.rec_scale < 0 or self.seed < 0:
            raise InputError("object_tokens, rec_scale and seed must be >= 0.")

    def as_kwargs(self) -> dict:
        """The keyword arguments of ``run_decoding``; the rehearsal's settings only when set, so the cache keys of
        the other profiles do not change with them."""
        d = dataclasses.asdict(self)
        for k in _OPTIONAL:
            if d[k] in (None, False):
                d.pop(k)
        return d


_OPTIONAL = ("steps_per_epoch", "prior_steps", "hidden", "rehearsal", "bf16")


@dataclass(frozen=True)
class StudySettings:
    """The decoding study: every subject trained as NEURONS and as the NeuroClips-style ablation (blurry video
    plus one semantic embedding, no subtask heads), the subtask ablation on one subject, and the voxel
    attribution of each NEURONS head.

    Attributes
    ----------
    training : DecodingSettings
    subjects : tuple of int
    ablation_subject : int
        The subject of the subtask ablation (subject 1, as in the paper).
    ablations : bool
        Train the three intermediate configurations of the ablation (the first and last rows are the two
        conditions every subject trains anyway).
    attribution_probes : int
        Random output probes per clip of the gradient attribution.
    n_jobs : int
        Worker processes for the training runs (single-threaded each); results do not depend on it.
    """

    training: DecodingSettings = field(default_factory=DecodingSettings)
    subjects: tuple = (1, 2, 3)
    ablation_subject: int = 1
    ablations: bool = True
    attribution_probes: int = 4
    n_jobs: int = 2

    def __post_init__(self):
        _positive(self, ("attribution_probes", "n_jobs", "ablation_subject"))
        if not self.subjects or any(int(s) < 1 for s in self.subjects):
            raise InputError(f"subjects are numbered from 1 (as in NEURONS); got {self.subjects!r}.")
        if self.ablations and self.ablation_subject not in self.subjects:
            raise InputError(f"ablation_subject {self.ablation_subject} is not among subjects {self.subjects}.")

    def key(self) -> dict:
        """The settings that determine the results (``n_jobs`` does not)."""
        d = dataclasses.asdict(self)
        d.pop("n_jobs")
        d["subjects"] = list(self.subjects)
        return d


@dataclass(frozen=True)
class WorldModelSettings:
    """The generator and the judges trained on the simulated world's training clips.

    Attributes
    ----------
    ae_channels, unet_channels : tuple of int
        Widths of the autoencoder and of the denoising UNet (:class:`neurokit.neurons.generator.GeneratorConfig`).
    ae_steps, denoiser_steps : int
        Optimiser steps of the autoencoder and of the denoiser.
    ae_batch, denoiser_batch : int
    ae_lr, denoiser_lr : float
    cond_drop : float
        Share of training frames whose condition is replaced by the null embedding (classifier-free guidance).
    text_method : {"minilm", "bow"}
        Text embedding of the prompts (the one the decoders' caption heads predict).
    judge_width, judge_frame_epochs, judge_video_epochs : int
        Width of the judges' CNNs and their epochs.
    judge_lr : float
    seed : int
    """

    ae_channels: tuple = (32, 64)
    unet_channels: tuple = (32, 64)
    ae_steps: int = 1500
    denoiser_steps: int = 4000
    ae_batch: int = 64
    denoiser_batch: int = 128
    ae_lr: float = 2e-3
    denoiser_lr: float = 1e-3
    cond_drop: float = 0.1
    text_method: str = "minilm"
    judge_width: int = 32
    judge_frame_epochs: int = 12
    judge_video_epochs: int = 40
    judge_lr: float = 3e-3
    seed: int = 0

    def __post_init__(self):
        _positive(self, ("ae_steps", "denoiser_steps", "ae_batch", "denoiser_batch", "judge_width",
                         "judge_frame_epochs", "judge_video_epochs"))
        if not 0 <= self.cond_drop < 1:
            raise InputError(f"cond_drop is a probability in [0, 1); got {self.cond_drop!r}.")
        if self.text_method not in ("minilm", "bow"):
            raise UnknownNameError("text embedding", self.text_method, ("minilm", "bow"))

    def key(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}


@dataclass(frozen=True)
class ReconstructionSettings:
    """Video generation from the decoded subtasks and its evaluation.

    Attributes
    ----------
    n_videos : int or None
        Test clips generated per subject and condition (None: all).
    steps, guidance : int, float
        DDIM steps and classifier-free guidance (25 and 8.5 as published).
    shared_noise : float
        ρ of the generator's mixed noise prior (:mod:`neurokit.neurons.generator`).
    num_trials : int
        Trials of the N-way protocol (100 as published).
    n_boot : int
        Bootstrap resamples of the test videos for the confidence intervals.
    stand_in_size : int
        Input size of the EfficientNet-Lite0 stand-in column (224 for its weights).
    pipeline_manifest : str
        ``paper`` profile: the YAML manifest of the published weights (:func:`neurokit.neurons.pipeline.load_paper_pipeline`).
    bf16 : bool
        Run the generator's UNet under bfloat16 autocast (faster on CPUs with BF16 instructions).
    seed : int
    n_jobs : int
        Worker processes for the generation (results do not depend on it).
    rehearsal : bool
        A rehearsal of the paper profile (:func:`rehearse`).
    """

    n_videos: int | None = None
    steps: int = 25
    guidance: float = 8.5
    shared_noise: float = 0.5
    num_trials: int = 100
    n_boot: int = 2000
    stand_in_size: int = 64
    pipeline_manifest: str = ""
    bf16: bool = True
    seed: int = 0
    n_jobs: int = 2
    rehearsal: bool = False

    def __post_init__(self):
        _positive(self, ("steps", "num_trials", "n_boot", "stand_in_size", "n_jobs"))
        if self.n_videos is not None and (isinstance(self.n_videos, bool) or int(self.n_videos) < 2):
            raise InputError(f"n_videos must be None (all) or >= 2; got {self.n_videos!r}.")
        if not 0 <= self.shared_noise <= 1:
            raise InputError(f"shared_noise is a share in [0, 1]; got {self.shared_noise!r}.")

    def key(self) -> dict:
        d = dataclasses.asdict(self)
        d.pop("n_jobs")
        return d


_SMOKE_TRAINING = DecodingSettings(config="tiny", stage1_epochs=2, stage2_epochs=5, stage1_batch=16,
                                   stage2_batch=16, text_method="bow", eval_batch=8)
_PAPER_TRAINING = DecodingSettings(config="paper", stage1_epochs=30, stage2_epochs=50, stage1_batch=120,
                                   stage2_batch=10, lr=5e-5, use_prior=True, batch_coupled=True, eval_batch=20,
                                   rec_scale=1.0, bf16=True)

#: analysis -> profile -> settings. ``embedded``: CPU sizes (the chapters say what each choice does); ``paper``:
#: the published hyper-parameters (Wang et al. 2025), which need the real cc2017 tensors, a GPU and local weights.
PROFILES = {
    "training": {"smoke": _SMOKE_TRAINING, "embedded": DecodingSettings(), "paper": _PAPER_TRAINING},
    "study": {
        "smoke": StudySettings(training=_SMOKE_TRAINING, ablations=False, attribution_probes=1, n_jobs=1),
        "embedded": StudySettings(),
        "paper": StudySettings(training=_PAPER_TRAINING, n_jobs=1),
    },
    "world_models": {
        "smoke": WorldModelSettings(ae_channels=(16, 32), unet_channels=(16, 32), ae_steps=60, denoiser_steps=60,
                                    text_method="bow", judge_width=8, judge_frame_epochs=2, judge_video_epochs=2),
        "embedded": WorldModelSettings(),
        "paper": WorldModelSettings(),  # not used: the paper profile generates with the published weights
    },
    "reconstruction": {
        "smoke": ReconstructionSettings(steps=2, num_trials=10, n_boot=200, stand_in_size=32, n_jobs=1),
        "embedded": ReconstructionSettings(),
        "paper": ReconstructionSettings(stand_in_size=224, n_jobs=1),
    },
}
ANALYSES = tuple(PROFILES)


def settings(analysis: str, profile: str, overrides: dict | None = None):
    """The settings of ``analysis`` for ``profile`` with ``overrides`` (setting names to values; unknown names
    are refused). For ``"study"``, a ``training`` override may itself be a mapping of training settings."""
    check_profile(profile)
    if analysis not in PROFILES:
        raise UnknownNameError("NEURONS analysis", analysis, ANALYSES)
    base = PROFILES[analysis][profile]
    if profile == "paper" and rehearsing():
        base = rehearse(base)
    overrides = dict(overrides or {})
    fields = {f.name for f in dataclasses.fields(base)}
    for k in overrides:
        if k not in fields:
            raise UnknownNameError(f"{analysis} setting", k, sorted(fields))
    if analysis == "study" and isinstance(overrides.get("training"), dict):
        overrides["training"] = dataclasses.replace(base.training,
                                                    **_check(overrides["training"], base.training, "training"))
    if "subjects" in overrides:
        overrides["subjects"] = tuple(overrides["subjects"])
    for k in ("ae_channels", "unet_channels"):
        if k in overrides:
            overrides[k] = tuple(overrides[k])
    return dataclasses.replace(base, **overrides)


#: What a rehearsal of the paper profile cuts: repetitions only. One epoch of each stage with one batch each (every
#: loss term, the optimiser, the one-cycle schedule and the progressive weights still run), two ancestral steps of
#: the diffusion prior at decoding (the loop's update and its last step), one subject (the analysis repeats over the
#: three), the three intermediate ablation rows (each is the same training job as the two conditions every subject
#: trains, with other loss switches), one attribution probe; in the reconstruction, one DDIM step (the denoising loop,
#: its classifier-free guidance and the scheduler's update run once: each step of the published 16-frame, 256-px
#: generation costs about 35 s on 2 CPU cores), two test clips (the fewest the shuffled-fMRI control can pair), two
#: trials of the N-way protocol and 20 bootstrap resamples.
REHEARSAL_CUTS = {
    "training": {"stage1_epochs": 1, "stage2_epochs": 1, "steps_per_epoch": 1, "prior_steps": 2},
    "study": {"subjects": 1, "ablations": False, "attribution_probes": 1},  # subjects: how many (the first)
    "world_models": {},
    "reconstruction": {"steps": 1, "n_videos": 2, "num_trials": 2, "n_boot": 20},
}
#: The one change a rehearsal on a CPU makes to the paper model's sizes, because the paper model does not fit: its
#: stage 1 (ridge, mixer and ``backbone_linear`` 4096 -> 256 x 1664, 1.94 G parameters) needs 31 GB for AdamW
#: (weights, gradients and two moments in float32), more than a 23 GB machine holds. The mixer width ``hidden``
#: 4096 -> 512 (``backbone_linear`` 218 M parameters) keeps every other size of the paper model, the token grid and
#: width (256 x 1664) included; the run's settings record it.
REHEARSAL_CPU_FIT = {"hidden": 512}


def _cut(s, cuts: dict) -> dict:
    """Each count of ``cuts`` lowered to its rehearsal value, never above the settings' own (``None``: all)."""
    return {k: v if getattr(s, k) is None else min(v, getattr(s, k)) for k, v in cuts.items()}


def rehearse(s):
    """The paper settings ``s`` (any analysis) cut for a rehearsal of the paper profile.

    Cut: the repetitions of :data:`REHEARSAL_CUTS` (never below the paper's own value) and, for the training run,
    the mixer width of :data:`REHEARSAL_CPU_FIT` (the paper model's stage 1 does not fit a CPU machine's memory).
    Kept: the paper model configuration otherwise, its batch sizes, learning rate, prior, batch-coupled attention,
    captioner and text embedding; the published generation settings (guidance, noise prior, frame size).

    Returns
    -------
    Settings of the same class with ``rehearsal=True`` (the study's training run too).
    """
    if isinstance(s, StudySettings):
        if s.training.config != "paper":
            raise InputError("only the paper profile is rehearsed; got a study whose training config is "
                             f"{s.training.config!r}.")
        cut = _cut(s, {k: v for k, v in REHEARSAL_CUTS["study"].items() if k != "subjects"})
        subjects = tuple(s.subjects[:REHEARSAL_CUTS["study"]["subjects"]])
        return dataclasses.replace(s, training=rehearse(s.training), subjects=subjects, ablation_subject=subjects[0],
                                   **cut)
    if isinstance(s, DecodingSettings):
        if s.config != "paper":
            raise InputError(f"only the paper profile is rehearsed; got a training run with config {s.config!r}.")
        return dataclasses.replace(s, rehearsal=True, **_cut(s, REHEARSAL_CUTS["training"]), **REHEARSAL_CPU_FIT)
    if isinstance(s, ReconstructionSettings):
        if s.stand_in_size != PROFILES["reconstruction"]["paper"].stand_in_size:
            raise InputError("only the paper profile's reconstruction settings are rehearsed.")
        return dataclasses.replace(s, rehearsal=True, **_cut(s, REHEARSAL_CUTS["reconstruction"]))
    if isinstance(s, WorldModelSettings):
        return s  # not used by the paper profile (it generates with the published weights)
    raise InputError(f"no rehearsal for settings of type {type(s).__name__}.")


def _check(overrides, base, what):
    fields = {f.name for f in dataclasses.fields(base)}
    for k in overrides:
        if k not in fields:
            raise UnknownNameError(f"{what} setting", k, sorted(fields))
    return overrides


def decoding_settings(profile: str, overrides: dict | None = None) -> DecodingSettings:
    """The training run of ``profile`` with ``overrides`` (a mapping of setting names to values)."""
    return settings("training", profile, overrides)


#: What each simulated profile of Part III runs in place of the paper's own models (the book's landing page and
#: summary list these under "What this build substitutes").
_SIMULATED_STAND_INS = [
    ("AnimateDiff v3 + SparseCtrl-RGB on Stable Diffusion 1.5 (RealisticVision), the video generator",
     "a small latent video generator trained on the simulated world's training clips (32-px frames, the same "
     "conditioning path: blurry-video latents, key-object mask, caption and concept)"),
    ("ViT-B/16 and VideoMAE classifiers of the N-way metrics, CLIP ViT-L/14 features of CLIP-pcc",
     "small frame and video judges trained on the world's own categories (object, colour, scene, motion)"),
    ("OpenCLIP ViT-bigG/14 caption embeddings", "the shipped all-MiniLM-L6-v2 sentence model (real weights)"),
    ("ViT-B/16 (ImageNet) as the frame classifier of the N-way metrics, in a second column",
     "EfficientNet-Lite0 with its real ImageNet weights"),
]
STAND_INS = {"smoke": _SIMULATED_STAND_INS, "embedded": _SIMULATED_STAND_INS}
__all__ += ["STAND_INS"]
