"""The judges of the published video evaluation (``run_metrics.py`` of NeuroClips, used by NEURONS): ViT-B/16 for
frame N-way, VideoMAE-K400 for video N-way and CLIP ViT-L/14 image features for CLIP-pcc.

As published (Chen et al. 2023, MinD-Video ``eval_metrics.py``, and NeuroClips' ``run_metrics.py``):

* frames: ``ViTForImageClassification`` of ``google/vit-base-patch16-224`` (ImageNet-1k), input resized to 224
  and normalised with mean = std = 0.5;
* videos: ``VideoMAEForVideoClassification`` of ``MCG-NJU/videomae-base-finetuned-kinetics`` loaded with
  ``num_frames=6`` (the 6 scored frames; tubelets of 2 frames), input 224 px with ImageNet normalisation;
* CLIP-pcc: ``get_image_features`` of ``openai/clip-vit-large-patch14`` (the projected 768-d embedding), input
  224 px with CLIP's normalisation.

:class:`PaperJudge` has the interface of :func:`neurokit.neurons.evaluation.judge_outputs` (``frame_outputs``,
``video_scores``). With ``random_init=True`` (a rehearsal of the paper profile only) the three models are built
from their published configs with random weights: their scores are plumbing, never evaluations.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from neurokit.config import resolve_device
from neurokit.errors import DataError, InputError

logger = logging.getLogger(__name__)

__all__ = ["PaperJudge", "PAPER_JUDGES", "JUDGE_NOTE"]

#: manifest entry -> (published checkpoint, what it scores).
PAPER_JUDGES = {
    "vit_b16": ("google/vit-base-patch16-224", "frame N-way (ImageNet-1k)"),
    "videomae_k400": ("MCG-NJU/videomae-base-finetuned-kinetics", "video N-way (Kinetics-400), 6 frames"),
    "clip_vit_l14": ("openai/clip-vit-large-patch14", "CLIP-pcc (image features)"),
}
JUDGE_NOTE = ("ViT-B/16 (frame N-way), VideoMAE-K400 on the 6 scored frames (video N-way) and CLIP ViT-L/14 image "
              "features (CLIP-pcc), as published")
_IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
_CLIP = ((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711))
_HALF = ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))


def _classes():
    """manifest entry -> the transformers class of that judge."""
    from transformers import CLIPVisionModelWithProjection, VideoMAEForVideoClassification, ViTForImageClassification

    return {"vit_b16": ViTForImageClassification, "videomae_k400": VideoMAEForVideoClassification,
            "clip_vit_l14": CLIPVisionModelWithProjection}


def _configs():
    from transformers import CLIPVisionConfig, VideoMAEConfig, ViTConfig

    return {
        "vit_b16": ViTConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                             image_size=224, patch_size=16, num_labels=1000),
        "videomae_k400": VideoMAEConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                                        intermediate_size=3072, image_size=224, patch_size=16, tubelet_size=2,
                                        num_frames=6, num_labels=400, use_mean_pooling=True),
        "clip_vit_l14": CLIPVisionConfig(hidden_size=1024, intermediate_size=4096, num_attention_heads=16,
                                         num_hidden_layers=24, image_size=224, patch_size=14, projection_dim=768,
                                         hidden_act="quick_gelu"),
    }


class PaperJudge:
    """ViT-B/16, VideoMAE-K400 and CLIP ViT-L/14, as the published evaluation runs them.

    Parameters
    ----------
    manifest : str or Path, optional
        YAML manifest with entries ``vit_b16``, ``videomae_k400`` and ``clip_vit_l14``, each ``{path: <local
        transformers folder>}`` (a download of the checkpoint named in :data:`PAPER_JUDGES`).
    random_init : bool
        Build the three architectures with random weights instead (rehearsals only; no manifest then).
    device : str, optional
    dtype : torch.dtype
        Weights and activations (float16 on a GPU as published; bfloat16 suits a CPU).
    batch_size : int
    seed : int
        Seed of the random init.
    """

    def __init__(self, manifest=None, random_init: bool = False, device: str | None = None, dtype=torch.float32,
                 batch_size: int = 16, seed: int = 0):
        if (manifest is None) == (not random_init):
            raise InputError("PaperJudge needs either a manifest of the published judges' local copies or "
                             "random_init=True (rehearsals only), not both and not neither.")
        self.device = resolve_device(device)
        self.dtype = dtype
        self.batch_size = int(batch_size)
        self.random_init = bool(random_init)
        self.models = self._random(seed) if random_init else self._load(manifest)

    def _random(self, seed):
        cfg = _configs()
        torch.manual_seed(seed)
        return {k: cls(cfg[k]).to(self.device, self.dtype).eval() for k, cls in _classes().items()}

    def _load(self, manifest):
        import yaml

        man = yaml.safe_load(Path(manifest).read_text()) or {}
        missing = [k for k in PAPER_JUDGES if k not in man]
        if missing:
            raise DataError(f"manifest {manifest} lacks the judges {missing}: add an entry {{path: <folder>}} per "
                            f"judge, a local download of " + ", ".join(f"{k}: {v[0]}" for k, v in PAPER_JUDGES.items())
                            + ".")
        for k in PAPER_JUDGES:
            if not Path(man[k]["path"]).is_dir():
                raise DataError(f"{k}: {man[k]['path']} is not a folder; download {PAPER_JUDGES[k][0]} there and fix "
                                "the manifest.")
        extra = {"videomae_k400": {"num_frames": 6}}  # the 6 scored frames, as the published evaluation loads it
        return {k: cls.from_pretrained(man[k]["path"], **extra.get(k, {})).to(self.device, self.dtype).eval()
                for k, cls in _classes().items()}

    def _pixels(self, frames, stats, mode: str = "bilinear", size: int = 224):
        """uint8 (n, H, W, 3) -> resized (``mode``: bilinear for ViT and VideoMAE, bicubic for CLIP, as their image
        processors) and normalised (n, 3, size, size) in the judge's dtype."""
        a = np.asarray(frames)
        if a.ndim != 4 or a.shape[-1] != 3 or a.dtype != np.uint8:
            raise InputError(f"frames must be uint8 (n, H, W, 3), got {a.dtype} {a.shape}.")
        x = torch.from_numpy(a).permute(0, 3, 1, 2).float() / 255.0
        if x.shape[-2:] != (size, size):
            x = F.interpolate(x, size=(size, size), mode=mode, align_corners=False, antialias=True).clamp(0, 1)
        mean, std = (torch.tensor(v).view(1, 3, 1, 1) for v in stats)
        return ((x - mean) / std).to(self.device, self.dtype)

    @torch.no_grad()
    def frame_outputs(self, frames):
        """ViT-B/16 log-probabilities (n, 1000) and CLIP ViT-L/14 image features (n, 768) of uint8 frames."""
        lp, feats = [], []
        for s in range(0, len(frames), self.batch_size):
            chunk = frames[s:s + self.batch_size]
            logits = self.models["vit_b16"](pixel_values=self._pixels(chunk, _HALF)).logits
            lp.append(torch.log_softmax(logits.float(), -1).cpu())
            emb = self.models["clip_vit_l14"](pixel_values=self._pixels(chunk, _CLIP, "bicubic")).image_embeds
            feats.append(emb.float().cpu())
        return torch.cat(lp).numpy(), torch.cat(feats).numpy()

    @torch.no_grad()
    def video_scores(self, videos):
        """VideoMAE-K400 log-probabilities (n, 400) of uint8 videos (n, 6, H, W, 3)."""
        v = np.asarray(videos)
        if v.ndim != 5 or v.shape[1] != self.models["videomae_k400"].config.num_frames:
            raise InputError(f"videos must be (n, {self.models['videomae_k400'].config.num_frames}, H, W, 3) uint8, "
                             f"got {v.shape}.")
        out = []
        step = max(1, self.batch_size // v.shape[1])
        for s in range(0, len(v), step):
            chunk = v[s:s + step]
            x = self._pixels(chunk.reshape(-1, *chunk.shape[2:]), _IMAGENET)
            x = x.reshape(len(chunk), v.shape[1], *x.shape[1:])
            logits = self.models["videomae_k400"](pixel_values=x).logits
            out.append(torch.log_softmax(logits.float(), -1).cpu())
        return torch.cat(out).numpy()
