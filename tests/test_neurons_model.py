"""NEURONS model: shapes, the batch-coupling quirk and its per-sample fix, the paper configuration."""
from __future__ import annotations

import pytest
import torch

from neurokit.errors import InputError, UnknownNameError
from neurokit.neurons.model import NeuronsModel, create_config
from neurokit.neurons.train import limit_threads


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models: one torch thread (OpenMP spin-waits make two threads far slower on a shared machine)."""
    with limit_threads(1):
        yield


@pytest.fixture(scope="module")
def models():
    torch.manual_seed(0)
    coupled = NeuronsModel(create_config("tiny", n_voxels=(50,))).eval()
    torch.manual_seed(0)
    single = NeuronsModel(create_config("tiny", n_voxels=(50,), batch_coupled=False)).eval()
    return coupled, single


def test_decode_shapes(models):
    m = models[0]
    cfg = m.config
    out = m.decode(torch.randn(3, 50), generator=torch.Generator().manual_seed(0))
    S = cfg.out_size
    assert out["clip_vision_embeds"].shape == (3, cfg.n_tokens, cfg.clip_dim)
    assert out["motion"].shape == (3, cfg.n_frames, cfg.n_tokens, cfg.clip_dim)
    assert out["mask_probs"].shape == (3, cfg.n_frames, S, S)
    assert out["blurry"].shape == (3, cfg.n_frames, cfg.recon_channels, S, S)
    assert out["concept_probs"].shape == (3, cfg.n_concepts) and out["text_emb"].shape == (3, cfg.text_dim)
    ids = m.text_dec.generate(out["text_emb"], sot=1, eot=2, max_len=5)
    assert len(ids) == 3 and all(len(i) <= 4 for i in ids)


def test_batch_coupling_quirk_and_fix(models):
    coupled, single = models
    torch.manual_seed(1)
    motion = torch.randn(4, 6, coupled.config.n_tokens, coupled.config.clip_dim)
    text = torch.randn(4, coupled.config.text_dim)
    other = torch.randn(3, 6, coupled.config.n_tokens, coupled.config.clip_dim)
    with torch.no_grad():
        for m, depends in ((coupled, True), (single, False)):
            a = m.segment(motion, text)[0]
            b = m.segment(torch.cat([motion[:1], other]), torch.cat([text[:1], torch.randn(3, text.shape[1])]))[0]
            alone = m.segment(motion[:1], text[:1])[0]
            # the authors' module: clip 0's output changes with the other clips of its batch; the fix: it does not
            assert (not torch.allclose(a, b, atol=1e-5)) == depends
            assert torch.allclose(a, alone, atol=1e-5) != depends


def test_per_sample_fix_keeps_vision(models):
    single = models[1]
    text = torch.randn(1, single.config.text_dim)
    with torch.no_grad():
        a = single.segment(torch.randn(1, 6, single.config.n_tokens, single.config.clip_dim), text)
        b = single.segment(torch.randn(1, 6, single.config.n_tokens, single.config.clip_dim), text)
    assert not torch.allclose(a, b, atol=1e-4)


def test_paper_config_and_errors():
    cfg = create_config("paper")
    assert (cfg.hidden, cfg.n_tokens, cfg.clip_dim, cfg.text_dim, cfg.n_concepts) == (4096, 256, 1664, 1280, 51)
    assert cfg.out_size == 64 and cfg.n_voxels == (13447, 14828, 9114)
    assert cfg.hidden * cfg.n_tokens * cfg.clip_dim > 1.7e9  # backbone_linear alone: ~1.7 G parameters
    with pytest.raises(UnknownNameError):
        create_config("huge")
    with pytest.raises(UnknownNameError):
        create_config("tiny", n_tokenz=4)
    with pytest.raises(InputError, match="square"):
        create_config("tiny", n_tokens=10)
    with pytest.raises(InputError, match="voxels"):
        NeuronsModel(create_config("tiny", n_voxels=(50,))).encode(torch.randn(2, 49))


@pytest.mark.gpu
def test_prior_on_cuda_draws_from_a_cpu_generator():
    """The diffusion prior trains and samples on a GPU with the study's CPU generator (CUDA refuses a CPU
    generator for CUDA tensors; the draws are made on the CPU and moved): the same decoded outputs as on the CPU."""
    import copy

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    torch.manual_seed(0)
    m = NeuronsModel(create_config("tiny", n_voxels=(50,), use_prior=True, batch_coupled=False)).eval()
    x = torch.randn(3, 50)
    cpu = m.decode(x, generator=torch.Generator().manual_seed(0), prior_steps=4)
    gpu = copy.deepcopy(m).cuda().decode(x.cuda(), generator=torch.Generator().manual_seed(0), prior_steps=4)
    torch.testing.assert_close(gpu["prior_out"].cpu(), cpu["prior_out"], atol=1e-3, rtol=1e-3)
    cve = m.encode(x)
    loss_cpu, _ = m.prior.loss(cve, cve, generator=torch.Generator().manual_seed(0))
    g = copy.deepcopy(m).cuda()
    loss_gpu, _ = g.prior.loss(g.encode(x.cuda()), g.encode(x.cuda()), generator=torch.Generator().manual_seed(0))
    assert abs(float(loss_gpu) - float(loss_cpu)) < 1e-3 * max(1.0, float(loss_cpu))
