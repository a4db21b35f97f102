"""Generation conditioned as NEURONS: cccat, the noised blurry init, the tiny diffusers pipeline end to end."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.neurons import pipeline as P
from neurokit.neurons.train import limit_threads


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models: one torch thread (OpenMP spin-waits make two threads far slower on a shared machine)."""
    with limit_threads(1):
        yield


def test_cccat_stretch():
    x = torch.rand(2, 6, 3, 4, 4)
    y = P.cccat(x)
    assert y.shape == (2, 16, 3, 4, 4)
    assert torch.equal(y[:, list(P.ALIGNED_FRAMES)], x)  # true frames land at 0, 3, …, 15
    assert torch.allclose(y[:, 1], 0.67 * x[:, 0] + 0.33 * x[:, 1])
    assert torch.allclose(y[:, 5], 0.33 * x[:, 1] + 0.67 * x[:, 2])


def test_low_strength_is_noised_to_first_timestep():
    info = P.surviving_signal(num_inference_steps=25, low_strength=0.3)
    betas = np.linspace(0.00085, 0.012, 1000, dtype=np.float64)
    ab = np.cumprod(1 - betas)
    assert info["t0"] == 961 and info["t_start"] == 18
    assert info["alpha_bar"] == pytest.approx(ab[961], rel=1e-4)
    assert info["signal"] == pytest.approx(0.05, abs=0.002)  # ≈ 5 % of the blurry latent survives
    assert info["signal_sdedit"] > 0.7                         # a real SDEdit at 0.3 would keep ~77 %


@pytest.fixture(scope="module")
def pipe():
    return P.build_tiny_pipeline(seed=0, width=16, cross_dim=16)


def test_noised_latents_formula(pipe):
    blurry = torch.rand(6, 3, 16, 16)
    lat, info = P.noised_blurry_latents(pipe, blurry, 4, 32, 32, generator=torch.Generator().manual_seed(0))
    assert lat.shape == (1, 4, 16, 4, 4)
    g = torch.Generator().manual_seed(0)
    motion = P.cccat(torch.nn.functional.interpolate(blurry, size=(32, 32), mode="bilinear", align_corners=False)[None])[0]
    clean = pipe.vae.encode(2 * motion - 1).latent_dist.sample(g) * pipe.vae.config.scaling_factor
    clean = clean.permute(1, 0, 2, 3)[None]
    noise = torch.randn(clean.shape, generator=g)
    ab = float(pipe.scheduler.alphas_cumprod[info["t0"]])
    assert torch.allclose(lat, ab ** 0.5 * clean + (1 - ab) ** 0.5 * noise, atol=1e-5)


def test_tiny_pipeline_end_to_end(pipe):
    blurry = torch.rand(6, 3, 16, 16)
    mask = (torch.rand(6, 16, 16) > 0.5).float()
    v1, info = P.generate_video(pipe, "a dog runs", blurry, mask=mask, concept="dog", num_inference_steps=2,
                                height=32, width=32, seed=0)
    v2, _ = P.generate_video(pipe, "a dog runs", blurry, mask=mask, concept="dog", num_inference_steps=2,
                             height=32, width=32, seed=0)
    v3, _ = P.generate_video(pipe, "a dog runs", 1 - blurry, mask=mask, concept="dog", num_inference_steps=2,
                             height=32, width=32, seed=0)
    assert v1.shape == (16, 32, 32, 3) and 0 <= v1.min() and v1.max() <= 1
    assert np.array_equal(v1, v2)                 # seeded as the paper (manual_seed(0) per clip)
    assert not np.allclose(v1, v3)               # the blurry init reaches the output
    assert info["prompt"].startswith("a dog runs, dog, 8k uhd")


def test_decoding_only_the_scored_frames_equals_the_full_decode(pipe):
    """``frames=EVAL_FRAMES`` decodes 6 of the 16 latents: the VAE decodes frame by frame, so they are exactly the
    scored frames of a full decode."""
    blurry, mask = torch.rand(6, 3, 16, 16), (torch.rand(6, 16, 16) > 0.5).float()
    kw = dict(mask=mask, concept="dog", num_inference_steps=2, height=32, width=32, seed=0)
    full, _ = P.generate_video(pipe, "a dog runs", blurry, **kw)
    part, _ = P.generate_video(pipe, "a dog runs", blurry, frames=P.EVAL_FRAMES, **kw)
    assert part.shape == (6, 32, 32, 3)
    np.testing.assert_allclose(part, full[list(P.EVAL_FRAMES)], atol=1e-6)
    with pytest.raises(Exception, match="frames must index"):
        P.generate_video(pipe, "a dog runs", blurry, frames=(0, 16), **kw)


def test_no_keyframe_silences_sparsectrl_and_a_keyframe_reaches_the_output(pipe):
    """The no-fMRI baseline: with ``use_keyframe=False`` the keyframe cannot matter (conditioning scale 0); with
    it, another keyframe gives another video (the control path is live). ControlNet's zero-initialised convolutions
    are given weights first (a trained SparseCtrl's are not zero)."""
    import copy

    pipe = copy.deepcopy(pipe)
    torch.manual_seed(1)
    with torch.no_grad():
        for w in pipe.controlnet.parameters():
            if w.ndim > 1 and not w.any():  # the zero-initialised convolutions
                w.normal_(std=0.2)
    blurry = torch.rand(6, 3, 16, 16)
    kw = dict(num_inference_steps=2, height=32, width=32, seed=0, use_blurry_init=False, frames=(0, 8))
    a, _ = P.generate_video(pipe, "", blurry, keyframe=torch.zeros(3, 16, 16), use_keyframe=False, suffix=False, **kw)
    b, info = P.generate_video(pipe, "", blurry, keyframe=torch.ones(3, 16, 16), use_keyframe=False, suffix=False,
                               **kw)
    assert np.array_equal(a, b) and info["prompt"] == ""
    c, _ = P.generate_video(pipe, "", blurry, keyframe=torch.zeros(3, 16, 16), **kw)
    d, _ = P.generate_video(pipe, "", blurry, keyframe=torch.ones(3, 16, 16), **kw)
    assert not np.allclose(c, d)


def test_paper_architecture_has_the_published_sizes():
    """Built on the meta device (no memory): SD 1.5's UNet, VAE and CLIP ViT-L/14 text encoder have exactly their
    published parameter counts, and AnimateDiff v3's motion modules have no mid-block module."""
    from diffusers import AutoencoderKL, MotionAdapter, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    a = P.PAPER_ARCHITECTURE
    count = lambda m: sum(p.numel() for p in m.parameters())
    with torch.device("meta"):
        assert count(UNet2DConditionModel(**a["unet"])) == 859_520_964
        assert count(AutoencoderKL(**a["vae"])) == 83_653_863
        assert count(CLIPTextModel(CLIPTextConfig(**a["text_encoder"]))) == 123_060_480
        adapter = MotionAdapter(**a["motion_adapter"])
    assert adapter.mid_block is None and a["sparsectrl"]["use_simplified_condition_embedding"]


@pytest.mark.gpu
def test_generation_on_cuda_draws_the_cpu_generators_numbers(pipe):
    """On a GPU the noised blurry latents and the whole generation take their noise from the CPU generator (as
    published, ``torch.manual_seed`` per clip): the CUDA video matches the CPU one up to float arithmetic."""
    import copy

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    blurry, mask = torch.rand(6, 3, 16, 16), (torch.rand(6, 16, 16) > 0.5).float()
    kw = dict(mask=mask, concept="dog", num_inference_steps=2, height=32, width=32, seed=0, frames=P.EVAL_FRAMES)
    cpu, _ = P.generate_video(pipe, "a dog runs", blurry, **kw)
    gpu, _ = P.generate_video(copy.deepcopy(pipe).to("cuda"), "a dog runs", blurry, **kw)
    np.testing.assert_allclose(gpu, cpu, atol=2e-2)
