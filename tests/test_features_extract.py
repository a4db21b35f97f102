"""Extraction: hooks vs truncated forward passes, sampling, pooling, temporal mixing, weights and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.errors import DataError, InputError, UnknownNameError
from neurokit.features import create_extractor, get_card
from neurokit.features import hooks, pooling
from neurokit.features.sampling import frame_indices
from neurokit.features.tsm import temporal_shift

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def resnet():  # float32: the hooks must return exactly what the truncated forward passes compute
    return create_extractor("resnet50.tv_in1k", device="cpu", input_size=32, n_frames=4, precision="f32")


@pytest.fixture(scope="module")
def vit():
    return create_extractor("vit_b16.augreg_in1k", device="cpu", input_size=32, n_frames=4, precision="f32")


def _clip(t=32, h=40, w=48, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (t, h, w, 3), dtype=np.uint8)


# ------------------------------------------------------------------ hooks = truncated forward passes
def test_hook_equals_truncated_forward_resnet(resnet):
    m = resnet.model
    (x,) = resnet.prepare(_clip())
    with torch.inference_mode():
        with hooks.capture(m, {"res3": "layer2", "res5": "layer4"}) as raw:
            hooks.run_captured(m, x)
        h = m.maxpool(m.act1(m.bn1(m.conv1(x))))
        res3 = m.layer2(m.layer1(h))
        res5 = m.layer4(m.layer3(res3))
    assert torch.equal(raw["res3"], res3) and torch.equal(raw["res5"], res5)
    feats = resnet.extract(_clip())
    # B3 = layer2, pooled by mean over space, then over the sampled frames
    np.testing.assert_allclose(feats["B3"], res3.mean((2, 3)).mean(0).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(feats["B5"], res5.mean((0, 2, 3)).numpy(), rtol=1e-5, atol=1e-6)
    assert hooks.n_hooks(m) == 0


def test_hook_equals_truncated_forward_vit(vit):
    m = vit.model
    (x,) = vit.prepare(_clip())
    with torch.inference_mode():
        t = m.norm_pre(m.patch_drop(m._pos_embed(m.patch_embed(x))))
        for blk in m.blocks[:4]:
            t = blk(t)
    feats = vit.extract(_clip())
    np.testing.assert_allclose(feats["B1"], t[:, 1:].mean((0, 1)).numpy(), rtol=1e-5, atol=1e-5)  # class token dropped


def test_early_stop_skips_later_layers_and_hooks_always_removed(resnet):
    calls = []
    h = resnet.model.layer4.register_forward_hook(lambda *a: calls.append(1))
    try:
        ex = create_extractor("resnet50.tv_in1k", layers=["B2"], device="cpu", input_size=32, n_frames=2,
                              precision="f32")
        ex.model = resnet.model  # same weights, fewer layers
        ex.extract(_clip())
        assert calls == []  # the forward stopped after layer1
        resnet.extract(_clip())
        assert calls == [1]
    finally:
        h.remove()
    with pytest.raises(RuntimeError):
        with hooks.capture(resnet.model, {"B3": "layer2"}):
            resnet.model(torch.zeros(1, 5, 32, 32))  # wrong channel count fails inside forward
    assert hooks.n_hooks(resnet.model) == 0


# ------------------------------------------------------------------ sampling
def test_frame_indices():
    idx, res = frame_indices(90, None, 8, "image")  # paper: every 8th frame of a 3-s, 30-fps clip
    assert idx.tolist() == list(range(0, 90, 8)) and not res
    idx, _ = frame_indices(90, 4, 8, "image")
    assert idx.tolist() == [0, 32, 56, 88]
    idx, res = frame_indices(90, 8, 8, "video")  # Slow 8x8: 57-frame span, centred
    assert idx.tolist() == [16 + 8 * i for i in range(8)] and not res
    idx, res = frame_indices(20, 8, 8, "video")  # too short: linspace over the clip
    assert res and idx[0] == 0 and idx[-1] == 19 and len(idx) == 8
    idx, res = frame_indices(5, 8, 2, "video")  # fewer frames than needed: repeats
    assert res and len(idx) == 8 and set(idx.tolist()) == {0, 1, 2, 3, 4}


def test_clip_errors_name_model_and_minimum():
    ex = create_extractor("x3d_xs.k400", device="cpu", input_size=32, n_frames=4)
    with pytest.raises(InputError, match=r"x3d_xs\.k400 needs clips of at least 5 frames"):
        ex.extract(_clip(t=3))
    with pytest.raises(InputError, match="uint8"):
        ex.extract(_clip().astype(np.float32))
    with pytest.raises(InputError, match="shape"):
        ex.extract(_clip()[..., 0])
    with pytest.raises(UnknownNameError, match="Did you mean: x3d_xs.k400"):
        create_extractor("x3d_xs")
    with pytest.raises(UnknownNameError) as err:
        create_extractor("x3d_xs.k400", layers=["B0"])
    assert all(f"B{i}" in str(err.value) for i in range(1, 8))
    with pytest.raises(InputError, match="spatial_pool"):
        create_extractor("x3d_xs.k400", spatial_pool="median")


# ------------------------------------------------------------------ temporal handling per family
def test_image_models_ignore_frame_order_video_models_do_not(resnet):
    clip = _clip(t=32)
    blocks = np.split(clip, 4)  # the frames an image model samples (0, 8, 16, 24) are the block starts
    shuffled = np.concatenate([blocks[i] for i in (2, 0, 3, 1)])
    a, b = resnet.extract(clip), resnet.extract(shuffled)
    for k in a:  # mean over frames: order cannot matter
        np.testing.assert_allclose(a[k], b[k], rtol=1e-4, atol=1e-5)
    for name in ("i3d_r50_8x8.k400", "tsm_r50_8x8.mmit"):
        ex = create_extractor(name, device="cpu", input_size=32, n_frames=8)
        c = _clip(t=8)
        fa, fb = ex.extract(c), ex.extract(c[::-1].copy())
        assert not np.allclose(fa["B3"], fb["B3"], rtol=1e-3), name  # temporal mixing ⇒ order matters


def test_temporal_shift_is_the_tsm_definition():
    x = torch.arange(4 * 16, dtype=torch.float32).view(4, 16, 1, 1)  # 4 frames, 16 channels, fold = 2
    y = temporal_shift(x, 4)
    assert torch.equal(y[:3, :2], x[1:, :2]) and torch.equal(y[3, :2], torch.zeros(2, 1, 1))
    assert torch.equal(y[1:, 2:4], x[:3, 2:4]) and torch.equal(y[0, 2:4], torch.zeros(2, 1, 1))
    assert torch.equal(y[:, 4:], x[:, 4:])


def test_slowfast_input_not_mutated_and_deterministic():
    ex = create_extractor("slowfast_r50_8x8.k400", device="cpu", input_size=32, n_frames=8)
    args = ex.prepare(_clip(t=16))
    a, b = ex.extract_prepared(args), ex.extract_prepared(args)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    state = torch.random.get_rng_state()
    ex2 = create_extractor("slowfast_r50_8x8.k400", device="cpu", input_size=32, n_frames=8)
    assert torch.equal(state, torch.random.get_rng_state())  # building leaves the global RNG alone
    c = ex2.extract_prepared(ex2.prepare(_clip(t=16)))
    assert all(np.array_equal(a[k], c[k]) for k in a)  # seeded random init: same features every build


# ------------------------------------------------------------------ pooling reference definitions
def test_pooling_layouts_agree():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 6, 3, 4, 5, generator=g)  # (N, C, T, H, W)
    ref = x[0].mean((1, 2, 3))
    assert torch.allclose(pooling.pool(x, "NCTHW"), ref, atol=1e-6)
    assert torch.allclose(pooling.pool(x.permute(0, 2, 3, 4, 1), "NTHWC"), ref, atol=1e-6)
    tokens = torch.cat([torch.full((1, 1, 6), 1e3), x[0].permute(1, 2, 3, 0).reshape(1, 60, 6)], 1)
    assert torch.allclose(pooling.pool((tokens, [3, 4, 5]), "NLC_thw"), ref, atol=1e-5)  # cls dropped
    assert torch.allclose(pooling.pool(tokens, "NLC_grid", grid=(3, 4, 5)), ref, atol=1e-5)
    assert torch.allclose(pooling.pool(x, "NCTHW", "max", "max"), x[0].amax((1, 2, 3)))
    assert pooling.pool(x, "NCTHW", "mean", "none").shape == (3 * 6,)
    assert pooling.pool(x, "NCTHW", "none", "mean").shape == (6 * 20,)
    two = pooling.pool([x, x[:, :2, :1]], "pathways")
    assert torch.allclose(two, torch.cat([ref, x[0, :2, :1].mean((1, 2, 3))]), atol=1e-6)


# ------------------------------------------------------------------ weights
def test_shipped_weights_are_real_imagenet_classifiers():
    from sklearn.datasets import load_sample_image

    ex = create_extractor("efficientnet_lite0.in1k", layers=["B6"], device="cpu", weights="paper")
    assert ex.weights_source == {**ex.weights_source, "kind": "pretrained", "real": True}
    assert ex.weights_source["sha256"] == get_card("efficientnet_lite0.in1k").embedded_weights_sha256
    logits = ex.extract(load_sample_image("china.jpg")[None])["B6"]
    assert int(np.argmax(logits)) == 698  # ImageNet class 698 "palace" (tooling.md §7)
    emb = create_extractor("efficientnet_lite0.in1k", device="cpu", input_size=32)
    assert emb.weights_source["kind"] == "shipped" and emb.weights_source["real"]


def test_paper_weights_missing_corrupt_and_loaded(tmp_path, monkeypatch):
    card = get_card("x3d_xs.k400")
    with pytest.raises(DataError, match="X3D_XS.pyth"):
        create_extractor("x3d_xs.k400", weights="paper")
    ckpt_dir = tmp_path / "torchhub"
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(ckpt_dir))
    (ckpt_dir / "checkpoints").mkdir(parents=True)
    (ckpt_dir / "checkpoints" / "swin3d_t-7615ae03.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(DataError, match="does not start with 7615ae03"):
        create_extractor("swin3d_t_16x2.k400", weights="paper")
    # a checkpoint in pytorchvideo's format at the card's paper sampling: loaded, hashed, and used
    ref = create_extractor("x3d_xs.k400", device="cpu", input_size=card.paper_sampling.size,
                           n_frames=card.paper_sampling.n_frames)
    state = {k: (v * 1.5 if v.dtype.is_floating_point else v) for k, v in ref.model.state_dict().items()}
    torch.save({"model_state": state, "epoch": 196}, ckpt_dir / "checkpoints" / "X3D_XS.pyth")
    ex = create_extractor("x3d_xs.k400", device="cpu", weights="paper")
    assert ex.weights_source["kind"] == "pretrained" and len(ex.weights_source["sha256"]) == 64
    assert all(torch.equal(v, ex.model.state_dict()[k]) for k, v in state.items())
    clip = _clip(t=48, h=64, w=64)
    assert not np.allclose(ex.extract(clip)["B7"], ref.extract(clip)["B7"])
    with pytest.raises(DataError, match="does not match the architecture|does not fit"):
        torch.save({"model_state": {"foo": torch.zeros(1)}}, ckpt_dir / "checkpoints" / "X3D_XS.pyth")
        create_extractor("x3d_xs.k400", device="cpu", weights="paper")


def test_rehearsal_random_init_stands_in_for_missing_paper_weights(monkeypatch, tmp_path):
    """Only in a rehearsal of the paper profile do random weights replace missing pretrained ones, at the paper's
    sampling, labelled in the config (cache key) and the provenance; real files are still used when present."""
    from neurokit.config import REHEARSAL_ENV

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "empty_hub"))
    monkeypatch.setenv(REHEARSAL_ENV, "0")
    with pytest.raises(DataError, match="X3D_XS.pyth"):  # not rehearsing: refused as before
        create_extractor("x3d_xs.k400", device="cpu", weights="paper")
    with pytest.raises(DataError, match="random weights"):
        create_extractor("timesformer_b_8x32.k400", weights="paper", input_size=32, n_frames=2)
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    card = get_card("x3d_xs.k400")
    ex = create_extractor("x3d_xs.k400", device="cpu", weights="paper", precision="f32")
    assert ex.config()["weights"] == "random-init (rehearsal)"
    src = ex.meta()["weights_source"]
    assert src["kind"] == "random-init (rehearsal)" and src["rehearsal"] and not src["real"]
    assert "X3D_XS.pyth" in src["missing"]
    assert ex.sampling.as_dict() == card.paper_sampling.as_dict()  # the paper's input, not the embedded one
    ref = create_extractor("x3d_xs.k400", device="cpu", input_size=card.paper_sampling.size,
                           n_frames=card.paper_sampling.n_frames, precision="f32")
    assert all(torch.equal(v, ex.model.state_dict()[k]) for k, v in ref.model.state_dict().items())  # card's init
    assert ex.config() != ref.config()  # never shares a cache entry with the embedded random init
    sub = create_extractor("timesformer_b_8x32.k400", weights="paper", input_size=32, n_frames=2)
    assert sub.weights_source["kind"] == "random-init (rehearsal)"
    real = create_extractor("efficientnet_lite0.in1k", layers=["B6"], device="cpu", weights="paper")
    assert real.weights_source["kind"] == "pretrained" and real.config()["weights"] == "paper"
