"""bf16 extraction: precision resolution, cache keys, agreement with float32 features and encoding scores within
the stated tolerances, bit-identity of the pre-cast weights with autocast, and batched = one-clip-at-a-time."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from neurokit.errors import InputError
from neurokit.features import create_extractor, extract_dataset
from neurokit.features import precision as P
from neurokit.features.cache import cache_dir

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# The tolerances stated in neurokit.features.precision (measured figures: benchmarks/results/extraction.json)
MIN_BLOCK_R = P.TOLERANCES["block_r"]  # Pearson r of bf16 vs f32 features, each feature centred across clips
MAX_STAT_REL_DIFF = P.TOLERANCES["stat_rel_diff"]  # discriminability, participation ratio, mean |activation|
MAX_ENCODING_DR = P.TOLERANCES["encoding_best_block_dr"]  # |Δ mean r| of a ridge model fitted to bf16 features

TINY = {"input_size": 32, "n_frames": 4}


def _world_clips(n, frames=16, size=48, seed=0):
    from neurokit.sim.video import VideoWorldConfig, make_clip

    world = VideoWorldConfig(n_frames=frames, size=size)
    return [make_clip(i, world, seed=seed).frames for i in range(n)]


def _noise_clips(n, t=12, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (t, 36, 44, 3), dtype=np.uint8) for _ in range(n)]


def _centred_r(X, Y):
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    return float((Xc * Yc).sum() / np.sqrt((Xc ** 2).sum() * (Yc ** 2).sum()))


# ------------------------------------------------------------------ precision resolution and the cache key
def test_precision_auto_follows_the_hardware_and_bad_values_say_what_to_use(monkeypatch):
    cpu = torch.device("cpu")
    monkeypatch.setattr(P, "native_bf16", lambda device: True)
    assert P.resolve_precision("auto", cpu) == "bf16"
    monkeypatch.setattr(P, "native_bf16", lambda device: False)
    assert P.resolve_precision("auto", cpu) == "f32"
    assert P.resolve_precision("bf16", cpu) == "bf16"  # emulated, with a warning, but honoured
    for bad in ("fp16", "bfloat16", None):
        with pytest.raises(InputError, match="precision must be"):
            create_extractor("x3d_xs.k400", device="cpu", precision=bad, **TINY)


def test_precision_is_in_the_cache_key_and_metadata_and_never_mixed():
    e32 = create_extractor("x3d_xs.k400", device="cpu", precision="f32", **TINY)
    e16 = create_extractor("x3d_xs.k400", device="cpu", precision="bf16", **TINY)
    assert e32.config()["precision"] == "f32" and e16.config()["precision"] == "bf16"
    assert e16.memory_format == "channels_last" and e32.memory_format == "contiguous"
    assert cache_dir(e32) != cache_dir(e16)
    clips = _noise_clips(3)
    f32 = extract_dataset(e32, clips, progress=False)
    f16 = extract_dataset(e16, clips, progress=False)
    assert f16.meta["n_from_cache"] == 0  # the f32 entries of the same clips are not served to bf16
    assert extract_dataset(e32, clips, progress=False).meta["n_from_cache"] == 3
    assert f16.meta["precision"] == "bf16" and f32.meta["precision"] == "f32"
    import json

    assert json.loads((cache_dir(e16) / "config.json").read_text())["precision"] == "bf16"
    for k in f16:  # stored in float32 whatever the compute precision
        assert f16[k].dtype == np.float32 and e16.extract(clips[0])[k].dtype == np.float32
    vit = create_extractor("vit_b16.augreg_in1k", device="cpu", precision="bf16", **TINY)
    assert vit.memory_format == "contiguous"  # transformers keep their layout


def test_f32_refuses_batches():
    e32 = create_extractor("x3d_xs.k400", device="cpu", precision="f32", **TINY)
    assert e32.default_batch_size() == 1
    with pytest.raises(InputError, match="needs precision='bf16'"):
        extract_dataset(e32, _noise_clips(2), batch_size=2, progress=False)
    with pytest.raises(InputError, match="positive integer"):
        extract_dataset(e32, _noise_clips(2), batch_size=0, progress=False)


# ------------------------------------------------------------------ bf16 = autocast, computed faster
@pytest.mark.parametrize("name", ["resnet50.tv_in1k", "vit_b16.augreg_in1k"])
def test_precast_weights_are_bit_identical_to_autocast_on_float32_weights(name):
    """Rounding the conv/linear weights once gives the bytes autocast gives when it rounds them on every call."""
    e16 = create_extractor(name, device="cpu", precision="bf16", **TINY)
    ref = create_extractor(name, device="cpu", precision="f32", **TINY)
    ref.model = P.prepare_model(copy.deepcopy(ref.model), "f32", e16.memory_format)  # layout only
    ref.precision, ref.memory_format = "bf16", e16.memory_format  # autocast on the float32 weights
    assert next(p for p in ref.model.parameters() if p.dim() > 1).dtype == torch.float32
    for clip in _noise_clips(2):
        a, b = e16.extract(clip), ref.extract(clip)
        assert all(np.array_equal(a[k], b[k]) for k in a)


def test_softmax_heads_compute_in_float32():
    """X3D's head returns softmax probabilities ≈ 1/400 whose variation across clips is below a bf16 step there."""
    e16 = create_extractor("x3d_xs.k400", device="cpu", precision="bf16", **TINY)
    e32 = create_extractor("x3d_xs.k400", device="cpu", precision="f32", **TINY)
    assert isinstance(e16.model.blocks[5].activation, P.Float32Softmax)
    clips = _noise_clips(12)
    X = np.stack([e32.extract(c)["B7"] for c in clips])
    Y = np.stack([f["B7"] for f in e16.extract_batch(clips)])
    np.testing.assert_allclose(Y.sum(1), 1.0, rtol=1e-5)  # float32 probabilities, not bf16-rounded ones
    assert _centred_r(X, Y) > MIN_BLOCK_R


# ------------------------------------------------------------------ agreement with float32 (the stated tolerances)
@pytest.fixture(scope="module")
def agreement_data():
    """Tiny image CNN, video CNN and ViT: f32 and bf16 features of 90 clips of the simulated world, and a target
    planted from the clips' pixels (colour, contrast and frame-difference energy: no network involved)."""
    clips = _world_clips(90)

    def descriptors(c):
        x = c.astype(np.float64) / 255
        return np.concatenate([x.mean((0, 1, 2)), x.std((1, 2)).mean(0), np.abs(np.diff(x, axis=0)).mean((0, 1, 2))])

    G = np.stack([descriptors(c) for c in clips])
    G = (G - G.mean(0)) / G.std(0)
    rng = np.random.default_rng(1)
    Y = G @ rng.standard_normal((G.shape[1], 20)) + 0.5 * rng.standard_normal((len(clips), 20))
    feats = {}
    for name in ("resnet50.tv_in1k", "x3d_xs.k400", "vit_b16.augreg_in1k"):
        feats[name] = {p: extract_dataset(create_extractor(name, device="cpu", precision=p, **TINY), clips,
                                          cache=False, progress=False) for p in ("f32", "bf16")}
    return feats, Y


@pytest.mark.parametrize("name", ["resnet50.tv_in1k", "x3d_xs.k400", "vit_b16.augreg_in1k"])
def test_bf16_features_and_block_statistics_within_tolerance(agreement_data, name):
    from neurokit.features.stats import block_statistics

    f = agreement_data[0][name]
    for b in f["f32"]:
        assert _centred_r(f["f32"][b].astype(np.float64), f["bf16"][b].astype(np.float64)) > MIN_BLOCK_R, b
    s32, s16 = block_statistics(f["f32"]), block_statistics(f["bf16"])
    for col in ("discriminability", "participation_ratio", "mean_abs"):
        rel = np.abs(s16[col] - s32[col]) / np.abs(s32[col])
        assert rel.max() < MAX_STAT_REL_DIFF, (col, rel.round(4).tolist())


@pytest.mark.parametrize("name", ["resnet50.tv_in1k", "x3d_xs.k400", "vit_b16.augreg_in1k"])
def test_bf16_encoding_scores_within_tolerance(agreement_data, name):
    """Ridge (per-target CV alpha) from each block's features to the planted target: mean test r per block."""
    from neurokit.regression import RidgeCV
    from neurokit.stats import pearsonr

    feats, Y = agreement_data
    f = feats[name]
    train, test = np.arange(60), np.arange(60, 90)
    for b in f["f32"]:
        r = {}
        for p in ("f32", "bf16"):
            X = f[p][b].astype(np.float64)
            r[p] = pearsonr(Y[test], RidgeCV(alphas=np.logspace(-1, 5, 13)).fit(X[train], Y[train])
                            .predict(X[test])).mean()
        assert abs(r["bf16"] - r["f32"]) < MAX_ENCODING_DR, (b, r)


# ------------------------------------------------------------------ batched (parallel) = one clip at a time (serial)
@pytest.mark.parametrize("name", ["resnet50.tv_in1k", "x3d_xs.k400", "slowfast_r50_8x8.k400", "mvit_b_16x4.k400",
                                  "tsm_r50_8x8.mmit", "timesformer_b_8x32.ssv2"])
def test_batched_bf16_extraction_is_byte_identical_to_one_clip_at_a_time(name):
    """Each clip's bf16 features are the same bytes alone, in any batch, at any position, through the cache."""
    kw = {"input_size": 32, "n_frames": 8 if name.startswith(("slowfast", "tsm")) else 4}
    ex = create_extractor(name, device="cpu", precision="bf16", **kw)
    clips = _noise_clips(5, t=16)
    alone = [ex.extract(c) for c in clips]
    batches = {"all": ex.extract_batch(clips), "reversed": ex.extract_batch(clips[::-1])[::-1],
               "pairs": ex.extract_batch(clips[:2]) + ex.extract_batch(clips[2:4]) + ex.extract_batch(clips[4:])}
    for how, got in batches.items():
        for i in range(len(clips)):
            for k in alone[i]:
                assert np.array_equal(got[i][k], alone[i][k]), (how, i, k)
    serial = extract_dataset(ex, clips, cache=False, batch_size=1, progress=False)
    parallel = extract_dataset(ex, clips, cache=False, batch_size=3, progress=False)
    for k in serial:
        assert serial[k].tobytes() == parallel[k].tobytes()
    assert parallel.meta["batch_size"] == 3


def test_image_model_batches_clips_of_different_lengths():
    from neurokit.features import Sampling

    ex = create_extractor("resnet50.tv_in1k", device="cpu", precision="bf16", input_size=32)
    ex.sampling = Sampling(None, 8, 32)  # every 8th frame, however many (the paper's sampling of image models)
    clips = [_noise_clips(1, t=t, seed=t)[0] for t in (9, 30, 17)]  # 2, 4 and 3 frames at stride 8
    assert ex.default_batch_size() == 1  # no fixed size per clip
    got = ex.extract_batch(clips)
    for c, g in zip(clips, got):
        a = ex.extract(c)
        assert all(np.array_equal(a[k], g[k]) for k in a)
