"""The NEURONS training run of each profile: the settings of the decoding chapter's run, which the
reconstruction chapter reuses from the cache (both read them here, so they cannot drift apart)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from neurokit.config import check_profile
from neurokit.errors import InputError, UnknownNameError

__all__ = ["DecodingSettings", "PROFILES", "decoding_settings"]


@dataclass(frozen=True)
class DecodingSettings:
    """One NEURONS training run (stage 1 and stage 2) on one subject; the keyword arguments of ``run_decoding``
    (the experiment module of this study).

    Attributes
    ----------
    config : {"tiny", "embedded", "paper"}
        Model size (:func:`neurokit.neurons.model.create_config`).
    stage1_epochs, stage2_epochs : int
        Epochs of the brain-model stage and of the subtask stage (the progressive schedule needs at least 5
        stage-2 epochs to be other than flat).
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
    """

    config: str = "embedded"
    stage1_epochs: int = 10
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

    def __post_init__(self):
        for name in ("stage1_epochs", "stage2_epochs", "stage1_batch", "stage2_batch", "eval_batch"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InputError(f"training setting {name} must be a positive integer; got {v!r}.")
        if not self.lr > 0:
            raise InputError(f"training setting lr must be > 0; got {self.lr!r}.")
        for name, choices in (("config", ("tiny", "embedded", "paper")), ("text_method", ("minilm", "bow"))):
            if getattr(self, name) not in choices:
                raise UnknownNameError(f"value of training setting {name}", getattr(self, name), choices)
        if self.object_tokens < 0 or self.rec_scale < 0 or self.seed < 0:
            raise InputError("object_tokens, rec_scale and seed must be >= 0.")

    def as_kwargs(self) -> dict:
        return dataclasses.asdict(self)


#: The run of each profile. ``embedded``: CPU sizes (see the decoding chapter for what each choice does);
#: ``paper``: the published stage-1/stage-2 hyper-parameters (Wang et al. 2025, supplement), which need the real
#: cc2017 tensors, a GPU and local GPT-2 weights.
PROFILES = {
    "smoke": DecodingSettings(config="tiny", stage1_epochs=2, stage2_epochs=1, stage1_batch=16, stage2_batch=8,
                              text_method="bow", eval_batch=8),
    "embedded": DecodingSettings(),
    "paper": DecodingSettings(config="paper", stage1_epochs=30, stage2_epochs=50, stage1_batch=120, stage2_batch=10,
                              lr=5e-5, use_prior=True, batch_coupled=True, eval_batch=20, rec_scale=1.0),
}


def decoding_settings(profile: str, overrides: dict | None = None) -> DecodingSettings:
    """The run of ``profile`` with ``overrides`` (a mapping of setting names to values; unknown names are refused)."""
    check_profile(profile)
    fields = {f.name for f in dataclasses.fields(DecodingSettings)}
    for k in overrides or {}:
        if k not in fields:
            raise UnknownNameError("training setting", k, sorted(fields))
    return dataclasses.replace(PROFILES[profile], **(overrides or {}))
