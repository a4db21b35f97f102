"""The NEURONS model in one file: a shared fMRI backbone and its four subtask heads (Wang et al. 2025;
the authors' ``model_variants/BrainModel_neurons.py`` and ``model_variants/video_decoder.py``).

::

    voxels (B, V_s) ─ RidgeRegression[s] ─► (B, 1, h) ─ 4 mixer blocks ─ backbone_linear ─► (B, N, C)
        ─ clip_proj ─► clip_vision_embeds (B, N, C)                                      [stage 1]
        ─ DiffusionPrior ─► prior_out (B, N, C) ─ MotionProj ─► motion_embeds (B, F, N, C) [stage 2]
             ├─ MultiLabelClassifier(mean_f mean_n motion)             → concept logits (B, K)
             ├─ CLIPProj(mean_f motion) → text embedding (B, T) ─► CaptionDecoder (prefix LM) → caption
             ├─ TextDrivenDecoder(motion, key-object text emb) ─ seg_head   → mask logits (B·F, 1, S, S)
             └─ TextDrivenDecoder(motion, CLIPProj(...))        ─ recon_head → blurry video (B·F, R, S, S)

Notation: B batch, F frames (6), N tokens (256 = 16×16 in the paper), C token width (1664, OpenCLIP bigG),
T text width (1280), S = 4·sqrt(N) decoder output size (64), R recon channels (4 SD latents in the paper).

**Batch coupling**. In the authors' ``TextDrivenDecoder`` the text tensor is (B, T), so every patch
attends over the B texts *of the batch*, and the "temporal" attention of the video decoder runs over all B·F
frames of the batch. ``NeuronsConfig(batch_coupled=True)`` keeps both, exactly (outputs then depend on the batch
size and composition). ``batch_coupled=False`` is our per-sample fix: each clip's frames attend only to their
own text (a single key, softmax = 1) **added to** the query projection so the vision features survive (the
literal per-sample version would discard them), and the temporal attention runs over the clip's F frames.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import torch
import torch.nn as nn
import torch.nn.functional as F

from neurokit.errors import InputError, UnknownNameError

__all__ = [
    "NeuronsConfig", "CONFIGS", "create_config", "NeuronsModel", "RidgeRegression", "BrainBackbone",
    "CLIPProj", "DiffusionPrior", "MotionProj", "TextDrivenDecoder", "DecoderVideo", "MultiLabelClassifier",
    "CaptionDecoder", "n_parameters",
]


@dataclass(frozen=True)
class NeuronsConfig:
    """Sizes and switches of :class:`NeuronsModel` (the model card of one configuration).

    Parameters
    ----------
    n_voxels : tuple of int
        Voxels per subject (one ridge each).
    hidden : int
        Width ``h`` of the ridge output and the mixer blocks (4096).
    n_blocks : int
        Residual MLP-mixer blocks (4).
    drop : float
        Dropout in the mixer MLPs (0.15).
    n_tokens : int
        Tokens N (a square number; 256).
    clip_dim : int
        Token width C (1664).
    text_dim : int
        Text-embedding width T (1280).
    n_frames : int
        Frames per clip F (6).
    n_concepts : int
        Concept classes (51).
    proj_channels : tuple of int
        1×1-conv projector of the text-driven decoder (512, 128, 64).
    decoder_channels : tuple of int
        ``block_out_channels`` of the video decoder (32, 64, 128); ``len - 1`` ×2 upsamplings.
    decoder_layers : int
        (resnet, attention) pairs per up block (2 = ``layers_per_block + 1`` in the paper).
    norm_groups : int
        GroupNorm groups in the video decoder (32).
    recon_channels : int
        Channels of the blurry-video head (4 SD-VAE latent channels; 3 = RGB in the embedded profile).
    use_prior : bool
        Train and sample the diffusion prior (else ``prior_out = clip_vision_embeds``).
    prior_depth, prior_heads, prior_dim_head, prior_timesteps : int
        Prior transformer depth (6), heads (32), head width (52), diffusion steps (100).
    prior_cond_drop : float
        Condition dropout of the prior (0.2).
    caption_vocab : int
        Size of the caption token vocabulary (49408 CLIP BPE in the paper).
    caption_len : int
        Maximum caption tokens (60).
    gpt_layers, gpt_width, gpt_heads : int
        GPT-2 size (12, 768, 12 = GPT-2 124M).
    gpt_pretrained : str or None
        ``"gpt2"`` loads pretrained weights (paper); ``None`` builds a random-init GPT-2 from the config.
    batch_coupled : bool
        Keep the authors' batch-coupled attention (see the module docstring).
    attn_dim : int or None
        Width of the text-driven decoder's query/key/value space and of its projector input. ``None``: the text
        width T, as published (the authors tie them); a CPU configuration can make it narrower than the text
        embedding, whose width is fixed by the text model.
    decoder_attention : int or None
        Up blocks of the video decoder, counted from the lowest resolution, that carry the spatial + temporal
        attention pair. ``None``: all of them, as published (every ``AttnUpDecoderBlock2D``); the mid block always
        has one. On a CPU the full-resolution attention costs most of a training step.
    """

    n_voxels: tuple = (13447, 14828, 9114)
    hidden: int = 4096
    n_blocks: int = 4
    drop: float = 0.15
    n_tokens: int = 256
    clip_dim: int = 1664
    text_dim: int = 1280
    n_frames: int = 6
    n_concepts: int = 51
    proj_channels: tuple = (512, 128, 64)
    decoder_channels: tuple = (32, 64, 128)
    decoder_layers: int = 2
    norm_groups: int = 32
    recon_channels: int = 4
    use_prior: bool = True
    prior_depth: int = 6
    prior_heads: int = 32
    prior_dim_head: int = 52
    prior_timesteps: int = 100
    prior_cond_drop: float = 0.2
    caption_vocab: int = 49408
    caption_len: int = 60
    gpt_layers: int = 12
    gpt_width: int = 768
    gpt_heads: int = 12
    gpt_pretrained: str | None = "gpt2"
    batch_coupled: bool = True
    attn_dim: int | None = None
    decoder_attention: int | None = None

    def __post_init__(self):
        g = int(round(math.sqrt(self.n_tokens)))
        if g * g != self.n_tokens:
            raise InputError(f"n_tokens must be a square number (a token grid), got {self.n_tokens}.")
        for c in (*self.decoder_channels, self.proj_channels[-1]):
            if c % self.norm_groups:
                raise InputError(f"decoder channels {self.decoder_channels} and the last projector width must be "
                                 f"divisible by norm_groups={self.norm_groups}.")

    @property
    def attention_width(self) -> int:
        """Width of the text-driven decoder's attention (``attn_dim``, or the text width as published)."""
        return self.attn_dim or self.text_dim

    @property
    def grid(self) -> int:
        return int(round(math.sqrt(self.n_tokens)))

    @property
    def out_size(self) -> int:
        """Side of the decoder output (mask logits and blurry frames)."""
        return self.grid * 2 ** (len(self.decoder_channels) - 1)

    def to_dict(self) -> dict:
        return asdict(self)


CONFIGS: dict[str, NeuronsConfig] = {
    # the published model (about 2 G parameters with the prior and GPT-2); constructible, never built in tests
    "paper": NeuronsConfig(),
    # CPU sizes: the same architecture, narrow
    "tiny": NeuronsConfig(
        n_voxels=(200,), hidden=128, n_blocks=2, n_tokens=64, clip_dim=32, text_dim=64, n_concepts=14,
        proj_channels=(32, 16, 16), decoder_channels=(8, 16), decoder_layers=1, norm_groups=4, recon_channels=3,
        prior_depth=1, prior_heads=2, prior_dim_head=16, prior_timesteps=20, caption_vocab=64, caption_len=24,
        gpt_layers=1, gpt_width=32, gpt_heads=2, gpt_pretrained=None),
    "embedded": NeuronsConfig(
        n_voxels=(800, 900, 700), hidden=256, n_blocks=4, n_tokens=16, clip_dim=64, text_dim=384,
        n_concepts=14, proj_channels=(64, 32, 16), decoder_channels=(8, 16, 16), decoder_layers=1, norm_groups=4,
        recon_channels=3, prior_depth=2, prior_heads=4, prior_dim_head=16, prior_timesteps=50,
        caption_vocab=128, caption_len=32, gpt_layers=2, gpt_width=64, gpt_heads=4, gpt_pretrained=None,
        attn_dim=64, decoder_attention=1),
}


def create_config(name: str = "tiny", **overrides) -> NeuronsConfig:
    """A named configuration (``"paper"``, ``"embedded"``, ``"tiny"``) with field overrides."""
    if name not in CONFIGS:
        raise UnknownNameError("NEURONS configuration", name, CONFIGS)
    valid = set(NeuronsConfig.__dataclass_fields__)
    bad = set(overrides) - valid
    if bad:
        raise UnknownNameError("NeuronsConfig field", sorted(bad)[0], valid)
    return replace(CONFIGS[name], **overrides)


def n_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# --------------------------------------------------------------------------------------------------
# stage 1: ridge + MLP-mixer backbone (MindEye2)
class RidgeRegression(nn.Module):
    """Per-subject ``Linear(V_s → h)``; input (B, V_s) → (B, 1, h) (seq_len 1)."""

    def __init__(self, n_voxels, hidden):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(v, hidden) for v in n_voxels])

    def forward(self, x, subj_idx: int = 0):
        if not 0 <= subj_idx < len(self.linears):
            raise InputError(f"subject index {subj_idx} out of range; the model has {len(self.linears)} ridges.")
        if x.shape[-1] != self.linears[subj_idx].in_features:
            raise InputError(f"subject {subj_idx} expects {self.linears[subj_idx].in_features} voxels, got {x.shape[-1]}.")
        return self.linears[subj_idx](x).unsqueeze(1)


def _mlp(i, o, drop):
    return nn.Sequential(nn.Linear(i, o), nn.GELU(), nn.Dropout(drop), nn.Linear(o, o))


class BrainBackbone(nn.Module):
    """MindEye2's ``BrainModel``: residual mixer blocks, ``backbone_linear`` to (N, C), per-token ``clip_proj``.

    The channel-mixing blocks act on the length-1 sequence axis (LayerNorm(1) is degenerate) and are kept
    for fidelity.
    """

    def __init__(self, cfg: NeuronsConfig):
        super().__init__()
        h, seq = cfg.hidden, 1
        self.cfg = cfg
        self.mixer_blocks1 = nn.ModuleList([nn.Sequential(nn.LayerNorm(h), _mlp(h, h, cfg.drop)) for _ in range(cfg.n_blocks)])
        self.mixer_blocks2 = nn.ModuleList([nn.Sequential(nn.LayerNorm(seq), _mlp(seq, seq, cfg.drop)) for _ in range(cfg.n_blocks)])
        self.backbone_linear = nn.Linear(h * seq, cfg.n_tokens * cfg.clip_dim)
        c = cfg.clip_dim
        self.clip_proj = nn.Sequential(
            nn.LayerNorm(c), nn.GELU(), nn.Linear(c, c), nn.LayerNorm(c), nn.GELU(), nn.Linear(c, c),
            nn.LayerNorm(c), nn.GELU(), nn.Linear(c, c))

    def forward(self, x):
        """(B, 1, h) → backbone tokens (B, N, C), clip_vision_embeds (B, N, C)."""
        r1, r2 = x, x.permute(0, 2, 1)
        for b1, b2 in zip(self.mixer_blocks1, self.mixer_blocks2):
            x = b1(x) + r1
            r1 = x
            x = x.permute(0, 2, 1)
            x = b2(x) + r2
            r2 = x
            x = x.permute(0, 2, 1)
        x = x.reshape(len(x), -1)
        tokens = self.backbone_linear(x).reshape(len(x), -1, self.cfg.clip_dim)
        return tokens, self.clip_proj(tokens)


class CLIPProj(nn.Module):
    """Mean over tokens, then a fixed (C × T) matrix (frozen; MindEye2's ``coco_tokens_avg_proj.pth``)."""

    def __init__(self, clip_dim, text_dim):
        super().__init__()
        self.register_buffer("proj", torch.randn(clip_dim, text_dim) / math.sqrt(clip_dim))

    def forward(self, x):
        """(B, N, C) → (B, T)."""
        return x.mean(1) @ self.proj


# --------------------------------------------------------------------------------------------------
# stage 2: the diffusion prior and the motion projection

def _draw(fn, *args, device, generator=None, **kwargs):
    """``fn(*args)`` (torch.rand, randn, randint) drawn from ``generator`` on the generator's own device, then moved
    to ``device``: a CPU generator gives the same numbers whether the model runs on a CPU or a GPU (CUDA refuses a
    CPU generator for a CUDA tensor)."""
    where = generator.device if generator is not None else device
    return fn(*args, device=where, generator=generator, **kwargs).to(device)


class DiffusionPrior(nn.Module):
    """A dalle2-style diffusion prior over token sets, predicting x0 (the dalle2 default) with an MSE loss.

    The denoiser is a non-causal transformer over ``[condition tokens; time token; noisy tokens + learned
    positional queries]``; cosine noise schedule with ``timesteps`` steps; the condition is dropped with
    probability ``cond_drop`` during training (classifier-free guidance at sampling).
    Compact re-implementation of ``BrainDiffusionPrior``/``PriorNetwork``; its sizes come from the config.
    """

    def __init__(self, cfg: NeuronsConfig):
        super().__init__()
        d, n = cfg.clip_dim, cfg.n_tokens
        self.T = cfg.prior_timesteps
        self.cond_drop = cfg.prior_cond_drop
        inner = cfg.prior_heads * cfg.prior_dim_head
        self.inp = nn.Linear(d, inner)
        self.out = nn.Linear(inner, d)
        self.pos = nn.Parameter(torch.randn(1, 2 * n + 1, inner) * 0.02)
        self.null_cond = nn.Parameter(torch.zeros(1, n, d))
        self.time_emb = nn.Embedding(self.T, inner)
        layer = nn.TransformerEncoderLayer(inner, cfg.prior_heads, 4 * inner, dropout=0.0, batch_first=True,
                                           norm_first=True, activation="gelu")
        self.net = nn.TransformerEncoder(layer, cfg.prior_depth, enable_nested_tensor=False)
        s = torch.arange(self.T + 1, dtype=torch.float64) / self.T
        f = torch.cos((s + 0.008) / 1.008 * math.pi / 2) ** 2
        betas = torch.clip(1 - f[1:] / f[:-1], 0, 0.999)
        ab = torch.cumprod(1 - betas, 0)
        self.register_buffer("betas", betas.float())
        self.register_buffer("alphas_cumprod", ab.float())

    def denoise(self, x_t, t, cond):
        n = x_t.shape[1]
        h = torch.cat([self.inp(cond), self.time_emb(t)[:, None], self.inp(x_t)], 1) + self.pos
        return self.out(self.net(h)[:, -n:])

    def loss(self, cond, target, generator=None):
        """Prior MSE for a random timestep; returns (loss, predicted x0 of shape (B, N, C))."""
        b = len(target)
        t = _draw(torch.randint, 0, self.T, (b,), device=target.device, generator=generator)
        noise = _draw(torch.randn, target.shape, device=target.device, generator=generator)
        ab = self.alphas_cumprod[t].view(b, 1, 1)
        x_t = ab.sqrt() * target + (1 - ab).sqrt() * noise
        drop = _draw(torch.rand, b, device=target.device, generator=generator) < self.cond_drop
        cond = torch.where(drop.view(b, 1, 1), self.null_cond.expand_as(cond), cond)
        x0 = self.denoise(x_t, t, cond)
        return F.mse_loss(x0, target), x0

    @torch.no_grad()
    def sample(self, cond, cond_scale: float = 1.0, generator=None, steps: int | None = None):
        """DDPM ancestral sampling over all steps (``p_sample_loop``), x0 parameterisation.

        ``steps`` < T samples on ``steps`` evenly spaced timesteps of the same schedule (respaced DDPM: the step
        from t to the previous kept t' uses ``beta = 1 - alpha_bar_t / alpha_bar_t'``); ``None``: all T, as
        published (a rehearsal cuts them to the fewest that run the loop).
        """
        if steps is not None and not 1 <= int(steps) <= self.T:
            raise InputError(f"prior steps must be in 1..{self.T} (the prior's timesteps); got {steps}.")
        if steps is not None and int(steps) < self.T:
            ts = torch.linspace(self.T - 1, 0, int(steps)).round().long().tolist()
        else:
            ts = list(range(self.T - 1, -1, -1))
        b = len(cond)
        x = _draw(torch.randn, cond.shape, device=cond.device, generator=generator)
        for k, i in enumerate(ts):
            t = torch.full((b,), i, device=cond.device, dtype=torch.long)
            x0 = self.denoise(x, t, cond)
            if cond_scale != 1.0:
                x0u = self.denoise(x, t, self.null_cond.expand_as(cond))
                x0 = x0u + cond_scale * (x0 - x0u)
            prev = ts[k + 1] if k + 1 < len(ts) else None
            ab = self.alphas_cumprod[i]
            ab_prev = self.alphas_cumprod[prev] if prev is not None else torch.tensor(1.0)
            # consecutive steps (and the last step to t = 0) use the schedule's own beta, as published
            beta = self.betas[i] if prev in (i - 1, None) and (prev is not None or i == 0) else 1 - ab / ab_prev
            mean = (ab_prev.sqrt() * beta / (1 - ab)) * x0 + ((1 - beta).sqrt() * (1 - ab_prev) / (1 - ab)) * x
            if prev is not None:
                var = beta * (1 - ab_prev) / (1 - ab)
                x = mean + var.sqrt() * _draw(torch.randn, x.shape, device=x.device, generator=generator)
            else:
                x = mean
        return x


class MotionProj(nn.Module):
    """Per-token ``Linear(C → F·C)``, rearranged to motion embeddings (B, F, N, C) (the paper's P_vid)."""

    def __init__(self, n_frames, clip_dim):
        super().__init__()
        self.f = n_frames
        self.motion_proj = nn.Linear(clip_dim, clip_dim * n_frames)

    def forward(self, x):
        b, n, c = x.shape
        m = self.motion_proj(x).reshape(b, n, c, self.f)  # 'b n (c f)'
        return m.permute(0, 3, 1, 2).contiguous()          # 'b f n c'


# --------------------------------------------------------------------------------------------------
# heads
class _SpatioTemporalAttn(nn.Module):
    """Spatial self-attention + "temporal" attention over ``time`` items, mixed ``w·s + (1−w)·t`` (w init 1)."""

    def __init__(self, ch, groups):
        super().__init__()
        from diffusers.models.attention_processor import Attention

        kw = dict(heads=1, dim_head=ch, rescale_output_factor=1.0, eps=1e-6, norm_num_groups=groups,
                  residual_connection=True, bias=True, upcast_softmax=True, _from_deprecated_attn_block=True)
        self.attn = Attention(ch, **kw)
        self.temp_attn = Attention(ch, **kw)
        self.weight = nn.Parameter(torch.ones(1))

    def forward(self, x, time):
        x = self.attn(x)
        bt, c, h, w = x.shape
        if bt % time:
            raise InputError(f"{bt} frames cannot be split into groups of time={time}.")
        b = bt // time
        r = x.reshape(b, time, c, h, w).permute(0, 3, 4, 1, 2).reshape(b * h * w, time, c)
        r = self.temp_attn(r).reshape(b, h, w, time, c).permute(0, 3, 4, 1, 2).reshape(bt, c, h, w)
        return self.weight * x + (1 - self.weight) * r


class _NoAttn(nn.Module):
    """Identity in place of an attention pair (``NeuronsConfig.decoder_attention``)."""

    def forward(self, x, time):
        return x


class DecoderVideo(nn.Module):
    """VAE-style decoder with spatial and temporal attention (``video_decoder.DecoderVideo``, layers_per_block 1).

    conv_in → mid block (resnet, attention, resnet) → up blocks of ``layers`` × (resnet, attention) with ×2 upsampling
    (all but the last) → GroupNorm → SiLU. Input (B·F, c_in, g, g) → (B·F, decoder_channels[0], g·2^k, g·2^k).
    ``attention`` keeps the attention pairs of the first ``attention`` up blocks only (None: all, as published).
    """

    def __init__(self, in_channels, block_out_channels, groups, layers: int = 2, attention: int | None = None):
        super().__init__()
        from diffusers.models.resnet import ResnetBlock2D, Upsample2D

        chans = list(block_out_channels)
        top = chans[-1]
        res = lambda i, o: ResnetBlock2D(in_channels=i, out_channels=o, temb_channels=None, eps=1e-6, groups=groups,
                                         dropout=0.0, non_linearity="swish", output_scale_factor=1.0)
        self.conv_in = nn.Conv2d(in_channels, top, 3, padding=1)
        self.mid_res = nn.ModuleList([res(top, top), res(top, top)])
        self.mid_attn = _SpatioTemporalAttn(top, groups)
        self.up = nn.ModuleList()
        prev = top
        rev = list(reversed(chans))
        for i, ch in enumerate(rev):
            block = nn.Module()
            block.res = nn.ModuleList([res(prev if j == 0 else ch, ch) for j in range(layers)])
            with_attn = attention is None or i < attention
            block.attn = nn.ModuleList([_SpatioTemporalAttn(ch, groups) if with_attn else _NoAttn()
                                        for _ in range(layers)])
            block.upsample = Upsample2D(ch, use_conv=True, out_channels=ch) if i < len(rev) - 1 else None
            self.up.append(block)
            prev = ch
        self.norm_out = nn.GroupNorm(groups, chans[0], eps=1e-6)

    def forward(self, x, time: int = 1):
        x = self.conv_in(x)
        x = self.mid_res[0](x, None)
        x = self.mid_attn(x, time)
        x = self.mid_res[1](x, None)
        for block in self.up:
            for r, a in zip(block.res, block.attn):
                x = a(r(x, None), time)
            if block.upsample is not None:
                x = block.upsample(x)
        return F.silu(self.norm_out(x))


class TextDrivenDecoder(nn.Module):
    """Text-conditioned video decoder shared by the segmentation and blurry-video heads.

    Parameters
    ----------
    cfg : NeuronsConfig

    Notes
    -----
    ``forward(vision (B·F, N, C), text (B, T), n_frames)`` → ``seg_head`` logits (B·F, 1, S, S) or
    ``recon_head`` output (B·F, R, S, S). See the module docstring for ``batch_coupled``.
    """

    def __init__(self, cfg: NeuronsConfig):
        super().__init__()
        c, t, a = cfg.clip_dim, cfg.text_dim, cfg.attention_width
        self.batch_coupled = cfg.batch_coupled
        self.q = nn.Linear(c, a, bias=False)
        self.k = nn.Linear(t, a, bias=False)
        self.v = nn.Linear(t, a, bias=False)
        self.out = nn.Linear(a, a, bias=False)
        self.attn_dropout = nn.Dropout(0.1)
        self.proj_dropout = nn.Dropout(0.1)
        p1, p2, p3 = cfg.proj_channels
        self.maps_projector = nn.Sequential(
            nn.Conv2d(a, p1, 1, bias=False), nn.GroupNorm(1, p1), nn.ReLU(True),
            nn.Conv2d(p1, p2, 1, bias=False), nn.GroupNorm(1, p2), nn.ReLU(True),
            nn.Conv2d(p2, p3, 1, bias=True))
        self.dropout = nn.Dropout(0.3)
        self.norm = nn.GroupNorm(1, p3)
        self.video_decoder = DecoderVideo(p3, cfg.decoder_channels, cfg.norm_groups, cfg.decoder_layers,
                                          cfg.decoder_attention)
        self.recon_head = nn.Conv2d(cfg.decoder_channels[0], cfg.recon_channels, 3, padding=1)
        self.seg_head = nn.Conv2d(cfg.decoder_channels[0], 1, 3, padding=1)
        self.scale = c ** -0.5

    def forward(self, vision, text, n_frames: int, is_seg: bool = True):
        bf, n, _ = vision.shape
        if bf % n_frames:
            raise InputError(f"vision holds {bf} frames, not a multiple of n_frames={n_frames}.")
        b = bf // n_frames
        q = self.q(vision)
        k, v = self.k(text), self.v(text)
        if self.batch_coupled:
            # the authors' code: (B·F, N, T) @ (T, B): every patch attends over the B texts of the batch
            attn = self.attn_dropout(torch.softmax(q @ k.transpose(-1, -2) * self.scale, -1))
            x = self.proj_dropout(self.out(attn @ v))
            time = bf  # the "temporal" attention runs over all frames of all clips in the batch
        else:
            if len(text) != b:
                raise InputError(f"per-sample mode needs one text per clip: {len(text)} texts for {b} clips.")
            v_own = v.repeat_interleave(n_frames, 0)[:, None, :]  # softmax over a single key = 1
            x = self.proj_dropout(self.out(q + v_own))
            time = n_frames
        g = int(round(math.sqrt(n)))
        x = x.transpose(1, 2).reshape(bf, -1, g, g)
        x = self.norm(self.dropout(self.maps_projector(x)))
        x = self.video_decoder(x, time=time)
        return self.seg_head(x) if is_seg else self.recon_head(x)


class MultiLabelClassifier(nn.Module):
    """``Linear(C → T) → Linear(T → K)`` on ``motion_embeds.mean(frames).mean(tokens)`` (logits, BCE loss)."""

    def __init__(self, clip_dim, text_dim, n_classes):
        super().__init__()
        self.vision_proj_channel = nn.Linear(clip_dim, text_dim)
        self.classifier = nn.Linear(text_dim, n_classes)

    def forward(self, x):
        return self.classifier(self.vision_proj_channel(x))


def _pretrained_gpt2(cfg: NeuronsConfig):
    """The pretrained GPT-2 ``cfg.gpt_pretrained`` from the local Hugging Face cache (never downloaded here).

    Missing weights are an error, except in a rehearsal of the paper profile (:func:`neurokit.config.rehearsing`),
    where a random-init GPT-2 of the same configuration stands in, labelled
    :data:`neurokit.features.weights.REHEARSAL_WEIGHTS`. Returns ``(model, weights label)``.
    """
    from transformers import GPT2Config, GPT2LMHeadModel

    from neurokit.config import rehearsing
    from neurokit.errors import DataError
    from neurokit.features.weights import REHEARSAL_WEIGHTS

    try:
        return GPT2LMHeadModel.from_pretrained(cfg.gpt_pretrained, local_files_only=True), "pretrained"
    except (OSError, ValueError) as err:
        if not rehearsing():
            raise DataError(
                f"pretrained {cfg.gpt_pretrained!r} weights (NEURONS' captioner) are not in the local Hugging Face "
                f"cache ({err.__class__.__name__}). On a machine with network run `huggingface-cli download "
                f"{cfg.gpt_pretrained}` and copy $HF_HOME/hub here; the paper profile never runs on random "
                "weights.") from err
    import logging

    logging.getLogger(__name__).warning("GPT-2 %r not found locally: random init of its configuration (%s)",
                                        cfg.gpt_pretrained, REHEARSAL_WEIGHTS)
    conf = GPT2Config(n_layer=cfg.gpt_layers, n_embd=cfg.gpt_width, n_head=cfg.gpt_heads)  # GPT-2 124M's vocabulary
    return GPT2LMHeadModel(conf), REHEARSAL_WEIGHTS


class CaptionDecoder(nn.Module):
    """Prefix captioner: GPT-2 fed ``[Linear(T → width)(text embedding); token embeddings]``.

    ``gpt_pretrained="gpt2"`` loads the pretrained 124M GPT-2 (paper; needs the weights locally), ``None``
    builds a random-init GPT-2 from the config (embedded/tiny: trained from scratch on the captions, label it).
    Token ids come from the caller's tokenizer (the paper feeds CLIP-BPE ids to GPT-2).
    """

    def __init__(self, cfg: NeuronsConfig):
        super().__init__()
        from transformers import GPT2Config, GPT2LMHeadModel

        #: where the GPT-2 weights came from: "pretrained", "random-init" (CPU configurations, trained from scratch)
        #: or :data:`neurokit.features.weights.REHEARSAL_WEIGHTS` (a rehearsal of the paper profile without the file)
        self.weights = "random-init"
        if cfg.gpt_pretrained:
            self.decoder, self.weights = _pretrained_gpt2(cfg)
            if self.decoder.config.vocab_size < cfg.caption_vocab:
                self.decoder.resize_token_embeddings(cfg.caption_vocab)
        else:
            self.decoder = GPT2LMHeadModel(GPT2Config(
                vocab_size=cfg.caption_vocab, n_positions=cfg.caption_len + 2, n_embd=cfg.gpt_width,
                n_layer=cfg.gpt_layers, n_head=cfg.gpt_heads, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                bos_token_id=1, eos_token_id=2, pad_token_id=0))
        self.width = self.decoder.transformer.wte.weight.shape[1]
        self.clip_project = nn.Linear(cfg.text_dim, self.width)
        self.max_len = cfg.caption_len

    def forward(self, prefix, tokens, full: bool = False):
        """prefix (B, T), tokens (B, L) → logits (B, L, vocab): position i predicts tokens[i] (the prefix predicts
        SOT, as in the authors' ``logits[:, :-1]``); ``full=True`` keeps the last position too (B, L+1, vocab)."""
        emb = self.decoder.transformer.wte(tokens)
        cat = torch.cat([self.clip_project(prefix)[:, None], emb], 1)
        logits = self.decoder(inputs_embeds=cat).logits
        return logits if full else logits[:, :-1]

    @torch.no_grad()
    def generate(self, prefix, sot: int, eot: int, max_len: int | None = None):
        """Greedy decoding from ``[prefix, SOT]`` until EOT; returns a list of token-id lists (without SOT/EOT)."""
        max_len = max_len or self.max_len
        b = len(prefix)
        tokens = torch.full((b, 1), sot, dtype=torch.long, device=prefix.device)
        done = torch.zeros(b, dtype=torch.bool, device=prefix.device)
        for _ in range(max_len - 1):
            nxt = self.forward(prefix, tokens, full=True)[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, eot), nxt)
            tokens = torch.cat([tokens, nxt[:, None]], 1)
            done |= nxt == eot
            if done.all():
                break
        out = []
        for row in tokens[:, 1:].tolist():
            out.append(row[:row.index(eot)] if eot in row else row)
        return out


# --------------------------------------------------------------------------------------------------
class NeuronsModel(nn.Module):
    """The whole NEURONS model. See the module docstring for the data flow and ``NeuronsConfig`` for sizes.

    Parameters
    ----------
    config : NeuronsConfig or str
        A config or the name of one in :data:`CONFIGS`.
    """

    def __init__(self, config: NeuronsConfig | str = "tiny"):
        super().__init__()
        cfg = create_config(config) if isinstance(config, str) else config
        self.config = cfg
        self.ridge = RidgeRegression(cfg.n_voxels, cfg.hidden)
        self.backbone = BrainBackbone(cfg)
        self.clipproj = CLIPProj(cfg.clip_dim, cfg.text_dim)
        self.prior = DiffusionPrior(cfg) if cfg.use_prior else None
        self.motion_proj = MotionProj(cfg.n_frames, cfg.clip_dim)
        self.text_seg_dec = TextDrivenDecoder(cfg)
        self.classifier = MultiLabelClassifier(cfg.clip_dim, cfg.text_dim, cfg.n_concepts)
        self.text_dec = CaptionDecoder(cfg)
        self.concept_text = nn.Parameter(torch.zeros(cfg.n_concepts, cfg.text_dim), requires_grad=False)
        # concepts that can be a key object (the segmentation prompt); a data set whose concept list also holds
        # scenes excludes them (see ``key_concept``)
        self.register_buffer("key_candidates", torch.ones(cfg.n_concepts, dtype=torch.bool))

    # stage 1
    def encode(self, voxels, subj_idx: int = 0):
        """voxels (B, V_s) → clip_vision_embeds (B, N, C)."""
        return self.backbone(self.ridge(voxels, subj_idx))[1]

    def stage1_parameters(self):
        return list(self.ridge.parameters()) + list(self.backbone.parameters())

    def stage2_parameters(self):
        mods = [self.motion_proj, self.text_seg_dec, self.classifier, self.text_dec]
        if self.prior is not None:
            mods.append(self.prior)
        return [p for m in mods for p in m.parameters() if p.requires_grad]

    # stage 2
    def motion(self, prior_out):
        """prior_out (B, N, C) → motion_embeds (B, F, N, C)."""
        return self.motion_proj(prior_out)

    def text_embedding(self, motion_embeds):
        """``CLIPProj(mean_f motion)``: predicted caption embedding (B, T)."""
        return self.clipproj(motion_embeds.mean(1))

    def concepts(self, motion_embeds):
        """Concept logits (B, K)."""
        return self.classifier(motion_embeds.mean(1).mean(1))

    def segment(self, motion_embeds, key_text):
        """Key-object mask logits (B, F, S, S) given the key-object text embeddings (B, T)."""
        b, f = motion_embeds.shape[:2]
        out = self.text_seg_dec(motion_embeds.flatten(0, 1), key_text, f, is_seg=True)
        return out.reshape(b, f, *out.shape[-2:])

    def blurry(self, motion_embeds):
        """Blurry video (B, F, R, S, S) conditioned on ``CLIPProj(mean_f motion)``."""
        b, f = motion_embeds.shape[:2]
        out = self.text_seg_dec(motion_embeds.flatten(0, 1), self.text_embedding(motion_embeds), f, is_seg=False)
        return out.reshape(b, f, *out.shape[-3:])

    def key_concept(self, probs):
        """Top-1 concept among the key-object candidates (B,): the published inference takes the top-1 of all
        51 concepts; where the concept list also holds scenes (present in every clip, so usually top-1), the top-1
        object is the one the segmentation prompt needs."""
        return probs.masked_fill(~self.key_candidates, -1.0).argmax(1)

    @torch.no_grad()
    def decode(self, voxels, subj_idx: int = 0, sample_prior: bool = True, generator=None,
               prior_steps: int | None = None):
        """Inference (the authors' ``recon_keyframe_neurons_enhance.py``): all decoded outputs of a batch of voxels.

        Returns a dict with ``clip_vision_embeds`` (B, N, C), ``prior_out`` (B, N, C), ``motion`` (B, F, N, C),
        ``concept_probs`` (B, K), ``top_concept`` (B,), ``mask_probs`` (B, F, S, S) (segmentation conditioned on
        the text of the top-1 concept, as published), ``blurry`` (B, F, R, S, S), ``text_emb`` (B, T).
        """
        cve = self.encode(voxels, subj_idx)
        prior_out = (self.prior.sample(cve, generator=generator, steps=prior_steps)
                     if (self.prior is not None and sample_prior) else cve)
        m = self.motion(prior_out)
        probs = torch.sigmoid(self.concepts(m))
        top = self.key_concept(probs)
        mask = torch.sigmoid(self.segment(m, self.concept_text[top]))
        return {"clip_vision_embeds": cve, "prior_out": prior_out, "motion": m, "concept_probs": probs,
                "top_concept": top, "mask_probs": mask, "blurry": self.blurry(m), "text_emb": self.text_embedding(m)}
