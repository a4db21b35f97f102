"""The world-trained generator: NEURONS' conditioning path, frame independence, seeding, and that it learns."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.errors import InputError
from neurokit.neurons import generator as G
from neurokit.neurons.pipeline import ALIGNED_FRAMES, EVAL_FRAMES, cccat, make_scheduler
from neurokit.neurons.train import limit_threads


@pytest.fixture(autouse=True)
def _one_thread():
    with limit_threads(1):
        yield


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    g = G.LatentVideoGenerator(G.GeneratorConfig(frame_size=16, ae_channels=(8, 16), unet_channels=(16, 32),
                                                 cond_dim=8))
    return g.eval()


def test_init_latents_are_the_stretched_masked_blurry_video(tiny):
    blurry = torch.rand(2, 6, 3, 8, 8)
    mask = (torch.rand(2, 6, 8, 8) > 0.5).float()
    lat = tiny.init_latents(blurry, mask)
    assert lat.shape == (2, 16, 4, 4, 4)
    up = torch.nn.functional.interpolate(blurry.flatten(0, 1), size=(16, 16), mode="bilinear",
                                         align_corners=False).reshape(2, 6, 3, 16, 16)
    w = torch.nn.functional.interpolate(torch.where(mask > 0.5, 1.0, 0.5).flatten(0, 1)[:, None], size=(16, 16),
                                        mode="nearest").reshape(2, 6, 1, 16, 16)
    with torch.no_grad():
        ref = tiny.autoencoder.encode(cccat(up * w).flatten(0, 1)).reshape(2, 16, 4, 4, 4)
    torch.testing.assert_close(lat, ref)
    # the true frames sit at 0, 3, …, 15 of the stretched video
    torch.testing.assert_close(lat[:, list(ALIGNED_FRAMES)], tiny.init_latents(blurry, mask)[:, list(ALIGNED_FRAMES)])


def test_scored_frames_alone_equal_a_full_run(tiny):
    """Frames never interact, so denoising only the scored ones gives exactly their values in a 16-frame run."""
    cond = torch.randn(2, 8)
    blurry = torch.rand(2, 6, 3, 8, 8)
    full = tiny.generate(cond, blurry, num_inference_steps=3, guidance_scale=2.0, seed=0)
    part = tiny.generate(cond, blurry, num_inference_steps=3, guidance_scale=2.0, frames=EVAL_FRAMES, seed=0)
    assert full.shape == (2, 16, 3, 16, 16) and part.shape == (2, 6, 3, 16, 16)
    torch.testing.assert_close(part, full[:, list(EVAL_FRAMES)], atol=1e-5, rtol=0)
    assert 0 <= float(full.min()) and float(full.max()) <= 1


def test_same_seed_per_clip_makes_the_shuffled_control_a_permutation(tiny):
    """As published (one seed before every clip): generating from permuted inputs permutes the videos."""
    cond, blurry = torch.randn(3, 8), torch.rand(3, 6, 3, 8, 8)
    perm = [2, 0, 1]
    kw = dict(num_inference_steps=2, frames=(4, 6), seed=5, output="latents")
    a = tiny.generate(cond, blurry, **kw)
    b = tiny.generate(cond[perm], blurry[perm], **kw)
    torch.testing.assert_close(b, a[perm], atol=1e-5, rtol=0)
    c = tiny.generate(cond, 1 - blurry, **kw)
    assert not torch.allclose(a, c, atol=1e-4)  # the blurry init reaches the output


def test_mixed_noise_correlation():
    g = torch.Generator().manual_seed(0)
    x = G.mixed_noise((2, 20000), 0.5, g)
    assert float(torch.corrcoef(x)[0, 1]) == pytest.approx(0.5, abs=0.03)
    assert float(x.std()) == pytest.approx(1.0, abs=0.02)
    y = G.mixed_noise((3, 100), 0.0, g)
    assert abs(float(torch.corrcoef(y)[0, 1])) < 0.3
    with pytest.raises(InputError, match="shared_noise"):
        G.LatentVideoGenerator(G.GeneratorConfig(frame_size=16, ae_channels=(8, 16), unet_channels=(16, 32),
                                                 cond_dim=8)).generate(torch.zeros(1, 8), shared_noise=2)


def test_training_learns_the_condition():
    """A tiny generator trained on two flat colours, one per condition, samples near its own condition's latents
    and not the other's."""
    torch.manual_seed(0)
    cfg = G.GeneratorConfig(frame_size=16, ae_channels=(8, 16), unet_channels=(16, 32), cond_dim=4)
    gen = G.LatentVideoGenerator(cfg)
    red, blue = torch.zeros(3, 16, 16), torch.zeros(3, 16, 16)
    red[0], blue[2] = 0.9, 0.9
    frames = torch.stack([red, blue] * 64) + 0.02 * torch.randn(128, 3, 16, 16)
    cond = torch.stack([torch.eye(4)[0], torch.eye(4)[1]] * 64)
    G.train_autoencoder(gen, frames.clamp(0, 1), steps=150, batch_size=32, lr=3e-3)
    hist = G.train_denoiser(gen, frames.clamp(0, 1), cond, steps=300, batch_size=32, lr=2e-3)
    assert hist[-1] < hist[0]
    with torch.no_grad():
        z_red, z_blue = gen.autoencoder.encode(torch.stack([red, blue]))
    out = gen.generate(torch.eye(4)[:2], num_inference_steps=10, guidance_scale=1.0, frames=(0,), seed=0,
                       output="latents")[:, 0]
    d = torch.stack([torch.stack([(o - z).pow(2).mean() for z in (z_red, z_blue)]) for o in out])
    assert d[0, 0] < d[0, 1] and d[1, 1] < d[1, 0], d


def test_schedule_is_animatediffs():
    s = make_scheduler()
    betas = np.linspace(0.00085, 0.012, 1000)
    np.testing.assert_allclose(s.betas.numpy(), betas, rtol=1e-5)
