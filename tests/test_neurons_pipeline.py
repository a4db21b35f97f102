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
