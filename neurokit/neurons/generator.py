"""A small latent video generator that a CPU can train on a simulated world, conditioned as NEURONS conditions
AnimateDiff (one file: the autoencoder, the denoiser, training and sampling).

NEURONS generates with AnimateDiff v3 on Stable Diffusion 1.5: a VAE maps 256-px frames to 32×32×4 latents (×8),
a text-conditioned UNet with motion modules denoises 16 frames, DDIM runs 25 steps with guidance 8.5, and the
**initial latents are the VAE latents of the decoded blurry video**, masked by the decoded key-object mask and
stretched from 6 to 16 frames (:func:`neurokit.neurons.pipeline.cccat`), noised to the first DDIM timestep.
Those weights know photographs, not a simulated world. :class:`LatentVideoGenerator` keeps that conditioning path
with parts small enough to train on the world's training clips on one CPU core:

* :class:`FrameAutoencoder`: 32-px frames ↔ 8×8×4 latents (×4; SD's VAE is ×8 on 256 px), scaled to unit
  variance on the training frames (SD's ``scaling_factor``);
* the denoiser: a diffusers ``UNet2DModel`` over one frame's latents; the text embedding (the caption, or the
  caption with the decoded concept) enters through a learned projection added to the timestep embedding
  (``class_embed_type="identity"``, scale–shift normalisation), and a learned null embedding is the
  unconditional branch of classifier-free guidance (Ho & Salimans 2022), trained by dropping the condition;
* the noise schedule of AnimateDiff's inference config (linear betas 0.00085–0.012 over 1000 steps) for
  training and DDIM sampling (:func:`neurokit.neurons.pipeline.make_scheduler`). The UNet predicts
  ``v = sqrt(ᾱ) ε − sqrt(1 − ᾱ) x0`` (Salimans & Ho 2022) rather than SD 1.5's ε: this schedule ends at
  ᾱ ≈ 0.002, where a small model's ε error is amplified twenty-fold in its estimate of x0 and DDIM diverges;
  v-prediction keeps that estimate bounded;
* frames are denoised independently, so coherence across the 16 frames comes from the blurry initial latents
  and from a **mixed noise prior** (Ge et al. 2023): every frame's noise is ``sqrt(ρ) ε_shared + sqrt(1-ρ) ε_f``
  (ρ = ``shared_noise``), our stand-in for AnimateDiff's motion modules. Because frames do not interact,
  :meth:`LatentVideoGenerator.generate` can denoise only the frames that are scored, with exactly the values a
  full 16-frame run would give them.

No keyframe (SparseCtrl) branch: the world-trained generator has no image-conditioning path; the prompt suffix
and negative prompt of the published script are for photographic SD weights and are not used.
"""
from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from neurokit._progress import tqdm
from neurokit.errors import InputError
from neurokit.neurons.pipeline import cccat, make_scheduler, mask_weights, surviving_signal

logger = logging.getLogger(__name__)

__all__ = ["GeneratorConfig", "FrameAutoencoder", "LatentVideoGenerator", "train_autoencoder", "train_denoiser",
           "mixed_noise"]


@dataclass(frozen=True)
class GeneratorConfig:
    """Sizes of :class:`LatentVideoGenerator` (its model card).

    Parameters
    ----------
    frame_size : int
        Frame side in pixels (a multiple of 4).
    latent_channels : int
        Channels of the 4× down-sampled latent (4, as SD).
    ae_channels : tuple of int
        Autoencoder widths at full and half resolution.
    unet_channels : tuple of int
        ``block_out_channels`` of the UNet (the second level has self-attention).
    cond_dim : int
        Width of the text embedding (384 for all-MiniLM-L6-v2).
    num_train_timesteps : int
    prediction_type : {"v_prediction", "epsilon"}
        What the UNet predicts (see the module docstring).
    """

    frame_size: int = 32
    latent_channels: int = 4
    ae_channels: tuple = (32, 64)
    unet_channels: tuple = (32, 64)
    cond_dim: int = 384
    num_train_timesteps: int = 1000
    prediction_type: str = "v_prediction"

    def __post_init__(self):
        if self.frame_size % 4:
            raise InputError(f"frame_size must be a multiple of 4 (the latent is 4× smaller), got {self.frame_size}.")
        if len(self.unet_channels) != 2 or len(self.ae_channels) != 2:
            raise InputError("unet_channels and ae_channels take two widths each, e.g. (32, 64).")
        if self.prediction_type not in ("v_prediction", "epsilon"):
            raise InputError(f"prediction_type must be 'v_prediction' or 'epsilon', got {self.prediction_type!r}.")

    @property
    def latent_size(self) -> int:
        return self.frame_size // 4


class FrameAutoencoder(nn.Module):
    """Frames (B, 3, S, S) in [0, 1] ↔ latents (B, C, S/4, S/4), deterministic.

    ``encode`` returns latents divided by ``scale`` (the s.d. of the raw latents on the training frames, set by
    :func:`train_autoencoder`), so the diffusion sees unit-variance latents as SD's VAE ``scaling_factor`` gives.
    """

    def __init__(self, cfg: GeneratorConfig):
        super().__init__()
        a, b = cfg.ae_channels
        c = cfg.latent_channels
        self.enc = nn.Sequential(
            nn.Conv2d(3, a, 3, padding=1), nn.SiLU(), nn.Conv2d(a, a, 4, stride=2, padding=1), nn.SiLU(),
            nn.Conv2d(a, b, 4, stride=2, padding=1), nn.SiLU(), nn.Conv2d(b, b, 3, padding=1), nn.SiLU(),
            nn.Conv2d(b, c, 1))
        self.dec = nn.Sequential(
            nn.Conv2d(c, b, 3, padding=1), nn.SiLU(), nn.Conv2d(b, b, 3, padding=1), nn.SiLU(),
            nn.ConvTranspose2d(b, a, 4, stride=2, padding=1), nn.SiLU(),
            nn.ConvTranspose2d(a, a, 4, stride=2, padding=1), nn.SiLU(), nn.Conv2d(a, 3, 3, padding=1))
        self.register_buffer("scale", torch.ones(()))

    def encode(self, frames):
        """(B, 3, S, S) in [0, 1] → scaled latents (B, C, S/4, S/4)."""
        return self.enc(2 * frames - 1) / self.scale

    def decode(self, latents):
        """Scaled latents → frames in [0, 1] (clamped)."""
        return ((self.dec(latents * self.scale) + 1) / 2).clamp(0, 1)


class LatentVideoGenerator(nn.Module):
    """Autoencoder + text-conditioned latent UNet; see the module docstring.

    Parameters
    ----------
    config : GeneratorConfig
    """

    def __init__(self, config: GeneratorConfig | None = None):
        super().__init__()
        from diffusers import UNet2DModel

        cfg = config or GeneratorConfig()
        self.config = cfg
        self.autoencoder = FrameAutoencoder(cfg)
        c0, c1 = cfg.unet_channels
        self.unet = UNet2DModel(
            sample_size=cfg.latent_size, in_channels=cfg.latent_channels, out_channels=cfg.latent_channels,
            block_out_channels=(c0, c1), down_block_types=("DownBlock2D", "AttnDownBlock2D"),
            up_block_types=("AttnUpBlock2D", "UpBlock2D"), layers_per_block=1, norm_num_groups=16,
            attention_head_dim=16, class_embed_type="identity", resnet_time_scale_shift="scale_shift")
        temb = 4 * c0
        self.cond_proj = nn.Sequential(nn.Linear(cfg.cond_dim, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.null_cond = nn.Parameter(torch.zeros(cfg.cond_dim))

    def _cond(self, cond):
        return self.cond_proj(cond)

    def denoise(self, latents, t, cond):
        """The UNet's prediction (v or ε, ``config.prediction_type``) for latents (B, C, h, w) at timesteps ``t``
        (B,) given text embeddings (B, cond_dim)."""
        return self.unet(latents, t, class_labels=self._cond(cond)).sample

    @torch.no_grad()
    def init_latents(self, blurry, mask=None):
        """NEURONS' motion prior before noising: latents of ``cccat(blurry · mask weights)``.

        Parameters
        ----------
        blurry : tensor of shape (B, 6, 3, h, w) in [0, 1]
            Decoded blurry videos (resized to the frame size here).
        mask : tensor of shape (B, 6, h', w'), optional
            Key-object probabilities; the frames are weighted 1 on the object and 0.5 elsewhere
            (:func:`neurokit.neurons.pipeline.mask_weights`).

        Returns
        -------
        tensor of shape (B, 16, C, S/4, S/4)
        """
        S = self.config.frame_size
        b = torch.as_tensor(blurry, dtype=torch.float32)
        if b.ndim != 5 or b.shape[2] != 3:
            raise InputError(f"blurry must be (B, F, 3, h, w) in [0, 1], got {tuple(b.shape)}.")
        B, Fr = b.shape[:2]
        b = F.interpolate(b.flatten(0, 1), size=(S, S), mode="bilinear", align_corners=False).clamp(0, 1)
        if mask is not None:
            w = F.interpolate(mask_weights(mask).reshape(B * Fr, 1, *mask.shape[-2:]), size=(S, S), mode="nearest")
            b = b * w
        motion = cccat(b.reshape(B, Fr, 3, S, S))
        lat = self.autoencoder.encode(motion.flatten(0, 1))
        return lat.reshape(B, motion.shape[1], *lat.shape[1:])

    @torch.no_grad()
    def generate(self, cond, blurry=None, mask=None, num_inference_steps: int = 25, guidance_scale: float = 8.5,
                 shared_noise: float = 0.5, frames=None, seed: int = 0, low_strength: float = 0.3,
                 batch_size: int = 1024, progress: bool = False, output: str = "frames", bf16: bool = False):
        """Generate videos conditioned as NEURONS (see the module docstring).

        Parameters
        ----------
        cond : tensor of shape (B, cond_dim)
            Text embeddings of the prompts (or a decoded semantic embedding).
        blurry : tensor of shape (B, 6, 3, h, w) in [0, 1], optional
            Decoded blurry videos: their latents, stretched to 16 frames, are the initial latents noised to the
            first DDIM timestep (published behaviour, about 5 % of the signal survives). ``None``: pure noise.
        mask : tensor of shape (B, 6, h', w'), optional
        num_inference_steps, guidance_scale : int, float
            DDIM steps (25) and classifier-free guidance (8.5), as published.
        shared_noise : float in [0, 1]
            ρ of the mixed noise prior (0: independent noise per frame, as AnimateDiff draws it).
        frames : sequence of int, optional
            Frames of the 16 to denoise (default all); the others never influence them.
        seed : int
            ``torch.manual_seed(seed)`` per video, as the published script seeds every clip; so two videos with the
            same condition and blurry input are identical, and the shuffled-fMRI control is a permutation.
        batch_size : int
            Frames per UNet call (the CFG pair counts twice).
        output : {"frames", "latents"}
            Decoded frames, or the final latents (B, len(frames), C, S/4, S/4).
        bf16 : bool
            Run the UNet under bfloat16 autocast (CPUs with AVX-512 BF16 or AMX run it faster; the DDIM update
            stays in float32).

        Returns
        -------
        tensor of shape (B, len(frames), 3, S, S) in [0, 1]
        """
        cfg = self.config
        cond = torch.as_tensor(cond, dtype=torch.float32)
        B = len(cond)
        n_frames = 16
        frames = list(range(n_frames)) if frames is None else [int(f) for f in frames]
        if any(not 0 <= f < n_frames for f in frames):
            raise InputError(f"frames must lie in 0..{n_frames - 1}, got {frames}.")
        if not 0 <= shared_noise <= 1:
            raise InputError(f"shared_noise is a share in [0, 1], got {shared_noise}.")
        sched = make_scheduler(cfg.num_train_timesteps, cfg.prediction_type)
        sched.set_timesteps(num_inference_steps)
        h = cfg.latent_size
        noise = torch.stack([mixed_noise((n_frames, cfg.latent_channels, h, h), shared_noise,
                                         torch.Generator().manual_seed(seed)) for _ in range(B)])
        info = surviving_signal(make_scheduler(cfg.num_train_timesteps, cfg.prediction_type), num_inference_steps,
                                low_strength)
        if blurry is not None:
            clean = self.init_latents(blurry, mask)
            ab = float(sched.alphas_cumprod[info["t0"]])
            x = math.sqrt(ab) * clean + math.sqrt(1 - ab) * noise
        else:
            x = noise * sched.init_noise_sigma
        x = x[:, frames].flatten(0, 1)                                    # (B·f, C, h, h)
        c = cond.repeat_interleave(len(frames), 0)
        null = self.null_cond.expand_as(c)
        for t in tqdm(sched.timesteps, disable=not progress, desc="DDIM"):
            eps = []
            for s in range(0, len(x), max(batch_size // 2, 1)):
                xs, cs, ns = x[s:s + batch_size // 2], c[s:s + batch_size // 2], null[s:s + batch_size // 2]
                tt = torch.full((2 * len(xs),), int(t), dtype=torch.long)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    e = self.denoise(torch.cat([xs, xs]), tt, torch.cat([cs, ns])).float()
                e_c, e_u = e.chunk(2)
                eps.append(e_u + guidance_scale * (e_c - e_u))
            x = sched.step(torch.cat(eps), t, x, eta=0.0).prev_sample
        if output == "latents":
            return x.reshape(B, len(frames), *x.shape[1:])
        out = self.autoencoder.decode(x)
        return out.reshape(B, len(frames), 3, cfg.frame_size, cfg.frame_size)


def mixed_noise(shape, shared: float, generator=None):
    """Gaussian noise (F, …) correlated across its first axis: ``sqrt(ρ) ε_shared + sqrt(1-ρ) ε_f`` (unit variance,
    correlation ρ between any two frames; Ge et al. 2023)."""
    common = torch.randn(shape[1:], generator=generator)
    own = torch.randn(shape, generator=generator)
    return math.sqrt(shared) * common[None] + math.sqrt(1 - shared) * own


def _batches(n, batch_size, gen):
    perm = torch.randperm(n, generator=gen)
    return [perm[i:i + batch_size] for i in range(0, n - batch_size + 1, batch_size)] or [perm]


def train_autoencoder(model: LatentVideoGenerator, frames, steps: int = 2000, batch_size: int = 64, lr: float = 2e-3,
                      latent_noise: float = 0.1, seed: int = 0, progress: bool = False) -> list[float]:
    """Fit the autoencoder on frames (L1 reconstruction), then set its latent ``scale``.

    The decoder sees latents with Gaussian noise of ``latent_noise`` × their s.d. added (a fixed-variance version
    of the KL-regularised VAE of SD): a diffusion model's samples are never exact latents, and a decoder trained only
    on exact ones can turn a small error into another colour.

    Parameters
    ----------
    frames : tensor of shape (n, 3, S, S) in [0, 1]
    steps : int
        Optimiser steps (AdamW, cosine decay).
    latent_noise : float

    Returns
    -------
    list of float
        Mean loss per 100 steps.
    """
    x = torch.as_tensor(frames, dtype=torch.float32)
    S = model.config.frame_size
    if x.ndim != 4 or x.shape[1:] != (3, S, S):
        raise InputError(f"frames must be (n, 3, {S}, {S}) in [0, 1], got {tuple(x.shape)}.")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    ae = model.autoencoder
    ae.scale.fill_(1.0)
    opt = torch.optim.AdamW(ae.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    ae.train()
    hist, acc, step = [], [], 0
    bar = tqdm(total=steps, disable=not progress, desc="autoencoder")
    while step < steps:
        for idx in _batches(len(x), batch_size, gen):
            xb = x[idx]
            z = ae.enc(2 * xb - 1)
            z = z + latent_noise * z.detach().std() * torch.randn(z.shape, generator=gen)
            loss = F.l1_loss((ae.dec(z) + 1) / 2, xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            acc.append(float(loss.detach()))
            step += 1
            bar.update()
            if step % 100 == 0:
                hist.append(float(np.mean(acc)))
                acc = []
            if step >= steps:
                break
    bar.close()
    ae.eval()
    with torch.no_grad():
        lat = torch.cat([ae.enc(2 * x[i:i + 512] - 1) for i in range(0, len(x), 512)])
        ae.scale.fill_(float(lat.std()))
    return hist


def train_denoiser(model: LatentVideoGenerator, frames, cond, steps: int = 4000, batch_size: int = 128,
                   lr: float = 1e-3, cond_drop: float = 0.1, seed: int = 0, progress: bool = False) -> list[float]:
    """Fit the UNet (and the condition projection) with the DDPM loss (v- or ε-prediction) on single frames.

    Parameters
    ----------
    frames : tensor of shape (n, 3, S, S) in [0, 1]
        Training frames (encoded once with the trained autoencoder).
    cond : tensor of shape (n, cond_dim)
        The text embedding of each frame's prompt.
    cond_drop : float
        Probability of replacing the condition by the learned null embedding (for classifier-free guidance).

    Returns
    -------
    list of float
        Mean loss per 100 steps.
    """
    x = torch.as_tensor(frames, dtype=torch.float32)
    c = torch.as_tensor(cond, dtype=torch.float32)
    if len(x) != len(c) or c.shape[1] != model.config.cond_dim:
        raise InputError(f"need one condition of width {model.config.cond_dim} per frame; got {tuple(x.shape)} "
                         f"frames and {tuple(c.shape)} conditions.")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.autoencoder.eval()
        lat = torch.cat([model.autoencoder.encode(x[i:i + 512]) for i in range(0, len(x), 512)])
    sched = make_scheduler(model.config.num_train_timesteps, model.config.prediction_type)
    ab = sched.alphas_cumprod.float()
    v_pred = model.config.prediction_type == "v_prediction"
    params = list(model.unet.parameters()) + list(model.cond_proj.parameters()) + [model.null_cond]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    warm = max(steps // 20, 1)
    lr_sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, 0.5 * (1 + math.cos(math.pi * min(s / steps, 1.0)))))
    model.unet.train()
    hist, acc, step = [], [], 0
    bar = tqdm(total=steps, disable=not progress, desc="denoiser")
    while step < steps:
        for idx in _batches(len(lat), batch_size, gen):
            z0, cb = lat[idx], c[idx]
            t = torch.randint(0, len(ab), (len(idx),), generator=gen)
            eps = torch.randn(z0.shape, generator=gen)
            a = ab[t].view(-1, 1, 1, 1)
            zt = a.sqrt() * z0 + (1 - a).sqrt() * eps
            drop = torch.rand(len(idx), generator=gen) < cond_drop
            cb = torch.where(drop[:, None], model.null_cond.expand_as(cb), cb)
            target = a.sqrt() * eps - (1 - a).sqrt() * z0 if v_pred else eps
            loss = F.mse_loss(model.denoise(zt, t, cb), target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            lr_sched.step()
            acc.append(float(loss.detach()))
            step += 1
            bar.update()
            if step % 100 == 0:
                hist.append(float(np.mean(acc)))
                acc = []
            if step >= steps:
                break
    bar.close()
    model.eval()
    return hist


def config_dict(cfg: GeneratorConfig) -> dict:
    """JSON-safe config (tuples as lists), for manifests and cache keys."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(cfg).items()}
