"""Text-to-video generation conditioned as NEURONS does, on diffusers' AnimateDiff + SparseCtrl (the authors'
``scripts/neuroclips_video_enhance.py`` and ``configs/NeuroClips/control.yaml``).

The conditioning, exactly as ``scripts/neuroclips_video_enhance.py`` + ``pipeline_neuroclips.py``:

* **prompt**: the decoded caption (+ the top-1 concept, our addition when given) + the realism suffix;
  negative prompt: the realism list;
* **keyframe** at frame index 0 of 16, VAE-encoded (× scaling factor) in SparseCtrl's latent-condition mode
  (``use_simplified_condition_embedding``), ``controlnet_conditioning_scale=1``;
* **blurry-video motion prior**: the 6 decoded blurry frames, resized to the output size, stretched to 16 by
  :func:`cccat`, multiplied by the key-object mask (0.5 background / 1 object), VAE-encoded
  (``latent_dist.sample() × 0.18215``) and **noised to** ``timesteps[0]`` (:func:`noised_blurry_latents`). Although
  the script passes ``low_strength=0.3``, the pipeline computes ``t_start`` and then noises to
  ``scheduler.timesteps[:t_start][0] == timesteps[0]`` and runs all steps: with 25 DDIM steps t = 961 and
  ``sqrt(alpha_bar(961)) ≈ 0.05`` (:func:`surviving_signal`), so about 5 % of the blurry latent survives in x_T;
* DDIM (linear betas 0.00085–0.012, ``steps_offset=1``, no clipping), 25 steps, guidance 8.5, eta 0,
  ``torch.manual_seed(0)`` before every clip; 16 frames at 256×256.

``build_tiny_pipeline`` builds every component from configs with random weights (offline, seconds): its
videos are **plumbing**, not reconstructions. ``load_paper_pipeline`` assembles the published stack from local
files listed in a manifest whose sha256 values are checked.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import numpy as np
import torch

from neurokit._io import sha256_file
from neurokit.config import resolve_device
from neurokit.errors import DataError, InputError

logger = logging.getLogger(__name__)

__all__ = [
    "cccat", "build_tiny_pipeline", "make_scheduler", "surviving_signal", "noised_blurry_latents",
    "mask_weights", "generate_video", "EVAL_FRAMES", "ALIGNED_FRAMES", "PROMPT_SUFFIX", "NEGATIVE_PROMPT",
    "load_paper_pipeline", "PAPER_STEPS", "PAPER_GUIDANCE", "build_paper_architecture", "PAPER_ARCHITECTURE",
]

PROMPT_SUFFIX = ", 8k uhd, dslr, soft lighting, high quality, film grain, Fujifilm XT3"
NEGATIVE_PROMPT = ("semi-realistic, cgi, 3d, render, sketch, cartoon, drawing, anime, text, close up, cropped, "
                   "out of frame, worst quality, low quality, jpeg artifacts, ugly, duplicate, morbid, mutilated, "
                   "extra fingers, mutated hands, poorly drawn hands, poorly drawn face, mutation, deformed, blurry, "
                   "dehydrated, bad anatomy, bad proportions, extra limbs, cloned face, disfigured, gross proportions, "
                   "malformed limbs, missing arms, missing legs, extra arms, extra legs, fused fingers, too many "
                   "fingers, long neck")
#: Generated frames scored by the published evaluation (``make_grid`` of pred frames [4, 6, …, 14]).
EVAL_FRAMES = (4, 6, 8, 10, 12, 14)
#: Generated frames that carry the 6 blurry GT-aligned frames after :func:`cccat` (0, 3, …, 15).
ALIGNED_FRAMES = (0, 3, 6, 9, 12, 15)
PAPER_STEPS, PAPER_GUIDANCE, PAPER_SIZE, PAPER_FRAMES = 25, 8.5, 256, 16


def cccat(frames):
    """Stretch F frames to ``3F - 2`` (6 → 16) as ``cccat``: frame 0, then per pair (a, b)
    ``0.67a + 0.33b``, ``0.33a + 0.67b``, ``b``.

    Parameters
    ----------
    frames : tensor of shape (B, F, C, H, W)

    Returns
    -------
    tensor of shape (B, 3F - 2, C, H, W)
    """
    if frames.ndim != 5:
        raise InputError(f"cccat expects (B, F, C, H, W), got {tuple(frames.shape)}.")
    out = [frames[:, :1]]
    for i in range(frames.shape[1] - 1):
        a, b = frames[:, i], frames[:, i + 1]
        out += [(0.67 * a + 0.33 * b)[:, None], (0.33 * a + 0.67 * b)[:, None], b[:, None]]
    return torch.cat(out, 1)


def make_scheduler(num_train_timesteps: int = 1000, prediction_type: str = "epsilon"):
    """DDIM as in AnimateDiff's inference config: linear betas 0.00085–0.012, steps_offset 1, no clipping
    (``prediction_type`` ε as SD 1.5; a model trained for v-prediction passes ``"v_prediction"``)."""
    from diffusers import DDIMScheduler

    return DDIMScheduler(num_train_timesteps=num_train_timesteps, beta_start=0.00085, beta_end=0.012,
                         beta_schedule="linear", steps_offset=1, clip_sample=False, set_alpha_to_one=False,
                         prediction_type=prediction_type)


def surviving_signal(scheduler=None, num_inference_steps: int = PAPER_STEPS, low_strength: float = 0.3) -> dict:
    """How much of the blurry latent survives in NEURONS' initial latents.

    Returns
    -------
    dict
        ``t_start`` (the pipeline's index), ``t0`` (the timestep actually used = ``timesteps[0]``),
        ``alpha_bar`` at t0, ``signal`` = sqrt(alpha_bar) (the blurry latent's coefficient in x_T),
        ``noise`` = sqrt(1 - alpha_bar), and ``t_sdedit`` / ``signal_sdedit``: what an SDEdit at
        ``low_strength`` would have used (``timesteps[num_steps - int(num_steps·strength)]``).
    """
    scheduler = scheduler or make_scheduler()
    scheduler.set_timesteps(num_inference_steps)
    ts = scheduler.timesteps
    init_timestep = min(int(num_inference_steps * low_strength), num_inference_steps)
    t_start = max(num_inference_steps - init_timestep, 0)
    t0 = int(ts[:t_start][:1][0]) if t_start > 0 else int(ts[0])
    ab = float(scheduler.alphas_cumprod[t0])
    t_sd = int(ts[t_start]) if t_start < len(ts) else int(ts[-1])
    ab_sd = float(scheduler.alphas_cumprod[t_sd])
    return {"t_start": t_start, "t0": t0, "alpha_bar": ab, "signal": ab ** 0.5, "noise": (1 - ab) ** 0.5,
            "t_sdedit": t_sd, "signal_sdedit": ab_sd ** 0.5, "num_inference_steps": num_inference_steps}


def mask_weights(mask):
    """Key-object mask → latent weights: 1.0 on the object, 0.5 elsewhere (the authors'
    ``recon_keyframe_neurons_enhance.py``)."""
    m = torch.as_tensor(mask, dtype=torch.float32)
    return torch.where(m > 0.5, torch.ones_like(m), torch.full_like(m, 0.5))


@torch.no_grad()
def noised_blurry_latents(pipe, blurry, num_inference_steps: int, height: int, width: int, mask=None,
                          generator=None, low_strength: float = 0.3):
    """NEURONS' initial latents: VAE(cccat(blurry · mask)) × scaling, noised to ``timesteps[0]``.

    Parameters
    ----------
    pipe : AnimateDiffSparseControlNetPipeline
    blurry : tensor of shape (F, 3, h, w) in [0, 1]
        The 6 decoded blurry frames.
    mask : tensor of shape (F, h', w'), optional
        Key-object probability masks; applied as :func:`mask_weights` to the frames before encoding (the
        published code multiplies the 28×28 latents; ours multiplies the pixels at the output size).

    Returns
    -------
    latents : tensor of shape (1, 4, 3F - 2, height / 8, width / 8)
    info : dict from :func:`surviving_signal`
    """
    import torch.nn.functional as F

    b = torch.as_tensor(blurry, dtype=torch.float32)
    if b.ndim != 4 or b.shape[1] != 3:
        raise InputError(f"blurry must be (F, 3, h, w) in [0, 1], got {tuple(b.shape)}.")
    b = F.interpolate(b, size=(height, width), mode="bilinear", align_corners=False).clamp(0, 1)
    if mask is not None:
        w = F.interpolate(mask_weights(mask)[:, None], size=(height, width), mode="nearest")
        b = b * w
    motion = cccat(b[None])[0]
    vae = pipe.vae
    lat = vae.encode(2 * motion.to(vae.device, vae.dtype) - 1).latent_dist.sample(generator) * vae.config.scaling_factor
    lat = lat.permute(1, 0, 2, 3)[None]  # (1, C, 16, h, w)
    info = surviving_signal(pipe.scheduler, num_inference_steps, low_strength)
    # the published pipeline then calls set_timesteps again inside __call__; same steps, same t0
    noise = torch.randn(lat.shape, generator=generator, dtype=lat.dtype).to(lat.device)  # CPU generator, any device
    t0 = torch.tensor([info["t0"]], device=lat.device)
    return pipe.scheduler.add_noise(lat, noise, t0), info


@contextlib.contextmanager
def _no_fp32_cast_notice():
    """Silence diffusers' "modules that should be kept in float32: []" notice for the duration.

    AnimateDiff pipelines cast their UNetMotionModel with ``.to(dtype)``, and diffusers then logs that notice even
    when the list is empty; it is about diffusers' loading API, not about anything this package does.
    """
    log = logging.getLogger("diffusers.models.modeling_utils")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _byte_tokenizer(max_len: int = 77):
    from tokenizers import pre_tokenizers
    from transformers import CLIPTokenizer

    chars = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = ["<|startoftext|>", "<|endoftext|>"] + chars + [c + "</w>" for c in chars]
    return CLIPTokenizer(vocab={t: i for i, t in enumerate(vocab)}, merges=[], model_max_length=max_len)


def build_tiny_pipeline(seed: int = 0, width: int = 32, cross_dim: int = 32, text_max_len: int = 512):
    """A random-init AnimateDiff + SparseCtrl pipeline built from configs (offline; plumbing only).

    The tokenizer is byte-level (one token per character), so ``text_max_len`` is 512 rather than CLIP's 77: at
    77 a decoded caption would lose its appended concept and prompt suffix (and most of the negative prompt).

    UNet (2 blocks, ``width``/``2·width`` channels) + MotionAdapter → UNetMotionModel; SparseControlNetModel
    built directly in latent-condition mode (``SparseControlNetModel.from_unet`` mutates the UNet config
    in diffusers 0.42); 4-block AutoencoderKL (×8 down-sampling as SD); a 2-layer CLIP text encoder; a byte-level CLIP
    tokenizer made in memory; the DDIM scheduler of :func:`make_scheduler`.
    """
    ch = (width, 2 * width)
    configs = {
        "unet": dict(block_out_channels=ch, layers_per_block=1, sample_size=8, in_channels=4, out_channels=4,
                     down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                     up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=cross_dim,
                     norm_num_groups=8, attention_head_dim=8),
        "motion_adapter": dict(block_out_channels=ch, motion_layers_per_block=1, motion_norm_num_groups=8,
                               motion_num_attention_heads=2, motion_max_seq_length=32),
        "sparsectrl": dict(in_channels=4, conditioning_channels=4, block_out_channels=ch, layers_per_block=1,
                           down_block_types=("CrossAttnDownBlockMotion", "DownBlockMotion"),
                           cross_attention_dim=cross_dim, norm_num_groups=8, attention_head_dim=8,
                           conditioning_embedding_out_channels=(8, 16), motion_max_seq_length=32,
                           motion_num_attention_heads=2, use_simplified_condition_embedding=True,
                           concat_conditioning_mask=True),
        "vae": dict(block_out_channels=(8, 8, 8, 8), in_channels=3, out_channels=3, latent_channels=4,
                    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                    layers_per_block=1, norm_num_groups=4, sample_size=64),
        "text_encoder": dict(hidden_size=cross_dim, intermediate_size=2 * cross_dim, num_attention_heads=4,
                             num_hidden_layers=2, max_position_embeddings=text_max_len),
    }
    return _pipeline_from_configs(configs, seed)


def _pipeline_from_configs(configs: dict, seed: int, live: bool = False, dtype=None):
    """An AnimateDiff + SparseCtrl pipeline with random weights from component configs (keys ``unet``,
    ``motion_adapter``, ``sparsectrl``, ``vae``, ``text_encoder``), the byte-level tokenizer and the DDIM scheduler
    of :func:`make_scheduler`; ``live`` and ``dtype`` as :func:`build_paper_architecture`."""
    from diffusers import (
        AnimateDiffSparseControlNetPipeline,
        AutoencoderKL,
        MotionAdapter,
        SparseControlNetModel,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(**configs["unet"])
    adapter = MotionAdapter(**configs["motion_adapter"])
    controlnet = SparseControlNetModel(**configs["sparsectrl"])
    vae = AutoencoderKL(**configs["vae"])
    tcfg = dict(configs["text_encoder"])
    tok = _byte_tokenizer(tcfg["max_position_embeddings"])
    tcfg.setdefault("vocab_size", len(tok))
    text = CLIPTextModel(CLIPTextConfig(**tcfg, bos_token_id=0, eos_token_id=1, pad_token_id=1))
    with _no_fp32_cast_notice():
        pipe = AnimateDiffSparseControlNetPipeline(
            vae=vae, text_encoder=text, tokenizer=tok, unet=unet, motion_adapter=adapter, controlnet=controlnet,
            scheduler=make_scheduler(), feature_extractor=None, image_encoder=None)
        if live:
            with torch.no_grad():
                for w in [*pipe.unet.parameters(), *pipe.controlnet.parameters()]:
                    if w.ndim > 1 and not w.any():
                        w.normal_(std=0.02)
        if dtype is not None:
            for m in (pipe.unet, pipe.controlnet, pipe.vae, pipe.text_encoder):
                m.to(dtype=dtype).eval()
    pipe.set_progress_bar_config(disable=True)
    return pipe


#: The published stack's architecture, as configs (what :func:`build_paper_architecture` builds with random weights):
#: Stable Diffusion 1.5's UNet (the RealisticVision DreamBooth shares it), VAE and CLIP ViT-L/14 text encoder;
#: AnimateDiff v3's motion modules (``configs/inference/inference-v3.yaml``: no mid-block module, 8 heads, 32
#: positions); SparseCtrl-RGB in latent-condition mode (``configs/inference/sparsectrl/latent_condition.yaml``:
#: simplified condition embedding, 4 conditioning channels plus the mask channel).
PAPER_ARCHITECTURE = {
    "unet": dict(sample_size=64, in_channels=4, out_channels=4, block_out_channels=(320, 640, 1280, 1280),
                 layers_per_block=2, cross_attention_dim=768, attention_head_dim=8, norm_num_groups=32),
    "motion_adapter": dict(block_out_channels=(320, 640, 1280, 1280), motion_layers_per_block=2,
                           motion_num_attention_heads=8, motion_norm_num_groups=32, motion_max_seq_length=32,
                           use_motion_mid_block=False),
    "sparsectrl": dict(in_channels=4, conditioning_channels=4, block_out_channels=(320, 640, 1280, 1280),
                       layers_per_block=2, cross_attention_dim=768, attention_head_dim=8, motion_max_seq_length=32,
                       motion_num_attention_heads=8, use_simplified_condition_embedding=True,
                       concat_conditioning_mask=True),
    "vae": dict(block_out_channels=(128, 256, 512, 512), in_channels=3, out_channels=3, latent_channels=4,
                down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                layers_per_block=2, norm_num_groups=32, sample_size=512, scaling_factor=0.18215),
    "text_encoder": dict(hidden_size=768, intermediate_size=3072, num_attention_heads=12, num_hidden_layers=12,
                         max_position_embeddings=77, vocab_size=49408, hidden_act="quick_gelu", projection_dim=768),
}


def build_paper_architecture(seed: int = 0, dtype=torch.bfloat16, live: bool = True):
    """The published generation stack at its real sizes with **random weights** (a rehearsal of the paper profile).

    Every component is built from :data:`PAPER_ARCHITECTURE` (1.28 G parameters in the UNet with its motion
    modules, 0.50 G in SparseCtrl, 84 M in the VAE, 123 M in the text encoder), so a rehearsal runs the published
    shapes: 16 frames of 256 px, 32 × 32 latents, 77 text tokens, classifier-free guidance. Two substitutions,
    both forced by what ships offline: the weights are random, and the tokenizer is byte-level (one token per
    character, 77 tokens, ids inside CLIP's vocabulary) because CLIP's BPE vocabulary does not ship. Its videos are
    noise-shaped plumbing, never reconstructions.

    Parameters
    ----------
    seed : int
    dtype : torch.dtype
        Weights and activations (bfloat16 on a CPU, as float16 on a GPU in :func:`load_paper_pipeline`).
    live : bool
        Give the layers that start at zero (SparseCtrl's condition embedding and residual convolutions, the
        motion modules' output projections, as ControlNet and AnimateDiff initialise them) small random weights,
        so that every path reaches the output as it does with trained weights; at zero, the keyframe and the
        motion modules would compute and add nothing.
    """
    return _pipeline_from_configs(PAPER_ARCHITECTURE, seed, live=live, dtype=dtype)


@torch.no_grad()
def generate_video(pipe, caption: str, blurry, keyframe=None, mask=None, concept: str | None = None,
                   num_inference_steps: int = PAPER_STEPS, guidance_scale: float = PAPER_GUIDANCE,
                   height: int = PAPER_SIZE, width: int = PAPER_SIZE, seed: int = 0, use_blurry_init: bool = True,
                   frames=None, use_keyframe: bool = True, suffix: bool = True):
    """Generate one clip conditioned as NEURONS.

    Parameters
    ----------
    pipe : AnimateDiffSparseControlNetPipeline
    caption : str
        Decoded caption; ``concept`` (top-1 concept name) is appended as ", {concept}" when given.
    blurry : tensor of shape (6, 3, h, w) in [0, 1]
    keyframe : tensor of shape (3, h, w) in [0, 1], optional
        The SparseCtrl condition at frame 0 (paper: the SDXL-unCLIP keyframe). Default: blurry frame 0.
    mask : tensor of shape (6, h', w'), optional
        Key-object mask probabilities (weights 1 / 0.5 on the blurry frames).
    use_blurry_init : bool
        False starts from pure noise (the ablation of the motion prior).
    frames : sequence of int, optional
        Decode only these of the 16 generated frames (e.g. :data:`EVAL_FRAMES`, the frames the published
        evaluation scores). The VAE decodes frame by frame, so they equal the same frames of a full decode.
    use_keyframe : bool
        False gives SparseCtrl a grey keyframe at conditioning scale 0 (its residuals vanish): the generator's
        prior alone, with ``use_blurry_init=False`` and an empty caption.
    suffix : bool
        Append the realism suffix to the prompt (as published); an empty caption with ``suffix=False`` is the
        unconditional prompt.

    Returns
    -------
    video : ndarray of shape (16 or len(frames), height, width, 3), float in [0, 1]
    info : dict
        ``surviving_signal`` of the init and the prompt used.
    """
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    blurry = torch.as_tensor(blurry, dtype=torch.float32)
    n_out = 3 * blurry.shape[0] - 2
    latents, info = (None, {})
    if use_blurry_init:
        latents, info = noised_blurry_latents(pipe, blurry, num_inference_steps, height, width, mask, gen)
    key = blurry[0] if keyframe is None else torch.as_tensor(keyframe, dtype=torch.float32)
    if mask is not None and keyframe is None:
        import torch.nn.functional as F
        w = F.interpolate(mask_weights(mask)[:1, None], size=key.shape[-2:], mode="nearest")[0]
        key = key * w
    if not use_keyframe:
        key = torch.full_like(key, 0.5)
    prompt = caption + (f", {concept}" if concept else "") + (PROMPT_SUFFIX if suffix else "")
    with _no_fp32_cast_notice():
        out = pipe(prompt=prompt, negative_prompt=NEGATIVE_PROMPT, num_frames=n_out, height=height, width=width,
                   num_inference_steps=num_inference_steps, guidance_scale=guidance_scale, eta=0.0, generator=gen,
                   latents=latents, conditioning_frames=key.clamp(0, 1)[None], controlnet_frame_indices=[0],
                   controlnet_conditioning_scale=1.0 if use_keyframe else 0.0,
                   output_type="np" if frames is None else "latent")
    info["prompt"] = prompt
    if frames is None:
        return np.asarray(out.frames[0]), info
    idx = [int(i) for i in frames]
    if min(idx) < 0 or max(idx) >= n_out:
        raise InputError(f"frames must index the {n_out} generated frames; got {idx}.")
    lat = out.frames[:, :, idx]
    video = pipe.video_processor.postprocess_video(video=pipe.decode_latents(lat.to(pipe.vae.dtype)), output_type="np")
    return np.asarray(video[0]), info


def load_paper_pipeline(manifest, device: str | None = None, dtype=torch.float16, check_hashes: bool = True):
    """Assemble the published generation stack from local files listed in a YAML manifest.

    The manifest maps component names to ``{path: ..., sha256: ...}``: ``sd15`` (a diffusers folder of
    runwayml/stable-diffusion-v1-5), ``dreambooth`` (RealisticVision V6.0 B1 ``.safetensors``), ``motion_module``
    (``v3_sd15_mm.ckpt`` converted to a diffusers MotionAdapter folder), ``sparsectrl`` (``v3_sd15_sparsectrl_rgb``
    as a diffusers SparseControlNetModel folder). Files are hashed and compared before anything is loaded.
    """
    import yaml

    man = yaml.safe_load(Path(manifest).read_text())
    need = ("sd15", "dreambooth", "motion_module", "sparsectrl")
    missing = [k for k in need if k not in man]
    if missing:
        raise DataError(f"manifest {manifest} lacks {missing}; it needs entries {list(need)} with path and sha256.")
    for k in need:
        p = Path(man[k]["path"])
        if not p.exists():
            raise DataError(f"{k}: {p} does not exist; download it (see the NEURONS README) and fix the manifest.")
        if check_hashes and p.is_file():
            got = sha256_file(p)
            if man[k].get("sha256") != got:
                raise DataError(f"{k}: sha256 of {p} is {got}, the manifest says {man[k].get('sha256')}.")
    from diffusers import AnimateDiffSparseControlNetPipeline, MotionAdapter, SparseControlNetModel

    adapter = MotionAdapter.from_pretrained(man["motion_module"]["path"], torch_dtype=dtype)
    controlnet = SparseControlNetModel.from_pretrained(man["sparsectrl"]["path"], torch_dtype=dtype)
    pipe = AnimateDiffSparseControlNetPipeline.from_pretrained(
        man["sd15"]["path"], motion_adapter=adapter, controlnet=controlnet, scheduler=make_scheduler(),
        torch_dtype=dtype)
    from safetensors.torch import load_file

    state = load_file(man["dreambooth"]["path"])
    unet_state = {k.replace("model.diffusion_model.", ""): v for k, v in state.items() if k.startswith("model.diffusion_model.")}
    if not unet_state:
        raise DataError("the DreamBooth file holds no 'model.diffusion_model.*' weights; is it an SD-1.5 checkpoint?")
    from diffusers.loaders.single_file_utils import convert_ldm_unet_checkpoint

    converted = convert_ldm_unet_checkpoint(state, pipe.unet.config)
    pipe.unet.load_state_dict(converted, strict=False)
    return pipe.to(resolve_device(device))
